/**
 * bench/lp-tiers: the supply-mix LP of a big cluster, the full LP against the priced one (only the
 * families that move in the LP, the others fixed at the no-lever plan and priced: src/domain/
 * aggregate.ts), per solve (one lever set of one cluster), on
 *
 * - the one-cluster shape: every family through one packaging line (syntheticCompany with
 *   sharedLine, 4 resources, 36 months of history, an 18-month plan), at each size given;
 * - the usual clusters: the bench/pack company (1,000 families, 50 resources, 24 months), whose
 *   clusters of tight resources have about 25 families each;
 * - the largest one-cluster size again with every family's demand 5% up (the standard what-if):
 *   more families short, more of them moving in the LP.
 *
 * Runs alternate (full, priced) per lever set; min / median in ms over the runs. Costs are the
 * plans' totalCost (lever spend, drawdown weight, lost margin).
 *
 *   npm run bench:lp-tiers -- [sizes=25,60,100,250,1000] [runs=3] [pack=yes]
 */
import { syntheticPlanData } from './boot.js';
import { highsSolver } from '../src/app/solver.js';
import { syntheticCompany } from '../src/demo/synthetic.js';
import { planMixPriced } from '../src/domain/aggregate.js';
import { buildMixModel, type MixInput } from '../src/domain/mix.js';
import {
  applyWhatIf,
  baselines,
  check,
  consensus,
  effectiveCapacity,
  horizonPeriods,
  LEVER_SETS,
  planModel,
  tightClusters,
} from '../src/domain/plan.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sizes = (process.argv[2] ?? '25,60,100,250,1000').split(',').map(Number);
const runs = Number(process.argv[3] ?? 3);
const withPack = (process.argv[4] ?? 'yes') !== 'no';
const KEYS = ['overtime', 'alternates', 'prebuild', 'mix'] as const;

async function clustersOf(o: Parameters<typeof syntheticCompany>[0], months: number, percent = 0) {
  const tables = syntheticCompany(o);
  const data = await syntheticPlanData(tables);
  const periods = horizonPeriods('2026-11', months);
  const base = baselines(data, periods);
  const plain = planModel(
    data,
    periods,
    base,
    consensus(periods, base, []),
    effectiveCapacity(data, periods, []),
  );
  // The standard what-if "every family +5%" (percent 5): demand up, the rest as planned.
  const model = percent ? applyWhatIf(plain, { name: 'demand', demand: [{ percent }] }) : plain;
  return tightClusters(model, check(model));
}

const solver = highsSolver();
await solver.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd\n'); // load the WebAssembly once
const solve = (lp: string) => solver.solve(lp);

async function full(input: MixInput, key: (typeof KEYS)[number]) {
  const t0 = performance.now();
  const model = buildMixModel(input, LEVER_SETS[key]);
  const { status, columns } = await solver.solve(model.lp);
  const plan = model.decode(status, columns);
  return { ms: performance.now() - t0, cost: plan.totalCost };
}
async function priced(input: MixInput, key: (typeof KEYS)[number]) {
  const t0 = performance.now();
  const p = await planMixPriced(solve, input, LEVER_SETS[key]);
  if (!p) throw new Error('the priced LP fell back');
  const plan = p.plan();
  return { ms: performance.now() - t0, cost: plan.totalCost, rounds: p.rounds, active: p.active };
}

const stats = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${s[0]!.toFixed(0)} / ${med.toFixed(0)}`;
};
const money = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 2 });

say(`supply-mix LP per solve, full vs priced (min / median ms over ${runs} runs, alternated)`);
say('');
say('| families | lever set | full LP | priced | rounds | families in LP | cost, full | cost, priced |');
say('| -------: | --------- | ------: | -----: | -----: | -------------: | ---------: | -----------: |');
const shapes = [...sizes.map((n) => [n, 0]), [Math.max(...sizes), 5]];
for (const [n, percent] of shapes) {
  const clusters = await clustersOf(
    { families: n!, resources: 4, months: 36, lastMonth: '2026-10', horizon: 20, sharedLine: true },
    18,
    percent,
  );
  const input = clusters[0]!.model;
  const label = `${input.families.length}${percent ? `, demand +${percent}%` : ''}`;
  for (const key of KEYS) {
    const f: number[] = [];
    const p: number[] = [];
    let last: Awaited<ReturnType<typeof priced>> | undefined;
    let fullCost = 0;
    for (let r = 0; r < runs; r++) {
      const a = await full(input, key);
      f.push(a.ms);
      fullCost = a.cost;
      last = await priced(input, key);
      p.push(last.ms);
    }
    say(
      `| ${label} | ${key} | ${stats(f)} | ${stats(p)} | ${last!.rounds} | ${last!.active} | ${money(fullCost)} | ${money(last!.cost)} |`,
    );
  }
}

if (withPack) {
  const clusters = await clustersOf(
    { families: 1000, resources: 50, months: 36, lastMonth: '2026-10', horizon: 26 },
    24,
  );
  const f: number[] = [];
  const p: number[] = [];
  let worst = 0;
  for (let r = 0; r < runs; r++)
    for (const c of clusters)
      for (const key of KEYS) {
        const a = await full(c.model, key);
        const b = await priced(c.model, key);
        f.push(a.ms);
        p.push(b.ms);
        worst = Math.max(worst, Math.abs(a.cost - b.cost) / (1 + a.cost));
      }
  const sizes = clusters.map((c) => c.families.length).sort((a, b) => a - b);
  say('');
  say(
    `bench/pack company, ${clusters.length} clusters of ${sizes[0]}-${sizes[sizes.length - 1]} families, ` +
      `24 months, every lever set, ${runs} runs: full ${stats(f)} ms, priced ${stats(p)} ms per solve; ` +
      `worst cost difference ${worst.toExponential(1)} (relative)`,
  );
}
