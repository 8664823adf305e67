import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { roughCutCheck, type SupplyFamily } from '../../src/domain/supply.js';

const fam = (over: Partial<SupplyFamily>): SupplyFamily => ({
  family: 'A',
  unitPrice: 10,
  unitCost: 6,
  safetyStock: 0,
  onHand: 0,
  demand: [100],
  ...over,
});

describe('rough-cut capacity check, known answers', () => {
  it('meets demand within capacity and reports the load', () => {
    const r = roughCutCheck(
      ['2027-03'],
      [fam({})],
      [{ resource: 'L1', capacity: [300], overtime: [0] }],
      [{ family: 'A', resource: 'L1', usagePerUnit: 2 }],
    );
    expect(r.loads).toEqual([
      {
        resource: 'L1',
        period: '2027-03',
        load: 200,
        capacity: 300,
        overtime: 0,
        utilization: 200 / 300,
        overload: 0,
      },
    ]);
    expect(r.families[0]).toMatchObject({
      demand: 100,
      production: 100,
      supplied: 100,
      shortfall: 0,
      inventory: 0,
    });
    expect(r.gaps).toEqual([]);
  });

  it('gives an overloaded line to the families with the most margin per hour of it, and costs the gap', () => {
    // A needs 100 x 1 h (margin 4 an hour), B 100 x 3 h (5 a unit, 1.67 an hour) = 400 h on a 200 h line:
    // A gets its 100 h, B the other 100 h (33.3 units).
    const r = roughCutCheck(
      ['2027-03'],
      [fam({}), fam({ family: 'B', unitPrice: 20, unitCost: 15 })],
      [{ resource: 'L1', capacity: [200], overtime: [100] }],
      [
        { family: 'A', resource: 'L1', usagePerUnit: 1 },
        { family: 'B', resource: 'L1', usagePerUnit: 3 },
      ],
    );
    expect(r.loads[0]).toMatchObject({ load: 400, overload: 200, utilization: 2 });
    expect(r.gaps).toEqual([
      {
        family: 'B',
        resource: 'L1',
        period: '2027-03',
        shortfallUnits: expect.closeTo(200 / 3, 9),
        revenueAtRisk: expect.closeTo(4000 / 3, 9),
        marginAtRisk: expect.closeTo(1000 / 3, 9),
      },
    ]);
    const withOvertime = roughCutCheck(
      ['2027-03'],
      [fam({}), fam({ family: 'B' })],
      [{ resource: 'L1', capacity: [200], overtime: [100] }],
      [
        { family: 'A', resource: 'L1', usagePerUnit: 1 },
        { family: 'B', resource: 'L1', usagePerUnit: 3 },
      ],
      { useOvertime: true },
    );
    // 300 h: A 100 h, B 200 h (66.7 units).
    expect(withOvertime.gaps.map((g) => [g.family, g.shortfallUnits])).toEqual([
      ['B', expect.closeTo(100 / 3, 9)],
    ]);
  });

  it('holds safety stock: an overload it could absorb is a gap, and the stock stays at target', () => {
    // 120 wanted of a 100-unit line, 50 on hand = the target: 20 short, not 20 drawn from safety stock.
    const r = roughCutCheck(
      ['2027-03', '2027-04'],
      [fam({ onHand: 50, safetyStock: 50, demand: [120, 80] })],
      [{ resource: 'L1', capacity: [100, 100], overtime: [0, 0] }],
      [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
    );
    expect(r.families.map((m) => [m.supplied, m.shortfall, m.inventory, m.safetyStockBelowTarget])).toEqual([
      [100, 20, 50, 0],
      [80, 0, 50, 0],
    ]);
    expect(r.gaps.map((g) => [g.period, g.shortfallUnits, g.resource])).toEqual([['2027-03', 20, 'L1']]);
  });

  it('serves demand before rebuilding safety stock, and rebuilds it from what capacity is left', () => {
    // Starts 60 under target; the line has 20 spare in March, 50 in April: 20 then 40 rebuilt, no sale lost.
    const r = roughCutCheck(
      ['2027-03', '2027-04'],
      [fam({ onHand: 0, safetyStock: 60, demand: [80, 50] })],
      [{ resource: 'L1', capacity: [100, 100], overtime: [0, 0] }],
      [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
    );
    expect(r.families.map((m) => [m.production, m.supplied, m.inventory, m.safetyStockBelowTarget])).toEqual([
      [100, 80, 20, 40],
      [90, 50, 60, 0],
    ]);
    expect(r.gaps).toEqual([]);
    // The load is what demand needs: the line is not over capacity.
    expect(r.loads.map((l) => l.load)).toEqual([80, 50]);
  });

  it('uses stock above safety stock as demand comes, and cannot hold it back for a later peak', () => {
    // 150 on hand, target 50: the 100 free go to March's demand; April's peak is short on the 100-unit line.
    const r = roughCutCheck(
      ['2027-03', '2027-04'],
      [fam({ onHand: 150, safetyStock: 50, demand: [100, 160] })],
      [{ resource: 'L1', capacity: [100, 100], overtime: [0, 0] }],
      [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
    );
    expect(r.families.map((m) => [m.production, m.supplied, m.inventory])).toEqual([
      [0, 100, 50],
      [100, 100, 50],
    ]);
    expect(r.gaps.map((g) => g.shortfallUnits)).toEqual([60]);
  });

  it('draws on stock first and rebuilds safety stock when capacity allows', () => {
    const r = roughCutCheck(
      ['2027-03', '2027-04'],
      [fam({ onHand: 150, safetyStock: 50, demand: [100, 100] })],
      [{ resource: 'L1', capacity: [1000, 1000], overtime: [0, 0] }],
      [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
    );
    expect(r.families.map((m) => [m.production, m.inventory])).toEqual([
      [0, 50],
      [100, 50],
    ]);
  });
});

describe('rough-cut capacity check, properties', () => {
  it('conserves units (demand = supplied + shortfall) and never loads a resource past what it has', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            demand: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
            onHand: fc.integer({ min: 0, max: 500 }),
            safetyStock: fc.integer({ min: 0, max: 200 }),
            usage: fc.double({ min: 0.1, max: 5, noNaN: true }),
            line: fc.integer({ min: 0, max: 1 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 2, maxLength: 2 }),
        (specs, caps) => {
          const families = specs.map((s, i) =>
            fam({ family: `F${i}`, demand: s.demand, onHand: s.onHand, safetyStock: s.safetyStock }),
          );
          const resources = caps.map((c, i) => ({
            resource: `L${i}`,
            capacity: [c, c, c],
            overtime: [0, 0, 0],
          }));
          const routing = specs.map((s, i) => ({
            family: `F${i}`,
            resource: `L${s.line}`,
            usagePerUnit: s.usage,
          }));
          const r = roughCutCheck(['m1', 'm2', 'm3'], families, resources, routing);
          for (const m of r.families) {
            expect(m.supplied + m.shortfall).toBeCloseTo(m.demand, 6);
            expect(m.shortfall).toBeGreaterThanOrEqual(0);
            expect(m.inventory).toBeGreaterThanOrEqual(-1e-9);
          }
          for (const [t, period] of ['m1', 'm2', 'm3'].entries()) {
            for (const res of resources) {
              const used = r.families
                .filter((m) => m.period === period)
                .reduce(
                  (s, m) =>
                    s +
                    m.production *
                      (routing.find((x) => x.family === m.family && x.resource === res.resource)
                        ?.usagePerUnit ?? 0),
                  0,
                );
              expect(used).toBeLessThanOrEqual(res.capacity[t]! + 1e-6);
            }
          }
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});
