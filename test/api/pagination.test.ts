/**
 * Every list pages: `?limit=` and `?cursor=`, a working `next`, every item once and in order to the
 * end, and a cursor that is not one of the list's answered with 400 (field `cursor`), never page 1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { endMeeting, startMeeting } from '../../src/app/meetings.js';
import { TABLES } from '../../src/domain/dataset.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let salesRequest: string;
let decisionId: string;
/** Pre-S&OP meetings run and ended, in the order they ended. */
const endedMeetings: string[] = [];
const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
const cursorOf = (key: string) => Buffer.from(key).toString('base64url');
const b64 = encodeURIComponent;

async function uploadTemplate() {
  let req = t.http.post(api('/datasets')).set(org.auth);
  for (const table of TABLES) {
    const csv = (await t.http.get(`/api/v1/templates/${table}.csv`)).text;
    req = req.attach(table, Buffer.from(csv), `${table}.csv`);
  }
  expect((await req).status).toBe(201);
}

async function adHocDecision(title: string) {
  const ballot = await t.http
    .post(api(`/cycles/${cycleId}/ballots`))
    .set(org.auth)
    .send({ actorId: team.po.id, deadline: '2027-02-20T16:00:00Z', title, options: ['yes', 'no'] });
  expect(ballot.status).toBe(201);
  const closed = await t.http
    .post(api(`/ballots/${ballot.body.id}/close`))
    .set(org.auth)
    .send({ actorId: team.po.id });
  expect(closed.status).toBe(200);
  t.clock.advance(60_000);
  return closed.body.id as string;
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T09:00:00Z' });
  org = await buildOrg(t, { name: 'Paging Co' });
  await buildOrg(t, { name: 'Paging Two' });
  await buildOrg(t, { name: 'Paging Three' });
  team = await buildTeam(t, org);
  for (let i = 0; i < 3; i++) expect((await t.http.post(api('/tokens')).set(org.auth)).status).toBe(201);
  for (let i = 0; i < 3; i++) await uploadTemplate();
  const cycles: string[] = [];
  for (const month of ['2027-02', '2027-03', '2027-04'])
    cycles.push((await t.http.post(api('/cycles')).set(org.auth).send({ month })).body.id as string);
  cycleId = cycles[0]!;
  // Demand planning (BD3) opens: sales submits three versions while marketing still owes its own.
  await sweepAt(t, '2027-02-03T08:30:00Z');
  const inputs = (await t.http.get(api(`/cycles/${cycleId}/inputs?limit=100`)).set(org.auth)).body.items;
  salesRequest = inputs.find((i: { kind: string; function: string }) => i.function === 'sales').id;
  for (const percent of [5, 7, 9]) {
    const res = await t.http
      .post(api(`/cycles/${cycleId}/inputs/${salesRequest}/submissions`))
      .set(org.auth)
      .send({
        memberId: team.leaders['sales']!.id,
        payload: {
          adjustments: [
            {
              family: 'SW-050',
              from: '2027-03',
              to: '2027-04',
              change: { type: 'percent', value: percent },
              reason: 'promotion planned',
            },
          ],
        },
      });
    expect(res.status).toBe(201);
  }
  expect(
    (
      await t.http
        .post(api(`/cycles/${cycleId}/pack`))
        .set(org.auth)
        .send({})
    ).status,
  ).toBe(201);
  for (const title of ['First call', 'Second call', 'Third call']) decisionId = await adHocDecision(title);
  for (const description of ['Book overtime', 'Call the supplier', 'Tell sales']) {
    const res = await t.http
      .post(api(`/decisions/${decisionId}/actions`))
      .set(org.auth)
      .send({
        actorId: team.po.id,
        ownerId: team.leaders['operations']!.id,
        dueDate: '2027-02-26',
        description,
      });
    expect(res.status).toBe(201);
  }
  // Three pre-S&OP meetings run and ended: three sets of minutes.
  for (const id of cycles) {
    await startMeeting(t.accord.deps, org.id, `${id}-pre-sop`, team.po.id);
    t.clock.advance(60_000);
    await endMeeting(t.accord.deps, org.id, `${id}-pre-sop`, team.po.id);
    endedMeetings.push(`${id}-pre-sop`);
  }
  for (const team of ['T01', 'T02', 'T03'])
    await t.accord.deps.installations.put({
      id: `slack:-:${team}`,
      platform: 'slack',
      teamId: team,
      enterpriseId: null,
      teamName: `Workspace ${team}`,
      orgId: org.id,
      botToken: `xoxb-${team}`,
      botUserId: 'UBOT',
      data: '{}',
      installedAt: t.clock.now(),
    });
});
afterAll(() => t.close());

const LISTS: [string, () => string, () => Record<string, string>, number][] = [
  ['orgs', () => '/api/v1/orgs', admin, 2],
  ['tokens', () => api('/tokens'), () => org.auth, 2],
  ['members', () => api('/members'), () => org.auth, 4],
  ['cycles', () => api('/cycles'), () => org.auth, 2],
  ['inputs', () => api(`/cycles/${cycleId}/inputs`), () => org.auth, 3],
  ['submissions', () => api(`/cycles/${cycleId}/inputs/${salesRequest}/submissions`), () => org.auth, 2],
  ['outbox', () => api('/outbox'), () => org.auth, 3],
  ['audit', () => api('/audit'), () => org.auth, 5],
  ['datasets', () => api('/datasets'), () => org.auth, 2],
  ['pack families', () => api(`/cycles/${cycleId}/pack/families`), () => org.auth, 1],
  ['decisions', () => api('/decisions'), () => org.auth, 2],
  ['actions', () => api('/actions'), () => org.auth, 2],
  ['meetings', () => api(`/cycles/${cycleId}/meetings`), () => org.auth, 1],
  ['minutes', () => api('/minutes'), () => org.auth, 2],
  ['slack workspaces', () => api('/slack'), () => org.auth, 2],
];

describe.each(LISTS)('GET %s', (_name, path, auth, limit) => {
  it(`pages through to the end ${limit} at a time: every item once, in order`, async () => {
    const all = await t.http.get(`${path()}?limit=100`).set(auth());
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    expect(all.body.items.length).toBeGreaterThan(limit);

    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: unknown[]; next: string | null } } = await t.http
        .get(`${path()}?limit=${limit}${cursor ? `&cursor=${b64(cursor)}` : ''}`)
        .set(auth());
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...res.body.items);
      cursor = res.body.next;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(seen).toEqual(all.body.items);
    expect(pages).toBe(Math.ceil(all.body.items.length / limit));
  });

  it('answers an invalid cursor with 400 naming the cursor', async () => {
    for (const bad of ['not-a-cursor', cursorOf('zzzz'), cursorOf('2027-01-01|x'), '%20']) {
      const res = await t.http.get(`${path()}?limit=${limit}&cursor=${bad}`).set(auth());
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty('cursor');
    }
  });
});

describe('cursors', () => {
  it('the decision register (newest first) keeps its place when a decision is added between pages', async () => {
    const first = (await t.http.get(api('/decisions?limit=2')).set(org.auth)).body;
    const titles = first.items.map((d: { title: string }) => d.title);
    expect(titles).toEqual(['Third call', 'Second call']);
    await adHocDecision('Fourth call');
    const second = (await t.http.get(api(`/decisions?limit=2&cursor=${b64(first.next)}`)).set(org.auth)).body;
    expect(second.items.map((d: { title: string }) => d.title)).toEqual(['First call']);
    expect(second.next).toBeNull();
  });

  it('the pack families keep to the pack version of their first page', async () => {
    const first = (await t.http.get(api(`/cycles/${cycleId}/pack/families?limit=1`)).set(org.auth)).body;
    expect(
      (
        await t.http
          .post(api(`/cycles/${cycleId}/pack`))
          .set(org.auth)
          .send({})
      ).status,
    ).toBe(201);
    const next = await t.http
      .get(api(`/cycles/${cycleId}/pack/families?limit=1&cursor=${b64(first.next)}`))
      .set(org.auth);
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].family).not.toBe(first.items[0].family);
    // The cursor names version 1: asking for version 2 with it is a contradiction.
    const mixed = await t.http
      .get(api(`/cycles/${cycleId}/pack/families?version=2&cursor=${b64(first.next)}`))
      .set(org.auth);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.fields).toHaveProperty('cursor');
  });

  it('the minutes list newest first, page after page', async () => {
    const first = (await t.http.get(api('/minutes?limit=2')).set(org.auth)).body;
    const second = (await t.http.get(api(`/minutes?limit=2&cursor=${b64(first.next)}`)).set(org.auth)).body;
    expect([...first.items, ...second.items].map((m: { meetingId: string }) => m.meetingId)).toEqual(
      [...endedMeetings].reverse(),
    );
    expect(second.next).toBeNull();
  });

  it('a cursor of an empty string is refused too', async () => {
    const res = await t.http.get(api('/members?cursor=')).set(org.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toHaveProperty('cursor');
  });
});
