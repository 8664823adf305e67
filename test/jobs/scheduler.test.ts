/**
 * The scheduler through agenda on the real database: the sweep job opens steps, its schedule
 * survives a restart (a new process picks it up without duplicating it), and stopping drains; the
 * pack build job works what the sweep asked for when pre-S&OP opened.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PACK_BUILD_JOB } from '../../jobs/packBuilds.js';
import { SWEEP_JOB } from '../../jobs/scheduler.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let first: TestAccord;
let org: OrgHandle;
let cycleId: string;

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobs = (t: TestAccord) => t.accord.db.conn.db!.collection('agendaJobs');
const stepStatus = async (t: TestAccord, i: number) =>
  (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body.steps[i].status as string;

beforeAll(async () => {
  first = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(first);
  await buildTeam(first, org);
  cycleId = (await first.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' }))
    .body.id;
});
afterAll(() => first.close());

describe('scheduler', () => {
  it('reports itself on /healthz', async () => {
    expect((await first.http.get('/healthz')).body).toEqual({
      status: 'degraded',
      db: 'up',
      scheduler: 'down',
    });
    await first.accord.scheduler.start();
    expect((await first.http.get('/healthz')).body).toEqual({ status: 'ok', db: 'up', scheduler: 'up' });
  });

  it('runs the sweep as an agenda job that opens a step when its time comes', async () => {
    first.clock.set('2027-02-01T08:00:00Z');
    await first.accord.scheduler.sweepNow();
    await waitFor('data gathering to open', async () => (await stepStatus(first, 0)) === 'open');
    const prompts = (await first.http.get(`/api/v1/orgs/${org.id}/outbox?kind=step-prompt`).set(org.auth))
      .body.items;
    expect(prompts).toHaveLength(1);
    // The same sweep schedules the cycle's meetings once it is under way: their invitations follow.
    await waitFor('the meeting invitations', async () =>
      (await first.http.get(`/api/v1/orgs/${org.id}/outbox?kind=meeting`).set(org.auth)).body.items.some(
        (m: { key: string }) => m.key.startsWith('meeting-invite:'),
      ),
    );
  });

  it('keeps its schedule across a restart: a new process picks it up and nothing is duplicated', async () => {
    await first.accord.scheduler.stop();
    expect((await first.http.get('/healthz')).status).toBe(503);
    const stored = await jobs(first).find({ name: SWEEP_JOB, type: 'single' }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]!['nextRunAt']).toBeInstanceOf(Date);

    // While no scheduler runs, time passes: demand planning is due to open, and the sweep is due.
    first.clock.set('2027-02-03T08:00:00Z');
    await jobs(first).updateOne(
      { name: SWEEP_JOB, type: 'single' },
      { $set: { nextRunAt: new Date(Date.now() - 1000) } },
    );

    const second = await startTestAccord({ dbName: first.dbName, fresh: false, now: '2027-02-03T08:00:00Z' });
    try {
      await second.accord.scheduler.start();
      await waitFor(
        'demand planning to open after the restart',
        async () => (await stepStatus(second, 1)) === 'open',
      );
      expect(await jobs(second).countDocuments({ name: SWEEP_JOB, type: 'single' })).toBe(1);
      const prompts = (await second.http.get(`/api/v1/orgs/${org.id}/outbox?kind=step-prompt`).set(org.auth))
        .body.items;
      expect(prompts.filter((p: { key: string }) => p.key.includes('demand-planning'))).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('drains on stop: a sweep that has started finishes before stop returns', async () => {
    const third = await startTestAccord({ dbName: first.dbName, fresh: false, now: '2027-02-08T08:00:00Z' });
    try {
      let finished = 0;
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      (await third.accord.scheduler.agenda()).on(`start:${SWEEP_JOB}`, () => started());
      (await third.accord.scheduler.agenda()).on(`complete:${SWEEP_JOB}`, () => finished++);
      await third.accord.scheduler.start();
      await third.accord.scheduler.sweepNow();
      await running;
      await third.accord.scheduler.stop();
      expect(finished).toBeGreaterThanOrEqual(1);
      expect(await stepStatus(third, 2)).toBe('open'); // supply planning opened on 8 Feb
    } finally {
      await third.close();
    }
  });

  it('leaves the pack to its own job: the sweep asks, the pack build job answers', async () => {
    const fourth = await startTestAccord({ dbName: first.dbName, fresh: false, now: '2027-02-12T08:00:00Z' });
    try {
      await fourth.accord.scheduler.start();
      await fourth.accord.scheduler.sweepNow();
      // No dataset here: the job tells the process owner why there is no pack.
      const notice = await waitFor('the pack build job to answer', async () =>
        (
          (await fourth.http.get(`/api/v1/orgs/${org.id}/outbox?kind=escalation`).set(org.auth)).body
            .items as { key: string; card: { summary: string } }[]
        ).find((m) => m.key.startsWith(`pack-missing:${cycleId}:r1:`)),
      );
      expect(notice.card.summary).toMatch(/no dataset/);
      // The notice is queued first, then the request settled.
      const settled = await waitFor('the request to be settled', async () => {
        const r = await fourth.accord.deps.packBuilds.get(org.id, `${cycleId}:r1`);
        return r?.status === 'done' && r;
      });
      expect(settled).toMatchObject({ outcome: 'missing', attempts: 1 });
      expect(await jobs(fourth).countDocuments({ name: PACK_BUILD_JOB, type: 'single' })).toBe(1);
    } finally {
      await fourth.close();
    }
  });
});
