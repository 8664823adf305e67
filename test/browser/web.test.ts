/**
 * The web app in a real browser (Chromium): sign in by link, the pages people use, a form refused
 * then fixed, and each page checked by axe-core (no serious or critical violation) and by the CSP
 * (nothing refused, no script error). `npm run screenshots` writes docs/screenshots from this run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { freshContext, launchBrowser, listen, screenshot, seriousViolations } from '../helpers/browser.js';
import { signInLink } from '../helpers/web.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let browser: Browser;
let server: Server;
let base: string;
let cycleId: string;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-04T07:00:00Z' });
  org = await buildOrg(t, { name: 'Acme Foods', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  cycleId = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body
    .id;
  ({ url: base, server } = await listen(t));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await t?.close();
});

/** Signs a member in through the sign-in page, as a person clicking the link does. */
async function signIn(page: Page, memberId: string): Promise<void> {
  await page.goto(`${base}${await signInLink(t, org, memberId)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/board$/);
}

describe('in a browser', () => {
  it('signs in by link and shows the cycle board; a step change refused, then made', async () => {
    const { context, page, problems } = await freshContext(browser);
    try {
      await signIn(page, team.po.id);
      expect(await page.locator('h1').innerText()).toContain('Cycle 2027-02');
      await screenshot(page, 'cycle-board');

      const step = page.locator('#step-data-gathering');
      await step.getByText('Change this step').click();
      const extend = step.locator('form[action$="/extend"]');
      await extend.getByLabel('New due date and time').fill('2027-02-04T17:00');
      await extend.getByRole('button', { name: 'Extend the step' }).click();
      expect(await page.locator('.field-error').first().innerText()).toContain('Say why');

      const again = page.locator('#step-data-gathering form[action$="/extend"]');
      await again.getByLabel('Reason').fill('Sales data is late');
      await again.getByRole('button', { name: 'Extend the step' }).click();
      await page.waitForURL(new RegExp(`/app/cycles/${cycleId}$`));
      expect(await page.locator('.notice').innerText()).toBe('Data gathering extended.');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  const pages = ['/app/board', `/app/cycles/${'{cycle}'}`, '/app/signed-out'];
  it.each(pages)('%s has no serious or critical violation', async (path) => {
    const { context, page } = await freshContext(browser, { bypassCSP: true });
    try {
      await signIn(page, team.po.id);
      await page.goto(`${base}${path.replace('{cycle}', cycleId)}`);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
