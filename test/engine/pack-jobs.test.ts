/**
 * The pack build job against the real database with a controlled clock: the sweep only asks for a
 * pack when pre-S&OP opens (one request per opening, however often asked) and goes on to the next
 * org; the job builds it and queues its card once, however often or concurrently it runs; a build
 * that fails is tried again after a pause, one interrupted by a dead process once its lease ends,
 * and after the last attempt the process owners are told.
 *
 * February 2027 in Berlin. Slow Co (default calendar): pre-S&OP opens Fri 12 Feb 09:00 (08:00Z).
 * Quick Co: data gathering runs until Fri 12 Feb 17:00, so a reminder comes due at the same minute;
 * it has no dataset, and its pre-S&OP opens Wed 17 Feb. Flaky Co: pre-S&OP opens Mon 15 Feb;
 * Broken Co: Tue 16 Feb.
 *
 * What fails is the outside world's part: the LP solver (a port) answers "Time limit reached".
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { advanceAllCycles } from '../../src/app/cycleEngine.js';
import { PACK_BUILD_DEFAULTS, requestPackBuild, runPackBuilds } from '../../src/app/packJobs.js';
import type { LpSolver } from '../../src/app/solver.js';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { buildPacks, startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

interface Org extends OrgHandle {
  cycleId: string;
  po: { id: string; name: string };
}

let t: TestAccord;
let slow: Org;
let quick: Org;
let flaky: Org;
let broken: Org;

const tables = syntheticCompany({
  families: 8,
  resources: 4,
  months: 36,
  lastMonth: '2027-01',
  horizon: 24,
  tightShare: 0.5,
  seed: 5,
});

/** A calendar by business days: [start, end] of each step in order. */
const calendar = (...days: [number, number][]) => ({
  steps: ['data-gathering', 'demand-planning', 'supply-planning', 'pre-sop', 'executive-sop'].map(
    (key, i) => ({
      key,
      startDay: days[i]![0],
      endDay: days[i]![1],
    }),
  ),
});

async function setUp(name: string, overrides: Record<string, unknown>, dataset: boolean): Promise<Org> {
  const org = await buildOrg(t, { name, timezone: 'Europe/Berlin', ...overrides });
  const team = await buildTeam(t, org);
  if (dataset) {
    let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
    for (const [table, rows] of Object.entries(tables))
      upload = upload.attach(table, Buffer.from(toCsv(rows)), `${table}.csv`);
    expect((await upload).status).toBe(201);
  }
  const res = await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
  expect(res.status).toBe(201);
  return { ...org, cycleId: res.body.id, po: team.po };
}

type Message = {
  id: string;
  key: string;
  kind: string;
  recipient: { memberId: string };
  card: { summary: string };
};
const outbox = async (org: Org, query = '', keyStart = '') =>
  (
    (await t.http.get(`/api/v1/orgs/${org.id}/outbox?limit=100${query}`).set(org.auth)).body
      .items as Message[]
  ).filter((m) => m.key.startsWith(keyStart));
const packs = (org: Org) => t.accord.db.models.Pack.countDocuments({ cycleId: org.cycleId });
const request = (org: Org, round = 1) => t.accord.deps.packBuilds.get(org.id, `${org.cycleId}:r${round}`);
const preSop = async (org: Org) =>
  (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${org.cycleId}`).set(org.auth)).body.steps[3] as {
    status: string;
    round: number;
  };

/** The real solver, except that its first `failures` answers are "Time limit reached". */
function failingSolver(failures: number): LpSolver & { calls: number } {
  const real = t.accord.deps.solver;
  let left = failures;
  return {
    calls: 0,
    async solve(lp) {
      this.calls++;
      if (left-- > 0) return { status: 'Time limit reached', columns: {}, duals: {} };
      return real.solve(lp);
    },
  };
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  // Created in this order, the sweep takes Slow Co's cycle before Quick Co's (by id).
  slow = await setUp('Slow Co', {}, true);
  quick = await setUp(
    'Quick Co',
    { calendar: calendar([1, 10], [11, 11], [11, 12], [13, 13], [14, 14]) },
    false,
  );
  flaky = await setUp('Flaky Co', { calendar: calendar([1, 3], [3, 6], [6, 9], [11, 12], [13, 13]) }, true);
  broken = await setUp('Broken Co', { calendar: calendar([1, 3], [3, 6], [6, 9], [12, 12], [13, 13]) }, true);
  for (const at of ['2027-02-01T08:00:00Z', '2027-02-03T08:00:00Z', '2027-02-08T08:00:00Z'])
    await sweepAt(t, at);
});
afterAll(() => t.close());

describe('the pack build job', () => {
  it('is only asked for by the sweep: the sweep goes on to the next org and the pack comes from the job', async () => {
    t.clock.set('2027-02-12T08:00:00Z');
    await advanceAllCycles(t.accord.deps, (_id, err) => {
      throw err;
    });
    expect((await preSop(slow)).status).toBe('open');
    // Asked for, not built: no pack, no card.
    expect(await request(slow)).toMatchObject({ status: 'pending', attempts: 0, round: 1 });
    expect(await packs(slow)).toBe(0);
    expect(await outbox(slow, '&kind=pack')).toEqual([]);
    // Quick Co, swept after Slow Co, got its reminder in the same sweep, before any build.
    const slowPrompts = (await outbox(slow, '&kind=step-prompt')).filter((m) => m.key.includes(':pre-sop:'));
    const [reminder, ...more] = await outbox(quick, '&kind=reminder');
    expect(more).toEqual([]);
    expect(reminder!.key).toContain(`:${quick.cycleId}:data-gathering:`);
    expect(slowPrompts.length).toBeGreaterThan(0);
    for (const p of slowPrompts) expect(p.id < reminder!.id).toBe(true); // Slow Co was swept first

    // Two workers at once (two processes, say): one builds, the other sees the attempt taken.
    const runs = await Promise.all([buildPacks(t), buildPacks(t)]);
    expect(runs.map((r) => r.shared).sort()).toEqual([0, 1]);
    expect(runs.map((r) => r.skipped).sort()).toEqual([0, 1]);
    expect(await packs(slow)).toBe(1);
    const [card, ...others] = await outbox(slow, '&kind=pack');
    expect(others).toEqual([]);
    expect(card).toMatchObject({ key: `pack:${slow.cycleId}:r1`, recipient: { memberId: slow.po.id } });
    expect(card!.card.summary).toMatch(/Pre-S&OP pack 2027-02 is ready/);
    // The card came after Quick Co's reminder: the build did not hold the sweep up.
    expect(reminder!.id < card!.id).toBe(true);
    expect(await request(slow)).toMatchObject({ status: 'done', outcome: 'shared', attempts: 1 });
  });

  it('asks once per opening, and queues the card once however often the job runs', async () => {
    await sweepAt(t, '2027-02-12T08:01:00Z');
    expect(
      await requestPackBuild(t.accord.deps, (await t.accord.deps.cycles.get(slow.id, slow.cycleId))!, 1),
    ).toBe(false);
    expect(await t.accord.db.models.PackBuild.countDocuments({ cycleId: slow.cycleId })).toBe(1);
    expect(await buildPacks(t)).toEqual({ shared: 0, notShared: 0, retrying: 0, failed: 0, skipped: 0 });
    expect(await outbox(slow, '&kind=pack')).toHaveLength(1);
    expect(await packs(slow)).toBe(1);
  });

  it('does not build again a pack built since the step opened', async () => {
    // Asked again for another round of the same opening: the pack of 12 Feb is shared, not rebuilt.
    const cycle = (await t.accord.deps.cycles.get(slow.id, slow.cycleId))!;
    expect(await requestPackBuild(t.accord.deps, cycle, 2)).toBe(true);
    expect(await buildPacks(t)).toMatchObject({ shared: 1 });
    expect(await packs(slow)).toBe(1);
    expect((await outbox(slow, '&kind=pack')).map((m) => m.key)).toEqual([
      `pack:${slow.cycleId}:r1`,
      `pack:${slow.cycleId}:r2`,
    ]);
  });

  it('tries a build that failed again after a pause, and then shares it', async () => {
    await sweepAt(t, '2027-02-15T08:00:00Z');
    expect((await preSop(flaky)).status).toBe('open');
    const solver = failingSolver(1);
    const deps = { ...t.accord.deps, solver };
    const errors: unknown[] = [];
    const onError = (_b: unknown, _n: number, err: unknown) => errors.push(err);

    expect(await runPackBuilds(deps, { onError })).toMatchObject({ retrying: 1, shared: 0 });
    expect(solver.calls).toBeGreaterThan(0);
    expect(String(errors[0])).toMatch(/Time limit reached/);
    expect(await request(flaky)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/Time limit reached/),
      notBefore: new Date(Date.parse('2027-02-15T08:00:00Z') + PACK_BUILD_DEFAULTS.retryAfterMs),
    });
    expect(await packs(flaky)).toBe(0);

    // Not before its pause is over.
    expect(await runPackBuilds(deps, { onError })).toMatchObject({ retrying: 0, shared: 0 });
    t.clock.set('2027-02-15T08:01:00Z');
    expect(await runPackBuilds(deps, { onError })).toMatchObject({ shared: 1 });
    expect(errors).toHaveLength(1);
    expect(await request(flaky)).toMatchObject({ status: 'done', outcome: 'shared', attempts: 2 });
    expect((await outbox(flaky, '&kind=pack')).map((m) => m.key)).toEqual([`pack:${flaky.cycleId}:r1`]);
    expect(await outbox(flaky, '&kind=escalation', 'pack-')).toEqual([]);
  });

  it('takes up a build whose process died once its lease is over, and tells the owners after the last attempt', async () => {
    await sweepAt(t, '2027-02-16T08:00:00Z');
    const id = `${broken.cycleId}:r1`;
    // A worker claimed attempt 1 and died mid-build: nobody else builds while its lease runs.
    expect(await t.accord.deps.packBuilds.claim(id, 1, t.clock.now())).toBe(true);
    const solver = failingSolver(Infinity);
    const deps = { ...t.accord.deps, solver };
    t.clock.set('2027-02-16T08:04:00Z');
    expect(await runPackBuilds(deps)).toMatchObject({ skipped: 1 });
    expect(solver.calls).toBe(0);

    // Its lease over, attempt 2 is made (and fails), then attempt 3 after the pause (and fails).
    t.clock.set('2027-02-16T08:05:00Z');
    expect(await runPackBuilds(deps)).toMatchObject({ retrying: 1 });
    expect(await request(broken)).toMatchObject({ status: 'pending', attempts: 2 });
    t.clock.set('2027-02-16T08:07:00Z');
    expect(await runPackBuilds(deps)).toMatchObject({ failed: 1 });
    expect(await request(broken)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: expect.stringMatching(/Time limit reached/),
    });
    const notices = await outbox(broken, '&kind=escalation', 'pack-');
    expect(notices.map((m) => [m.key, m.recipient.memberId])).toEqual([
      [`pack-failed:${broken.cycleId}:r1:${broken.po.id}`, broken.po.id],
    ]);
    expect(notices[0]!.card.summary).toBe(
      `Pre-S&OP 2027-02 is open but there is no pack: building it failed 3 times (an internal error; the service log has the details). Accord does not try again: build it with POST /api/v1/orgs/${broken.id}/cycles/${broken.cycleId}/pack once the cause is fixed.`,
    );
    // Given up: no more attempts, no second notice.
    t.clock.set('2027-02-16T09:00:00Z');
    expect(await runPackBuilds(deps)).toMatchObject({ failed: 0, retrying: 0 });
    expect(await outbox(broken, '&kind=escalation', 'pack-')).toHaveLength(1);
    expect(await outbox(broken, '&kind=pack')).toEqual([]);
  });

  it('gives up on a build whose last attempt was interrupted too, and says so', async () => {
    const cycle = (await t.accord.deps.cycles.get(broken.id, broken.cycleId))!;
    expect(await requestPackBuild(t.accord.deps, cycle, 2)).toBe(true);
    const id = `${broken.cycleId}:r2`;
    for (const n of [1, 2, 3]) expect(await t.accord.deps.packBuilds.claim(id, n, t.clock.now())).toBe(true);
    t.clock.set('2027-02-16T09:10:00Z');
    expect(await buildPacks(t)).toMatchObject({ failed: 1 });
    expect(await request(broken, 2)).toMatchObject({ status: 'failed', attempts: 3 });
    const [notice] = await outbox(broken, '&kind=escalation', `pack-failed:${broken.cycleId}:r2:`);
    expect(notice!.card.summary).toMatch(
      /building it failed 3 times \(the last attempt was interrupted: Accord stopped while building\)/,
    );
  });

  it('tells the process owners when there is no dataset, as before', async () => {
    await sweepAt(t, '2027-02-17T08:00:00Z'); // Quick Co's pre-S&OP opens (business day 12)
    expect((await preSop(quick)).status).toBe('open');
    expect(await buildPacks(t)).toMatchObject({ notShared: 1 });
    expect(await request(quick)).toMatchObject({ status: 'done', outcome: 'missing' });
    const notices = (await outbox(quick, '&kind=escalation')).filter((m) =>
      m.key.startsWith('pack-missing:'),
    );
    expect(notices.map((m) => m.key)).toEqual([`pack-missing:${quick.cycleId}:r1:${quick.po.id}`]);
    expect(notices[0]!.card.summary).toMatch(/no dataset/);
  });
});
