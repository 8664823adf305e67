/**
 * The supply-mix LP of a big cluster solved through small LPs (src/domain/aggregate.ts), against
 * the full LP, both by the real HiGHS solver, on random clusters framed as the pack frames them
 * (the rough-cut check, the clusters of tight resources, their no-lever floors): the plan is
 * feasible for the full model, and its cost is the full LP's optimum.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  highsSolver,
  planMix,
  planMixGroups,
  PRICED_FROM_FAMILIES,
  type LpSolver,
} from '../../src/app/solver.js';
import { bestCycle, noLeverValues, planMixPriced, type SolveLp } from '../../src/domain/aggregate.js';
import {
  buildMixModel,
  naturalFreeStock,
  type MixInput,
  type MixLevers,
  type MixValues,
} from '../../src/domain/mix.js';
import { check, LEVER_SETS, mergeClusters, tightClusters, type PlanModel } from '../../src/domain/plan.js';
import { LOST_UNIT_WEIGHT, SHORT_EPSILON } from '../../src/domain/supply.js';

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

const solver = highsSolver();
const solve: SolveLp = (lp) => solver.solve(lp);
const KEYS = ['overtime', 'alternates', 'prebuild', 'mix'] as const;

const companyOf = (families: { min: number; max: number }) =>
  fc
    .record({
      T: fc.integer({ min: 3, max: 8 }),
      R: fc.integer({ min: 1, max: 3 }),
      F: fc.integer(families),
    })
    .chain(({ T, R, F }) => {
      const months = (min: number, max: number) =>
        fc.array(fc.integer({ min, max }), { minLength: T, maxLength: T });
      return fc.record({
        T: fc.constant(T),
        resources: fc.array(
          fc.record({
            // Per family: capacity per month near what an average family needs, so some months are tight.
            capacity: months(20 * F, 90 * F),
            overtime: months(0, 20 * F),
            overtimeCost: fc.constantFrom(0, 0.5, 2, 6),
          }),
          { minLength: R, maxLength: R },
        ),
        families: fc.array(
          fc.record({
            demand: months(0, 120),
            price: fc.integer({ min: 1, max: 30 }),
            costShare: fc.constantFrom(0.3, 0.6, 0.9, 1.1),
            safetyStock: fc.constantFrom(0, 0, 20, 60),
            onHand: fc.constantFrom(0, 10, 40, 150),
            holding: fc.constantFrom(0, 0.05, 0.3, 1),
            // Per resource: not used, or the usage per unit (every family uses at least the first).
            routes: fc.array(fc.constantFrom(0, 0.5, 1, 1.5), { minLength: R, maxLength: R }),
            alternates: fc.array(
              fc.record({
                option: fc.constantFrom('alternate_source', 'modal_shift'),
                capacity: fc.integer({ min: 0, max: 60 }),
                cost: fc.constantFrom(0, 1, 4, 10),
                lead: fc.integer({ min: 0, max: 2 }),
              }),
              { maxLength: 2 },
            ),
          }),
          { minLength: F, maxLength: F },
        ),
      });
    });

const company = companyOf({ min: 3, max: 30 });
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
    resourceInfo: c.resources.map(() => ({ name: 'Line', kind: 'line' })),
    routing: c.families.flatMap((f, i) =>
      f.routes.flatMap((u, j) =>
        u > 0 || j === 0 ? [{ family: `F${i}`, resource: `R${j}`, usagePerUnit: u || 1 }] : [],
      ),
    ),
    alternates: c.families.flatMap((f, i) =>
      f.alternates.map((a) => ({
        family: `F${i}`,
        option: a.option,
        capacityPerMonth: a.capacity,
        extraCostPerUnit: a.cost,
        leadTimeMonths: a.lead,
      })),
    ),
    names: {},
    p10: families.map((f) => f.demand),
    p90: families.map((f) => f.demand),
  };
}

/**
 * The model's constraints restated from the supply model (src/domain/mix.ts's comment), not from
 * its LP text: every violation found, with a relative tolerance.
 */
function violations(input: MixInput, levers: MixLevers, v: MixValues): string[] {
  const T = input.periods.length;
  const out: string[] = [];
  const tol = (scale: number) => 1e-6 * (1 + Math.abs(scale));
  const atLeast = (what: string, a: number, b: number) => {
    if (a < b - tol(b)) out.push(`${what}: ${a} < ${b}`);
  };
  input.families.forEach((f, i) => {
    const s = v.families[i]!;
    const ss = Math.max(0, f.safetyStock);
    const heldAtStart = Math.min(ss, Math.max(0, f.onHand));
    const natural = naturalFreeStock(f, T);
    const alts = input.alternates.flatMap((a, k) => (a.family === f.family ? [{ a, k }] : []));
    for (let t = 0; t < T; t++) {
      const d = Math.max(0, f.demand[t] ?? 0);
      const floor = Math.min(d, Math.max(0, f.suppliedBeforeLevers?.[t] ?? 0));
      const name = `${f.family} ${t}`;
      atLeast(`${name} production`, s.x[t]!, 0);
      atLeast(`${name} supply above its floor`, s.q[t]!, floor - SHORT_EPSILON);
      atLeast(`${name} supply within demand`, d, s.q[t]!);
      atLeast(`${name} free stock`, s.F[t]!, 0);
      if (!levers.prebuild) atLeast(`${name} free stock not pre-built`, natural[t]!, s.F[t]!);
      atLeast(`${name} held stock`, s.S[t]!, 0);
      atLeast(`${name} held stock within target`, ss, s.S[t]!);
      atLeast(`${name} drawn`, s.G[t]!, 0);
      const pinned = ss > 0 && heldAtStart >= ss && !levers.safetyStockDrawdown;
      if (pinned) atLeast(`${name} pinned safety stock`, s.S[t]!, ss);
      // Held stock below its start never falls, except as drawn (with the lever).
      if (ss > 0 && heldAtStart < ss) {
        const mark = (k: number) => s.S[k]! + (levers.safetyStockDrawdown ? s.G[k]! : 0);
        atLeast(`${name} held stock kept`, mark(t), t > 0 ? mark(t - 1) : heldAtStart);
      }
      let bought = 0;
      alts.forEach(({ a }, n) => {
        const units = s.a[n]![t]!;
        const allowed = Array.isArray(levers.alternates)
          ? levers.alternates.includes(a.option)
          : levers.alternates;
        atLeast(`${name} ${a.option}`, units, 0);
        atLeast(
          `${name} ${a.option} capacity`,
          allowed && t >= a.leadTimeMonths ? a.capacityPerMonth : 0,
          units,
        );
        bought += units;
      });
      // Stock balance: opening stock, made, bought in; supplied, closing stock out.
      const opening = t > 0 ? s.F[t - 1]! + s.S[t - 1]! : Math.max(0, f.onHand);
      const balance = opening + s.x[t]! + bought - s.q[t]! - s.F[t]! - s.S[t]!;
      if (Math.abs(balance) > tol(opening + d)) out.push(`${name} balance off by ${balance}`);
    }
  });
  const fIndex = new Map(input.families.map((f, i) => [f.family, i]));
  input.resources.forEach((r, j) => {
    for (let t = 0; t < T; t++) {
      const h = v.h[j]![t]!;
      atLeast(`${r.resource} ${t} overtime`, h, 0);
      atLeast(`${r.resource} ${t} overtime capacity`, levers.overtime ? Math.max(0, r.overtime[t]!) : 0, h);
      const load = input.routing
        .filter((x) => x.resource === r.resource && x.usagePerUnit > 0)
        .reduce((sum, x) => sum + x.usagePerUnit * v.families[fIndex.get(x.family)!]!.x[t]!, 0);
      atLeast(`${r.resource} ${t} capacity`, Math.max(0, r.capacity[t]!) + h, load);
    }
  });
  return out;
}

describe('the supply mix of a big cluster through small LPs', () => {
  it('on random clusters, gives a feasible plan at the full LP optimum (every lever set)', async () => {
    let compared = 0;
    let inLp = 0;
    let families = 0;
    await fc.assert(
      fc.asyncProperty(company, async (c) => {
        const m = modelOf(c);
        for (const cluster of tightClusters(m, check(m))) {
          for (const key of KEYS) {
            const levers = LEVER_SETS[key];
            const full = buildMixModel(cluster.model, levers);
            const solved = await solver.solve(full.lp);
            expect(solved.status).toBe('Optimal');
            const fullValues = full.values(solved.columns);
            const fullPlan = full.plan(solved.status, fullValues);
            const priced = await planMixPriced(solve, cluster.model, levers);
            expect(priced).not.toBeNull();
            // Feasible for the whole cluster: capacity and overtime, stock balance, floors, bounds.
            expect(violations(cluster.model, levers, priced!.values)).toEqual([]);
            // The plan's cost (lever spend, drawdown weight, lost margin) is the full LP's, within
            // 1e-6 of it (relative; HiGHS's own tolerances are 1e-7), and the LP's objective too, but
            // for the rebuild weight on held stock below target, which a family left out of the LP
            // rebuilds after it: at most that weight on every unit below target, every month.
            const plan = priced!.plan();
            const obj = full.objective(fullValues);
            const rebuildable = cluster.model.families.reduce(
              (sum, f) => sum + Math.max(0, f.safetyStock - Math.max(0, f.onHand)),
              0,
            );
            const allowance = full.rebuildWeight * full.T * rebuildable;
            expect(Math.abs(plan.totalCost - fullPlan.totalCost)).toBeLessThanOrEqual(
              1e-6 * (1 + fullPlan.totalCost) + allowance,
            );
            expect(priced!.objective).toBeGreaterThanOrEqual(obj - 1e-7 * (1 + Math.abs(obj)));
            expect(priced!.objective).toBeLessThanOrEqual(obj + 1e-7 * (1 + Math.abs(obj)) + allowance);
            if (!allowance) expect(close(plan.lostSales.units, fullPlan.lostSales.units, 1e-5)).toBe(true);
            compared++;
            families += cluster.model.families.length;
            inLp += priced!.active;
          }
        }
      }),
      { numRuns: 60, seed: 13 },
    );
    expect(compared).toBeGreaterThan(60);
    expect(inLp).toBeLessThan(families);
  });

  it('is exact (to the solver tolerance, 1e-7) on a cluster of identical families', async () => {
    const one = {
      unitPrice: 10,
      unitCost: 6,
      safetyStock: 20,
      onHand: 40,
      holdingCostPerUnitMonth: 0.1,
      demand: [100, 140, 180, 120],
    };
    const n = 80;
    const m: PlanModel = {
      periods: ['m1', 'm2', 'm3', 'm4'],
      families: Array.from({ length: n }, (_, i) => ({ family: `F${i}`, ...one })),
      resources: [
        {
          resource: 'L',
          capacity: [n * 130, n * 130, n * 130, n * 130],
          overtime: [0, n * 5, n * 5, 0],
          overtimeCostPerUnit: [1, 1, 1, 1],
        },
      ],
      resourceInfo: [{ name: 'Line', kind: 'line' }],
      routing: Array.from({ length: n }, (_, i) => ({ family: `F${i}`, resource: 'L', usagePerUnit: 1 })),
      alternates: [],
      names: {},
      p10: [],
      p90: [],
    };
    const [cluster] = tightClusters(m, check(m));
    expect(cluster!.families).toHaveLength(n);
    for (const key of KEYS) {
      const full = await planMix(solver, cluster!.model, LEVER_SETS[key]);
      const priced = await planMixPriced(solve, cluster!.model, LEVER_SETS[key]);
      expect(violations(cluster!.model, LEVER_SETS[key], priced!.values)).toEqual([]);
      expect(Math.abs(priced!.plan().totalCost - full.totalCost)).toBeLessThanOrEqual(
        1e-7 * (1 + full.totalCost),
      );
      expect(close(priced!.plan().lostSales.units, full.lostSales.units, 1e-7)).toBe(true);
    }
  });

  it('is what planMixGroups solves from PRICED_FROM_FAMILIES families on: the same plan per group', async () => {
    const [c] = fc.sample(companyOf({ min: 80, max: 80 }), { seed: 3, numRuns: 1 });
    const m = modelOf(c!);
    const clusters = tightClusters(m, check(m));
    const input = mergeClusters(clusters);
    expect(input.families.length).toBeGreaterThanOrEqual(PRICED_FROM_FAMILIES);
    const groups = clusters.map((k) => new Set(k.families));
    let largest = 0;
    const counting: LpSolver = {
      solve: (lp) => {
        largest = Math.max(largest, lp.match(/ bal_\d+_0:/g)?.length ?? 0);
        return solver.solve(lp);
      },
    };
    for (const key of KEYS) {
      const plans = await planMixGroups(counting, input, LEVER_SETS[key], groups);
      const full = buildMixModel(input, LEVER_SETS[key]);
      const solved = await solver.solve(full.lp);
      groups.forEach((g, k) => {
        const expected = full.decode(solved.status, solved.columns, g);
        expect(Math.abs(plans[k]!.totalCost - expected.totalCost)).toBeLessThanOrEqual(
          1e-6 * (1 + expected.totalCost),
        );
      });
    }
    // The families in the largest LP solved: fewer than the input's.
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(input.families.length);
  });
});

describe('pricing a family out of the LP (residual network at its no-lever plan)', () => {
  const input = (
    over: Partial<MixInput['families'][number]>,
    alternates: MixInput['alternates'] = [],
  ): MixInput => ({
    periods: ['m1', 'm2'],
    families: [
      {
        family: 'A',
        unitPrice: 10,
        unitCost: 6,
        safetyStock: 0,
        onHand: 0,
        holdingCostPerUnitMonth: 1,
        demand: [0, 100],
        suppliedBeforeLevers: [0, 100],
        ...over,
      },
    ],
    resources: [{ resource: 'L', capacity: [100, 100], overtime: [0, 0], overtimeCostPerUnit: [0, 0] }],
    routing: [{ family: 'A', resource: 'L', usagePerUnit: 1 }],
    alternates,
  });
  const cycle = (i: MixInput, levers: MixLevers, price: number[]) => {
    const model = buildMixModel(i, levers);
    const m = model.terms[0]!;
    return bestCycle(m, noLeverValues(m, model.T), price, levers, model.rebuildWeight, 1e-9);
  };

  it('pre-building pays when capacity later costs more than holding until then', () => {
    // Made in m1 (price 0), held a month (1), made less in m2 (price 5): -4 per unit.
    expect(cycle(input({}), LEVER_SETS.prebuild, [0, 5])).toBeCloseTo(-4, 9);
    expect(cycle(input({}), LEVER_SETS.prebuild, [0, 0.5])).toBe(0);
    // Without the lever, free stock cannot grow: nothing pays.
    expect(cycle(input({}), LEVER_SETS.overtime, [0, 5])).toBe(0);
  });

  it('an alternate pays above its extra cost, from its lead time on', () => {
    const alt = (lead: number) => [
      { family: 'A', option: 'modal_shift', capacityPerMonth: 50, extraCostPerUnit: 3, leadTimeMonths: lead },
    ];
    expect(cycle(input({}, alt(0)), LEVER_SETS.alternates, [0, 5])).toBeCloseTo(-2, 9);
    expect(cycle(input({}, alt(2)), LEVER_SETS.alternates, [0, 5])).toBe(0);
    expect(cycle(input({}, alt(0)), LEVER_SETS.overtime, [0, 5])).toBe(0);
  });

  it('drawing safety stock pays above its risk weight; more supply above the margin', () => {
    const held = input({ safetyStock: 50, onHand: 50, demand: [0, 100] });
    // Drawn in m2 only: 10% of the margin of 4 and the rebuild weight, against 5 of capacity.
    const model = buildMixModel(held, LEVER_SETS.prebuild);
    expect(cycle(held, LEVER_SETS.prebuild, [6, 5])).toBeCloseTo(-(5 - 0.4 - model.rebuildWeight), 9);
    expect(cycle(held, LEVER_SETS.overtime, [6, 5])).toBe(0);
    // Short of demand with no lever: one more unit is worth the margin and the lost-unit weight.
    const short = input({ suppliedBeforeLevers: [0, 60] });
    expect(cycle(short, LEVER_SETS.overtime, [0, 3])).toBeCloseTo(-(4 + LOST_UNIT_WEIGHT - 3), 9);
    expect(cycle(short, LEVER_SETS.overtime, [0, 5])).toBe(0);
  });
});
