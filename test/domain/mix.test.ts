/** The least-cost supply mix, solved by the real HiGHS solver on small hand-computed cases. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { highsSolver, planMix } from '../../src/app/solver.js';
import { ALL_LEVERS, type MixFamily, type MixInput } from '../../src/domain/mix.js';
import { LEVER_SETS } from '../../src/domain/plan.js';
import { LOST_UNIT_WEIGHT } from '../../src/domain/supply.js';

const solver = highsSolver();
const fam = (over: Partial<MixFamily>): MixFamily => ({
  family: 'A',
  unitPrice: 10,
  unitCost: 6,
  safetyStock: 0,
  onHand: 0,
  holdingCostPerUnitMonth: 0.1,
  demand: [100],
  ...over,
});
const oneLine = (capacity: number[], overtime: number[], otCost = 2) => [
  { resource: 'L1', capacity, overtime, overtimeCostPerUnit: capacity.map(() => otCost) },
];

describe('least-cost supply mix (HiGHS)', () => {
  const base: MixInput = {
    periods: ['2027-03'],
    families: [fam({})],
    resources: oneLine([60], [30]),
    routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
    alternates: [
      {
        family: 'A',
        option: 'alternate_source',
        capacityPerMonth: 50,
        extraCostPerUnit: 5,
        leadTimeMonths: 0,
      },
    ],
  };

  it('uses overtime, then forgoes sales rather than buy above the margin', async () => {
    const plan = await planMix(solver, base);
    expect(plan.overtime).toEqual({ units: 30, cost: 60 });
    expect(plan.alternates['alternate_source']!.units).toBeCloseTo(0, 6);
    expect(plan.lostSales.units).toBeCloseTo(10, 6);
    expect(plan.totalCost).toBeCloseTo(100, 6);
  });

  it('buys through the alternate when it costs less than the lost margin', async () => {
    const plan = await planMix(solver, {
      ...base,
      alternates: [{ ...base.alternates[0]!, extraCostPerUnit: 3 }],
    });
    expect(plan.alternates['alternate_source']!.units).toBeCloseTo(10, 6);
    expect(plan.totalCost).toBeCloseTo(60 + 30, 6);
  });

  it('frames the levers: without overtime the gap is larger and costs more', async () => {
    const plan = await planMix(solver, base, { ...ALL_LEVERS, overtime: false });
    expect(plan.overtime.units).toBeCloseTo(0, 6);
    expect(plan.lostSales.units).toBeCloseTo(40, 6);
    expect(plan.totalCost).toBeCloseTo(160, 6);
  });

  it('pre-builds in a month with spare capacity when holding costs less than the lost sale', async () => {
    const input: MixInput = {
      periods: ['2027-03', '2027-04'],
      families: [fam({ demand: [0, 100], holdingCostPerUnitMonth: 0.5 })],
      resources: oneLine([100, 50], [0, 0]),
      routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
      alternates: [],
    };
    const plan = await planMix(solver, input);
    expect(plan.prebuild.unitMonths).toBeCloseTo(50, 6);
    expect(plan.totalCost).toBeCloseTo(25, 6);
    const noPrebuild = await planMix(solver, input, { ...ALL_LEVERS, prebuild: false });
    expect(noPrebuild.lostSales.units).toBeCloseTo(50, 6);
    expect(noPrebuild.totalCost).toBeCloseTo(200, 6);
  });

  it('shapes demand by margin: the lower-margin family gives way on a shared line', async () => {
    const plan = await planMix(solver, {
      periods: ['2027-03'],
      families: [fam({ family: 'LOW', unitPrice: 7 }), fam({ family: 'HIGH', unitPrice: 11 })],
      resources: oneLine([100], [0]),
      routing: [
        { family: 'LOW', resource: 'L1', usagePerUnit: 1 },
        { family: 'HIGH', resource: 'L1', usagePerUnit: 1 },
      ],
      alternates: [],
    });
    expect(plan.shortfalls).toEqual([{ family: 'LOW', period: '2027-03', units: 100 }]);
    expect(plan.lostSales.margin).toBeCloseTo(100, 6);
  });

  it('respects an alternate lead time', async () => {
    const plan = await planMix(solver, {
      ...base,
      periods: ['2027-03', '2027-04'],
      families: [fam({ demand: [100, 100] })],
      resources: oneLine([60, 60], [0, 0]),
      alternates: [{ ...base.alternates[0]!, extraCostPerUnit: 1, leadTimeMonths: 1 }],
    });
    expect(plan.alternates['alternate_source']!.units).toBeCloseTo(40, 6); // only in April
    expect(plan.shortfalls.map((s) => [s.period, Math.round(s.units)])).toEqual([['2027-03', 40]]);
  });
});

describe('least-cost supply mix: safety stock and pre-build as the rough-cut check states them', () => {
  const line = (capacity: number[]) =>
    oneLine(
      capacity,
      capacity.map(() => 0),
    );
  const only = (levers: Partial<typeof ALL_LEVERS>) => ({ ...LEVER_SETS['accept-shortfall'], ...levers });

  it('holds safety stock unless drawing it is a lever: an overload is a lost sale, else a drawdown', async () => {
    const input: MixInput = {
      periods: ['m1'],
      families: [fam({ onHand: 50, safetyStock: 50, demand: [120] })],
      resources: line([100]),
      routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
      alternates: [],
    };
    const held = await planMix(solver, input, only({ overtime: true, alternates: true, prebuild: true }));
    expect(held.lostSales.units).toBeCloseTo(20, 6);
    expect(held.safetyStockDrawdown.unitMonths).toBe(0);
    expect(held.safetyStockBelowTarget).toEqual({ units: 0, unitMonths: 0 });
    // Drawn: 20 units for a month at 10% of the margin of 4 (8) instead of 80 of margin lost.
    const drawn = await planMix(solver, input, only({ safetyStockDrawdown: true }));
    expect(drawn.lostSales.units).toBeCloseTo(0, 6);
    expect(drawn.safetyStockDrawdown.unitMonths).toBeCloseTo(20, 6);
    expect(drawn.safetyStockBelowTarget.units).toBeCloseTo(20, 6);
    expect(drawn.totalCost).toBeCloseTo(8, 6);
  });

  it('rebuilds safety stock that starts below target from spare capacity, never before demand', async () => {
    const plan = await planMix(
      solver,
      {
        periods: ['m1', 'm2'],
        families: [fam({ onHand: 0, safetyStock: 60, demand: [80, 50] })],
        resources: line([100, 100]),
        routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
        alternates: [],
      },
      LEVER_SETS['accept-shortfall'],
    );
    expect(plan.lostSales.units).toBeCloseTo(0, 6);
    // 20 rebuilt in m1 (40 still below), the rest in m2: what the rough-cut check does.
    expect(plan.safetyStockBelowTarget.units).toBeCloseTo(40, 6);
    expect(plan.safetyStockBelowTarget.unitMonths).toBeCloseTo(40, 6);
    expect(plan.totalCost).toBeCloseTo(0, 6);
  });

  it('uses stock above target as demand comes; holding it back for a later peak is pre-building', async () => {
    const input: MixInput = {
      periods: ['m1', 'm2'],
      families: [fam({ onHand: 150, safetyStock: 50, demand: [100, 160], holdingCostPerUnitMonth: 0.5 })],
      resources: line([100, 100]),
      routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
      alternates: [],
    };
    const none = await planMix(solver, input, LEVER_SETS['accept-shortfall']);
    expect(none.shortfalls).toEqual([{ family: 'A', period: 'm2', units: expect.closeTo(60, 6) }]);
    expect(none.prebuild.unitMonths).toBe(0);
    const prebuilt = await planMix(solver, input, only({ prebuild: true }));
    expect(prebuilt.lostSales.units).toBeCloseTo(0, 6);
    expect(prebuilt.prebuild.unitMonths).toBeCloseTo(60, 6);
    expect(prebuilt.totalCost).toBeCloseTo(30, 6);
  });

  it('supplies at least what the plan with no lever supplies, family by family and month by month', async () => {
    const input: MixInput = {
      periods: ['m1'],
      families: [
        fam({ family: 'LOW', unitPrice: 7, suppliedBeforeLevers: [50] }),
        fam({ family: 'HIGH', unitPrice: 11, suppliedBeforeLevers: [50] }),
      ],
      resources: line([100]),
      routing: [
        { family: 'LOW', resource: 'L1', usagePerUnit: 1 },
        { family: 'HIGH', resource: 'L1', usagePerUnit: 1 },
      ],
      alternates: [],
    };
    const plan = await planMix(solver, input);
    expect(plan.shortfalls.map((x) => [x.family, Math.round(x.units)])).toEqual([
      ['LOW', 50],
      ['HIGH', 50],
    ]);
  });
});

describe('least-cost supply mix, property', () => {
  it('is never worse than brute force over whole units on small one-month instances', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          demand: fc.integer({ min: 0, max: 8 }),
          onHand: fc.integer({ min: 0, max: 3 }),
          safetyStock: fc.integer({ min: 0, max: 3 }),
          capacity: fc.integer({ min: 0, max: 6 }),
          overtime: fc.integer({ min: 0, max: 3 }),
          otCost: fc.integer({ min: 0, max: 6 }),
          altCap: fc.integer({ min: 0, max: 3 }),
          altCost: fc.integer({ min: 0, max: 6 }),
          price: fc.integer({ min: 6, max: 12 }),
        }),
        async (c) => {
          const family = fam({
            demand: [c.demand],
            onHand: c.onHand,
            safetyStock: c.safetyStock,
            unitPrice: c.price,
            holdingCostPerUnitMonth: 0.1,
          });
          const plan = await planMix(solver, {
            periods: ['m1'],
            families: [family],
            resources: oneLine([c.capacity], [c.overtime], c.otCost),
            routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
            alternates: [
              {
                family: 'A',
                option: 'alt',
                capacityPerMonth: c.altCap,
                extraCostPerUnit: c.altCost,
                leadTimeMonths: 0,
              },
            ],
          });
          const margin = c.price - 6;
          const penalty = 0.1 * Math.max(margin, 1e-3);
          let best = Infinity;
          for (let x = 0; x <= c.capacity; x++)
            for (let o = 0; o <= c.overtime; o++)
              for (let a = 0; a <= c.altCap; a++)
                for (let sold = 0; sold <= Math.min(c.demand, c.onHand + x + o + a); sold++) {
                  const stock = c.onHand + x + o + a - sold;
                  // Held safety stock and the free stock above it; holding counts only stock built
                  // above the free stock the plan has anyway, drawdown only what falls below what was held.
                  const held = Math.min(c.safetyStock, stock);
                  const natural = Math.max(0, Math.max(0, c.onHand - c.safetyStock) - c.demand);
                  const cost =
                    c.otCost * o +
                    c.altCost * a +
                    0.1 * Math.max(0, stock - held - natural) +
                    penalty * Math.max(0, Math.min(c.safetyStock, c.onHand) - held) +
                    margin * (c.demand - sold);
                  best = Math.min(best, cost);
                }
          // The LP also weighs each unit it supplies (LOST_UNIT_WEIGHT): it may spend up to that per unit on it.
          expect(plan.totalCost).toBeLessThanOrEqual(best + LOST_UNIT_WEIGHT * c.demand + 1e-6);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});

describe('least-cost supply mix, multi-month property', () => {
  it('is never worse than brute force over whole units across two months (pre-build, overtime, alternates)', async () => {
    const month = fc.record({
      demand: fc.integer({ min: 0, max: 5 }),
      capacity: fc.integer({ min: 0, max: 4 }),
      overtime: fc.integer({ min: 0, max: 2 }),
      altCap: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          months: fc.tuple(month, month),
          onHand: fc.integer({ min: 0, max: 2 }),
          safetyStock: fc.integer({ min: 0, max: 2 }),
          otCost: fc.integer({ min: 0, max: 5 }),
          altCost: fc.integer({ min: 0, max: 5 }),
          holding: fc.constantFrom(0.1, 0.5, 2),
          price: fc.integer({ min: 7, max: 12 }),
        }),
        async (c) => {
          const [m1, m2] = c.months;
          const plan = await planMix(solver, {
            periods: ['m1', 'm2'],
            families: [
              fam({
                demand: [m1.demand, m2.demand],
                onHand: c.onHand,
                safetyStock: c.safetyStock,
                unitPrice: c.price,
                holdingCostPerUnitMonth: c.holding,
              }),
            ],
            resources: [
              {
                resource: 'L1',
                capacity: [m1.capacity, m2.capacity],
                overtime: [m1.overtime, m2.overtime],
                overtimeCostPerUnit: [c.otCost, c.otCost],
              },
            ],
            routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
            alternates: [
              {
                family: 'A',
                option: 'alt',
                capacityPerMonth: Math.max(m1.altCap, m2.altCap),
                extraCostPerUnit: c.altCost,
                leadTimeMonths: 0,
              },
            ],
          });
          const margin = c.price - 6;
          const penalty = 0.1 * Math.max(margin, 1e-3);
          const altCap = Math.max(m1.altCap, m2.altCap);
          // Every whole-unit plan: production (regular then overtime), alternate units, units sold, per month.
          // Held safety stock (the natural part of the stock up to target), its high-water mark, and
          // the free stock the plan has anyway (on hand above target, run down by demand).
          const start = Math.min(c.safetyStock, c.onHand);
          const natural1 = Math.max(0, Math.max(0, c.onHand - c.safetyStock) - m1.demand);
          const natural2 = Math.max(0, natural1 - m2.demand);
          const monthCosts = (m: typeof m1, stock: number, high: number, natural: number) => {
            const out: { stock: number; high: number; cost: number }[] = [];
            for (let p = 0; p <= m.capacity + m.overtime; p++)
              for (let a = 0; a <= altCap; a++)
                for (let sold = 0; sold <= Math.min(m.demand, stock + p + a); sold++) {
                  const left = stock + p + a - sold;
                  const held = Math.min(c.safetyStock, left);
                  out.push({
                    stock: left,
                    high: Math.max(high, held),
                    cost:
                      c.otCost * Math.max(0, p - m.capacity) +
                      c.altCost * a +
                      c.holding * Math.max(0, left - held - natural) +
                      penalty * Math.max(0, high - held) +
                      margin * (m.demand - sold),
                  });
                }
            return out;
          };
          let best = Infinity;
          for (const first of monthCosts(m1, c.onHand, start, natural1))
            for (const second of monthCosts(m2, first.stock, first.high, natural2))
              best = Math.min(best, first.cost + second.cost);
          expect(plan.totalCost).toBeLessThanOrEqual(
            best + LOST_UNIT_WEIGHT * (m1.demand + m2.demand) + 1e-6,
          );
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });
});
