/**
 * The Slack deliverer: drains the outbox into Slack. Direct messages go to each recipient's DM
 * (conversations.open; a member without a Slack id is found by email and linked); channel posts go
 * to the org's S&OP channel when one is set, else to the recipient directly. Paced to about one
 * message per second per channel; a 429 holds the method for its Retry-After; Slack being down
 * (5xx, network) is retried with backoff; what cannot be delivered is marked dead with the reason,
 * visible to the process owner in the outbox. Each attempt is claimed first (a unique insert), so
 * no two deliverers make the same attempt: a message is sent at most once per outbox entry.
 */
import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Deps } from '../app/ports.js';
import type { OutboxRecord } from '../app/records.js';
import type { Logger } from '../logger.js';
import { renderMessage } from './blockkit.js';
import { linkSlackUser } from './members.js';

export interface DeliveryOptions {
  botToken: string;
  apiUrl?: string | undefined;
  /** The S&OP channel for channel posts (`channel: 'sop'`); recipients get them directly when unset. */
  sopChannel?: string | undefined;
  maxAttempts?: number;
  /** Minimum spacing between two messages to one channel. */
  perChannelMs?: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export interface DrainResult {
  delivered: number;
  retried: number;
  dead: number;
}

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 30 * 60_000;

interface SlackError {
  code?: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
  message?: string;
}

export function slackDeliverer(deps: Deps, opts: DeliveryOptions) {
  const client = new WebClient(opts.botToken, {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl.replace(/\/?$/, '/') } : {}),
    // The deliverer decides about retries itself (it must record them, and never resend blindly).
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const maxAttempts = opts.maxAttempts ?? 6;
  const perChannelMs = opts.perChannelMs ?? 1_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const dmChannel = new Map<string, string>();
  const nextAt = new Map<string, number>();
  /** A method held by a 429 until this instant (ms). */
  const heldUntil = new Map<string, number>();

  async function slackUser(m: OutboxRecord): Promise<string | null> {
    const member = await deps.members.get(m.orgId, m.recipient.memberId);
    if (!member) return null;
    if (member.slackUserId) return member.slackUserId;
    let id: string | undefined;
    try {
      id = (await client.users.lookupByEmail({ email: member.email })).user?.id;
    } catch (err) {
      if ((err as SlackError).data?.error !== 'users_not_found') throw err;
    }
    if (!id) return null;
    await linkSlackUser(deps, member, id);
    return id;
  }

  async function target(m: OutboxRecord): Promise<string | null> {
    if (m.channel === 'sop' && opts.sopChannel) return opts.sopChannel;
    const user = await slackUser(m);
    if (!user) return null;
    const cached = dmChannel.get(user);
    if (cached) return cached;
    const opened = (await client.conversations.open({ users: user })) as WebAPICallResult & {
      channel?: { id?: string };
    };
    const id = opened.channel?.id;
    if (id) dmChannel.set(user, id);
    return id ?? null;
  }

  async function deliverOne(
    m: OutboxRecord,
    now: () => Date,
  ): Promise<'delivered' | 'retried' | 'dead' | 'skipped'> {
    const attempts = m.attempts + 1;
    if (!(await deps.outbox.claim(m.id, attempts, now()))) return 'skipped';
    try {
      const channel = await target(m);
      if (!channel) {
        await deps.outbox.settle(m.id, {
          status: 'dead',
          attempts,
          lastError: `${m.recipient.name} is not in Slack (no Slack id, and no Slack user has their email)`,
        });
        return 'dead';
      }
      const wait = (nextAt.get(channel) ?? 0) - Date.now();
      if (wait > 0) await sleep(wait);
      const sent = (await client.chat.postMessage({
        channel,
        ...renderMessage(m.card),
      })) as WebAPICallResult & {
        ts?: string;
        channel?: string;
      };
      nextAt.set(channel, Date.now() + perChannelMs);
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
        heldUntil.set('chat.postMessage', Date.now() + ms);
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

  return {
    client,
    /** Delivers what is due now; returns what happened. */
    async drain(limit = 500): Promise<DrainResult> {
      const out: DrainResult = { delivered: 0, retried: 0, dead: 0 };
      const now = () => deps.clock.now();
      for (const m of await deps.outbox.due(now(), limit)) {
        if ((heldUntil.get('chat.postMessage') ?? 0) > Date.now()) break;
        const r = await deliverOne(m, now);
        if (r !== 'skipped') out[r]++;
      }
      return out;
    },
  };
}
