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

  it('rations an overloaded line in proportion and costs the gap', () => {
    // A needs 100 x 1 h, B 100 x 3 h = 400 h on a 200 h line: each gets half.
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
        family: 'A',
        resource: 'L1',
        period: '2027-03',
        shortfallUnits: 50,
        revenueAtRisk: 500,
        marginAtRisk: 200,
      },
      {
        family: 'B',
        resource: 'L1',
        period: '2027-03',
        shortfallUnits: 50,
        revenueAtRisk: 1000,
        marginAtRisk: 250,
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
    expect(withOvertime.gaps.map((g) => g.shortfallUnits)).toEqual([25, 25]);
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
