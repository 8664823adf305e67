/**
 * The forecaster's pool, its backtest origins and its P10-P90 ranges from backtest errors
 * (split-conformal): ordered, widening with the horizon, weights summing to 1, deterministic, and
 * calibrated on series whose future is drawn like their past.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backtestOrigins, coverage, forecastSeries, poolFor } from '../../src/domain/forecast/forecast.js';
import {
  bands,
  errorModel,
  MIN_ERRORS,
  sigmaAt,
  type BacktestPoint,
} from '../../src/domain/forecast/intervals.js';
import {
  METHODS,
  deseasonalize,
  fTail,
  holtDamped,
  isSeasonal,
  PHI,
  stableSeasonality,
} from '../../src/domain/forecast/methods.js';

const range = <T = number>(n: number, f: (t: number) => T): T[] => Array.from({ length: n }, (_, t) => f(t));
const season12 = [0.8, 0.85, 0.95, 1.0, 1.05, 1.1, 1.2, 1.15, 1.05, 0.95, 0.9, 0.9];

/** A seeded generator (so every run draws the same series) with standard normal draws. */
function rng(seed: number) {
  let s = seed;
  const uniform = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const normal = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

const nonDecreasing = (v: number[], tol = 1e-9) => v.every((x, i) => i === 0 || x >= v[i - 1]! - tol);

/** Histories of positive demand: a level, a trend, a season of some strength, noise. */
const positiveHistory = fc
  .record({
    n: fc.integer({ min: 13, max: 80 }),
    level: fc.double({ min: 5, max: 1e5, noNaN: true }),
    trend: fc.double({ min: -0.01, max: 0.02, noNaN: true }),
    amp: fc.double({ min: 0, max: 0.5, noNaN: true }),
    noise: fc.double({ min: 0, max: 0.4, noNaN: true }),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map(({ n, level, trend, amp, noise, seed }) => {
    const r = rng(seed);
    return range(n, (t) =>
      Math.max(
        0.01,
        level * (1 + trend * t) * (1 + amp * Math.sin((2 * Math.PI * t) / 12)) * (1 + noise * r.normal()),
      ),
    );
  });

describe('backtest origins', () => {
  it('spread over the whole history, latest first, each leaving 12 points to fit on', () => {
    expect(backtestOrigins(132, 8)).toEqual([117, 102, 87, 72, 57, 42, 27, 12]);
    expect(backtestOrigins(12)).toEqual([]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 12 }), (n, k) => {
        const ends = backtestOrigins(n, k);
        expect(new Set(ends).size).toBe(ends.length);
        expect(ends.length).toBeLessThanOrEqual(k);
        ends.forEach((e, i) => {
          expect(e).toBeGreaterThanOrEqual(12);
          expect(e).toBeLessThan(n);
          if (i) expect(e).toBeLessThan(ends[i - 1]!);
        });
      }),
    );
  });
});

describe('the pool', () => {
  it('holds SES, Theta, the damped trend and Holt-Winters once the history allows', () => {
    const long = range(48, (t) => 100 + t);
    expect(poolFor(long, 12)).toEqual(['ses', 'theta', 'holt-damped', 'holt-winters-multiplicative']);
    // a zero month: Holt-Winters additive
    expect(poolFor([0, ...long.slice(1)], 12)).toContain('holt-winters-additive');
    // 13 to 24 months: too short to test for a season, last year's pattern joins the pool
    expect(
      poolFor(
        range(20, (t) => 100 + t),
        12,
      ),
    ).toEqual(['ses', 'theta', 'holt-damped', 'seasonal-naive']);
    // intermittent demand
    expect(
      poolFor(
        range(36, (t) => (t % 3 ? 0 : 5)),
        12,
      ),
    ).toEqual(['croston', 'sba', 'ses']);
  });

  it('a forced method is used alone, or falls back where the history is too short for it', () => {
    expect(
      poolFor(
        range(48, (t) => 100 + t),
        12,
        'theta',
      ),
    ).toEqual(['theta']);
    expect(
      poolFor(
        range(20, (t) => 100 + t),
        12,
        'holt-winters-multiplicative',
      ),
    ).toEqual(['holt-damped']);
    expect(poolFor([3, 4], 12, 'holt-damped')).toEqual(['ses']);
  });

  it('the damped trend keeps its damping factor within 0.8 to 0.98', () => {
    fc.assert(
      fc.property(positiveHistory, (y) => {
        const { phi } = holtDamped(y);
        expect(phi).toBeGreaterThanOrEqual(PHI.lo);
        expect(phi).toBeLessThanOrEqual(PHI.hi);
      }),
      { numRuns: 50, seed: 7 },
    );
  });

  it('the F distribution tail matches published critical values', () => {
    expect(fTail(2.717, 11, 12)).toBeCloseTo(0.05, 3);
    expect(fTail(3.094, 11, 24)).toBeCloseTo(0.01, 3);
    expect(fTail(4.965, 1, 10)).toBeCloseTo(0.05, 3);
    expect(fTail(0, 3, 3)).toBe(1);
  });

  it('the stable-seasonality test finds a smooth season in three years where the autocorrelation test does not', () => {
    const r = rng(9);
    const y = range(
      36,
      (t) => 1000 * (1 + 0.005 * t) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 12)) * (1 + 0.05 * r.normal()),
    );
    expect(stableSeasonality(y, 12)).toBe(true);
    expect(isSeasonal(y, 12)).toBe(false);
    // noise alone: no season (at 0.1 %, for any of 50 seeds)
    for (let seed = 1; seed <= 50; seed++) {
      const q = rng(seed);
      expect(
        stableSeasonality(
          range(60, () => 1000 * (1 + 0.1 * q.normal())),
          12,
        ),
      ).toBe(false);
    }
    // two seasons or less: not tested
    expect(stableSeasonality(y.slice(0, 24), 12)).toBe(false);
  });

  it('seasonal adjustment only for a tested season, and it takes the season out', () => {
    const flat = deseasonalize(
      range(48, () => 400),
      12,
    );
    expect(flat.indices).toBeNull();
    const seasonal = deseasonalize(
      range(48, (t) => 400 * season12[t % 12]!),
      12,
    );
    expect(seasonal.indices).not.toBeNull();
    expect(Math.max(...seasonal.adjusted) - Math.min(...seasonal.adjusted)).toBeLessThan(1e-6);
    // 24 months: too short to test
    expect(
      deseasonalize(
        range(24, (t) => 400 * season12[t % 12]!),
        12,
      ).indices,
    ).toBeNull();
  });
});

describe('error model and ranges', () => {
  const points = fc
    .array(
      fc.record({
        origin: fc.integer({ min: 12, max: 20 }),
        step: fc.integer({ min: 1, max: 18 }),
        actual: fc.double({ min: 0.5, max: 1000, noNaN: true }),
        forecast: fc.double({ min: 0.5, max: 1000, noNaN: true }),
      }),
      { minLength: 0, maxLength: 120 },
    )
    .map((p) => p as BacktestPoint[]);

  it('needs a few errors; then lo <= 0 <= hi, sigma grows with the step, ranges ordered and widening (property)', () => {
    fc.assert(
      fc.property(
        points,
        fc.constantFrom('relative' as const, 'absolute' as const),
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 24 }),
        (pts, kind, p50) => {
          const model = errorModel(pts, kind);
          if (pts.length < MIN_ERRORS) {
            expect(model).toBeNull();
            return;
          }
          expect(model).not.toBeNull();
          expect(model!.lo).toBeLessThanOrEqual(0);
          expect(model!.hi).toBeGreaterThanOrEqual(0);
          expect(model!.growth).toBeGreaterThanOrEqual(0);
          expect(model!.growth).toBeLessThanOrEqual(1);
          expect(nonDecreasing(p50.map((_, k) => sigmaAt(model!, k + 1)))).toBe(true);
          const { p10, p90 } = bands(p50, model!);
          p50.forEach((v, k) => {
            expect(p10[k]!).toBeGreaterThanOrEqual(0);
            expect(p10[k]!).toBeLessThanOrEqual(v * (1 + 1e-12));
            expect(p90[k]!).toBeGreaterThanOrEqual(v * (1 - 1e-12));
          });
          // On a flat P50 the range widens (never narrows) with the horizon, both sides.
          const flat = bands(Array<number>(24).fill(500), model!);
          expect(nonDecreasing(flat.p90)).toBe(true);
          expect(nonDecreasing(flat.p10.map((v) => -v))).toBe(true);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('perfect backtests give no width; log-ratio errors keep the range proportional to the P50', () => {
    const exact = range(10, (i) => ({ origin: 12, step: i + 1, actual: 5, forecast: 5 }));
    expect(bands([7, 8], errorModel(exact, 'relative')!)).toEqual({ p10: [7, 8], p90: [7, 8] });
    const noisy = range(40, (i) => ({
      origin: 12 + (i % 4),
      step: 1 + (i % 10),
      actual: 100 + (i % 7) * 5,
      forecast: 110,
    }));
    const model = errorModel(noisy, 'relative')!;
    const a = bands([100, 100], model);
    const b = bands([1000, 1000], model);
    expect(b.p90[1]! / a.p90[1]!).toBeCloseTo(10, 9);
    expect(b.p10[1]! / a.p10[1]!).toBeCloseTo(10, 9);
  });

  it('coverage counts actuals inside [P10, P90]', () => {
    expect(coverage([1, 5, 9, 10], [0, 6, 8, 10], [2, 7, 9, 10])).toBe(75);
    expect(coverage([], [], [])).toBeNaN();
  });
});

describe('automatic forecasts', () => {
  it('weights sum to 1, ranges are ordered, the P50 is the weighted mean of the members (property)', () => {
    fc.assert(
      fc.property(positiveHistory, fc.integer({ min: 1, max: 24 }), (y, horizon) => {
        const f = forecastSeries(y, { horizon });
        expect(f.weights).toHaveLength(f.members.length);
        expect(f.weights!.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
        f.weights!.forEach((w) => expect(w).toBeGreaterThan(0));
        expect(f.method === 'combination').toBe(f.members.length > 1);
        f.p50.forEach((v, k) => {
          expect(Number.isFinite(v)).toBe(true);
          expect(f.p10[k]!).toBeGreaterThanOrEqual(0);
          expect(f.p10[k]!).toBeLessThanOrEqual(v);
          expect(v).toBeLessThanOrEqual(f.p90[k]!);
        });
        // the backtest's own ranges (from the other origins) are ordered too
        const bt = f.backtest;
        if (bt.p10) {
          expect(bt.p10).toHaveLength(bt.actual.length);
          bt.forecast.forEach((v, i) => {
            expect(bt.p10![i]!).toBeLessThanOrEqual(v);
            expect(bt.p90![i]!).toBeGreaterThanOrEqual(v);
          });
          expect(f.accuracy.coverage).toBeGreaterThanOrEqual(0);
          expect(f.accuracy.coverage).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('relative ranges widen with the horizon as a share of the P50 (property)', () => {
    fc.assert(
      fc.property(positiveHistory, (y) => {
        const f = forecastSeries(y, { horizon: 18 });
        if (f.ranges !== 'backtest' || !f.p50.every((v) => v > 0)) return;
        const up = f.p90.map((v, k) => v / f.p50[k]!);
        const down = f.p10.map((v, k) => f.p50[k]! / Math.max(v, 1e-300));
        const upAbs = f.p90.map((v, k) => v - f.p50[k]!);
        // log-ratio errors: the ratios widen; plain differences: the distance above the P50 does
        // (the one below may stop at zero)
        expect((nonDecreasing(up, 1e-9) && nonDecreasing(down, 1e-9)) || nonDecreasing(upAbs, 1e-6)).toBe(
          true,
        );
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  it('is deterministic, forced or not', () => {
    const y = range(60, (t) => (500 + 3 * t) * season12[t % 12]! * (1 + 0.1 * Math.sin(t * 2.3)));
    expect(forecastSeries(y, { horizon: 18 })).toEqual(forecastSeries(y, { horizon: 18 }));
    expect(forecastSeries(y, { horizon: 18, method: 'theta' })).toEqual(
      forecastSeries(y, { horizon: 18, method: 'theta' }),
    );
  });

  it('a forced method is the only member, with weight 1', () => {
    const y = range(60, (t) => (500 + 3 * t) * season12[t % 12]!);
    for (const method of METHODS) {
      const f = forecastSeries(y, { horizon: 6, method });
      expect(f).toMatchObject({ method, members: [method], weights: [1] });
    }
    const mean = forecastSeries(y, { horizon: 6, method: 'combination' });
    expect(mean.members).toEqual(['ses', 'theta', 'holt-damped', 'holt-winters-multiplicative']);
    expect(mean.weights).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('P10-P90 covers a future drawn like the past at least as often as nominal, at every horizon', () => {
    // 240 seeded series: noise around a level with a season (half) or a random walk (half). The
    // ranges come out wide on such well-behaved series (about 93 %): the backtest's origins
    // forecast from less history than the final fit, so their errors are larger than its. On
    // real data, whose future is harder than its past, the same ranges cover 79 %
    // (bench/forecast-m1).
    const h = 12;
    const inside = Array<number>(h).fill(0);
    let total = 0;
    for (let s = 0; s < 240; s++) {
      const r = rng(1000 + s);
      const n = 48 + 12 * (s % 3);
      const walk = s % 2 === 1;
      const y: number[] = [];
      let level = 1000;
      for (let t = 0; t < n + h; t++) {
        level = walk ? level + 30 * r.normal() : level;
        y.push(Math.max(1, (walk ? level : 1000 + 80 * r.normal()) * season12[t % 12]!));
      }
      const f = forecastSeries(y.slice(0, n), { horizon: h });
      y.slice(n).forEach((a, k) => {
        if (a >= f.p10[k]! && a <= f.p90[k]!) inside[k]!++;
      });
      total++;
    }
    const overall = inside.reduce((a, b) => a + b, 0) / (total * h);
    expect(overall).toBeGreaterThan(0.8);
    expect(overall).toBeLessThan(0.95);
    // every step within reason (240 draws each; about two standard errors either side)
    inside.forEach((c) => {
      expect(c / total).toBeGreaterThan(0.8);
      expect(c / total).toBeLessThan(0.97);
    });
  });
});
