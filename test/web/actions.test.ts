/**
 * The actions board in the web app: grouped per owner, overdue first then by due date; mine by
 * default, everyone's for a process owner; marking done, blocked with a note (required; markup
 * escaped), the owner rule of the API, and another org's action not found. Data through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let decisionId: string;
let later: string;
let overdue: string;
let sales: string;
let theirs: string;

const api = (o: OrgHandle, path: string) => `/api/v1/orgs/${o.id}${path}`;

async function decision(o: OrgHandle, po: string, voters: string[], title: string): Promise<string> {
  const cycle = (await t.http.post(api(o, '/cycles')).set(o.auth).send({ month: '2027-02' })).body.id;
  const ballot = await t.http
    .post(api(o, `/cycles/${cycle}/ballots`))
    .set(o.auth)
    .send({ actorId: po, deadline: '2027-02-20T16:00:00Z', title, options: ['Yes', 'No'] });
  for (const v of voters)
    await t.http
      .post(api(o, `/ballots/${ballot.body.id}/votes`))
      .set(o.auth)
      .send({ memberId: v, option: 'Yes' });
  return ballot.body.id;
}

async function assign(o: OrgHandle, d: string, po: string, ownerId: string, dueDate: string, what: string) {
  const res = await t.http
    .post(api(o, `/decisions/${d}/actions`))
    .set(o.auth)
    .send({ actorId: po, ownerId, dueDate, description: what });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const action = async (id: string) =>
  (await t.http.get(api(org, `/actions?limit=100`)).set(org.auth)).body.items.find(
    (a: { id: string }) => a.id === id,
  ) as { status: string; history: { status: string; note: string | null }[] };

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-01T09:00:00Z' });
  org = await buildOrg(t, { name: 'Act Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  decisionId = await decision(org, team.po.id, [team.ceo.id, team.cfo.id], 'Open line <b>3</b>');
  const ops = team.leaders['operations']!.id;
  later = await assign(org, decisionId, team.po.id, ops, '2027-03-10', 'Hire the <i>night</i> shift');
  overdue = await assign(org, decisionId, team.po.id, ops, '2027-02-05', 'Order the moulds');
  sales = await assign(
    org,
    decisionId,
    team.po.id,
    team.leaders['sales']!.id,
    '2027-03-01',
    'Tell key accounts',
  );
  const po2 = await buildMember(t, other, { name: 'Olga Other', roles: ['process-owner'] });
  const e2 = await buildMember(t, other, { name: 'Oscar Exec', roles: ['executive'] });
  const d2 = await decision(other, po2.id, [e2.id], 'Theirs');
  theirs = await assign(other, d2, po2.id, e2.id, '2027-03-01', 'Their action');
  // A week on: "Order the moulds" (due 5 Feb) is overdue.
  t.clock.set('2027-02-08T09:00:00Z');
}, 60_000);
afterAll(() => t.close());

describe('the board', () => {
  it("shows the owner's own actions by default, overdue first, with the decision", async () => {
    const b = await signedInBrowser(t, org, team.leaders['operations']!.id);
    const res = await b.page('/app/actions');
    expectAccessible(res.text);
    expect(res.text).toContain('2 actions (yours), <strong>1 overdue</strong>');
    const order = [...res.text.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(order).toEqual(['Order the moulds', 'Hire the &lt;i&gt;night&lt;/i&gt; shift']);
    expect(res.text).not.toContain('<i>night</i>');
    expect(res.text).not.toContain('Tell key accounts');
    expect(res.text).toContain(`<a href="/app/decisions/${decisionId}">Open line &lt;b&gt;3&lt;/b&gt;</a>`);
    expect(res.text).toContain('Fri 5 Feb 2027');
    expect(res.text).toMatch(/status-overdue">Overdue/);
  });

  it("shows a process owner everyone's actions, grouped per owner", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page('/app/actions');
    expectAccessible(res.text);
    expect(res.text).toContain('3 actions (everyone)');
    const owners = [...res.text.matchAll(/<h2 id="h-owner-[a-f0-9]+">([^<]+)/g)].map((m) => m[1]!.trim());
    expect(owners).toEqual(['Lead operations', 'Lead sales']);
    const one = await b.page(`/app/actions?owner=${team.leaders['sales']!.id}`);
    expect(one.text).toContain('Tell key accounts');
    expect(one.text).not.toContain('Order the moulds');
    await b.page('/app/actions?owner=000000000000000000000000', 404);
  });
});

describe('changing an action', () => {
  it('marks an action done', async () => {
    const b = await signedInBrowser(t, org, team.leaders['operations']!.id);
    const res = await b.submit(
      `/app/actions/${later}`,
      { status: 'done', note: '', view: 'me' },
      '/app/actions',
    );
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe(`/app/actions?owner=me#action-${later}`);
    expect((await action(later)).status).toBe('done');
    const page = await b.page(res.headers['location']!);
    expect(page.text).toContain('Marked done.');
  });

  it('marks an action blocked only with a note, shown escaped', async () => {
    const b = await signedInBrowser(t, org, team.leaders['operations']!.id);
    const bare = await b.submit(
      `/app/actions/${overdue}`,
      { status: 'blocked', note: '', view: 'me' },
      '/app/actions',
    );
    expect(bare.status).toBe(400);
    expectAccessible(bare.text);
    expect(bare.text).toMatch(new RegExp(`id="e-note-${overdue}">a blocked action needs a note`));
    expect((await action(overdue)).history).toHaveLength(1);

    const note = 'Supplier <script>alert(1)</script> is closed';
    const res = await b.submit(
      `/app/actions/${overdue}`,
      { status: 'blocked', note, view: 'me' },
      '/app/actions',
    );
    expect(res.status).toBe(303);
    const stored = await action(overdue);
    expect(stored.status).toBe('blocked');
    expect(stored.history.at(-1)).toMatchObject({ status: 'blocked', note });
    const page = await b.page('/app/actions');
    expect(page.text).toContain('Marked blocked, with your note.');
    expect(page.text).toContain('Supplier &lt;script&gt;alert(1)&lt;/script&gt; is closed');
    expect(page.text).not.toContain('<script>alert(1)');
  });

  it('refuses a member who does not own the action, and shows them no form for it', async () => {
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const all = await b.page('/app/actions?owner=all');
    expect(all.text).toContain(`action="/app/actions/${sales}"`);
    expect(all.text).not.toContain(`action="/app/actions/${overdue}"`);
    const before = (await action(overdue)).history.length;
    const res = await b.submit(`/app/actions/${overdue}`, { status: 'done', view: 'me' }, '/app/actions');
    expect(res.status).toBe(403);
    expect((await action(overdue)).history).toHaveLength(before);
  });

  it("another org's action is not found", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.submit(`/app/actions/${theirs}`, { status: 'done' }, '/app/actions');
    expect(res.status).toBe(404);
    expect((await b.submit('/app/actions/nope', { status: 'done' }, '/app/actions')).status).toBe(404);
    const stored = (await t.http.get(api(other, '/actions')).set(other.auth)).body.items[0];
    expect(stored.status).toBe('open');
  });
});
