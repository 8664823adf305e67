import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { forecastSeries } from '../../src/domain/forecast/forecast.js';
import { bias, mape, mase, smape, wmape } from '../../src/domain/forecast/metrics.js';
import {
  croston,
  holtDamped,
  holtWinters,
  isSeasonal,
  seasonalIndices,
  seasonalNaive,
  ses,
  theta,
} from '../../src/domain/forecast/methods.js';

const range = (n: number, f: (t: number) => number) => Array.from({ length: n }, (_, t) => f(t));
const season12 = [0.8, 0.85, 0.95, 1.0, 1.05, 1.1, 1.2, 1.15, 1.05, 0.95, 0.9, 0.9];
const closeTo = (a: number[], b: number[], rel: number) =>
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(rel * Math.abs(b[i]!) + 1e-9));

describe('methods, known answers', () => {
  it('seasonal naive repeats the last season', () => {
    const f = seasonalNaive(
      range(24, (t) => t + 1),
      12,
    );
    expect(f.forecast(14)).toEqual([13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 13, 14]);
    expect(f.residuals).toEqual(Array(12).fill(12));
  });

  it('simple exponential smoothing with alpha 0.5 on 10, 20, 30', () => {
    const f = ses([10, 20, 30], 0.5);
    expect(f.residuals).toEqual([10, 15]);
    expect(f.forecast(2)).toEqual([22.5, 22.5]);
  });

  it('SES fits alpha near 1 on a random walk step and near 0 on noise around a level', () => {
    expect(ses([10, 10, 10, 50, 50, 50, 50, 50]).alpha).toBeGreaterThan(0.9);
    expect(ses(range(40, (t) => 100 + (t % 2 ? 5 : -5))).alpha).toBeLessThan(0.2);
  });

  it('Croston and SBA on 0,0,5 repeated: 5 every 3 periods', () => {
    const y = [0, 0, 5, 0, 0, 5, 0, 0, 5];
    expect(croston(y, 'croston').forecast(1)[0]).toBeCloseTo(5 / 3, 10);
    expect(croston(y, 'sba').forecast(1)[0]).toBeCloseTo(0.95 * (5 / 3), 10);
  });

  it('damped Holt follows a straight line', () => {
    const y = range(24, (t) => 100 + 5 * t);
    const f = holtDamped(y).forecast(3);
    closeTo(f, [220, 225, 230], 0.01);
  });

  it('Holt-Winters additive and multiplicative reproduce clean seasonal series', () => {
    const add = range(48, (t) => 200 + 2 * t + 30 * Math.sin((2 * Math.PI * t) / 12));
    closeTo(
      holtWinters(add, 12, false).forecast(12),
      range(12, (k) => 200 + 2 * (48 + k) + 30 * Math.sin((2 * Math.PI * (48 + k)) / 12)),
      0.03,
    );
    const mul = range(48, (t) => (500 + 3 * t) * season12[t % 12]!);
    closeTo(
      holtWinters(mul, 12, true).forecast(12),
      range(12, (k) => (500 + 3 * (48 + k)) * season12[k % 12]!),
      0.03,
    );
  });

  it('seasonal indices recover the pattern and average 1', () => {
    const idx = seasonalIndices(
      range(48, (t) => 400 * season12[t % 12]!),
      12,
    );
    closeTo(
      idx,
      season12.map((s) => s / (season12.reduce((a, b) => a + b) / 12)),
      0.001,
    );
    expect(
      isSeasonal(
        range(48, (t) => 400 * season12[t % 12]!),
        12,
      ),
    ).toBe(true);
    expect(
      isSeasonal(
        range(48, () => 400),
        12,
      ),
    ).toBe(false);
  });

  it('Theta: a constant series forecasts the constant; a seasonal one keeps its season', () => {
    expect(
      theta(
        range(36, () => 70),
        12,
      ).forecast(3),
    ).toEqual([70, 70, 70]);
    const y = range(48, (t) => 400 * season12[t % 12]!);
    closeTo(
      theta(y, 12).forecast(12),
      range(12, (k) => 400 * season12[k]!),
      0.02,
    );
  });
});

describe('accuracy measures', () => {
  it('compute MAPE, wMAPE, sMAPE, MASE and bias by hand', () => {
    const a = [100, 200];
    const f = [110, 180];
    expect(mape(a, f)).toBeCloseTo(10, 10);
    expect(wmape(a, f)).toBeCloseTo(10, 10);
    expect(smape(a, f)).toBeCloseTo(((20 / 210 + 40 / 380) / 2) * 100, 10);
    expect(bias(a, f)).toBeCloseTo((-10 / 300) * 100, 10);
    // in-sample naive MAE of [10, 20, 40] (no season) = (10 + 20) / 2 = 15; MAE = 15 -> MASE 1
    expect(mase(a, f, [10, 20, 40], 12)).toBeCloseTo(1, 10);
    expect(mape([0, 0], [1, 1])).toBeNaN();
  });
});

describe('automatic forecasting', () => {
  it('forecasts a seasonal series well, with a seasonal method in the pool', () => {
    const y = range(48, (t) => (800 + 4 * t) * season12[t % 12]! * (1 + 0.02 * Math.sin(t * 1.7)));
    const f = forecastSeries(y, { horizon: 18 });
    expect(f.members).toContain('holt-winters-multiplicative');
    const truth = range(18, (k) => (800 + 4 * (48 + k)) * season12[(48 + k) % 12]!);
    expect(mape(truth, f.p50)).toBeLessThan(6);
    // the backtest (origins with 27 to 44 months of history, up to 18 months ahead) is close too
    expect(f.accuracy.mape).toBeLessThan(10);
    expect(f.ranges).toBe('backtest');
  });

  it('uses Croston or SBA (or a flat method) for intermittent demand', () => {
    const y = range(36, (t) => (t % 4 === 3 ? 8 : 0));
    const f = forecastSeries(y, { horizon: 6 });
    expect(['croston', 'sba', 'ses', 'seasonal-naive', 'combination']).toContain(f.method);
    f.p50.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
  });

  it('handles very short and empty histories', () => {
    expect(forecastSeries([], { horizon: 3 }).p50).toEqual([0, 0, 0]);
    expect(forecastSeries([5], { horizon: 2 }).p50).toEqual([5, 5]);
    expect(forecastSeries([5, 7, 6], { horizon: 2 }).p50).toHaveLength(2);
  });

  it('intervals are ordered and non-negative for any history (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 10000, noNaN: true }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 24 }),
        (history, horizon) => {
          const f = forecastSeries(history, { horizon });
          expect(f.p50).toHaveLength(horizon);
          f.p50.forEach((v, k) => {
            expect(f.p10[k]!).toBeGreaterThanOrEqual(0);
            expect(f.p10[k]!).toBeLessThanOrEqual(v);
            expect(v).toBeLessThanOrEqual(f.p90[k]!);
          });
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('is deterministic', () => {
    const y = range(36, (t) => 100 + ((t * 37) % 11));
    expect(forecastSeries(y, { horizon: 12 })).toEqual(forecastSeries(y, { horizon: 12 }));
  });
});
