/**
 * Links people open from chat (the full pack, its charts): a path signed with HMAC-SHA256 and an
 * expiry, so a browser needs no API token and a link cannot be altered to reach another org.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Links {
  /** An absolute, signed URL for `path` (which starts with /api/v1/orgs/{orgId}/...). */
  signed(path: string, now: Date, ttlDays?: number): string;
  /** Whether `sig` and `exp` sign `path` and have not expired. */
  verify(path: string, exp: string, sig: string, now: Date): boolean;
}

const DEFAULT_TTL_DAYS = 45;

export function signedLinks(baseUrl: string, secret: string): Links {
  const mac = (path: string, exp: string) =>
    createHmac('sha256', secret).update(`${path}\n${exp}`).digest('base64url');
  const base = baseUrl.replace(/\/+$/, '');
  return {
    signed(path, now, ttlDays = DEFAULT_TTL_DAYS) {
      const exp = String(Math.floor(now.getTime() / 1000) + ttlDays * 86_400);
      const sep = path.includes('?') ? '&' : '?';
      return `${base}${path}${sep}exp=${exp}&sig=${mac(path.split('?')[0]!, exp)}`;
    },
    verify(path, exp, sig, now) {
      if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 < now.getTime()) return false;
      const want = Buffer.from(mac(path, exp));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}

/** The links secret: its own setting, else derived from the admin token (links then end with it). */
export function linkSecret(explicit: string | undefined, adminToken: string): string {
  return explicit ?? createHmac('sha256', adminToken).update('accord-links').digest('hex');
}
