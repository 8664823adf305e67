/**
 * The escalation DM's buttons and link buttons, as Slack sends them (signed block_actions through
 * the real Bolt app): "Extend by a business day" and "Close without them" are acked at once, check
 * the role, change the step through its use case and answer the process owner; a link button's
 * click is acked and does nothing else.
 *
 * February 2027 in Berlin: demand planning is due Mon 8 Feb 17:00 (16:00Z); Tue 9 Feb is a holiday.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';
import { blockAction, formBody } from '../helpers/slackPayloads.js';

const SECRET = 'escalation-signing-secret';
let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let cycleId: string;
let buttons: { action: string; value: string }[];

async function click(userId: string, actionId: string, value: string) {
  const body = formBody(blockAction(userId, { action_id: actionId, block_id: 'b', value }));
  const started = Date.now();
  const res = await t.http.post('/slack/events').set(slackHeaders(SECRET, body)).send(body);
  return { status: res.status, ms: Date.now() - started };
}
async function told(userId: string, count: number) {
  for (let i = 0; i < 200; i++) {
    const lines = slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.args['user'] === userId);
    if (lines.length >= count) return lines.map((c) => String(c.args['text']));
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ephemeral answer #${count} for ${userId}`);
}
const demandStep = async () =>
  (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body.steps[1] as {
    status: string;
    dueAt: string;
  };

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-01-20T10:00:00Z',
    slack: { signingSecret: SECRET, botToken: 'xoxb-escalation', apiUrl: slack.url },
  });
  org = await buildOrg(t, { name: 'Escalation Co', timezone: 'Europe/Berlin', holidays: ['2027-02-09'] });
  const team = await buildTeam(t, org, { po: 'Europe/Berlin' });
  const email = async (id: string) =>
    (await t.http.get(`/api/v1/orgs/${org.id}/members/${id}`).set(org.auth)).body.email as string;
  slack.addUser('W333', await email(team.po.id));
  slack.addUser('W111', await email(team.ceo.id));
  cycleId = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body
    .id;
  // Demand planning closes at its due time with every input missing: the process owner is told.
  await sweepAt(t, '2027-02-08T16:00:00Z');
  const escalations = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=escalation`).set(org.auth)).body
    .items as {
    key: string;
    card: { blocks: { type: string; buttons?: { action: string; value: string }[] }[] };
  }[];
  // Data gathering (the process owner's own confirmation) and demand planning.
  expect(escalations).toHaveLength(2);
  const demand = escalations.find((e) => e.key.includes(':demand-planning:'))!;
  buttons = demand.card.blocks.find((b) => b.type === 'actions')!.buttons!;
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe("the escalation's buttons", () => {
  it('offers both, for this cycle and step, and the step on the cycle board', () => {
    expect(buttons.map((b) => [b.action, b.value])).toEqual([
      ['step.extend', `${cycleId}:demand-planning`],
      ['step.close', `${cycleId}:demand-planning`],
      ['link.open', `http://localhost:3000/app/cycles/${cycleId}#step-demand-planning`],
    ]);
  });

  it('refuses anyone but the process owner, and changes nothing', async () => {
    const before = await demandStep();
    const res = await click('W111', 'step.extend', buttons[0]!.value);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(2_000);
    expect((await told('W111', 1))[0]).toBe(
      'Demand planning was not changed: Cee Exec is not a process owner; only a process owner can change the step calendar',
    );
    expect(await demandStep()).toEqual(before);
  });

  it('extends by a business day: the closed step reopens, due the next business day (the holiday skipped)', async () => {
    expect((await demandStep()).status).toBe('closed');
    const res = await click('W333', 'step.extend', buttons[0]!.value);
    expect(res.status).toBe(200);
    expect((await told('W333', 1))[0]).toBe(
      'Demand planning is open again and due Wed 10 Feb, 17:00 (Europe/Berlin); whoever still owes an input is told and reminded as usual.',
    );
    expect(await demandStep()).toMatchObject({ status: 'open', dueAt: '2027-02-10T16:00:00.000Z' });
    // Pressed again: the open step moves one more business day.
    await click('W333', 'step.extend', buttons[0]!.value);
    expect((await told('W333', 2))[1]).toContain(
      'Demand planning is now due Thu 11 Feb, 17:00 (Europe/Berlin)',
    );
  });

  it('closes without them, once', async () => {
    await click('W333', 'step.close', buttons[1]!.value);
    expect((await told('W333', 3))[2]).toBe('Demand planning is closed without the missing inputs.');
    expect((await demandStep()).status).toBe('closed');
    await click('W333', 'step.close', buttons[1]!.value);
    expect((await told('W333', 4))[3]).toBe('Demand planning is already closed; it stays as it is.');
  });

  it('ignores a value that names no step', async () => {
    const calls = slack.calls.length;
    expect((await click('W333', 'step.close', 'nonsense')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.calls.slice(calls).filter((c) => c.method === 'chat.postEphemeral')).toEqual([]);
  });
});

describe('link buttons', () => {
  it('are acked at once and do nothing else ("Open the full pack" opens in the browser)', async () => {
    const calls = slack.calls.length;
    const res = await click(
      'W333',
      'link.open',
      'https://accord.example.com/api/v1/orgs/x/cycles/y/pack.html',
    );
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.calls.slice(calls).filter((c) => !['users.info'].includes(c.method))).toEqual([]);
  });
});
