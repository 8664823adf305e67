/**
 * The cycle engine against the real database with a controlled clock: steps open and close on time,
 * prompts and reminders reach only those who owe an input, in their working hours, never twice;
 * overdue inputs are escalated to the process owner once.
 *
 * February 2027 in Berlin (CET, UTC+1): data gathering 1-3 Feb, demand planning 3-8 Feb (due Mon 8 Feb
 * 17:00 = 16:00Z), supply planning 8-11 Feb, pre-S&OP 12-16 Feb, executive S&OP 17 Feb.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let inputs: { id: string; key: string }[];

const sweep = (at: string) => sweepAt(t, at);
const outbox = async (query = '') =>
  (await t.http.get(`/api/v1/orgs/${org.id}/outbox?limit=100${query}`).set(org.auth)).body.items as {
    key: string;
    kind: string;
    recipient: { memberId: string; name: string };
    notBefore: string;
    card: { summary: string; blocks: { type: string }[] };
  }[];
const cycle = async () => (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body;
const statuses = async () => (await cycle()).steps.map((s: { status: string }) => s.status);
const input = (key: string) => inputs.find((i) => i.key === key)!;
const submit = (key: string, memberId: string, payload: unknown) =>
  t.http
    .post(`/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs/${input(key).id}/submissions`)
    .set(org.auth)
    .send({ memberId, payload });
const adjustments = {
  adjustments: [
    {
      family: 'Snacks',
      from: '2027-04',
      to: '2027-06',
      change: { type: 'percent', value: 12 },
      reason: 'Promotion with RetailCo',
      confidence: 'high',
    },
  ],
};

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Engine Co', timezone: 'Europe/Berlin', holidays: ['2027-02-15'] });
  team = await buildTeam(t, org, {
    sales: 'America/New_York',
    operations: 'Asia/Singapore',
    po: 'Europe/Berlin',
  });
  const res = await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
  cycleId = res.body.id;
  inputs = res.body.inputs;
});
afterAll(() => t.close());

describe('a cycle run by the clock', () => {
  it('sends nothing before the first step opens', async () => {
    await sweep('2027-02-01T07:59:00Z');
    expect(await statuses()).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(await outbox()).toEqual([]);
  });

  it('opens data gathering on BD1 09:00 Berlin and prompts only the process owner', async () => {
    await sweep('2027-02-01T08:00:00Z');
    expect(await statuses()).toEqual(['open', 'pending', 'pending', 'pending', 'pending']);
    const msgs = await outbox();
    expect(msgs.map((m) => [m.kind, m.recipient.name])).toEqual([['step-prompt', 'Petra PO']]);
    expect(msgs[0]!.card.summary).toContain('Data gathering is open for the 2027-02 S&OP cycle');
    expect(msgs[0]!.card.summary).toContain('Wed 3 Feb, 17:00 (Europe/Berlin)');
  });

  it('changes and sends nothing when the same sweep runs again', async () => {
    const before = {
      outbox: await outbox(),
      cycle: await cycle(),
      audit: (await t.http.get(`/api/v1/orgs/${org.id}/audit?limit=100`).set(org.auth)).body.items.length,
    };
    await sweep('2027-02-01T08:00:00Z');
    await sweep('2027-02-01T08:01:00Z');
    expect(await outbox()).toEqual(before.outbox);
    expect(await cycle()).toEqual(before.cycle);
    expect((await t.http.get(`/api/v1/orgs/${org.id}/audit?limit=100`).set(org.auth)).body.items.length).toBe(
      before.audit,
    );
  });

  it('refuses to confirm the data before any data set is uploaded, and writes nothing', async () => {
    t.clock.set('2027-02-02T09:00:00Z');
    const res = await submit('data-gathering:data-confirmation', team.po.id, { notes: 'too early' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields['payload.datasetVersion']).toMatch(/upload it first/);
    expect(await t.accord.db.models.Submission.collection.countDocuments({})).toBe(0);
  });

  it('closes a step early once every input is in; confirming the data pins the latest dataset version', async () => {
    t.clock.set('2027-02-02T10:00:00Z');
    const upload = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .attach('history', Buffer.from('family,period,shipments\nSNK,2027-01,100'), 'history.csv');
    expect(upload.status).toBe(201);
    const wrong = await submit('data-gathering:data-confirmation', team.po.id, { datasetVersion: 7 });
    expect(wrong.body.error.fields['payload.datasetVersion']).toBe('there is no dataset version 7');
    const res = await submit('data-gathering:data-confirmation', team.po.id, { notes: 'bookings incl. EDI' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version: 1,
      stepClosed: true,
      payload: { datasetVersion: 1, notes: 'bookings incl. EDI' },
    });
    const c = await cycle();
    expect(c.steps[0]).toMatchObject({ status: 'closed', closedReason: 'complete' });
  });

  it('opens demand planning on BD3 and prompts sales and marketing, each in their working hours', async () => {
    await sweep('2027-02-03T08:00:00Z');
    const prompts = await outbox('&kind=step-prompt');
    const demand = prompts.filter((m) => m.key.includes('demand-planning'));
    expect(demand.map((m) => m.recipient.name).sort()).toEqual(['Lead marketing', 'Lead sales']);
    // 08:00Z is 03:00 in New York: the prompt waits for 08:00 EST (13:00Z).
    expect(demand.find((m) => m.recipient.name === 'Lead sales')!.notBefore).toBe('2027-02-03T13:00:00.000Z');
    expect(demand.find((m) => m.recipient.name === 'Lead marketing')!.notBefore).toBe(
      '2027-02-03T08:00:00.000Z',
    );
    expect(demand.find((m) => m.recipient.name === 'Lead sales')!.card.summary).toContain(
      'Mon 8 Feb, 11:00 (America/New_York)',
    );
  });

  it('validates a submission field by field and writes nothing when it is wrong', async () => {
    const before = await t.accord.db.models.Submission.collection.countDocuments({});
    const bad = await submit('demand-planning:demand-adjustments:marketing', team.leaders['marketing']!.id, {
      adjustments: [
        { family: '', from: '2027-06', to: '2027-04', change: { type: 'percent', value: -150 }, reason: 'x' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({
      'payload.adjustments.0.family': expect.any(String),
      'payload.adjustments.0.change.value': 'a percentage cut cannot exceed -100%',
      'payload.adjustments.0.reason': 'say why in a few words',
    });
    const wrongPerson = await submit(
      'demand-planning:demand-adjustments:marketing',
      team.leaders['operations']!.id,
      adjustments,
    );
    expect(wrongPerson.status).toBe(403);
    const notOpen = await submit(
      'supply-planning:supply-constraints:operations',
      team.leaders['operations']!.id,
      {
        constraints: [
          {
            resource: 'Line 2',
            from: '2027-03',
            to: '2027-04',
            capacityChange: { type: 'percent', value: -20 },
            reason: 'Planned maintenance',
          },
        ],
      },
    );
    expect([notOpen.status, notOpen.body.error.code]).toEqual([409, 'step_not_open']);
    expect(await t.accord.db.models.Submission.collection.countDocuments({})).toBe(before);
  });

  it('keeps every submission as a new version, editable while the step is open', async () => {
    t.clock.set('2027-02-04T15:00:00Z');
    const v1 = await submit(
      'demand-planning:demand-adjustments:sales',
      team.leaders['sales']!.id,
      adjustments,
    );
    expect(v1.body).toMatchObject({ version: 1, stepClosed: false });
    t.clock.set('2027-02-04T15:30:00Z');
    const edited = {
      adjustments: [{ ...adjustments.adjustments[0], change: { type: 'percent', value: 8 } }],
    };
    const v2 = await submit('demand-planning:demand-adjustments:sales', team.leaders['sales']!.id, edited);
    expect(v2.body.version).toBe(2);
    const versions = await t.http
      .get(
        `/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs/${input('demand-planning:demand-adjustments:sales').id}/submissions`,
      )
      .set(org.auth);
    expect(
      versions.body.items.map(
        (v: { version: number; payload: { adjustments: { change: { value: number } }[] } }) => [
          v.version,
          v.payload.adjustments[0]!.change.value,
        ],
      ),
    ).toEqual([
      [1, 12],
      [2, 8],
    ]);
  });

  it('reminds only whoever still owes an input, once, in their working hours, 24 h ahead and on the due day', async () => {
    // Friday: nothing yet (the 24 h reminder for a Monday 17:00 deadline falls on Sunday).
    await sweep('2027-02-05T12:00:00Z');
    expect(await outbox('&kind=reminder')).toEqual([]);
    // Monday 08:00 Berlin (07:00Z): the Sunday reminder was moved here, but collapses into the due-day one at 09:00.
    await sweep('2027-02-08T07:30:00Z');
    expect(await outbox('&kind=reminder')).toEqual([]);
    await sweep('2027-02-08T08:00:00Z');
    let reminders = await outbox('&kind=reminder');
    expect(reminders.map((r) => [r.recipient.name, r.key.split(':').at(-4)])).toEqual([
      ['Lead marketing', 'due-day'],
    ]);
    expect(reminders[0]!.card.summary).toMatch(/^Due today: your demand adjustments for marketing/);
    // Sales has submitted: no reminder for sales, now or later; operations owes nothing in this step.
    await sweep('2027-02-08T14:00:00Z');
    await sweep('2027-02-08T15:59:00Z');
    reminders = await outbox('&kind=reminder');
    expect(reminders.map((r) => r.recipient.name)).toEqual(['Lead marketing']);
  });

  it('closes the step at its due time and escalates the missing input to the process owner once', async () => {
    await sweep('2027-02-08T16:00:00Z');
    const c = await cycle();
    expect(c.steps[1]).toMatchObject({ status: 'closed', closedReason: 'due' });
    expect(c.steps[2]).toMatchObject({ status: 'open' });
    const escalations = await outbox('&kind=escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.recipient.name).toBe('Petra PO');
    expect(escalations[0]!.card.summary).toContain('1 input is still missing');
    expect(JSON.stringify(escalations[0]!.card)).toContain('Lead marketing');
    expect(JSON.stringify(escalations[0]!.card)).not.toContain('Lead sales');
    await sweep('2027-02-08T16:05:00Z');
    await sweep('2027-02-08T17:00:00Z');
    expect(await outbox('&kind=escalation')).toHaveLength(1);
  });

  it('lets the process owner reopen the step: the missing owner is prompted again, then reminded afresh', async () => {
    t.clock.set('2027-02-08T16:30:00Z');
    const res = await t.http
      .post(`/api/v1/orgs/${org.id}/cycles/${cycleId}/steps/demand-planning/reopen`)
      .set(org.auth)
      .send({
        actorId: team.po.id,
        dueAt: '2027-02-10T16:00:00Z',
        reason: 'Marketing needs the campaign calendar',
      });
    expect(res.status).toBe(200);
    expect(res.body.steps[1]).toMatchObject({ status: 'open', dueAt: '2027-02-10T16:00:00.000Z' });
    const reopened = await outbox('&kind=step-reopened');
    expect(reopened.map((m) => m.recipient.name)).toEqual(['Lead marketing']);
    // 16:30Z is 17:30 in Berlin: fine (quiet hours start at 19:00).
    expect(reopened[0]!.notBefore).toBe('2027-02-08T16:30:00.000Z');
    await sweep('2027-02-09T16:00:00Z'); // 24 h before the new due date
    const reminders = await outbox('&kind=reminder');
    expect(
      reminders.filter((r) => r.key.endsWith('2027-02-10T16:00:00.000Z')).map((r) => r.key.split(':').at(-4)),
    ).toEqual(['before-due']);
  });

  it('keeps supply planning open past its due date while demand planning is open, then closes both in order', async () => {
    await sweep('2027-02-10T15:00:00Z');
    const input2 = await submit(
      'demand-planning:demand-adjustments:marketing',
      team.leaders['marketing']!.id,
      adjustments,
    );
    expect(input2.body.stepClosed).toBe(true);
    await sweep('2027-02-11T16:00:00Z');
    expect((await statuses()).slice(0, 3)).toEqual(['closed', 'closed', 'closed']);
  });

  it('counts business days around the org holiday and keeps reminders off it', async () => {
    // Pre-S&OP runs BD10-BD12: 12 Feb to 17 Feb, because Monday 15 Feb is a holiday.
    const c = await cycle();
    expect(c.steps[3]).toMatchObject({
      opensAt: '2027-02-12T08:00:00.000Z',
      dueAt: '2027-02-17T16:00:00.000Z',
    });
    await sweep('2027-02-12T08:00:00Z');
    await sweep('2027-02-15T12:00:00Z');
    const preSop = async () => (await outbox('&kind=reminder')).filter((r) => r.key.includes(':pre-sop:'));
    expect(await preSop()).toEqual([]);
    await sweep('2027-02-16T16:00:00Z');
    const sent = await preSop();
    // Finance targets + six leaders' attendance = 7 owed. Singapore's 24 h reminder would land at midnight
    // there, so it moves to 08:00 SGT (00:00Z); its "due day" is Thursday in Singapore, after the deadline
    // (17:00 Berlin = 00:00 SGT), so that one is never planned.
    expect(sent.map((r) => r.recipient.name)).not.toContain('Lead operations');
    expect(sent).toHaveLength(6);
    expect(
      sent.every((r) => r.key.includes(':before-due:') && r.notBefore === '2027-02-16T16:00:00.000Z'),
    ).toBe(true);
    await sweep('2027-02-16T23:59:00Z');
    expect((await preSop()).filter((r) => r.recipient.name === 'Lead operations')).toEqual([]);
    await sweep('2027-02-17T01:00:00Z');
    const singapore = (await preSop()).filter((r) => r.recipient.name === 'Lead operations');
    expect(singapore.map((r) => [r.key.split(':').at(-4), r.notBefore])).toEqual([
      ['before-due', '2027-02-17T01:00:00.000Z'],
    ]);
  });

  it('closes the cycle after the executive S&OP and records every change in the audit trail', async () => {
    await sweep('2027-02-25T12:00:00Z');
    const c = await cycle();
    expect(c.status).toBe('closed');
    const audit = (await t.http.get(`/api/v1/orgs/${org.id}/audit?limit=100`).set(org.auth)).body.items as {
      action: string;
      seq: number;
    }[];
    const actions = audit.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'cycle.created',
        'cycle.activated',
        'step.opened',
        'step.closed',
        'step.escalated',
        'step.reopened',
        'input.submitted',
        'cycle.closed',
      ]),
    );
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    // A closed cycle is left alone by the sweep.
    const before = await outbox();
    await sweep('2027-03-01T12:00:00Z');
    expect(await outbox()).toEqual(before);
  });
});
