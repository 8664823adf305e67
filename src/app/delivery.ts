/**
 * Which chat delivers a person's messages. Every outbox message is routed to exactly one
 * platform, so someone on both Slack and Teams gets each message once; each platform's deliverer
 * takes only the messages routed to it and leaves the others untouched.
 */
import type { MemberRecord } from './records.js';

export type ChatPlatform = 'slack' | 'teams';

/** Which chats an org has connected (a Slack workspace installed; a Teams tenant mapped). */
export interface ConnectedChats {
  slack: boolean;
  teams: boolean;
}

/**
 * The platform that delivers to `member`; null when the org has no chat connected.
 * `teamsPersonal`: a 1:1 conversation with them is stored (they opened Accord in Teams).
 *
 * - Only one platform connected: that one (Slack finds people by email; Teams says why not).
 * - Both: Teams when only Teams knows them (a stored 1:1 chat or a Teams user id, no Slack id);
 *   their `preferredChat` when both know them, else Slack; Slack when Teams does not know them.
 */
export function chatFor(
  member: Pick<MemberRecord, 'slackUserId' | 'teamsUserId' | 'preferredChat'>,
  connected: ConnectedChats,
  teamsPersonal: boolean,
): ChatPlatform | null {
  if (!connected.slack && !connected.teams) return null;
  if (!connected.teams) return 'slack';
  if (!connected.slack) return 'teams';
  const inTeams = teamsPersonal || !!member.teamsUserId;
  if (!inTeams) return 'slack';
  if (!member.slackUserId) return 'teams';
  return member.preferredChat ?? 'slack';
}
