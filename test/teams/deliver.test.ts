/**
 * The Teams deliverer against a local fake Bot Framework connector, through the Teams SDK's own
 * client (an App whose token is a fixed JWT): DMs reach the stored 1:1 chat once, a 1:1 chat is
 * opened and stored when only the Teams id is known, channel posts reach the S&OP channel, 429s
 * hold delivery for their Retry-After, 412/5xx/no answer are retried with backoff, refusals and
 * people Teams cannot reach are dead with the reason, two deliverers never send one message twice,
 * and what is Slack's to deliver is left untouched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { App } from '@microsoft/teams.apps';
import { sdkConnector, teamsDeliverer, type TeamsDeliveryOptions } from '../../bots/teams/deliver.js';
import type { ConnectedChats } from '../../src/app/delivery.js';
import type { Card } from '../../src/cards/card.js';
import { createLogger } from '../../src/logger.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, type OrgHandle } from '../helpers/factories.js';
import { startFakeConnector, type FakeConnector } from '../helpers/fakeConnector.js';
import { signBotToken } from '../helpers/teamsAuth.js';

let t: TestAccord;
let teams: FakeConnector;
let app: App;
/** The bot's token as the SDK holds it: a decodable JWT (MSAL cannot be pointed at a fake). */
const BOT_TOKEN = signBotToken({
  aud: 'https://api.botframework.com',
  serviceUrl: null,
  iss: 'https://sts.windows.net/t/',
});
/** Which chats each org has connected (orgs not here: none, so other tests' messages stay put). */
const connected = new Map<string, ConnectedChats>();

/** A small stand-in for the Adaptive Card renderer (injected; built elsewhere). */
const render = (card: Card) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: card.blocks.map((b) => ({ type: 'TextBlock', text: 'text' in b ? b.text : b.type, wrap: true })),
});

const deliverer = (over: Partial<TeamsDeliveryOptions> = {}) =>
  teamsDeliverer(t.accord.deps, {
    render,
    connectorFor: sdkConnector(app.api.http, { botId: app.id! }),
    connected: async (orgId) => connected.get(orgId) ?? { slack: false, teams: false },
    logger: createLogger('silent'),
    backoffBaseMs: 40,
    ...over,
  });

let tenants = 0;
/** An org with a Teams tenant, and the chats it has connected. */
async function teamsOrg(chats: ConnectedChats = { slack: false, teams: true }) {
  const org = await buildOrg(t, { name: `Teams Co ${++tenants}` });
  const tenantId = `tenant-${tenants}`;
  await t.accord.deps.teams.connectTenant(tenantId, org.id, t.clock.now());
  connected.set(org.id, chats);
  return { org, tenantId };
}

/** A member, with a 1:1 chat stored in Accord and known to the connector when `chat` is given. */
async function person(
  o: { org: OrgHandle; tenantId: string },
  fields: Record<string, unknown> = {},
  chat?: string,
) {
  const m = await buildMember(t, o.org, fields);
  if (chat) {
    await t.accord.deps.teams.saveConversation(
      {
        orgId: o.org.id,
        tenantId: o.tenantId,
        kind: 'personal',
        conversationId: chat,
        serviceUrl: teams.url,
        teamsUserId: (fields['teamsUserId'] as string | undefined) ?? null,
        aadObjectId: null,
        memberId: m.id,
        teamId: null,
        name: m.name,
      },
      t.clock.now(),
    );
    teams.addConversation({ id: chat, tenantId: o.tenantId });
  }
  return m;
}

/** Queues a one-line message for each recipient, due now. */
const queue = (
  org: OrgHandle,
  key: string,
  text: string,
  recipients: { id: string; name: string }[],
  channel?: string,
) =>
  t.accord.deps.outbox.enqueue(
    recipients.map((r) => ({
      orgId: org.id,
      key: `${key}:${r.id}`,
      kind: 'reminder' as const,
      cycleId: null,
      recipient: { memberId: r.id, name: r.name },
      ...(channel ? { channel } : {}),
      card: { summary: text, blocks: [{ type: 'text' as const, text }] },
      notBefore: t.clock.now(),
    })),
    t.clock.now(),
  );

type OutboxItem = {
  id: string;
  key: string;
  status: string;
  attempts: number;
  lastError: string | null;
  delivery: { conversationId: string; activityId: string } | null;
  recipient: { memberId: string; name: string };
};
const outbox = async (org: OrgHandle, query = '') =>
  (await t.http.get(`/api/v1/orgs/${org.id}/outbox?limit=100${query}`).set(org.auth)).body
    .items as OutboxItem[];
const sent = (conversationId: string) => teams.activities.filter((a) => a.conversationId === conversationId);
const textOf = (a: { activity: Record<string, unknown> }) =>
  (a.activity['attachments'] as { content: { body: { text: string }[] } }[])[0]!.content.body[0]!.text;

beforeAll(async () => {
  teams = await startFakeConnector();
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  app = new App({ clientId: 'accord-bot-app-id', token: () => BOT_TOKEN });
});
// An org's messages are left alone once its test is over.
afterEach(() => connected.clear());
afterAll(async () => {
  await t.close();
  await teams.close();
});

describe('the Teams deliverer', () => {
  it("delivers a DM into the person's stored 1:1 chat, once", async () => {
    const o = await teamsOrg();
    const ada = await person(o, { name: 'Ada' }, 'a:chat-ada');
    await queue(o.org, 'hello', 'Data gathering is open', [ada]);
    const d = deliverer();
    expect(await d.drain()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(await d.drain()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    const [msg] = await outbox(o.org);
    const [activity] = sent('a:chat-ada');
    expect(sent('a:chat-ada')).toHaveLength(1);
    expect(msg).toMatchObject({
      status: 'delivered',
      attempts: 1,
      delivery: { conversationId: 'a:chat-ada', activityId: activity!.activityId },
    });
    expect(activity!.activity).toEqual({
      type: 'message',
      summary: 'Data gathering is open',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: render({ summary: '', blocks: [{ type: 'text', text: 'Data gathering is open' }] }),
        },
      ],
    });
    // Through the SDK's client, with the bot's token.
    const call = teams.calls.find((c) => c.route === 'sendActivity' && c.conversationId === 'a:chat-ada')!;
    expect(call.token).toBe(BOT_TOKEN);
  });

  it('opens a 1:1 chat when only the Teams id is known, stores it, and uses it from then on', async () => {
    const o = await teamsOrg();
    await person(o, { name: 'Someone Else' }, 'a:chat-other'); // where the org was last heard from
    const bo = await person(o, { name: 'Bo', teamsUserId: '29:bo' });
    await queue(o.org, 'first', 'First', [bo]);
    expect(await deliverer().drain()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    const creates = teams.calls.filter((c) => c.route === 'createConversation');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({
      isGroup: false,
      bot: { id: 'accord-bot-app-id' },
      members: [{ id: '29:bo' }],
      tenantId: o.tenantId,
      channelData: { tenant: { id: o.tenantId } },
    });
    const stored = await t.accord.deps.teams.personalFor(o.org.id, bo.id);
    expect(stored).toMatchObject({
      kind: 'personal',
      teamsUserId: '29:bo',
      tenantId: o.tenantId,
      serviceUrl: teams.url,
    });
    expect(sent(stored!.conversationId).map(textOf)).toEqual(['First']);
    await queue(o.org, 'second', 'Second', [bo]);
    expect(await deliverer().drain()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(teams.calls.filter((c) => c.route === 'createConversation')).toHaveLength(1);
    expect(sent(stored!.conversationId).map(textOf)).toEqual(['First', 'Second']);
  });

  it('posts channel messages to the S&OP channel, or to the recipient when the org has none', async () => {
    const o = await teamsOrg();
    const po = await person(o, { name: 'Petra PO' }, 'a:chat-po');
    await t.accord.deps.teams.saveConversation(
      {
        orgId: o.org.id,
        tenantId: o.tenantId,
        kind: 'channel',
        conversationId: '19:sop@thread.tacv2',
        serviceUrl: teams.url,
        teamsUserId: null,
        aadObjectId: null,
        memberId: null,
        teamId: '19:team@thread.tacv2',
        name: 'S&OP',
      },
      t.clock.now(),
    );
    teams.addConversation({ id: '19:sop@thread.tacv2', tenantId: o.tenantId });
    await t.accord.deps.teams.setSopChannel(o.org.id, '19:sop@thread.tacv2');
    await queue(o.org, 'pack', 'Pre-S&OP pack is ready', [po], 'sop');
    expect((await deliverer().drain()).delivered).toBe(1);
    expect(sent('19:sop@thread.tacv2').map(textOf)).toEqual(['Pre-S&OP pack is ready']);
    expect(sent('a:chat-po')).toEqual([]);

    await t.accord.deps.teams.setSopChannel(o.org.id, null);
    await queue(o.org, 'pack-2', 'Pack v2', [po], 'sop');
    expect((await deliverer().drain()).delivered).toBe(1);
    expect(sent('a:chat-po').map(textOf)).toEqual(['Pack v2']);
  });

  it('holds delivery for a 429 Retry-After, the conversation and the tenant alike', async () => {
    const o = await teamsOrg();
    const cy = await person(o, { name: 'Cy' }, 'a:chat-cy');
    const di = await person(o, { name: 'Di' }, 'a:chat-di');
    await queue(o.org, 'one', 'One', [cy, di]);
    await queue(o.org, 'two', 'Two', [cy, di]);
    const calls = teams.calls.length;
    teams.failNext(429, 1, { retryAfter: 1, route: 'sendActivity' });
    // One conversation at a time: the first send is the one limited.
    const result = await deliverer({ concurrency: 1 }).drain();
    expect(result).toEqual({ delivered: 4, retried: 1, dead: 0 });
    const limitedAt = teams.calls.slice(calls).find((c) => c.status === 429)!.at;
    const accepted = [...sent('a:chat-cy'), ...sent('a:chat-di')];
    expect(accepted).toHaveLength(4);
    // Nothing went to either conversation of the tenant until the Retry-After was over.
    for (const a of accepted) expect(a.at).toBeGreaterThanOrEqual(limitedAt + 1000);
    const limited = (await outbox(o.org)).filter((m) => m.attempts > 1);
    expect(limited).toEqual([
      expect.objectContaining({
        status: 'delivered',
        attempts: 2,
        lastError: 'rate limited by Teams: retry after 1 s',
      }),
    ]);
  });

  it('leaves a long Retry-After to the next drain through notBefore', async () => {
    const o = await teamsOrg();
    const ed = await person(o, { name: 'Ed' }, 'a:chat-ed');
    await queue(o.org, 'long', 'Long hold', [ed]);
    teams.failNext(429, 1, { retryAfter: 120, route: 'sendActivity' });
    const d = deliverer();
    expect(await d.drain()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    const [held] = await outbox(o.org);
    expect(held).toMatchObject({ status: 'pending', attempts: 1 });
    expect(held!.lastError).toBe('rate limited by Teams: retry after 120 s');
    t.clock.advance(130_000);
    // The hold is this process's too: the same deliverer waits it out (here, a new one goes on).
    expect(await d.drain()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    expect(await deliverer().drain()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(sent('a:chat-ed').map(textOf)).toEqual(['Long hold']);
  });

  it('retries 412, 502, 504 and 500 with backoff, then delivers', async () => {
    const o = await teamsOrg();
    const fa = await person(o, { name: 'Fa' }, 'a:chat-fa');
    await queue(o.org, 'flaky', 'Flaky', [fa]);
    for (const status of [412, 502, 504, 500]) teams.failNext(status, 1, { route: 'sendActivity' });
    const started = Date.now();
    expect(await deliverer().drain()).toEqual({ delivered: 1, retried: 4, dead: 0 });
    const [msg] = await outbox(o.org);
    expect(msg).toMatchObject({ status: 'delivered', attempts: 5 });
    expect(msg!.lastError).toMatch(
      /^Teams did not answer \(500 InternalServerError: .*\); retry in [\d.]+ s$/,
    );
    expect(sent('a:chat-fa')).toHaveLength(1);
    // Backoff doubles from 40 ms with jitter (half of each wait is fixed): 20 + 40 + 80 + 160 ms at least.
    const failedAt = teams.calls.filter((c) => c.conversationId === 'a:chat-fa').map((c) => c.at);
    expect(failedAt).toHaveLength(5);
    for (let i = 1; i < 5; i++)
      expect(failedAt[i]! - failedAt[i - 1]!).toBeGreaterThanOrEqual(10 * 2 ** i - 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives up on a connector that never answers after maxAttempts, with the reason', async () => {
    const o = await teamsOrg();
    const gi = await buildMember(t, o.org, { name: 'Gi' });
    await t.accord.deps.teams.saveConversation(
      {
        orgId: o.org.id,
        tenantId: o.tenantId,
        kind: 'personal',
        conversationId: 'a:chat-gi',
        serviceUrl: 'http://127.0.0.1:9/', // nothing listens there
        teamsUserId: null,
        aadObjectId: null,
        memberId: gi.id,
        teamId: null,
        name: 'Gi',
      },
      t.clock.now(),
    );
    await queue(o.org, 'nowhere', 'Nowhere', [gi]);
    expect(await deliverer({ maxAttempts: 3 }).drain()).toEqual({ delivered: 0, retried: 2, dead: 1 });
    const [msg] = await outbox(o.org);
    expect(msg).toMatchObject({ status: 'dead', attempts: 3 });
    expect(msg!.lastError).toBe('Teams did not answer after 3 attempts (ECONNREFUSED)');
  });

  it("marks a refusal dead with Teams' reason, and someone Teams cannot reach", async () => {
    const o = await teamsOrg();
    const ha = await person(o, { name: 'Ha' }, 'a:chat-ha');
    const io = await person(o, { name: 'Io', teamsUserId: '29:io' });
    teams.addMember({ id: '29:io', name: 'Io', installed: false });
    const jo = await person(o, { name: 'Jo Nobody' });
    await queue(o.org, 'refused', 'Refused', [ha, io, jo]);
    teams.failNext(403, 1, { route: 'sendActivity' });
    const calls = teams.calls.length;
    expect(await deliverer().drain()).toEqual({ delivered: 0, retried: 0, dead: 3 });
    const byName = new Map((await outbox(o.org)).map((m) => [m.recipient.name, m]));
    expect(byName.get('Ha')).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError:
        'Teams refused it: 403 BotNotInConversationRoster: The bot is not part of the conversation roster.',
    });
    expect(byName.get('Io')!.lastError).toBe(
      'Teams refused to open a chat with Io: 403 BotNotInConversationRoster: The bot is not installed for this user.',
    );
    expect(byName.get('Jo Nobody')!.lastError).toBe(
      'Jo Nobody is not reachable in Teams: they have not installed Accord (ask them to open Accord in Teams once)',
    );
    // Two calls: the refused send and the refused chat; nothing for the unreachable person.
    expect(teams.calls.slice(calls).map((c) => c.route)).toEqual(
      expect.arrayContaining(['sendActivity', 'createConversation']),
    );
    expect(teams.calls.length - calls).toBe(2);
  });

  it('never sends a message twice when two deliverers drain at once', async () => {
    const o = await teamsOrg();
    const people = [];
    for (let i = 0; i < 12; i++) people.push(await person(o, { name: `Racer ${i}` }, `a:chat-racer-${i}`));
    for (let k = 0; k < 3; k++) await queue(o.org, `race-${k}`, `Race ${k}`, people);
    const [a, b] = await Promise.all([deliverer().drain(), deliverer().drain()]);
    expect(a.delivered + b.delivered).toBe(36);
    expect(a.dead + b.dead + a.retried + b.retried).toBe(0);
    const all = await outbox(o.org);
    expect(all.filter((m) => m.status === 'delivered')).toHaveLength(36);
    const activities = teams.activities.filter((x) => x.conversationId.startsWith('a:chat-racer-'));
    expect(activities).toHaveLength(36);
    expect(new Set(activities.map((x) => `${x.conversationId}|${textOf(x)}`)).size).toBe(36);
    expect(new Set(all.map((m) => m.delivery!.activityId)).size).toBe(36);
  });

  it("leaves Slack's messages untouched: a person on both platforms gets each message once", async () => {
    const o = await teamsOrg({ slack: true, teams: true });
    const onlySlack = await person(o, { name: 'Only Slack', slackUserId: 'U100' });
    const unlinked = await person(o, { name: 'Unlinked' }); // Slack finds people by email
    const onlyTeams = await person(o, { name: 'Only Teams' }, 'a:chat-only-teams');
    const both = await person(
      o,
      { name: 'Both', slackUserId: 'U101', teamsUserId: '29:both' },
      'a:chat-both',
    );
    const prefers = await person(
      o,
      { name: 'Prefers Teams', slackUserId: 'U102', teamsUserId: '29:pref' },
      'a:chat-pref',
    );
    const record = (await t.accord.deps.members.get(o.org.id, prefers.id))!;
    const { id: _id, createdAt: _c, ...fields } = record;
    await t.accord.deps.members.update(o.org.id, prefers.id, { ...fields, preferredChat: 'teams' });
    await queue(o.org, 'both', 'For everyone', [onlySlack, unlinked, onlyTeams, both, prefers]);
    expect(await deliverer().drain()).toEqual({ delivered: 2, retried: 0, dead: 0 });
    const byName = new Map((await outbox(o.org)).map((m) => [m.recipient.name, m]));
    expect(byName.get('Only Teams')!.status).toBe('delivered');
    expect(byName.get('Prefers Teams')!.status).toBe('delivered');
    for (const name of ['Only Slack', 'Unlinked', 'Both']) {
      const m = byName.get(name)!;
      expect(m).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
      expect(await t.accord.deps.outbox.claimedAt(m.id, 1)).toBeNull(); // not even claimed
    }
    expect(sent('a:chat-both')).toEqual([]);
  });

  it('marks an interrupted delivery dead once its claim is ten minutes old, never sending it again', async () => {
    const o = await teamsOrg();
    const ki = await person(o, { name: 'Ki' }, 'a:chat-ki');
    await queue(o.org, 'interrupted', 'Interrupted', [ki]);
    const [msg] = await outbox(o.org);
    expect(await t.accord.deps.outbox.claim(msg!.id, 1, t.clock.now())).toBe(true); // another deliverer, stopped
    expect(await deliverer().drain()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    t.clock.advance(11 * 60_000);
    expect(await deliverer().drain()).toEqual({ delivered: 0, retried: 0, dead: 1 });
    const [dead] = await outbox(o.org);
    expect(dead!.lastError).toMatch(/^delivery was interrupted at .*it may or may not have reached Teams/);
    expect(sent('a:chat-ki')).toEqual([]);
  });
});

describe("Teams' limits", () => {
  it('the fake connector answers 429 with Retry-After beyond a conversation’s and a tenant’s limits', async () => {
    let now = 1_000_000;
    const fake = await startFakeConnector({ enforceLimits: true, now: () => now });
    try {
      for (let i = 0; i < 40; i++) fake.addConversation({ id: `c${i}`, tenantId: 'busy' });
      const post = (id: string) =>
        fetch(`${fake.url}v3/conversations/${id}/activities`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', text: 'x' }),
        });
      const one = [];
      for (let i = 0; i < 8; i++) one.push(await post('c0'));
      expect(one.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201, 201, 429]);
      expect(one[7]!.headers.get('retry-after')).toBe('1');
      const many = [];
      for (let i = 1; i <= 30; i++) many.push((await post(`c${i}`)).status);
      // Seven went to c0 within this second: 23 more fit the tenant's 30.
      expect(many.filter((s) => s === 201)).toHaveLength(23);
      expect(many.slice(23)).toEqual(Array(7).fill(429));
      expect(fake.rateLimited).toBe(8);
      now += 1_000; // a second later: c0 has room for one more (its 8 in 2 s), the tenant for 30
      expect((await post('c0')).status).toBe(201);
      expect((await post('c0')).status).toBe(429);
      expect((await post('c31')).status).toBe(201);
      expect((await fetch(`${fake.url}v3/conversations/c0/activities`, { method: 'POST' })).status).toBe(401);
    } finally {
      await fake.close();
    }
  });

  it("widens a tenant's margin with each 429, so its requests go out further apart", async () => {
    const o = await teamsOrg();
    const people = [];
    for (let i = 0; i < 25; i++) people.push(await person(o, { name: `Spaced ${i}` }, `a:chat-spaced-${i}`));
    await queue(o.org, 'spaced', 'Spaced', people);
    const calls = teams.calls.length;
    // Three refusals to retry at once: the margin goes 20 -> 40 -> 80 -> 160 ms.
    teams.failNext(429, 3, { retryAfter: 0, route: 'sendActivity' });
    expect(await deliverer({ perTenantPerSecond: 10 }).drain()).toEqual({
      delivered: 25,
      retried: 3,
      dead: 0,
    });
    const at = teams.calls
      .slice(calls)
      .filter((c) => c.status === 201)
      .map((c) => c.at)
      .sort((a, b) => a - b);
    expect(at).toHaveLength(25);
    // 10 requests in any 1,160 ms, no longer 10 in any 1,020 ms.
    for (let k = 0; k + 10 < at.length; k++) expect(at[k + 10]! - at[k]!).toBeGreaterThanOrEqual(1_100);
  });

  it("paces one conversation to Teams' windows (7 in 1 s, 8 in 2 s) without a 429", async () => {
    teams.enforceLimits(true);
    try {
      const o = await teamsOrg();
      const lu = await person(o, { name: 'Lu' }, 'a:chat-lu');
      for (let i = 0; i < 10; i++) await queue(o.org, `burst-${i}`, `Burst ${i}`, [lu]);
      const limited = teams.rateLimited;
      expect(await deliverer().drain()).toEqual({ delivered: 10, retried: 0, dead: 0 });
      expect(teams.rateLimited).toBe(limited);
      const at = sent('a:chat-lu').map((a) => a.at);
      // The 8th waits for the first second; the 9th and 10th for the first two seconds.
      expect(at[7]! - at[0]!).toBeGreaterThanOrEqual(1000);
      expect(at[8]! - at[0]!).toBeGreaterThanOrEqual(2000);
      expect(at[9]! - at[1]!).toBeGreaterThanOrEqual(2000);
    } finally {
      teams.enforceLimits(false);
    }
  });
});
