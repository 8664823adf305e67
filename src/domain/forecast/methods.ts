/**
 * Statistical forecasting methods for monthly demand, each fitted by minimising the in-sample
 * one-step squared error. Every fit returns its point forecast, its one-step residuals and how its
 * forecast uncertainty grows with the horizon (a multiplier of the one-step standard deviation).
 * Pure and deterministic.
 */
import { doubles } from './arrays.js';
import { nelderMead } from './optimize.js';

export const METHODS = [
  'seasonal-naive',
  'ses',
  'holt-damped',
  'holt-winters-additive',
  'holt-winters-multiplicative',
  'theta',
  'croston',
  'sba',
] as const;
export type MethodName = (typeof METHODS)[number];

export interface Fit {
  method: MethodName;
  /** Point forecasts for steps 1..h. */
  forecast: (h: number) => number[];
  /** In-sample one-step errors (actual - fitted) where the method makes a one-step forecast. */
  residuals: number[];
  /** sd(step k) / sd(step 1), for k = 1..h. */
  spread: (h: number) => number[];
}

/**
 * The optimiser stops once its simplex spans less than this in every smoothing parameter (they
 * live in [0, 1]): a thousandth of their range moves a forecast by far less than its error, and
 * where the objective is flat (a long valley, an optimum on a bound) Nelder-Mead would otherwise
 * spend its whole budget crawling.
 */
const XTOL = 1e-3;

function sum(a: readonly number[], from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}
const mean = (a: readonly number[]) => (a.length ? sum(a) / a.length : 0);

export function seasonalNaive(y: number[], m: number): Fit {
  const season = y.length >= m ? m : 1;
  const residuals: number[] = [];
  for (let t = season; t < y.length; t++) residuals.push(y[t]! - y[t - season]!);
  return {
    method: 'seasonal-naive',
    residuals,
    forecast: (h) => {
      const out = doubles(h);
      for (let k = 0; k < h; k++) out[k] = y[y.length - season + (k % season)]!;
      return out;
    },
    spread: (h) => Array.from({ length: h }, (_, k) => Math.sqrt(Math.floor(k / season) + 1)),
  };
}

function sesRun(y: number[], alpha: number): { level: number; residuals: number[] } {
  let level = y[0]!;
  const residuals = new Array<number>(Math.max(0, y.length - 1));
  for (let t = 1; t < y.length; t++) {
    const e = y[t]! - level;
    residuals[t - 1] = e;
    level += alpha * e;
  }
  return { level, residuals };
}

/** sesRun's squared error, without keeping the residuals (the optimiser's objective). */
function sesSse(y: readonly number[], alpha: number): number {
  let level = y[0]!;
  let s = 0;
  for (let t = 1; t < y.length; t++) {
    const e = y[t]! - level;
    s += e * e;
    level += alpha * e;
  }
  return s;
}

export function ses(y: number[], alpha?: number): Fit & { alpha: number; level: number } {
  const a =
    alpha ??
    nelderMead(
      (x, out) => {
        out[0] = sesSse(y, x[0]!);
      },
      [0.3],
      { lo: 0.01, hi: 0.99 },
      { maxEvals: 60, xtol: XTOL },
    ).x[0]!;
  const { level, residuals } = sesRun(y, a);
  return {
    method: 'ses',
    alpha: a,
    level,
    residuals,
    forecast: (h) => doubles(h, level),
    spread: (h) => Array.from({ length: h }, (_, k) => Math.sqrt(1 + k * a * a)),
  };
}

function holtRun(y: number[], a: number, b: number, phi: number, level0: number, trend0: number) {
  let level = level0;
  let trend = trend0;
  const residuals = new Array<number>(y.length);
  for (let t = 0; t < y.length; t++) {
    const fitted = level + phi * trend;
    const e = y[t]! - fitted;
    residuals[t] = e;
    level = fitted + a * e;
    trend = phi * trend + a * b * e;
  }
  return { level, trend, residuals };
}

/** holtRun's squared error, without keeping the residuals (the optimiser's objective). */
function holtSse(
  y: readonly number[],
  a: number,
  b: number,
  phi: number,
  level0: number,
  trend0: number,
): number {
  // The recursion of holtRun rearranged for a shorter chain of dependent operations per step
  // (the same values up to rounding): u = phi * trend is carried instead of the trend, and the
  // level is a weighted mean of the fit and the actual.
  let level = level0;
  let u = phi * trend0;
  const phiAb = phi * a * b;
  const a1 = 1 - a;
  let s = 0;
  for (let t = 0; t < y.length; t++) {
    const v = y[t]!;
    const fitted = level + u;
    const e = v - fitted;
    s += e * e;
    level = a1 * fitted + a * v;
    u = phi * u + phiAb * e;
  }
  return s;
}

/** Least-squares line through the first `n` points of `y` against t = 0, 1, ...: intercept and slope. */
export function line(y: readonly number[], n = y.length): { intercept: number; slope: number } {
  const tMean = (n - 1) / 2;
  const yMean = n ? sum(y, 0, n) / n : 0;
  let num = 0;
  let den = 0;
  for (let t = 0; t < n; t++) {
    num += (t - tMean) * (y[t]! - yMean);
    den += (t - tMean) ** 2;
  }
  const slope = den ? num / den : 0;
  return { intercept: yMean - slope * tMean, slope };
}

/** Damping factors the damped trend may take (as in the literature's usual range). */
export const PHI = { lo: 0.8, hi: 0.98 } as const;

/**
 * Additive damped trend (ETS(A,Ad,N)): level and trend start from a line through the first ten
 * points; alpha, beta and the damping factor phi (within PHI) minimise the one-step squared error.
 */
export function holtDamped(y: number[]): Fit & { phi: number } {
  const start = line(y, Math.min(y.length, 10));
  const level0 = start.intercept - start.slope;
  const phiOf = (p: number) => PHI.lo + (PHI.hi - PHI.lo) * p;
  const { x } = nelderMead(
    (p, out) => {
      out[0] = holtSse(y, p[0]!, p[1]!, phiOf(p[2]!), level0, start.slope);
    },
    [0.3, 0.1, 0.5],
    { lo: 0.0001, hi: 0.9999 },
    { maxEvals: 150, xtol: XTOL },
  );
  const [a, b] = x as [number, number];
  const phi = phiOf(x[2]!);
  const { level, trend, residuals } = holtRun(y, a, b, phi, level0, start.slope);
  return {
    method: 'holt-damped',
    phi,
    residuals,
    forecast: (h) => {
      const out = doubles(h);
      // damp = phi + phi^2 + ... + phi^k
      let power = 1;
      let damp = 0;
      for (let k = 0; k < h; k++) {
        power *= phi;
        damp += power;
        out[k] = level + damp * trend;
      }
      return out;
    },
    spread: (h) => {
      const out: number[] = [];
      let v = 0;
      let power = 1;
      let d = 0;
      for (let k = 1; k <= h; k++) {
        out.push(Math.sqrt(1 + v));
        // variance of ETS(A,Ad,N) grows by (alpha * (1 + beta * sum_{j <= k} phi^j))^2 per step
        power *= phi;
        d += power;
        v += (a * (1 + b * d)) ** 2;
      }
      return out;
    },
  };
}

/** Holt-Winters' start: level and trend from the first two seasons, seasonal terms around them. */
function hwStart(y: readonly number[], m: number, multiplicative: boolean) {
  const first = sum(y, 0, m) / m;
  const level = first;
  const trend = (sum(y, m, 2 * m) / m - first) / m;
  // Seasonal start values from the first two seasons with the straight-line trend taken out.
  const line = (t: number) => level + trend * (t - (m - 1) / 2);
  const seasonal = doubles(m);
  for (let i = 0; i < m; i++) {
    const a = multiplicative ? y[i]! / line(i) : y[i]! - line(i);
    const b = multiplicative ? y[i + m]! / line(i + m) : y[i + m]! - line(i + m);
    seasonal[i] = (a + b) / 2;
  }
  // the level at the end of the first season
  return { level: line(m - 1), trend, seasonal };
}

/** Holt-Winters' damping factor (a light, fixed damping of the trend). */
const HW_PHI = 0.98;

function hwRun(y: number[], m: number, a: number, b: number, g: number, multiplicative: boolean) {
  const start = hwStart(y, m, multiplicative);
  let { level, trend } = start;
  const seasonal = start.seasonal;
  const phi = HW_PHI;
  const residuals = new Array<number>(Math.max(0, y.length - m));
  for (let t = m; t < y.length; t++) {
    const s = seasonal[t % m]!;
    const base = level + phi * trend;
    const fitted = multiplicative ? base * s : base + s;
    const e = y[t]! - fitted;
    residuals[t - m] = e;
    const newLevel = multiplicative ? a * (y[t]! / s) + (1 - a) * base : a * (y[t]! - s) + (1 - a) * base;
    trend = b * (newLevel - level) + (1 - b) * phi * trend;
    seasonal[t % m] = multiplicative ? g * (y[t]! / base) + (1 - g) * s : g * (y[t]! - base) + (1 - g) * s;
    level = newLevel;
  }
  return { level, trend, seasonal, residuals, phi, n: y.length };
}

/**
 * hwRun's squared error, without keeping the residuals (the optimiser's objective), from a start
 * computed once, written to out[0]; `seasonal` is scratch space for the seasonal terms.
 * Non-finite when a residual is.
 */
function hwSse(
  y: readonly number[],
  m: number,
  a: number,
  b: number,
  g: number,
  multiplicative: boolean,
  level0: number,
  trend0: number,
  seasonal0: readonly number[],
  seasonal: number[],
  out: Float64Array,
): void {
  for (let i = 0; i < m; i++) seasonal[i] = seasonal0[i]!;
  let level = level0;
  let trend = trend0;
  const phi = HW_PHI;
  const a1 = 1 - a;
  const g1 = 1 - g;
  const bphi = (1 - b) * phi;
  let s2 = 0;
  let i = 0;
  if (multiplicative) {
    for (let t = m; t < y.length; t++) {
      const s = seasonal[i]!;
      const base = level + phi * trend;
      const v = y[t]!;
      const e = v - base * s;
      s2 += e * e;
      const newLevel = a * (v / s) + a1 * base;
      trend = b * (newLevel - level) + bphi * trend;
      seasonal[i] = g * (v / base) + g1 * s;
      level = newLevel;
      if (++i === m) i = 0;
    }
  } else {
    for (let t = m; t < y.length; t++) {
      const s = seasonal[i]!;
      const base = level + phi * trend;
      const v = y[t]!;
      const e = v - (base + s);
      s2 += e * e;
      const newLevel = a * (v - s) + a1 * base;
      trend = b * (newLevel - level) + bphi * trend;
      seasonal[i] = g * (v - base) + g1 * s;
      level = newLevel;
      if (++i === m) i = 0;
    }
  }
  out[0] = s2;
}

export function holtWinters(y: number[], m: number, multiplicative: boolean): Fit {
  const start = hwStart(y, m, multiplicative);
  const seasonal0 = start.seasonal;
  const scratch = seasonal0.slice();
  const objective = (p: readonly number[], out: Float64Array) => {
    hwSse(y, m, p[0]!, p[1]!, p[2]!, multiplicative, start.level, start.trend, seasonal0, scratch, out);
  };
  const { x } = nelderMead(objective, [0.3, 0.05, 0.1], { lo: 0.01, hi: 0.99 }, { maxEvals: 90, xtol: XTOL });
  const [a, b, g] = x as [number, number, number];
  const run = hwRun(y, m, a, b, g, multiplicative);
  return {
    method: multiplicative ? 'holt-winters-multiplicative' : 'holt-winters-additive',
    residuals: run.residuals,
    forecast: (h) => {
      const out = doubles(h);
      let power = 1;
      let damp = 0;
      for (let k = 1; k <= h; k++) {
        power *= run.phi;
        damp += power;
        const s = run.seasonal[(run.n + k - 1) % m]!;
        const base = run.level + damp * run.trend;
        out[k - 1] = multiplicative ? base * s : base + s;
      }
      return out;
    },
    spread: (h) =>
      Array.from({ length: h }, (_, k) =>
        Math.sqrt(1 + k * a * a * (1 + b) ** 2 + Math.floor(k / m) * g * g),
      ),
  };
}

/**
 * The series over its centred 2xm moving average, by time (NaN where there is no ratio: the
 * average's ends, or an average of 0). Position t belongs to group t % m of the season.
 */
function seasonalRatios(y: readonly number[], m: number): number[] {
  const ratios = new Array<number>(y.length).fill(Number.NaN);
  const half = m / 2;
  const reach = Math.floor(half);
  // the moving average's weights, j = -reach..reach: the two ends halved when m is even
  const weights = Array.from({ length: 2 * reach + 1 }, (_, i) =>
    m % 2 === 0 && Math.abs(i - reach) === half ? 0.5 : 1,
  );
  for (let t = Math.ceil(half); t < y.length - Math.ceil(half); t++) {
    let s = 0;
    for (let j = -reach; j <= reach; j++) s += weights[j + reach]! * y[t + j]!;
    const ma = s / m;
    if (ma > 0) ratios[t] = y[t]! / ma;
  }
  return ratios;
}

/**
 * The ratios' count and mean by group of the season (NaN for an empty group), each group's
 * ratios taken in time order.
 */
function groupMeans(ratios: readonly number[], m: number): { counts: number[]; means: number[] } {
  const counts = new Array<number>(m).fill(0);
  const means = new Array<number>(m).fill(0);
  for (let g = 0; g < m; g++) {
    let s = 0;
    for (let t = g; t < ratios.length; t += m) {
      const r = ratios[t]!;
      if (r === r) {
        s += r;
        counts[g] = counts[g]! + 1;
      }
    }
    means[g] = counts[g] ? s / counts[g]! : Number.NaN;
  }
  return { counts, means };
}

/** Classical multiplicative seasonal indices from a centred 2x12 moving average (mean 1). */
export function seasonalIndices(y: number[], m: number, ratios = seasonalRatios(y, m)): number[] {
  const { counts, means } = groupMeans(ratios, m);
  const raw = doubles(m);
  for (let g = 0; g < m; g++) raw[g] = counts[g] ? means[g]! : 1;
  const norm = mean(raw);
  const indices = doubles(m);
  for (let g = 0; g < m; g++) indices[g] = raw[g]! / norm;
  return indices;
}

/** Continued fraction for the incomplete beta function (Numerical Recipes' betacf). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let k = 1; k <= 200; k++) {
    const k2 = 2 * k;
    let aa = (k * (b - k) * x) / ((a + k2 - 1) * (a + k2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + k) * (a + b + k) * x) / ((a + k2) * (a + k2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) break;
  }
  return h;
}

/** The coefficients of the Lanczos approximation (g = 7). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Gamma (Lanczos, g = 7). */
function logGamma(z: number): number {
  const c = LANCZOS;
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(F > f) for an F distribution with d1 and d2 degrees of freedom. */
export function fTail(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return 1 - incompleteBeta((d1 * f) / (d1 * f + d2), d1 / 2, d2 / 2);
}

/**
 * The stable-seasonality test of X-11: a one-way analysis of variance of the series' ratios to
 * its centred moving average by position in the season, significant at `alpha`. Far more
 * powerful than the autocorrelation test on two or three seasons of a smooth seasonal pattern.
 */
export function stableSeasonality(y: number[], m: number, alpha = 0.001, ratios?: number[]): boolean {
  if (m < 2 || y.length <= 2 * m) return false;
  const r = ratios ?? seasonalRatios(y, m);
  const { counts, means } = groupMeans(r, m);
  // k groups with ratios, n ratios in all; their grand mean summed group by group
  let k = 0;
  let n = 0;
  let total = 0;
  for (let g = 0; g < m; g++) {
    if (!counts[g]) continue;
    k++;
    n += counts[g]!;
    for (let t = g; t < r.length; t += m) if (r[t] === r[t]) total += r[t]!;
  }
  if (k < 2 || n - k < 1) return false;
  const grand = total / n;
  let between = 0;
  let within = 0;
  for (let g = 0; g < m; g++) {
    if (!counts[g]) continue;
    const gm = means[g]!;
    between += counts[g]! * (gm - grand) ** 2;
    let w = 0;
    for (let t = g; t < r.length; t += m) if (r[t] === r[t]) w += (r[t]! - gm) ** 2;
    within += w;
  }
  if (within <= 0) return between > 0;
  const f = between / (k - 1) / (within / (n - k));
  return fTail(f, k - 1, n - k) < alpha;
}

/**
 * Is there seasonality at lag m? (autocorrelation test at 90 %, as in the M3 Theta method; needs
 * more than two seasons of history.)
 */
export function isSeasonal(y: number[], m: number): boolean {
  const n = y.length;
  if (m < 2 || n <= 2 * m) return false;
  const mu = mean(y);
  const acf = (k: number) => {
    let num = 0;
    for (let t = k; t < n; t++) num += (y[t]! - mu) * (y[t - k]! - mu);
    return num / y.reduce((s, v) => s + (v - mu) ** 2, 0);
  };
  const r = Array.from({ length: m }, (_, i) => acf(i + 1));
  const limit = 1.645 * Math.sqrt((1 + 2 * sum(r.slice(0, m - 1).map((v) => v * v))) / n);
  return Math.abs(r[m - 1]!) > limit;
}

/**
 * The series with its seasonality taken out by classical multiplicative indices, when it has any:
 * more than two seasons, every value positive, and the season significant by `test`: the
 * stable-seasonality F test at 0.1 % (X-11's; the default), or the autocorrelation test of the
 * M3 Theta method ('acf', weak on two or three seasons of a smooth pattern).
 */
export function deseasonalize(
  y: number[],
  m: number,
  test: 'stable' | 'acf' = 'stable',
): { adjusted: number[]; indices: number[] | null } {
  if (m < 2 || !y.every((v) => v > 0)) return { adjusted: y, indices: null };
  // the ratios to the moving average, computed once for the test and the indices
  const ratios = y.length > 2 * m ? seasonalRatios(y, m) : undefined;
  if (!(test === 'acf' ? isSeasonal(y, m) : stableSeasonality(y, m, 0.001, ratios)))
    return { adjusted: y, indices: null };
  const indices = seasonalIndices(y, m, ratios);
  const adjusted = doubles(y.length);
  for (let t = 0; t < y.length; t++) adjusted[t] = y[t]! / indices[t % m]!;
  return { adjusted, indices };
}

/**
 * A fit made on seasonally adjusted data, its forecasts put back on the series' scale (the
 * residuals stay on the adjusted scale: the indices average 1).
 */
export function reseasoned<F extends Fit>(fit: F, indices: number[] | null, n: number, m: number): F {
  if (!indices) return fit;
  return {
    ...fit,
    forecast: (h: number) => {
      const out = fit.forecast(h);
      for (let k = 0; k < h; k++) out[k] = out[k]! * indices[(n + k) % m]!;
      return out;
    },
  };
}

/**
 * The Theta method of the M3 competition (SES with drift half the slope of the line through the
 * seasonally adjusted data), as in Hyndman & Billah (2003). Its own season test by default (the
 * autocorrelation test, as published); the automatic forecaster passes 'stable'.
 */
export function theta(y: number[], m: number, test: 'stable' | 'acf' = 'acf'): Fit {
  const { adjusted, indices } = deseasonalize(y, m, test);
  return thetaOn(adjusted, indices, m, ses(adjusted));
}

/**
 * Theta on a series already seasonally adjusted (`indices` null when it was not), given SES
 * fitted on it: the automatic forecaster shares one SES fit per window between SES and Theta.
 */
export function thetaOn(x: number[], indices: number[] | null, m: number, s: ReturnType<typeof ses>): Fit {
  const n = x.length;
  const { slope } = line(x);
  const tail = (1 - (1 - s.alpha) ** n) / s.alpha;
  return reseasoned(
    {
      method: 'theta',
      residuals: s.residuals,
      forecast: (h) => {
        const out = doubles(h);
        // drift at step k + 1: half the slope times (k + tail)
        for (let k = 0; k < h; k++) out[k] = s.level + (slope / 2) * (k + tail);
        return out;
      },
      spread: s.spread,
    },
    indices,
    n,
    m,
  );
}

/** Croston's method for intermittent demand; SBA applies the Syntetos-Boylan bias correction. */
export function croston(y: number[], variant: 'croston' | 'sba', alpha = 0.1): Fit {
  let size: number | null = null;
  let interval: number | null = null;
  let sinceLast = 1;
  const residuals: number[] = [];
  const factor = variant === 'sba' ? 1 - alpha / 2 : 1;
  for (const v of y) {
    if (size !== null && interval !== null) residuals.push(v - (factor * size) / interval);
    if (v > 0) {
      size = size === null ? v : size + alpha * (v - size);
      interval = interval === null ? sinceLast : interval + alpha * (sinceLast - interval);
      sinceLast = 1;
    } else {
      sinceLast++;
    }
  }
  const rate = size !== null && interval !== null ? (factor * size) / interval : 0;
  return {
    method: variant,
    residuals,
    forecast: (h) => doubles(h, rate),
    spread: (h) => Array.from({ length: h }, (_, k) => Math.sqrt(1 + k * alpha * alpha)),
  };
}
