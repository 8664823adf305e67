/**
 * Probabilistic supply check: demand is sampled from each family's forecast distribution (a normal
 * fitted to P10/P50/P90, floored at zero, with month-to-month correlation within a family), the
 * rough-cut check runs on every sample, and the results say how likely each resource is to be
 * overloaded each month and how service level and margin spread. Seeded, so reproducible.
 */
import { roughCutCheck, type Route, type SupplyFamily, type SupplyResource } from './supply.js';

export interface UncertainFamily extends SupplyFamily {
  /** P10 and P90 per period (P50 is `demand`). */
  p10: number[];
  p90: number[];
}

export interface MonteCarloResult {
  samples: number;
  /** Share of samples in which load exceeds regular capacity. */
  resourceRisk: { resource: string; period: string; probability: number }[];
  /** Fill rate over the horizon (supplied / demand). */
  serviceLevel: { p10: number; p50: number; p90: number };
  margin: { p10: number; p50: number; p90: number; expected: number };
  expectedLostMargin: number;
}

/** mulberry32: a small, fast, seeded generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  // Box-Muller; 1 - rand() keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const Z90 = 1.2815515655446004;

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function monteCarlo(
  periods: string[],
  families: UncertainFamily[],
  resources: SupplyResource[],
  routing: Route[],
  opts: { samples?: number; seed?: number; correlation?: number } = {},
): MonteCarloResult {
  const samples = opts.samples ?? 1000;
  const rho = opts.correlation ?? 0.5;
  const rand = seededRandom(opts.seed ?? 1);
  const over = new Map<string, number>();
  const service: number[] = [];
  const margins: number[] = [];
  let lostMargin = 0;
  const unitMargin = new Map(families.map((f) => [f.family, f.unitPrice - f.unitCost]));
  for (let s = 0; s < samples; s++) {
    const sampled = families.map((f) => {
      const common = normal(rand);
      const demand = periods.map((_, t) => {
        const mid = f.demand[t] ?? 0;
        const sd = Math.max(0, ((f.p90[t] ?? mid) - (f.p10[t] ?? mid)) / (2 * Z90));
        const z = rho * common + Math.sqrt(1 - rho * rho) * normal(rand);
        return Math.max(0, mid + sd * z);
      });
      return { ...f, demand };
    });
    const check = roughCutCheck(periods, sampled, resources, routing);
    for (const l of check.loads) {
      if (l.load > l.capacity + 1e-9)
        over.set(`${l.resource}\u0000${l.period}`, (over.get(`${l.resource}\u0000${l.period}`) ?? 0) + 1);
    }
    let demand = 0;
    let supplied = 0;
    let margin = 0;
    for (const m of check.families) {
      demand += m.demand;
      supplied += m.supplied;
      margin += m.supplied * unitMargin.get(m.family)!;
      lostMargin += m.shortfall * unitMargin.get(m.family)!;
    }
    service.push(demand > 0 ? supplied / demand : 1);
    margins.push(margin);
  }
  service.sort((a, b) => a - b);
  margins.sort((a, b) => a - b);
  return {
    samples,
    resourceRisk: resources.flatMap((r) =>
      periods.map((period) => ({
        resource: r.resource,
        period,
        probability: (over.get(`${r.resource}\u0000${period}`) ?? 0) / samples,
      })),
    ),
    serviceLevel: { p10: quantile(service, 0.1), p50: quantile(service, 0.5), p90: quantile(service, 0.9) },
    margin: {
      p10: quantile(margins, 0.1),
      p50: quantile(margins, 0.5),
      p90: quantile(margins, 0.9),
      expected: margins.reduce((a, b) => a + b, 0) / Math.max(1, samples),
    },
    expectedLostMargin: lostMargin / Math.max(1, samples),
  };
}
