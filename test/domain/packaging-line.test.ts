/**
 * Regression (issue 12): a shared packaging line loaded above capacity in 9 of 18 plan months. The
 * pack's headline, its gaps list, the trade-off's gap and the "accept the shortfall" option must
 * state the same gap before levers, and the trade-off's title must be complete.
 */
import { describe, expect, it } from '@jest/globals';
import { evaluate } from '../../src/app/packs.js';
import { highsSolver } from '../../src/app/solver.js';
import { horizonPeriods, type PlanModel } from '../../src/domain/plan.js';

const periods = horizonPeriods('2026-12', 18);
/** Peak months (odd ones) need 3,250 units of the packaging line's 3,000; the others 2,700. */
const peak = (t: number) => t % 2 === 1;
const demand = (quiet: number, busy: number) => periods.map((_, t) => (peak(t) ? busy : quiet));

export function packagingCompany(): PlanModel {
  const families = [
    { family: 'JUICE', unitPrice: 3.2, unitCost: 1.9, safetyStock: 400, onHand: 600, d: demand(1200, 1450) },
    { family: 'SODA', unitPrice: 2.4, unitCost: 1.5, safetyStock: 300, onHand: 300, d: demand(900, 1100) },
    { family: 'WATER', unitPrice: 1.2, unitCost: 0.7, safetyStock: 300, onHand: 300, d: demand(600, 700) },
  ];
  const flat = (v: number) => periods.map(() => v);
  const resources = [
    { resource: 'PACK', name: 'Packaging line', capacity: flat(3000), overtime: flat(300), cost: 0.25 },
    { resource: 'FILL-1', name: 'Filler 1', capacity: flat(2500), overtime: flat(0), cost: 0 },
    { resource: 'FILL-2', name: 'Filler 2', capacity: flat(2500), overtime: flat(0), cost: 0 },
  ];
  return {
    periods,
    families: families.map(({ d, ...f }) => ({ ...f, holdingCostPerUnitMonth: 0.02, demand: d })),
    resources: resources.map((r) => ({
      resource: r.resource,
      capacity: r.capacity,
      overtime: r.overtime,
      overtimeCostPerUnit: flat(r.cost),
    })),
    resourceInfo: resources.map((r) => ({ name: r.name, kind: 'line' })),
    routing: [
      { family: 'JUICE', resource: 'PACK', usagePerUnit: 1 },
      { family: 'SODA', resource: 'PACK', usagePerUnit: 1 },
      { family: 'WATER', resource: 'PACK', usagePerUnit: 1 },
      { family: 'JUICE', resource: 'FILL-1', usagePerUnit: 1 },
      { family: 'SODA', resource: 'FILL-2', usagePerUnit: 1 },
      { family: 'WATER', resource: 'FILL-2', usagePerUnit: 1 },
    ],
    alternates: [],
    names: { JUICE: 'Juice 1 l', SODA: 'Soda 0.5 l', WATER: 'Water 1.5 l' },
    p10: families.map((f) => f.d),
    p90: families.map((f) => f.d),
  };
}

describe('the packaging line loaded above capacity in 9 of 18 months', () => {
  it('shows one gap before levers: headline = gaps = trade-off gap = the accept option', async () => {
    const m = packagingCompany();
    const ev = await evaluate(highsSolver(), m, [], {
      frame: true,
      resourceNames: { PACK: 'Packaging line', 'FILL-1': 'Filler 1', 'FILL-2': 'Filler 2' },
    });
    const overloaded = new Set(
      ev.plain.loads.filter((l) => l.resource === 'PACK' && l.load > l.capacity).map((l) => l.period),
    );
    expect(overloaded.size).toBe(9);
    const gaps = ev.plain.gaps.reduce((s, g) => s + g.shortfallUnits, 0);
    const margin = ev.plain.gaps.reduce((s, g) => s + g.marginAtRisk, 0);
    expect(ev.outcome.gapUnits).toBe(gaps);
    expect(ev.outcome.marginAtRisk).toBe(margin);
    expect(ev.tradeoffs).toHaveLength(1);
    const t = ev.tradeoffs[0]!;
    const accept = t.options.find((o) => o.key === 'accept-shortfall')!;
    // The numbers the issue reported: "0 units; margin at risk 0" against 6,696 units short.
    expect({ headline: gaps, tradeoff: t.gap.shortfallUnits, accept: accept.shortfallUnits }).toEqual({
      headline: expect.any(Number),
      tradeoff: gaps,
      accept: gaps,
    });
    expect(gaps).toBeGreaterThan(0);
    expect(t.gap.marginAtRisk).toBeCloseTo(margin, 9);
    expect(accept.lostMargin).toBeCloseTo(margin, 9);
    // Accepting the shortfall uses no lever.
    expect(accept.cost).toBe(0);
    expect(accept.levers).toMatchObject({ overtimeUnits: 0, alternates: {}, prebuildUnitMonths: 0 });
    expect(t.title).toMatch(/^Packaging line: \d[\d,]* units short, \d{4}-\d{2} to \d{4}-\d{2}$/);
  });
});
