/**
 * The pack on the web: the current cycle's latest pack and any version of it (headline numbers,
 * trade-offs with their costs, gaps, scenarios with P10-P90 ranges), a page of the family table at
 * a time, the charts and the full document from the session, and the what-if playground (field
 * errors with nothing run, then base and what-if side by side). Another org's cycle is not found.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle, uploadCompany } from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let otherCycleId: string;
let pack: {
  version: number;
  summary: { demandUnits: number };
  tradeoffs: { question: string; options: { label: string }[] }[];
  scenarios: { kind: string; name: string }[];
  charts: { id: string; title: string }[];
  horizon: { from: string; to: string };
};

const api = (path: string, h = org) => `/api/v1/orgs/${h.id}${path}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Pack <b>Co</b>', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  otherCycleId = (await t.http.post(api('/cycles', other)).set(other.auth).send({ month: '2027-02' })).body
    .id;
  for (const h of [org, other])
    await uploadCompany(t, h, {
      families: 30,
      resources: 4,
      months: 36,
      lastMonth: '2027-01',
      horizon: 24,
      tightShare: 0.5,
      seed: 4,
    });
  const built = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  expect(built.status).toBe(201);
  pack = built.body;
  expect(
    (
      await t.http
        .post(api(`/cycles/${otherCycleId}/pack`, other))
        .set(other.auth)
        .send({})
    ).status,
  ).toBe(201);
});
afterAll(() => t.close());

describe('the pack', () => {
  it("shows the current cycle's latest pack: headline numbers, trade-offs with costs, gaps, scenarios, ranges", async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const started = Date.now();
    const res = await b.page('/app/pack');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.text).toContain('Pre-S&amp;OP pack 2027-02');
    expect(res.text).toContain('Consensus demand');
    expect(res.text).toContain(Math.round(pack.summary.demandUnits).toLocaleString('en-US'));
    expect(pack.tradeoffs.length).toBeGreaterThan(0);
    expect(res.text).toContain(esc(pack.tradeoffs[0]!.question));
    expect(res.text).toContain(esc(pack.tradeoffs[0]!.options[0]!.label));
    expect(res.text).toContain('Margin still lost');
    expect(res.text).toContain('Largest gaps before levers');
    for (const s of pack.scenarios.filter((x) => x.kind !== 'probabilistic'))
      expect(res.text).toContain(esc(s.name));
    expect(res.text).toContain('<th scope="col" class="num">P10</th>');
    expect(res.text).toContain(`/app/cycles/${cycleId}/pack/document?version=1`);
    expect(res.text).toContain(`/app/cycles/${cycleId}/pack/what-if?version=1`);
  });

  it('shows one page of the family table at a time', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const first = await b.page(`/app/cycles/${cycleId}/pack`);
    const rows = (html: string) =>
      (html.split('id="families"')[1]!.match(/<tr><th scope="row">/g) ?? []).length;
    expect(rows(first.text)).toBe(25);
    expect(first.text).toContain('Families 1 to 25 of 30');
    expect(first.text).toContain(`/app/cycles/${cycleId}/pack?version=1&amp;page=2#families`);
    const second = await b.page(`/app/cycles/${cycleId}/pack?version=1&page=2`);
    expect(rows(second.text)).toBe(5);
    expect(second.text).toContain('Families 26 to 30 of 30');
    expect(second.text).toContain('Previous families');
    await b.page(`/app/cycles/${cycleId}/pack?page=3`, 404);
  });

  it('picks a version: the latest by default, an earlier one by ?version, an unknown one not found', async () => {
    expect(
      (
        await t.http
          .post(api(`/cycles/${cycleId}/pack`))
          .set(org.auth)
          .send({})
      ).status,
    ).toBe(201);
    const b = await signedInBrowser(t, org, team.po.id);
    const latest = await b.page('/app/pack');
    expect(latest.text).toContain('version 2');
    expect(latest.text).toContain(`href="/app/cycles/${cycleId}/pack?version=1"`);
    const v1 = await b.page(`/app/cycles/${cycleId}/pack?version=1`);
    expect(v1.text).toContain('version 1 (not the latest)');
    await b.page(`/app/cycles/${cycleId}/pack?version=9`, 404);
    await b.page(`/app/cycles/${cycleId}/pack?version=x`, 404);
  });

  it('serves the full document and the charts from the session', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const doc = await b.page(`/app/cycles/${cycleId}/pack/document?version=1`);
    expect(doc.headers['content-type']).toMatch(/^text\/html/);
    expect(doc.headers['content-security-policy']).toMatch(/style-src 'sha256-/);
    expect(doc.text).toContain('Pack &lt;b&gt;Co&lt;/b&gt;');
    expect(doc.text).toContain('Version 1');
    const page = await b.page(`/app/cycles/${cycleId}/pack?version=1`);
    const src = /<img src="([^"]+)" alt="([^"]+)"/.exec(page.text);
    expect(src).not.toBeNull();
    const chart = await b.agent.get(src![1]!.replace(/&amp;/g, '&'));
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(String(chart.body ?? chart.text)).toContain('<svg');
    await b.page(`/app/cycles/${cycleId}/pack/charts/capacity-NOPE.svg`, 404);
  });

  it('a cycle without a pack, or no cycle at all, says so', async () => {
    const empty = await buildOrg(t, { name: 'Empty Co', timezone: 'Europe/Berlin' });
    const po = await buildMember(t, empty, { name: 'Eve PO', roles: ['process-owner'] });
    const b = await signedInBrowser(t, empty, po.id);
    expect((await b.page('/app/pack')).text).toContain('no cycle yet');
    const cycle = (await t.http.post(api('/cycles', empty)).set(empty.auth).send({ month: '2027-03' })).body
      .id;
    expect((await b.page('/app/pack')).text).toContain('Cycle 2027-03 has no pack yet');
    await b.page(`/app/cycles/${cycle}/pack/what-if`, 404);
  });

  it("another org's cycle and pack are not found", async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    await b.page(`/app/cycles/${otherCycleId}/pack`, 404);
    await b.page(`/app/cycles/${otherCycleId}/pack/document`, 404);
    await b.page(`/app/cycles/${otherCycleId}/pack/what-if`, 404);
    const res = await b.submit(
      `/app/cycles/${otherCycleId}/pack/what-if`,
      { demandPercent: '10' },
      '/app/pack',
    );
    expect(res.status).toBe(404);
  });
});

describe('the what-if playground', () => {
  const path = () => `/app/cycles/${cycleId}/pack/what-if?version=1`;

  it("shows chat's form: the pack's resources, the horizon", async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const res = await b.page(path());
    expect(res.text).toContain('<label for="f-demandPercent">');
    expect(res.text).toContain('<select id="f-resource" name="resource"');
    expect(res.text).toContain(`${pack.horizon.from} to ${pack.horizon.to}`);
  });

  it('a bad field is refused beside it and nothing runs; a good one compares with the base plan', async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const bad = await b.submit(path(), { name: 'Promo', demandPercent: 'lots', from: '2031-01' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="e-demandPercent">must be a number/);
    expect(bad.text).toMatch(/id="e-from">[^<]+/);
    expect(bad.text).not.toContain('side by side');
    expect(bad.text).toContain('value="lots"');

    const ok = await b.submit(path(), { name: 'Retailer <b>promo</b>', demandPercent: '30' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Base plan and what-if, side by side');
    expect(ok.text).toContain('What-if: Retailer &lt;b&gt;promo&lt;/b&gt;');
    expect(ok.text).not.toContain('<b>promo</b>');
    const revenue =
      /<th scope="row">Revenue<\/th><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num (\w+)">([^<]+)/.exec(
        ok.text,
      );
    expect(revenue).not.toBeNull();
    expect(revenue![1]).not.toBe(revenue![2]);
    expect(revenue![3]).toBe('better');
    expect(revenue![4]).toMatch(/^\+/);
    expect(ok.text).toContain('(better)');
    // The form is still filled for another try.
    expect(ok.text).toContain('Try another');
    expect(ok.text).toContain('id="f-demandPercent" name="demandPercent" type="text" value="30"');
    expect(ok.text).toContain('value="Retailer &lt;b&gt;promo&lt;/b&gt;"');
  });
});
