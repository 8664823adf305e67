/**
 * Failed authentications are counted per client address and per token prefix (the first 10
 * characters of a bearer token, e.g. `acc_AbC123`), in memory and per process. Past the limit in a
 * window, a request is answered 429 with Retry-After BEFORE its token is looked up in the database,
 * so guessing costs the guesser, not the database. Successful requests are never counted.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ApiError } from './errors.js';

export interface AuthLimits {
  /** Failures allowed per client address in a window. */
  perAddress: number;
  /** Failures allowed per token prefix in a window. */
  perToken: number;
  windowSeconds: number;
}

export const DEFAULT_AUTH_LIMITS: AuthLimits = { perAddress: 30, perToken: 10, windowSeconds: 600 };

/** What a request is known by: its address and, when it sent a bearer token, that token's prefix. */
export interface Caller {
  address: string;
  tokenPrefix?: string | undefined;
}

export interface AuthLimiter {
  /** Throws a 429 ApiError (Retry-After in `retryAfter`) when the caller is past a limit. */
  check(caller: Caller): Promise<void>;
  /** Counts one failed authentication of the caller. */
  failed(caller: Caller): Promise<void>;
}

export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}

export function authLimiter(limits: AuthLimits = DEFAULT_AUTH_LIMITS): AuthLimiter {
  const byAddress = new RateLimiterMemory({
    keyPrefix: 'address',
    points: limits.perAddress,
    duration: limits.windowSeconds,
  });
  const byToken = new RateLimiterMemory({
    keyPrefix: 'token',
    points: limits.perToken,
    duration: limits.windowSeconds,
  });
  const refuse = (msBeforeNext: number, what: string) => {
    const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
    return new ApiError(
      429,
      'too_many_failures',
      `too many failed authentications from ${what}; try again in ${seconds} s`,
      {},
      {},
      { 'Retry-After': String(seconds) },
    );
  };
  return {
    async check(caller) {
      const address = await byAddress.get(caller.address);
      if (address && address.consumedPoints >= limits.perAddress)
        throw refuse(address.msBeforeNext, 'this address');
      if (caller.tokenPrefix === undefined) return;
      const token = await byToken.get(caller.tokenPrefix);
      if (token && token.consumedPoints >= limits.perToken)
        throw refuse(token.msBeforeNext, `tokens starting ${caller.tokenPrefix}`);
    },
    async failed(caller) {
      await byAddress.penalty(caller.address, 1);
      if (caller.tokenPrefix !== undefined) await byToken.penalty(caller.tokenPrefix, 1);
    },
  };
}
