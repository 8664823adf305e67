/** The planning model behind the pack, on small hand-computed cases (the LP by the real HiGHS solver). */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { highsSolver, planMixGroups } from '../../src/app/solver.js';
import {
  applyWhatIf,
  baselines,
  check,
  consensus,
  effectiveCapacity,
  financials,
  frameTradeoff,
  horizonPeriods,
  leverOptions,
  mergeClusters,
  planModel,
  tightClusters,
  type PlanData,
} from '../../src/domain/plan.js';

const family = (id: string, over: Partial<PlanData['families'][number]> = {}) => ({
  family: id,
  name: `Family ${id}`,
  unitPrice: 10,
  unitCost: 6,
  safetyStock: 0,
  holdingCost: 0.1,
  ...over,
});

/** Flat history at `level` for 24 months to 2026-12, so every method forecasts `level`. */
const flat = (id: string, level: number) =>
  Array.from({ length: 24 }, (_, k) => ({
    family: id,
    period: `${2025 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`,
    shipments: level,
  }));

function data(over: Partial<PlanData> = {}): PlanData {
  return {
    families: [family('A'), family('B', { unitPrice: 20, unitCost: 10 }), family('C')],
    history: [...flat('A', 100), ...flat('B', 100), ...flat('C', 50)],
    inventory: [],
    resources: [
      { resource: 'L1', name: 'Line 1', kind: 'line' },
      { resource: 'L2', name: 'Line 2', kind: 'line' },
      { resource: 'S1', name: 'Supplier 1', kind: 'supplier' },
    ],
    capacity: [
      { resource: 'L1', period: '2027-01', capacity: 150, overtime: 30, overtimeCost: 1 },
      { resource: 'L2', period: '2027-01', capacity: 1000, overtime: 0, overtimeCost: 0 },
      { resource: 'S1', period: '2027-01', capacity: 260, overtime: 0, overtimeCost: 0 },
    ],
    routing: [
      { family: 'A', resource: 'L1', usagePerUnit: 1 },
      { family: 'B', resource: 'L1', usagePerUnit: 1 },
      { family: 'C', resource: 'L2', usagePerUnit: 1 },
      { family: 'A', resource: 'S1', usagePerUnit: 1 },
      { family: 'C', resource: 'S1', usagePerUnit: 1 },
    ],
    alternates: [
      {
        family: 'A',
        option: 'alternate_source',
        capacityPerMonth: 20,
        extraCostPerUnit: 1,
        leadTimeMonths: 0,
      },
    ],
    ...over,
  };
}

const periods = horizonPeriods('2026-12', 2);

function modelOf(d: PlanData, constraints: Parameters<typeof effectiveCapacity>[2] = []) {
  const base = baselines(d, periods);
  return planModel(
    d,
    periods,
    base,
    consensus(periods, base, []),
    effectiveCapacity(d, periods, constraints),
  );
}

describe('the planning horizon and the baseline', () => {
  it('plans the months after the cycle month', () => {
    expect(horizonPeriods('2026-11', 3)).toEqual(['2026-12', '2027-01', '2027-02']);
  });

  it('forecasts each family from its history, skipping months not yet closed', () => {
    const d = data();
    // A month inside the horizon in the history is not used to forecast it.
    d.history.push({ family: 'A', period: '2027-01', shipments: 9999 });
    const base = baselines(d, periods);
    expect(base.map((b) => b.forecast.p50.map(Math.round))).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
    for (const b of base) expect(b.history.at(-1)!.period).toBe('2026-12');
  });
});

describe('capacity with supply inputs', () => {
  it('carries the latest capacity row forward and leaves out resources without any', () => {
    const d = data({
      resources: [...data().resources, { resource: 'W1', name: 'Warehouse', kind: 'warehouse' }],
      capacity: [
        ...data().capacity,
        { resource: 'L1', period: '2027-02', capacity: 120, overtime: 30, overtimeCost: 1 },
      ],
    });
    const c = effectiveCapacity(d, periods, []);
    expect(c.resources.find((r) => r.resource === 'L1')!.capacity).toEqual([150, 120]);
    expect(c.resources.map((r) => r.resource)).not.toContain('W1');
    expect(c.warnings).toEqual(['resource W1 has no capacity rows; it is not checked']);
  });

  it('applies percent and unit changes and supplier limits, each with its author and reason', () => {
    const who = { function: 'operations', author: 'Olga', reason: 'maintenance' };
    const c = effectiveCapacity(data(), periods, [
      {
        ...who,
        resource: 'L1',
        from: '2027-02',
        to: '2027-02',
        capacityChange: { type: 'percent', value: -10 },
      },
      {
        ...who,
        resource: 'L1',
        from: '2027-02',
        to: '2027-02',
        capacityChange: { type: 'percent', value: -10 },
      },
      {
        ...who,
        resource: 'L2',
        from: '2027-01',
        to: '2027-02',
        capacityChange: { type: 'units', value: 50 },
      },
      {
        ...who,
        author: 'Pia',
        resource: 'S1',
        from: '2027-01',
        to: '2027-01',
        supplierLimit: 200,
        reason: 'allocation',
      },
      {
        ...who,
        resource: 'alternate_source',
        from: '2027-01',
        to: '2027-02',
        leadTimeChangeDays: 60,
        reason: 'port',
      },
      { ...who, resource: 'XX', from: '2027-01', to: '2027-01', supplierLimit: 1 },
    ]);
    const cap = (r: string) => c.resources.find((x) => x.resource === r)!.capacity;
    // Two -10% cuts are each taken on the dataset's 150: 150 - 15 - 15.
    expect(cap('L1')).toEqual([150, 120]);
    expect(cap('L2')).toEqual([1050, 1050]);
    expect(cap('S1')).toEqual([200, 260]);
    expect(c.alternates[0]!.leadTimeMonths).toBe(2);
    expect(c.changes.find((x) => x.resource === 'L1')).toEqual({
      resource: 'L1',
      period: '2027-02',
      base: 150,
      steps: [
        { function: 'operations', author: 'Olga', delta: -15, reason: 'maintenance' },
        { function: 'operations', author: 'Olga', delta: -15, reason: 'maintenance' },
      ],
      effective: 120,
    });
    expect(c.changes.find((x) => x.resource === 'S1')!.steps[0]).toMatchObject({ author: 'Pia', delta: -60 });
    expect(c.warnings).toEqual([expect.stringContaining('names XX, which is not in the dataset')]);
  });
});

describe('tight resources and trade-offs', () => {
  it('groups the families of an overloaded resource, with shared capacity net of everyone else', () => {
    const m = modelOf(data());
    const plain = check(m);
    // L1: A 100 + B 100 = 200 > 150 in both months. S1 (shared with C) is not tight: 150 <= 260.
    const clusters = tightClusters(m, plain);
    expect(clusters.map((c) => [c.resources, c.families])).toEqual([[['L1'], ['A', 'B']]]);
    const s1 = clusters[0]!.model.resources.find((r) => r.resource === 'S1')!;
    expect(s1.capacity.map(Math.round)).toEqual([210, 210]); // 260 less C's 50
    expect(clusters[0]!.gaps.reduce((s, g) => s + g.shortfallUnits, 0)).toBeCloseTo(100, 6);
  });

  it('costs each option and recommends the cheapest in total: overtime and the alternate beat lost margin', async () => {
    const m = modelOf(data());
    const clusters = tightClusters(m, check(m));
    const c = clusters[0]!;
    const options = leverOptions(c);
    expect(options.map((o) => o.key)).toEqual([
      'accept-shortfall',
      'overtime',
      'alternates',
      'prebuild',
      'mix',
    ]);
    const merged = mergeClusters(clusters);
    const solver = highsSolver();
    const results = [];
    for (const option of options)
      results.push({
        option,
        plan: (await planMixGroups(solver, merged, option.levers, [new Set(c.families)]))[0]!,
      });
    const t = frameTradeoff(c, results, m.names, { L1: 'Line 1' });
    expect(t.key).toBe('capacity:L1');
    expect(t.options.length).toBeGreaterThanOrEqual(2);
    expect(t.options.length).toBeLessThanOrEqual(4);
    const byKey = Object.fromEntries(t.options.map((o) => [o.key, o]));
    // Accepting: 50 units short a month, A (margin 4) gives way to B (margin 10): 100 x 4 = 400 lost.
    expect(byKey['accept-shortfall']).toMatchObject({ cost: 0, shortfallUnits: expect.closeTo(100, 6) });
    expect(byKey['accept-shortfall']!.lostMargin).toBeCloseTo(400, 6);
    // The mix: 30 overtime at 1 + 20 alternate at 1 a month closes the gap for 100.
    const rec = t.options.find((o) => o.recommended)!;
    expect(rec.key).toBe(t.recommended);
    expect(rec.shortfallUnits).toBeCloseTo(0, 6);
    expect(rec.cost).toBeCloseTo(100, 6);
    expect(rec.feasibility).toBe('closes the gap');
    expect(t.rationale).toContain('closes the gap');
  });
});

describe('financials and what-ifs', () => {
  it('counts revenue and cost on what is supplied, plus lever spend, against targets', () => {
    const m = modelOf(data());
    const fin = financials(m, [{ family: 'A', period: '2027-01', units: 10 }], 25, [
      { period: '2027-01', revenue: 4000, marginPercent: 40 },
    ]);
    // Jan: A 90 x 10 + B 100 x 20 + C 50 x 10 = 3,400 revenue; cost 540 + 1000 + 300 = 1,840.
    expect(fin.byPeriod[0]).toMatchObject({
      revenue: 3400,
      cost: 1840,
      revenueTarget: 4000,
      marginPercentTarget: 40,
    });
    expect(fin.revenue).toBeCloseTo(3400 + 3500, 6);
    expect(fin.cost).toBeCloseTo(1840 + 1900 + 25, 6);
    expect(fin.lostRevenue).toBeCloseTo(100, 6);
    expect(fin.target).toMatchObject({ revenue: 4000, revenueGap: -600, marginPercent: 40 });
  });

  it('changes only the families, months and resources it names', () => {
    const m = modelOf(data());
    const w = applyWhatIf(m, {
      name: 'x',
      demand: [{ families: ['A'], from: '2027-02', percent: 10 }],
      capacity: [{ resource: 'L1', to: '2027-01', percent: -20 }],
      costs: [{ kind: 'overtime', percent: 50 }],
    });
    expect(w.families[0]!.demand.map(Math.round)).toEqual([100, 110]);
    expect(w.families[1]!.demand.map(Math.round)).toEqual([100, 100]);
    expect(w.resources[0]!.capacity).toEqual([120, 150]);
    expect(w.resources[0]!.overtimeCostPerUnit).toEqual([1.5, 1.5]);
    expect(m.families[0]!.demand.map(Math.round)).toEqual([100, 100]); // the base model is untouched
  });

  it('keeps units conserved and P10 <= consensus <= P90 in any model built from data', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 30, maxLength: 30 }), (values) => {
        const d = data({
          families: [family('A')],
          history: values.map((v, k) => ({
            family: 'A',
            period: `${2024 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`,
            shipments: v,
          })),
          routing: [{ family: 'A', resource: 'L1', usagePerUnit: 1 }],
          alternates: [],
        });
        const longer = horizonPeriods('2026-06', 6);
        const base = baselines(d, longer);
        const m = planModel(d, longer, base, consensus(longer, base, []), effectiveCapacity(d, longer, []));
        m.families[0]!.demand.forEach((q, t) => {
          expect(m.p10[0]![t]!).toBeLessThanOrEqual(q + 1e-9);
          expect(q).toBeLessThanOrEqual(m.p90[0]![t]! + 1e-9);
        });
        for (const fm of check(m).families) expect(fm.supplied + fm.shortfall).toBeCloseTo(fm.demand, 6);
      }),
      { numRuns: 40, seed: 9 },
    );
  });
});
