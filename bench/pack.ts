/**
 * bench/pack: the pre-S&OP pack, stage by stage, for synthetic companies of 100 / 1,000 / 10,000
 * families in two shapes, in memory and over HTTP with the store, against the targets of issue 13.
 *
 * - `clusters`: 50 resources (one line in five tight at the peak, every fifth a supplier), 36
 *   months of history, a 24-month plan: about 10 clusters of 25-250 families.
 * - `one-cluster`: 4 resources, every family also through one packaging line tight at the peak
 *   (one cluster of all the families), an 18-month plan.
 *
 * In memory: the app's own planning functions on the worker pool, no database, no HTTP: parse,
 * forecast (every family fitted), model, plan + standard what-ifs + Monte Carlo (as buildPack runs
 * them), two charts; then the three what-ifs as `POST .../pack/scenarios` runs them (from the
 * base plan's cached clusters). Over HTTP: Accord on the embedded FerretDB (or MONGODB_URI), the
 * tables uploaded as CSV (their forecasts fitted in the background, as after every upload: timed
 * apart), `POST .../pack` timed (as at pre-S&OP: forecasts cached, data read from the store) and
 * again (a rebuild: the data in memory too), then the three what-ifs through `POST .../pack/scenarios`. Each
 * configuration runs in a child process of its own, so its peak RSS is its own (over HTTP: Accord
 * and the bench's client in one process; FerretDB is a process of its own, not counted).
 *
 *   npm run bench:pack -- [sizes=100,1000,10000] [shapes=clusters,one-cluster] [modes=memory,http]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { syntheticCompany, type SyntheticTables } from '../src/demo/synthetic.js';
import { consensus, effectiveCapacity, horizonPeriods, planModel, applyWhatIf } from '../src/domain/plan.js';
import { baselineOf, baselineSeries, type WhatIf } from '../src/domain/plan.js';
import { evaluate, planScenarios } from '../src/app/packs.js';
import { planCompute } from '../src/app/planPool.js';
import { defaultPlanThreads } from '../src/accord.js';
import { capacityChartSpec, fanChartSpec, renderSvg, svgToPng } from '../src/render/charts.js';
import {
  benchClient,
  benchOrg,
  rssSampler,
  serve,
  startBenchAccord,
  syntheticPlanData,
  uploadCompany,
} from './boot.js';

type Shape = 'clusters' | 'one-cluster';
type Mode = 'memory' | 'http';
interface Result {
  families: number;
  shape: Shape;
  mode: Mode;
  stages: Record<string, number>;
  pack: number;
  /** Over HTTP, before the pack: the upload, and the forecasts fitted after it in the background. */
  before?: { upload: number; warm: number };
  rebuild?: number;
  whatIf: { resource: number; families: number; all: number };
  tradeoffs: number;
  peakMiB: number;
  threads: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const LAST_MONTH = '2026-10';
const CYCLE_MONTH = '2026-11';

function company(families: number, shape: Shape): { tables: SyntheticTables; horizon: number } {
  return shape === 'clusters'
    ? {
        tables: syntheticCompany({ families, resources: 50, months: 36, lastMonth: LAST_MONTH, horizon: 27 }),
        horizon: 24,
      }
    : {
        tables: syntheticCompany({
          families,
          resources: 4,
          months: 36,
          lastMonth: LAST_MONTH,
          horizon: 21,
          sharedLine: true,
        }),
        horizon: 18,
      };
}

/** The three what-ifs of the targets: one tight resource cut, ten families up, every family up. */
function whatIfs(
  tradeoff: { resources: string[]; families: string[]; periods: string[] } | undefined,
  periods: string[],
): Record<keyof Result['whatIf'], WhatIf> {
  const months = tradeoff?.periods.length ? tradeoff.periods : periods;
  return {
    resource: {
      name: 'lose 10% of the tightest resource for three months',
      capacity: [
        {
          resource: tradeoff?.resources[0] ?? 'L01',
          from: months[0],
          to: months[Math.min(2, months.length - 1)],
          percent: -10,
        },
      ],
    },
    families: {
      name: 'ten families +20%',
      demand: [{ families: (tradeoff?.families ?? []).slice(0, 10), percent: 20 }],
    },
    all: { name: 'every family +5%', demand: [{ percent: 5 }] },
  };
}

async function inMemory(families: number, shape: Shape): Promise<Result> {
  const peak = rssSampler();
  const { tables, horizon } = company(families, shape);
  const threads = defaultPlanThreads();
  const compute = planCompute({ threads });
  // Threads up and HiGHS loaded in each, as in a running service.
  await Promise.all(
    Array.from({ length: threads * 2 }, () =>
      compute.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd\n'),
    ),
  );
  const stages: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = now - t0;
    t0 = now;
  };
  const data = await syntheticPlanData(tables);
  lap('parse');
  const periods = horizonPeriods(CYCLE_MONTH, horizon);
  const series = baselineSeries(data, periods);
  const fitted = await compute.forecast(
    series.map((s) => ({ history: s.history.map((h) => h.value), horizon: s.horizon })),
  );
  const base = series.map((s, i) => baselineOf(s, fitted[i]!, periods.length));
  lap('forecast');
  const supply = effectiveCapacity(data, periods, []);
  const model = planModel(data, periods, base, consensus(periods, base, []), supply);
  lap('model');
  const resourceNames = Object.fromEntries(data.resources.map((r) => [r.resource, r.name]));
  const { ev } = await planScenarios(compute, compute, model, [], { resourceNames, samples: 1000, seed: 1 });
  lap('plan');
  const r0 = supply.resources[0]!;
  const b0 = base[0]!;
  svgToPng(
    await renderSvg(
      capacityChartSpec({
        resource: r0.resource,
        name: r0.name,
        periods,
        load: ev.plain.loads.filter((l) => l.resource === r0.resource).map((l) => l.load),
        capacity: r0.capacity,
        withOvertime: r0.capacity.map((c, t) => c + r0.overtime[t]!),
      }),
    ),
  );
  svgToPng(
    await renderSvg(
      fanChartSpec({
        family: b0.family,
        name: b0.family,
        history: b0.history,
        forecast: periods.map((period, t) => ({
          period,
          p10: b0.forecast.p10[t]!,
          p50: b0.forecast.p50[t]!,
          p90: b0.forecast.p90[t]!,
        })),
      }),
    ),
  );
  lap('charts');
  const pack = Object.values(stages).reduce((a, b) => a + b, 0);
  const asked = whatIfs(ev.tradeoffs[0], periods);
  const whatIf = { resource: 0, families: 0, all: 0 };
  for (const k of Object.keys(asked) as (keyof typeof asked)[]) {
    const started = performance.now();
    await evaluate(compute, applyWhatIf(model, asked[k]), [], { frame: false, cache: ev.plans });
    whatIf[k] = performance.now() - started;
  }
  await compute.close();
  return {
    families,
    shape,
    mode: 'memory',
    stages,
    pack,
    whatIf,
    tradeoffs: ev.tradeoffs.length,
    peakMiB: peak(),
    threads,
  };
}

async function overHttp(families: number, shape: Shape): Promise<Result> {
  const peak = rssSampler();
  const { tables, horizon } = company(families, shape);
  const clock = { now: () => new Date('2026-11-02T08:00:00Z') };
  const bench = await startBenchAccord(`pack-${families}-${shape}`, clock);
  const server = await serve(bench.accord);
  try {
    const { org, apiToken } = await benchOrg(bench.accord.deps, { horizonMonths: horizon });
    const client = benchClient(server.url, apiToken);
    // The upload's forecasts are fitted in the background (step 1, days before the pack).
    const before = await uploadCompany(client, org.id, tables);
    const cycle = await client.call('POST', `/api/v1/orgs/${org.id}/cycles`, { month: CYCLE_MONTH });
    const base = `/api/v1/orgs/${org.id}/cycles/${String(cycle['id'])}`;
    let started = performance.now();
    const pack = await client.call<{
      build: { ms: Record<string, number>; threads: number };
      tradeoffs: { resources: string[]; families: string[]; periods: string[] }[];
      horizon: { periods: string[] };
    }>('POST', `${base}/pack`, {});
    const packMs = performance.now() - started;
    const stages = client.timing();
    started = performance.now();
    await client.call('POST', `${base}/pack`, {});
    const rebuild = performance.now() - started;
    const asked = whatIfs(pack.tradeoffs[0], pack.horizon.periods);
    const whatIf = { resource: 0, families: 0, all: 0 };
    for (const k of Object.keys(asked) as (keyof typeof asked)[]) {
      started = performance.now();
      await client.call('POST', `${base}/pack/scenarios`, asked[k]);
      whatIf[k] = performance.now() - started;
    }
    const known = Object.values(stages).reduce((a, b) => a + b, 0);
    return {
      families,
      shape,
      mode: 'http',
      stages: { ...stages, 'HTTP (request, answer)': packMs - known },
      before: { upload: before.uploadMs, warm: before.warmMs },
      pack: packMs,
      rebuild,
      whatIf,
      tradeoffs: pack.tradeoffs.length,
      peakMiB: peak(),
      threads: pack.build.threads,
    };
  } finally {
    await server.close();
    await bench.close();
  }
}

async function child(mode: Mode, families: number, shape: Shape) {
  const result = mode === 'memory' ? await inMemory(families, shape) : await overHttp(families, shape);
  say(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

function runChild(mode: Mode, families: number, shape: Shape, timeoutS: number): Promise<Result | string> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', mode, String(families), shape],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutS * 1000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      resolve(
        line
          ? (JSON.parse(line.slice(7)) as Result)
          : code === null
            ? `over ${timeoutS} s`
            : `failed (${code})`,
      );
    });
  });
}

const ms = (v: number | undefined) =>
  v === undefined
    ? ''
    : v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : `${Math.round(v).toLocaleString('en')} ms`;

async function parent(sizes: number[], shapes: Shape[], modes: Mode[]) {
  const timeoutS = Number(process.env['BENCH_PACK_TIMEOUT_S'] ?? 900);
  say(
    `bench/pack, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${defaultPlanThreads()} planning threads`,
  );
  for (const shape of shapes) {
    const results: (Result | string)[] = [];
    const heads: string[] = [];
    for (const families of sizes)
      for (const mode of modes) {
        heads.push(`${families.toLocaleString('en')}, ${mode === 'http' ? 'HTTP + store' : 'in memory'}`);
        results.push(await runChild(mode, families, shape, timeoutS));
      }
    const target = (families: number) => (families <= 1000 ? 1000 : 10_000);
    const rows: [string, (r: Result) => string][] = [
      ...[...new Set(results.flatMap((r) => (typeof r === 'string' ? [] : Object.keys(r.stages))))].map(
        (stage) => [stage, (r: Result) => ms(r.stages[stage])] as [string, (r: Result) => string],
      ),
      [
        '**whole pack** (target: 1 s at 1,000, 10 s at 10,000)',
        (r) => `**${ms(r.pack)}** ${r.pack <= target(r.families) ? 'ok' : 'over'}`,
      ],
      ['rebuild (forecasts cached)', (r) => ms(r.rebuild)],
      ['before it, step 1: the CSV upload', (r) => ms(r.before?.upload)],
      ['before it, step 1: forecasts fitted in the background', (r) => ms(r.before?.warm)],
      ['what-if: one resource -10% (target 100 ms at 1,000)', (r) => ms(r.whatIf.resource)],
      ['what-if: ten families +20%', (r) => ms(r.whatIf.families)],
      ['what-if: every family +5%', (r) => ms(r.whatIf.all)],
      ['peak RSS (target 500 MiB at 10,000)', (r) => `${r.peakMiB} MiB`],
      ['trade-offs framed', (r) => String(r.tradeoffs)],
    ];
    say(
      `\n${shape === 'clusters' ? 'Shape: clusters (50 resources, 24-month plan)' : 'Shape: one cluster (every family through one packaging line, 4 resources, 18-month plan)'}\n`,
    );
    say(`| stage | ${heads.join(' | ')} |`);
    say(`| --- | ${heads.map(() => '---:').join(' | ')} |`);
    for (const [name, cell] of rows)
      say(`| ${name} | ${results.map((r) => (typeof r === 'string' ? r : cell(r))).join(' | ')} |`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] as Mode, Number(args[2]), args[3] as Shape);
else
  await parent(
    (args[0] ?? '100,1000,10000').split(',').map(Number),
    (args[1] ?? 'clusters,one-cluster').split(',') as Shape[],
    (args[2] ?? 'memory,http').split(',') as Mode[],
  );
