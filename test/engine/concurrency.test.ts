/**
 * Races on the real database: sweeps running at the same moment, people submitting at once,
 * retried requests. Unique indexes and optimistic versions must keep every count exact.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { auditHash } from '../../models/repositories.js';
import { advanceAllCycles } from '../../src/app/cycleEngine.js';
import type { AlertRecord } from '../../src/app/records.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycle: { id: string; inputs: { id: string; key: string }[] };

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t);
  team = await buildTeam(t, org);
  cycle = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body;
});
afterAll(() => t.close());

const fail = (_id: string, err: unknown) => {
  throw err;
};

describe('concurrency', () => {
  it('five sweeps at the same instant open each step once and queue each message once', async () => {
    t.clock.set('2027-02-03T08:00:00Z'); // data gathering and demand planning open
    await Promise.all(Array.from({ length: 5 }, () => advanceAllCycles(t.accord.deps, fail)));
    const outbox = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?limit=100`).set(org.auth)).body.items as {
      key: string;
    }[];
    expect(outbox).toHaveLength(3); // the process owner, sales and marketing
    expect(new Set(outbox.map((m) => m.key)).size).toBe(3);
    const audit = (await t.http.get(`/api/v1/orgs/${org.id}/audit?action=step.opened`).set(org.auth)).body
      .items;
    expect(audit).toHaveLength(2);
  });

  it('ten simultaneous submissions of one input become versions 1..10, none lost or doubled', async () => {
    const req = cycle.inputs.find((i) => i.key === 'demand-planning:demand-adjustments:sales')!;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.http
          .post(`/api/v1/orgs/${org.id}/cycles/${cycle.id}/inputs/${req.id}/submissions`)
          .set(org.auth)
          .send({
            memberId: team.leaders['sales']!.id,
            payload: {
              adjustments: [
                {
                  family: `F${i}`,
                  from: '2027-03',
                  to: '2027-03',
                  change: { type: 'units', value: i },
                  reason: 'Order book',
                },
              ],
            },
          }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const inputs = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycle.id}/inputs`).set(org.auth)).body
      .items;
    expect(inputs.find((i: { id: string }) => i.id === req.id).latestVersion).toBe(10);
  });

  it('a process owner extending while the sweep runs loses nothing: both changes land', async () => {
    t.clock.set('2027-02-03T09:00:00Z');
    const [ext] = await Promise.all([
      t.http
        .post(`/api/v1/orgs/${org.id}/cycles/${cycle.id}/steps/demand-planning/extend`)
        .set(org.auth)
        .send({ actorId: team.po.id, dueAt: '2027-02-09T16:00:00Z', reason: 'Promotion calendar late' }),
      advanceAllCycles(t.accord.deps, fail),
      advanceAllCycles(t.accord.deps, fail),
    ]);
    expect(ext.status).toBe(200);
    const c = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycle.id}`).set(org.auth)).body;
    expect(c.steps[1].dueAt).toBe('2027-02-09T16:00:00.000Z');
    expect(c.steps[1].changes).toHaveLength(1);
  });

  it('twenty simultaneous members with the same email: exactly one is created', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.http
          .post(`/api/v1/orgs/${org.id}/members`)
          .set(org.auth)
          .send({ name: 'Twin', email: 'twin@example.com', roles: ['executive'] }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it('twenty simultaneous audit appends form one unbroken hash chain, and a stale head is repaired', async () => {
    const audit = t.accord.deps.audit;
    const other = await buildOrg(t, { name: 'Audit Co' });
    const at = new Date('2027-02-03T10:00:00Z');
    const append = (i: number) =>
      audit.append(
        other.id,
        {
          actor: { type: 'system', id: 'test' },
          action: 'test.event',
          entity: { type: 'test', id: String(i) },
        },
        at,
      );
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(i)));
    // A crash between an insert and the head update leaves the head behind: the next append repairs it.
    await t.accord.db.models.AuditHead.collection.updateOne(
      { _id: new Types.ObjectId(other.id) },
      { $set: { seq: 3 } },
    );
    await append(20);
    const events = (await audit.list(other.id, {}, { limit: 100, after: null })).items.sort(
      (x, y) => x.seq - y.seq,
    );
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1)); // org.created + 21
    events.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? '0'.repeat(64) : events[i - 1]!.hash);
      const { id: _id, hash, ...rest } = e;
      expect(auditHash(rest)).toBe(hash);
    });
  });

  it('five checks raising the same 1,500 alerts at once: each is raised once, by one of them', async () => {
    const other = await buildOrg(t, { name: 'Alert Co' });
    const alert = (i: number): AlertRecord => ({
      id: `${other.id}:band:F${i}:2027-W05:above`,
      orgId: other.id,
      cycleId: cycle.id,
      key: `band:F${i}:2027-W05:above`,
      kind: 'demand-band',
      subject: { type: 'family', id: `F${i}` },
      week: '2027-W05',
      owner: 'sales',
      severity: 'warning',
      measured: 120,
      expected: 100,
      change: 20,
      changePct: 20,
      unitsAtRisk: 5,
      moneyAtStake: 50,
      what: `Orders of F${i} were 120 in 2027-W05, above the P90.`,
      raisedAt: new Date('2027-02-03T10:00:00Z'),
      notified: false,
    });
    const all = Array.from({ length: 1500 }, (_, i) => alert(i));
    // One raised before: no check raises it again (the batch goes on past it).
    expect(await t.accord.deps.soe.raise([all[700]!])).toEqual(new Set([all[700]!.id]));
    const runs = await Promise.all(Array.from({ length: 5 }, () => t.accord.deps.soe.raise(all)));
    const counts = new Map<string, number>();
    for (const ids of runs) for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(1499);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.has(all[700]!.id)).toBe(false);
    const stored = await t.accord.deps.soe.alerts(other.id);
    expect(new Set(stored.map((a) => a.id))).toEqual(new Set(all.map((a) => a.id)));
    expect(stored.find((a) => a.key === all[3]!.key)).toEqual(all[3]);
  });
});
