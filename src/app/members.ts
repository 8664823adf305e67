/** Use cases: addMember, updateMember. */
import { DomainError } from '../domain/errors.js';
import { DEFAULT_QUIET_HOURS, type QuietHours, type Role } from '../domain/people.js';
import type { Deps, NewMember } from './ports.js';
import type { Actor, MemberRecord } from './records.js';
import { isDuplicateKeyError } from './errors.js';

export interface MemberInput {
  name: string;
  email: string;
  timezone?: string;
  roles: Role[];
  functions?: string[];
  quietHours?: QuietHours;
  delegation?: { of: string; authority: boolean } | null;
  slackUserId?: string | null;
  teamsUserId?: string | null;
  /** For someone on both Slack and Teams: where their messages go (unset: Slack). */
  preferredChat?: 'slack' | 'teams' | null;
}

type MemberDeps = Pick<Deps, 'orgs' | 'members' | 'audit' | 'clock'>;

/** Checks a member against its org; returns the record to store, or throws field-level problems. */
async function validMember(
  deps: MemberDeps,
  orgId: string,
  input: MemberInput,
  self: string | null,
): Promise<NewMember> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const fields: Record<string, string> = {};
  const functions = [...new Set(input.functions ?? [])];
  functions.forEach((f, i) => {
    if (!org.functions.includes(f)) {
      fields[`functions.${i}`] = `unknown function "${f}"; this org has ${org.functions.join(', ')}`;
    }
  });
  if (input.roles.includes('functional-leader') && functions.length === 0) {
    fields['functions'] = 'a functional leader leads at least one function';
  }
  if (!input.roles.includes('functional-leader') && functions.length > 0) {
    fields['functions'] = 'only a functional leader leads functions; add the functional-leader role';
  }
  if (input.delegation) {
    const principal = await deps.members.get(orgId, input.delegation.of);
    if (!principal) fields['delegation.of'] = 'no member with this id in this org';
    else if (principal.id === self) fields['delegation.of'] = 'a member cannot be their own delegate';
    else if (principal.delegation) {
      fields['delegation.of'] = `${principal.name} is a delegate; name the person they stand in for`;
    }
  }
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the member is not valid', fields);
  return {
    orgId,
    name: input.name,
    email: input.email.toLowerCase(),
    timezone: input.timezone ?? org.timezone,
    roles: [...new Set(input.roles)],
    functions,
    quietHours: input.quietHours ?? DEFAULT_QUIET_HOURS,
    delegation: input.delegation ?? null,
    slackUserId: input.slackUserId ?? null,
    teamsUserId: input.teamsUserId ?? null,
    preferredChat: input.preferredChat ?? null,
  };
}

function duplicate(err: unknown): unknown {
  return isDuplicateKeyError(err)
    ? new DomainError('duplicate', 'a member with this email or chat identity already exists in this org', {
        email: 'already used by another member of this org (or the Slack/Teams id is)',
      })
    : err;
}

export async function addMember(
  deps: MemberDeps,
  orgId: string,
  input: MemberInput,
  actor: Actor,
): Promise<MemberRecord> {
  const record = await validMember(deps, orgId, input, null);
  const now = deps.clock.now();
  let member: MemberRecord;
  try {
    member = await deps.members.insert(record, now);
  } catch (err) {
    throw duplicate(err);
  }
  await deps.audit.append(
    orgId,
    { actor, action: 'member.added', entity: { type: 'member', id: member.id }, after: member },
    now,
  );
  return member;
}

/**
 * Changes a member: the fields given replace the stored ones (`null` clears an identity or a
 * delegation). Who owes which input is settled again when each later step opens.
 */
export async function updateMember(
  deps: MemberDeps,
  orgId: string,
  memberId: string,
  patch: Partial<MemberInput>,
  actor: Actor,
): Promise<MemberRecord> {
  const before = await deps.members.get(orgId, memberId);
  if (!before) throw new DomainError('not_found', 'member not found');
  const roles = patch.roles ?? before.roles;
  const merged: MemberInput = {
    name: patch.name ?? before.name,
    email: patch.email ?? before.email,
    timezone: patch.timezone ?? before.timezone,
    roles,
    // Dropping the functional-leader role drops the functions led, unless new ones are given.
    functions: patch.functions ?? (roles.includes('functional-leader') ? before.functions : []),
    quietHours: patch.quietHours ?? before.quietHours,
    delegation: patch.delegation === undefined ? before.delegation : patch.delegation,
    slackUserId: patch.slackUserId === undefined ? before.slackUserId : patch.slackUserId,
    teamsUserId: patch.teamsUserId === undefined ? before.teamsUserId : patch.teamsUserId,
    preferredChat: patch.preferredChat === undefined ? (before.preferredChat ?? null) : patch.preferredChat,
  };
  const record = await validMember(deps, orgId, merged, memberId);
  let after: MemberRecord | null;
  try {
    after = await deps.members.update(orgId, memberId, record);
  } catch (err) {
    throw duplicate(err);
  }
  if (!after) throw new DomainError('not_found', 'member not found');
  await deps.audit.append(
    orgId,
    { actor, action: 'member.updated', entity: { type: 'member', id: memberId }, before, after },
    deps.clock.now(),
  );
  return after;
}
