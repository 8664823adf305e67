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
import { syntheticCompany, toCsv } from '../src/demo/synthetic.js';
import { createOrg } from '../src/app/orgs.js';
import { addMember } from '../src/app/members.js';
import { warmedUp } from '../src/app/forecasts.js';
import { startBenchAccord } from './boot.js';

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
  const server = bench.accord.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const deps = bench.accord.deps;
    const { org, apiToken } = await createOrg(
      deps,
      { name: 'Bench Co', timezone: 'Europe/Berlin', horizonMonths: 12 },
      { type: 'system', id: 'bench' },
    );
    const actor = { type: 'system' as const, id: 'bench' };
    const po = await addMember(
      deps,
      org.id,
      { name: 'Petra PO', email: 'po@bench.example', roles: ['process-owner'], timezone: 'Europe/Berlin' },
      actor,
    );
    for (const fn of ['sales', 'marketing', 'operations', 'procurement', 'logistics', 'finance'])
      await addMember(
        deps,
        org.id,
        { name: `Lead ${fn}`, email: `${fn}@bench.example`, roles: ['functional-leader'], functions: [fn] },
        actor,
      );
    const auth = { authorization: `Bearer ${apiToken}` };
    const tables = syntheticCompany({
      families,
      resources: 50,
      months: 36,
      lastMonth: '2026-10',
      horizon: 15,
    });
    const form = new FormData();
    for (const [name, rows] of Object.entries(tables))
      form.append(name, new Blob([toCsv(rows)]), `${name}.csv`);
    const uploaded = await fetch(`${url}/api/v1/orgs/${org.id}/datasets`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    if (uploaded.status !== 201) throw new Error(`upload: ${uploaded.status} ${await uploaded.text()}`);
    await warmedUp();
    const cycle = (await (
      await fetch(`${url}/api/v1/orgs/${org.id}/cycles`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ month: '2026-11' }),
      })
    ).json()) as { id: string };
    const built = await fetch(`${url}/api/v1/orgs/${org.id}/cycles/${cycle.id}/pack`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    if (built.status !== 201) throw new Error(`pack: ${built.status} ${await built.text()}`);
    say(`bench/web: ${families.toLocaleString('en')} families, pack built; ${runs} first visits per page`);

    const pages = { 'cycle board': '/app/board', pack: '/app/pack' };
    const results: Record<string, Timing[]> = { 'cycle board': [], pack: [] };
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const link = (await (
        await fetch(`${url}/api/v1/orgs/${org.id}/members/${po.id}/web-sign-in`, {
          method: 'POST',
          headers: auth,
        })
      ).json()) as { url: string };
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
    await new Promise((r) => server.close(r));
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
