import { describe, expect, it } from '@jest/globals';
import {
  combineMonteCarlo,
  monteCarlo,
  prepareMonteCarlo,
  runSamples,
  sampleRanges,
  seededRandom,
  type UncertainFamily,
} from '../../src/domain/montecarlo.js';

const fam = (over: Partial<UncertainFamily>): UncertainFamily => ({
  family: 'A',
  unitPrice: 10,
  unitCost: 6,
  safetyStock: 0,
  onHand: 0,
  demand: [100],
  p10: [100],
  p90: [100],
  ...over,
});
const line = (capacity: number) => [{ resource: 'L1', capacity: [capacity], overtime: [0] }];
const routing = [{ family: 'A', resource: 'L1', usagePerUnit: 1 }];

describe('Monte Carlo over the demand distribution', () => {
  it('with no uncertainty, gives certain answers', () => {
    const r = monteCarlo(['m1'], [fam({})], line(80), routing, { samples: 50 });
    expect(r.resourceRisk).toEqual([{ resource: 'L1', period: 'm1', probability: 1 }]);
    expect(r.serviceLevel.p50).toBeCloseTo(0.8, 9);
    expect(r.margin.expected).toBeCloseTo(320, 9);
    expect(r.expectedLostMargin).toBeCloseTo(80, 9);
  });

  it('puts the overload probability near the normal tail: capacity at P90 -> about 10 %', () => {
    const r = monteCarlo(['m1'], [fam({ p10: [80], p90: [120] })], line(120), routing, {
      samples: 4000,
      seed: 3,
    });
    expect(r.resourceRisk[0]!.probability).toBeGreaterThan(0.07);
    expect(r.resourceRisk[0]!.probability).toBeLessThan(0.13);
    expect(r.serviceLevel.p10).toBeLessThanOrEqual(r.serviceLevel.p50);
    expect(r.serviceLevel.p50).toBeLessThanOrEqual(r.serviceLevel.p90);
    expect(r.margin.p10).toBeLessThanOrEqual(r.margin.p90);
  });

  it('is reproducible for a seed', () => {
    const run = () =>
      monteCarlo(['m1'], [fam({ p10: [60], p90: [150] })], line(100), routing, { samples: 200, seed: 9 });
    expect(run()).toEqual(run());
    const a = seededRandom(1);
    const b = seededRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('Monte Carlo in parts', () => {
  it('gives the same result to the bit however the samples are split (threads run parts)', () => {
    const families = Array.from({ length: 7 }, (_, i) =>
      fam({ family: `F${i}`, demand: [100 + i, 90, 130], p10: [70, 60, 90], p90: [140, 120, 170] }),
    );
    const resources = [{ resource: 'L1', capacity: [600, 600, 650], overtime: [0, 0, 0] }];
    const routes = families.map((f) => ({ family: f.family, resource: 'L1', usagePerUnit: 0.9 }));
    const periods = ['m1', 'm2', 'm3'];
    const x = prepareMonteCarlo(periods, families, resources, routes, { samples: 301, seed: 5 });
    const whole = combineMonteCarlo(periods, resources, x, [runSamples(x, 0, 301)]);
    for (const parts of [2, 3, 8, 301]) {
      const split = sampleRanges(301, parts).map(([from, to]) => runSamples(x, from, to));
      expect(combineMonteCarlo(periods, resources, x, split.reverse())).toEqual(whole);
    }
    expect(monteCarlo(periods, families, resources, routes, { samples: 301, seed: 5 })).toEqual(whole);
  });
});
