/**
 * Nonsense is refused, field by field, and nothing is written: dates and months that are not real
 * or fall outside their window (cycle months, step due times, ballot deadlines, review and action
 * dates, holidays, input months), and numbers that are not finite or beyond any real quantity.
 *
 * The clock: Mon 4 Jan 2027, 08:00 in Berlin. February 2027's default calendar: data gathering is
 * due Wed 3 Feb 17:00 (16:00Z), demand planning Mon 8 Feb, executive S&OP Wed 17 Feb.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycle: { id: string; inputs: { id: string; key: string }[] };

const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
async function counts() {
  const out: Record<string, number> = {};
  for (const [name, model] of Object.entries(t.accord.db.models))
    out[name] = await model.collection.countDocuments({});
  return out;
}
/** The request is refused with 400 and exactly these fields, and nothing is written. */
async function refused(
  send: () => PromiseLike<{
    status: number;
    body: { error?: { code: string; fields: Record<string, string> } };
  }>,
  fields: Record<string, string>,
) {
  const before = await counts();
  const res = await send();
  expect([res.status, res.body.error?.code, res.body.error?.fields]).toEqual([
    400,
    'validation_failed',
    fields,
  ]);
  expect(await counts()).toEqual(before);
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-04T07:00:00Z' });
  org = await buildOrg(t, { name: 'Sense Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  const res = await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' });
  expect(res.status).toBe(201);
  cycle = res.body;
});
afterAll(() => t.close());

describe('a cycle month', () => {
  const window = 'must be a month from 2027-01 to 2029-01 (the month the org was created to 2 years ahead)';

  it.each(['0000-01', '1900-01', '2026-12', '2029-02', '9999-12'])(
    'refuses %s: not before the org existed, at most 2 years ahead',
    async (month) => {
      await refused(() => t.http.post(api('/cycles')).set(org.auth).send({ month }), { month: window });
    },
  );

  it('plans the last month of the window', async () => {
    const res = await t.http.post(api('/cycles')).set(org.auth).send({ month: '2029-01' });
    expect([res.status, res.body.month, res.body.status]).toEqual([201, '2029-01', 'planned']);
  });

  it('for an older org: allows last month, but not a cycle that would be over before it starts', async () => {
    t.clock.set('2026-06-10T10:00:00Z');
    const old = await buildOrg(t, { name: 'Old Co', timezone: 'Europe/Berlin' });
    t.clock.set('2027-01-04T07:00:00Z');
    const post = (month: string) =>
      t.http.post(`/api/v1/orgs/${old.id}/cycles`).set(old.auth).send({ month });
    await refused(() => post('2026-11'), {
      month: 'must be a month from 2026-12 to 2029-01 (last month to 2 years ahead)',
    });
    // December's executive S&OP was due Thu 17 Dec: the cycle would be created closed.
    await refused(() => post('2026-12'), {
      month:
        'the 2026-12 cycle would be over before it starts: its last step was due 2026-12-17T16:00:00.000Z',
    });
    expect((await post('2027-01')).status).toBe(201);
  });
});

describe("a step's new due time", () => {
  const step = (key: string, action: 'extend' | 'reopen', dueAt: string) =>
    t.http
      .post(api(`/cycles/${cycle.id}/steps/${key}/${action}`))
      .set(org.auth)
      .send({ actorId: team.po.id, dueAt, reason: 'the ERP extract is late' });
  const afterNext =
    "must not be after the next step's due time: Demand planning (demand-planning) is due 2027-02-08T16:00:00.000Z; extend it first";

  it('cannot pass the next step (step 1 after step 5)', async () => {
    await refused(() => step('data-gathering', 'extend', '2027-02-18T16:00:00Z'), { dueAt: afterNext });
    await refused(() => step('data-gathering', 'extend', '2027-02-08T16:00:01Z'), { dueAt: afterNext });
  });

  it('may reach the next step, and the next step may move first', async () => {
    expect((await step('data-gathering', 'extend', '2027-02-08T16:00:00Z')).status).toBe(200);
    expect((await step('demand-planning', 'extend', '2027-02-09T16:00:00Z')).status).toBe(200);
    expect((await step('data-gathering', 'extend', '2027-02-09T16:00:00Z')).status).toBe(200);
  });

  it("cannot push the last step past the end of the month after the cycle's", async () => {
    await refused(() => step('executive-sop', 'extend', '2027-04-01T00:00:00Z'), {
      dueAt: "must be before 2027-04-01T00:00:00.000Z, the end of the month after the cycle's month",
    });
    await refused(() => step('executive-sop', 'extend', '9999-12-31T00:00:00Z'), {
      dueAt: "must be before 2027-04-01T00:00:00.000Z, the end of the month after the cycle's month",
    });
    expect((await step('executive-sop', 'extend', '2027-03-31T16:00:00Z')).status).toBe(200);
  });

  it('on reopening, cannot pass the next step either', async () => {
    await sweepAt(t, '2027-02-02T09:00:00Z'); // data gathering is open
    const close = await t.http
      .post(api(`/cycles/${cycle.id}/steps/data-gathering/close`))
      .set(org.auth)
      .send({ actorId: team.po.id });
    expect(close.body.steps.map((s: { status: string }) => s.status)).toEqual([
      'closed',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    await refused(() => step('data-gathering', 'reopen', '2027-02-09T16:00:01Z'), {
      dueAt:
        "must not be after the next step's due time: Demand planning (demand-planning) is due 2027-02-09T16:00:00.000Z; extend it first",
    });
    expect((await step('data-gathering', 'reopen', '2027-02-05T16:00:00Z')).status).toBe(200);
    t.clock.set('2027-01-04T07:00:00Z');
  });
});

describe('ballots, decisions and actions', () => {
  let decisionId: string;
  const open = (deadline: string) =>
    t.http
      .post(api(`/cycles/${cycle.id}/ballots`))
      .set(org.auth)
      .send({ actorId: team.po.id, deadline, title: 'Overtime in March?', options: ['yes', 'no'] });

  it('refuses a deadline that is not a real instant, has passed, or is more than 90 days ahead', async () => {
    await refused(() => open('2027-02-30T10:00:00Z'), {
      deadline: 'must be an ISO 8601 date-time with a zone, e.g. 2027-01-12T17:00:00Z',
    });
    await refused(() => open('2027-01-04T06:59:59Z'), { deadline: 'must be in the future' });
    await refused(() => open('2027-04-04T07:00:01Z'), {
      deadline: 'must be at most 90 days ahead, by 2027-04-04T07:00:00.000Z',
    });
    const ok = await open('2027-04-04T07:00:00Z');
    expect(ok.status).toBe(201);
    decisionId = ok.body.id;
  });

  it('refuses a review date that is not real or not from today to 5 years ahead', async () => {
    const close = (reviewDate: string) =>
      t.http
        .post(api(`/ballots/${decisionId}/close`))
        .set(org.auth)
        .send({ actorId: team.po.id, reviewDate });
    await refused(() => close('2027-02-30'), { reviewDate: 'must be a real date as YYYY-MM-DD' });
    const window = 'must be a date from 2027-01-04 to 2032-01-04 (today in Europe/Berlin to 5 years ahead)';
    await refused(() => close('2027-01-03'), { reviewDate: window });
    await refused(() => close('2032-01-05'), { reviewDate: window });
    const ok = await close('2027-05-01');
    expect([ok.status, ok.body.reviewDate]).toEqual([200, '2027-05-01']);
  });

  it("refuses an action due on a date that is not real or not from today (the org's zone) to 5 years ahead", async () => {
    const add = (dueDate: string) =>
      t.http
        .post(api(`/decisions/${decisionId}/actions`))
        .set(org.auth)
        .send({ actorId: team.po.id, ownerId: team.ceo.id, dueDate, description: 'Book the overtime' });
    await refused(() => add('2027-02-30'), { dueDate: 'must be a real date as YYYY-MM-DD' });
    const window = 'must be a date from 2027-01-04 to 2032-01-04 (today in Europe/Berlin to 5 years ahead)';
    await refused(() => add('2027-01-03'), { dueDate: window });
    await refused(() => add('2032-01-05'), { dueDate: window });
    await refused(() => add('0000-01-01'), { dueDate: window });
    expect((await add('2027-01-04')).status).toBe(201);
    expect((await add('2032-01-04')).status).toBe(201);
  });
});

describe('holidays', () => {
  const window = 'must be a date from 2022-01-01 to 2037-12-31 (5 years back to 10 years ahead)';
  const create = (holidays: string[]) =>
    t.http
      .post('/api/v1/orgs')
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ name: 'Hol Co', timezone: 'UTC', holidays });

  it('refuses holidays that are not real or outside 5 years back to 10 years ahead, on create and update', async () => {
    await refused(() => create(['2027-12-25', '2027-02-29']), {
      'holidays.1': 'must be a real date as YYYY-MM-DD',
    });
    await refused(() => create(['2027-12-25', '2021-12-31', '0000-01-01']), {
      'holidays.1': window,
      'holidays.2': window,
    });
    await refused(
      () =>
        t.http
          .patch(api(''))
          .set(org.auth)
          .send({ holidays: ['2027-12-24', '2038-01-01'] }),
      {
        'holidays.1': window,
      },
    );
    const ok = await t.http
      .patch(api(''))
      .set(org.auth)
      .send({ holidays: ['2037-12-31', '2022-01-01'] });
    expect([ok.status, ok.body.holidays]).toEqual([200, ['2022-01-01', '2037-12-31']]);
  });
});

describe('input submissions', () => {
  const submit = (key: string, memberId: string, payload: unknown) => {
    const request = cycle.inputs.find((i) => i.key === key)!;
    return t.http
      .post(api(`/cycles/${cycle.id}/inputs/${request.id}/submissions`))
      .set(org.auth)
      .send({ memberId, payload });
  };
  const horizon = 'must be a month from 2027-03 to 2028-08 (the months the 2027-02 cycle plans)';
  const adjustment = { family: 'F001', from: '2027-04', to: '2027-06', reason: 'Promotion with RetailCo' };

  it('refuses unbounded numbers in demand adjustments', async () => {
    const sales = team.leaders['sales']!.id;
    const key = 'demand-planning:demand-adjustments:sales';
    await refused(
      () =>
        submit(key, sales, {
          adjustments: [
            { ...adjustment, change: { type: 'units', value: -1e308 } },
            { ...adjustment, change: { type: 'percent', value: 5000 } },
            { ...adjustment, change: { type: 'units', value: 1e12 + 1 } },
          ],
        }),
      {
        'payload.adjustments.0.change.value': 'must be from -1e12 to 1e12',
        'payload.adjustments.1.change.value': 'a percentage rise cannot exceed 1000%',
        'payload.adjustments.2.change.value': 'must be from -1e12 to 1e12',
      },
    );
  });

  it('refuses months outside the months the cycle plans (the plan would silently ignore them)', async () => {
    await refused(
      () =>
        submit('demand-planning:demand-adjustments:sales', team.leaders['sales']!.id, {
          adjustments: [
            { ...adjustment, from: '2027-02', to: '2031-01', change: { type: 'percent', value: 5 } },
            { ...adjustment, from: '0000-01', to: '0000-02', change: { type: 'percent', value: 5 } },
          ],
        }),
      {
        'payload.adjustments.0.from': horizon,
        'payload.adjustments.0.to': horizon,
        'payload.adjustments.1.from': horizon,
        'payload.adjustments.1.to': horizon,
      },
    );
    await refused(
      () =>
        submit('pre-sop:finance-targets:finance', team.leaders['finance']!.id, {
          currency: 'EUR',
          targets: [
            { period: '2027-03', revenue: 1e13 },
            { period: '9999-12', revenue: 100 },
          ],
        }),
      { 'payload.targets.0.revenue': 'must be from 0 to 1e12', 'payload.targets.1.period': horizon },
    );
  });

  it('refuses unbounded supply constraints', async () => {
    await refused(
      () =>
        submit('supply-planning:supply-constraints:procurement', team.leaders['procurement']!.id, {
          constraints: [
            { resource: 'L1', from: '2027-03', to: '2027-04', supplierLimit: -1e308, reason: 'Supplier cap' },
            {
              resource: 'L1',
              from: '2027-03',
              to: '2027-04',
              capacityChange: { type: 'units', value: 1e300 },
              reason: 'Line upgrade',
            },
          ],
        }),
      {
        'payload.constraints.0.supplierLimit': 'must be from 0 to 1e12',
        'payload.constraints.1.capacityChange.value': 'must be from -1e12 to 1e12',
      },
    );
  });
});

describe('data set rows', () => {
  it('refuses months outside 1900-2199 and numbers that are not plain, finite and within 1e12, line by line', async () => {
    const history = [
      'family,period,shipments',
      'SNK,0000-01,10',
      'SNK,9999-12,10',
      'SNK,2026-01,1e308',
      'SNK,2026-02,0x10',
      'SNK,2026-03,Infinity',
      'SNK,2026-04,-1000000000001',
      'SNK,2026-05,10',
    ].join('\n');
    const capacity = [
      'resource,period,capacity,overtime_capacity,overtime_cost_per_unit',
      'L1,2027-01,-1e308,0,0',
      'L1,2027-02,100,1e13,0',
    ].join('\n');
    const before = await counts();
    const res = await t.http
      .post(api('/datasets'))
      .set(org.auth)
      .attach('history', Buffer.from(history), 'history.csv')
      .attach('capacity', Buffer.from(capacity), 'capacity.csv');
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual({
      'history:2:period': '"0000-01" is not a month from 1900-01 to 2199-12',
      'history:3:period': '"9999-12" is not a month from 1900-01 to 2199-12',
      'history:4:shipments': '1e308 is out of range: at most 1e12 either side of 0',
      'history:5:shipments': '"0x10" is not a number',
      'history:6:shipments': '"Infinity" is not a number',
      'history:7:shipments': '-1000000000001 is out of range: at most 1e12 either side of 0',
      'capacity:2:capacity': '-1e308 is out of range: at most 1e12 either side of 0',
      'capacity:3:overtime_capacity': '1e13 is out of range: at most 1e12 either side of 0',
    });
    expect(await counts()).toEqual(before);
  });
});
