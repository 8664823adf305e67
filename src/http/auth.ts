import type { Request } from 'express';
import type { Clock, OrgRepo } from '../app/ports.js';
import type { Links } from '../app/links.js';
import { hashToken, sameSecret } from '../app/tokens.js';
import { ApiError } from './errors.js';
import type { AuthRule } from './route.js';

export type AuthContext =
  | { kind: 'none' }
  | { kind: 'admin' }
  | { kind: 'org'; orgId: string }
  /** A signed link: it names its own org and cycle in the path it signs. */
  | { kind: 'link' };

/**
 * Verifies `Authorization: Bearer <token>`: the admin token, or an org's API token (looked up by its
 * hash); on `org-or-link` routes, a signed link (`?exp=&sig=`) instead.
 */
export function authorizer(orgs: OrgRepo, adminToken: string, links?: { links: Links; clock: Clock }) {
  return async (rule: AuthRule, req: Request): Promise<AuthContext> => {
    if (rule === 'none') return { kind: 'none' };
    const { exp, sig } = req.query as Record<string, unknown>;
    if (rule === 'org-or-link' && !req.get('authorization') && (exp !== undefined || sig !== undefined)) {
      const path = req.originalUrl.split('?')[0]!;
      if (
        links &&
        typeof exp === 'string' &&
        typeof sig === 'string' &&
        links.links.verify(path, exp, sig, links.clock.now())
      )
        return { kind: 'link' };
      throw new ApiError(
        401,
        'unauthorized',
        'this link is not valid or has expired; open the pack again from chat',
      );
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <token>');
    const token = match[1]!;
    if (sameSecret(token, adminToken)) return { kind: 'admin' };
    const orgId = token.startsWith('acc_') ? await orgs.findIdByTokenHash(hashToken(token)) : null;
    if (!orgId) throw new ApiError(401, 'unauthorized', 'the token is not valid');
    if (rule === 'admin') throw new ApiError(403, 'forbidden', 'this action needs the admin token');
    return { kind: 'org', orgId };
  };
}
