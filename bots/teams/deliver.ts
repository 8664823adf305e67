/**
 * The Teams deliverer: drains the outbox into Microsoft Teams, the messages `chatFor` routes to
 * Teams and no others (a person on both Slack and Teams gets each message once; what Slack
 * delivers is left untouched here). A direct message goes to the person's stored 1:1 chat with
 * Accord; when only their Teams user id is known, the 1:1 chat is created first and stored. A
 * channel post (`channel: 'sop'`) goes to the tenant's S&OP channel when one is set, else to the
 * recipient directly. Every conversation is reached through the serviceUrl it was stored with.
 *
 * Pacing, as Teams publishes it: per conversation 7 requests in 1 s, 8 in 2 s, 60 in 30 s and
 * 1,800 in an hour; per tenant about 30 requests a second (creating a chat included). A 429
 * holds the conversation and the tenant for its Retry-After; 412, 429, 5xx and network failures
 * are retried with exponential backoff and jitter (waits up to WAIT_OUT_MS within the drain,
 * longer ones through the message's notBefore); any other refusal (403, 404, 413 ...) is dead
 * with Teams' reason, and so is someone Teams cannot reach. Each attempt is claimed first (a
 * unique insert), so no two deliverers make the same attempt: a message is sent at most once per
 * attempt, and an attempt interrupted mid-send is never repeated.
 *
 * The pacing is checked and recorded the moment a request leaves (after the claim), so waiting on
 * the database never bunches requests into a burst Teams would refuse. The deliverer's own writes
 * (claims, outcomes) take turns (`writeConcurrency`, default 1): the development store (FerretDB
 * on SQLite) serves one writer at a time, and its update of an outbox message reads the whole
 * collection, so writers at once only wait on each other (and may fail with SQLITE_BUSY).
 */
import { Client as ApiClient, type Account } from '@microsoft/teams.api';
import { cardSummary } from './adaptive.js';
import {
  chatFor,
  claimAttempt,
  drainPasses,
  type ConnectedChats,
  type DrainResult,
} from '../../src/app/delivery.js';
import type { Deps } from '../../src/app/ports.js';
import type { MemberRecord, OutboxRecord, TeamsConversationRecord } from '../../src/app/records.js';
import type { Card } from '../../src/cards/card.js';
import type { Logger } from '../../src/logger.js';

/** The SDK's http client (`app.api.http`: it carries the bot's token), as the API client takes it. */
export type HttpClient = ApiClient['http'];

/** A message activity with one Adaptive Card. */
export interface TeamsActivity {
  type: 'message';
  /** What notifications and clients that cannot show the card show. */
  summary: string;
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; content: object }[];
}

/** The Bot Framework connector at one serviceUrl: what the deliverer needs of it. */
export interface TeamsConnector {
  /** Posts an activity into a conversation; the activity's id. */
  send(conversationId: string, activity: TeamsActivity): Promise<{ id: string }>;
  /** Opens (or finds) the bot's 1:1 chat with a person (the app must be installed for them). */
  createPersonal(tenantId: string, teamsUserId: string): Promise<{ id: string }>;
}

/** A failed connector call: the HTTP status (null: no answer), Retry-After, Teams' error code. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** Retry-After in ms: delta seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | null {
  const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : null;
  if (!text?.trim()) return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** An error from the SDK's http client (axios) as a ConnectorError; anything else: no answer. */
export function connectorError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as {
    response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
    code?: string;
    message?: string;
  };
  const status = e?.response?.status;
  if (typeof status === 'number') {
    const data = e.response?.data as
      { error?: { code?: string; message?: string }; message?: string } | undefined;
    const code = typeof data === 'object' && data ? (data.error?.code ?? null) : null;
    const detail = typeof data === 'object' && data ? (data.error?.message ?? data.message ?? '') : '';
    const text = `${status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}`.slice(0, 300);
    return new ConnectorError(text, status, parseRetryAfter(e.response?.headers?.['retry-after']), code);
  }
  const code = typeof e?.code === 'string' ? e.code : null;
  return new ConnectorError(code ?? e?.message ?? String(err), null, null, code);
}

/**
 * The real connector, on the Teams SDK: `new Client(serviceUrl, http)` per serviceUrl, `http`
 * being the app's (`app.api.http`, which carries the bot's token). `botId`: the app's id.
 */
export function sdkConnector(
  http: HttpClient,
  opts: { botId: string; timeoutMs?: number },
): (serviceUrl: string) => TeamsConnector {
  // A send that hangs would hold its lane forever.
  const client = http.clone({ timeout: opts.timeoutMs ?? 30_000 });
  return (serviceUrl) => {
    const api = new ApiClient(serviceUrl.replace(/\/+$/, ''), client);
    return {
      async send(conversationId, activity) {
        try {
          // The activity is sent as it is (a plain message activity with its card).
          const res = await api.conversations.createActivity(conversationId, activity as never);
          return { id: res.id };
        } catch (err) {
          throw connectorError(err);
        }
      },
      async createPersonal(tenantId, teamsUserId) {
        const member: Account = { id: teamsUserId, role: 'user' };
        try {
          const res = await api.conversations.create({
            isGroup: false,
            bot: { id: opts.botId },
            members: [member],
            tenantId,
            channelData: { tenant: { id: tenantId } },
          });
          return { id: res.id };
        } catch (err) {
          throw connectorError(err);
        }
      },
    };
  };
}

export interface TeamsDeliveryOptions {
  /** Card -> Adaptive Card content (the Teams renderer). */
  render: (card: Card) => object;
  connectorFor: (serviceUrl: string) => TeamsConnector;
  /** Which chats the org has connected (routing: `chatFor`). */
  connected: (orgId: string) => Promise<ConnectedChats>;
  logger: Logger;
  /** Where 1:1 chats are created when the org has no stored conversation to take a serviceUrl from. */
  serviceUrl?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts before a message Teams keeps failing (5xx, 412, no answer) is dead; 429s never kill. */
  maxAttempts?: number;
  /** How long one drain may keep going while messages are due. */
  maxDrainMs?: number;
  /** Conversations served at once (one message at a time per conversation). */
  concurrency?: number;
  /** Requests per second to one tenant (Teams: about 30 per app per tenant). */
  perTenantPerSecond?: number;
  /** The first retry's backoff (doubling, with jitter). */
  backoffBaseMs?: number;
  /** Database writes (claims, outcomes) at once (default 1: SQLite takes one writer at a time). */
  writeConcurrency?: number;
}

const DEFAULT_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
const BACKOFF_MAX_MS = 30 * 60_000;
/** A wait (backoff, 429 hold) up to this long happens within the drain; a longer one ends the lane. */
const WAIT_OUT_MS = 10_000;
/** Teams' per-bot limits for one conversation: [requests, window ms]. */
const CONVERSATION_WINDOWS: readonly (readonly [number, number])[] = [
  [7, 1_000],
  [8, 2_000],
  [60, 30_000],
  [1_800, 3_600_000],
];
/**
 * Added to every window: Teams counts arrivals, which come after departures by a varying delay.
 * A tenant's margin doubles with each 429 (up to MAX_MARGIN_MS) and shrinks back by
 * MARGIN_STEP_MS every MARGIN_EVERY requests that went through.
 */
const MARGIN_MS = 20;
const MAX_MARGIN_MS = 320;
const MARGIN_STEP_MS = 10;
const MARGIN_EVERY = 300;

/** One request in a pacing log: when it counts as having reached Teams. */
interface Sent {
  at: number;
}

/**
 * A sliding log of requests checked against several windows (n requests in any w ms). A request
 * is logged the moment it leaves (checked and recorded with no await in between, so waiting on
 * the database never bunches requests), then moved to when it most likely reached Teams (halfway
 * through its round trip) once the answer is back: Teams counts arrivals, not departures.
 */
class Windows {
  private readonly log: Sent[] = [];
  private readonly longest: number;
  constructor(private readonly windows: readonly (readonly [number, number])[]) {
    this.longest = Math.max(...windows.map(([, w]) => w)) + MAX_MARGIN_MS;
  }
  private earliest(from: number, margin: number): number {
    while (this.log.length && from - this.log[0]!.at >= this.longest) this.log.shift();
    let at = from;
    for (const [n, w] of this.windows) {
      const nth = this.log[this.log.length - n];
      if (nth !== undefined) at = Math.max(at, nth.at + w + margin);
    }
    return at;
  }
  /** ms until one more request fits every window (each widened by `margin`). */
  delay(now: number, margin: number): number {
    return this.earliest(now, margin) - now;
  }
  record(at: number): Sent {
    const sent = { at };
    this.log.push(sent);
    return sent;
  }
  /** Moves a logged request later (the log stays in order). */
  move(sent: Sent, at: number): void {
    if (at <= sent.at) return;
    sent.at = at;
    let i = this.log.lastIndexOf(sent);
    while (i >= 0 && i + 1 < this.log.length && this.log[i + 1]!.at < at) {
      this.log[i] = this.log[i + 1]!;
      this.log[++i] = sent;
    }
  }
  /** Idle since `before` (nothing logged after it). */
  idleSince(before: number): boolean {
    return (this.log.at(-1)?.at ?? 0) < before;
  }
}

/** At most n tasks at once, the others wait in turn. */
class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.n) this.active++;
    else await new Promise<void>((r) => this.waiting.push(r)); // handed its place by a finishing task
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** A request that took a slot: when it left, and its entries in the pacing logs. */
interface Departure {
  at: number;
  logged: [Windows, Sent][];
}

interface Paced {
  pace: Windows;
  /** A 429 holds this until then (Date.now() ms). */
  heldUntil: number;
}

interface TenantPaced extends Paced {
  /** ms added to every window of this tenant and its conversations (see MARGIN_MS). */
  margin: number;
  /** Requests that went through since the margin last changed. */
  fine: number;
}

type Target =
  | {
      kind: 'conversation';
      conv: Pick<TeamsConversationRecord, 'conversationId' | 'serviceUrl' | 'tenantId'>;
    }
  | { kind: 'create'; member: MemberRecord & { teamsUserId: string }; serviceUrl: string }
  | { kind: 'none' };

interface Lane {
  orgId: string;
  tenantId: string;
  target: Target;
  paced: Paced;
  messages: OutboxRecord[];
  /** The org's S&OP channel conversation (threads are answered there), if it has one. */
  sopConversationId: string | null;
}

/** ms as seconds for people: 1, 0.3, 120. */
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

/** Someone not (or no longer) among the org's members: routed as a person nobody linked. */
const NOBODY = { slackUserId: null, teamsUserId: null, preferredChat: null };

export function teamsDeliverer(deps: Deps, opts: TeamsDeliveryOptions) {
  const maxAttempts = opts.maxAttempts ?? 10;
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const maxDrainMs = opts.maxDrainMs ?? 50_000;
  const backoffBase = opts.backoffBaseMs ?? 2_000;
  const tenantWindows = [[opts.perTenantPerSecond ?? 30, 1_000]] as const;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = () => deps.clock.now();
  const tenants = new Map<string, TenantPaced>();
  const conversations = new Map<string, Paced>();
  const connectors = new Map<string, TeamsConnector>();
  // The deliverer's writes (claims, outcomes) take turns: on the development store (SQLite) writers
  // at once wait on its lock and run slower together than one after another.
  const writes = new Gate(Math.max(1, opts.writeConcurrency ?? 1));
  const write = <T>(task: () => Promise<T>) => writes.run(task);

  const tenantPace = (id: string) => {
    let t = tenants.get(id);
    if (!t)
      tenants.set(id, (t = { pace: new Windows(tenantWindows), heldUntil: 0, margin: MARGIN_MS, fine: 0 }));
    return t;
  };
  const conversationPace = (key: string) => {
    let c = conversations.get(key);
    if (!c) conversations.set(key, (c = { pace: new Windows(CONVERSATION_WINDOWS), heldUntil: 0 }));
    return c;
  };
  const connector = (serviceUrl: string) => {
    let c = connectors.get(serviceUrl);
    if (!c) connectors.set(serviceUrl, (c = opts.connectorFor(serviceUrl)));
    return c;
  };
  /** Forgets the pacing of conversations idle for longer than their longest window. */
  const forgetIdle = () => {
    const before = Date.now() - 3_600_000 - MAX_MARGIN_MS;
    for (const [k, c] of conversations)
      if (c.heldUntil < Date.now() && c.pace.idleSince(before)) conversations.delete(k);
  };

  /** How long until a request may go to this conversation of this tenant (holds and windows). */
  const waitFor = (conv: Paced, tenant: TenantPaced, at = Date.now()) =>
    Math.max(
      conv.heldUntil - at,
      tenant.heldUntil - at,
      conv.pace.delay(at, tenant.margin),
      tenant.pace.delay(at, tenant.margin),
      0,
    );

  /**
   * Waits until a request may go to the conversation (429 holds, its windows and the tenant's)
   * and records it as gone: call it right before sending. False when the wait is too long for
   * this drain (e.g. a channel's 60 posts in 30 s, a long Retry-After).
   */
  async function slot(conv: Paced, tenant: TenantPaced): Promise<Departure | null> {
    for (;;) {
      const at = Date.now();
      const wait = waitFor(conv, tenant, at);
      if (wait > WAIT_OUT_MS) return null;
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      return {
        at,
        logged: [
          [conv.pace, conv.pace.record(at)],
          [tenant.pace, tenant.pace.record(at)],
        ],
      };
    }
  }

  /** Runs a request that took a slot; once answered, it counts from halfway through its round trip. */
  async function request<T>(departure: Departure, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } finally {
      const arrived = departure.at + (Date.now() - departure.at) / 2;
      for (const [pace, sent] of departure.logged) pace.move(sent, arrived);
    }
  }

  /** Settles a claimed attempt that could not go out within this drain (a rate limit): later. */
  async function deferred(
    m: OutboxRecord,
    attempts: number,
    conv: Paced,
    tenant: TenantPaced,
    out: DrainResult,
  ) {
    const wait = waitFor(conv, tenant);
    await write(() =>
      deps.outbox.settle(m.id, {
        status: 'pending',
        attempts,
        notBefore: new Date(now().getTime() + wait),
        lastError: `rate limited by Teams; retry in ${seconds(wait)} s`,
      }),
    );
    out.retried++;
  }

  /** Exponential backoff with jitter (half fixed, half random) for attempt n (1, 2, ...). */
  const backoff = (n: number) => {
    const ms = Math.min(BACKOFF_MAX_MS, backoffBase * 2 ** (n - 1));
    return Math.round(ms / 2 + (Math.random() * ms) / 2);
  };

  const activityOf = (card: Card): TeamsActivity => ({
    type: 'message',
    summary: cardSummary(card),
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: opts.render(card) }],
  });

  /** Claims attempt n; when another deliverer has it, settles it dead if that one was interrupted. */
  async function claim(m: OutboxRecord, attempts: number, out: DrainResult): Promise<boolean> {
    const claimed = await write(() => claimAttempt(deps, m.id, attempts, 'Teams'));
    if (claimed === 'dead') out.dead++;
    return claimed === 'claimed';
  }

  /** Delivers one message (retrying within the drain when the wait is short); false: stop the lane. */
  async function deliverOne(lane: Lane, m: OutboxRecord, out: DrainResult): Promise<boolean> {
    const tenant = tenantPace(lane.tenantId);
    const dead = async (attempts: number, lastError: string) => {
      await write(() => deps.outbox.settle(m.id, { status: 'dead', attempts, lastError }));
      out.dead++;
    };
    let attempts = m.attempts;
    for (;;) {
      attempts++;
      const target = lane.target;
      if (target.kind === 'none') {
        if (await claim(m, attempts, out))
          await dead(
            attempts,
            `${m.recipient.name} is not reachable in Teams: they have not installed Accord (ask them to open Accord in Teams once)`,
          );
        return true;
      }
      let activity: TeamsActivity;
      try {
        activity = activityOf(m.card);
      } catch (err) {
        if (await claim(m, attempts, out))
          await dead(attempts, `the card could not be rendered for Teams: ${(err as Error).message}`);
        return true;
      }
      // Held for longer than this drain may wait: left as it is, for a later drain.
      if (waitFor(lane.paced, tenant) > WAIT_OUT_MS) return false;
      // An answer in a channel thread goes under its first message, once that is delivered (a
      // personal chat has no threads: it follows in the chat).
      let threadOf: string | null = null;
      if (
        m.thread &&
        target.kind === 'conversation' &&
        target.conv.conversationId === lane.sopConversationId
      ) {
        const parent = await deps.outbox.byKey(m.orgId, m.thread);
        if (parent?.status === 'pending') return true; // the next pass, after its parent
        if (parent?.status === 'delivered' && parent.delivery?.['activityId'])
          threadOf = parent.delivery['activityId'];
      }
      if (!(await claim(m, attempts, out))) return false;
      let opening = false;
      try {
        let conv = target.kind === 'conversation' ? target.conv : null;
        if (target.kind === 'create') {
          const opened = await slot(lane.paced, tenant);
          if (!opened) {
            await deferred(m, attempts, lane.paced, tenant, out);
            return false;
          }
          opening = true;
          const created = await request(opened, () =>
            connector(target.serviceUrl).createPersonal(lane.tenantId, target.member.teamsUserId),
          );
          opening = false;
          const stored = await write(() =>
            deps.teams.saveConversation(
              {
                orgId: lane.orgId,
                tenantId: lane.tenantId,
                kind: 'personal',
                conversationId: created.id,
                serviceUrl: target.serviceUrl,
                teamsUserId: target.member.teamsUserId,
                aadObjectId: null,
                memberId: target.member.id,
                teamId: null,
                name: target.member.name,
              },
              now(),
            ),
          );
          conv = stored;
          lane.target = { kind: 'conversation', conv: stored };
          // Creating the chat counted for it too; the lane goes on with the chat's pacing.
          const paced = conversationPace(`conv:${stored.conversationId}`);
          paced.pace.record(opened.logged[0]![1].at);
          lane.paced = paced;
        }
        const departure = await slot(lane.paced, tenant);
        if (!departure) {
          await deferred(m, attempts, lane.paced, tenant, out);
          return false;
        }
        const sent = await request(departure, () =>
          connector(conv!.serviceUrl).send(
            threadOf ? `${conv!.conversationId};messageid=${threadOf}` : conv!.conversationId,
            activity,
          ),
        );
        if (++tenant.fine >= MARGIN_EVERY) {
          tenant.fine = 0;
          tenant.margin = Math.max(MARGIN_MS, tenant.margin - MARGIN_STEP_MS);
        }
        await write(() =>
          deps.outbox.settle(m.id, {
            status: 'delivered',
            attempts,
            delivery: { conversationId: conv!.conversationId, activityId: sent.id },
          }),
        );
        out.delivered++;
        return true;
      } catch (raw) {
        const err = connectorError(raw);
        const status = err.status;
        const transient = status === null || status === 412 || status === 429 || status >= 500;
        if (!transient || (status !== 429 && attempts >= maxAttempts)) {
          await dead(
            attempts,
            transient
              ? `Teams did not answer after ${attempts} attempts (${err.message})`
              : opening
                ? `Teams refused to open a chat with ${m.recipient.name}: ${err.message}`
                : `Teams refused it: ${err.message}`,
          );
          opts.logger.warn(
            { outboxId: m.id, status, error: err.code ?? undefined },
            'an outbox message is dead',
          );
          return true;
        }
        let wait: number;
        let reason: string;
        if (status === 429) {
          const base = err.retryAfterMs ?? backoff(attempts);
          wait = base + Math.round(Math.random() * Math.min(500, base / 10));
          // Whatever limit it was (this conversation's, the tenant's, another bot's), both wait.
          lane.paced.heldUntil = Math.max(lane.paced.heldUntil, Date.now() + wait);
          tenant.heldUntil = Math.max(tenant.heldUntil, Date.now() + wait);
          // Requests arrive more unevenly than the margin allows for: widen it.
          tenant.margin = Math.min(MAX_MARGIN_MS, tenant.margin * 2);
          tenant.fine = 0;
          reason =
            err.retryAfterMs !== null
              ? `rate limited by Teams: retry after ${seconds(err.retryAfterMs)} s`
              : `rate limited by Teams; retry in ${seconds(wait)} s`;
        } else {
          wait = Math.max(err.retryAfterMs ?? 0, backoff(attempts));
          reason = `Teams did not answer (${err.message}); retry in ${seconds(wait)} s`;
        }
        await write(() =>
          deps.outbox.settle(m.id, {
            status: 'pending',
            attempts,
            notBefore: new Date(now().getTime() + wait),
            lastError: reason,
          }),
        );
        out.retried++;
        if (wait > WAIT_OUT_MS) return status !== 429; // a long 429 hold ends the lane anyway
        await sleep(wait);
      }
    }
  }

  /** One pass over what is due now: grouped by org and conversation, conversations in parallel. */
  async function pass(limit: number, out: DrainResult): Promise<number> {
    const due = await deps.outbox.due(now(), limit);
    if (!due.length) return 0;
    forgetIdle();
    const byOrg = new Map<string, OutboxRecord[]>();
    for (const m of due) {
      const list = byOrg.get(m.orgId);
      if (list) list.push(m);
      else byOrg.set(m.orgId, [m]);
    }
    const lanes: Lane[] = [];
    for (const [orgId, messages] of byOrg) {
      const connected = await opts.connected(orgId);
      if (!connected.teams) continue;
      const tenant = await deps.teams.tenantOf(orgId);
      if (!tenant) continue; // no tenant mapped: Teams is not connected after all
      const members = new Map((await deps.members.all(orgId)).map((x) => [x.id, x]));
      const byMember = new Map<string, TeamsConversationRecord>();
      const byUser = new Map<string, TeamsConversationRecord>();
      let serviceUrl: { url: string; at: number } | null = null;
      for (const c of await deps.teams.personalForAll(orgId)) {
        if (c.memberId) byMember.set(c.memberId, c);
        if (c.teamsUserId) byUser.set(c.teamsUserId, c);
        if (!serviceUrl || c.updatedAt.getTime() >= serviceUrl.at)
          serviceUrl = { url: c.serviceUrl, at: c.updatedAt.getTime() };
      }
      const personalOf = (member: MemberRecord | undefined) =>
        member
          ? (byMember.get(member.id) ?? (member.teamsUserId ? byUser.get(member.teamsUserId) : undefined))
          : undefined;
      const sopRecord = tenant.sopConversationId
        ? await deps.teams.conversation(orgId, tenant.sopConversationId)
        : null;
      // 1:1 chats are created at the serviceUrl the org was last heard from.
      const createAt = serviceUrl?.url ?? sopRecord?.serviceUrl ?? opts.serviceUrl ?? DEFAULT_SERVICE_URL;
      const sop = tenant.sopConversationId
        ? {
            conversationId: tenant.sopConversationId,
            serviceUrl: sopRecord?.serviceUrl ?? createAt,
            tenantId: tenant.tenantId,
          }
        : null;
      const lanesByKey = new Map<string, Lane>();
      for (const m of messages) {
        const member = members.get(m.recipient.memberId);
        const personal = personalOf(member);
        if (chatFor(member ?? NOBODY, connected, !!personal) !== 'teams') continue; // Slack's
        let key: string;
        let target: Target;
        if (m.channel === 'sop' && sop) {
          key = `conv:${sop.conversationId}`;
          target = { kind: 'conversation', conv: sop };
        } else if (personal) {
          key = `conv:${personal.conversationId}`;
          target = { kind: 'conversation', conv: personal };
        } else if (member?.teamsUserId) {
          key = `create:${member.id}`;
          target = {
            kind: 'create',
            member: { ...member, teamsUserId: member.teamsUserId },
            serviceUrl: createAt,
          };
        } else {
          key = `none:${m.id}`;
          target = { kind: 'none' };
        }
        const lane = lanesByKey.get(key);
        if (lane) lane.messages.push(m);
        else
          lanesByKey.set(key, {
            orgId,
            tenantId: tenant.tenantId,
            target,
            paced: conversationPace(key),
            messages: [m],
            sopConversationId: sop?.conversationId ?? null,
          });
      }
      lanes.push(...lanesByKey.values());
    }
    let next = 0;
    let handled = 0;
    const worker = async () => {
      while (next < lanes.length) {
        const lane = lanes[next++]!;
        for (const m of lane.messages) {
          const before = out.delivered + out.retried + out.dead;
          const goOn = await deliverOne(lane, m, out);
          handled += out.delivered + out.retried + out.dead - before;
          if (!goOn) break;
        }
      }
    };
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, lanes.length) }, worker),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return handled;
  }

  return {
    /** Delivers what is due now, pass after pass while there is some (within maxDrainMs). */
    drain: (limit = 500): Promise<DrainResult> => drainPasses(pass, limit, maxDrainMs),
  };
}
