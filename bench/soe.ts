/**
 * bench/soe: S&OE variance detection (issue 16) on a synthetic company: 1,000 families with 52
 * weeks of actuals (orders, shipments, on hand) against a weekly plan running 8 weeks past them,
 * 50 resources with their weekly production, and 10 reported disruptions; seeded, so every run
 * checks the same company. Times `detectVariances` over several runs, and phasing the families'
 * monthly plans into weeks (`phaseFamilyPlan`) once.
 *
 * Also counts how many bias alerts fall on the families made biased (every 25th) and on the others.
 *
 *   npm run bench:soe -- [families=1000] [runs=7] [trackingLimit=4] [biasWindowWeeks=13] [minBiasShare=0.05]
 *
 * `SHOW=1` also prints the first alert of each kind, as JSON.
 */
import type { WorkCalendar } from '../src/domain/calendar.js';
import {
  addWeeks,
  detectVariances,
  phaseFamilyPlan,
  type DetectInput,
  type Disruption,
  type FamilyPlanWeekly,
  type ResourcePlanWeekly,
  type WeeklyActuals,
} from '../src/domain/soe.js';

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
say('| families | weeks of actuals | resources | disruptions | first run | runs | median | worst | alerts |');
say('| -------: | ---------------: | --------: | ----------: | --------: | ---: | -----: | ----: | ------ |');
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
