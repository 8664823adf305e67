/**
 * Ballots on the web: the open ones with my vote and the recently closed ones with their decision;
 * a ballot from a pack's trade-off with the pack's costs; a vote (and its why, escaped) through the
 * same use case as chat and the API; hidden counts; who may not vote; a closed ballot; another
 * org's ballot.
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

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let deputy: { id: string };
let aide: { id: string };
let tradeoff: {
  key: string;
  options: { key: string; label: string; cost: number }[];
  recommended: string;
};
let otherBallot: string;

const api = (path: string, h = org) => `/api/v1/orgs/${h.id}${path}`;
const open = async (body: Record<string, unknown>, h = org, actorId = team.po.id, cycle = cycleId) => {
  const res = await t.http
    .post(api(`/cycles/${cycle}/ballots`, h))
    .set(h.auth)
    .send({ actorId, deadline: '2027-02-17T16:00:00Z', ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
};
const ballot = async (id: string) => (await t.http.get(api(`/ballots/${id}`)).set(org.auth)).body;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Vote Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  deputy = await buildMember(t, org, {
    name: 'Dee Deputy',
    delegation: { of: team.cfo.id, authority: true },
  });
  aide = await buildMember(t, org, { name: 'Ada Aide', delegation: { of: team.ceo.id, authority: false } });
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  await uploadCompany(t, org, TIGHT_COMPANY);
  const pack = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  tradeoff = pack.body.tradeoffs[0];
  const theirTeam = await buildTeam(t, other);
  const theirCycle = (await t.http.post(api('/cycles', other)).set(other.auth).send({ month: '2027-02' }))
    .body.id;
  otherBallot = await open(
    { title: 'Their question', options: ['yes', 'no'] },
    other,
    theirTeam.po.id,
    theirCycle,
  );
});
afterAll(() => t.close());

describe('ballots', () => {
  let fromPack: string;

  it('a ballot from a trade-off shows its question, the pack’s costs, the deadline, nobody voted yet', async () => {
    expect(tradeoff).toBeDefined();
    fromPack = await open({ tradeoffKey: tradeoff.key });
    const b = await signedInBrowser(t, org, team.ceo.id);
    const list = await b.page('/app/ballots');
    expect(list.text).toContain(`/app/ballots/${fromPack}`);
    expect(list.text).toContain('Not voted yet');
    const page = await b.page(`/app/ballots/${fromPack}`);
    for (const o of tradeoff.options) expect(page.text).toContain(o.label.replace(/&/g, '&amp;'));
    expect(page.text).toContain('recommended</span>');
    expect(page.text).toContain('Margin still lost');
    expect(page.text).toContain('0 of 2 voted');
    expect(page.text).toContain('Nobody has voted yet');
    expect(page.text).toContain('Wed 17 Feb 2027, 17:00'); // 16:00 UTC in Berlin
    expect(page.text).toContain('name="option"');
    expect(page.text).toContain(`/app/cycles/${cycleId}/pack?version=1`);
  });

  it('a vote without an option is refused beside the field, nothing written', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const res = await b.submit(`/app/ballots/${fromPack}/vote`, { why: 'x' }, `/app/ballots/${fromPack}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="e-option">Choose an option.');
    expect((await ballot(fromPack)).voted).toBe(0);
  });

  it('a vote with a why that contains markup: counted, the why kept and shown escaped', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const option = tradeoff.options[0]!;
    const why = 'Cheapest <script>alert(1)</script> & safest';
    const res = await b.submit(
      `/app/ballots/${fromPack}/vote`,
      { option: option.key, why },
      `/app/ballots/${fromPack}`,
    );
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe(`/app/ballots/${fromPack}`);
    const page = await b.page(`/app/ballots/${fromPack}`);
    expect(page.text).toContain('is counted');
    expect(page.text).toContain('Cheapest &lt;script&gt;alert(1)&lt;/script&gt; &amp; safest');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('1 of 2 voted');
    expect(page.text).toContain('Change my vote');
    const api = await ballot(fromPack);
    expect(api.voters).toEqual([
      expect.objectContaining({ voterId: team.ceo.id, option: option.key, reason: why }),
    ]);
  });

  it('a member who does not vote is refused, with the reason; nothing written', async () => {
    for (const who of [aide.id, team.leaders['sales']!.id]) {
      const b = await signedInBrowser(t, org, who);
      const page = await b.page(`/app/ballots/${fromPack}`);
      expect(page.text).toContain('You do not vote on this ballot');
      expect(page.text).not.toContain('name="option"');
      const res = await b.submit(
        `/app/ballots/${fromPack}/vote`,
        { option: tradeoff.options[1]!.key },
        `/app/ballots/${fromPack}`,
      );
      expect(res.status).toBe(403);
    }
    const aidePage = await (await signedInBrowser(t, org, aide.id)).page(`/app/ballots/${fromPack}`, 200);
    expect(aidePage.text).toContain('without decision authority');
    expect((await ballot(fromPack)).voted).toBe(1);
  });

  it('hidden counts: only who has voted, never how, until it closes', async () => {
    const id = await open({
      title: 'Launch <i>Oat</i> drink when?',
      options: ['march', 'april'],
      rules: { hideResults: true },
    });
    const ceo = await signedInBrowser(t, org, team.ceo.id);
    const res = await ceo.submit(
      `/app/ballots/${id}/vote`,
      { option: 'april', why: 'capacity frees up' },
      `/app/ballots/${id}`,
    );
    expect(res.status).toBe(303);
    const b = await signedInBrowser(t, org, deputy.id);
    const page = await b.page(`/app/ballots/${id}`);
    expect(page.text).toContain('Launch &lt;i&gt;Oat&lt;/i&gt; drink when?');
    expect(page.text).toContain('1 of 2 voted');
    expect(page.text).toContain('Cee Exec');
    expect(page.text).not.toContain('capacity frees up');
    expect(page.text).not.toContain('<th scope="col" class="num">Votes</th>');
    expect(page.text).toContain('(for Cfo Exec)');
    // The deputy votes for the CFO: everyone has voted, the ballot closes and shows how.
    const last = await b.submit(`/app/ballots/${id}/vote`, { option: 'april' }, `/app/ballots/${id}`);
    expect(last.status).toBe(303);
    const closed = await b.page(`/app/ballots/${id}`);
    expect(closed.text).toContain('Everyone has voted: the ballot is closed');
    expect(closed.text).toContain('Decided: april');
    expect(closed.text).toContain('capacity frees up');
    expect(closed.text).toContain('(by Dee Deputy)');
    const list = await b.page('/app/ballots');
    expect(list.text).toMatch(
      /Recently closed[\s\S]*Launch &lt;i&gt;Oat&lt;\/i&gt; drink when\?[\s\S]*Decided: april/,
    );
  });

  it('a closed ballot refuses a vote with a clear message', async () => {
    const id = await open({ title: 'Close me', options: ['a', 'b'] });
    const closed = await t.http
      .post(api(`/ballots/${id}/close`))
      .set(org.auth)
      .send({ actorId: team.po.id, rationale: 'decided in the room' });
    expect(closed.status).toBe(200);
    const b = await signedInBrowser(t, org, team.cfo.id);
    const page = await b.page(`/app/ballots/${id}`);
    expect(page.text).not.toContain('name="option"');
    expect(page.text).toContain('decided in the room');
    const res = await b.submit(`/app/ballots/${id}/vote`, { option: 'a' }, `/app/ballots/${id}`);
    expect(res.status).toBe(409);
    expect(res.text).toContain('This ballot is closed: your vote was not counted.');
    expect((await ballot(id)).voted).toBe(0);
  });

  it("another org's ballot is not found, and nothing is written to it", async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    await b.page(`/app/ballots/${otherBallot}`, 404);
    await b.page('/app/ballots/not-an-id', 404);
    const res = await b.submit(`/app/ballots/${otherBallot}/vote`, { option: 'yes' }, '/app/ballots');
    expect(res.status).toBe(404);
    const theirs = (await t.http.get(api(`/ballots/${otherBallot}`, other)).set(other.auth)).body;
    expect(theirs.voted).toBe(0);
    const list = await b.page('/app/ballots');
    expect(list.text).not.toContain('Their question');
  });
});
