/**
 * One supply model (issue 12), as properties over random small companies (1-4 resources, 1-6
 * families, 3-8 months; random capacity, overtime, demand, stock, safety stock, routing and
 * alternates), each planned end to end as the pack plans it: the rough-cut check, the clusters of
 * tight resources, every option costed by the real LP (HiGHS), the trade-offs, the channel card.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluate } from '../../src/app/packs.js';
import { highsSolver, planMix } from '../../src/app/solver.js';
import { presentPack } from '../../src/cards/presenters/packs.js';
import { LEVER_SETS, safetyStockBelowTarget, type PlanModel } from '../../src/domain/plan.js';
import { LOST_UNIT_WEIGHT, unitMargin } from '../../src/domain/supply.js';
import { expectComplete } from '../helpers/sentences.js';

const solver = highsSolver();

const company = fc
  .record({
    T: fc.integer({ min: 3, max: 8 }),
    R: fc.integer({ min: 1, max: 4 }),
    F: fc.integer({ min: 1, max: 6 }),
  })
  .chain(({ T, R, F }) => {
    const months = (min: number, max: number) =>
      fc.array(fc.integer({ min, max }), { minLength: T, maxLength: T });
    return fc.record({
      T: fc.constant(T),
      resources: fc.array(
        fc.record({
          capacity: months(0, 400),
          overtime: months(0, 120),
          overtimeCost: fc.constantFrom(0, 0.5, 2, 6),
          name: fc.constantFrom('', 'Packaging line', 'Filler', 'Supplier'),
        }),
        { minLength: R, maxLength: R },
      ),
      families: fc.array(
        fc.record({
          demand: months(0, 300),
          price: fc.integer({ min: 1, max: 30 }),
          costShare: fc.constantFrom(0.3, 0.6, 0.9, 1.1),
          safetyStock: fc.constantFrom(0, 0, 20, 80, 150),
          onHand: fc.constantFrom(0, 30, 100, 250),
          holding: fc.constantFrom(0, 0.05, 0.3, 1),
          // Per resource: not used, or the usage per unit.
          routes: fc.array(fc.constantFrom(0, 0, 0.5, 1, 1.5, 3), { minLength: R, maxLength: R }),
          alternate: fc.option(
            fc.record({
              option: fc.constantFrom('alternate_source', 'modal_shift', ''),
              capacity: fc.integer({ min: 0, max: 80 }),
              cost: fc.constantFrom(0, 1, 4, 10),
              lead: fc.integer({ min: 0, max: 2 }),
            }),
            { nil: undefined },
          ),
          name: fc.constantFrom('', 'Oat Drink 1L', 'Juice'),
        }),
        { minLength: F, maxLength: F },
      ),
    });
  });

type Company = typeof company extends fc.Arbitrary<infer C> ? C : never;

function modelOf(c: Company): PlanModel {
  const periods = Array.from({ length: c.T }, (_, t) => `2027-${String(t + 1).padStart(2, '0')}`);
  const families = c.families.map((f, i) => ({
    family: `F${i}`,
    unitPrice: f.price,
    unitCost: f.price * f.costShare,
    safetyStock: f.safetyStock,
    onHand: f.onHand,
    holdingCostPerUnitMonth: f.holding,
    demand: f.demand,
  }));
  return {
    periods,
    families,
    resources: c.resources.map((r, j) => ({
      resource: `R${j}`,
      capacity: r.capacity,
      overtime: r.overtime,
      overtimeCostPerUnit: r.capacity.map(() => r.overtimeCost),
    })),
    resourceInfo: c.resources.map((r) => ({ name: r.name, kind: 'line' })),
    routing: c.families.flatMap((f, i) =>
      f.routes.flatMap((u, j) => (u > 0 ? [{ family: `F${i}`, resource: `R${j}`, usagePerUnit: u }] : [])),
    ),
    alternates: c.families.flatMap((f, i) =>
      f.alternate
        ? [
            {
              family: `F${i}`,
              option: f.alternate.option,
              capacityPerMonth: f.alternate.capacity,
              extraCostPerUnit: f.alternate.cost,
              leadTimeMonths: f.alternate.lead,
            },
          ]
        : [],
    ),
    names: Object.fromEntries(c.families.map((f, i) => [`F${i}`, f.name])),
    p10: families.map((f) => f.demand),
    p90: families.map((f) => f.demand),
  };
}

/**
 * The oracle, from the stated policy alone: what each family needs made each month (demand less
 * the stock above safety stock still there), and the load that puts on each resource.
 */
function loadsOf(m: PlanModel) {
  const T = m.periods.length;
  const need = m.families.map((f) => {
    let free = Math.max(0, f.onHand - f.safetyStock);
    return f.demand.map((d) => {
      const fromStock = Math.min(d, free);
      free -= fromStock;
      return d - fromStock;
    });
  });
  const fIndex = new Map(m.families.map((f, i) => [f.family, i]));
  return m.resources.map((r) => {
    const routes = m.routing.filter((x) => x.resource === r.resource);
    const maxUsage = Math.max(0, ...routes.map((x) => x.usagePerUnit));
    return Array.from({ length: T }, (_, t) => ({
      load: routes.reduce((s, x) => s + x.usagePerUnit * need[fIndex.get(x.family)!]![t]!, 0),
      capacity: r.capacity[t]!,
      overtime: r.overtime[t]!,
      maxUsage,
      users: routes.map((x) => fIndex.get(x.family)!),
    }));
  });
}

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe('one supply model, over random small companies (real LP)', () => {
  it('states one gap before levers, which every option only narrows, in complete sentences', async () => {
    let withGap = 0;
    let singleBottleneck = 0;
    await fc.assert(
      fc.asyncProperty(company, async (c) => {
        const m = modelOf(c);
        const ev = await evaluate(solver, m, [], { frame: true });
        const gap = ev.outcome.gapUnits;
        const loads = loadsOf(m);

        // 1. A resource-month loaded past capacity and overtime, that the stock above safety stock
        //    cannot cover, is a gap; and the gap is at least what the worst overload of each month
        //    cannot make (each unit short frees at most the largest usage per unit of time).
        const beyond = loads.some((row) => row.some((l) => l.load > l.capacity + l.overtime + 1e-6));
        if (beyond) expect(gap).toBeGreaterThan(0);
        let atLeast = 0;
        for (let t = 0; t < m.periods.length; t++)
          atLeast += Math.max(
            0,
            ...loads.map((row) =>
              row[t]!.maxUsage > 0 ? (row[t]!.load - row[t]!.capacity) / row[t]!.maxUsage : 0,
            ),
          );
        expect(gap).toBeGreaterThanOrEqual(atLeast - 1e-6);
        if (gap > 0) withGap++;

        // 2. The headline, the gaps list, the trade-offs' gaps and the "accept the shortfall" options agree.
        const listed = ev.plain.gaps.reduce((s, g) => s + g.shortfallUnits, 0);
        expect(gap).toBe(listed);
        expect(
          close(
            ev.outcome.marginAtRisk,
            ev.plain.gaps.reduce((s, g) => s + g.marginAtRisk, 0),
          ),
        ).toBe(true);
        const accepts = ev.tradeoffs.map((t) => t.options.find((o) => o.key === 'accept-shortfall')!);
        expect(accepts.every(Boolean)).toBe(true);
        expect(
          close(
            ev.tradeoffs.reduce((s, t) => s + t.gap.shortfallUnits, 0),
            gap,
          ),
        ).toBe(true);
        expect(
          close(
            accepts.reduce((s, o) => s + o.shortfallUnits, 0),
            gap,
          ),
        ).toBe(true);
        expect(
          close(
            accepts.reduce((s, o) => s + o.lostMargin, 0),
            ev.outcome.marginAtRisk,
          ),
        ).toBe(true);
        expect(ev.tradeoffs.length > 0).toBe(gap > 0);
        for (const t of ev.tradeoffs) {
          const accept = t.options.find((o) => o.key === 'accept-shortfall')!;
          expect(accept.shortfallUnits).toBe(t.gap.shortfallUnits);
          expect(accept.lostMargin).toBe(t.gap.marginAtRisk);
          expect(t.gap.shortfallUnits).toBeGreaterThan(0);
          // Accepting the shortfall uses no lever.
          expect(accept.cost).toBe(0);
          expect(accept.levers).toEqual({
            overtimeUnits: 0,
            alternates: {},
            prebuildUnitMonths: 0,
            safetyStockDrawdownUnitMonths: 0,
          });
          for (const o of t.options) {
            // 3. No option leaves more short than the gap; one that "closes the gap" leaves nothing short.
            expect(o.shortfallUnits).toBeLessThanOrEqual(t.gap.shortfallUnits + 1e-6);
            expect(o.feasibility === 'closes the gap').toBe(o.shortfallUnits === 0);
            expect(o.shortfallUnits).toBeGreaterThanOrEqual(0);
          }
          expect(t.options.filter((o) => o.recommended)).toHaveLength(1);
        }
        // The check's plan itself: units and stock conserved, within regular capacity, safety stock
        // below target counted apart (between 0 and the target).
        const fIndex = new Map(m.families.map((f, i) => [f.family, i]));
        const stock = m.families.map((f) => Math.max(0, f.onHand));
        const used = m.resources.map(() => m.periods.map(() => 0));
        ev.plain.families.forEach((fm, k) => {
          const i = fIndex.get(fm.family)!;
          const t = Math.floor(k / m.families.length);
          const f = m.families[i]!;
          expect(fm.supplied).toBeLessThanOrEqual(fm.demand + 1e-9);
          expect(fm.supplied + fm.shortfall).toBeCloseTo(fm.demand, 9);
          expect(fm.inventory).toBeCloseTo(stock[i]! + fm.production - fm.supplied, 6);
          stock[i] = fm.inventory;
          expect(fm.safetyStockBelowTarget).toBeGreaterThanOrEqual(-1e-9);
          expect(fm.safetyStockBelowTarget).toBeLessThanOrEqual(f.safetyStock + 1e-9);
          for (const r of m.routing.filter((x) => x.family === fm.family))
            used[m.resources.findIndex((x) => x.resource === r.resource)]![t]! +=
              fm.production * r.usagePerUnit;
        });
        used.forEach((row, j) =>
          row.forEach((u, t) => expect(u).toBeLessThanOrEqual(m.resources[j]!.capacity[t]! + 1e-6)),
        );
        expect(safetyStockBelowTarget(ev.plain).units).toBeGreaterThanOrEqual(0);

        // 4. The check is the LP's plan with no lever: never better than the LP's optimum, and equal
        //    to it wherever each family meets at most one overloaded resource a month.
        const noLever = await planMix(solver, m, LEVER_SETS['accept-shortfall']);
        const weighted = (units: number, margin: number) => margin + LOST_UNIT_WEIGHT * units;
        const checkLoss = ev.plain.gaps.reduce(
          (s, g) =>
            s +
            g.shortfallUnits *
              (unitMargin(m.families.find((f) => f.family === g.family)!) + LOST_UNIT_WEIGHT),
          0,
        );
        const lpLoss = weighted(noLever.lostSales.units, noLever.lostSales.margin);
        expect(lpLoss).toBeLessThanOrEqual(checkLoss + 1e-6 * Math.max(1, checkLoss));
        const single = m.periods.every((_, t) =>
          m.families.every(
            (_f, i) =>
              loads.filter((row) => row[t]!.users.includes(i) && row[t]!.load > row[t]!.capacity).length <= 1,
          ),
        );
        if (single) {
          singleBottleneck++;
          expect(close(lpLoss, checkLoss, 1e-5)).toBe(true);
        }

        // 5. Every title and sentence is complete: the trade-offs and the channel card.
        const card = presentPack({
          month: '2026-12',
          version: 1,
          datasetVersion: 1,
          summary: {
            revenue: ev.financials.revenue,
            margin: ev.financials.margin,
            marginPercent: ev.financials.marginPercent,
            gapUnits: gap,
            marginAtRisk: ev.outcome.marginAtRisk,
            safetyStockBelowTarget: safetyStockBelowTarget(ev.plain).units,
            fillRate: ev.outcome.fillRate,
          },
          gaps: ev.plain.gaps.map((g) => ({ ...g, familyName: m.names[g.family] || g.family })),
          tradeoffs: ev.tradeoffs,
          chart: null,
          htmlUrl: 'https://accord.example/pack.html',
        });
        expectComplete([
          ...ev.tradeoffs.flatMap((t) => [
            t.title,
            t.question,
            t.rationale,
            ...t.options.map((o) => o.label),
          ]),
          card.summary,
          ...card.blocks.flatMap((b) =>
            b.type === 'text' || b.type === 'header'
              ? [b.text]
              : b.type === 'fields'
                ? b.fields.flatMap((f) => [f.label, f.value])
                : [],
          ),
        ]);
      }),
      { numRuns: 150, seed: 12 },
    );
    // The generator reaches the cases that matter.
    expect(withGap).toBeGreaterThan(50);
    expect(singleBottleneck).toBeGreaterThan(50);
  });
});
