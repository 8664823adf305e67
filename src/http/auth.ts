import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock, OrgRepo } from '../app/ports.js';
import type { Links } from '../app/links.js';
import { hashToken } from '../app/tokens.js';
import { tokenPrefix, type AuthLimiter } from './authLimit.js';
import { ApiError } from './errors.js';
import type { AuthRule } from './route.js';

export type AuthContext =
  | { kind: 'none' }
  | { kind: 'admin' }
  | { kind: 'org'; orgId: string }
  /** A signed link: it names its own org and cycle in the path it signs. */
  | { kind: 'link' };

export interface AuthorizerOptions {
  orgs: Pick<OrgRepo, 'findIdByTokenHash'>;
  /** The SHA-256 (hex) of the admin token: the token itself is never kept. */
  adminTokenHash: string;
  links: Links;
  clock: Clock;
  limiter: AuthLimiter;
}

/** The address a request came from (behind a proxy, as `trust proxy` allows). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Verifies `Authorization: Bearer <token>`: the admin token (its hash compared in constant time),
 * or an org's API token (looked up by its hash); on `org-or-link` routes, a signed link
 * (`?exp=&sig=`) instead. Failed attempts are counted and, past the limits, refused with 429
 * before any lookup (see authLimit.ts).
 */
export function authorizer(opts: AuthorizerOptions) {
  const adminHash = Buffer.from(opts.adminTokenHash, 'hex');
  if (adminHash.length !== 32) throw new Error('the admin token hash must be a SHA-256 in hex');
  const isAdmin = (token: string) =>
    timingSafeEqual(createHash('sha256').update(token, 'utf8').digest(), adminHash);
  return async (rule: AuthRule, req: Request): Promise<AuthContext> => {
    if (rule === 'none') return { kind: 'none' };
    const { exp, sig } = req.query as Record<string, unknown>;
    if (rule === 'org-or-link' && !req.get('authorization') && (exp !== undefined || sig !== undefined)) {
      const caller = { address: clientAddress(req) };
      await opts.limiter.check(caller);
      const check = await opts.links.verify(req.originalUrl, opts.clock.now());
      if (check === 'ok') return { kind: 'link' };
      await opts.limiter.failed(caller);
      throw new ApiError(
        401,
        'unauthorized',
        check === 'expired'
          ? 'this link has expired; open the pack again from chat for a fresh one'
          : 'this link is not valid: it was changed, or its organisation renewed its links; open the pack again from chat for a fresh one',
      );
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <token>');
    const token = match[1]!;
    if (isAdmin(token)) return { kind: 'admin' };
    const caller = { address: clientAddress(req), tokenPrefix: tokenPrefix(token) };
    await opts.limiter.check(caller);
    const orgId = token.startsWith('acc_') ? await opts.orgs.findIdByTokenHash(hashToken(token)) : null;
    if (!orgId) {
      await opts.limiter.failed(caller);
      throw new ApiError(401, 'unauthorized', 'the token is not valid');
    }
    if (rule === 'admin') throw new ApiError(403, 'forbidden', 'this action needs the admin token');
    return { kind: 'org', orgId };
  };
}
