/** Linking an Accord member to their Slack user, once Slack has told us who they are. */
import type { Deps } from '../app/ports.js';
import type { MemberRecord } from '../app/records.js';

/** Stores the member's Slack id (only that field); returns the member with it, or as it was when
 * another member of the org already has that Slack id. */
export async function linkSlackUser(
  deps: Pick<Deps, 'members'>,
  member: MemberRecord,
  slackUserId: string,
): Promise<MemberRecord> {
  const linked = await deps.members.linkChatUser(member.orgId, member.id, 'slack', slackUserId);
  return linked ? { ...member, slackUserId } : member;
}
