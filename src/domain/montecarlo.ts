/**
 * Probabilistic supply check: demand is sampled from each family's forecast distribution (a normal
 * fitted to P10/P50/P90, floored at zero, with month-to-month correlation within a family), the
 * rough-cut check runs on every sample, and the results say how likely each resource is to be
 * overloaded each month and how service level and margin spread. Seeded, so reproducible.
 */
import {
  indexSupply,
  runSupply,
  type Route,
  type SupplyFamily,
  type SupplyIndex,
  type SupplyResource,
} from './supply.js';

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

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Standard normals by inverse transform through a table of 4,096 quantiles with linear
 * interpolation: one uniform draw and a few arithmetic operations each (Box-Muller's logarithm
 * and cosine cost several times more). The tails are cut at about +/-3.5 sigma, which the
 * P10/P90 and overload probabilities this serves do not feel.
 */
const TABLE_SIZE = 4096;
const TABLE = Float64Array.from({ length: TABLE_SIZE + 1 }, (_, k) =>
  normalQuantile(Math.min(Math.max(k, 0.25), TABLE_SIZE - 0.25) / TABLE_SIZE),
);

function normals(rand: () => number): () => number {
  return () => {
    const pos = rand() * TABLE_SIZE;
    const k = pos | 0;
    return TABLE[k]! + (TABLE[k + 1]! - TABLE[k]!) * (pos - k);
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

/**
 * What the samples need, as plain data and typed arrays (it crosses to worker threads as is):
 * the check's index, each family-month's mean and standard deviation, unit margins.
 */
export interface MonteCarloInput {
  samples: number;
  seed: number;
  rho: number;
  index: SupplyIndex;
  mid: Float64Array;
  sd: Float64Array;
  unitMargin: Float64Array;
}

/** What a run of samples `from`..`from + service.length` gives; parts combine in sample order. */
export interface MonteCarloPart {
  from: number;
  /** Per resource-month [j * T + t]: samples in which load exceeded regular capacity. */
  over: Int32Array;
  /** Per sample: fill rate, margin, margin lost. */
  service: Float64Array;
  margin: Float64Array;
  lost: Float64Array;
}

export function prepareMonteCarlo(
  periods: string[],
  families: UncertainFamily[],
  resources: SupplyResource[],
  routing: Route[],
  opts: { samples?: number; seed?: number; correlation?: number } = {},
): MonteCarloInput {
  const T = periods.length;
  const F = families.length;
  const mid = new Float64Array(F * T);
  const sd = new Float64Array(F * T);
  families.forEach((f, i) => {
    for (let t = 0; t < T; t++) {
      const m = f.demand[t] ?? 0;
      mid[i * T + t] = m;
      sd[i * T + t] = Math.max(0, ((f.p90[t] ?? m) - (f.p10[t] ?? m)) / (2 * Z90));
    }
  });
  return {
    samples: opts.samples ?? 1000,
    seed: opts.seed ?? 1,
    rho: opts.correlation ?? 0.5,
    index: indexSupply(T, families, resources, routing),
    mid,
    sd,
    unitMargin: Float64Array.from(families, (f) => f.unitPrice - f.unitCost),
  };
}

/**
 * Sample `s`'s own seed: every sample draws from its own stream, so any split of the samples
 * (threads, chunks) gives the same numbers.
 */
export function sampleSeed(seed: number, s: number): number {
  let h = (seed ^ Math.imul(s + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Samples `from` (inclusive) to `to` (exclusive). */
export function runSamples(x: MonteCarloInput, from: number, to: number): MonteCarloPart {
  const { index, mid, sd, unitMargin, rho } = x;
  const own = Math.sqrt(1 - rho * rho);
  const { F, R, T } = index;
  const n = Math.max(0, to - from);
  const part: MonteCarloPart = {
    from,
    over: new Int32Array(R * T),
    service: new Float64Array(n),
    margin: new Float64Array(n),
    lost: new Float64Array(n),
  };
  const sampled = new Float64Array(F * T);
  for (let s = from; s < to; s++) {
    const normal = normals(seededRandom(sampleSeed(x.seed, s)));
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
    let lost = 0;
    runSupply(index, sampled, false, (t, m) => {
      for (let j = 0; j < R; j++) if (m.load[j]! > index.capacity[j * T + t]! + 1e-9) part.over[j * T + t]!++;
      for (let i = 0; i < F; i++) {
        const d = m.demand[i]!;
        const sold = m.supplied[i]!;
        demand += d;
        supplied += sold;
        margin += sold * unitMargin[i]!;
        lost += (d - sold) * unitMargin[i]!;
      }
    });
    part.service[s - from] = demand > 0 ? supplied / demand : 1;
    part.margin[s - from] = margin;
    part.lost[s - from] = lost;
  }
  return part;
}

/** Splits the samples into `parts` runs of consecutive samples. */
export function sampleRanges(samples: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, samples));
  return Array.from({ length: k }, (_, p) => [
    Math.round((p * samples) / k),
    Math.round(((p + 1) * samples) / k),
  ]);
}

/** The result from the parts (in any order): sums in sample order, so every split agrees to the bit. */
export function combineMonteCarlo(
  periods: string[],
  resources: SupplyResource[],
  x: MonteCarloInput,
  parts: MonteCarloPart[],
): MonteCarloResult {
  const T = periods.length;
  const samples = x.samples;
  const ordered = [...parts].sort((a, b) => a.from - b.from);
  const over = new Int32Array(resources.length * T);
  const service: number[] = [];
  const margins: number[] = [];
  let lostMargin = 0;
  for (const p of ordered) {
    for (let k = 0; k < over.length; k++) over[k]! += p.over[k]!;
    for (let s = 0; s < p.service.length; s++) {
      service.push(p.service[s]!);
      margins.push(p.margin[s]!);
      lostMargin += p.lost[s]!;
    }
  }
  const expected = margins.reduce((a, b) => a + b, 0) / Math.max(1, samples);
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
      expected,
    },
    expectedLostMargin: lostMargin / Math.max(1, samples),
  };
}

/** All the samples in this thread (the pack runs them on worker threads: src/app/planPool.ts). */
export function monteCarlo(
  periods: string[],
  families: UncertainFamily[],
  resources: SupplyResource[],
  routing: Route[],
  opts: { samples?: number; seed?: number; correlation?: number } = {},
): MonteCarloResult {
  const x = prepareMonteCarlo(periods, families, resources, routing, opts);
  return combineMonteCarlo(periods, resources, x, [runSamples(x, 0, x.samples)]);
}
