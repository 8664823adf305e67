/**
 * The forecaster's fast paths (issue 13) against plain reference versions: the optimiser's stop
 * rule and reused workspace, the quickselect behind the conformal quantiles, the error models
 * learned without one origin, the seasonal statistics computed without per-group arrays, and the
 * packed-double arrays. Speed itself is measured by bench/forecast and bench/forecast-m1.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { doubles } from '../../src/domain/forecast/arrays.js';
import { forecastSeries } from '../../src/domain/forecast/forecast.js';
import { ErrorSample, errorModel, select, type BacktestPoint } from '../../src/domain/forecast/intervals.js';
import { fTail, seasonalIndices, stableSeasonality } from '../../src/domain/forecast/methods.js';
import { nelderMead } from '../../src/domain/forecast/optimize.js';

/** A quadratic bowl with its minimum at `at` (which may lie outside the box). */
const bowl =
  (at: number[]) =>
  (x: readonly number[], out: Float64Array): void => {
    let s = 0;
    for (let j = 0; j < at.length; j++) s += (j + 1) * (x[j]! - at[j]!) ** 2;
    out[0] = s;
  };

describe('Nelder-Mead', () => {
  it('finds an interior minimum and one on a bound to within its tolerance', () => {
    const inside = nelderMead(
      bowl([0.3, 0.6, 0.45]),
      [0.3, 0.1, 0.5],
      { lo: 0, hi: 1 },
      {
        maxEvals: 400,
        xtol: 1e-4,
      },
    );
    inside.x.forEach((v, j) => expect(Math.abs(v - [0.3, 0.6, 0.45][j]!)).toBeLessThan(1e-3));
    // beta's optimum lies below the box: the search stops on the bound
    const onBound = nelderMead(
      bowl([0.4, -0.2, 0.7]),
      [0.3, 0.1, 0.5],
      { lo: 0.0001, hi: 0.9999 },
      {
        maxEvals: 400,
        xtol: 1e-4,
      },
    );
    expect(onBound.x[1]).toBeCloseTo(0.0001, 3);
    expect(Math.abs(onBound.x[0]! - 0.4)).toBeLessThan(1e-3);
    expect(Math.abs(onBound.x[2]! - 0.7)).toBeLessThan(1e-3);
  });

  it('stops once the simplex is small instead of crawling to the budget on a bound', () => {
    const f = bowl([-0.5, 0.5]);
    const strict = nelderMead(f, [0.3, 0.3], { lo: 0.01, hi: 0.99 }, { maxEvals: 300 });
    const loose = nelderMead(f, [0.3, 0.3], { lo: 0.01, hi: 0.99 }, { maxEvals: 300, xtol: 1e-3 });
    expect(loose.evals).toBeLessThan(strict.evals);
    expect(loose.x[0]).toBeCloseTo(0.01, 2);
    expect(loose.x[1]).toBeCloseTo(0.5, 2);
    expect(loose.fx - strict.fx).toBeLessThan(1e-5);
  });

  it('gives the same answer whatever ran before it (the workspace is reused), and a copy', () => {
    const f = bowl([0.2, 0.8, 0.5]);
    const run = () => nelderMead(f, [0.3, 0.1, 0.5], { lo: 0, hi: 1 }, { maxEvals: 150, xtol: 1e-3 });
    const first = run();
    const kept = [...first.x];
    nelderMead(bowl([0.9]), [0.3], { lo: 0, hi: 1 }, { maxEvals: 60 });
    nelderMead(bowl([0.1, 0.1, 0.1]), [0.9, 0.9, 0.9], { lo: 0, hi: 1 }, { maxEvals: 90 });
    expect(first.x).toEqual(kept);
    expect(run()).toEqual(first);
  });
});

describe('quickselect', () => {
  it('returns the k-th smallest, as a sort would (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (values, k0) => {
          const k = k0 % values.length;
          const sorted = [...values].sort((a, b) => a - b);
          expect(select([...values], k)).toBe(sorted[k]);
          // on a prefix of a longer array
          expect(select([...values, -Infinity, Infinity], k, values.length)).toBe(sorted[k]);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });
});

describe('error models', () => {
  const points = fc
    .array(
      fc.record({
        origin: fc.integer({ min: 12, max: 20 }),
        step: fc.integer({ min: 1, max: 18 }),
        actual: fc.double({ min: 0, max: 1000, noNaN: true }),
        forecast: fc.double({ min: 0.5, max: 1000, noNaN: true }),
      }),
      { minLength: 0, maxLength: 150 },
    )
    .map((p) => p as BacktestPoint[]);

  it('the model without one origin is the model of the other origins’ points (property)', () => {
    fc.assert(
      fc.property(points, fc.constantFrom('relative' as const, 'absolute' as const), (pts, kind) => {
        const usable = kind === 'relative' ? pts.filter((p) => p.actual > 0) : pts;
        const sample = new ErrorSample(usable, kind);
        expect(sample.model()).toEqual(errorModel(usable, kind));
        for (const origin of new Set(usable.map((p) => p.origin)))
          expect(sample.model(origin)).toEqual(
            errorModel(
              usable.filter((p) => p.origin !== origin),
              kind,
            ),
          );
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it('matches a plain reference (sorting, Math.pow) to rounding (property)', () => {
    const reference = (pts: BacktestPoint[], kind: 'relative' | 'absolute') => {
      const errors = pts.map((p) =>
        kind === 'relative' ? Math.log(p.actual / p.forecast) : p.actual - p.forecast,
      );
      const bySteps = new Map<number, { sum: number; n: number }>();
      pts.forEach((p, i) => {
        const s = bySteps.get(p.step) ?? { sum: 0, n: 0 };
        s.sum += Math.abs(errors[i]!);
        s.n++;
        bySteps.set(p.step, s);
      });
      const steps = [...bySteps.entries()].filter(([, s]) => s.sum > 0);
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
      const z = pts.map((p, i) => errors[i]! / (scale * p.step ** growth)).sort((a, b) => a - b);
      const n = z.length;
      return {
        scale,
        growth,
        upper: z[Math.min(n - 1, Math.ceil((n + 1) * 0.9) - 1)]!,
        lower: z[Math.max(0, Math.floor((n + 1) * 0.1) - 1)]!,
      };
    };
    const close = (a: number, b: number) =>
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b)));
    fc.assert(
      fc.property(points, (pts) => {
        const usable = pts.filter((p) => p.actual >= 0.01 && p.actual !== p.forecast);
        if (usable.length < 6) return;
        const model = errorModel(usable, 'relative')!;
        const ref = reference(usable, 'relative');
        close(model.scale, ref.scale);
        close(model.growth, ref.growth);
        // lo and hi are the quantiles shrunk towards the normal ones (see intervals.ts)
        const n = usable.length;
        const normal = 1.2815515655446004 / Math.sqrt(2 / Math.PI);
        close(model.hi, Math.max(0, (n * ref.upper + 10 * normal) / (n + 10)));
        close(model.lo, Math.min(0, (n * ref.lower - 10 * normal) / (n + 10)));
      }),
      { numRuns: 200, seed: 19 },
    );
  });
});

describe('seasonal statistics', () => {
  /** The grouped version the flat one replaced: ratios to the centred 2x12 average by month. */
  function groupedRatios(y: number[], m: number): number[][] {
    const ratios: number[][] = Array.from({ length: m }, () => []);
    const half = m / 2;
    for (let t = Math.ceil(half); t < y.length - Math.ceil(half); t++) {
      let s = 0;
      for (let j = -Math.floor(half); j <= Math.floor(half); j++)
        s += (m % 2 === 0 && Math.abs(j) === half ? 0.5 : 1) * y[t + j]!;
      const ma = s / m;
      if (ma > 0) ratios[t % m]!.push(y[t]! / ma);
    }
    return ratios;
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  function groupedIndices(y: number[], m: number): number[] {
    const raw = groupedRatios(y, m).map((r) => (r.length ? mean(r) : 1));
    const norm = mean(raw);
    return raw.map((v) => v / norm);
  }
  function groupedStable(y: number[], m: number, alpha = 0.001): boolean {
    if (y.length <= 2 * m) return false;
    const groups = groupedRatios(y, m).filter((g) => g.length > 0);
    const all = groups.flat();
    const k = groups.length;
    const n = all.length;
    if (k < 2 || n - k < 1) return false;
    const grand = mean(all);
    let between = 0;
    let within = 0;
    for (const g of groups) {
      const gm = mean(g);
      between += g.length * (gm - grand) ** 2;
      within += g.reduce((s, v) => s + (v - gm) ** 2, 0);
    }
    if (within <= 0) return between > 0;
    return fTail(between / (k - 1) / (within / (n - k)), k - 1, n - k) < alpha;
  }

  it('the indices and the stable-seasonality test equal the grouped versions exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 25, max: 72 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.array(fc.double({ min: 0.8, max: 1.2, noNaN: true }), { minLength: 72, maxLength: 72 }),
        fc.boolean(),
        (n, amp, noise, zeros) => {
          const y = Array.from({ length: n }, (_, t) =>
            zeros && t % 7 === 3 ? 0 : 100 * (1 + amp * Math.sin((2 * Math.PI * t) / 12)) * noise[t]!,
          );
          expect(seasonalIndices(y, 12)).toEqual(groupedIndices(y, 12));
          expect(stableSeasonality(y, 12)).toBe(groupedStable(y, 12));
          expect(stableSeasonality(y, 12, 0.2)).toBe(groupedStable(y, 12, 0.2));
        },
      ),
      { numRuns: 200, seed: 23 },
    );
  });
});

describe('packed doubles', () => {
  it('doubles holds the values asked for', () => {
    expect(doubles(0)).toEqual([]);
    expect(doubles(3)).toEqual([0, 0, 0]);
    expect(doubles(2, 1.5)).toEqual([1.5, 1.5]);
    expect(Object.is(doubles(1)[0], 0)).toBe(true);
  });

  it('a forecast is the same whether the history holds whole numbers or the same values as fractions', () => {
    const whole = Array.from({ length: 40 }, (_, t) => 100 + ((t * 37) % 23) + (t % 12) * 4);
    const f = forecastSeries(whole, { horizon: 18 });
    // the same values, reached through arithmetic that leaves doubles
    const same = whole.map((v) => v + 0.5 - 0.5);
    expect(same).toEqual(whole);
    expect(forecastSeries(same, { horizon: 18 })).toEqual(f);
  });
});
