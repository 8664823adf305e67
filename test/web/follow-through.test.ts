/**
 * Attendance and follow-through in the web app: response rates per function and per member (on
 * time, late, missing, not yet due), attendance per meeting, follow-through per cycle, each as an
 * accessible SVG chart with its numbers in a table; the process owner records attendance (field
 * errors, nothing written; then through the API); roles, tenants, markup escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inputTimeliness } from '../../src/app/followThrough.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let deputy: { id: string };
let aide: { id: string };
let cycleId: string;
let otherCycleId: string;

const api = (o: OrgHandle, path: string) => `/api/v1/orgs/${o.id}${path}`;
const execMeeting = () => `${cycleId}-executive-sop`;
const attendance = async () =>
  (await t.http.get(api(org, `/cycles/${cycleId}/attendance`)).set(org.auth)).body.meetings.find(
    (m: { step: string }) => m.step === 'executive-sop',
  ).invitees as { memberId: string; attendance: string | null; delegateId: string | null }[];

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Follow Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  await buildMember(t, org, {
    name: 'Mara <b>Mark</b>',
    roles: ['functional-leader'],
    functions: ['marketing'],
  });
  deputy = await buildMember(t, org, {
    name: 'Dee Deputy',
    delegation: { of: team.cfo.id, authority: true },
  });
  aide = await buildMember(t, org, { name: 'Ada Aide', delegation: { of: team.ceo.id, authority: false } });
  await buildMember(t, other, { name: 'Olga Other', roles: ['process-owner'] });
  const created = await t.http.post(api(org, '/cycles')).set(org.auth).send({ month: '2027-02' });
  cycleId = created.body.id;
  otherCycleId = (await t.http.post(api(other, '/cycles')).set(other.auth).send({ month: '2027-02' })).body
    .id;
  // Demand planning opens on 3 Feb; sales gives its input on time, marketing never does.
  await sweepAt(t, '2027-02-03T09:00:00Z');
  const sales = (created.body.inputs as { id: string; key: string }[]).find((i) =>
    i.key.endsWith('demand-adjustments:sales'),
  )!;
  const submitted = await t.http
    .post(api(org, `/cycles/${cycleId}/inputs/${sales.id}/submissions`))
    .set(org.auth)
    .send({
      memberId: team.leaders['sales']!.id,
      payload: {
        adjustments: [
          {
            family: 'F001',
            from: '2027-03',
            to: '2027-04',
            change: { type: 'percent', value: 5 },
            reason: 'Promo',
          },
        ],
      },
    });
  expect([submitted.status, submitted.body.error]).toEqual([201, undefined]);
  // 9 Feb: demand planning (due 8 Feb) is past; supply planning is open, not yet due.
  await sweepAt(t, '2027-02-09T09:00:00Z');
  // A decision with one action, done on time.
  const ballot = await t.http
    .post(api(org, `/cycles/${cycleId}/ballots`))
    .set(org.auth)
    .send({
      actorId: team.po.id,
      deadline: '2027-02-16T16:00:00Z',
      title: 'Promo depth',
      options: ['Deep', 'Shallow'],
    });
  for (const v of [team.ceo.id, team.cfo.id])
    await t.http
      .post(api(org, `/ballots/${ballot.body.id}/votes`))
      .set(org.auth)
      .send({ memberId: v, option: 'Deep' });
  const act = await t.http
    .post(api(org, `/decisions/${ballot.body.id}/actions`))
    .set(org.auth)
    .send({
      actorId: team.po.id,
      ownerId: team.leaders['sales']!.id,
      dueDate: '2027-02-12',
      description: 'Brief the stores',
    });
  expect(act.status).toBe(201);
  await t.http
    .patch(api(org, `/actions/${act.body.id}`))
    .set(org.auth)
    .send({ actorId: team.leaders['sales']!.id, status: 'done' });
}, 60_000);
afterAll(() => t.close());

describe('the page', () => {
  it('shows response rates, attendance and follow-through as charts with their numbers beside', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const started = performance.now();
    const res = await b.page('/app/follow-through');
    const first = performance.now() - started;
    expectAccessible(res.text);
    expect(res.text).toContain('<h1>Follow-through, cycle 2027-02</h1>');
    // Four charts, each an image with a name, and a table of the same numbers.
    expect(res.text.match(/<svg role="img" aria-label="[^"]+"/g)).toHaveLength(4);
    expect(res.text).toMatch(
      /<th scope="row">sales<\/th><td class="num">1<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">100%<\/td>/,
    );
    expect(res.text).toMatch(
      /<th scope="row">marketing<\/th><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num">0%<\/td>/,
    );
    expect(res.text).toMatch(
      /<th scope="row">operations<\/th><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td><td class="num">–<\/td>/,
    );
    // A name with markup: escaped in the table and in the chart's text.
    expect(res.text).toContain('Mara &lt;b&gt;Mark&lt;/b&gt;');
    expect(res.text).not.toContain('<b>Mark</b>');
    expect(res.text).toContain('Executive S&amp;OP 2027-02');
    // Follow-through of the cycle: 1 decision with an owned action, done on time.
    expect(res.text).toMatch(
      /<th scope="row">2027-02<\/th><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num">0<\/td>/,
    );
    // Not a process owner: no attendance form.
    expect(res.text).not.toContain('Record the attendance');
    // The charts are cached by their numbers: the same page again is quicker.
    const again = performance.now();
    await b.page('/app/follow-through?cycle=2027-02');
    expect(performance.now() - again).toBeLessThan(first + 50);
    await b.page('/app/follow-through?cycle=1999-01', 404);
  });

  it('splits inputs into on time, late, missing and not yet due', () => {
    const cycle = {
      steps: [{ key: 'demand-planning', status: 'open', dueAt: new Date('2027-02-08T16:00:00Z') }],
    } as Parameters<typeof inputTimeliness>[1];
    const r = (latestVersion: number, at: string | null) => ({
      step: 'demand-planning' as const,
      latestVersion,
      lastSubmittedAt: at ? new Date(at) : null,
    });
    const before = new Date('2027-02-05T00:00:00Z');
    const after = new Date('2027-02-09T00:00:00Z');
    expect(inputTimeliness(r(1, '2027-02-08T15:00:00Z'), cycle, after)).toBe('on-time');
    expect(inputTimeliness(r(2, '2027-02-08T17:00:00Z'), cycle, after)).toBe('late');
    expect(inputTimeliness(r(0, null), cycle, after)).toBe('missing');
    expect(inputTimeliness(r(0, null), cycle, before)).toBe('not-due');
  });
});

describe('recording attendance', () => {
  const path = () => `/app/meetings/${execMeeting()}/attendance`;

  it('is for a process owner only (as the API)', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const res = await b.submit(path(), { [`status-${team.ceo.id}`]: 'present' }, '/app/follow-through');
    expect(res.status).toBe(403);
    expect((await attendance()).every((i) => i.attendance === null)).toBe(true);
  });

  it("another org's meeting is not found", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.submit(
      `/app/meetings/${otherCycleId}-executive-sop/attendance`,
      { [`status-${team.ceo.id}`]: 'present' },
      '/app/follow-through',
    );
    expect(res.status).toBe(404);
    expect((await b.submit('/app/meetings/nope/attendance', {}, '/app/follow-through')).status).toBe(404);
  });

  it('shows the problems beside the fields and writes nothing; then records', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const page = await b.page('/app/follow-through');
    expect(page.text).toContain('Record the attendance');
    expect(page.text).toContain(`<option value="${deputy.id}">Dee Deputy</option>`);
    const empty = await b.submit(path(), {}, '/app/follow-through');
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Choose who was present, absent or represented.');

    // Represented, but by a delegate of someone else.
    const wrong = await b.submit(
      path(),
      {
        [`status-${team.ceo.id}`]: 'present',
        [`status-${team.cfo.id}`]: 'represented',
        [`delegate-${team.cfo.id}`]: aide.id,
      },
      '/app/follow-through',
    );
    expect(wrong.status).toBe(400);
    expectAccessible(wrong.text);
    expect(wrong.text).toMatch(
      new RegExp(`id="e-del-${execMeeting()}-${team.cfo.id}">name a delegate of this member`),
    );
    // What was chosen is shown again.
    expect(wrong.text).toMatch(
      new RegExp(`name="status-${team.ceo.id}"[^]*?<option value="present" selected>`),
    );
    expect((await attendance()).every((i) => i.attendance === null)).toBe(true);

    const ok = await b.submit(
      path(),
      {
        [`status-${team.ceo.id}`]: 'present',
        [`status-${team.cfo.id}`]: 'represented',
        [`delegate-${team.cfo.id}`]: deputy.id,
        [`status-${team.po.id}`]: 'absent',
      },
      '/app/follow-through',
    );
    expect(ok.status).toBe(303);
    expect(ok.headers['location']).toBe(`/app/follow-through?cycle=2027-02#meeting-${execMeeting()}`);
    const stored = await attendance();
    expect(stored.find((i) => i.memberId === team.cfo.id)).toMatchObject({
      attendance: 'represented',
      delegateId: deputy.id,
    });
    expect(stored.find((i) => i.memberId === team.po.id)?.attendance).toBe('absent');
    const after = await b.page('/app/follow-through');
    expect(after.text).toContain('Attendance recorded for Executive S&amp;OP 2027-02 (3 people).');
    expect(after.text).toContain('Represented by a delegate (Dee Deputy)');
  });
});
