/**
 * A pack is the same on any number of planning threads (issue 13): the forecasts, the LPs and the
 * Monte Carlo samples run on worker threads or in the main thread, and the pack built either way
 * is identical for the same data, inputs and seed. Its forecasts are then kept: a rebuild fits
 * nothing and gives the same pack again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';
import { warmedUp } from '../../src/app/forecasts.js';

let threaded: TestAccord;
let single: TestAccord;
let org: OrgHandle;
let cycleId: string;

const tables = syntheticCompany({
  families: 30,
  resources: 10,
  months: 36,
  lastMonth: '2027-01',
  horizon: 24,
  tightShare: 0.3,
  seed: 7,
});

beforeAll(async () => {
  threaded = await startTestAccord({ now: '2027-01-20T10:00:00Z', planThreads: 2 });
  single = await startTestAccord({
    now: '2027-01-20T10:00:00Z',
    dbName: threaded.dbName,
    planThreads: 0,
    fresh: false,
  });
  org = await buildOrg(threaded, { name: 'Threads Co', timezone: 'Europe/Berlin' });
  let upload = threaded.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  expect((await upload).status).toBe(201);
  const cycle = await threaded.http
    .post(`/api/v1/orgs/${org.id}/cycles`)
    .set(org.auth)
    .send({ month: '2027-02' });
  cycleId = cycle.body.id;
});
afterAll(async () => {
  await single.close();
  await threaded.close();
});

/** What may differ between two builds of the same pack: its id, number, time and links, how it was built. */
function planned(body: Record<string, unknown>) {
  const {
    version: _v,
    id: _id,
    builtAt: _b,
    build: _build,
    links: _links,
    forecast,
    ...rest
  } = body as { forecast: Record<string, unknown> } & Record<string, unknown>;
  const { cached: _c, reusedFrom: _r, ...fc } = forecast;
  return { ...rest, forecast: fc };
}

describe('planning threads', () => {
  it('fits the forecasts when the data arrives, then builds the same pack on two worker threads and in the main thread', async () => {
    const path = `/api/v1/orgs/${org.id}/cycles/${cycleId}/pack`;
    const pieces = threaded.accord.db.models.ForecastPiece;
    // The upload's forecasts, fitted in the background for the open cycle's horizon: the pack finds them.
    await warmedUp();
    expect(await pieces.countDocuments({})).toBeGreaterThan(0);
    const warm = await threaded.http.post(path).set(org.auth).send({});
    expect(warm.status).toBe(201);
    expect(warm.body.forecast.cached).toBe(30);
    expect(warm.body.tradeoffs.length).toBeGreaterThan(0);

    // The cache emptied (in the store, and a fresh process): two worker threads fit every family
    // again ...
    await pieces.deleteMany({});
    const fresh = await startTestAccord({
      now: '2027-01-20T10:00:00Z',
      dbName: threaded.dbName,
      planThreads: 2,
      fresh: false,
    });
    const a = await fresh.http.post(path).set(org.auth).send({});
    await fresh.close();
    expect(a.status).toBe(201);
    expect(a.body.build.threads).toBe(2);
    expect(a.body.forecast.cached).toBe(0);

    // ... and so does the main thread, to the same pack.
    await pieces.deleteMany({});
    const b = await single.http.post(path).set(org.auth).send({});
    expect(b.status).toBe(201);
    expect(b.body.build.threads).toBe(0);
    expect(b.body.forecast.cached).toBe(0);
    expect(planned(b.body)).toEqual(planned(a.body));
    expect(planned(warm.body)).toEqual(planned(a.body));
    const mc = (p: { scenarios: { key: string; monteCarlo?: unknown }[] }) =>
      p.scenarios.find((s) => s.key === 'monte-carlo')!.monteCarlo;
    expect(mc(b.body)).toEqual(mc(a.body));

    // A rebuild fits nothing: every forecast comes from the cache (this process's), and the pack is the same.
    const c = await threaded.http.post(path).set(org.auth).send({});
    expect(c.status).toBe(201);
    expect(c.body.forecast.cached).toBe(30);
    expect(c.body.forecast.reusedFrom).toBe(3);
    expect(planned(c.body)).toEqual(planned(a.body));
  });
});
