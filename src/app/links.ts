/**
 * Links people open from chat (the full pack, its charts, the Slack install link): the path AND the
 * query (`?version=3`) signed with HMAC-SHA256 and an expiry, so a browser needs no API token and
 * a link cannot be altered to reach another org, cycle or version. Each org has its own random
 * link key (on the org); a link is signed with HMAC(server secret, org key), so replacing the
 * org's key (`rotateOrgLinks`) ends every link of that org at once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import type { Clock, OrgRepo, AuditLog } from './ports.js';
import type { Actor } from './records.js';

export interface LinkSigner {
  /** An absolute, signed URL for `path` (with its query, if any), valid `ttlDays`. */
  signed(path: string, now: Date, ttlDays?: number): string;
}

/** `expired`: the link's date has passed; `invalid`: altered, another org's, or its org renewed its links. */
export type LinkCheck = 'ok' | 'expired' | 'invalid';

export interface Links {
  /** Signs links of one org (its link key is read once). */
  forOrg(orgId: string): Promise<LinkSigner>;
  /** Checks a signed link as requested: its path and query, `exp` and `sig` among them. */
  verify(url: string, now: Date): Promise<LinkCheck>;
  /** An absolute URL of an unsigned page (the web app's, which signs people in instead). */
  url(pathAndQuery: string): string;
}

export const LINK_TTL_DAYS = 45;

/** The org a link belongs to: every signed path names it right after its prefix. */
const ORG_IN_PATH = /^\/(?:api\/v1\/orgs|slack\/install|teams\/connect)\/([a-f0-9]{24})(?:\/|$)/;

/** A fresh org link key (256 bits). */
export function newLinkKey(): string {
  return randomBytes(32).toString('base64url');
}

/** The query without `exp` and `sig`, its parameters in a fixed order: what the signature covers. */
function canonicalQuery(query: string): string {
  const params = [...new URLSearchParams(query)].filter(([k]) => k !== 'exp' && k !== 'sig');
  params.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return new URLSearchParams(params).toString();
}

function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at < 0 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

export function signedLinks(
  baseUrl: string,
  serverSecret: string,
  orgs: Pick<OrgRepo, 'linkKey'>,
  ttlDays = LINK_TTL_DAYS,
): Links {
  const base = baseUrl.replace(/\/+$/, '');
  const orgSecret = (orgId: string, orgKey: string) =>
    createHmac('sha256', serverSecret).update(`accord-links\n${orgId}\n${orgKey}`).digest();
  const mac = (secret: Buffer, path: string, query: string, exp: string) =>
    createHmac('sha256', secret)
      .update(`${path}?${canonicalQuery(query)}\n${exp}`)
      .digest('base64url');
  return {
    url: (pathAndQuery) => `${base}${pathAndQuery}`,
    async forOrg(orgId) {
      const key = await orgs.linkKey(orgId);
      if (!key) throw new DomainError('not_found', 'org not found');
      const secret = orgSecret(orgId, key);
      return {
        signed(pathAndQuery, now, days = ttlDays) {
          const { path, query } = splitUrl(pathAndQuery);
          if (ORG_IN_PATH.exec(path)?.[1] !== orgId)
            throw new Error(`a signed link must name its org (${orgId}) in its path: ${path}`);
          const exp = String(Math.floor(now.getTime() / 1000) + days * 86_400);
          const sep = query ? '&' : '?';
          return `${base}${pathAndQuery}${sep}exp=${exp}&sig=${mac(secret, path, query, exp)}`;
        },
      };
    },
    async verify(url, now) {
      const { path, query } = splitUrl(url);
      const params = new URLSearchParams(query);
      const exp = params.get('exp') ?? '';
      const sig = params.get('sig') ?? '';
      const orgId = ORG_IN_PATH.exec(path)?.[1];
      if (!orgId || !/^\d{1,12}$/.test(exp) || !/^[\w-]{43}$/.test(sig)) return 'invalid';
      if (params.getAll('exp').length > 1 || params.getAll('sig').length > 1) return 'invalid';
      if (Number(exp) * 1000 < now.getTime()) return 'expired';
      const key = await orgs.linkKey(orgId);
      if (!key) return 'invalid';
      const want = Buffer.from(mac(orgSecret(orgId, key), path, query, exp));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got) ? 'ok' : 'invalid';
    },
  };
}

/** Replaces the org's link key: every link signed for it before (packs, charts, install links) stops working. */
export async function rotateOrgLinks(
  deps: { orgs: Pick<OrgRepo, 'setLinkKey'>; audit: AuditLog; clock: Clock },
  orgId: string,
  actor: Actor,
): Promise<{ rotatedAt: Date }> {
  const now = deps.clock.now();
  if (!(await deps.orgs.setLinkKey(orgId, newLinkKey()))) throw new DomainError('not_found', 'org not found');
  await deps.audit.append(
    orgId,
    { actor, action: 'org.links-rotated', entity: { type: 'org', id: orgId } },
    now,
  );
  return { rotatedAt: now };
}
