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

import { doubles } from './arrays.js';

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

/**
 * The k-th smallest (from 0) of `a`, which it reorders (quickselect: Hoare's partition around the
 * median of three; no randomness). A handful of times faster than sorting the hundred-odd errors
 * of a series for two of their quantiles.
 */
export function select(a: number[], k: number, length = a.length): number {
  let left = 0;
  let right = length - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // median of a[left], a[mid], a[right] as the pivot
    let x = a[left]!;
    let y = a[mid]!;
    const z = a[right]!;
    if (x > y) [x, y] = [y, x];
    const pivot = z < x ? x : z > y ? y : z;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The error model learned from backtest points, or null when there are too few. */
export function errorModel(points: BacktestPoint[], kind: ErrorModel['kind']): ErrorModel | null {
  return new ErrorSample(points, kind).model();
}

/**
 * A backtest's errors, computed once, from which error models are learned: from all of them, or
 * from all but one origin's (the cross-conformal ranges of the backtest itself).
 */
export class ErrorSample {
  readonly kind: ErrorModel['kind'];
  private readonly errors: number[];
  private readonly steps: number[];
  private readonly origins: number[];
  /** log(k) by step k. */
  private readonly logs: number[];
  /** Scratch, by step: sum of absolute errors, count, log of the mean, step^growth. */
  private readonly sums: number[];
  private readonly counts: number[];
  private readonly logMeans: number[];
  private readonly powers: number[];
  /** Scratch: the steps in the order they first appear; the scaled errors. */
  private readonly seen: number[];
  private readonly z: number[];

  constructor(points: BacktestPoint[], kind: ErrorModel['kind']) {
    this.kind = kind;
    const n = points.length;
    // doubles for the values, small integers for the steps, origins and counts
    this.errors = doubles(n);
    this.steps = new Array<number>(n).fill(0);
    this.origins = new Array<number>(n).fill(0);
    let maxStep = 0;
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      this.errors[i] = errorOf(p, kind);
      this.steps[i] = p.step;
      this.origins[i] = p.origin;
      maxStep = Math.max(maxStep, p.step);
    }
    this.logs = doubles(maxStep + 1);
    for (let k = 0; k <= maxStep; k++) this.logs[k] = Math.log(k);
    this.sums = doubles(maxStep + 1);
    this.counts = new Array<number>(maxStep + 1).fill(0);
    this.logMeans = doubles(maxStep + 1);
    this.powers = doubles(maxStep + 1);
    this.seen = new Array<number>(maxStep + 1).fill(0);
    this.z = doubles(n);
  }

  /** The model from every error but those of the origin `skip` (null: every error). */
  model(skip: number | null = null): ErrorModel | null {
    const { errors, steps, origins, logs, sums, counts, logMeans, powers, seen, z, kind } = this;
    const total = errors.length;
    const without = skip ?? Number.NaN;
    let count = 0;
    for (let i = 0; i < total; i++) if (origins[i] !== without) count++;
    if (count < MIN_ERRORS) return null;
    // Mean absolute error per step, then the least-squares line log(mae_k) = log(scale) + growth
    // log(k), weighted by how many errors each step has (steps in the order they first appear).
    sums.fill(0);
    counts.fill(0);
    let distinct = 0;
    for (let i = 0; i < total; i++) {
      if (origins[i] === without) continue;
      const k = steps[i]!;
      if (counts[k] === 0) seen[distinct++] = k;
      sums[k] = sums[k]! + Math.abs(errors[i]!);
      counts[k] = counts[k]! + 1;
    }
    let w = 0;
    let mx = 0;
    let my = 0;
    for (let j = 0; j < distinct; j++) {
      const k = seen[j]!;
      if (!(sums[k]! > 0)) continue;
      const c = counts[k]!;
      logMeans[k] = Math.log(sums[k]! / c);
      w += c;
      mx += c * logs[k]!;
      my += c * logMeans[k];
    }
    if (w === 0) return { kind, scale: 0, growth: 0, lo: 0, hi: 0, count };
    mx /= w;
    my /= w;
    let sxx = 0;
    let sxy = 0;
    for (let j = 0; j < distinct; j++) {
      const k = seen[j]!;
      if (!(sums[k]! > 0)) continue;
      const c = counts[k]!;
      sxx += c * (logs[k]! - mx) ** 2;
      sxy += c * (logs[k]! - mx) * (logMeans[k]! - my);
    }
    const growth = sxx > 1e-12 ? Math.min(1, Math.max(0, sxy / sxx)) : 0.5;
    const scale = Math.exp(my - growth * mx);
    // k^growth, as exp(growth log k): Math.pow costs several times more
    for (let j = 0; j < distinct; j++) powers[seen[j]!] = Math.exp(growth * logs[seen[j]!]!);
    let at = 0;
    for (let i = 0; i < total; i++)
      if (origins[i] !== without) z[at++] = errors[i]! / (scale * powers[steps[i]!]!);
    const n = count;
    // Conformal ranks: the ceil((n + 1) * 0.9)-th smallest as the upper quantile, the
    // floor((n + 1) * 0.1)-th as the lower one.
    const upper = select(z, Math.min(n - 1, Math.ceil((n + 1) * 0.9) - 1), n);
    const lower = select(z, Math.max(0, Math.floor((n + 1) * 0.1) - 1), n);
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
}

/** The error scale k steps ahead (k from 1). */
export const sigmaAt = (model: ErrorModel, k: number): number =>
  model.scale * Math.exp(model.growth * Math.log(k));

/** P10 and P90 around `p50` (steps 1..p50.length after the origin); P10 never below 0. */
export function bands(p50: number[], model: ErrorModel): { p10: number[]; p90: number[] } {
  const p10 = doubles(p50.length);
  const p90 = doubles(p50.length);
  for (let i = 0; i < p50.length; i++) {
    const v = p50[i]!;
    const s = sigmaAt(model, i + 1);
    if (model.kind === 'relative') {
      p10[i] = v * Math.exp(model.lo * s);
      p90[i] = v * Math.exp(model.hi * s);
    } else {
      p10[i] = Math.max(0, v + model.lo * s);
      p90[i] = v + model.hi * s;
    }
  }
  return { p10, p90 };
}
