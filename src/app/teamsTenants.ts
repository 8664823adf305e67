/**
 * Connecting a Microsoft Teams tenant to an org, as Slack's install connects a workspace: the
 * process owner (or an administrator) gets a one-week code from the API, and someone in that tenant
 * types `connect <code>` to Accord in Teams; typed in a team channel, that channel also becomes the
 * org's S&OP channel. A single-tenant install (TEAMS_TENANT_ID) connects its org by itself.
 */
import { DomainError } from '../domain/errors.js';
import type { Deps } from './ports.js';
import type { Actor, OrgRecord } from './records.js';

const CODE_DAYS = 7;
const CODE = /^([a-f0-9]{24})\.(\d{1,12})\.([\w-]{43})$/;

/** A code that connects a Teams tenant to this org, valid for a week. */
export async function teamsConnectCode(
  deps: Pick<Deps, 'links' | 'clock' | 'orgs'>,
  orgId: string,
): Promise<{ code: string; expiresAt: Date }> {
  const url = new URL(
    (await deps.links.forOrg(orgId)).signed(`/teams/connect/${orgId}`, deps.clock.now(), CODE_DAYS),
  );
  const exp = url.searchParams.get('exp')!;
  return {
    code: `${orgId}.${exp}.${url.searchParams.get('sig')!}`,
    expiresAt: new Date(Number(exp) * 1000),
  };
}

/** Connects `tenantId` to the org the code names; refused when the code is wrong or expired, or the tenant serves another org. */
export async function connectTeamsTenant(
  deps: Pick<Deps, 'links' | 'clock' | 'orgs' | 'teams' | 'audit'>,
  tenantId: string,
  code: string,
  by: Actor,
): Promise<OrgRecord> {
  const m = CODE.exec(code.trim());
  const check = m
    ? await deps.links.verify(`/teams/connect/${m[1]}?exp=${m[2]}&sig=${m[3]}`, deps.clock.now())
    : 'invalid';
  if (check !== 'ok')
    throw new DomainError(
      'forbidden',
      check === 'expired'
        ? 'this connect code has expired: ask your Accord administrator for a new one'
        : 'this connect code is not valid: check it, or ask your Accord administrator for a new one',
    );
  const org = await deps.orgs.get(m![1]!);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const connected = await deps.teams.connectTenant(tenantId, org.id, now);
  if (connected.orgId !== org.id)
    throw new DomainError(
      'conflict',
      'this Microsoft Teams organisation is already connected to another Accord organisation',
    );
  await deps.audit.append(
    org.id,
    { actor: by, action: 'teams.connected', entity: { type: 'org', id: org.id }, after: { tenantId } },
    now,
  );
  return org;
}

/** Makes a team channel the org's S&OP channel (process owners), where the pack card is posted. */
export async function useTeamsChannel(
  deps: Pick<Deps, 'teams' | 'audit' | 'clock' | 'members'>,
  orgId: string,
  conversationId: string,
  actorId: string,
): Promise<void> {
  const actor = await deps.members.get(orgId, actorId);
  if (!actor?.roles.includes('process-owner'))
    throw new DomainError('forbidden', 'only the S&OP process owner chooses the S&OP channel');
  const by: Actor = { type: 'member', id: actor.id };
  await deps.teams.setSopChannel(orgId, conversationId);
  await deps.audit.append(
    orgId,
    { actor: by, action: 'teams.sop-channel', entity: { type: 'org', id: orgId }, after: { conversationId } },
    deps.clock.now(),
  );
}
