/**
 * The S&OE page of the web app (where the alert cards link): the alerts newest first with what
 * moved, the money at stake, the owner, when raised, the outcome with who, when and the note, and
 * the escalation; open or settled; the weeks of actuals the check is based on. The chat card's
 * three outcomes as a form for those who may settle (the owner function's leader, an executive, a
 * process owner): acknowledge needs a note (the error beside the field, nothing written), the next
 * pre-S&OP agenda, decide now (to the ballot). A process owner reports a disruption (field errors
 * beside the fields, nothing written; then its alert). Data through the API (the script of
 * test/api/soe.test.ts); another org's alert is not found.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { escalateAlerts } from '../../src/app/soe.js';
import { moneyAtStakeText } from '../../src/cards/presenters/soe.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, THREE_TRADEOFFS, uploadCompany, type OrgHandle } from '../helpers/factories.js';
import { apiAlerts, soeScript, type ApiAlert } from '../helpers/soe.js';
import { signedInBrowser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let script: Awaited<ReturnType<typeof soeScript>>;

const alerts = () => apiAlerts(t, org);
const find = async (kind: string) => (await alerts()).find((a) => a.kind === kind)!;
/** Where the page shows an alert (its id may hold any character of a code). */
const anchor = (a: ApiAlert) => createHash('sha256').update(a.id).digest('hex').slice(0, 12);
const settleUrl = (a: ApiAlert) => `/app/soe/alerts/${encodeURIComponent(a.id)}`;
/** The alert's card on the page: from its <li> to the next. */
function card(html: string, a: ApiAlert): string {
  const at = html.indexOf(`id="alert-${anchor(a)}"`);
  expect(at).toBeGreaterThan(0);
  return html.slice(at, html.indexOf('</li>', at));
}
const escaped = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/=/g, '&#x3D;');
const money = (a: ApiAlert) => escaped(moneyAtStakeText(a)) || 'None estimated';

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Watch Co', timezone: 'Europe/London' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/London' });
  team = await buildTeam(t, org, {
    po: 'Europe/London',
    sales: 'Europe/London',
    operations: 'Europe/London',
    finance: 'Europe/London',
  });
  await uploadCompany(t, org, THREE_TRADEOFFS);
  script = await soeScript(t, org);
}, 120_000);
afterAll(() => t.close());

describe('the S&OE page', () => {
  it('lists the alerts with their figures, and the weeks of actuals the check is based on', async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const res = await b.page('/app/soe');
    expectAccessible(res.text);
    expect(res.text).toContain('<a href="/app/soe" aria-current="page">S&amp;OE</a>');
    expect(res.text).toContain(
      'The actuals up to 2027-W14 (the last complete week) are compared with the plan of the 2027-02 cycle (pack version 1).',
    );
    expect(res.text).toContain('Actuals were received for 6 of the last 8 weeks.');
    const weeks = [
      ...res.text.matchAll(
        /<th scope="row">(\d{4}-W\d{2})<\/th>\s*<td><span class="status status-\w+">(\w+)</g,
      ),
    ].map((m) => `${m[1]} ${m[2]}`);
    expect(weeks).toEqual([
      '2027-W07 None',
      '2027-W08 None',
      ...['09', '10', '11', '12', '13', '14'].map((w) => `2027-W${w} Received`),
    ]);
    const [band, bias] = [await find('demand-band'), await find('bias')];
    expect(band.key).toBe(`band:${script.spiked}:2027-W13:above`);
    expect(res.text).toContain('2 open, 0 settled');
    const spike = card(res.text, band);
    expect(spike).toContain(
      '<span class="badge badge-critical">Critical</span> Demand outside its forecast range (2027-W13)',
    );
    expect(spike).toContain(escaped(band.what));
    expect(spike).toContain('<dt>Owner</dt><dd>Sales</dd>');
    expect(spike).toContain(`<dt>Money at stake</dt><dd>${money(band)}</dd>`);
    expect(spike).toContain('<time datetime="2027-04-12T09:00:00.000Z">Mon 12 Apr 2027, 10:00</time>');
    expect(spike).toContain('<dt>Escalated</dt><dd>No</dd>');
    expect(spike).toContain('<dd class="outcome">Open</dd>');
    // Sales leads the function that owns both: the outcomes as a form on each.
    for (const a of [band, bias]) expect(card(res.text, a)).toContain(`action="${settleUrl(a)}"`);
    expect(card(res.text, bias)).toContain(`A forecast bias (${bias.week})`);
    // Only a process owner reports disruptions here.
    expect(res.text).not.toContain('Report a disruption');
  });

  it('shows someone of another function the alerts, without a way to settle them', async () => {
    const b = await signedInBrowser(t, org, team.leaders['finance']!.id);
    const res = await b.page('/app/soe');
    expectAccessible(res.text);
    expect(res.text).toContain('2 open, 0 settled');
    expect(res.text).not.toContain('action="/app/soe/alerts/');
    const bias = await find('bias');
    const refused = await b.submit(settleUrl(bias), { outcome: 'acknowledged', note: 'seen it' }, '/app/soe');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(
      'Only the sales lead, an executive or the process owner settles this alert.',
    );
    expect((await find('bias')).outcome).toBeNull();
    expect(
      (await b.submit('/app/soe/disruptions', { resource: script.resources[0]! }, '/app/soe')).status,
    ).toBe(403);
  });
});

describe('settling an alert', () => {
  it('acknowledges only with a note: the error beside the field, nothing written', async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const bias = await find('bias');
    const bare = await b.submit(
      settleUrl(bias),
      { outcome: 'acknowledged', note: '', show: 'open' },
      '/app/soe',
    );
    expect(bare.status).toBe(400);
    expectAccessible(bare.text);
    const form = card(bare.text, bias);
    expect(form).toContain('The alert was not settled: see below.');
    expect(form).toContain(
      `<textarea id="note-${anchor(bias)}" name="note" rows="2" maxlength="1000" aria-invalid="true" aria-describedby="e-note-${anchor(bias)}"></textarea>`,
    );
    expect(form).toContain(
      `<p class="field-error" id="e-note-${anchor(bias)}">Write a note saying what you do about it.</p>`,
    );
    expect((await find('bias')).outcome).toBeNull();

    const note = 'The <b>promotion</b> ran two weeks longer';
    const ok = await b.submit(settleUrl(bias), { outcome: 'acknowledged', note, show: 'open' }, '/app/soe');
    expect(ok.status).toBe(303);
    expect(ok.headers['location']).toBe(`/app/soe?show=all#alert-${anchor(bias)}`);
    expect((await find('bias')).outcome).toMatchObject({
      outcome: 'acknowledged',
      note,
      by: team.leaders['sales']!.id,
    });
    const page = await b.page(ok.headers['location']!);
    expectAccessible(page.text);
    expect(page.text).toContain('Acknowledged, with your note.');
    const settled = card(page.text, bias);
    expect(settled).toContain(
      'Acknowledged by Lead sales, <time datetime="2027-04-12T09:00:00.000Z">Mon 12 Apr 2027, 10:00</time>: “The &lt;b&gt;promotion&lt;/b&gt; ran two weeks longer”',
    );
    expect(settled).not.toContain('<form');
    expect(page.text).toContain('1 open, 1 settled');
    // A second outcome is refused: the first stands.
    const twice = await b.submit(settleUrl(bias), { outcome: 'agenda', show: 'open' }, '/app/soe?show=all');
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('This alert is already settled (acknowledged).');
  });

  it('lets a process owner report a disruption: field errors beside the fields, nothing written', async () => {
    t.clock.set('2027-04-12T10:00:00Z');
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page('/app/soe');
    expectAccessible(res.text);
    expect(res.text).toContain('<h2 id="h-disruption">Report a disruption</h2>');
    const options = [
      ...res.text.matchAll(/<select id="f-resource" name="resource"[^>]*>([\s\S]*?)<\/select>/g),
    ][0]![1]!;
    expect([...options.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(
      [...script.resources].sort(),
    );
    const empty = await b.submit('/app/soe/disruptions', {}, '/app/soe');
    expect(empty.status).toBe(400);
    expectAccessible(empty.text);
    const errorOf = (html: string, id: string) => new RegExp(`id="e-${id}">([^<]+)<`).exec(html)?.[1];
    expect({
      resource: errorOf(empty.text, 'resource'),
      from: errorOf(empty.text, 'from'),
      to: errorOf(empty.text, 'to'),
      capacityLostPercent: errorOf(empty.text, 'capacityLostPercent'),
      note: errorOf(empty.text, 'note'),
    }).toEqual({
      resource: 'name the resource',
      from: 'give the first day lost',
      to: 'give the last day lost',
      capacityLostPercent: 'must give the share of capacity lost or the units lost per week',
      note: 'say what happened (people see it)',
    });
    const fields = {
      resource: script.resources[0]!,
      from: '2027-04-05',
      to: '2027-04-09',
      capacityLostPercent: '150',
      unitsPerWeek: 'lots',
      note: 'The filler broke down',
    };
    const words = await b.submit('/app/soe/disruptions', fields, '/app/soe');
    expect(words.status).toBe(400);
    expect(errorOf(words.text, 'unitsPerWeek')).toBe('must be a number (digits, with a point for decimals)');
    // What was typed stays in the form.
    expect(words.text).toMatch(/<textarea id="f-note"[^>]*>The filler broke down<\/textarea>/);
    const percent = await b.submit('/app/soe/disruptions', { ...fields, unitsPerWeek: '' }, '/app/soe');
    expect(percent.status).toBe(400);
    expect(errorOf(percent.text, 'capacityLostPercent')).toBe('must be more than 0 and at most 100');
    const backwards = await b.submit(
      '/app/soe/disruptions',
      { ...fields, unitsPerWeek: '', capacityLostPercent: '50', to: '2027-04-01' },
      '/app/soe',
    );
    expect(errorOf(backwards.text, 'to')).toBe('must be on or after the first day');
    expect(await alerts()).toHaveLength(2);

    const ok = await b.submit(
      '/app/soe/disruptions',
      { ...fields, unitsPerWeek: '', capacityLostPercent: '50 %' },
      '/app/soe',
    );
    expect(ok.status).toBe(303);
    const down = await find('disruption');
    expect(down).toMatchObject({ owner: 'operations', week: '2027-W14' });
    expect(down.what).toContain('loses 50% of its capacity');
    expect(ok.headers['location']).toBe(`/app/soe?show=open#alert-${anchor(down)}`);
    const page = await b.page(ok.headers['location']!);
    expect(page.text).toContain('Disruption reported: its alert is below, and its owners have been told.');
    // Newest first: the disruption, then the spike.
    const order = [...page.text.matchAll(/<li class="card alert alert-\w+" id="alert-([a-f0-9]+)"/g)].map(
      (m) => m[1],
    );
    expect(order).toEqual([anchor(down), anchor(await find('demand-band'))]);
    expect(card(page.text, down)).toContain('<dt>Owner</dt><dd>Operations</dd>');
    expect(card(page.text, down)).toContain(`<dt>Money at stake</dt><dd>${money(down)}</dd>`);
  });

  it('shows an alert left alone a business day as escalated', async () => {
    t.clock.set('2027-04-13T10:05:00Z');
    expect(await escalateAlerts(t.accord.deps)).toBeGreaterThan(0);
    const b = await signedInBrowser(t, org, team.po.id);
    const page = await b.page('/app/soe');
    expect(card(page.text, await find('disruption'))).toContain(
      '<dt>Escalated</dt><dd>Yes, to the process owner</dd>',
    );
    expect(card(page.text, await find('demand-band'))).toContain(
      '<dt>Escalated</dt><dd>Yes, to the process owner</dd>',
    );
  });

  it('puts an alert on the next pre-S&OP agenda', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const band = await find('demand-band');
    const res = await b.submit(settleUrl(band), { outcome: 'agenda', note: '', show: 'open' }, '/app/soe');
    expect(res.status).toBe(303);
    expect((await find('demand-band')).outcome).toMatchObject({ outcome: 'agenda', note: null });
    const page = await b.page(res.headers['location']!);
    expect(page.text).toContain('On the next pre-S&amp;OP agenda.');
    expect(card(page.text, band)).toContain('On the next pre-S&amp;OP agenda by Petra PO, <time');
  });

  it('decides now: a ballot among the executives, where the page leads', async () => {
    const b = await signedInBrowser(t, org, team.leaders['operations']!.id);
    const down = await find('disruption');
    const res = await b.submit(
      settleUrl(down),
      { outcome: 'decide', note: 'Parts arrive Friday', show: 'open' },
      '/app/soe',
    );
    expect(res.status).toBe(303);
    const settled = (await find('disruption')).outcome!;
    expect(settled).toMatchObject({ outcome: 'decide', note: 'Parts arrive Friday' });
    expect(res.headers['location']).toBe(`/app/ballots/${settled.ballotId}`);
    const ballot = await b.page(res.headers['location']!);
    expect(ballot.text).toContain('A ballot is open to the executives: the alert is decided there.');
    expect(ballot.text).toContain('Overtime');
    const page = await b.page('/app/soe?show=settled');
    expectAccessible(page.text);
    expect(card(page.text, down)).toContain(
      `(<a href="/app/ballots/${settled.ballotId}">the ballot</a>, the executives are voting)`,
    );
    // Once the executives have voted, the page says what was decided.
    for (const exec of [team.ceo, team.cfo])
      expect(
        (
          await t.http
            .post(`/api/v1/orgs/${org.id}/ballots/${settled.ballotId}/votes`)
            .set(org.auth)
            .send({ memberId: exec.id, option: 'overtime' })
        ).status,
      ).toBe(201);
    expect(card((await b.page('/app/soe?show=settled')).text, down)).toContain(
      'the ballot</a>, decided: Overtime)',
    );
  });

  it('filters open and settled alerts', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const open = await b.page('/app/soe');
    expect(open.text).toContain('0 open, 3 settled');
    expect(open.text).toContain('No open alert.');
    expect(open.text).toContain('<option value="open" selected>Open</option>');
    const settled = await b.page('/app/soe?show=settled');
    expect([...settled.text.matchAll(/<li class="card alert/g)]).toHaveLength(3);
    expect(settled.text).toContain('<option value="settled" selected>Settled</option>');
  });

  it("does not find another org's alert", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const theirs = { id: `${other.id}:bias:X:+` } as ApiAlert;
    expect((await b.submit(settleUrl(theirs), { outcome: 'agenda' }, '/app/soe')).status).toBe(404);
    const elsewhere = await b.submit(
      settleUrl({ ...(await find('bias')), id: `${other.id}:${(await find('bias')).key}` }),
      { outcome: 'agenda' },
      '/app/soe',
    );
    expect(elsewhere.status).toBe(404);
  });
});
