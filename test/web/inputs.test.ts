/**
 * My inputs on the web: the list of what a member owes in the current cycle, each input's form
 * (the same as chat's) pre-filled with the latest version, field errors beside the fields with
 * nothing written, new versions through the same use case as chat and the API, the attendance
 * delegate picked by name, someone else's input refused, another org's request not found.
 *
 * February 2027 in Berlin: demand planning opens Wed 3 Feb, pre-S&OP Fri 12 Feb.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let inputs: { id: string; key: string; kind: string }[];
let otherInputs: { id: string; key: string; kind: string }[];

const request = (key: string) => inputs.find((i) => i.key === key)!;
let otherCycleId: string;
/** The versions of an input, through the API. */
const versions = async (requestId: string, h = org, cycle = cycleId) => {
  const res = await t.http
    .get(`/api/v1/orgs/${h.id}/cycles/${cycle}/inputs/${requestId}/submissions`)
    .set(h.auth);
  expect(res.status).toBe(200);
  return res.body.items as { version: number; payload: unknown }[];
};
const submissions = async (requestId: string, h = org, cycle = cycleId) =>
  (await versions(requestId, h, cycle)).length;
const fieldError = (html: string, field: string) =>
  new RegExp(`id="e-${field}">([^<]*)<`).exec(html)?.[1] ?? null;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Input Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  await buildTeam(t, other);
  const res = await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
  cycleId = res.body.id;
  inputs = res.body.inputs;
  const theirs = await t.http
    .post(`/api/v1/orgs/${other.id}/cycles`)
    .set(other.auth)
    .send({ month: '2027-02' });
  otherInputs = theirs.body.inputs;
  otherCycleId = theirs.body.id;
  await sweepAt(t, '2027-02-03T08:00:00Z');
});
afterAll(() => t.close());

describe('my inputs', () => {
  it('lists what I owe, open steps first, with the step, due time and status', async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const res = await b.page('/app/inputs');
    expect(res.text).toContain('My inputs');
    const demand = res.text.indexOf('Demand adjustments');
    const attendance = res.text.indexOf('Meeting attendance');
    expect(demand).toBeGreaterThan(0);
    expect(attendance).toBeGreaterThan(demand);
    expect(res.text).toContain(`/app/inputs/${request('demand-planning:demand-adjustments:sales').id}`);
    expect(res.text).toContain('Demand planning');
    expect(res.text).toContain('Not yet open');
    // Not the marketing leader's request.
    expect(res.text).not.toContain(request('demand-planning:demand-adjustments:marketing').id);
    expect(res.text).not.toContain('the cycle board</a> shows everyone');
  });

  it("tells a process owner that the board shows everyone's", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page('/app/inputs');
    expect(res.text).toContain('shows everyone');
    expect(res.text).toContain('Confirm the data set');
  });

  it('demand adjustments: errors beside the fields and nothing written, then saved as version 1', async () => {
    const r = request('demand-planning:demand-adjustments:sales');
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const path = `/app/inputs/${r.id}`;
    const form = await b.page(path);
    expect(form.text).toContain('<label for="f-family">');
    expect(form.text).toContain('Nothing given yet');

    const bad = await b.submit(path, {
      family: 'F001',
      from: '2027-13',
      to: '2027-06',
      changeType: 'percent',
      changeValue: 'lots',
      reason: 'Listing <b>RetailCo</b>',
      confidence: 'high',
    });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'from')).toBeTruthy();
    expect(fieldError(bad.text, 'changeValue')).toBeTruthy();
    expect(bad.text).toContain('aria-invalid="true"');
    // What was typed is kept, escaped.
    expect(bad.text).toContain('Listing &lt;b&gt;RetailCo&lt;/b&gt;');
    expect(bad.text).not.toContain('<b>RetailCo</b>');
    expect(await submissions(r.id)).toBe(0);

    const ok = await b.submit(path, {
      family: 'F001',
      from: '2027-04',
      to: '2027-06',
      changeType: 'percent',
      changeValue: '20',
      reason: 'Listing <b>RetailCo</b>',
      confidence: 'high',
    });
    expect([ok.status, fieldError(ok.text, 'family')]).toEqual([303, null]);
    expect(ok.headers['location']).toBe(path);
    const after = await b.page(path);
    expect(after.text).toContain('Saved as version 1');
    // Pre-filled with the latest version; the version listed in words.
    expect(after.text).toContain('value="2027-04"');
    expect(after.text).toContain('Listing &lt;b&gt;RetailCo&lt;/b&gt;</textarea>');
    expect(after.text).toContain('v1 <small>(latest)</small>');
    expect(after.text).toContain('Lead sales');
    expect(after.text).toContain('% of the baseline');

    const items = await versions(r.id);
    expect(items).toHaveLength(1);
    expect(items[0]!.payload).toEqual({
      adjustments: [
        {
          family: 'F001',
          from: '2027-04',
          to: '2027-06',
          change: { type: 'percent', value: 20 },
          reason: 'Listing <b>RetailCo</b>',
          confidence: 'high',
        },
      ],
    });

    const second = await b.submit(path, {
      family: 'F001',
      from: '2027-04',
      to: '2027-05',
      changeType: 'units',
      changeValue: '-150',
      reason: 'Smaller listing',
      confidence: 'medium',
    });
    expect(second.status).toBe(303);
    const again = await b.page(path);
    expect(again.text).toContain('Saved as version 2');
    expect(again.text).toContain('v2 <small>(latest)</small>');
    expect(again.text).toContain('units per month');
  });

  it("someone else's input: no form, and a submit is refused with nothing written", async () => {
    const r = request('demand-planning:demand-adjustments:marketing');
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const page = await b.page(`/app/inputs/${r.id}`);
    expect(page.text).toContain('You do not owe this input');
    expect(page.text).not.toContain('name="family"');
    const res = await b.submit(
      `/app/inputs/${r.id}`,
      {
        family: 'F001',
        from: '2027-04',
        to: '2027-06',
        changeType: 'percent',
        changeValue: '5',
        reason: 'x',
        confidence: 'low',
      },
      '/app/inputs',
    );
    expect(res.status).toBe(403);
    expect(res.text).toContain('does not owe this input');
    expect(await submissions(r.id)).toBe(0);
  });

  it("another org's request is not found, and a made-up id too", async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const theirs = otherInputs.find((i) => i.kind === 'demand-adjustments')!;
    await b.page(`/app/inputs/${theirs.id}`, 404);
    await b.page('/app/inputs/nope', 404);
    const res = await b.submit(`/app/inputs/${theirs.id}`, { family: 'F001' }, '/app/inputs');
    expect(res.status).toBe(404);
    expect(await submissions(theirs.id, other, otherCycleId)).toBe(0);
  });

  it('a step not open yet: the page says so and a submit is refused', async () => {
    const r = request('pre-sop:finance-targets:finance');
    const b = await signedInBrowser(t, org, team.leaders['finance']!.id);
    const page = await b.page(`/app/inputs/${r.id}`);
    expect(page.text).toContain('inputs can be given only while it is open');
    const res = await b.submit(
      `/app/inputs/${r.id}`,
      { currency: 'EUR', period: '2027-03', revenue: '1000000' },
      '/app/inputs',
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('only while it is open');
    expect(await submissions(r.id)).toBe(0);
  });
});

describe('in pre-S&OP', () => {
  beforeAll(async () => {
    await sweepAt(t, '2027-02-12T08:00:00Z');
  });

  it('attendance: the delegate is picked by name; a missing delegate is refused beside the field', async () => {
    const lead = team.leaders['operations']!;
    const r = request(`pre-sop:attendance:${lead.id}`);
    const b = await signedInBrowser(t, org, lead.id);
    const path = `/app/inputs/${r.id}`;
    const form = await b.page(path);
    expect(form.text).toContain('<select id="f-delegateId" name="delegateId"');
    expect(form.text).toContain(`<option value="${team.cfo.id}">Cfo Exec</option>`);

    const bad = await b.submit(path, { response: 'delegate', delegateId: '' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'delegateId') ?? fieldError(bad.text, 'response')).toBeTruthy();
    expect(await submissions(r.id)).toBe(0);

    const ok = await b.submit(path, { response: 'delegate', delegateId: team.cfo.id });
    expect(ok.status).toBe(303);
    const after = await b.page(path);
    expect(after.text).toContain('Saved as version 1');
    expect(after.text).toContain('A delegate attends for me');
    expect(after.text).toContain(`<option value="${team.cfo.id}" selected>Cfo Exec</option>`);
    expect((await versions(r.id))[0]!.payload).toEqual({ response: 'delegate', delegateId: team.cfo.id });
  });

  it('finance targets: a month outside the plan is refused, then saved', async () => {
    const r = request('pre-sop:finance-targets:finance');
    const b = await signedInBrowser(t, org, team.leaders['finance']!.id);
    const path = `/app/inputs/${r.id}`;
    const bad = await b.submit(path, { currency: 'eur', period: '2031-03', revenue: '1000000' });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'period')).toBeTruthy();
    expect(await submissions(r.id)).toBe(0);
    const ok = await b.submit(path, {
      currency: 'eur',
      period: '2027-03',
      revenue: '1000000',
      marginPercent: '32',
    });
    expect(ok.status).toBe(303);
    const after = await b.page(path);
    expect(after.text).toContain('Saved as version 1');
    expect(after.text).toContain('value="EUR"');
    const list = await b.page('/app/inputs');
    expect(list.text).toContain('Submitted');
  });
});
