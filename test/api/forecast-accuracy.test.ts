/**
 * Forecast accuracy tracked over cycles, on the real database and HTTP: a pack planned on January's
 * data (with a sales adjustment) is scored once a later data set brings February to June's actuals;
 * per pack, in total, per family, and each function's value added; over the API and in the next
 * cycle's pack (JSON and document).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let february: string;

const company = (lastMonth: string, months: number) =>
  syntheticCompany({ families: 6, resources: 3, months, lastMonth, horizon: 18, tightShare: 0.2, seed: 11 });
async function upload(tables: ReturnType<typeof company>) {
  let req = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    req = req.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  const res = await req;
  expect(res.status).toBe(201);
  return res.body.version as number;
}
const accuracy = (query = '') => t.http.get(`/api/v1/orgs/${org.id}/forecast-accuracy${query}`).set(org.auth);

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Track Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  await upload(company('2027-01', 36));
  const res = await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
  february = res.body.id;
  await sweepAt(t, '2027-02-03T08:00:00Z'); // demand planning open
  const input = (res.body.inputs as { id: string; key: string }[]).find((i) => i.key.endsWith(':sales'))!;
  const adjusted = await t.http
    .post(`/api/v1/orgs/${org.id}/cycles/${february}/inputs/${input.id}/submissions`)
    .set(org.auth)
    .send({
      memberId: team.leaders['sales']!.id,
      payload: {
        adjustments: [
          {
            family: 'F001',
            from: '2027-03',
            to: '2027-06',
            change: { type: 'percent', value: 15 },
            reason: 'Listing',
          },
        ],
      },
    });
  expect([adjusted.status, adjusted.body.error?.fields]).toEqual([201, undefined]);
  expect(
    (await t.http.post(`/api/v1/orgs/${org.id}/cycles/${february}/pack`).set(org.auth).send({})).status,
  ).toBe(201);
});
afterAll(() => t.close());

describe('forecast accuracy over cycles', () => {
  it('has nothing to score while no later data set has arrived', async () => {
    const res = await accuracy();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ scoredWith: 1, packs: [] });
  });

  it("scores February's pack once March to June's actuals are in: totals, families, each function's value added", async () => {
    const v2 = await upload(company('2027-06', 41));
    const res = await accuracy('?limit=3');
    expect(res.status).toBe(200);
    expect(res.body.scoredWith).toBe(v2);
    expect(res.body.packs).toHaveLength(1);
    const p = res.body.packs[0];
    expect(p).toMatchObject({
      cycleId: february,
      month: '2027-02',
      packVersion: 1,
      datasetVersion: 1,
      from: '2027-03',
      to: '2027-06',
      familiesScored: 6,
    });
    expect(p.total.statistical.points).toBe(6 * 4); // March to June (the cycle plans from March)
    for (const s of [p.total.statistical, p.total.consensus]) {
      expect(s.wmape).toBeGreaterThanOrEqual(0);
      expect(s.coverage).toBeGreaterThanOrEqual(0);
      expect(s.coverage).toBeLessThanOrEqual(100);
      expect(Number.isFinite(s.mase)).toBe(true);
    }
    expect(p.families).toHaveLength(3);
    const wmapes = p.families.map((f: { consensus: { wmape: number } }) => f.consensus.wmape);
    expect([...wmapes].sort((a, b) => b - a)).toEqual(wmapes); // furthest off first
    const fns = p.valueAdded.map((v: { function: string }) => v.function);
    expect(fns).toEqual(['sales', 'consensus']);
    const sales = p.valueAdded[0];
    expect(sales.points).toBe(4); // F001, March to June
    expect(sales.fva).toBeCloseTo(sales.wmapeWithout - sales.wmapeWith, 10);
  });

  it("shows the track record in the next cycle's pack, as JSON and in the document", async () => {
    const july = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-07' }))
      .body.id;
    expect(
      (await t.http.post(`/api/v1/orgs/${org.id}/cycles/${july}/pack`).set(org.auth).send({})).status,
    ).toBe(201);
    const pack = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${july}/pack`).set(org.auth)).body;
    expect(pack.trackRecord).toHaveLength(1);
    expect(pack.trackRecord[0]).toMatchObject({ month: '2027-02', familiesScored: 6 });
    const html = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${july}/pack.html`).set(org.auth)).text;
    expect(html).toContain('How earlier forecasts did');
    expect(html).toMatch(/2027-02 v1 \(data v1\)/);
    expect(html).toMatch(/sales [+-]\d+\.\d/);
  });

  it('refuses a bad query field by field', async () => {
    const res = await accuracy('?limit=0&datasetVersion=x');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.fields).sort()).toEqual(['datasetVersion', 'limit']);
  });
});
