/**
 * The Slack deliverer: drains the outbox into Slack, each org's messages with its own workspace's
 * token. A direct message is posted to the member's Slack user id (Slack puts it in their DM with
 * Accord, no conversations.open needed); a member without a Slack id is found by email (one
 * users.lookupByEmail each when few are missing, else one pass over users.list) and linked. Channel
 * posts go to the org's S&OP channel when one is set, else to the recipient directly.
 *
 * Pacing, per workspace: at most one message per second per channel, an optional workspace-wide
 * rate for chat.postMessage, and the documented tier of every other method (users.lookupByEmail
 * tier 3, users.list tier 2). A 429 holds the method for its Retry-After, for that workspace only;
 * Slack being down (5xx, network) is retried with backoff; what cannot be delivered is marked dead
 * with the reason, visible to the process owner in the outbox and their Home tab. Each attempt is
 * claimed first (a unique insert), so no two deliverers make the same attempt: a message is sent at
 * most once per outbox entry.
 */
import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Deps } from '../../src/app/ports.js';
import type { MemberRecord, OutboxRecord } from '../../src/app/records.js';
import type { Logger } from '../../src/logger.js';
import { renderMessage } from './blockkit.js';
import type { Workspaces } from './installations.js';
import { linkChatUser } from '../../src/app/chatUsers.js';
import {
  chatFor,
  claimAttempt,
  drainPasses,
  type ConnectedChats,
  type DrainResult,
} from '../../src/app/delivery.js';

export interface DeliveryOptions {
  workspaces: Workspaces;
  /** Which chats each org has connected: with Teams too, only the messages `chatFor` routes to Slack are taken. */
  connected?: (orgId: string) => Promise<ConnectedChats>;
  apiUrl?: string | undefined;
  /** The S&OP channel for channel posts (`channel: 'sop'`); recipients get them directly when unset. */
  sopChannel?: string | undefined;
  maxAttempts?: number;
  /** Minimum spacing between two messages to one channel. */
  perChannelMs?: number;
  /** A workspace-wide cap on chat.postMessage (per minute); unset: only Slack's 429s slow it. */
  postsPerMinute?: number | undefined;
  /** Channels served at once (one message at a time per channel). */
  concurrency?: number;
  /** How long one drain may keep going while messages are due. */
  maxDrainMs?: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 30 * 60_000;
/** Slack's documented tiers, as the least calls per minute each allows. */
const TIER_PER_MINUTE: Record<string, number> = {
  'users.lookupByEmail': 50, // tier 3
  'users.list': 20, // tier 2
};
/** Up to this many unknown recipients in one drain are looked up one by one; more: users.list. */
const LOOKUPS_BEFORE_LIST = 20;
const DIRECTORY_TTL_MS = 10 * 60_000;
/** A 429 hold shorter than this is waited out within the drain; a longer one ends it. */
const WAIT_OUT_MS = 30_000;

interface SlackError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
  message?: string;
}

interface Pace {
  take(sleep: (ms: number) => Promise<void>): Promise<void>;
}

/** Evenly spaced calls (a steady rate): `take` waits until the next slot is free. */
class Spacing implements Pace {
  private next = 0;
  constructor(private readonly gapMs: number) {}
  async take(sleep: (ms: number) => Promise<void>): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.gapMs;
    if (at > now) await sleep(at - now);
  }
}

/** At most `n` calls in any minute (a tier: bursts welcome, the minute's count kept). */
class Window implements Pace {
  private readonly times: number[] = [];
  constructor(private readonly n: number) {}
  async take(sleep: (ms: number) => Promise<void>): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.times.length && now - this.times[0]! >= 60_000) this.times.shift();
      if (this.times.length < this.n) {
        this.times.push(now);
        return;
      }
      await sleep(this.times[0]! + 60_000 - now);
    }
  }
}

interface Workspace {
  key: string;
  client: WebClient;
  /** Method -> held until this instant (ms), after a 429. */
  held: Map<string, number>;
  spacing: Map<string, Pace>;
  /** email -> Slack user id, from users.list, and when it was read. */
  directory: { at: number; byEmail: Map<string, string> } | null;
}

export function slackDeliverer(deps: Deps, opts: DeliveryOptions) {
  const maxAttempts = opts.maxAttempts ?? 6;
  const perChannelMs = opts.perChannelMs ?? 1_000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const maxDrainMs = opts.maxDrainMs ?? 50_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const spaces = new Map<string, Workspace>();

  function workspace(key: string, token: string): Workspace {
    let w = spaces.get(key);
    if (!w || w.client.token !== token) {
      w = {
        key,
        client: new WebClient(token, {
          ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.replace(/\/?$/, '/') } : {}),
          // The deliverer decides about retries itself (it must record them, and never resend blindly).
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
        }),
        held: new Map(),
        spacing: new Map(),
        directory: null,
      };
      if (opts.postsPerMinute) w.spacing.set('chat.postMessage', new Spacing(60_000 / opts.postsPerMinute));
      for (const [method, perMinute] of Object.entries(TIER_PER_MINUTE))
        w.spacing.set(method, new Window(perMinute));
      spaces.set(key, w);
    }
    return w;
  }

  /** Waits out a 429 hold and the method's pacing; false when the hold is too long to wait. */
  async function slot(w: Workspace, method: string): Promise<boolean> {
    const wait = (w.held.get(method) ?? 0) - Date.now();
    if (wait > WAIT_OUT_MS) return false;
    if (wait > 0) await sleep(wait);
    await w.spacing.get(method)?.take(sleep);
    return true;
  }

  /**
   * Finds the Slack ids of the members among `wanted` who have none yet, by their email, and sets
   * them on those records; returns the promise of storing them.
   */
  async function linkByEmail(w: Workspace, wanted: MemberRecord[]): Promise<{ stored: Promise<void> }> {
    const missing = wanted.filter((m) => !m.slackUserId);
    if (!missing.length) return { stored: Promise.resolve() };
    const found = new Map<string, string>();
    if (missing.length <= LOOKUPS_BEFORE_LIST && !w.directory) {
      for (const m of missing) {
        if (!(await slot(w, 'users.lookupByEmail'))) return { stored: Promise.resolve() };
        try {
          const id = (await w.client.users.lookupByEmail({ email: m.email })).user?.id;
          if (id) found.set(m.id, id);
        } catch (err) {
          if ((err as SlackError).data?.error !== 'users_not_found') throw err;
        }
      }
    } else {
      if (!w.directory || Date.now() - w.directory.at > DIRECTORY_TTL_MS) {
        const byEmail = new Map<string, string>();
        let cursor: string | undefined;
        do {
          if (!(await slot(w, 'users.list'))) return { stored: Promise.resolve() };
          const page = (await w.client.users.list({
            limit: 200,
            ...(cursor ? { cursor } : {}),
          })) as WebAPICallResult & {
            members?: { id?: string; deleted?: boolean; is_bot?: boolean; profile?: { email?: string } }[];
            response_metadata?: { next_cursor?: string };
          };
          for (const u of page.members ?? [])
            if (u.id && !u.deleted && !u.is_bot && u.profile?.email)
              byEmail.set(u.profile.email.toLowerCase(), u.id);
          cursor = page.response_metadata?.next_cursor || undefined;
        } while (cursor);
        w.directory = { at: Date.now(), byEmail };
      }
      for (const m of missing) {
        const id = w.directory.byEmail.get(m.email.toLowerCase());
        if (id) found.set(m.id, id);
      }
    }
    // Known at once for delivery; stored while the messages go out (a first cycle may link a
    // thousand people, and Slack's pace leaves the database time to keep up).
    const toLink = missing.filter((m) => found.has(m.id));
    for (const m of toLink) m.slackUserId = found.get(m.id)!;
    // One at a time: each link is an audit event, and the org's audit chain takes one writer well.
    const stored = (async () => {
      for (const m of toLink)
        await linkChatUser(deps, { ...m, slackUserId: null }, 'slack', m.slackUserId!, 'directory');
    })();
    stored.catch(() => undefined); // reported when the pass awaits it
    return { stored };
  }

  async function deliverOne(
    w: Workspace,
    m: OutboxRecord,
    member: MemberRecord | undefined,
    channelGap: { next: number },
  ): Promise<'delivered' | 'retried' | 'dead' | 'skipped' | 'waiting'> {
    const now = () => deps.clock.now();
    const attempts = m.attempts + 1;
    let channel = m.channel === 'sop' && opts.sopChannel ? opts.sopChannel : member?.slackUserId;
    // An answer in a thread goes under its first message, once that is delivered (it waits till then).
    let threadTs: string | undefined;
    if (m.thread) {
      const parent = await deps.outbox.byKey(m.orgId, m.thread);
      if (parent?.status === 'pending') return 'waiting'; // the next pass, after its parent
      if (parent?.status === 'delivered' && parent.delivery?.['ts']) {
        threadTs = parent.delivery['ts'];
        channel = parent.delivery['channel'] ?? channel;
      }
    }
    if (!(await slot(w, 'chat.postMessage'))) return 'skipped';
    const claimed = await claimAttempt(deps, m.id, attempts, 'Slack');
    if (claimed !== 'claimed') return claimed === 'dead' ? 'dead' : 'skipped';
    try {
      if (!channel) {
        await deps.outbox.settle(m.id, {
          status: 'dead',
          attempts,
          lastError: `${m.recipient.name} is not in Slack (no Slack id, and no Slack user has their email)`,
        });
        return 'dead';
      }
      const wait = channelGap.next - Date.now();
      if (wait > 0) await sleep(wait);
      const sent = (await w.client.chat.postMessage({
        channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...renderMessage(m.card),
      })) as WebAPICallResult & {
        ts?: string;
        channel?: string;
      };
      channelGap.next = Date.now() + perChannelMs;
      await deps.outbox.settle(m.id, {
        status: 'delivered',
        attempts,
        delivery: { channel: sent.channel ?? channel, ts: sent.ts ?? '' },
      });
      return 'delivered';
    } catch (raw) {
      const err = raw as SlackError;
      if (err.code === 'slack_webapi_rate_limited_error') {
        const ms = Math.max(1, err.retryAfter ?? 30) * 1000;
        w.held.set('chat.postMessage', Date.now() + ms);
        await deps.outbox.settle(m.id, {
          status: 'pending',
          attempts,
          notBefore: new Date(now().getTime() + ms),
          lastError: `rate limited by Slack: retry after ${ms / 1000} s`,
        });
        return 'retried';
      }
      const transient =
        err.code === 'slack_webapi_http_error' ||
        err.code === 'slack_webapi_request_error' ||
        (err.statusCode !== undefined && err.statusCode >= 500);
      if (transient && attempts < maxAttempts) {
        const ms = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
        await deps.outbox.settle(m.id, {
          status: 'pending',
          attempts,
          notBefore: new Date(now().getTime() + ms),
          lastError: `Slack did not answer (${err.message ?? err.code}); retry in ${ms / 1000} s`,
        });
        return 'retried';
      }
      await deps.outbox.settle(m.id, {
        status: 'dead',
        attempts,
        lastError: `Slack refused it: ${err.data?.error ?? err.message ?? String(raw)}`,
      });
      opts.logger.warn({ outboxId: m.id, error: err.data?.error ?? err.code }, 'an outbox message is dead');
      return 'dead';
    }
  }

  /** One pass over what is due now: grouped by workspace and channel, channels served in parallel. */
  async function pass(limit: number, out: DrainResult): Promise<number> {
    const due = await deps.outbox.due(deps.clock.now(), limit);
    if (!due.length) return 0;
    const byOrg = new Map<string, OutboxRecord[]>();
    for (const m of due) {
      const list = byOrg.get(m.orgId);
      if (list) list.push(m);
      else byOrg.set(m.orgId, [m]);
    }
    const lanes: { w: Workspace; members: Map<string, MemberRecord>; messages: OutboxRecord[] }[] = [];
    const linking: Promise<void>[] = [];
    for (const [orgId, all] of byOrg) {
      const token = await opts.workspaces.tokenFor(orgId);
      if (!token) continue; // this org has no Slack workspace: another deliverer's business
      const w = workspace(token.workspace, token.token);
      const members = new Map((await deps.members.all(orgId)).map((x) => [x.id, x]));
      // With Teams connected too, each person's messages go to one platform only (chatFor).
      const connected = (await opts.connected?.(orgId)) ?? { slack: true, teams: false };
      let messages = all;
      if (connected.teams) {
        const inTeams = new Set((await deps.teams.personalForAll(orgId)).map((c) => c.memberId));
        messages = all.filter((m) => {
          const member = members.get(m.recipient.memberId);
          return !member || chatFor(member, connected, inTeams.has(member.id)) === 'slack';
        });
        if (!messages.length) continue;
      }
      const direct = messages.filter((m) => !(m.channel === 'sop' && opts.sopChannel));
      const wanted = [...new Set(direct.map((m) => m.recipient.memberId))]
        .map((id) => members.get(id))
        .filter((x): x is MemberRecord => !!x);
      try {
        linking.push((await linkByEmail(w, wanted)).stored);
      } catch (err) {
        // Slack down or refusing lookups: those members wait for the next drain.
        opts.logger.warn(
          { error: (err as SlackError).data?.error ?? (err as SlackError).code },
          'Slack user lookup failed',
        );
        for (const m of wanted) if (!m.slackUserId) members.delete(m.id);
      }
      // One lane per channel: the S&OP channel, or each person's DM.
      const lanesByKey = new Map<string, OutboxRecord[]>();
      const wantedIds = new Set(wanted.map((x) => x.id));
      for (const m of messages) {
        const toChannel = m.channel === 'sop' && !!opts.sopChannel;
        // A recipient whose lookup failed waits for the next drain.
        if (!toChannel && !members.has(m.recipient.memberId) && wantedIds.has(m.recipient.memberId)) continue;
        const key = toChannel ? `sop:${orgId}` : m.recipient.memberId;
        const lane = lanesByKey.get(key);
        if (lane) lane.push(m);
        else lanesByKey.set(key, [m]);
      }
      for (const msgs of lanesByKey.values()) lanes.push({ w, members, messages: msgs });
    }
    let next = 0;
    let handled = 0;
    const worker = async () => {
      while (next < lanes.length) {
        const lane = lanes[next++]!;
        const gap = { next: 0 };
        for (const m of lane.messages) {
          const r = await deliverOne(lane.w, m, lane.members.get(m.recipient.memberId), gap);
          if (r === 'skipped') break;
          if (r === 'waiting') continue;
          out[r]++;
          handled++;
        }
      }
    };
    const stored = Promise.allSettled(linking);
    await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
    for (const r of await stored)
      if (r.status === 'rejected') opts.logger.warn({ err: r.reason }, 'a Slack id could not be stored');
    return handled;
  }

  return {
    /** Delivers what is due now, pass after pass while there is some (within maxDrainMs). */
    drain: (limit = 500): Promise<DrainResult> => drainPasses(pass, limit, maxDrainMs),
  };
}
