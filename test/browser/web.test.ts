/**
 * The web app in a real browser (Chromium through playwright-core): sign in by link, a form refused
 * then fixed, a vote, a what-if, a search of the register, an action marked done; every link the
 * chat cards carry opens its page; each page checked by axe-core (no serious or critical
 * violation) and by the CSP (nothing refused, no script error). `npm run screenshots` writes
 * docs/screenshots from this run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle, TIGHT_COMPANY, uploadCompany } from '../helpers/factories.js';
import { freshContext, launchBrowser, listen, screenshot, seriousViolations } from '../helpers/browser.js';
import { signInLink } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let browser: Browser;
let server: Server;
let base: string;
let cycleId: string;
let ballotId: string;
let decisionId: string;
let actionId: string;

const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;

beforeAll(async () => {
  ({ url: base, server } = await listen(await startAccord()));
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

/** An org in the middle of its cycle: demand planning open, a pack, a ballot, a decision with an action. */
async function startAccord(): Promise<TestAccord> {
  t = await startTestAccord({ now: '2027-02-03T09:00:00Z' });
  // Links in cards point at the server the browser talks to: its port is known once it listens.
  org = await buildOrg(t, { name: 'Acme Foods', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  await sweepAt(t, '2027-02-03T09:00:00Z');
  await uploadCompany(t, org, TIGHT_COMPANY);
  const pack = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  expect(pack.status).toBe(201);
  const open = async (body: Record<string, unknown>) => {
    const res = await t.http
      .post(api(`/cycles/${cycleId}/ballots`))
      .set(org.auth)
      .send({ actorId: team.po.id, deadline: '2027-02-17T16:00:00Z', ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  ballotId = await open({ tradeoffKey: pack.body.tradeoffs[0].key });
  // A decided question with an action for the sales lead.
  const decided = await open({ title: 'Extend the promotion into March?', options: ['Yes', 'No'] });
  for (const memberId of [team.ceo.id, team.cfo.id])
    await t.http
      .post(api(`/ballots/${decided}/votes`))
      .set(org.auth)
      .send({ memberId, option: 'Yes' });
  const decisions = (await t.http.get(api('/decisions')).set(org.auth)).body.items as { id: string }[];
  decisionId = decisions[0]!.id;
  const action = await t.http
    .post(api(`/decisions/${decisionId}/actions`))
    .set(org.auth)
    .send({
      actorId: team.po.id,
      ownerId: team.leaders['sales']!.id,
      dueDate: '2027-02-26',
      description: 'Brief the key accounts on the March promotion',
    });
  expect(action.status).toBe(201);
  actionId = action.body.id;
  return t;
}

/** Signs a member in through the sign-in page, as a person clicking the link does. */
async function signIn(page: Page, memberId: string): Promise<void> {
  await page.goto(`${base}${await signInLink(t, org, memberId)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/board$/);
}

async function as<T>(memberId: string, run: (page: Page, problems: string[]) => Promise<T>): Promise<T> {
  const { context, page, problems } = await freshContext(browser);
  try {
    await signIn(page, memberId);
    const out = await run(page, problems);
    expect(problems).toEqual([]);
    return out;
  } finally {
    await context.close();
  }
}

describe('people at work in the browser', () => {
  it('the process owner signs in by link; a step change refused, then made', async () => {
    await as(team.po.id, async (page) => {
      expect(await page.locator('h1').innerText()).toContain('Cycle 2027-02');
      await screenshot(page, 'cycle-board');
      const step = page.locator('#step-data-gathering');
      await step.getByText('Change this step').click();
      const extend = step.locator('form[action$="/extend"]');
      await extend.getByLabel('New due date and time').fill('2027-02-05T17:00');
      await extend.getByRole('button', { name: 'Extend the step' }).click();
      expect(await page.locator('.field-error').first().innerText()).toContain('Say why');
      const again = page.locator('#step-data-gathering form[action$="/extend"]');
      await again.getByLabel('Reason').fill('Sales data is late');
      await again.getByRole('button', { name: 'Extend the step' }).click();
      await page.waitForURL(new RegExp(`/app/cycles/${cycleId}$`));
      expect(await page.locator('.notice').innerText()).toBe('Data gathering extended.');
    });
  });

  it('a sales lead submits demand adjustments: an error beside its field, then saved', async () => {
    await as(team.leaders['sales']!.id, async (page) => {
      await page.getByRole('link', { name: 'My inputs' }).click();
      await page
        .getByRole('link', { name: /Demand adjustments/ })
        .first()
        .click();
      await page.getByLabel('Product family (code)').fill('F001');
      await page.getByLabel('From month').fill('2031-01');
      await page.getByLabel('To month').fill('2027-04');
      await page.getByLabel('Change in').selectOption('percent');
      await page.getByLabel('Change (negative for a cut)').fill('10');
      await page.getByLabel('Why').fill('Retailer promotion');
      await page.getByLabel('Confidence').selectOption('high');
      await screenshot(page, 'input-form');
      await page.getByRole('button', { name: 'Submit' }).click();
      expect(await page.locator('.field-error').count()).toBeGreaterThan(0);
      expect(await page.locator('#f-from').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('From month').fill('2027-03');
      await page.getByRole('button', { name: 'Submit' }).click();
      expect(await page.locator('.notice').innerText()).toContain('Saved as version 1');
    });
  });

  it('an executive votes on the trade-off with a why', async () => {
    await as(team.ceo.id, async (page) => {
      await page.getByRole('link', { name: 'Ballots' }).click();
      await page.locator(`a[href="/app/ballots/${ballotId}"]`).first().click();
      await screenshot(page, 'ballot');
      await page.locator('input[name="option"]').first().check();
      await page.getByLabel(/Why/).fill('Cheapest way to keep the key accounts served');
      await page.getByRole('button', { name: 'Vote' }).click();
      expect(await page.locator('.notice').innerText()).toMatch(/vote/i);
    });
    const votes = (await t.http.get(api(`/ballots/${ballotId}`)).set(org.auth)).body;
    expect(JSON.stringify(votes)).toContain('Cheapest way to keep the key accounts served');
  });

  it('the process owner runs a what-if and sees it beside the base plan', async () => {
    await as(team.po.id, async (page) => {
      await page.getByRole('link', { name: 'Pack', exact: true }).click();
      await screenshot(page, 'pack');
      await page.getByRole('link', { name: 'Try a what-if' }).click();
      await page.locator('#f-name').fill('Demand +30%');
      await page.locator('#f-demandPercent').fill('30');
      await page.getByRole('button', { name: /Run|Compare|Re-plan/ }).click();
      await page.locator('#result-head').waitFor();
      expect(await page.locator('main').innerText()).toContain('Demand +30%');
      await screenshot(page, 'what-if');
    });
  });

  it('the process owner searches the decision register', async () => {
    await as(team.po.id, async (page) => {
      await page.getByRole('link', { name: 'Decisions' }).click();
      await page.getByLabel('Words').fill('promotion march');
      await page
        .getByRole('button', { name: /Search|Show/ })
        .first()
        .click();
      await page.waitForURL(/q=promotion/);
      expect(await page.locator('main').innerText()).toContain('Extend the promotion into March?');
      await screenshot(page, 'decisions');
      await page.getByRole('link', { name: 'Extend the promotion into March?' }).first().click();
      await screenshot(page, 'decision');
    });
  });

  it('the owner of an action marks it done', async () => {
    await as(team.leaders['sales']!.id, async (page) => {
      await page.getByRole('link', { name: 'Actions' }).click();
      const card = page.locator(`#action-${actionId}`);
      await card.getByLabel('Status').selectOption('done');
      await card.getByLabel(/Note/).fill('Done on the Monday call');
      await card.getByRole('button', { name: 'Update the action' }).click();
      expect(await page.locator('.notice').innerText()).toContain('Marked done');
      await screenshot(page, 'actions');
    });
    const items = (await t.http.get(api('/actions?limit=100')).set(org.auth)).body.items as {
      id: string;
      status: string;
    }[];
    expect(items.find((a) => a.id === actionId)?.status).toBe('done');
  });
});

describe('links from chat cards', () => {
  it('every web link on a card Accord queued opens its page for a signed-in person', async () => {
    const messages = await t.accord.deps.outbox.list(org.id, {}, { limit: 500, after: null });
    const links = new Set<string>();
    const local = 'http://localhost:3000'; // the test Accord's ACCORD_PUBLIC_URL
    for (const m of messages.items)
      for (const b of m.card.blocks)
        if (b.type === 'actions')
          for (const button of b.buttons)
            if (button.action === 'link.open' && button.value.startsWith(`${local}/app/`))
              links.add(button.value.slice(local.length));
    // Step prompts, the ballot, the decision and the action each carry one.
    expect([...links].some((l) => l.startsWith('/app/inputs/'))).toBe(true);
    expect(links.has(`/app/ballots/${ballotId}`)).toBe(true);
    expect(links.has(`/app/decisions/${decisionId}`)).toBe(true);
    expect(links.has(`/app/actions/${actionId}`)).toBe(true);
    await as(team.po.id, async (page) => {
      for (const link of links) {
        const res = await page.goto(`${base}${link}`);
        expect([link, res?.status()]).toEqual([link, 200]);
      }
    });
  }, 120_000);
});

describe('every page: accessibility (axe-core, WCAG 2.1 A and AA) and a screenshot', () => {
  const pages: [string, () => string][] = [
    ['board', () => '/app/board'],
    ['inputs', () => '/app/inputs'],
    ['pack-page', () => `/app/cycles/${cycleId}/pack`],
    ['what-if-form', () => `/app/cycles/${cycleId}/pack/what-if`],
    ['ballots', () => '/app/ballots'],
    ['ballot-page', () => `/app/ballots/${ballotId}`],
    ['decisions-page', () => '/app/decisions'],
    ['decision-page', () => `/app/decisions/${decisionId}`],
    ['actions-page', () => '/app/actions?owner=all'],
    ['follow-through', () => '/app/follow-through'],
    ['meeting-page', () => `/app/meetings/${cycleId}-executive-sop`],
    ['admin', () => '/app/admin'],
    ['admin-members', () => '/app/admin/members'],
    ['admin-member-new', () => '/app/admin/members/new'],
    ['admin-calendar', () => '/app/admin/calendar'],
    ['admin-voting', () => '/app/admin/voting'],
    ['admin-meetings', () => '/app/admin/meetings'],
    ['admin-chat', () => '/app/admin/chat'],
    ['admin-undeliverable', () => '/app/admin/undeliverable'],
    ['admin-tokens', () => '/app/admin/tokens'],
    ['admin-audit', () => '/app/admin/audit'],
  ];
  it('every page passes, for the process owner (who sees every page)', async () => {
    const { context, page } = await freshContext(browser, { bypassCSP: true });
    try {
      await signIn(page, team.po.id);
      const found: Record<string, unknown> = {};
      for (const [name, path] of pages) {
        const res = await page.goto(`${base}${path()}`);
        expect([name, res?.status()]).toEqual([name, 200]);
        const violations = await seriousViolations(page);
        if (violations.length) found[name] = violations;
        await screenshot(page, name);
      }
      expect(found).toEqual({});
    } finally {
      await context.close();
    }
  }, 180_000);

  it('the pages without a session (sign in, signed out) pass too', async () => {
    const { context, page } = await freshContext(browser, { bypassCSP: true });
    try {
      await page.goto(`${base}${await signInLink(t, org, team.po.id)}`);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in');
      await page.goto(`${base}/app/board`);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('on a phone-sized screen nothing runs off the side of the board and the pack', async () => {
    const { context, page } = await freshContext(browser, { width: 390 });
    try {
      await signIn(page, team.po.id);
      for (const path of ['/app/board', `/app/cycles/${cycleId}/pack`]) {
        await page.goto(`${base}${path}`);
        const overflow = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        // Wide tables scroll within themselves; the page itself fits the screen.
        expect([path, overflow <= 400]).toEqual([path, true]);
      }
      await screenshot(page, 'phone-board');
    } finally {
      await context.close();
    }
  });
});
