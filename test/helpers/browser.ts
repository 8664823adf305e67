/**
 * A real browser (Debian's Chromium through playwright-core) against a real Accord listening on a
 * port: what people see, including the CSP (a script or style it blocks is a console error here)
 * and an accessibility check of each page with axe-core.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestAccord } from './accord.js';

export const CHROMIUM = process.env['ACCORD_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set ACCORD_CHROMIUM`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Serves a test Accord on a free loopback port; its base URL. */
export async function listen(t: TestAccord): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = t.accord.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A fresh browser context (no cache, no cookies) that records CSP violations and page errors. */
export async function freshContext(
  browser: Browser,
  opts: { bypassCSP?: boolean; width?: number } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: 900 },
    bypassCSP: opts.bypassCSP ?? false,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // A form sent back with its field errors is a 400 by design; anything else is a problem.
    if (m.type() === 'error' && !/status of 400 \(Bad Request\)/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { context, page, problems };
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is; the serious and critical violations. Run it in
 * a context made with `bypassCSP: true` (axe is injected as a script, which Accord's CSP refuses).
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe;
    return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  })) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
}

/** Writes a screenshot under docs/screenshots when ACCORD_SCREENSHOTS=1 (`npm run screenshots`). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env['ACCORD_SCREENSHOTS'] !== '1') return;
  const dir = path.resolve('docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  // Charts load lazily (below the fold): load them all for a full-page picture.
  await page.evaluate(() => {
    const doc = (
      globalThis as unknown as { document: { querySelectorAll(s: string): { loading: string }[] } }
    ).document;
    for (const img of doc.querySelectorAll('img[loading="lazy"]')) img.loading = 'eager';
  });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
