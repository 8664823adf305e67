/**
 * Automatic forecasting of one monthly series.
 *
 * - The P50 is the equal-weight mean of a fixed pool of methods: simple exponential smoothing and
 *   the damped trend (both on the seasonally adjusted series when the season tests significant:
 *   X-11's stable-seasonality F test at 0.1 %),
 *   Theta, and Holt-Winters multiplicative (additive when the series has zeros) once there are two
 *   seasons and a quarter, plus the seasonal naive method while the history is too short to test
 *   for a season; Croston, SBA and SES for intermittent demand (30 % zeros or more). Combining is
 *   robust where picking by a short backtest is noisy.
 * - A single method replaces the mean only when the backtest evidence is strong: it beats the
 *   mean at every rolling origin (four at least) and by a fifth or more overall.
 * - P10 and P90 come from the backtest errors per horizon step (split-conformal, see
 *   intervals.ts); when the history is too short to backtest, from the one-step residuals grown
 *   with the horizon by the method's own formula.
 */
import { doubles } from './arrays.js';
import { bands, ErrorSample, relativeErrors, type BacktestPoint, type ErrorModel } from './intervals.js';
import { bias, mape, mase, smape, wmape } from './metrics.js';
import {
  croston,
  deseasonalize,
  holtDamped,
  holtWinters,
  reseasoned,
  seasonalNaive,
  ses,
  thetaOn,
  type Fit,
  type MethodName,
} from './methods.js';

/** What `method` may force: one method, the pool's mean, or the automatic choice. */
export const METHOD_CHOICES = ['auto', 'combination'] as const;
export type MethodChoice = MethodName | (typeof METHOD_CHOICES)[number];

export interface ForecastOptions {
  horizon: number;
  /** Season length (12 for monthly data). */
  season?: number;
  /** Rolling origins in the backtest (default 8), spread over the whole history. */
  origins?: number;
  /** Force one method, or the pool's mean; 'auto' (the default) may pick one on strong evidence. */
  method?: MethodChoice;
}

export interface Accuracy {
  mape: number;
  wmape: number;
  smape: number;
  mase: number;
  bias: number;
  /** Share (%) of backtest actuals inside their P10-P90, when the ranges are known. */
  coverage?: number;
}

export interface SeriesForecast {
  method: MethodName | 'combination';
  /** The methods whose forecasts were averaged (one for a single method). */
  members: MethodName[];
  /** Each member's weight in the P50 (they sum to 1); always set by forecastSeries. */
  weights?: number[];
  p10: number[];
  p50: number[];
  p90: number[];
  /**
   * Where P10/P90 came from: the backtest errors per step, or the model's one-step residuals;
   * always set by forecastSeries.
   */
  ranges?: 'backtest' | 'model';
  /** Backtest accuracy of the chosen method (NaN fields when the history is too short to test). */
  accuracy: Accuracy;
  /**
   * The backtest's actuals and forecasts, kept so accuracy can be totalled over many series;
   * with each forecast's P10/P90 from the errors at the other origins, when there are enough.
   */
  backtest: { actual: number[]; forecast: number[]; p10?: number[]; p90?: number[] };
}

const Z90 = 1.2815515655446004;
/** Share of zero months from which a series counts as intermittent. */
const INTERMITTENT = 0.3;
/** The shortest training window a backtest origin may leave. */
const MIN_TRAIN = 12;

/**
 * One training window, seasonally adjusted once for all the methods fitted on it; SES on the
 * adjusted series is fitted once too (SES and Theta both use it).
 */
interface Window {
  y: number[];
  adjusted: number[];
  indices: number[] | null;
  m: number;
  ses?: ReturnType<typeof ses>;
}

const windowOf = (y: number[], m: number): Window => ({ y, m, ...deseasonalize(y, m) });
const sesOn = (w: Window) => (w.ses ??= ses(w.adjusted));

/** Can `method` be fitted on `n` points (`positive`: all of them above zero)? */
function fits(method: MethodName, n: number, m: number, positive: boolean): boolean {
  switch (method) {
    case 'holt-winters-multiplicative':
      return n >= 2 * m + 3 && positive;
    case 'holt-winters-additive':
      return n >= 2 * m + 3;
    case 'holt-damped':
      return n >= 6;
    default:
      return n >= 1;
  }
}

/** Fits `method` on the window; the seasonal-free methods work on the adjusted series. */
function fitOn(method: MethodName, w: Window): Fit {
  const n = w.y.length;
  switch (method) {
    case 'seasonal-naive':
      return seasonalNaive(w.y, w.m);
    case 'ses':
      return reseasoned(sesOn(w), w.indices, n, w.m);
    case 'holt-damped':
      return reseasoned(holtDamped(w.adjusted), w.indices, n, w.m);
    case 'holt-winters-additive':
      return holtWinters(w.y, w.m, false);
    case 'holt-winters-multiplicative':
      return holtWinters(w.y, w.m, true);
    case 'theta':
      // theta(w.y, w.m, 'stable'), its season test and SES fit shared with the window
      return thetaOn(w.adjusted, w.indices, w.m, sesOn(w));
    case 'croston':
    case 'sba':
      return croston(w.y, method);
  }
}

/**
 * The pool for a history: the methods averaged by default. A forced method that cannot be
 * fitted on this history falls back to the damped trend (or SES when that cannot either).
 */
export function poolFor(y: number[], m: number, method: MethodChoice = 'auto'): MethodName[] {
  const n = y.length;
  const positive = y.every((v) => v > 0);
  if (method !== 'auto' && method !== 'combination') {
    if (fits(method, n, m, positive)) return [method];
    return [fits('holt-damped', n, m, positive) ? 'holt-damped' : 'ses'];
  }
  const zeros = y.filter((v) => v === 0).length / Math.max(1, n);
  if (zeros >= INTERMITTENT) return ['croston', 'sba', 'ses'];
  const pool: MethodName[] = ['ses', 'theta'];
  if (fits('holt-damped', n, m, positive)) pool.push('holt-damped');
  if (fits('holt-winters-multiplicative', n, m, positive)) pool.push('holt-winters-multiplicative');
  else if (fits('holt-winters-additive', n, m, positive)) pool.push('holt-winters-additive');
  // Too short to test for a season (one to two seasons): last year's pattern as one member.
  if (m >= 2 && n >= m && n <= 2 * m) pool.push('seasonal-naive');
  return pool;
}

/**
 * The ends (exclusive) of the training windows of the rolling-origin backtest, latest first:
 * `origins` of them spread evenly over the whole history, the earliest leaving MIN_TRAIN points
 * to fit on. Spreading them over the history (rather than over its last months only) lets the
 * errors see more than one stretch of the series' life.
 */
export function backtestOrigins(n: number, origins = 8): number[] {
  const reach = n - MIN_TRAIN;
  if (reach < 1) return [];
  const ends = new Set<number>();
  for (let j = 1; j <= origins; j++) ends.add(n - Math.max(1, Math.round((j * reach) / origins)));
  return [...ends];
}

export function accuracyOf(actual: number[], forecast: number[], history: number[], m: number): Accuracy {
  return {
    mape: mape(actual, forecast),
    wmape: wmape(actual, forecast),
    smape: smape(actual, forecast),
    mase: mase(actual, forecast, history, m),
    bias: bias(actual, forecast),
  };
}

/** Share (%) of actuals inside [p10, p90]; NaN when there are none. */
export function coverage(actual: number[], p10: number[], p90: number[]): number {
  if (!actual.length) return Number.NaN;
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i]! >= p10[i]! && actual[i]! <= p90[i]!) inside++;
  return (100 * inside) / actual.length;
}

/** `f` with its negative values raised to 0 (in place: the methods' forecasts are fresh arrays). */
function nonNegative(f: number[]): number[] {
  for (let k = 0; k < f.length; k++) f[k] = Math.max(0, f[k]!);
  return f;
}

/** One origin of the backtest: its actuals and each pool member's forecast (null: not fitted). */
interface Run {
  end: number;
  actual: number[];
  byMember: (number[] | null)[];
}

/** The pool refitted on the first `end` months, forecasting as far as the history goes (up to h). */
function backtestRun(y: number[], end: number, m: number, h: number, pool: MethodName[]): Run {
  const train = y.slice(0, end);
  const w = windowOf(train, m);
  let positive = true;
  for (let t = 0; t < end; t++) if (!(train[t]! > 0)) positive = false;
  const steps = Math.min(h, y.length - end);
  const byMember: (number[] | null)[] = [];
  for (const method of pool)
    byMember.push(fits(method, end, m, positive) ? nonNegative(fitOn(method, w).forecast(steps)) : null);
  return { end, actual: y.slice(end, end + steps), byMember };
}

/** The forecasts' mean step by step (those fitted: not null). */
function meanOf(forecasts: (number[] | null)[]): number[] {
  let count = 0;
  let first: number[] | null = null;
  for (const f of forecasts)
    if (f) {
      count++;
      first ??= f;
    }
  const out = doubles(first!.length);
  for (let k = 0; k < out.length; k++) {
    let s = 0;
    for (const f of forecasts) if (f) s += f[k]!;
    out[k] = s / count;
  }
  return out;
}

/** Total absolute error of `forecast` against `actual`. */
function absoluteError(actual: number[], forecast: number[]): number {
  let s = 0;
  for (let k = 0; k < actual.length; k++) s += Math.abs(actual[k]! - forecast[k]!);
  return s;
}

/**
 * The pool members whose mean makes the forecast: all of them, or a single one that beats their
 * mean at every origin where it could be fitted (four at least) and by a fifth or more overall.
 */
function chosenMembers(poolSize: number, runs: Run[]): number[] {
  const combined: number[] = [];
  for (const r of runs) combined.push(absoluteError(r.actual, meanOf(r.byMember)));
  let best = -1;
  let bestRatio = Infinity;
  for (let i = 0; i < poolSize; i++) {
    let origins = 0;
    let errors = 0;
    let mean = 0;
    let beats = true;
    for (let o = 0; o < runs.length; o++) {
      const f = runs[o]!.byMember[i];
      if (!f) continue;
      origins++;
      const e = absoluteError(runs[o]!.actual, f);
      errors += e;
      mean += combined[o]!;
      if (!(e < combined[o]!)) beats = false;
    }
    if (origins < 4) continue;
    const ratio = errors / mean;
    if (beats && ratio <= 0.8 && ratio < bestRatio) {
      best = i;
      bestRatio = ratio;
    }
  }
  return best >= 0 ? [best] : everyMember(poolSize);
}

/** 0, 1, ..., n - 1. */
function everyMember(n: number): number[] {
  const all: number[] = [];
  for (let i = 0; i < n; i++) all.push(i);
  return all;
}

export function forecastSeries(history: number[], opts: ForecastOptions): SeriesForecast {
  const m = opts.season ?? 12;
  const h = opts.horizon;
  const y = doubles(history.length);
  for (let t = 0; t < y.length; t++) {
    const v = history[t]!;
    y[t] = Number.isFinite(v) ? Math.max(0, v) : 0;
  }
  if (y.length === 0) {
    const zeros = Array<number>(h).fill(0);
    return {
      method: 'seasonal-naive',
      members: [],
      weights: [],
      p10: zeros,
      p50: zeros,
      p90: zeros,
      ranges: 'model',
      accuracy: accuracyOf([], [], [], m),
      backtest: { actual: [], forecast: [] },
    };
  }
  const choice = opts.method ?? 'auto';
  const pool = poolFor(y, m, choice);
  const n = y.length;

  // Rolling-origin backtest: every member refitted on each training window, forecasting as far
  // as the history goes (up to the horizon). A member that cannot be fitted on a short window
  // is left out of the mean there.
  const ends = backtestOrigins(n, opts.origins ?? 8);
  const runs: Run[] = [];
  for (const end of ends) runs.push(backtestRun(y, end, m, h, pool));

  // A single member instead of the mean: only on strong evidence (see the header).
  const members =
    choice === 'auto' && pool.length > 1 ? chosenMembers(pool.length, runs) : everyMember(pool.length);

  // The backtest of the chosen forecaster, point by point.
  const points: BacktestPoint[] = [];
  for (const r of runs) {
    const chosen: (number[] | null)[] = [];
    let fitted = false;
    for (const i of members) {
      chosen.push(r.byMember[i] ?? null);
      if (r.byMember[i]) fitted = true;
    }
    if (!fitted) continue;
    const f = meanOf(chosen);
    for (let k = 0; k < r.actual.length; k++)
      points.push({ origin: r.end, step: k + 1, actual: r.actual[k]!, forecast: f[k]! });
  }

  // The final forecast: the chosen members refitted on the whole history.
  const whole = windowOf(y, m);
  const finals: Fit[] = [];
  const forecasts: number[][] = [];
  for (const i of members) {
    const fit = fitOn(pool[i]!, whole);
    finals.push(fit);
    forecasts.push(nonNegative(fit.forecast(h)));
  }
  const p50 = meanOf(forecasts);

  const kind: ErrorModel['kind'] = relativeErrors(points) ? 'relative' : 'absolute';
  const sample = new ErrorSample(points, kind);
  const model = sample.model();
  let p10: number[];
  let p90: number[];
  if (model) {
    ({ p10, p90 } = bands(p50, model));
  } else {
    // Too short to backtest: the first member's one-step residuals, grown by its own formula.
    const resid = finals[0]!.residuals.filter(Number.isFinite);
    const sigma = resid.length ? Math.sqrt(resid.reduce((s, e) => s + e * e, 0) / resid.length) : 0;
    const spread = finals[0]!.spread(h);
    p10 = doubles(h);
    p90 = doubles(h);
    for (let k = 0; k < h; k++) {
      p10[k] = Math.max(0, p50[k]! - Z90 * sigma * spread[k]!);
      p90[k] = p50[k]! + Z90 * sigma * spread[k]!;
    }
  }
  for (let k = 0; k < h; k++) {
    p10[k] = Math.min(p10[k]!, p50[k]!);
    p90[k] = Math.max(p90[k]!, p50[k]!);
  }

  // Each backtest forecast's range from the errors at the other origins (cross-conformal), so the
  // backtest's coverage is not measured on the errors that made the ranges.
  const lo = doubles(points.length);
  const hi = doubles(points.length);
  // the points with a range (all of them, unless an origin's others are too few)
  let from = 0;
  if (model) {
    // the points come origin by origin, in the order of `ends`
    for (const end of ends) {
      let to = from;
      while (to < points.length && points[to]!.origin === end) to++;
      const others = sample.model(end);
      if (!others) break;
      const own = doubles(to - from);
      for (let i = from; i < to; i++) own[i - from] = points[i]!.forecast;
      const b = bands(own, others);
      for (let k = 0; k < own.length; k++) {
        lo[from + k] = b.p10[k]!;
        hi[from + k] = b.p90[k]!;
      }
      from = to;
    }
  }
  const ranged = from === points.length && points.length > 0;
  // The accuracy counts the origins with history enough for the whole pool (the forecaster that
  // made the P50), or every origin when none has; the ranges learned from all of them.
  const enough = Math.min(2 * m + 3, Math.max(...ends, 0));
  const kept: number[] = [];
  for (let i = 0; i < points.length; i++) if (points[i]!.origin >= enough) kept.push(i);
  const actual = doubles(kept.length);
  const forecast = doubles(kept.length);
  kept.forEach((i, j) => {
    actual[j] = points[i]!.actual;
    forecast[j] = points[i]!.forecast;
  });
  const backtest: SeriesForecast['backtest'] = { actual, forecast };
  const accuracy = accuracyOf(actual, forecast, y, m);
  if (ranged) {
    backtest.p10 = doubles(kept.length);
    backtest.p90 = doubles(kept.length);
    kept.forEach((i, j) => {
      backtest.p10![j] = lo[i]!;
      backtest.p90![j] = hi[i]!;
    });
    accuracy.coverage = coverage(actual, backtest.p10, backtest.p90);
  }

  const single = members.length === 1;
  // read whether or not it is used: a read first made at the 250th series cost a deoptimisation
  const first = pool[members[0]!]!;
  return {
    method: single ? first : 'combination',
    members: members.map((i) => pool[i]!),
    weights: members.map(() => 1 / members.length),
    p10,
    p50,
    p90,
    ranges: model ? 'backtest' : 'model',
    accuracy,
    backtest,
  };
}
