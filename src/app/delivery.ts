/**
 * Which chat delivers a person's messages. Every outbox message is routed to exactly one
 * platform, so someone on both Slack and Teams gets each message once; each platform's deliverer
 * takes only the messages routed to it and leaves the others untouched.
 */
import type { Deps } from './ports.js';
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

/** What one drain of a platform's deliverer did. */
export interface DrainResult {
  delivered: number;
  retried: number;
  dead: number;
}

/** An attempt claimed and not settled for this long was interrupted (its deliverer stopped). */
const INTERRUPTED_MS = 10 * 60_000;

/**
 * Claims attempt `attempts` of a message for this deliverer (a unique insert: no two deliverers
 * make the same attempt). When another has it and never settled it, that deliverer stopped
 * mid-send and nobody can tell whether the platform got it: never resent, the message is dead with
 * the reason. Returns 'claimed', 'taken' (another deliverer's) or 'dead'.
 */
export async function claimAttempt(
  deps: Pick<Deps, 'outbox' | 'clock'>,
  messageId: string,
  attempts: number,
  platform: string,
): Promise<'claimed' | 'taken' | 'dead'> {
  const now = deps.clock.now();
  if (await deps.outbox.claim(messageId, attempts, now)) return 'claimed';
  const at = await deps.outbox.claimedAt(messageId, attempts);
  if (!at || now.getTime() - at.getTime() <= INTERRUPTED_MS) return 'taken';
  await deps.outbox.settle(messageId, {
    status: 'dead',
    attempts,
    lastError: `delivery was interrupted at ${at.toISOString()} (Accord stopped while sending); it may or may not have reached ${platform}, so it is not sent again`,
  });
  return 'dead';
}

/** Pass after pass over what is due, while passes find work, for at most `maxMs`. */
export async function drainPasses(
  pass: (limit: number, out: DrainResult) => Promise<number>,
  limit: number,
  maxMs: number,
): Promise<DrainResult> {
  const out: DrainResult = { delivered: 0, retried: 0, dead: 0 };
  const started = Date.now();
  while (Date.now() - started < maxMs) if ((await pass(limit, out)) === 0) break;
  return out;
}
