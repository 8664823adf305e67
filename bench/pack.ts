/**
 * bench/pack: the pre-S&OP pack's computation for a synthetic company (N families x 36 months of
 * history, 24-month horizon, 50 resources), stage by stage, in memory (no database, no HTTP):
 * parse the tables, forecast (selection + intervals), consensus, supply check, LP per tight
 * cluster (every option of every trade-off), 2 what-ifs, 1,000-sample Monte Carlo, chart
 * rendering; then one what-if recompute as the API runs it. Peak RSS is sampled throughout.
 *
 *   npm run bench:pack -- [families=1000] [samples=1000]
 */
import { parseRow, type TableName } from '../src/domain/dataset.js';
import { planDataFrom, evaluate, STANDARD_WHAT_IFS } from '../src/app/packs.js';
import { highsSolver } from '../src/app/solver.js';
import {
  applyWhatIf,
  baselines,
  consensus,
  effectiveCapacity,
  horizonPeriods,
  planModel,
} from '../src/domain/plan.js';
import { monteCarlo } from '../src/domain/montecarlo.js';
import { syntheticCompany } from '../src/demo/synthetic.js';
import { capacityChartSpec, fanChartSpec, renderSvg, svgToPng } from '../src/render/charts.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const families = Number(process.argv[2] ?? 1000);
const samples = Number(process.argv[3] ?? 1000);
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const times: [string, number][] = [];
let t0 = performance.now();
const lap = (name: string) => {
  const now = performance.now();
  times.push([name, now - t0]);
  t0 = now;
};

const tables = syntheticCompany({ families, resources: 50, months: 36, lastMonth: '2026-10', horizon: 26 });
lap('generate tables');
const parsed = Object.fromEntries(
  Object.entries(tables).map(([t, rows]) => [
    t,
    rows.map((r) => {
      const p = parseRow(t as TableName, r);
      if ('problems' in p) throw new Error(JSON.stringify(p.problems));
      return p.row;
    }),
  ]),
);
const data = await planDataFrom((t) => [parsed[t] ?? []]);
lap('parse tables');
const periods = horizonPeriods('2026-11', 24);
const base = baselines(data, periods);
lap('forecast (selection, intervals)');
const demand = consensus(
  periods,
  base,
  data.families.slice(0, 20).map((f) => ({
    function: 'sales',
    author: 'bench',
    family: f.family,
    from: periods[2]!,
    to: periods[5]!,
    change: { type: 'percent' as const, value: 8 },
    reason: 'promotion',
  })),
);
lap('consensus');
const supply = effectiveCapacity(data, periods, []);
const model = planModel(data, periods, base, demand, supply);
lap('model');
const solver = highsSolver();
await solver.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd\n'); // load the WebAssembly once
lap('load HiGHS');
const ev = await evaluate(solver, model, [], { frame: true });
lap(`supply check + LP (${ev.tradeoffs.length} trade-offs)`);
for (const w of STANDARD_WHAT_IFS) await evaluate(solver, applyWhatIf(model, w), [], { frame: false });
lap('2 standard what-ifs');
const mc = monteCarlo(
  periods,
  model.families.map((f, i) => ({ ...f, p10: model.p10[i]!, p90: model.p90[i]! })),
  model.resources,
  model.routing,
  { samples },
);
lap(`Monte Carlo (${mc.samples} samples)`);
const r0 = supply.resources[0]!;
const svg1 = await renderSvg(
  capacityChartSpec({
    resource: r0.resource,
    name: r0.name,
    periods,
    load: ev.plain.loads.filter((l) => l.resource === r0.resource).map((l) => l.load),
    capacity: r0.capacity,
    withOvertime: r0.capacity.map((c, t) => c + r0.overtime[t]!),
  }),
);
const b0 = base[0]!;
const svg2 = await renderSvg(
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
);
svgToPng(svg1);
svgToPng(svg2);
lap('render 2 charts (SVG + PNG)');
const total = times
  .filter(([n]) => n !== 'generate tables' && n !== 'load HiGHS')
  .reduce((s, [, v]) => s + v, 0);
t0 = performance.now();
await evaluate(solver, applyWhatIf(model, { name: 'x', demand: [{ percent: 5 }] }), [], { frame: false });
lap('one what-if recompute (every family +5%)');
const targeted = ev.tradeoffs[0]?.families[0] ?? data.families[0]!.family;
await evaluate(
  solver,
  applyWhatIf(model, { name: 'y', demand: [{ families: [targeted], percent: 20 }] }),
  [],
  { frame: false, cache: ev.plans },
);
lap('one what-if recompute (one family +20%)');
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
say(`pack computation, ${families} families x 36 months, 24-month horizon, 50 resources`);
for (const [n, v] of times) say(`  ${n.padEnd(40)} ${v.toFixed(0).padStart(7)} ms`);
say(`  ${'pack total (parse..charts, HiGHS warm)'.padEnd(40)} ${total.toFixed(0).padStart(7)} ms`);
say(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
say(
  `  trade-offs: ${ev.tradeoffs.map((t) => `${t.key} (${t.families.length} families, ${t.options.length} options, recommended ${t.recommended})`).join('; ')}`,
);
