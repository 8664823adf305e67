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
  const index = indexSupply(T, families, resources, routing);
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
    runSupply(index, sampled, false, (t, m) => {
      for (let j = 0; j < R; j++) if (m.load[j]! > index.capacity[j * T + t]! + 1e-9) over[j * T + t]!++;
      for (let i = 0; i < F; i++) {
        const d = m.demand[i]!;
        const sold = m.supplied[i]!;
        demand += d;
        supplied += sold;
        margin += sold * unitMargin[i]!;
        lostMargin += (d - sold) * unitMargin[i]!;
      }
    });
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
