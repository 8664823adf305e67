/**
 * The web app's door: one-time sign-in links, sessions as cookies, CSRF on every form, the role on
 * every change, one org's session never reaching another org's objects, the CSP, and every string a
 * person typed escaped. Then the cycle board and the process owner's step changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { encodeForm, signInLink, signedInBrowser, csrfIn } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let otherCycleId: string;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-04T07:00:00Z' });
  org = await buildOrg(t, { name: 'Acme <b>Foods</b>', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  await buildMember(t, other, { name: 'Olga Other', roles: ['process-owner'] });
  cycleId = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body
    .id;
  otherCycleId = (
    await t.http.post(`/api/v1/orgs/${other.id}/cycles`).set(other.auth).send({ month: '2027-02' })
  ).body.id;
});
afterAll(() => t.close());

describe('signing in', () => {
  it('a link opens a page with a button; only the POST spends it, once', async () => {
    const link = await signInLink(t, org, team.po.id);
    const agent = supertest.agent(t.accord.app);
    // A chat preview fetching the link twice does not use it.
    expect((await agent.get(link)).status).toBe(200);
    const page = await agent.get(link);
    expect(page.text).toContain('Sign in to Accord');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const first = await agent.post(link).type('form').send('');
    expect(first.status).toBe(303);
    expect(first.headers['location']).toBe('/app');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/accord_session=[\w-]{43}; Path=\/app; HttpOnly; SameSite=Lax/);
    expect((await agent.get('/app/board')).status).toBe(200);
    // The same link again, in another browser: refused.
    const again = await supertest(t.accord.app).post(link).type('form').send('');
    expect(again.status).toBe(403);
    expect(again.text).toContain('has been used or is not valid');
  });

  it('a sign-in sent from another site is refused, and the link still works from its own page', async () => {
    const link = await signInLink(t, org, team.po.id);
    const agent = supertest.agent(t.accord.app);
    const forged = await agent.post(link).set('Origin', 'https://evil.example').type('form').send('');
    expect(forged.status).toBe(403);
    const own = await agent.post(link).set('Origin', 'http://localhost:3000').type('form').send('');
    expect(own.status).toBe(303);
  });

  it('an expired link is refused with the reason; a made-up one too', async () => {
    const link = await signInLink(t, org, team.ceo.id);
    t.clock.advance(16 * 60_000);
    const res = await supertest(t.accord.app).post(link).type('form').send('');
    expect(res.status).toBe(403);
    expect(res.text).toContain('expired');
    t.clock.set('2027-01-04T07:00:00Z');
    expect((await supertest(t.accord.app).post('/app/sign-in/nope').type('form').send('')).status).toBe(403);
  });

  it('without a session a page says how to sign in, and comes back to it after', async () => {
    const agent = supertest.agent(t.accord.app);
    const res = await agent.get(`/app/cycles/${cycleId}`);
    expect(res.status).toBe(401);
    expect(res.text).toContain('/sop web');
    const link = await signInLink(t, org, team.po.id);
    const signed = await agent.post(link).type('form').send('');
    expect(signed.headers['location']).toBe(`/app/cycles/${cycleId}`);
  });

  it('the store keeps no secret: links and sessions by their hash only', async () => {
    const link = await signInLink(t, org, team.po.id);
    const token = link.split('/').pop()!;
    const docs = await t.accord.db.models.WebToken.collection.find({}).toArray();
    expect(JSON.stringify(docs)).not.toContain(token);
  });

  it('signing out everywhere ends every browser of that person, not others', async () => {
    const laptop = await signedInBrowser(t, org, team.po.id);
    const phone = await signedInBrowser(t, org, team.po.id);
    const someoneElse = await signedInBrowser(t, org, team.ceo.id);
    const board = await laptop.page('/app/board');
    const out = await laptop.agent
      .post('/app/sign-out')
      .type('form')
      .send(encodeForm({ _csrf: csrfIn(board.text), everywhere: '1' }));
    expect(out.status).toBe(303);
    expect((await laptop.agent.get('/app/board')).status).toBe(401);
    expect((await phone.agent.get('/app/board')).status).toBe(401);
    expect((await someoneElse.agent.get('/app/board')).status).toBe(200);
  });

  it('signing out ends the session', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const board = await b.page('/app/board');
    const out = await b.agent
      .post('/app/sign-out')
      .type('form')
      .send(encodeForm({ _csrf: csrfIn(board.text) }));
    expect(out.status).toBe(303);
    expect((await b.agent.get('/app/board')).status).toBe(401);
  });
});

describe('forms and roles', () => {
  it('a form without the session token, or from another site, changes nothing', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const path = `/app/cycles/${cycleId}/steps/data-gathering/close`;
    const noToken = await b.agent
      .post(path)
      .type('form')
      .send(encodeForm({ reason: 'x' }));
    expect(noToken.status).toBe(403);
    const board = await b.page(`/app/cycles/${cycleId}`);
    const crossSite = await b.agent
      .post(path)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send(encodeForm({ _csrf: csrfIn(board.text), reason: 'x' }));
    expect(crossSite.status).toBe(403);
    const cycle = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body;
    expect(cycle.steps[0].status).not.toBe('closed');
  });

  it('a member who is not a process owner cannot change a step (same rule as the API)', async () => {
    const b = await signedInBrowser(t, org, team.ceo.id);
    const board = await b.page(`/app/cycles/${cycleId}`);
    expect(board.text).not.toContain('Change this step');
    const res = await b.submit(
      `/app/cycles/${cycleId}/steps/data-gathering/close`,
      { reason: 'x' },
      `/app/cycles/${cycleId}`,
    );
    expect(res.status).toBe(403);
  });

  it("one org's session never reaches another org's cycle", async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    await b.page(`/app/cycles/${otherCycleId}`, 404);
    const res = await b.submit(
      `/app/cycles/${otherCycleId}/steps/data-gathering/close`,
      { reason: 'x' },
      `/app/cycles/${cycleId}`,
    );
    expect(res.status).toBe(404);
    const theirs = (await t.http.get(`/api/v1/orgs/${other.id}/cycles/${otherCycleId}`).set(other.auth)).body;
    expect(theirs.steps[0].status).not.toBe('closed');
  });
});

describe('the cycle board', () => {
  it('shows the five steps, who owes what, in the reader’s time zone, names escaped', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page('/app/board');
    for (const title of [
      'Data gathering',
      'Demand planning',
      'Supply planning',
      'Pre-S&amp;OP reconciliation',
      'Executive S&amp;OP',
    ])
      expect(res.text).toContain(title);
    expect(res.text).toContain('Lead sales');
    expect(res.text).toContain('Acme &lt;b&gt;Foods&lt;/b&gt;');
    expect(res.text).not.toContain('<b>Foods</b>');
    expect(res.text).toContain('Change this step');
  });

  it('extends a step: a missing reason is refused beside the field, nothing changes; then it is done', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const before = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body;
    const path = `/app/cycles/${cycleId}/steps/data-gathering/extend`;
    const bad = await b.submit(path, { dueAt: '2027-01-20T17:00', reason: '' }, `/app/cycles/${cycleId}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Say why');
    expect(bad.text).toContain('value="2027-01-20T17:00"');
    const unchanged = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body;
    expect(unchanged.steps[0].dueAt).toBe(before.steps[0].dueAt);

    const reason = 'Sales data late <script>alert(1)</script>';
    const tooLate = await b.submit(path, { dueAt: '2027-03-30T17:00', reason }, `/app/cycles/${cycleId}`);
    expect(tooLate.status).toBe(400);

    const ok = await b.submit(path, { dueAt: '2027-02-04T17:00', reason }, `/app/cycles/${cycleId}`);
    expect([ok.status, /field-error[^>]*>([^<]*)/.exec(ok.text)?.[1]]).toEqual([303, undefined]);
    const page = await b.page(ok.headers['location']!);
    expect(page.text).toContain('Data gathering extended.');
    expect(page.text).toContain('Sales data late &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert(1)');
    const after = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}`).set(org.auth)).body;
    // 17:00 in Berlin (the reader's zone defaults to the org's).
    expect(after.steps[0].dueAt).toBe('2027-02-04T16:00:00.000Z');
  });
});

describe('excusing an input', () => {
  it('a reason is needed; an excused input is not owed, and its step closes when the rest is in', async () => {
    const b = await signedInBrowser(t, org, team.po.id);
    const inputs = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs`).set(org.auth)).body
      .items as { id: string; step: string; kind: string; excused: unknown }[];
    const confirm = inputs.find((r) => r.step === 'data-gathering')!;
    const path = `/app/cycles/${cycleId}/inputs/${confirm.id}/excuse`;
    const bad = await b.submit(path, { reason: '' }, `/app/cycles/${cycleId}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Say why this input is not needed');
    const still = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs`).set(org.auth)).body
      .items;
    expect(still.find((r: { id: string }) => r.id === confirm.id).excused).toBeNull();

    const exec = await signedInBrowser(t, org, team.ceo.id);
    expect((await exec.submit(path, { reason: 'x' }, `/app/cycles/${cycleId}`)).status).toBe(403);

    const ok = await b.submit(
      path,
      { reason: 'Data arrives by <b>EDI</b> this month' },
      `/app/cycles/${cycleId}`,
    );
    expect(ok.status).toBe(303);
    const page = await b.page(ok.headers['location']!.split('#')[0]!);
    expect(page.text).toContain('excused.');
    expect(page.text).toContain('Data arrives by &lt;b&gt;EDI&lt;/b&gt; this month');
    expect(page.text).toContain('Withdraw the excuse');
    const after = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs`).set(org.auth)).body
      .items;
    expect(after.find((r: { id: string }) => r.id === confirm.id).excused).toMatchObject({
      by: team.po.id,
      reason: 'Data arrives by <b>EDI</b> this month',
    });

    const back = await b.submit(
      `/app/cycles/${cycleId}/inputs/${confirm.id}/unexcuse`,
      {},
      `/app/cycles/${cycleId}`,
    );
    expect(back.status).toBe(303);
    const owed = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycleId}/inputs`).set(org.auth)).body
      .items;
    expect(owed.find((r: { id: string }) => r.id === confirm.id).excused).toBeNull();
  });
});
