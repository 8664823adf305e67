/** Scoring earlier forecasts against actuals: the measures, the P10-P90 coverage, each function's value added. */
import { describe, expect, it } from '@jest/globals';
import { scoreFamily, valueAdded, type ScoredMonth } from '../../src/domain/trackRecord.js';

const month = (
  period: string,
  actual: number,
  p50: number,
  steps: { function: string; delta: number }[] = [],
): ScoredMonth => ({
  period,
  actual,
  p10: p50 * 0.8,
  p50,
  p90: p50 * 1.2,
  consensus: p50 + steps.reduce((s, x) => s + x.delta, 0),
  steps,
});

describe('track record', () => {
  const months = [
    month('2027-02', 100, 90, [{ function: 'sales', delta: 10 }]), // sales exactly right
    month('2027-03', 100, 100, [{ function: 'marketing', delta: 20 }]), // marketing 20 too high
    month('2027-04', 200, 100), // far off, outside P10-P90
  ];

  it('scores the statistical forecast and the consensus, with the share inside P10-P90', () => {
    const s = scoreFamily(months, [80, 90, 100, 110, 90, 100, 95, 105, 100, 90, 100, 110, 100]);
    expect(s.statistical.points).toBe(3);
    expect(s.statistical.wmape).toBeCloseTo((100 * (10 + 0 + 100)) / 400, 10);
    expect(s.consensus.wmape).toBeCloseTo((100 * (0 + 20 + 100)) / 400, 10);
    expect(s.statistical.bias).toBeCloseTo((100 * (290 - 400)) / 400, 10);
    expect(s.statistical.coverage).toBeCloseTo((100 * 2) / 3, 10);
    expect(s.statistical.mase).toBeGreaterThan(0);
  });

  it('credits each function with the wMAPE points its own adjustments saved (or cost)', () => {
    const fva = valueAdded(months);
    const by = Object.fromEntries(fva.map((f) => [f.function, f]));
    expect(by['sales']).toMatchObject({ points: 1, wmapeWithout: 10, wmapeWith: 0, fva: 10 });
    expect(by['marketing']).toMatchObject({ points: 1, wmapeWithout: 0, wmapeWith: 20, fva: -20 });
    expect(by['consensus']!.fva).toBeCloseTo((100 * 110) / 400 - (100 * 120) / 400, 10);
  });

  it('is undefined (NaN), not zero, where nothing can be scored', () => {
    const s = scoreFamily([], []);
    expect(s.statistical.points).toBe(0);
    expect(s.statistical.wmape).toBeNaN();
    expect(s.statistical.coverage).toBeNaN();
  });
});
