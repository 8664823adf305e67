/**
 * Probabilistic supply check: demand is sampled from each family's forecast distribution (a normal
 * fitted to P10/P50/P90, floored at zero, with month-to-month correlation within a family), the
 * rough-cut check runs on every sample, and the results say how likely each resource is to be
 * overloaded each month and how service level and margin spread. Seeded, so reproducible.
 */
import { indexSupply, runSupply, type Route, type SupplyFamily, type SupplyResource } from './supply.js';

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

/** Standard normals by Box-Muller, both of each pair used; 1 - rand() keeps the logarithm finite. */
function normals(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const a = 2 * Math.PI * rand();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
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
  const own = Math.sqrt(1 - rho * rho);
  const normal = normals(seededRandom(opts.seed ?? 1));
  const T = periods.length;
  const F = families.length;
  const R = resources.length;
  const index = indexSupply(families, resources, routing);
  const mid = new Float64Array(F * T);
  const sd = new Float64Array(F * T);
  families.forEach((f, i) => {
    for (let t = 0; t < T; t++) {
      const m = f.demand[t] ?? 0;
      mid[i * T + t] = m;
      sd[i * T + t] = Math.max(0, ((f.p90[t] ?? m) - (f.p10[t] ?? m)) / (2 * Z90));
    }
  });
  const unitMargin = Float64Array.from(families, (f) => f.unitPrice - f.unitCost);
  const over = new Int32Array(R * T);
  const sampled = new Float64Array(F * T);
  const service: number[] = [];
  const margins: number[] = [];
  let lostMargin = 0;
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < F; i++) {
      const common = normal();
      for (let t = 0; t < T; t++) {
        const k = i * T + t;
        sampled[k] = sd[k]! > 0 ? Math.max(0, mid[k]! + sd[k]! * (rho * common + own * normal())) : mid[k]!;
      }
    }
    let demand = 0;
    let supplied = 0;
    let margin = 0;
    runSupply(
      T,
      families,
      resources,
      index,
      (i, t) => sampled[i * T + t]!,
      false,
      (t, m) => {
        for (let j = 0; j < R; j++)
          if (m.load[j]! > (resources[j]!.capacity[t] ?? 0) + 1e-9) over[j * T + t]!++;
        for (let i = 0; i < F; i++) {
          demand += m.demand[i]!;
          supplied += m.supplied[i]!;
          margin += m.supplied[i]! * unitMargin[i]!;
          lostMargin += (m.demand[i]! - m.supplied[i]!) * unitMargin[i]!;
        }
      },
    );
    service.push(demand > 0 ? supplied / demand : 1);
    margins.push(margin);
  }
  service.sort((a, b) => a - b);
  margins.sort((a, b) => a - b);
  return {
    samples,
    resourceRisk: resources.flatMap((r, j) =>
      periods.map((period, t) => ({
        resource: r.resource,
        period,
        probability: over[j * T + t]! / Math.max(1, samples),
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
