/** Linking an Accord member to their Slack user, once Slack has told us who they are. */
import type { Deps } from '../app/ports.js';
import type { MemberRecord } from '../app/records.js';

/** Stores the member's Slack id (the rest of the member unchanged); returns the member as stored. */
export async function linkSlackUser(
  deps: Pick<Deps, 'members'>,
  member: MemberRecord,
  slackUserId: string,
): Promise<MemberRecord> {
  const { id, orgId, createdAt: _created, ...rest } = member;
  void _created;
  return (await deps.members.update(orgId, id, { ...rest, orgId, slackUserId })) ?? member;
}
