/**
 * The process owner's admin pages: each page read, refused to anyone else (GET and POST), members
 * added and changed with errors beside the fields and nothing written, a one-time sign-in link that
 * works, the calendar and voting rules, chat connections (no tokens shown), undeliverable messages,
 * API tokens issued once and revoked, the audit chain verified, and another org's member out of reach.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import supertest from 'supertest';
import { createLogger } from '../../src/logger.js';
import { createWebRouter } from '../../src/web/app.js';
import { webPages } from '../../src/web/pages/index.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { csrfIn, encodeForm, signInLink, signedInBrowser, type Browser } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let otherMemberId: string;
let po: Browser;

const PAGES = [
  '/app/admin',
  '/app/admin/members',
  '/app/admin/members/new',
  '/app/admin/calendar',
  '/app/admin/voting',
  '/app/admin/chat',
  '/app/admin/undeliverable',
  '/app/admin/tokens',
  '/app/admin/audit',
];

const api = (path: string) => t.http.get(`/api/v1/orgs/${org.id}${path}`).set(org.auth);
const members = async () =>
  (await api('/members?limit=100')).body.items as {
    id: string;
    name: string;
    email: string;
    roles: string[];
    functions: string[];
    timezone: string;
    quietHours: { start: string; end: string };
    delegation: { of: string; authority: boolean } | null;
  }[];

/** The error shown beside a field (`e-<id>`), or undefined. */
const errorBeside = (html: string, id: string) =>
  new RegExp(`<p class="field-error" id="e-${id}">([^<]*)</p>`).exec(html)?.[1];

/** The rules the common file asks of every page, checked on the HTML. */
function accessible(html: string, path: string): void {
  const main = html.slice(html.indexOf('<main'));
  expect([path, (main.match(/<h1[\s>]/g) ?? []).length]).toEqual([path, 1]);
  const levels = [...main.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
  levels.forEach((l, i) => {
    if (i > 0) expect([path, l - levels[i - 1]! <= 1]).toEqual([path, true]);
  });
  for (const m of main.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const attrs = m[2]!;
    if (/type="hidden"/.test(attrs)) continue;
    const id = /\bid="([^"]+)"/.exec(attrs)?.[1];
    expect([path, attrs, Boolean(id)]).toEqual([path, attrs, true]);
    expect([path, id, main.includes(`for="${id}"`)]).toEqual([path, id, true]);
  }
  for (const th of main.matchAll(/<th\b([^>]*)>/g))
    expect([path, th[1]]).toEqual([path, expect.stringContaining('scope=')]);
  expect(main).not.toMatch(/style=/);
  expect(main).not.toMatch(/<a [^>]*>\s*<\/a>/);
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-04T07:00:00Z' });
  org = await buildOrg(t, { name: 'Admin Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  otherMemberId = (await buildMember(t, other, { name: 'Olga Other', roles: ['process-owner'] })).id;
  po = await signedInBrowser(t, org, team.po.id);
});
afterAll(() => t.close());

describe('the admin pages', () => {
  it('a process owner reads every page; each follows the accessibility rules', async () => {
    for (const path of [...PAGES, `/app/admin/members/${team.ceo.id}`]) {
      const res = await po.page(path);
      accessible(res.text, path);
      expect(res.text).toContain('aria-current="page">Admin</a>');
    }
    const index = await po.page('/app/admin');
    expect(index.text).toMatch(/9 members/);
    expect(index.text).toContain('Not connected');
    expect(index.text).toContain('None: every message was delivered.');
    expect(index.text).toMatch(/Chain intact \(\d+ events\)/);
  });

  it('anyone else is refused, reading or sending', async () => {
    const ceo = await signedInBrowser(t, org, team.ceo.id);
    expect((await ceo.page('/app/board')).text).not.toContain('href="/app/admin"');
    for (const path of [...PAGES, `/app/admin/members/${team.ceo.id}`]) await ceo.page(path, 403);
    const before = await members();
    const posts: [string, Record<string, string | string[]>][] = [
      ['/app/admin/members/new', { name: 'Sneaky', email: 'sneaky@example.com', roles: 'process-owner' }],
      [
        `/app/admin/members/${team.ceo.id}`,
        { name: 'Cee Exec', email: 'x@example.com', roles: 'process-owner' },
      ],
      [`/app/admin/members/${team.po.id}/sign-in-link`, {}],
      ['/app/admin/calendar', { timezone: 'UTC' }],
      ['/app/admin/voting', { rule: 'consent', quorum: '10' }],
      ['/app/admin/chat/slack-install-link', {}],
      ['/app/admin/chat/teams-connect-code', {}],
      ['/app/admin/tokens', {}],
      ['/app/admin/audit/verify', {}],
      ['/app/admin/links/rotate', {}],
    ];
    for (const [path, fields] of posts) {
      const res = await ceo.submit(path, fields, '/app/board');
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect(await members()).toEqual(before);
    expect((await api('/tokens')).body.items).toHaveLength(1);
    expect((await api('')).body.timezone).toBe('Europe/Berlin');
  });
});

describe('members', () => {
  it('adds a member: a bad email and time zone are shown beside their fields, nothing written; then it is added', async () => {
    const count = (await members()).length;
    const fields = {
      name: 'Nina New',
      email: 'not-an-email',
      timezone: 'Mars/Olympus',
      roles: ['functional-leader'],
      functions: ['sales'],
      quietStart: '20:00',
      quietEnd: '07:30',
    };
    const bad = await po.submit('/app/admin/members/new', fields);
    expect(bad.status).toBe(400);
    expect(errorBeside(bad.text, 'm-email')).toBe('must be an email address');
    expect(errorBeside(bad.text, 'm-timezone')).toContain('IANA time zone');
    expect(bad.text).toContain('value="Nina New"');
    expect(bad.text).toMatch(/id="fn-sales" name="functions" value="sales" checked/);
    expect(await members()).toHaveLength(count);

    // A rule of the use case (functions only for a functional leader) shows beside its field too.
    const rule = await po.submit('/app/admin/members/new', {
      ...fields,
      email: 'nina@example.com',
      timezone: 'America/New_York',
      roles: ['executive'],
    });
    expect(rule.status).toBe(400);
    expect(errorBeside(rule.text, 'functions')).toContain('only a functional leader leads functions');
    expect(await members()).toHaveLength(count);

    const ok = await po.submit('/app/admin/members/new', {
      ...fields,
      email: 'Nina@Example.com',
      timezone: 'America/New_York',
    });
    expect([ok.status, errorBeside(ok.text, 'm-email')]).toEqual([303, undefined]);
    expect(ok.headers['location']).toBe('/app/admin/members');
    expect((await po.page('/app/admin/members')).text).toContain('Nina New added.');
    const nina = (await members()).find((m) => m.name === 'Nina New')!;
    expect(nina).toMatchObject({
      email: 'nina@example.com',
      roles: ['functional-leader'],
      functions: ['sales'],
      timezone: 'America/New_York',
      quietHours: { start: '20:00', end: '07:30' },
      delegation: null,
    });

    // The same email again: refused beside the email.
    const dup = await po.submit('/app/admin/members/new', {
      ...fields,
      email: 'nina@example.com',
      timezone: '',
    });
    expect(dup.status).toBe(400);
    expect(errorBeside(dup.text, 'm-email')).toContain('already used');
  });

  it('a blank time zone and quiet hours take the defaults', async () => {
    const ok = await po.submit('/app/admin/members/new', {
      name: 'Dee Fault',
      email: 'dee@example.com',
      roles: 'executive',
    });
    expect(ok.status).toBe(303);
    const dee = (await members()).find((m) => m.name === 'Dee Fault')!;
    expect(dee).toMatchObject({ timezone: 'Europe/Berlin', quietHours: { start: '19:00', end: '08:00' } });
  });

  it('edits roles and delegation; no role at all is refused beside the roles', async () => {
    const path = `/app/admin/members/${team.cfo.id}`;
    const page = await po.page(path);
    expect(page.text).toMatch(/id="role-executive" name="roles" value="executive" checked/);
    const base = {
      name: 'Cfo Exec',
      email: 'cfo@example.com',
      timezone: 'Europe/Berlin',
      quietStart: '19:00',
      quietEnd: '08:00',
    };
    const none = await po.submit(path, { ...base });
    expect(none.status).toBe(400);
    expect(errorBeside(none.text, 'roles')).toBe('give at least one role');
    expect((await members()).find((m) => m.id === team.cfo.id)!.roles).toEqual(['executive']);

    const ok = await po.submit(path, { ...base, roles: ['executive', 'process-owner'] });
    expect(ok.status).toBe(303);
    const cfo = (await members()).find((m) => m.id === team.cfo.id)!;
    expect(cfo.roles.sort()).toEqual(['executive', 'process-owner']);
    expect(cfo.email).toBe('cfo@example.com');

    // A delegate with decision authority for the CEO.
    const deputy = await buildMember(t, org, { name: 'Dep Uty', roles: ['executive'] });
    const d = await po.submit(`/app/admin/members/${deputy.id}`, {
      name: 'Dep Uty',
      email: 'deputy@example.com',
      timezone: 'Europe/Berlin',
      roles: 'executive',
      quietStart: '19:00',
      quietEnd: '08:00',
      delegationOf: team.ceo.id,
      authority: 'yes',
    });
    expect(d.status).toBe(303);
    expect((await members()).find((m) => m.id === deputy.id)!.delegation).toEqual({
      of: team.ceo.id,
      authority: true,
    });
    const list = await po.page('/app/admin/members');
    expect(list.text).toMatch(/Cee Exec <small>\(decides for them\)<\/small>/);
  });

  it('a name containing markup is shown escaped', async () => {
    const evil = await buildMember(t, org, {
      name: 'Mal <img src=x onerror=alert(1)>',
      roles: ['executive'],
    });
    for (const path of ['/app/admin/members', `/app/admin/members/${evil.id}`, '/app/admin/voting']) {
      const res = await po.page(path);
      expect(res.text).toContain('Mal &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
      expect(res.text).not.toContain('<img src=x');
    }
  });

  it('makes a sign-in link shown once on the page; it signs the member in, once', async () => {
    const res = await po.submit(
      `/app/admin/members/${team.ceo.id}/sign-in-link`,
      {},
      `/app/admin/members/${team.ceo.id}`,
    );
    expect(res.status).toBe(200);
    accessible(res.text, 'sign-in link');
    const url = /id="sign-in-url" type="text" readonly value="([^"]+)"/.exec(res.text)?.[1];
    expect(url).toMatch(/\/app\/sign-in\/[\w-]{43}$/);
    expect(res.headers['set-cookie'] ?? '').not.toContain('accord_notice');
    const path = new URL(url!).pathname;
    const browser = supertest.agent(t.accord.app);
    const signed = await browser.post(path).type('form').send('');
    expect(signed.status).toBe(303);
    expect((await browser.get('/app/board')).status).toBe(200);
    expect((await supertest(t.accord.app).post(path).type('form').send('')).status).toBe(403);
    // The member page itself never shows a link.
    expect((await po.page(`/app/admin/members/${team.ceo.id}`)).text).not.toContain('/app/sign-in/');
  });

  it("another org's member is not found, reading or sending", async () => {
    await po.page(`/app/admin/members/${otherMemberId}`, 404);
    await po.page('/app/admin/members/not-an-id', 404);
    const edit = await po.submit(
      `/app/admin/members/${otherMemberId}`,
      { name: 'Hijack', email: 'h@example.com', roles: 'executive' },
      '/app/admin/members',
    );
    expect(edit.status).toBe(404);
    const link = await po.submit(
      `/app/admin/members/${otherMemberId}/sign-in-link`,
      {},
      '/app/admin/members',
    );
    expect(link.status).toBe(404);
    const olga = (await t.http.get(`/api/v1/orgs/${other.id}/members/${otherMemberId}`).set(other.auth)).body;
    expect(olga.name).toBe('Olga Other');
  });
});

describe('calendar and voting rules', () => {
  const calendar = {
    timezone: 'Europe/Berlin',
    holidays: '2027-05-01\n2027-12-25',
    openTime: '09:00',
    dueTime: '17:00',
    'start.data-gathering': '1',
    'end.data-gathering': '3',
    'start.demand-planning': '3',
    'end.demand-planning': '6',
    'start.supply-planning': '6',
    'end.supply-planning': '9',
    'start.pre-sop': '10',
    'end.pre-sop': '12',
    'start.executive-sop': '13',
    'end.executive-sop': '13',
  };

  it('shows the calendar; errors beside the fields, nothing written; then saved', async () => {
    const page = await po.page('/app/admin/calendar');
    expect(page.text).toContain('value="Europe/Berlin"');
    expect(page.text).toMatch(/id="end-pre-sop"[^>]*value="12"/);
    const bad = await po.submit('/app/admin/calendar', {
      ...calendar,
      timezone: 'Nowhere/Land',
      holidays: '2027-05-01\n2027-02-30',
      'start.pre-sop': 'ten',
    });
    expect(bad.status).toBe(400);
    expect(errorBeside(bad.text, 'start-pre-sop')).toContain('whole number');
    expect(bad.text).toContain('2027-02-30');
    const worse = await po.submit('/app/admin/calendar', {
      ...calendar,
      timezone: 'Nowhere/Land',
      holidays: '2027-05-01\n2027-02-30',
    });
    expect(worse.status).toBe(400);
    expect(errorBeside(worse.text, 'c-timezone')).toContain('IANA time zone');
    expect(errorBeside(worse.text, 'c-holidays')).toBe('2027-02-30: must be a real date as YYYY-MM-DD');
    const order = await po.submit('/app/admin/calendar', { ...calendar, 'end.supply-planning': '5' });
    expect(order.status).toBe(400);
    expect(errorBeside(order.text, 'end-supply-planning')).toBeDefined();
    expect((await api('')).body.holidays).toEqual([]);

    const ok = await po.submit('/app/admin/calendar', {
      ...calendar,
      timezone: 'Europe/Paris',
      dueTime: '16:30',
      'end.executive-sop': '14',
    });
    expect([ok.status, errorBeside(ok.text, 'c-holidays')]).toEqual([303, undefined]);
    const saved = (await api('')).body;
    expect(saved.timezone).toBe('Europe/Paris');
    expect(saved.holidays).toEqual(['2027-05-01', '2027-12-25']);
    expect(saved.calendar.dueTime).toBe('16:30');
    expect(saved.calendar.steps.find((s: { key: string }) => s.key === 'executive-sop').endDay).toBe(14);
    expect((await po.page('/app/admin/calendar')).text).toContain('The calendar is saved.');
  });

  it('shows the voting rules; a bad quorum beside its field, nothing written; then saved', async () => {
    const page = await po.page('/app/admin/voting');
    expect(page.text).toMatch(/id="v-rule-majority" name="rule" value="majority" checked/);
    expect(page.text).toContain('value="50"');
    const bad = await po.submit('/app/admin/voting', { rule: 'consent', quorum: '150' });
    expect(bad.status).toBe(400);
    expect(errorBeside(bad.text, 'v-quorum')).toContain('0 to 100');
    const notExec = await po.submit('/app/admin/voting', {
      rule: 'majority',
      quorum: '60',
      requiredVoters: team.leaders['sales']!.id,
    });
    expect(notExec.status).toBe(400);
    expect(errorBeside(notExec.text, 'required')).toContain('only executives');
    expect((await api('')).body.votingRules.rule).toBe('majority');

    const ok = await po.submit('/app/admin/voting', {
      rule: 'consent',
      quorum: '66.5',
      requiredVoters: [team.ceo.id],
      chairId: team.ceo.id,
      hideResults: 'yes',
    });
    expect(ok.status).toBe(303);
    expect((await api('')).body.votingRules).toEqual({
      rule: 'consent',
      quorumShare: 0.665,
      requiredVoters: [team.ceo.id],
      chairId: team.ceo.id,
      hideResults: true,
    });
  });
});

describe('operations', () => {
  it('chat connections list the workspaces and tenant, never a token', async () => {
    await t.accord.deps.installations.put({
      id: 'slack:-:TADMIN',
      platform: 'slack',
      teamId: 'TADMIN',
      enterpriseId: null,
      teamName: 'Admin <Workspace>',
      orgId: org.id,
      botToken: 'xoxb-very-secret',
      botUserId: 'UBOT',
      data: '{}',
      installedAt: t.clock.now(),
    });
    await t.accord.deps.teams.connectTenant('tenant-admin-1', org.id, t.clock.now());
    await t.accord.deps.teams.setSopChannel(org.id, '19:sop-channel@thread.tacv2');
    const res = await po.page('/app/admin/chat');
    expect(res.text).toContain('Admin &lt;Workspace&gt;');
    expect(res.text).toContain('tenant-admin-1');
    expect(res.text).toContain('19:sop-channel@thread.tacv2');
    expect(res.text).not.toContain('xoxb-very-secret');
    expect(res.text).toContain('not configured on this Accord');
    expect((await po.page('/app/admin')).text).toContain('Slack: 1 workspace; Microsoft Teams: connected');
    // Without Slack OAuth or Teams configured, the buttons are refused.
    expect((await po.submit('/app/admin/chat/slack-install-link', {}, '/app/admin/chat')).status).toBe(409);
    expect((await po.submit('/app/admin/chat/teams-connect-code', {}, '/app/admin/chat')).status).toBe(409);
  });

  it('with Slack OAuth and Teams configured: an install link and a connect code, each with what to do', async () => {
    // The same pages on an Accord whose chat is configured (src/http/app.ts tells webPages so).
    const app = express().use(
      createWebRouter({
        deps: t.accord.deps,
        rootDir: process.cwd(),
        logger: createLogger('silent'),
        routes: webPages(t.accord.deps, { slackOAuth: true, teams: true }),
      }),
    );
    const agent = supertest.agent(app);
    expect(
      (
        await agent
          .post(await signInLink(t, org, team.po.id))
          .type('form')
          .send('')
      ).status,
    ).toBe(303);
    const page = await agent.get('/app/admin/chat');
    expect(page.text).toContain('Make a Slack install link');
    expect(page.text).toContain('Make a Teams connect code');
    const send = (path: string) =>
      agent
        .post(path)
        .type('form')
        .send(encodeForm({ _csrf: csrfIn(page.text) }));
    const slack = await send('/app/admin/chat/slack-install-link');
    expect(slack.status).toBe(200);
    accessible(slack.text, 'install link');
    const url = /id="install-url" type="text" readonly value="([^"]+)"/.exec(slack.text)?.[1] ?? '';
    expect(new URL(url.replace(/&amp;/g, '&')).pathname).toBe(`/slack/install/${org.id}`);
    expect(slack.text).toContain('Give this link to an administrator of the Slack workspace');
    const teams = await send('/app/admin/chat/teams-connect-code');
    expect(teams.status).toBe(200);
    accessible(teams.text, 'connect code');
    expect(teams.text).toMatch(new RegExp(`value="connect ${org.id}\\.\\d+\\.[\\w-]{43}"`));
    expect(teams.text).toContain('mention Accord and type <code>connect</code>');
  });

  it('undeliverable messages: to whom, the kind, when, the last error', async () => {
    await t.accord.deps.outbox.enqueue(
      [
        {
          orgId: org.id,
          key: 'admin-test:dead',
          kind: 'reminder',
          cycleId: null,
          recipient: { memberId: team.ceo.id, name: 'Cee Exec' },
          card: { summary: 'Hello', blocks: [{ type: 'text', text: 'Hello' }] },
          notBefore: t.clock.now(),
        },
      ],
      t.clock.now(),
    );
    const msg = (await t.accord.deps.outbox.list(org.id, {}, { limit: 10, after: null })).items.find(
      (o) => o.key === 'admin-test:dead',
    )!;
    await t.accord.deps.outbox.settle(msg.id, {
      status: 'dead',
      attempts: 5,
      lastError: 'user_not_found <x>',
    });
    const res = await po.page('/app/admin/undeliverable');
    expect(res.text).toContain('Cee Exec');
    expect(res.text).toContain('Reminder');
    expect(res.text).toContain('user_not_found &lt;x&gt;');
    expect((await po.page('/app/admin')).text).toContain('1 message</strong> could not be delivered');
    await po.page('/app/admin/undeliverable?cursor=bogus', 400);
  });

  it('issues a token shown once, then revokes it: the API refuses it after', async () => {
    const res = await po.submit('/app/admin/tokens', {});
    expect(res.status).toBe(200);
    accessible(res.text, 'issued token');
    const token = /id="new-token" type="text" readonly value="([^"]+)"/.exec(res.text)?.[1];
    expect(token).toMatch(/^acc_/);
    const auth = { Authorization: `Bearer ${token}` };
    expect((await t.http.get(`/api/v1/orgs/${org.id}`).set(auth)).status).toBe(200);
    const list = await po.page('/app/admin/tokens');
    expect(list.text).not.toContain(token!);
    const prefix = (await api('/tokens')).body.items.find((x: { prefix: string }) =>
      token!.startsWith(x.prefix),
    ).prefix as string;
    expect(list.text).toMatch(new RegExp(`action="/app/admin/tokens/${prefix}/revoke" data-confirm="`));

    const revoked = await po.submit(`/app/admin/tokens/${prefix}/revoke`, {}, '/app/admin/tokens');
    expect(revoked.status).toBe(303);
    expect((await po.page('/app/admin/tokens')).text).toContain(`Token ${prefix} revoked`);
    expect((await t.http.get(`/api/v1/orgs/${org.id}`).set(auth)).status).toBe(401);
    expect((await t.http.get(`/api/v1/orgs/${org.id}`).set(org.auth)).status).toBe(200);

    // The last token is kept; an unknown prefix is not found.
    const [only] = (await api('/tokens')).body.items as { prefix: string }[];
    const last = await po.submit(`/app/admin/tokens/${only!.prefix}/revoke`, {}, '/app/admin/tokens');
    expect(last.status).toBe(409);
    expect(last.text).toContain('the only token');
    expect((await po.submit('/app/admin/tokens/acc_nope00/revoke', {}, '/app/admin/tokens')).status).toBe(
      404,
    );
  });

  it('the audit trail names who did what; the chain verifies; links can be renewed', async () => {
    const res = await po.page('/app/admin/audit');
    expect(res.text).toContain('member.added');
    expect(res.text).toContain('Petra PO');
    const verified = await po.submit('/app/admin/audit/verify', {}, '/app/admin/audit');
    expect(verified.status).toBe(200);
    expect(verified.text).toMatch(/The chain is intact: all \d+ events link to the one before\./);

    expect(res.text).toMatch(/action="\/app\/admin\/links\/rotate" data-confirm="/);
    const rotated = await po.submit('/app/admin/links/rotate', {}, '/app/admin/audit');
    expect(rotated.status).toBe(303);
    expect((await po.page('/app/admin/audit')).text).toContain('Links renewed');
    const events = (await api('/audit?action=org.links-rotated')).body.items;
    expect(events).toHaveLength(1);
    expect(events[0].actor).toEqual({ type: 'member', id: team.po.id });
  });
});
