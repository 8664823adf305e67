/** Use case: addMember. */
import { DomainError } from '../domain/errors.js';
import { DEFAULT_QUIET_HOURS, type QuietHours, type Role } from '../domain/people.js';
import type { Deps } from './ports.js';
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
}

export async function addMember(
  deps: Pick<Deps, 'orgs' | 'members' | 'audit' | 'clock'>,
  orgId: string,
  input: MemberInput,
  actor: Actor,
): Promise<MemberRecord> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const fields: Record<string, string> = {};
  const functions = [...new Set(input.functions ?? [])];
  functions.forEach((f, i) => {
    if (!org.functions.includes(f))
      fields[`functions.${i}`] = `unknown function "${f}"; this org has ${org.functions.join(', ')}`;
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
  }
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the member is not valid', fields);

  const now = deps.clock.now();
  try {
    const member = await deps.members.insert(
      {
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
      },
      now,
    );
    await deps.audit.append(
      orgId,
      { actor, action: 'member.added', entity: { type: 'member', id: member.id }, after: member },
      now,
    );
    return member;
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      throw new DomainError(
        'duplicate',
        'a member with this email or chat identity already exists in this org',
        {
          email: 'already used by another member of this org (or the Slack/Teams id is)',
        },
      );
    }
    throw err;
  }
}
