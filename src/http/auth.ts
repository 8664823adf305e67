import type { Request } from 'express';
import type { OrgRepo } from '../app/ports.js';
import { hashToken, sameSecret } from '../app/tokens.js';
import { ApiError } from './errors.js';
import type { AuthRule } from './route.js';

export type AuthContext = { kind: 'none' } | { kind: 'admin' } | { kind: 'org'; orgId: string };

/** Verifies `Authorization: Bearer <token>`: the admin token, or an org's API token (looked up by its hash). */
export function authorizer(orgs: OrgRepo, adminToken: string) {
  return async (rule: AuthRule, req: Request): Promise<AuthContext> => {
    if (rule === 'none') return { kind: 'none' };
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
