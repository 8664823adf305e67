/**
 * P10-P90 ranges from backtest errors (split-conformal): the forecaster is refitted at rolling
 * origins inside the history, its errors are collected per horizon step, and the range at each
 * step is the P50 widened by the quantiles of those errors. A series' errors are few (a handful
 * of origins), so the per-step scale follows a smooth curve, sigma(k) = scale * k^growth (growth in
 * [0, 1]: from a level-like error to a trend-like one), fitted to the mean absolute error of each
 * step; the errors divided by sigma(k) are pooled over steps and origins for the 10 % and 90 %
 * quantiles (conformal ranks), shrunk towards the normal ones when there are few. Errors are
 * log ratios (actual / forecast) when every actual and forecast is positive, else plain
 * differences. Pure and deterministic.
 */

/** Standard normal 90 % quantile. */
const Z90 = 1.2815515655446004;
/** E|Z| of a standard normal: a normal error's 90 % quantile is Z90 / MEAN_ABS_Z mean absolute errors. */
const MEAN_ABS_Z = Math.sqrt(2 / Math.PI);
/** The normal quantiles count as this many errors when shrinking the empirical ones towards them. */
const PRIOR_WEIGHT = 10;
/** Fewer errors than this: no error model (the caller falls back to the model's own spread). */
export const MIN_ERRORS = 6;

export interface ErrorModel {
  kind: 'relative' | 'absolute';
  /** Mean absolute error one step ahead (log ratio for 'relative'). */
  scale: number;
  /** sigma(k) = scale * k^growth. */
  growth: number;
  /** Quantiles of error / sigma(k): lo <= 0 <= hi. */
  lo: number;
  hi: number;
  /** How many errors the model was learned from. */
  count: number;
}

/** One backtest forecast: the origin it was made at, its step (1 = one month ahead), both values. */
export interface BacktestPoint {
  origin: number;
  step: number;
  actual: number;
  forecast: number;
}

/** Can the errors be taken as log ratios? (every actual and forecast positive) */
export const relativeErrors = (points: BacktestPoint[]): boolean =>
  points.every((p) => p.actual > 0 && p.forecast > 0);

const errorOf = (p: BacktestPoint, kind: ErrorModel['kind']) =>
  kind === 'relative' ? Math.log(p.actual / p.forecast) : p.actual - p.forecast;

/** The error model learned from backtest points, or null when there are too few. */
export function errorModel(points: BacktestPoint[], kind: ErrorModel['kind']): ErrorModel | null {
  if (points.length < MIN_ERRORS) return null;
  const errors = points.map((p) => errorOf(p, kind));
  // Mean absolute error per step, then the least-squares line log(mae_k) = log(scale) + growth
  // log(k), weighted by how many errors each step has.
  const bySteps = new Map<number, { sum: number; n: number }>();
  points.forEach((p, i) => {
    const s = bySteps.get(p.step) ?? { sum: 0, n: 0 };
    s.sum += Math.abs(errors[i]!);
    s.n++;
    bySteps.set(p.step, s);
  });
  const steps = [...bySteps.entries()].filter(([, s]) => s.sum > 0);
  if (!steps.length) return { kind, scale: 0, growth: 0, lo: 0, hi: 0, count: points.length };
  let w = 0;
  let mx = 0;
  let my = 0;
  for (const [k, s] of steps) {
    w += s.n;
    mx += s.n * Math.log(k);
    my += s.n * Math.log(s.sum / s.n);
  }
  mx /= w;
  my /= w;
  let sxx = 0;
  let sxy = 0;
  for (const [k, s] of steps) {
    sxx += s.n * (Math.log(k) - mx) ** 2;
    sxy += s.n * (Math.log(k) - mx) * (Math.log(s.sum / s.n) - my);
  }
  const growth = sxx > 1e-12 ? Math.min(1, Math.max(0, sxy / sxx)) : 0.5;
  const scale = Math.exp(my - growth * mx);
  const z = points.map((p, i) => errors[i]! / (scale * p.step ** growth)).sort((a, b) => a - b);
  const n = z.length;
  // Conformal ranks: the ceil((n + 1) * 0.9)-th smallest as the upper quantile, the
  // floor((n + 1) * 0.1)-th as the lower one.
  const upper = z[Math.min(n - 1, Math.ceil((n + 1) * 0.9) - 1)]!;
  const lower = z[Math.max(0, Math.floor((n + 1) * 0.1) - 1)]!;
  const normal = Z90 / MEAN_ABS_Z;
  const shrink = (emp: number, prior: number) => (n * emp + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT);
  return {
    kind,
    scale,
    growth,
    lo: Math.min(0, shrink(lower, -normal)),
    hi: Math.max(0, shrink(upper, normal)),
    count: n,
  };
}

/** The error scale k steps ahead (k from 1). */
export const sigmaAt = (model: ErrorModel, k: number): number => model.scale * k ** model.growth;

/** P10 and P90 around `p50` (steps 1..p50.length after the origin); P10 never below 0. */
export function bands(p50: number[], model: ErrorModel): { p10: number[]; p90: number[] } {
  const p10: number[] = [];
  const p90: number[] = [];
  p50.forEach((v, i) => {
    const s = sigmaAt(model, i + 1);
    if (model.kind === 'relative') {
      p10.push(v * Math.exp(model.lo * s));
      p90.push(v * Math.exp(model.hi * s));
    } else {
      p10.push(Math.max(0, v + model.lo * s));
      p90.push(v + model.hi * s);
    }
  });
  return { p10, p90 };
}
