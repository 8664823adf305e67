/**
 * The least-cost supply mix as a linear programme (solved by HiGHS through the LpSolver port),
 * on the supply model of src/domain/supply.ts: for every family and month, how much to make (on
 * regular time and on overtime), how much to buy through each alternate (alternate source, modal
 * shift ...), how much to pre-build and hold, how far to draw safety stock down, and which sales
 * to forgo (the lowest margin per unit of scarce capacity first).
 *
 * Stock is two parts: free stock F (above the safety-stock target) and held safety stock S
 * (0 <= S <= target, starting at min(target, on hand)). With no lever, F only runs down as demand
 * takes it (it is never replenished: that would be pre-building), S never goes down (it may be
 * rebuilt from capacity demand does not need), and production stays within regular capacity:
 * exactly the rough-cut check's plan. Each lever relaxes one of these: overtime, alternates,
 * pre-build (F may grow, at its holding cost), safety-stock drawdown (S may fall below the highest
 * level it has held, at a risk weight per unit-month drawn).
 *
 * Costs counted: overtime (per unit of resource time), alternates' extra cost, holding pre-built
 * stock, the drawdown risk weight, and lost margin. Regular production cost is the same in every
 * option and left out. A family's `suppliedBeforeLevers`, when given, is what the plan supplies
 * with no lever: every option supplies at least that, family by family and month by month (a
 * lever adds supply; it does not move it).
 */
import {
  LOST_UNIT_WEIGHT,
  SHORT_EPSILON,
  unitMargin,
  type Route,
  type SupplyFamily,
  type SupplyResource,
} from './supply.js';

export interface MixFamily extends SupplyFamily {
  holdingCostPerUnitMonth: number;
  /** Units supplied per period with no lever used (the rough-cut check's plan); a floor for every option. */
  suppliedBeforeLevers?: number[];
}
export interface MixResource extends SupplyResource {
  overtimeCostPerUnit: number[];
}

export interface MixAlternate {
  family: string;
  option: string;
  capacityPerMonth: number;
  extraCostPerUnit: number;
  leadTimeMonths: number;
}

export interface MixLevers {
  overtime: boolean;
  /** Alternate options allowed (by option name), or all / none. */
  alternates: boolean | string[];
  prebuild: boolean;
  safetyStockDrawdown: boolean;
}

export const ALL_LEVERS: MixLevers = {
  overtime: true,
  alternates: true,
  prebuild: true,
  safetyStockDrawdown: true,
};

export interface MixInput {
  periods: string[];
  families: MixFamily[];
  resources: MixResource[];
  routing: Route[];
  alternates: MixAlternate[];
}

export interface MixPlan {
  status: string;
  /** Incremental cost of the plan plus the margin it gives up. */
  totalCost: number;
  /** Overtime used, in the resources' own units (hours, machine time ...), and its cost. */
  overtime: { units: number; cost: number };
  alternates: Record<string, { units: number; cost: number }>;
  /** Stock built above the free stock the plan would have anyway, and its holding cost. */
  prebuild: { unitMonths: number; holdingCost: number };
  /** Held safety stock drawn down to serve demand (below the most it had held), and its risk weight. */
  safetyStockDrawdown: { unitMonths: number; penalty: number };
  /** Units the held safety stock is below target: the worst month (summed over families), and in unit-months. */
  safetyStockBelowTarget: { units: number; unitMonths: number };
  lostSales: { units: number; margin: number };
  /** Lost units per family and period (what is left of the gap after the plan). */
  shortfalls: { family: string; period: string; units: number }[];
}

// String() gives the shortest exact form (exponents included), which the LP reader takes as is.
const num = (v: number) => (Number.isFinite(v) ? String(v) : '0');

/** Free stock a family has at the end of each period with no lever: what is above target, run down by demand. */
export function naturalFreeStock(f: SupplyFamily, T: number): number[] {
  let free = Math.max(0, Math.max(0, f.onHand) - Math.max(0, f.safetyStock));
  return Array.from({ length: T }, (_, t) => (free = Math.max(0, free - Math.max(0, f.demand[t] ?? 0))));
}

/** Builds the CPLEX-LP text and a decoder for the solver's column values. */
export function buildMixModel(input: MixInput, levers: MixLevers = ALL_LEVERS) {
  const { periods, families, resources, routing, alternates } = input;
  const T = periods.length;
  const obj: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const allowed = (option: string) =>
    Array.isArray(levers.alternates) ? levers.alternates.includes(option) : levers.alternates;
  const rIndex = new Map(resources.map((r, j) => [r.resource, j]));
  /** Per family: its resources (index, usage); per resource: its families (index, usage). */
  const fIndex = new Map(families.map((f, i) => [f.family, i]));
  const routesOf = families.map(() => [] as { j: number; u: number }[]);
  for (const x of routing) {
    const i = fIndex.get(x.family);
    const j = rIndex.get(x.resource);
    if (i !== undefined && j !== undefined && x.usagePerUnit > 0) routesOf[i]!.push({ j, u: x.usagePerUnit });
  }
  const altsOf = families.map(() => [] as { a: MixAlternate; k: number }[]);
  alternates.forEach((a, k) => {
    const i = fIndex.get(a.family);
    if (i !== undefined) altsOf[i]!.push({ a, k });
  });
  const usersOf = resources.map(() => [] as { i: number; u: number }[]);
  routesOf.forEach((routes, i) => routes.forEach(({ j, u }) => usersOf[j]!.push({ i, u })));
  /** Risk weight per unit-month of safety stock drawn down (only with that lever). */
  const drawdownPenalty = (f: MixFamily) => 0.1 * Math.max(unitMargin(f), 1e-3);
  /** A small reward per unit-month of safety stock held: it is rebuilt when capacity is free, never before demand. */
  const rebuildWeight = LOST_UNIT_WEIGHT / (4 * Math.max(1, T));
  const term = (coef: number, v: string) => `${coef >= 0 ? '+' : '-'} ${num(Math.abs(coef))} ${v}`;
  const safetyOf = families.map((f) => Math.max(0, f.safetyStock));
  const heldAtStart = families.map((f, i) => Math.min(safetyOf[i]!, Math.max(0, f.onHand)));
  const naturalOf = families.map((f) => naturalFreeStock(f, T));

  /**
   * How a family's held safety stock is modelled: none (no target); pinned at the target (it starts
   * there and may not be drawn: a constant, no columns); at the target but drawable (S, whose
   * high-water mark is the target itself, so what is drawn is target - S: no G, no rows); or
   * starting below the target (S never falling, or with the lever G, drawn below its high-water mark).
   */
  const heldKind = families.map((f, i) => {
    const ss = safetyOf[i]!;
    if (ss <= 0) return 'none' as const;
    if (heldAtStart[i]! >= ss)
      return levers.safetyStockDrawdown ? ('drawable' as const) : ('pinned' as const);
    return levers.safetyStockDrawdown ? ('rebuilt-drawable' as const) : ('rebuilt' as const);
  });

  families.forEach((f, i) => {
    const alts = altsOf[i]!;
    const ss = safetyOf[i]!;
    const kind = heldKind[i]!;
    const hasS = kind !== 'none' && kind !== 'pinned';
    for (let t = 0; t < T; t++) {
      const demand = Math.max(0, f.demand[t] ?? 0);
      obj.push(
        term(f.holdingCostPerUnitMonth, `F_${i}_${t}`),
        term(-(unitMargin(f) + LOST_UNIT_WEIGHT), `q_${i}_${t}`),
      );
      const supply = [`x_${i}_${t}`, ...alts.map(({ k }) => `a_${i}_${t}_${k}`)]
        .map((v) => `+ ${v}`)
        .join(' ');
      const prev = t > 0 ? `+ F_${i}_${t - 1} ${hasS ? `+ S_${i}_${t - 1} ` : ''}` : '';
      const stock = `- F_${i}_${t}${hasS ? ` - S_${i}_${t}` : ''}`;
      // Stock at the start: all of it, less a pinned safety stock (which stays as it is).
      const start = Math.max(0, f.onHand) - (kind === 'pinned' ? ss : 0);
      rows.push(` bal_${i}_${t}: ${prev}${supply} - q_${i}_${t} ${stock} = ${num(t > 0 ? 0 : -start)}`);
      if (hasS) bounds.push(` 0 <= S_${i}_${t} <= ${num(ss)}`);
      if (kind === 'drawable') obj.push(term(-(rebuildWeight + drawdownPenalty(f)), `S_${i}_${t}`));
      if (kind === 'rebuilt' || kind === 'rebuilt-drawable') {
        obj.push(term(-rebuildWeight, `S_${i}_${t}`));
        // Held stock never falls (with the drawdown lever: never below the most held so far, less what is drawn).
        const draw = kind === 'rebuilt-drawable';
        const now = draw ? `S_${i}_${t} + G_${i}_${t}` : `S_${i}_${t}`;
        const before = t > 0 ? (draw ? ` - S_${i}_${t - 1} - G_${i}_${t - 1}` : ` - S_${i}_${t - 1}`) : '';
        rows.push(` held_${i}_${t}: ${now}${before} >= ${num(t > 0 ? 0 : heldAtStart[i]!)}`);
        if (draw) obj.push(term(drawdownPenalty(f), `G_${i}_${t}`));
      }
      const floor = Math.min(demand, Math.max(0, f.suppliedBeforeLevers?.[t] ?? 0));
      // A hair under the floor: the check's plan must stay feasible through rounding.
      bounds.push(` ${num(Math.max(0, floor - SHORT_EPSILON / 2))} <= q_${i}_${t} <= ${num(demand)}`);
      if (!levers.prebuild) bounds.push(` 0 <= F_${i}_${t} <= ${num(naturalOf[i]![t]!)}`);
      for (const { a, k } of alts) {
        obj.push(term(a.extraCostPerUnit, `a_${i}_${t}_${k}`));
        const cap = allowed(a.option) && t >= a.leadTimeMonths ? a.capacityPerMonth : 0;
        bounds.push(` 0 <= a_${i}_${t}_${k} <= ${num(cap)}`);
      }
    }
  });
  resources.forEach((r, j) => {
    for (let t = 0; t < T; t++) {
      const users = usersOf[j]!;
      if (!users.length) continue;
      // Regular capacity plus the overtime used (h, in the resource's units, at its overtime cost).
      rows.push(
        ` cap_${j}_${t}: ${users.map(({ i, u }) => `+ ${num(u)} x_${i}_${t}`).join(' ')} - h_${j}_${t} <= ${num(Math.max(0, r.capacity[t] ?? 0))}`,
      );
      obj.push(term(r.overtimeCostPerUnit[t] ?? 0, `h_${j}_${t}`));
      bounds.push(` 0 <= h_${j}_${t} <= ${num(levers.overtime ? Math.max(0, r.overtime[t] ?? 0) : 0)}`);
    }
  });
  const lp = `Minimize\n obj: ${obj.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;

  /** The plan, for every family or only for `only` (independent blocks solved in one LP). */
  function decode(
    status: string,
    columns: Record<string, { Primal: number }>,
    only?: ReadonlySet<string>,
  ): MixPlan {
    const v = (name: string) => columns[name]?.Primal ?? 0;
    const plan: MixPlan = {
      status,
      totalCost: 0,
      overtime: { units: 0, cost: 0 },
      alternates: {},
      prebuild: { unitMonths: 0, holdingCost: 0 },
      safetyStockDrawdown: { unitMonths: 0, penalty: 0 },
      safetyStockBelowTarget: { units: 0, unitMonths: 0 },
      lostSales: { units: 0, margin: 0 },
      shortfalls: [],
    };
    const below = new Float64Array(T);
    families.forEach((f, i) => {
      if (only && !only.has(f.family)) return;
      const ss = safetyOf[i]!;
      const kind = heldKind[i]!;
      for (let t = 0; t < T; t++) {
        altsOf[i]!.forEach(({ a, k }) => {
          const units = v(`a_${i}_${t}_${k}`);
          const slot = (plan.alternates[a.option] ??= { units: 0, cost: 0 });
          slot.units += units;
          slot.cost += units * a.extraCostPerUnit;
        });
        const above = Math.max(0, v(`F_${i}_${t}`) - naturalOf[i]![t]!);
        if (above > SHORT_EPSILON) {
          plan.prebuild.unitMonths += above;
          plan.prebuild.holdingCost += above * f.holdingCostPerUnitMonth;
        }
        const held = kind === 'none' ? 0 : kind === 'pinned' ? ss : v(`S_${i}_${t}`);
        const drawn = kind === 'drawable' ? ss - held : kind === 'rebuilt-drawable' ? v(`G_${i}_${t}`) : 0;
        if (drawn > SHORT_EPSILON) {
          plan.safetyStockDrawdown.unitMonths += drawn;
          plan.safetyStockDrawdown.penalty += drawn * drawdownPenalty(f);
        }
        const short = Math.max(0, ss - held);
        if (short > SHORT_EPSILON) {
          below[t]! += short;
          plan.safetyStockBelowTarget.unitMonths += short;
        }
        const lost = Math.max(0, Math.max(0, f.demand[t] ?? 0) - v(`q_${i}_${t}`));
        if (lost <= SHORT_EPSILON) continue;
        plan.shortfalls.push({ family: f.family, period: periods[t]!, units: lost });
        plan.lostSales.units += lost;
        plan.lostSales.margin += lost * unitMargin(f);
      }
    });
    plan.safetyStockBelowTarget.units = T ? Math.max(...below) : 0;
    resources.forEach((r, j) => {
      if (only && !usersOf[j]!.some(({ i }) => only.has(families[i]!.family))) return;
      for (let t = 0; t < T; t++) {
        const h = v(`h_${j}_${t}`);
        plan.overtime.units += h;
        plan.overtime.cost += h * (r.overtimeCostPerUnit[t] ?? 0);
      }
    });
    plan.totalCost = totalCostOf(plan);
    return plan;
  }
  return { lp, decode };
}

/** What a plan costs in the ranking of options: lever spend, the drawdown risk weight, and lost margin. */
export function totalCostOf(p: Omit<MixPlan, 'totalCost'>): number {
  return (
    p.overtime.cost +
    Object.values(p.alternates).reduce((s, a) => s + a.cost, 0) +
    p.prebuild.holdingCost +
    p.safetyStockDrawdown.penalty +
    p.lostSales.margin
  );
}
