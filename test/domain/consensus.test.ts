import { describe, expect, it } from '@jest/globals';
import { consensusDemand, forecastValueAdded, type Adjustment } from '../../src/domain/consensus.js';

const baseline = new Map([
  [
    'SNK',
    [
      { period: '2027-03', value: 100 },
      { period: '2027-04', value: 200 },
      { period: '2027-05', value: 300 },
    ],
  ],
]);
const adj = (over: Partial<Adjustment>): Adjustment => ({
  function: 'sales',
  author: 'sam',
  family: 'SNK',
  from: '2027-03',
  to: '2027-05',
  change: { type: 'percent', value: 10 },
  reason: 'promotion',
  ...over,
});

describe('consensus demand', () => {
  it('applies percent changes on the baseline and unit changes per month, keeping provenance', () => {
    const [snk] = consensusDemand(baseline, [
      adj({}),
      adj({
        function: 'marketing',
        author: 'lea',
        from: '2027-04',
        to: '2027-04',
        change: { type: 'units', value: -50 },
        reason: 'campaign moved',
      }),
    ]);
    expect(snk!.cells.map((c) => c.consensus)).toEqual([110, 170, 330]);
    expect(snk!.cells[1]!.steps).toEqual([
      { function: 'sales', author: 'sam', delta: 20, reason: 'promotion' },
      { function: 'marketing', author: 'lea', delta: -50, reason: 'campaign moved' },
    ]);
    expect(snk!.waterfall).toEqual([
      { label: 'baseline', value: 600 },
      { label: 'sales', value: 60 },
      { label: 'marketing', value: -50 },
      { label: 'consensus', value: 610 },
    ]);
  });

  it('floors demand at zero and shows the floor in the waterfall, which still adds up', () => {
    const [snk] = consensusDemand(baseline, [adj({ change: { type: 'units', value: -150 } })]);
    expect(snk!.cells.map((c) => c.consensus)).toEqual([0, 50, 150]);
    const w = snk!.waterfall;
    expect(w.at(-1)).toEqual({ label: 'consensus', value: 200 });
    expect(w.slice(0, -1).reduce((s, x) => s + x.value, 0)).toBeCloseTo(200, 9);
  });

  it('measures forecast value added per function against actuals', () => {
    const fams = consensusDemand(baseline, [
      adj({}),
      adj({ function: 'marketing', change: { type: 'percent', value: -10 } }),
    ]);
    const actuals = new Map([
      [
        'SNK',
        new Map([
          ['2027-03', 110],
          ['2027-04', 220],
        ]),
      ],
    ]);
    const fva = forecastValueAdded(fams, actuals);
    const sales = fva.find((f) => f.function === 'sales')!;
    expect(sales).toMatchObject({ baselineMae: 15, adjustedMae: 0, valueAdded: 15, months: 2 });
    const marketing = fva.find((f) => f.function === 'marketing')!;
    expect(marketing.valueAdded).toBeLessThan(0);
  });
});
