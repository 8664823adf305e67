/**
 * bench/soe: S&OE variance detection (issue 16) for 1,000 families with 52 weeks of actuals, in
 * two parts.
 *
 * In memory, the domain core alone: a seeded synthetic company, 1,000 families with 52 weeks of
 * actuals (orders, shipments, on hand) against a weekly plan running 8 weeks past them, 50
 * resources with their weekly production, and 10 reported disruptions. Times `detectVariances`
 * over several runs, and phasing the families' monthly plans into weeks (`phaseFamilyPlan`) once;
 * counts how many bias alerts fall on the families made biased (every 25th) and on the others.
 *
 * Over HTTP with the store, the path a user takes, on the embedded FerretDB (or MONGODB_URI): an
 * org with the synthetic company of bench/pack (50 resources, 36 months of history) and its pack
 * built for a 15-month plan; a year later, 52 weeks of actuals drawn around that plan uploaded as
 * CSV (`POST .../actuals`, which checks them), `POST .../soe/check` cold (in a new process) and
 * warm (`runs` times), a line breakdown reported (`POST .../disruptions`, which checks), and the
 * next week sent as JSON (`PUT .../actuals/:week`, which checks). Each step's time is split into
 * the check's stages by the calls it makes to the store (the ports are wrapped by the bench).
 * Setup, the upload and the checks each run in a child process: their peak RSS is their own
 * (FerretDB's is read from /proc).
 *
 *   npm run bench:soe -- [families=1000] [runs=7] [trackingLimit=4] [biasWindowWeeks=13] [minBiasShare=0.05]
 *
 * `PROFILE=1` adds each step's calls to the store by method. `PART=core` or `PART=http` runs one part (the HTTP part takes about a minute and a half at
 * 1,000 families); `BAND_NOISE=0.5` draws the weekly orders with half the plan's band (default
 * 1: the band is right, a fifth of the weeks fall outside it); `SHOW=1` also prints the first
 * alert of each kind (over HTTP: of each step, on stderr), as JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkCalendar } from '../src/domain/calendar.js';
import { workCalendar } from '../src/app/cycleEngine.js';
import { familyPage } from '../src/app/packDetails.js';
import { resourceDetails, type PackContent } from '../src/app/packs.js';
import type { Deps } from '../src/app/ports.js';
import type { PackRecord } from '../src/app/records.js';
import { syntheticCompany, toCsv } from '../src/demo/synthetic.js';
import {
  benchClient,
  benchOrg,
  rssSampler,
  serve,
  startBenchAccord,
  startBenchStore,
  uploadCompany,
} from './boot.js';
import {
  addWeeks,
  detectVariances,
  isoWeekOf,
  phaseFamilyPlan,
  type DetectInput,
  type Disruption,
  type FamilyPlanWeekly,
  type ResourcePlanWeekly,
  type WeeklyActuals,
  weeklyPlan,
} from '../src/domain/soe.js';

/** The domain core alone, in memory: the figures of the first table. */
function core(): void {
  const families = Number(process.argv[2] ?? 1000);
  const runs = Number(process.argv[3] ?? 7);
  const trackingLimit = Number(process.argv[4] ?? 4);
  const biasWindowWeeks = Number(process.argv[5] ?? 13);
  const minBiasShare = Number(process.argv[6] ?? 0.05);
  const resourceCount = 50;
  const actualWeeks = 52;
  const horizonWeeks = 8;
  const firstWeek = '2026-W01';
  const asOf = addWeeks(firstWeek, actualWeeks - 1);

  // A seeded generator so every run checks the same company.
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  const planWeeks = Array.from({ length: actualWeeks + horizonWeeks }, (_, i) => addWeeks(firstWeek, i));
  const actuals: WeeklyActuals = { families: {}, resources: {} };

  // Families: weekly demand of 100 to 5,000 with a season; a P10-P90 band of -25% / +30%; orders with
  // 10% noise. Every 50th family has one spike (orders doubled), every 25th runs 8% above plan,
  // every 40th is planned to produce 10% less than it sells (its stock runs down).
  const plans: FamilyPlanWeekly[] = Array.from({ length: families }, (_, f) => {
    const family = `F${String(f + 1).padStart(5, '0')}`;
    const level = 100 + rand() * 4900;
    const amp = rand() * 0.3;
    const spikeWeek = f % 50 === 0 ? Math.floor(rand() * actualWeeks) : -1;
    const bias = f % 25 === 0 ? 1.08 : 1;
    const make = f % 40 === 0 ? 0.9 : 1;
    const weeks: FamilyPlanWeekly['weeks'] = {};
    const rows: WeeklyActuals['families'][string] = {};
    let planned = level * 3;
    let onHand = level * 3;
    planWeeks.forEach((week, t) => {
      const p50 = level * (1 + amp * Math.sin((2 * Math.PI * (t + f)) / 52));
      planned += p50 * make - p50;
      weeks[week] = {
        p10: p50 * 0.75,
        p50,
        p90: p50 * 1.3,
        plan: p50,
        production: p50 * make,
        inventory: planned,
      };
      if (t >= actualWeeks) return;
      const orders = Math.max(0, Math.round(p50 * bias * (t === spikeWeek ? 2 : 1) * (1 + 0.1 * gauss())));
      const shipments = Math.min(orders, Math.max(0, onHand + p50 * make));
      onHand += p50 * make - shipments;
      rows[week] = { orders, shipments, onHand: Math.round(onHand) };
    });
    actuals.families[family] = rows;
    return { family, owner: 'sales', unitMargin: 2 + rand() * 20, safetyStock: level, weeks };
  });

  // Resources: capacity 20% above load; production with 5% noise; every 10th runs 15% over plan one week in 8.
  const resources: ResourcePlanWeekly[] = Array.from({ length: resourceCount }, (_, r) => {
    const resource = r % 5 === 4 ? `SUP-${r + 1}` : `L${r + 1}`;
    const load = 2000 + rand() * 20000;
    const weeks: ResourcePlanWeekly['weeks'] = {};
    const rows: WeeklyActuals['resources'][string] = {};
    planWeeks.forEach((week, t) => {
      weeks[week] = { load, capacity: load * 1.2 };
      if (t >= actualWeeks) return;
      const over = r % 10 === 0 && t % 8 === 3 ? 1.15 : 1;
      rows[week] = { produced: Math.round(load * over * (1 + 0.05 * gauss())) };
    });
    actuals.resources[resource] = rows;
    return { resource, owner: r % 5 === 4 ? 'procurement' : 'operations', weeks };
  });

  const disruptions: Disruption[] = Array.from({ length: 10 }, (_, i) => ({
    id: `d${i + 1}`,
    resource: resources[i * 5]!.resource,
    from: `2026-${String(1 + i).padStart(2, '0')}-0${1 + (i % 7)}`,
    to: `2026-${String(1 + i).padStart(2, '0')}-2${i % 8}`,
    capacityLost: i % 2 ? { share: 0.25 } : { unitsPerWeek: 3000 },
    note: 'Synthetic breakdown.',
  }));

  const input: DetectInput = {
    plans,
    resources,
    actuals,
    disruptions,
    asOf,
    horizonWeeks,
    trackingLimit,
    biasWindowWeeks,
    minBiasShare,
    resourceMargin: Object.fromEntries(resources.map((r) => [r.resource, 8])),
  };

  const tCold = performance.now();
  let alerts = detectVariances(input);
  const cold = performance.now() - tCold;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    alerts = detectVariances(input);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const worst = times[times.length - 1]!;
  const biased = (id: string) => (Number(id.slice(1)) - 1) % 25 === 0;
  const biasAlerts = alerts.filter((a) => a.kind === 'bias');
  const biasOnBiased = biasAlerts.filter((a) => biased(a.subject.id)).length;
  const biasedCount = plans.filter((p) => biased(p.family)).length;
  const byKind = new Map<string, number>();
  for (const a of alerts) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
  const kinds = [...byKind.entries()].map(([k, n]) => `${k} ${n}`).join(', ');

  // Phasing: each family's 15 monthly plans into weeks, with a calendar of holidays.
  const cal: WorkCalendar = {
    timezone: 'Europe/Berlin',
    holidays: new Set(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-12-25', '2026-12-26']),
    weekend: [6, 7],
  };
  const months = Array.from(
    { length: 15 },
    (_, m) => `${2026 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`,
  );
  const tPhase = performance.now();
  let phasedWeeks = 0;
  for (const p of plans) {
    const level = p.safetyStock * 4.3;
    const phased = phaseFamilyPlan(
      {
        family: p.family,
        owner: p.owner,
        unitMargin: p.unitMargin,
        safetyStock: p.safetyStock,
        months: months.map((period) => ({
          period,
          p10: level * 0.8,
          p50: level,
          p90: level * 1.25,
          consensus: level,
          production: level,
          inventory: level,
        })),
      },
      cal,
    );
    phasedWeeks += Object.keys(phased.weeks).length;
  }
  const phaseMs = performance.now() - tPhase;

  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    '| families | weeks of actuals | resources | disruptions | first run | runs | median | worst | alerts |',
  );
  say(
    '| -------: | ---------------: | --------: | ----------: | --------: | ---: | -----: | ----: | ------ |',
  );
  say(
    `| ${families.toLocaleString('en')} | ${actualWeeks} | ${resourceCount} | ${disruptions.length} | ${cold.toFixed(0)} ms | ${runs} | ${median.toFixed(0)} ms | ${worst.toFixed(0)} ms | ${alerts.length} (${kinds}) |`,
  );
  say(
    `bias alerts (tracking limit ${trackingLimit}, window ${biasWindowWeeks} weeks, at least ${100 * minBiasShare}% off plan): ${biasOnBiased} of the ${biasedCount} families running 8% above plan, ` +
      `${biasAlerts.length - biasOnBiased} of the ${families - biasedCount} others`,
  );
  say(
    `phasing ${families.toLocaleString('en')} families x ${months.length} months into ${phasedWeeks.toLocaleString('en')} family-weeks: ${phaseMs.toFixed(0)} ms`,
  );
  if (process.env['SHOW']) {
    for (const kind of byKind.keys()) say(JSON.stringify(alerts.find((a) => a.kind === kind)));
  }
}

// ---------------------------------------------------------------------------------------------
// Over HTTP with the store: the path a user takes.

const say = (line: string) => process.stdout.write(`${line}\n`);
const CYCLE_MONTH = '2026-11';
const HORIZON_MONTHS = 15;
const PACK_BUILT_AT = '2026-11-02T08:00:00Z';
/** Monday of 2027-W48: the last complete week is 2027-W47, a year of the plan's weeks behind it. */
const UPLOADED_AT = '2027-11-29T08:00:00Z';
/** A week later: the user sends 2027-W48, the week just ended. */
const PUT_AT = '2027-12-06T08:00:00Z';

interface Span {
  name: string;
  t0: number;
  t1: number;
}

/**
 * Records how long each call to the store (and to the planning threads) takes, by wrapping the
 * methods of the use cases' ports in place: the routes use the same objects, src/ is not touched.
 * `packs.chunk` is named with the chunk's kind (families, resources, model).
 */
function tracePorts(deps: Deps): Span[] {
  const spans: Span[] = [];
  const wrapped = new Set<object>();
  for (const key of [
    'orgs',
    'members',
    'cycles',
    'outbox',
    'audit',
    'datasets',
    'packs',
    'soe',
    'compute',
  ] as const) {
    const port = deps[key] as unknown as Record<string, unknown>;
    if (wrapped.has(port)) continue;
    wrapped.add(port);
    for (const [method, fn] of Object.entries(port)) {
      if (typeof fn !== 'function') continue;
      const base = `${key}.${method}`;
      port[method] = function (this: unknown, ...args: unknown[]) {
        const name = base === 'packs.chunk' ? `${base}:${String(args[2])}` : base;
        const t0 = performance.now();
        const done = () => spans.push({ name, t0, t1: performance.now() });
        const out = (fn as (...a: unknown[]) => unknown).apply(this, args);
        if (out instanceof Promise) return out.finally(done);
        if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
          return (async function* () {
            try {
              yield* out as AsyncIterable<unknown>;
            } finally {
              done();
            }
          })();
        done();
        return out;
      };
    }
  }
  return spans;
}

/** The stages of a request that ends in the S&OE check (`checkSoe`), read from its port calls in order. */
type Stages = Record<string, number>;
const STAGES = [
  'before the check (the request, the weeks stored)',
  'the plan read (data set tables, pack chunks)',
  'families phased into weeks',
  'resources read and phased',
  'actuals read (52 weeks)',
  'detectVariances',
  'known alerts read (all the org has)',
  'new alerts sorted out, re-planned (those reaching chat)',
  'new alerts stored',
  'cards, audit, answer',
] as const;

function stagesOf(spans: Span[], r0: number, r1: number): Stages {
  const s = spans.filter((x) => x.t0 >= r0 && x.t1 <= r1).sort((a, b) => a.t0 - b.t0);
  const idx = (name: string, from = 0) => s.findIndex((x, i) => i >= from && x.name === name);
  const lastIdx = (name: string) => s.map((x) => x.name).lastIndexOf(name);
  const list = idx('cycles.list');
  if (list < 0) return { 'not checked': r1 - r0 };
  // The check starts by reading the org (then the data set's tables and the plans in force).
  const start =
    s[
      s
        .slice(0, list)
        .map((x) => x.name)
        .lastIndexOf('orgs.get')
    ]?.t0 ?? s[list]!.t0;
  const resources = s[idx('packs.chunk:resources', list)]!;
  // The last call before the families are phased (their plans may come from memory).
  const families = Math.max(...s.filter((x, i) => i >= list && x.t0 < resources.t0).map((x) => x.t1));
  const actuals = s[idx('soe.actuals', list)]!;
  const disruptions = s[idx('soe.disruptions', list)]!;
  const alerts = s[idx('soe.alerts', list)]!;
  const raise = idx('soe.raise', list);
  const replanEnd =
    raise >= 0
      ? s[raise]!.t0
      : (s.find(
          (x) => x.t0 >= alerts.t1 && !x.name.startsWith('compute.') && !x.name.startsWith('packs.chunk'),
        )?.t0 ?? r1);
  const raised = raise >= 0 ? s[lastIdx('soe.raise')]!.t1 : replanEnd;
  const marks = [
    r0,
    start,
    families,
    resources.t0,
    actuals.t0,
    disruptions.t1,
    alerts.t0,
    alerts.t1,
    replanEnd,
    raised,
    r1,
  ];
  return Object.fromEntries(STAGES.map((k, i) => [k, marks[i + 1]! - marks[i]!]));
}

/** Time in the store and in LP solves within a request, and how many calls. */
function portTotals(spans: Span[], r0: number, r1: number) {
  const inside = spans.filter((x) => x.t0 >= r0 && x.t1 <= r1);
  const sum = (f: (x: Span) => boolean) => inside.filter(f).reduce((a, x) => a + x.t1 - x.t0, 0);
  return {
    storeMs: sum((x) => !x.name.startsWith('compute.')),
    storeCalls: inside.filter((x) => !x.name.startsWith('compute.')).length,
    solveMs: sum((x) => x.name.startsWith('compute.')),
    solves: inside.filter((x) => x.name.startsWith('compute.')).length,
    byCall: Object.fromEntries(
      [...new Set(inside.map((x) => x.name))].map((name) => {
        const of = inside.filter((x) => x.name === name);
        return [name, { n: of.length, ms: of.reduce((a, x) => a + x.t1 - x.t0, 0) }];
      }),
    ),
  };
}

interface Step {
  ms: number;
  stages: Stages;
  store: ReturnType<typeof portTotals>;
  /** New alerts by kind, and how many were re-planned with the pack's model. */
  raised: Record<string, number>;
  replanned: number;
}

interface HttpJob {
  part: 'setup' | 'upload' | 'check';
  uri: string;
  dbName: string;
  dir: string;
  families: number;
  runs: number;
}

interface SetupOut {
  orgId: string;
  apiToken: string;
  operationsLead: string;
  resource: string;
  uploadMs: number;
  warmMs: number;
  packMs: number;
  rows: { orders: number; production: number };
  variances: string;
}

/**
 * The org (1,000 families, 50 resources, 36 months of history, a 15-month plan from 2026-12) and
 * its pack built over HTTP; then the actuals a year later, written as the files a user sends: 52
 * weeks (2026-W49 to 2027-W47) of orders, shipments and on hand per family and production per
 * resource, drawn around the pack's own plan phased into weeks, and the next week's as JSON.
 */
async function setupPart(job: HttpJob): Promise<SetupOut> {
  const bench = await startBenchAccord('soe', { now: () => new Date(PACK_BUILT_AT) }, job);
  const server = await serve(bench.accord);
  try {
    const deps = bench.accord.deps;
    const { org, apiToken, leaders } = await benchOrg(deps, { horizonMonths: HORIZON_MONTHS, team: true });
    const client = benchClient(server.url, apiToken);
    const tables = syntheticCompany({
      families: job.families,
      resources: 50,
      months: 36,
      lastMonth: '2026-10',
      horizon: HORIZON_MONTHS + 3,
    });
    const { uploadMs, warmMs } = await uploadCompany(client, org.id, tables);
    const cycle = await client.call<{ id: string }>('POST', `/api/v1/orgs/${org.id}/cycles`, {
      month: CYCLE_MONTH,
    });
    const t0 = performance.now();
    await client.call('POST', `/api/v1/orgs/${org.id}/cycles/${cycle.id}/pack`, {});
    const packMs = performance.now() - t0;

    // The plan as the check phases it.
    const pack = (await deps.packs.latest(org.id, cycle.id)) as PackRecord<PackContent>;
    const cal = { ...workCalendar(org), timezone: org.timezone };
    const details = (await familyPage(deps, pack, 0, Object.keys(pack.content.familyChunks).length)).items;
    const plans = details.map((f) =>
      phaseFamilyPlan(
        { family: f.family, owner: 'sales', unitMargin: 0, safetyStock: 0, months: f.months },
        cal,
      ),
    );
    const resourcePlans = (await resourceDetails(deps, pack)).map((r) => ({
      resource: r.resource,
      load: weeklyPlan(Object.fromEntries(r.periods.map((p, i) => [p, r.load[i] ?? 0])), cal),
    }));

    const putWeek = isoWeekOf(UPLOADED_AT.slice(0, 10));
    const weeks = Array.from({ length: 53 }, (_, i) => addWeeks(putWeek, i - 52));
    const uploadWeeks = weeks.slice(0, 52);
    let seed = 2027;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const orders: Record<string, string>[] = [];
    const put: { families: Record<string, number | string>[]; resources: Record<string, number | string>[] } =
      {
        families: [],
        resources: [],
      };
    // Families: weekly orders around the plan's P50, normal with the spread of its weekly P10-P90
    // (a band that is right: a fifth of the weeks outside it), times BAND_NOISE; on hand 5% above
    // the plan's (2% noise). Every 50th family has one week of doubled orders, every 25th runs 8%
    // above plan, every 40th ships 10% of its plan a week more than it makes (its stock runs down);
    // in the week sent last, every 100th family (from the 11th) has doubled orders. A week the plan
    // does not hold (2026-W49: the horizon starts on a Tuesday) is drawn like the nearest one it does;
    // the check has no plan for it.
    const noise = Number(process.env['BAND_NOISE'] ?? 1);
    plans.forEach((p, i) => {
      const spikeWeek = i % 50 === 0 ? uploadWeeks[Math.floor(rand() * uploadWeeks.length)] : undefined;
      let drawn = 0;
      for (const week of weeks) {
        const w = p.weeks[week] ?? p.weeks[weeks.find((x) => p.weeks[x])!];
        if (!w) continue;
        const z = gauss();
        const sd = (noise * (w.p90 - w.p10)) / 2 / 1.2816;
        const spike = week === spikeWeek || (week === putWeek && i % 100 === 10) ? 2 : 1;
        const o = Math.max(0, (w.p50 + z * sd) * (i % 25 === 0 ? 1.08 : 1) * spike);
        if (i % 40 === 0) drawn += 0.1 * w.plan;
        const onHand = Math.max(0, w.inventory * (1.05 + 0.02 * gauss()) - drawn);
        const row = { orders: Math.round(o), shipments: Math.round(o), onHand: Math.round(onHand) };
        if (week === putWeek) put.families.push({ family: p.family, ...row });
        else
          orders.push({
            week,
            family: p.family,
            orders: String(row.orders),
            shipments: String(row.shipments),
            on_hand: String(row.onHand),
          });
      }
    });
    // Resources: production around the planned load (5%), every 10th 15% over it one week in 8.
    const production: Record<string, string>[] = [];
    resourcePlans.forEach((r, j) =>
      weeks.forEach((week, t) => {
        const load = r.load[week] ?? r.load[weeks.find((x) => r.load[x] !== undefined)!];
        if (load === undefined) return;
        const produced = Math.round(load * (j % 10 === 0 && t % 8 === 3 ? 1.15 : 1) * (1 + 0.05 * gauss()));
        if (week === putWeek) put.resources.push({ resource: r.resource, produced });
        else production.push({ week, resource: r.resource, produced: String(produced) });
      }),
    );
    writeFileSync(path.join(job.dir, 'orders.csv'), toCsv(orders));
    writeFileSync(path.join(job.dir, 'production.csv'), toCsv(production));
    writeFileSync(path.join(job.dir, 'put.json'), JSON.stringify(put));
    return {
      orgId: org.id,
      apiToken,
      operationsLead: leaders['operations']!.id,
      // The line the plan loads most: its breakdown is one the plan feels.
      resource: pack.content.resources
        .filter((r) => r.kind !== 'supplier')
        .sort((a, b) => b.peakUtilization - a.peakUtilization)[0]!.resource,
      uploadMs,
      warmMs,
      packMs,
      rows: { orders: orders.length, production: production.length },
      variances: `band noise ${noise}`,
    };
  } finally {
    await server.close();
    await bench.close();
  }
}

/** The steps a user takes, timed, each in a process started for it (its first request is cold). */
interface Measured {
  steps: Record<string, Step>;
  warmWorst: number;
  alertsStored: number;
  peakMiB: number;
}

async function measuredPart(job: HttpJob, setup: SetupOut): Promise<Measured> {
  let now = new Date(UPLOADED_AT);
  const peak = rssSampler();
  const bench = await startBenchAccord('soe', { now: () => now }, job);
  const server = await serve(bench.accord);
  const deps = bench.accord.deps;
  const spans = tracePorts(deps);
  const client = benchClient(server.url, setup.apiToken);
  const api = `/api/v1/orgs/${setup.orgId}`;
  const step = async (request: () => Promise<unknown>): Promise<Step> => {
    const before = new Set((await deps.soe.alerts(setup.orgId)).map((a) => a.id));
    const r0 = performance.now();
    await request();
    const r1 = performance.now();
    const fresh = (await deps.soe.alerts(setup.orgId)).filter((a) => !before.has(a.id));
    const raised: Record<string, number> = {};
    for (const a of fresh) {
      // SHOW=1: the first new alert of each kind, as JSON (on stderr).
      if (process.env['SHOW'] && !raised[a.kind]) process.stderr.write(`${JSON.stringify(a)}\n`);
      raised[a.kind] = (raised[a.kind] ?? 0) + 1;
    }
    return {
      ms: r1 - r0,
      stages: stagesOf(spans, r0, r1),
      store: portTotals(spans, r0, r1),
      raised,
      replanned: fresh.filter((a) => a.moneyBasis === 'replan').length,
    };
  };
  try {
    const out: Measured = { steps: {}, warmWorst: 0, alertsStored: 0, peakMiB: 0 };
    if (job.part === 'upload') {
      const files = {
        orders: readFileSync(path.join(job.dir, 'orders.csv'), 'utf8'),
        production: readFileSync(path.join(job.dir, 'production.csv'), 'utf8'),
      };
      out.steps['upload'] = await step(() => client.upload(`${api}/actuals`, files));
    } else {
      out.steps['check, cold'] = await step(() => client.call('POST', `${api}/soe/check`));
      const warm: Step[] = [];
      for (let i = 0; i < job.runs; i++) warm.push(await step(() => client.call('POST', `${api}/soe/check`)));
      const sorted = [...warm].sort((a, b) => a.ms - b.ms);
      out.steps['check, warm'] = sorted[Math.floor(sorted.length / 2)]!;
      out.warmWorst = sorted[sorted.length - 1]!.ms;
      out.steps['disruption'] = await step(() =>
        client.call('POST', `${api}/disruptions`, {
          actorId: setup.operationsLead,
          resource: setup.resource,
          from: '2027-11-24',
          to: '2027-12-10',
          capacityLostPercent: 50,
          note: 'The filler broke down; the spare part comes in two weeks',
        }),
      );
      now = new Date(PUT_AT);
      const body = readFileSync(path.join(job.dir, 'put.json'), 'utf8');
      out.steps['put'] = await step(() =>
        client.call('PUT', `${api}/actuals/${isoWeekOf(UPLOADED_AT.slice(0, 10))}`, JSON.parse(body)),
      );
      out.alertsStored = (await deps.soe.alerts(setup.orgId)).length;
    }
    out.peakMiB = peak();
    return out;
  } finally {
    await server.close();
    await bench.close();
  }
}

function runHttpChild<T>(job: HttpJob, setup?: SetupOut): Promise<T> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--http-child', JSON.stringify({ job, setup })],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice(7)) as T);
      else reject(new Error(`bench/soe ${job.part} failed (${code}):\n${out}`));
    });
  });
}

async function httpChild(arg: { job: HttpJob; setup?: SetupOut }) {
  const result =
    arg.job.part === 'setup' ? await setupPart(arg.job) : await measuredPart(arg.job, arg.setup!);
  say(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

const ms = (v: number) =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v).toLocaleString('en')} ms`;

/** The user's path over HTTP with the store: setup, the upload, the checks, a disruption, the weekly PUT. */
async function http(families: number, runs: number) {
  const store = await startBenchStore('soe');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'accord-soe-files-'));
  const job = (part: HttpJob['part']): HttpJob => ({
    part,
    uri: store.uri,
    dbName: `bench_soe_${Date.now()}`,
    dir,
    families,
    runs,
  });
  try {
    const base = job('setup');
    const setup = await runHttpChild<SetupOut>(base);
    const upload = await runHttpChild<Measured>({ ...base, part: 'upload' }, setup);
    const checks = await runHttpChild<Measured>({ ...base, part: 'check' }, setup);
    const storePeak = store.peakMiB();
    say('');
    say(
      `Over HTTP with the store (${process.env['MONGODB_URI'] ? 'MONGODB_URI' : 'embedded FerretDB'}): ${families.toLocaleString('en')} families, 50 resources, a 15-month plan from ${CYCLE_MONTH} ` +
        `(pack built in ${ms(setup.packMs)}; data set upload ${ms(setup.uploadMs)}, its forecasts ${ms(setup.warmMs)}); ` +
        `actuals: ${setup.rows.orders.toLocaleString('en')} order rows and ${setup.rows.production.toLocaleString('en')} production rows, ${setup.variances}`,
    );
    const steps: [string, Step][] = [
      ['upload 52 weeks (CSV), with its check', upload.steps['upload']!],
      ['POST /soe/check, cold (new process)', checks.steps['check, cold']!],
      [`POST /soe/check, warm (median of ${runs})`, checks.steps['check, warm']!],
      ['POST /disruptions, with its check', checks.steps['disruption']!],
      ['PUT /actuals/:week (next week), with its check', checks.steps['put']!],
    ];
    say('');
    say(`| stage | ${steps.map(([k]) => k).join(' | ')} |`);
    say(`| --- | ${steps.map(() => '---:').join(' | ')} |`);
    for (const stage of STAGES)
      say(`| ${stage} | ${steps.map(([, s]) => ms(s.stages[stage] ?? 0)).join(' | ')} |`);
    say(`| **total** (target: 2 s) | ${steps.map(([, s]) => `**${ms(s.ms)}**`).join(' | ')} |`);
    say(
      `| of which in the store (calls) | ${steps.map(([, s]) => `${ms(s.store.storeMs)} (${s.store.storeCalls.toLocaleString('en')})`).join(' | ')} |`,
    );
    say(
      `| of which LP solves (count) | ${steps.map(([, s]) => `${ms(s.store.solveMs)} (${s.store.solves})`).join(' | ')} |`,
    );
    say(
      `| alerts raised | ${steps
        .map(([, s]) => {
          const n = Object.values(s.raised).reduce((a, b) => a + b, 0);
          return n
            ? `${n.toLocaleString('en')} (${Object.entries(s.raised)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')})`
            : '0';
        })
        .join(' | ')} |`,
    );
    say(`| re-planned with the model | ${steps.map(([, s]) => String(s.replanned)).join(' | ')} |`);
    say('');
    say(
      `warm check worst: ${ms(checks.warmWorst)}; alerts stored at the end: ${checks.alertsStored.toLocaleString('en')}; ` +
        `peak RSS: upload process ${upload.peakMiB} MiB, check process ${checks.peakMiB} MiB` +
        (storePeak === null ? '' : `, FerretDB ${storePeak} MiB`),
    );
    // PROFILE=1: each step's calls to the store and the planning threads, by method (count, total).
    if (process.env['PROFILE'])
      for (const [name, s] of steps)
        say(
          `  ${name}: ${Object.entries(s.store.byCall)
            .sort((a, b) => b[1].ms - a[1].ms)
            .map(([k, v]) => `${k} x${v.n} ${ms(v.ms)}`)
            .join(', ')}`,
        );
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--http-child') await httpChild(JSON.parse(args[1]!) as { job: HttpJob; setup?: SetupOut });
else {
  const part = process.env['PART'] ?? 'all';
  if (part !== 'http') core();
  if (part !== 'core') await http(Number(args[0] ?? 1000), Number(args[1] ?? 7));
  process.exit(0);
}
