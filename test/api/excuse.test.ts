/**
 * A process owner excuses an input (POST .../inputs/{id}/excuse): no longer owed, reminded or
 * escalated, and a step counts as complete when everything else is in; refused for others than a
 * process owner, without a reason, and once the step has closed. (Withdrawing an excuse while the
 * step is open: test/web/web-sign-in.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { completeSteps } from '../../src/app/cycleEngine.js';
import type { InputRequestRecord } from '../../src/app/records.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;

const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
const inputs = async () =>
  (await t.http.get(api(`/cycles/${cycleId}/inputs`)).set(org.auth)).body.items as {
    id: string;
    step: string;
    kind: string;
    owners: { id: string }[];
    excused: { reason: string } | null;
  }[];
const excuse = (id: string, body: Record<string, unknown>) =>
  t.http
    .post(api(`/cycles/${cycleId}/inputs/${id}/excuse`))
    .set(org.auth)
    .send(body);

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Excuse Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  await sweepAt(t, '2027-02-03T09:00:00Z'); // data gathering and demand planning open
});
afterAll(() => t.close());

describe('excusing an input', () => {
  it('is refused without a reason, for someone who is not a process owner, and writes nothing', async () => {
    const demand = (await inputs()).find((r) => r.step === 'demand-planning')!;
    expect((await excuse(demand.id, { actorId: team.po.id, reason: '  ' })).status).toBe(400);
    expect((await excuse(demand.id, { actorId: team.ceo.id, reason: 'on leave' })).status).toBe(403);
    expect((await inputs()).find((r) => r.id === demand.id)!.excused).toBeNull();
  });

  it('takes the input off what is owed: no reminder and no escalation for it; the others are reminded', async () => {
    const demand = (await inputs()).filter((r) => r.step === 'demand-planning');
    expect(demand.length).toBeGreaterThan(1);
    const excused = demand[0]!;
    const res = await excuse(excused.id, {
      actorId: team.po.id,
      reason: 'Marketing has no campaign this month',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ excused: true, stepClosed: false });
    expect((await inputs()).find((r) => r.id === excused.id)!.excused).toMatchObject({
      reason: 'Marketing has no campaign this month',
    });
    const audit = (await t.http.get(api(`/audit?entityId=${excused.id}`)).set(org.auth)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toContain('input.excused');

    // Through the step's due day and past its due time: reminders go out, then the escalation.
    const cycle = (await t.http.get(api(`/cycles/${cycleId}`)).set(org.auth)).body;
    const due = new Date(
      cycle.steps.find((s: { key: string }) => s.key === 'demand-planning').dueAt,
    ).getTime();
    for (const h of [-30, -6, -1, 1]) await sweepAt(t, new Date(due + h * 3_600_000).toISOString());
    const records = await t.accord.deps.outbox.list(org.id, { cycleId }, { limit: 500, after: null });
    const keys = records.items.map((m) => m.key);
    const requestKey = (await t.accord.deps.requests.get(org.id, excused.id))!.key;
    expect(keys.some((k) => k.startsWith('reminder:') && !k.includes(`:${requestKey}:`))).toBe(true);
    expect(keys.filter((k) => k.startsWith('reminder:') && k.includes(`:${requestKey}:`))).toEqual([]);
    const escalation = records.items.find(
      (m) => m.kind === 'escalation' && m.key.includes(':demand-planning:'),
    );
    expect(escalation).toBeDefined();
    const table = escalation!.card.blocks.find((b) => b.type === 'table') as { rows: unknown[] };
    expect(table.rows).toHaveLength(demand.length - 1);
  });

  it('once its step has closed, an excuse can no longer be changed (reopen the step first)', async () => {
    const demand = (await inputs()).filter((r) => r.step === 'demand-planning');
    const res = await excuse(demand[0]!.id, { actorId: team.po.id, reason: null });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('reopen it');
    expect((await inputs()).find((r) => r.id === demand[0]!.id)!.excused).not.toBeNull();
  });
});

describe('a step is complete', () => {
  it('when each of its inputs is submitted or excused', () => {
    const r = (step: InputRequestRecord['step'], latestVersion: number, excused: boolean) =>
      ({
        step,
        latestVersion,
        excused: excused ? { by: 'po', reason: 'on leave', at: new Date() } : null,
      }) as InputRequestRecord;
    const done = completeSteps([
      r('demand-planning', 1, false),
      r('demand-planning', 0, true),
      r('supply-planning', 0, false),
    ]);
    expect(done.has('demand-planning')).toBe(true);
    expect(done.has('supply-planning')).toBe(false);
  });
});
