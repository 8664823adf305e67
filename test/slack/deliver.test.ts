/**
 * The Slack deliverer against a local fake Slack Web API: prompts reach each person's DM once,
 * channel posts reach the S&OP channel, a 429 holds delivery for its Retry-After, Slack being down
 * is retried with backoff, someone not in Slack is marked dead with the reason; nothing is sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';

let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;

const outbox = async (query = '') =>
  (await t.http.get(`/api/v1/orgs/${org.id}/outbox?limit=100${query}`).set(org.auth)).body.items as {
    id: string;
    kind: string;
    status: string;
    attempts: number;
    lastError: string | null;
    delivery: { channel: string; ts: string } | null;
    recipient: { memberId: string; name: string };
  }[];
const deliveredAttempts = (all: { status: string; attempts: number }[]) =>
  all.filter((m) => m.status === 'delivered').map((m) => m.attempts);
const drain = () => t.accord.slackDeliverer!.drain();
const posts = () => slack.calls.filter((c) => c.method === 'chat.postMessage');
const emailOf = async (id: string) =>
  (await t.http.get(`/api/v1/orgs/${org.id}/members/${id}`).set(org.auth)).body.email as string;

/** Queues a one-line reminder for each recipient, due now (the sweep's messages, without a sweep). */
const queueText = (
  key: (memberId: string) => string,
  text: string,
  recipients: { id: string; name: string }[],
) =>
  t.accord.deps.outbox.enqueue(
    recipients.map((r) => ({
      orgId: org.id,
      key: key(r.id),
      kind: 'reminder' as const,
      cycleId: null,
      recipient: { memberId: r.id, name: r.name },
      card: { summary: text, blocks: [{ type: 'text' as const, text }] },
      notBefore: t.clock.now(),
    })),
    t.clock.now(),
  );

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-01-20T10:00:00Z',
    slack: {
      signingSecret: 'deliver-secret-1',
      botToken: 'xoxb-test',
      apiUrl: slack.url,
      sopChannel: 'C0SOP',
    },
  });
  org = await buildOrg(t, { name: 'Deliver Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  // Everyone is in Slack except the marketing lead.
  let n = 0;
  for (const m of [team.po, team.ceo, team.cfo, ...Object.values(team.leaders)]) {
    if (m.id === team.leaders['marketing']!.id) continue;
    slack.addUser(`U${++n}`, await emailOf(m.id));
  }
  await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('the Slack deliverer', () => {
  it("delivers a step prompt to the person's DM once, found by email and linked", async () => {
    await sweepAt(t, '2027-02-01T08:00:00Z'); // data gathering opens: the process owner is prompted
    expect(await drain()).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(await drain()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    const [msg] = await outbox();
    expect(msg).toMatchObject({ status: 'delivered', attempts: 1, delivery: { channel: 'DU1' } });
    expect(posts()).toHaveLength(1);
    // Posted to the user id: Slack puts it in their DM with Accord, no conversations.open needed.
    expect(posts()[0]!.args['channel']).toBe('U1');
    expect(slack.calls.filter((c) => c.method === 'conversations.open')).toEqual([]);
    expect(posts()[0]!.token).toBe('xoxb-test');
    expect(String(posts()[0]!.args['text'])).toContain('Data gathering is open');
    const po = (await t.http.get(`/api/v1/orgs/${org.id}/members/${team.po.id}`).set(org.auth)).body;
    expect(po.slackUserId).toBe('U1');
  });

  it('holds delivery for a 429 Retry-After, retries 5xx with backoff, and marks someone not in Slack dead', async () => {
    await sweepAt(t, '2027-02-03T08:00:00Z'); // demand planning: sales and marketing are prompted
    const pending = (await outbox('&status=pending')).length;
    expect(pending).toBeGreaterThanOrEqual(2); // the two prompts, and the process owner's due-day reminder
    slack.failNext('chat.postMessage', 429, 1);
    const first = await drain();
    // The rate-limited message waits; no post starts until the 1 s hold is over (one already on
    // its way when the 429 came back may land).
    expect(first.retried).toBe(1);
    expect(first.delivered).toBeGreaterThanOrEqual(1);
    // A message due while the hold lasts goes out only when it is over.
    const limitedAt = slack.failed.find((f) => f.status === 429)!.at;
    await queueText(() => 'during-hold', 'During the hold', [{ id: team.ceo.id, name: 'Cee Exec' }]);
    expect((await drain()).delivered).toBe(1);
    const during = posts().find((c) => c.args['text'] === 'During the hold')!;
    expect(during.at).toBeGreaterThanOrEqual(limitedAt + 950);
    const held = (await outbox('&status=pending')).filter((m) => m.lastError);
    expect(held.map((m) => m.lastError)).toEqual(['rate limited by Slack: retry after 1 s']);

    slack.failNext('chat.postMessage', 503);
    t.clock.set('2027-02-03T08:00:02Z');
    const second = await drain();
    expect(second.retried).toBe(1);
    const down = (await outbox('&status=pending')).find((m) =>
      m.lastError?.startsWith('Slack did not answer'),
    );
    // Its second attempt: the backoff doubles from 10 s.
    expect(down?.lastError).toMatch(/retry in 20 s$/);
    t.clock.set('2027-02-03T08:10:00Z');
    await drain();

    const all = await outbox();
    const marketing = all.find((m) => m.recipient.memberId === team.leaders['marketing']!.id)!;
    expect(marketing.status).toBe('dead');
    expect(marketing.lastError).toMatch(/is not in Slack/);
    const sales = all.find((m) => m.recipient.memberId === team.leaders['sales']!.id)!;
    expect(sales.status).toBe('delivered');
    expect(deliveredAttempts(all)).toEqual(expect.arrayContaining([3])); // 429, then 503, then delivered
    // Never twice: one successful post per delivered message.
    const delivered = all.filter((m) => m.status === 'delivered');
    expect(posts()).toHaveLength(delivered.length);
    expect(new Set(delivered.map((m) => m.delivery!.ts)).size).toBe(delivered.length);
  });

  it('posts channel messages to the S&OP channel', async () => {
    await t.accord.deps.outbox.enqueue(
      [
        {
          orgId: org.id,
          key: 'pack:test',
          kind: 'pack',
          cycleId: null,
          recipient: { memberId: team.po.id, name: 'Petra PO' },
          channel: 'sop',
          card: {
            summary: 'Pre-S&OP pack 2027-02 is ready',
            blocks: [{ type: 'text', text: 'Two trade-offs <b>' }],
          },
          notBefore: t.clock.now(),
        },
      ],
      t.clock.now(),
    );
    await drain();
    const last = posts().at(-1)!;
    expect(last.args['channel']).toBe('C0SOP');
    expect(JSON.stringify(last.args['blocks'])).toContain('Two trade-offs &lt;b&gt;');
  });
});

describe('finding many people in Slack', () => {
  it('reads the directory once (users.list) instead of one lookup per person', async () => {
    const people = [];
    for (let i = 0; i < 25; i++) {
      const p = (
        await t.http
          .post(`/api/v1/orgs/${org.id}/members`)
          .set(org.auth)
          .send({ name: `Reader ${i}`, email: `reader${i}@deliver.example`, roles: ['executive'] })
      ).body as { id: string; name: string };
      slack.addUser(`UR${i}`, `Reader${i}@deliver.example`); // Slack's case, not Accord's
      people.push(p);
    }
    await queueText((id) => `fyi:${id}`, 'FYI', people);
    const lookups = slack.calls.filter((c) => c.method === 'users.lookupByEmail').length;
    const result = await drain();
    expect(result).toEqual({ delivered: 25, retried: 0, dead: 0 });
    expect(slack.calls.filter((c) => c.method === 'users.list')).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(lookups);
    const linked = await t.accord.deps.members.get(org.id, people[7]!.id);
    expect(linked!.slackUserId).toBe('UR7');
  });
});

describe('an interrupted delivery', () => {
  it('is marked dead with the reason, not sent again, once its claim is ten minutes old', async () => {
    await queueText(() => 'interrupted', 'Interrupted', [{ id: team.ceo.id, name: 'Cee Exec' }]);
    const [msg] = await outbox('&kind=reminder&status=pending');
    // Another deliverer claimed attempt 1 and stopped before settling it.
    expect(await t.accord.deps.outbox.claim(msg!.id, 1, t.clock.now())).toBe(true);
    expect(await drain()).toEqual({ delivered: 0, retried: 0, dead: 0 }); // it may still be sending
    t.clock.set(new Date(t.clock.now().getTime() + 11 * 60_000).toISOString());
    expect(await drain()).toEqual({ delivered: 0, retried: 0, dead: 1 });
    const [dead] = (await outbox('&kind=reminder&status=dead')).filter((m) => m.id === msg!.id);
    expect(dead!.lastError).toMatch(/^delivery was interrupted at .*it may or may not have reached Slack/);
    expect(posts().filter((c) => c.args['text'] === 'Interrupted')).toEqual([]);
  });
});
