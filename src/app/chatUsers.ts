/**
 * Who a chat user is in Accord: one use case for every chat platform. A member already linked to
 * this chat id is found at once; otherwise the platform is asked for the person's email (Slack's
 * users.info, Teams' conversation member API) and the member with that email is linked to the chat
 * id, with an audit event. An unknown person is told whom to ask (the process owners) and nothing
 * is written.
 */
import type { Deps } from './ports.js';
import type { MemberRecord } from './records.js';

export type ChatPlatform = 'slack' | 'teams';

export interface ChatIdentity {
  member: MemberRecord | null;
  /** When nobody matched: the process owners, to name in the answer. */
  owners: MemberRecord[];
}

const idField = (platform: ChatPlatform) => (platform === 'slack' ? 'slackUserId' : 'teamsUserId');

/**
 * Links a member to a chat user id (only that field), with an audit event; the member with the
 * link, or as it was when another member of the org already has that chat id.
 */
export async function linkChatUser(
  deps: Pick<Deps, 'members' | 'audit' | 'clock'>,
  member: MemberRecord,
  platform: ChatPlatform,
  userId: string,
  how: 'email' | 'directory' | 'aad-object-id',
): Promise<MemberRecord> {
  if (member[idField(platform)] === userId) return member;
  const linked = await deps.members.linkChatUser(member.orgId, member.id, platform, userId);
  if (!linked) return member;
  await deps.audit.append(
    member.orgId,
    {
      actor: { type: 'system', id: `${platform}-identity` },
      action: 'member.chat-linked',
      entity: { type: 'member', id: member.id },
      after: { platform, userId, matchedBy: how },
    },
    deps.clock.now(),
  );
  return { ...member, [idField(platform)]: userId };
}

/**
 * The member behind `userId` on `platform` in this org: by the stored chat id, else by an alias
 * the platform gives with it (Teams: the person's Entra object id, which an administrator may have
 * entered as their Teams id), else by the email `lookupEmail` finds (called only then; null or a
 * failure: not known). A match by alias or email stores `userId` on the member.
 */
export async function identifyChatUser(
  deps: Pick<Deps, 'members' | 'audit' | 'clock'>,
  orgId: string,
  platform: ChatPlatform,
  userId: string,
  lookupEmail: () => Promise<string | null | undefined>,
  aliases: readonly string[] = [],
): Promise<ChatIdentity> {
  const members = await deps.members.all(orgId);
  const linked = members.find((m) => m[idField(platform)] === userId);
  if (linked) return { member: linked, owners: [] };
  const byAlias = aliases.length
    ? members.find((m) => aliases.includes(m[idField(platform)] ?? ''))
    : undefined;
  if (byAlias)
    return { member: await linkChatUser(deps, byAlias, platform, userId, 'aad-object-id'), owners: [] };
  const email = (await lookupEmail().catch(() => null))?.trim().toLowerCase();
  const byEmail = email ? members.find((m) => m.email.toLowerCase() === email) : undefined;
  if (byEmail) return { member: await linkChatUser(deps, byEmail, platform, userId, 'email'), owners: [] };
  return { member: null, owners: members.filter((m) => m.roles.includes('process-owner')) };
}
