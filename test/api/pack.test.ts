/**
 * The pre-S&OP pack end to end, on the real database and HTTP with a controlled clock: data
 * uploaded and confirmed in step 1, a sales adjustment in step 2, a capacity cut and finance
 * targets in step 3; pre-S&OP opening asks for the pack, and the pack build job builds it and
 * posts its card for the S&OP channel; the pack reads as JSON (with provenance), as a document and
 * as charts, through signed links; what-ifs compare with the base plan; bad input and other orgs
 * are refused.
 *
 * February 2027 in Berlin: data gathering opens Mon 1 Feb 09:00, demand planning Wed 3 Feb,
 * supply planning Mon 8 Feb, pre-S&OP Fri 12 Feb.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { buildPacks, startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let inputs: { id: string; key: string; kind: string }[];

const sweep = (at: string) => sweepAt(t, at);
const base = () => `/api/v1/orgs/${org.id}/cycles/${cycleId}`;
const submit = (kind: string, memberId: string, payload: unknown, fn?: string) => {
  const input = inputs.find((i) => i.kind === kind && (!fn || i.key.endsWith(`:${fn}`)))!;
  return t.http.post(`${base()}/inputs/${input.id}/submissions`).set(org.auth).send({ memberId, payload });
};
/** A signed link's path and query, for supertest (the links are absolute). */
const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');

const tables = syntheticCompany({
  families: 12,
  resources: 6,
  months: 36,
  lastMonth: '2027-01',
  horizon: 24,
  tightShare: 0.25,
  seed: 3,
});

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Pack Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  const res = await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
  cycleId = res.body.id;
  inputs = res.body.inputs;
});
afterAll(() => t.close());

describe('the pre-S&OP pack', () => {
  it('refuses to build without a dataset, and writes nothing', async () => {
    const res = await t.http.post(`${base()}/pack`).set(org.auth).send({});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no dataset/);
    expect(await t.accord.db.models.Pack.countDocuments({})).toBe(0);
  });

  it('plans with the data confirmed in step 1 and the inputs of steps 2 and 3', async () => {
    let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
    for (const [name, rows] of Object.entries(tables))
      upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
    expect((await upload).status).toBe(201);

    await sweep('2027-02-01T08:00:00Z');
    expect((await submit('data-confirmation', team.po.id, { datasetVersion: 1 })).status).toBe(201);
    await sweep('2027-02-03T08:00:00Z');
    const adjusted = await submit(
      'demand-adjustments',
      team.leaders['sales']!.id,
      {
        adjustments: [
          {
            family: 'F001',
            from: '2027-04',
            to: '2027-06',
            change: { type: 'percent', value: 20 },
            reason: 'Listing at RetailCo',
          },
        ],
      },
      'sales',
    );
    expect(adjusted.status).toBe(201);
    await sweep('2027-02-08T08:00:00Z');
    expect(
      (
        await submit(
          'supply-constraints',
          team.leaders['operations']!.id,
          {
            constraints: [
              {
                resource: 'L01',
                from: '2027-05',
                to: '2027-06',
                capacityChange: { type: 'percent', value: -10 },
                reason: 'Line maintenance',
              },
            ],
          },
          'operations',
        )
      ).status,
    ).toBe(201);
  });

  it('builds the pack when pre-S&OP opens and posts its card for the S&OP channel, once', async () => {
    await sweep('2027-02-12T08:00:00Z');
    expect(await t.accord.db.models.Pack.countDocuments({})).toBe(0); // the sweep only asks for it
    expect(await buildPacks(t)).toMatchObject({ shared: 1 });
    await sweep('2027-02-12T08:01:00Z');
    expect(await buildPacks(t)).toMatchObject({ shared: 0 });
    const out = await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=pack`).set(org.auth);
    expect(out.body.items).toHaveLength(1);
    const msg = out.body.items[0];
    expect(msg).toMatchObject({ channel: 'sop', recipient: { memberId: team.po.id } });
    expect(msg.card.summary).toMatch(/Pre-S&OP pack 2027-02 is ready/);
    const button = msg.card.blocks.find((b: { type: string }) => b.type === 'actions').buttons[0];
    expect(button.value).toMatch(/pack\.html\?version=1&exp=\d+&sig=/);
    expect((await t.http.get(local(button.value))).status).toBe(200);
  });

  it('reads as JSON: versions, summary, gaps, trade-offs with costed options, scenarios', async () => {
    const res = await t.http.get(`${base()}/pack`).set(org.auth);
    expect(res.status).toBe(200);
    const p = res.body;
    expect(p).toMatchObject({ version: 1, datasetVersion: 1, month: '2027-02' });
    expect(p.forecast.reusedFrom).toBeNull();
    expect(p.forecast.accuracy.coverage).toBeGreaterThan(0); // backtest P10-P90 coverage, %
    expect(p.forecast.accuracy.coverage).toBeLessThanOrEqual(100);
    expect(p.horizon.from).toBe('2027-03');
    expect(p.summary.revenue).toBeGreaterThan(0);
    expect(p.summary.margin).toBeCloseTo(p.summary.revenue - p.summary.cost, 6);
    expect(p.summary.target).toBeNull(); // finance gives its targets in pre-S&OP, after this build
    expect(p.gaps.length).toBeGreaterThan(0);
    for (const g of p.gaps)
      expect(g).toMatchObject({ family: expect.any(String), period: expect.any(String) });
    expect(p.tradeoffs.length).toBeGreaterThan(0);
    for (const tr of p.tradeoffs) {
      expect(tr.options.length).toBeGreaterThanOrEqual(2);
      expect(tr.options.length).toBeLessThanOrEqual(4);
      expect(tr.options.filter((o: { recommended: boolean }) => o.recommended)).toHaveLength(1);
      const rec = tr.options.find((o: { key: string }) => o.key === tr.recommended);
      for (const o of tr.options) {
        expect(typeof o.cost).toBe('number');
        expect(rec.totalCost).toBeLessThanOrEqual(o.totalCost + 1e-6);
      }
    }
    expect(p.scenarios.map((s: { kind: string }) => s.kind)).toEqual([
      'base',
      'what-if',
      'what-if',
      'probabilistic',
    ]);
    const mc = p.scenarios[3].monteCarlo;
    expect(mc.serviceLevel.p10).toBeLessThanOrEqual(mc.serviceLevel.p90);
    expect(p.inputs.submissions.map((s: { kind: string }) => s.kind).sort()).toEqual([
      'demand-adjustments',
      'supply-constraints',
    ]);
    expect(p.warnings.join(' ')).not.toMatch(/not confirmed/);
  });

  it('keeps provenance: baseline -> sales adjustment -> consensus, and the capacity cut by its author', async () => {
    const f = (await t.http.get(`${base()}/pack/families/F001`).set(org.auth)).body;
    const april = f.months.find((m: { period: string }) => m.period === '2027-04');
    expect(april.steps).toEqual([
      { function: 'sales', author: 'Lead sales', delta: expect.any(Number), reason: 'Listing at RetailCo' },
    ]);
    expect(april.steps[0].delta).toBeCloseTo(april.p50 * 0.2, 6);
    expect(april.consensus).toBeCloseTo(april.p50 * 1.2, 6);
    expect(f.waterfall.map((w: { label: string }) => w.label)).toEqual(['baseline', 'sales', 'consensus']);
    const march = f.months.find((m: { period: string }) => m.period === '2027-03');
    expect(march.steps).toEqual([]);

    const p = (await t.http.get(`${base()}/pack`).set(org.auth)).body;
    const may = p.capacityChanges.find(
      (c: { resource: string; period: string }) => c.resource === 'L01' && c.period === '2027-05',
    );
    expect(may.steps[0]).toMatchObject({
      function: 'operations',
      author: 'Lead operations',
      reason: 'Line maintenance',
    });
    expect(may.effective).toBeCloseTo(may.base * 0.9, 6);
  });

  it('makes a new immutable version on every build, with the finance targets given in pre-S&OP', async () => {
    const targets = await submit(
      'finance-targets',
      team.leaders['finance']!.id,
      { currency: 'EUR', targets: [{ period: '2027-03', revenue: 100000, marginPercent: 35 }] },
      'finance',
    );
    expect(targets.status).toBe(201);
    const res = await t.http.post(`${base()}/pack`).set(org.auth).send({ actorId: team.po.id });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(2);
    // Same dataset, same horizon: the baseline is reused, not recomputed.
    expect(res.body.forecast.reusedFrom).toBe(1);
    const v1 = (await t.http.get(`${base()}/pack/families/F002?version=1`).set(org.auth)).body;
    const v2 = (await t.http.get(`${base()}/pack/families/F002?version=2`).set(org.auth)).body;
    expect(v2.months.map((m: { p50: number }) => m.p50)).toEqual(
      v1.months.map((m: { p50: number }) => m.p50),
    );
    expect(v2.method).toBe(v1.method);
    expect(res.body.summary.target.revenue).toBe(100000);
    const march = res.body.financials.byPeriod[0];
    expect(march).toMatchObject({ period: '2027-03', revenueTarget: 100000, marginPercentTarget: 35 });
    expect(res.body.summary.target.revenueGap).toBeCloseTo(march.revenue - 100000, 6);
    expect((await t.http.get(`${base()}/pack?version=1`).set(org.auth)).body.version).toBe(1);
    const notOwner = await t.http.post(`${base()}/pack`).set(org.auth).send({ actorId: team.ceo.id });
    expect(notOwner.status).toBe(403);
  });

  it('reads as a document and as charts through signed links; forged or missing signatures get 401', async () => {
    const p = (await t.http.get(`${base()}/pack`).set(org.auth)).body;
    const html = await t.http.get(local(p.links.html));
    expect(html.status).toBe(200);
    expect(html.type).toBe('text/html');
    expect(html.text).toContain('Pre-S&amp;OP pack');
    expect(html.text).toContain('<svg');
    expect(html.text).toContain('recommended');
    expect(html.text).toMatch(/P10-P90 covered \d+\.\d% of the backtest's actuals/);
    const png = await t.http.get(local(p.links.charts[0].png)).buffer(true);
    expect(png.status).toBe(200);
    expect(png.type).toBe('image/png');
    expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    const svg = await t.http.get(local(p.links.charts[0].svg));
    expect(svg.type).toBe('image/svg+xml');

    expect((await t.http.get(local(p.links.html).replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(401);
    expect((await t.http.get(`${base()}/pack.html`)).status).toBe(401);
    // A link signed for one cycle does not open another's.
    const other = local(p.links.html).replace(cycleId, 'aaaaaaaaaaaaaaaaaaaaaaaa');
    expect((await t.http.get(other)).status).toBe(401);
  });

  it('runs what-ifs against the base plan, and says what is wrong with a bad one', async () => {
    const up = await t.http
      .post(`${base()}/pack/scenarios`)
      .set(org.auth)
      .send({ name: 'Demand +25%', demand: [{ percent: 25 }] });
    expect(up.status).toBe(200);
    expect(up.body.whatIf.gapUnits).toBeGreaterThan(up.body.base.gapUnits);
    expect(up.body.delta.gapUnits).toBeCloseTo(up.body.whatIf.gapUnits - up.body.base.gapUnits, 6);
    const more = await t.http
      .post(`${base()}/pack/scenarios`)
      .set(org.auth)
      .send({ name: 'More capacity', capacity: [{ resource: 'L01', percent: 50 }] });
    expect(more.body.whatIf.gapUnits).toBeLessThanOrEqual(more.body.base.gapUnits);

    // A what-if that changes nothing re-solves nothing and comes out as the base plan.
    const same = await t.http
      .post(`${base()}/pack/scenarios`)
      .set(org.auth)
      .send({ name: 'No change', demand: [{ percent: 0 }] });
    expect(same.body.whatIf).toEqual(same.body.base);

    const unknown = await t.http
      .post(`${base()}/pack/scenarios`)
      .set(org.auth)
      .send({ capacity: [{ resource: 'NOPE', percent: 5 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual({ 'capacity.0.resource': 'not in this pack: NOPE' });
    const empty = await t.http.post(`${base()}/pack/scenarios`).set(org.auth).send({});
    expect(empty.status).toBe(400);
    expect(Object.keys(empty.body.error.fields)).toEqual(['demand']);
  });

  it('refuses a what-if whose range is out of order or outside the horizon, or whose numbers are unbounded', async () => {
    const horizon = "(the pack's horizon)";
    const cases: [unknown, Record<string, string>][] = [
      [
        { demand: [{ from: '2027-06', to: '2027-04', percent: 10 }] },
        { 'demand.0.to': 'must be on or after from (2027-06)' },
      ],
      [
        { capacity: [{ resource: 'L01', from: '2027-02', to: '2031-01', percent: -20 }] },
        {
          'capacity.0.from': `must be a month from 2027-03 to 2028-08 ${horizon}`,
          'capacity.0.to': `must be a month from 2027-03 to 2028-08 ${horizon}`,
        },
      ],
      [
        { capacity: [{ resource: 'L01', units: -1e308 }] },
        { 'capacity.0.units': 'must be from -1e12 to 1e12' },
      ],
      [{ demand: [{ percent: 5000 }] }, { 'demand.0.percent': 'must be from -100 to 1000' }],
      [{ costs: [{ kind: 'overtime', percent: -101 }] }, { 'costs.0.percent': 'must be from -100 to 1000' }],
    ];
    for (const [body, fields] of cases) {
      const res = await t.http
        .post(`${base()}/pack/scenarios`)
        .set(org.auth)
        .send(body as object);
      expect([res.status, res.body.error.fields]).toEqual([400, fields]);
    }
    // JSON's 1e400 parses as Infinity: refused, not planned with.
    const infinite = await t.http
      .post(`${base()}/pack/scenarios`)
      .set(org.auth)
      .set('Content-Type', 'application/json')
      .send('{"demand":[{"percent":1e400}]}');
    expect([infinite.status, infinite.body.error.fields]).toEqual([
      400,
      { 'demand.0.percent': 'must be a number' },
    ]);
  });

  it("is scoped to its org: another org's token gets 403", async () => {
    const other = await buildOrg(t, { name: 'Other Co' });
    expect((await t.http.get(`${base()}/pack`).set(other.auth)).status).toBe(403);
  });
});
