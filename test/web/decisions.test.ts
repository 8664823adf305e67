/**
 * The decision register in the web app: search and filters, newest first, 25 a page; one decision
 * with its options, votes, rationale, commitments and actions; the process owner's "Assign an
 * action" form (field errors, nothing written; then the action through the API); roles, tenants,
 * and everything people typed escaped. Data built through the REST API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  buildTeam,
  type OrgHandle,
  TIGHT_COMPANY,
  uploadCompany,
} from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let oatId: string;
let splitId: string;
let otherDecisionId: string;

const api = (o: OrgHandle, path: string) => `/api/v1/orgs/${o.id}${path}`;

async function decide(
  o: OrgHandle,
  cycle: string,
  actors: { po: string; ceo: string; cfo: string },
  title: string,
  votes: [string, string, string?][],
  close?: Record<string, unknown>,
): Promise<string> {
  const ballot = await t.http
    .post(api(o, `/cycles/${cycle}/ballots`))
    .set(o.auth)
    .send({
      actorId: actors.po,
      deadline: '2027-03-30T16:00:00Z',
      title,
      options: [
        { key: 'overtime', label: 'Run overtime', meaning: 'cost 12,000; closes the gap' },
        { key: 'delay', label: 'Delay the <b>launch</b>' },
      ],
    });
  expect([ballot.status, ballot.body]).toEqual([201, expect.anything()]);
  for (const [who, option, reason] of votes) {
    const res = await t.http
      .post(api(o, `/ballots/${ballot.body.id}/votes`))
      .set(o.auth)
      .send({ memberId: who, option, ...(reason ? { reason } : {}) });
    expect(res.status).toBe(201);
  }
  if (close) {
    const res = await t.http
      .post(api(o, `/ballots/${ballot.body.id}/close`))
      .set(o.auth)
      .send({ actorId: actors.po, ...close });
    expect(res.status).toBe(200);
  }
  return ballot.body.id;
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-01T09:00:00Z' });
  org = await buildOrg(t, { name: 'Decide Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  cycleId = (await t.http.post(api(org, '/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  const otherCycle = (await t.http.post(api(other, '/cycles')).set(other.auth).send({ month: '2027-02' }))
    .body.id;
  const actors = { po: team.po.id, ceo: team.ceo.id, cfo: team.cfo.id };
  // 26 routine decisions, a day apart, for the pages.
  for (let i = 1; i <= 26; i++) {
    await decide(org, cycleId, actors, `Routine question ${i}`, [
      [team.ceo.id, 'overtime'],
      [team.cfo.id, 'overtime'],
    ]);
    t.clock.advance(86_400_000);
  }
  // 2027-02-27: a split vote (no majority), then the oat decision closed by the process owner.
  splitId = await decide(org, cycleId, actors, 'Split question', [
    [team.ceo.id, 'overtime'],
    [team.cfo.id, 'delay'],
  ]);
  t.clock.advance(3_600_000);
  oatId = await decide(
    org,
    cycleId,
    actors,
    'Oat <i>launch</i> capacity',
    [[team.ceo.id, 'overtime', 'Cheaper <script>alert(1)</script> than losing the launch']],
    {
      rationale: 'Protect the <b>launch</b> margin',
      reviewDate: '2027-05-01',
      commitments: ['Line 2 runs <u>Saturdays</u>'],
    },
  );
  const po2 = await buildMember(t, other, { name: 'Olga Other', roles: ['process-owner'] });
  const e1 = await buildMember(t, other, { name: 'Oscar Exec', roles: ['executive'] });
  otherDecisionId = await decide(other, otherCycle, { po: po2.id, ceo: e1.id, cfo: e1.id }, 'Their secret', [
    [e1.id, 'overtime'],
  ]);
}, 120_000);
afterAll(() => t.close());

const actionsOf = async (decisionId: string) =>
  (await t.http.get(api(org, `/actions?decisionId=${decisionId}`)).set(org.auth)).body.items as {
    ownerId: string;
    dueDate: string;
    description: string;
  }[];

describe('the register', () => {
  it('lists decisions newest first, 25 a page, with a link to the next page', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const first = await b.page('/app/decisions');
    expectAccessible(first.text);
    expect(first.text).toContain('28 decisions: 1 to 25 shown');
    const titles = [...first.text.matchAll(/<a href="\/app\/decisions\/[a-f0-9]{24}">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    );
    expect(titles.slice(0, 3)).toEqual([
      'Oat &lt;i&gt;launch&lt;/i&gt; capacity',
      'Split question',
      'Routine question 26',
    ]);
    expect(titles).toHaveLength(25);
    expect(first.text).not.toContain('<i>launch</i>');
    const next = /<a href="([^"]+)" rel="next">Next page<\/a>/
      .exec(first.text)?.[1]
      ?.replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    expect(next).toBe('/app/decisions?page=2');
    const second = await b.page(next!);
    expect(second.text).toContain('Routine question 1<');
    expect(second.text).toContain('26 to 28 shown');
    expect(second.text).toContain('rel="prev"');
    expect(second.text).not.toContain('rel="next"');
  });

  it('searches every word and filters by cycle, outcome and dates', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const oat = await b.page('/app/decisions?q=LAUNCH+oat');
    expect(oat.text).toContain('1 decision found');
    expect(oat.text).toContain(`/app/decisions/${oatId}`);
    expect((await b.page('/app/decisions?q=oat+nothing')).text).toContain('No decision matches');
    const split = await b.page('/app/decisions?status=no-majority&cycle=2027-02');
    expect(split.text).toContain('1 decision found');
    expect(split.text).toContain(`/app/decisions/${splitId}`);
    // Routine 1 was decided on 1 Feb, routine 3 on 3 Feb (Berlin).
    const dates = await b.page('/app/decisions?from=2027-02-02&to=2027-02-03&q=routine');
    expect(dates.text).toContain('2 decisions found');
    expect(dates.text).toContain('Routine question 2<');
    expect(dates.text).toContain('Routine question 3<');
    const bad = await b.page('/app/decisions?from=2027-13-01&to=soon&cycle=1999-01', 400);
    expectAccessible(bad.text);
    expect(bad.text).toMatch(/id="e-d-from">Give a date as YYYY-MM-DD/);
    expect(bad.text).toMatch(/id="e-d-cycle">There is no cycle for this month/);
    expect(bad.text).toContain('aria-invalid="true"');
  });
});

describe('one decision', () => {
  it('shows the options, the votes with their reasons, rationale, commitments and review date, escaped', async () => {
    const b = await signedInBrowser(t, org, team.cfo.id);
    const res = await b.page(`/app/decisions/${oatId}`);
    expectAccessible(res.text);
    expect(res.text).toContain('<h1>Oat &lt;i&gt;launch&lt;/i&gt; capacity</h1>');
    expect(res.text).toContain('Chosen: <strong>Run overtime</strong>');
    expect(res.text).toContain('Delay the &lt;b&gt;launch&lt;/b&gt;');
    expect(res.text).toContain('cost 12,000; closes the gap');
    expect(res.text).toContain('Cee Exec');
    expect(res.text).toContain('Cheaper &lt;script&gt;alert(1)&lt;/script&gt; than losing the launch');
    expect(res.text).toContain('Protect the &lt;b&gt;launch&lt;/b&gt; margin');
    expect(res.text).toContain('Line 2 runs &lt;u&gt;Saturdays&lt;/u&gt;');
    expect(res.text).toContain('Sat 1 May 2027');
    expect(res.text).toContain('by Petra PO');
    expect(res.text).not.toMatch(/<script>alert|<b>launch|<u>Saturdays/);
    // Not a process owner: no assign form.
    expect(res.text).not.toContain('Assign an action');
  });

  it("another org's decision is not found, to read or to act on", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    await b.page(`/app/decisions/${otherDecisionId}`, 404);
    await b.page('/app/decisions/not-an-id', 404);
    const res = await b.submit(
      `/app/decisions/${otherDecisionId}/actions`,
      { owner: team.po.id, due: '2027-03-10', description: 'Peek' },
      '/app/decisions',
    );
    expect(res.status).toBe(404);
    expect(
      (await t.http.get(api(other, `/actions?decisionId=${otherDecisionId}`)).set(other.auth)).body.items,
    ).toHaveLength(0);
  });
});

describe('assigning an action', () => {
  it('refuses a member who is not a process owner (as the API does)', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const res = await b.submit(
      `/app/decisions/${oatId}/actions`,
      { owner: team.ceo.id, due: '2027-03-10', description: 'Do it myself' },
      `/app/decisions/${oatId}`,
    );
    expect(res.status).toBe(403);
    expect(await actionsOf(oatId)).toHaveLength(0);
  });

  it('shows the problems beside the fields and writes nothing; then assigns the action', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const page = await b.page(`/app/decisions/${oatId}`);
    expect(page.text).toContain('Assign an action');
    expect(page.text).toContain(`<option value="${team.leaders['operations']!.id}">Lead operations</option>`);
    const path = `/app/decisions/${oatId}/actions`;
    const bad = await b.submit(
      path,
      { owner: '', due: '2020-01-01', description: 'Book <b>line 2</b>' },
      `/app/decisions/${oatId}`,
    );
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toMatch(/id="e-owner">choose who does it/);
    expect(bad.text).toMatch(/id="e-due">[^<]+/);
    expect(bad.text).toContain('Book &lt;b&gt;line 2&lt;/b&gt;</textarea>');
    expect(await actionsOf(oatId)).toHaveLength(0);

    const owner = team.leaders['operations']!;
    const ok = await b.submit(
      path,
      { owner: owner.id, due: '2027-03-10', description: 'Book <b>line 2</b> for Saturdays' },
      `/app/decisions/${oatId}`,
    );
    expect(ok.status).toBe(303);
    expect(ok.headers['location']).toBe(`/app/decisions/${oatId}#actions`);
    expect(await actionsOf(oatId)).toEqual([
      expect.objectContaining({
        ownerId: owner.id,
        dueDate: '2027-03-10',
        description: 'Book <b>line 2</b> for Saturdays',
      }),
    ]);
    const after = await b.page(`/app/decisions/${oatId}`);
    expect(after.text).toContain('Action assigned to Lead operations.');
    expect(after.text).toContain('Book &lt;b&gt;line 2&lt;/b&gt; for Saturdays');
    expect(after.text).toContain(`/app/actions?owner=${owner.id}#action-`);
    expect(after.text).toContain('Wed 10 Mar 2027');
    // The register counts it.
    expect((await b.page('/app/decisions?q=oat')).text).toContain('1 (1 to do)');
  });
});

describe('a decision on a trade-off of the pack', () => {
  it('shows the question and what each option costs', async () => {
    await uploadCompany(t, org, TIGHT_COMPANY);
    const pack = await t.http
      .post(api(org, `/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    const tradeoff = pack.body.tradeoffs[0] as { key: string; question: string; options: { key: string }[] };
    expect(tradeoff).toBeDefined();
    const ballot = await t.http
      .post(api(org, `/cycles/${cycleId}/ballots`))
      .set(org.auth)
      .send({ actorId: team.po.id, deadline: '2027-03-30T16:00:00Z', tradeoffKey: tradeoff.key });
    for (const v of [team.ceo.id, team.cfo.id])
      await t.http
        .post(api(org, `/ballots/${ballot.body.id}/votes`))
        .set(org.auth)
        .send({ memberId: v, option: tradeoff.options[0]!.key, reason: 'Least margin lost' });
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page(`/app/decisions/${ballot.body.id}`);
    expectAccessible(res.text);
    expect(res.text).toContain('The options and what each costs');
    expect(res.text).toContain('Cost of the levers');
    expect(res.text).toContain('(pack version 1)');
    expect(res.text).toMatch(/<span class="badge badge-decided">chosen<\/span>/);
  }, 60_000);
});
