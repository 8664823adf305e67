/**
 * The 401 / 403 / 400 / 404 / 409 / 201 ladder, route by route, and tenant isolation:
 * a token of one org can never read or change another's data, and a refused request writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let a: OrgHandle;
let b: OrgHandle;
let cycleA: { id: string; inputs: { id: string; kind: string; step: string; function: string | null }[] };
let team: Awaited<ReturnType<typeof buildTeam>>;

async function counts() {
  const out: Record<string, number> = {};
  for (const [name, model] of Object.entries(t.accord.db.models))
    out[name] = await model.collection.countDocuments({});
  return out;
}

beforeAll(async () => {
  // Every route with a wrong token: more failures than the default limits allow (auth-limits.test.ts).
  t = await startTestAccord({
    now: '2027-01-04T07:00:00Z',
    authLimits: { perAddress: 1000, perToken: 1000, windowSeconds: 600 },
  });
  a = await buildOrg(t, { name: 'Org A' });
  b = await buildOrg(t, { name: 'Org B', timezone: 'America/Chicago' });
  team = await buildTeam(t, a);
  const res = await t.http.post(`/api/v1/orgs/${a.id}/cycles`).set(a.auth).send({ month: '2027-02' });
  expect(res.status).toBe(201);
  cycleA = res.body;
});
afterAll(() => t.close());

describe('every org route', () => {
  const routes = () => {
    const req = cycleA.inputs.find((i) => i.kind === 'demand-adjustments')!;
    return [
      ['get', `/api/v1/orgs/${a.id}`],
      ['patch', `/api/v1/orgs/${a.id}`],
      ['post', `/api/v1/orgs/${a.id}/tokens`],
      ['get', `/api/v1/orgs/${a.id}/members`],
      ['post', `/api/v1/orgs/${a.id}/members`],
      ['get', `/api/v1/orgs/${a.id}/members/${team.po.id}`],
      ['get', `/api/v1/orgs/${a.id}/cycles`],
      ['post', `/api/v1/orgs/${a.id}/cycles`],
      ['get', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}`],
      ['post', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/close`],
      ['post', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/extend`],
      ['post', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/reopen`],
      ['get', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/inputs`],
      ['post', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/inputs/${req.id}/submissions`],
      ['get', `/api/v1/orgs/${a.id}/cycles/${cycleA.id}/inputs/${req.id}/submissions`],
      ['get', `/api/v1/orgs/${a.id}/outbox`],
      ['get', `/api/v1/orgs/${a.id}/audit`],
    ] as const;
  };

  it('answers 401 without a token or with a wrong one, and writes nothing', async () => {
    const before = await counts();
    for (const [method, path] of routes()) {
      const none = await t.http[method](path).send({});
      expect([path, none.status, none.body.error?.code]).toEqual([path, 401, 'unauthorized']);
      const wrong = await t.http[method](path).set('Authorization', 'Bearer acc_not-a-real-token').send({});
      expect([path, wrong.status]).toEqual([path, 401]);
      const basic = await t.http[method](path).set('Authorization', 'Basic dXNlcjpwYXNz').send({});
      expect([path, basic.status]).toEqual([path, 401]);
    }
    expect(await counts()).toEqual(before);
  });

  it("answers 403 to another org's token, reads nothing and writes nothing", async () => {
    const before = await counts();
    for (const [method, path] of routes()) {
      const res = await t.http[method](path)
        .set(b.auth)
        .send({ month: '2027-05', name: 'x', email: 'x@example.com', roles: ['executive'] });
      expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'forbidden']);
      expect(JSON.stringify(res.body)).not.toContain(team.po.id);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers 404 to an unknown org, cycle, member or input, even for the admin', async () => {
    const admin = { Authorization: `Bearer ${t.adminToken}` };
    const ghost = '0123456789abcdef01234567';
    expect((await t.http.get(`/api/v1/orgs/${ghost}`).set(admin)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orgs/${ghost}/members`).set(admin)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orgs/not-an-id`).set(admin)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orgs/${a.id}/cycles/${ghost}`).set(a.auth)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orgs/${a.id}/members/${ghost}`).set(a.auth)).status).toBe(404);
    expect(
      (await t.http.get(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/inputs/${ghost}/submissions`).set(a.auth))
        .status,
    ).toBe(404);
    expect(
      (
        await t.http
          .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/no-such-step/close`)
          .set(a.auth)
          .send({})
      ).status,
    ).toBe(404);
    expect((await t.http.get('/api/v1/nothing-here').set(a.auth)).body.error.code).toBe('not_found');
  });

  it('keeps the admin routes for the admin token', async () => {
    expect((await t.http.post('/api/v1/orgs').set(a.auth).send({ name: 'x', timezone: 'UTC' })).status).toBe(
      403,
    );
    expect((await t.http.get('/api/v1/orgs').set(a.auth)).status).toBe(403);
    const list = await t.http.get('/api/v1/orgs?limit=1').set('Authorization', `Bearer ${t.adminToken}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.next).toEqual(expect.any(String));
    const page2 = await t.http
      .get(`/api/v1/orgs?limit=1&cursor=${list.body.next}`)
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(page2.body.items[0].id).not.toBe(list.body.items[0].id);
  });

  it("cannot see another org's cycle or member through its own org path", async () => {
    expect((await t.http.get(`/api/v1/orgs/${b.id}/cycles/${cycleA.id}`).set(b.auth)).status).toBe(404);
    expect((await t.http.get(`/api/v1/orgs/${b.id}/members/${team.po.id}`).set(b.auth)).status).toBe(404);
    const bMembers = await t.http.get(`/api/v1/orgs/${b.id}/members`).set(b.auth);
    expect(bMembers.body.items).toEqual([]);
    const bAudit = await t.http.get(`/api/v1/orgs/${b.id}/audit`).set(b.auth);
    expect(bAudit.body.items.every((e: { entity: { id: string } }) => e.entity.id !== a.id)).toBe(true);
  });
});

describe('POST /api/v1/orgs', () => {
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  it('creates an org with defaults and shows its token once', async () => {
    const res = await t.http
      .post('/api/v1/orgs')
      .set(admin())
      .send({ name: 'Fresh', timezone: 'Asia/Tokyo' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Fresh',
      timezone: 'Asia/Tokyo',
      horizonMonths: 18,
      weekend: [6, 7],
    });
    expect(res.body.functions).toEqual([
      'sales',
      'marketing',
      'operations',
      'procurement',
      'logistics',
      'finance',
    ]);
    expect(res.body.apiToken).toMatch(/^acc_[\w-]{43}$/);
    const again = await t.http
      .get(`/api/v1/orgs/${res.body.id}`)
      .set({ Authorization: `Bearer ${res.body.apiToken}` });
    expect(again.status).toBe(200);
    expect(again.body.apiToken).toBeUndefined();
    const stored = await t.accord.db.models.Org.collection.findOne({});
    expect(JSON.stringify(stored)).not.toContain(res.body.apiToken);
  });

  it.each([
    [{ name: 'X', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ name: '', timezone: 'UTC' }, 'name'],
    [{ name: 'X', timezone: 'UTC', horizonMonths: 36 }, 'horizonMonths'],
    [{ name: 'X', timezone: 'UTC', holidays: ['2027-02-30'] }, 'holidays.0'],
    [{ name: 'X', timezone: 'UTC', calendar: { steps: [] } }, 'calendar.steps'],
    [{ name: 'X', timezone: 'UTC', unexpected: true }, 'unexpected'],
  ])('rejects %j with a field-level message on %s and writes nothing', async (body, field) => {
    const before = await counts();
    const res = await t.http.post('/api/v1/orgs').set(admin()).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.fields)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('rejects a calendar whose steps run out of order', async () => {
    const steps = [
      { key: 'data-gathering', startDay: 1, endDay: 3 },
      { key: 'demand-planning', startDay: 3, endDay: 6 },
      { key: 'supply-planning', startDay: 2, endDay: 9 },
      { key: 'pre-sop', startDay: 10, endDay: 12 },
      { key: 'executive-sop', startDay: 13, endDay: 13 },
    ];
    const res = await t.http
      .post('/api/v1/orgs')
      .set(admin())
      .send({ name: 'X', timezone: 'UTC', calendar: { steps } });
    expect(res.status).toBe(400);
    expect(res.body.error.fields['calendar.steps.2.startDay']).toMatch(/before demand-planning/);
  });

  it('refuses a wrong content type (415), bad JSON (400) and an oversized body (413)', async () => {
    const before = await counts();
    const form = await t.http.post('/api/v1/orgs').set(admin()).type('form').send('name=X&timezone=UTC');
    expect([form.status, form.body.error.code]).toEqual([415, 'unsupported_media_type']);
    const bad = await t.http
      .post('/api/v1/orgs')
      .set(admin())
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_json']);
    const huge = await t.http
      .post('/api/v1/orgs')
      .set(admin())
      .send({ name: 'X', timezone: 'UTC', pad: 'x'.repeat(300_000) });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'payload_too_large']);
    expect(await counts()).toEqual(before);
  });
});

describe('members', () => {
  it('adds a member with the org time zone by default', async () => {
    const res = await t.http
      .post(`/api/v1/orgs/${a.id}/members`)
      .set(a.auth)
      .send({
        name: 'Mia',
        email: 'Mia@Example.com',
        roles: ['functional-leader'],
        functions: ['sales'],
        slackUserId: 'U0MIA1',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'mia@example.com',
      timezone: 'Europe/Berlin',
      quietHours: { start: '19:00', end: '08:00' },
    });
  });

  it.each([
    [{ name: 'X', email: 'x1@example.com', roles: ['wizard'] }, 'roles.0'],
    [{ name: 'X', email: 'not-an-email', roles: ['executive'] }, 'email'],
    [{ name: 'X', email: 'x2@example.com', roles: [] }, 'roles'],
    [{ name: 'X', email: 'x3@example.com', roles: ['functional-leader'] }, 'functions'],
    [
      { name: 'X', email: 'x4@example.com', roles: ['functional-leader'], functions: ['astrology'] },
      'functions.0',
    ],
    [{ name: 'X', email: 'x5@example.com', roles: ['executive'], timezone: 'Nowhere/Land' }, 'timezone'],
    [
      {
        name: 'X',
        email: 'x6@example.com',
        roles: ['executive'],
        quietHours: { start: '25:00', end: '08:00' },
      },
      'quietHours.start',
    ],
    [
      {
        name: 'X',
        email: 'x7@example.com',
        roles: ['executive'],
        delegation: { of: '0123456789abcdef01234567', authority: true },
      },
      'delegation.of',
    ],
  ])('rejects %j on %s and writes nothing', async (body, field) => {
    const before = await counts();
    const res = await t.http.post(`/api/v1/orgs/${a.id}/members`).set(a.auth).send(body);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('answers 409 to a duplicate email or Slack id in the same org, and allows them in another org', async () => {
    await buildMember(t, a, { email: 'dup@example.com', slackUserId: 'U0DUP1' });
    const before = await counts();
    const dupEmail = await t.http
      .post(`/api/v1/orgs/${a.id}/members`)
      .set(a.auth)
      .send({ name: 'D', email: 'DUP@example.com', roles: ['executive'] });
    expect([dupEmail.status, dupEmail.body.error.code]).toEqual([409, 'duplicate']);
    const dupSlack = await t.http
      .post(`/api/v1/orgs/${a.id}/members`)
      .set(a.auth)
      .send({ name: 'D', email: 'other@example.com', roles: ['executive'], slackUserId: 'U0DUP1' });
    expect(dupSlack.status).toBe(409);
    expect(await counts()).toEqual(before);
    const otherOrg = await t.http
      .post(`/api/v1/orgs/${b.id}/members`)
      .set(b.auth)
      .send({ name: 'D', email: 'dup@example.com', roles: ['executive'], slackUserId: 'U0DUP1' });
    expect(otherOrg.status).toBe(201);
  });

  it('lists members a page at a time', async () => {
    const p1 = await t.http.get(`/api/v1/orgs/${a.id}/members?limit=3`).set(a.auth);
    expect(p1.body.items).toHaveLength(3);
    const p2 = await t.http.get(`/api/v1/orgs/${a.id}/members?limit=3&cursor=${p1.body.next}`).set(a.auth);
    expect(p2.body.items[0].id).not.toBe(p1.body.items[2].id);
    expect((await t.http.get(`/api/v1/orgs/${a.id}/members?limit=0`).set(a.auth)).status).toBe(400);
    expect(
      (await t.http.get(`/api/v1/orgs/${a.id}/members?limit=500`).set(a.auth)).body.error.fields.limit,
    ).toBeDefined();
  });
});

describe('cycles', () => {
  it('creates a cycle with its five steps and who owes what', () => {
    expect(cycleA).toMatchObject({ month: '2027-02', status: 'planned' });
    const c = cycleA as unknown as {
      steps: { key: string; status: string; opensAt: string }[];
      inputs: { key: string; owners: { name: string }[] }[];
    };
    expect(c.steps.map((s) => s.key)).toEqual([
      'data-gathering',
      'demand-planning',
      'supply-planning',
      'pre-sop',
      'executive-sop',
    ]);
    expect(c.steps[0]).toMatchObject({ status: 'pending', opensAt: '2027-02-01T08:00:00.000Z' });
    const owed = Object.fromEntries(c.inputs.map((i) => [i.key, i.owners.map((o) => o.name)]));
    expect(owed['data-gathering:data-confirmation']).toEqual(['Petra PO']);
    expect(owed['demand-planning:demand-adjustments:sales']).toEqual(['Lead sales']);
    expect(owed['demand-planning:demand-adjustments:marketing']).toEqual(['Lead marketing']);
    expect(owed['supply-planning:supply-constraints:procurement']).toEqual(['Lead procurement']);
    expect(owed['pre-sop:finance-targets:finance']).toEqual(['Lead finance']);
    expect(Object.keys(owed).filter((k) => k.startsWith('pre-sop:attendance'))).toHaveLength(6);
    expect(Object.keys(owed).filter((k) => k.startsWith('executive-sop:attendance'))).toHaveLength(2);
  });

  it.each([
    [{ month: '2027-13' }, 'month'],
    [{ month: '27-01' }, 'month'],
    [{}, 'month'],
  ])('rejects %j and writes nothing', async (body, field) => {
    const before = await counts();
    const res = await t.http.post(`/api/v1/orgs/${a.id}/cycles`).set(a.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[field]).toBeDefined();
    expect(await counts()).toEqual(before);
  });

  it('answers 409 to a second cycle for the same month and writes nothing', async () => {
    const before = await counts();
    const res = await t.http.post(`/api/v1/orgs/${a.id}/cycles`).set(a.auth).send({ month: '2027-02' });
    expect([res.status, res.body.error.code]).toEqual([409, 'duplicate']);
    expect(res.body.error.fields.month).toMatch(/already exists/);
    expect(await counts()).toEqual(before);
  });

  it('lets only a process owner change steps (403 otherwise), and 409s a change the step cannot make', async () => {
    const before = await counts();
    const notPo = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/extend`)
      .set(a.auth)
      .send({ actorId: team.ceo.id, dueAt: '2027-02-10T16:00:00Z', reason: 'more time' });
    expect([notPo.status, notPo.body.error.code]).toEqual([403, 'forbidden']);
    const pending = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/close`)
      .set(a.auth)
      .send({ actorId: team.po.id });
    expect([pending.status, pending.body.error.code]).toEqual([409, 'step_not_open']);
    const reopen = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/reopen`)
      .set(a.auth)
      .send({ actorId: team.po.id, dueAt: '2027-02-10T16:00:00Z', reason: 'more time' });
    expect([reopen.status, reopen.body.error.code]).toEqual([409, 'step_not_closed']);
    const noReason = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/extend`)
      .set(a.auth)
      .send({ actorId: team.po.id, dueAt: '2027-02-10T16:00:00Z' });
    expect([noReason.status, Object.keys(noReason.body.error.fields)]).toEqual([400, ['reason']]);
    const badDate = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/extend`)
      .set(a.auth)
      .send({ actorId: team.po.id, dueAt: 'next tuesday', reason: 'more time' });
    expect(badDate.body.error.fields.dueAt).toMatch(/ISO 8601/);
    expect(await counts()).toEqual(before);
  });

  it('extends a due date with a reason, recorded on the step and in the audit trail', async () => {
    const res = await t.http
      .post(`/api/v1/orgs/${a.id}/cycles/${cycleA.id}/steps/data-gathering/extend`)
      .set(a.auth)
      .send({ actorId: team.po.id, dueAt: '2027-02-05T16:00:00Z', reason: 'ERP extract arrives late' });
    expect(res.status).toBe(200);
    expect(res.body.steps[0].dueAt).toBe('2027-02-05T16:00:00.000Z');
    expect(res.body.steps[0].changes[0]).toMatchObject({
      kind: 'extend',
      reason: 'ERP extract arrives late',
      by: team.po.id,
    });
    const audit = await t.http.get(`/api/v1/orgs/${a.id}/audit?action=step.extended`).set(a.auth);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor).toEqual({ type: 'member', id: team.po.id });
  });
});
