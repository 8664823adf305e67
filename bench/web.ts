/**
 * bench/web: a first visit (empty browser cache) of the web app's cycle board and pack page, in a
 * real browser (Debian's Chromium through playwright-core), for an org with N families (default
 * 1,000) whose pack is built, on Accord with the embedded store (or MONGODB_URI) over HTTP.
 *
 * Each run: a new browser context (no cookies, no cache), sign in with a one-time link, the cache
 * cleared and disabled through the DevTools protocol, then each page opened and its navigation
 * timing read: time to first byte (the server: session, reads, rendering), DOM ready, and load
 * (every stylesheet, script and chart image fetched). Target (issue 14): under 1 s.
 *
 *   npm run bench:web -- [families=1000] [runs=5]
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { syntheticCompany } from '../src/demo/synthetic.js';
import { benchClient, benchOrg, serve, startBenchAccord, uploadCompany } from './boot.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const CHROMIUM = process.env['ACCORD_CHROMIUM'] ?? '/usr/bin/chromium';

interface Timing {
  ttfb: number;
  domReady: number;
  load: number;
  bytes: number;
}

async function main(families: number, runs: number): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const clock = { now: () => new Date('2026-11-02T08:00:00Z') };
  const bench = await startBenchAccord(`web-${families}`, clock);
  const server = await serve(bench.accord);
  const url = server.url;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const { org, apiToken, po } = await benchOrg(bench.accord.deps, { horizonMonths: 12, team: true });
    const client = benchClient(url, apiToken);
    await uploadCompany(
      client,
      org.id,
      syntheticCompany({ families, resources: 50, months: 36, lastMonth: '2026-10', horizon: 15 }),
    );
    const cycle = await client.call<{ id: string }>('POST', `/api/v1/orgs/${org.id}/cycles`, {
      month: '2026-11',
    });
    await client.call('POST', `/api/v1/orgs/${org.id}/cycles/${cycle.id}/pack`, {});
    say(`bench/web: ${families.toLocaleString('en')} families, pack built; ${runs} first visits per page`);

    const pages = { 'cycle board': '/app/board', pack: '/app/pack' };
    const results: Record<string, Timing[]> = { 'cycle board': [], pack: [] };
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const link = await client.call<{ url: string }>(
        'POST',
        `/api/v1/orgs/${org.id}/members/${po!.id}/web-sign-in`,
      );
      await page.goto(`${url}${new URL(link.url).pathname}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/app\/board$/);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      for (const [name, path] of Object.entries(pages)) {
        await cdp.send('Network.clearBrowserCache');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await page.goto(`${url}${path}`, { waitUntil: 'load' });
        // Runs in the page (no DOM types here): the navigation entry and every resource it fetched.
        const t = await page.evaluate(() => {
          type Entry = {
            startTime: number;
            responseStart: number;
            domContentLoadedEventEnd: number;
            loadEventEnd: number;
            transferSize: number;
          };
          const perf = (globalThis as unknown as { performance: { getEntriesByType(t: string): Entry[] } })
            .performance;
          const nav = perf.getEntriesByType('navigation')[0]!;
          const resources = perf.getEntriesByType('resource');
          return {
            ttfb: nav.responseStart - nav.startTime,
            domReady: nav.domContentLoadedEventEnd - nav.startTime,
            load: nav.loadEventEnd - nav.startTime,
            bytes: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
          };
        });
        results[name]!.push(t);
      }
      await context.close();
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    say('');
    say('| page | time to first byte (median) | DOM ready (median) | load (median / worst) | bytes |');
    say('| --- | ---: | ---: | ---: | ---: |');
    for (const [name, ts] of Object.entries(results)) {
      const f = (v: number) => `${Math.round(v)} ms`;
      say(
        `| ${name} | ${f(med(ts.map((t) => t.ttfb)))} | ${f(med(ts.map((t) => t.domReady)))} | ${f(med(ts.map((t) => t.load)))} / ${f(Math.max(...ts.map((t) => t.load)))} | ${Math.round(med(ts.map((t) => t.bytes)) / 1024)} KiB |`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    await bench.close();
  }
}

const [families = '1000', runs = '5'] = process.argv.slice(2);
main(Number(families), Number(runs)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
