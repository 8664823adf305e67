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

/**
 * How a family's held safety stock is modelled: none (no target); pinned at the target (it starts
 * there and may not be drawn: a constant, no columns); at the target but drawable (S, whose
 * high-water mark is the target itself, so what is drawn is target - S: no G, no rows); or
 * starting below the target (S never falling, or with the lever G, drawn below its high-water mark).
 */
export type HeldKind = 'none' | 'pinned' | 'drawable' | 'rebuilt' | 'rebuilt-drawable';

/** One family as the LP states it: bounds, costs and links (the LP text, the plan and src/domain/aggregate.ts read the same). */
export interface MixTerms {
  kind: HeldKind;
  /** Safety-stock target, and what is held of it at the start. */
  safety: number;
  heldAtStart: number;
  /** Stock at the start in the first balance row: all of it, less a pinned safety stock. */
  start: number;
  /** Free stock with no lever, per period. */
  natural: number[];
  demand: number[];
  /** Lower bound of supply per period: the no-lever plan's supply (at most demand). */
  floor: number[];
  /** What one more unit supplied is worth to the objective (margin plus the lost-unit weight). */
  supplyWeight: number;
  holding: number;
  drawdownPenalty: number;
  /** The resources the family uses (index into resources) and the time per unit. */
  routes: { j: number; u: number }[];
  /** Its alternates (index into alternates), their cost and capacity per period (0 where not allowed). */
  alts: { k: number; cost: number; cap: number[] }[];
}

/** A solution in the LP's own variables, per family and period (aligned with the input's families). */
export interface FamilyValues {
  x: number[];
  q: number[];
  F: number[];
  /** Held safety stock (the target itself when pinned, 0 with none). */
  S: number[];
  G: number[];
  /** Units per alternate (same order as MixTerms.alts) and period. */
  a: number[][];
}
export interface MixValues {
  families: FamilyValues[];
  /** Overtime used per resource and period. */
  h: number[][];
}

/** The terms of every family, and per resource its users: shared by the LP text, the plan and the pricing. */
export function mixTerms(input: MixInput, levers: MixLevers = ALL_LEVERS) {
  const { periods, families, resources, routing, alternates } = input;
  const T = periods.length;
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
  const altsOf = families.map(() => [] as MixTerms['alts']);
  alternates.forEach((a, k) => {
    const i = fIndex.get(a.family);
    if (i === undefined) return;
    const cap = Array.from({ length: T }, (_, t) =>
      allowed(a.option) && t >= a.leadTimeMonths ? a.capacityPerMonth : 0,
    );
    altsOf[i]!.push({ k, cost: a.extraCostPerUnit, cap });
  });
  const usersOf = resources.map(() => [] as { i: number; u: number }[]);
  routesOf.forEach((routes, i) => routes.forEach(({ j, u }) => usersOf[j]!.push({ i, u })));
  const terms = families.map((f, i): MixTerms => {
    const safety = Math.max(0, f.safetyStock);
    const heldAtStart = Math.min(safety, Math.max(0, f.onHand));
    const kind: HeldKind =
      safety <= 0
        ? 'none'
        : heldAtStart >= safety
          ? levers.safetyStockDrawdown
            ? 'drawable'
            : 'pinned'
          : levers.safetyStockDrawdown
            ? 'rebuilt-drawable'
            : 'rebuilt';
    const demand = Array.from({ length: T }, (_, t) => Math.max(0, f.demand[t] ?? 0));
    return {
      kind,
      safety,
      heldAtStart,
      start: Math.max(0, f.onHand) - (kind === 'pinned' ? safety : 0),
      natural: naturalFreeStock(f, T),
      demand,
      floor: demand.map((d, t) => Math.min(d, Math.max(0, f.suppliedBeforeLevers?.[t] ?? 0))),
      supplyWeight: unitMargin(f) + LOST_UNIT_WEIGHT,
      holding: f.holdingCostPerUnitMonth,
      /** Risk weight per unit-month of safety stock drawn down (only with that lever). */
      drawdownPenalty: 0.1 * Math.max(unitMargin(f), 1e-3),
      routes: routesOf[i]!,
      alts: altsOf[i]!,
    };
  });
  /** A small reward per unit-month of safety stock held: it is rebuilt when capacity is free, never before demand. */
  const rebuildWeight = LOST_UNIT_WEIGHT / (4 * Math.max(1, T));
  return { T, terms, usersOf, rebuildWeight };
}

/** Builds the CPLEX-LP text (on first read of `lp`) and a decoder for the solver's column values. */
export function buildMixModel(input: MixInput, levers: MixLevers = ALL_LEVERS) {
  const { periods, families, resources } = input;
  const { T, terms, usersOf, rebuildWeight } = mixTerms(input, levers);

  function text(): string {
    const obj: string[] = [];
    const rows: string[] = [];
    const bounds: string[] = [];
    const term = (coef: number, v: string) => `${coef >= 0 ? '+' : '-'} ${num(Math.abs(coef))} ${v}`;
    terms.forEach((m, i) => {
      const { kind, safety: ss } = m;
      const hasS = kind !== 'none' && kind !== 'pinned';
      for (let t = 0; t < T; t++) {
        obj.push(term(m.holding, `F_${i}_${t}`), term(-m.supplyWeight, `q_${i}_${t}`));
        const supply = [`x_${i}_${t}`, ...m.alts.map(({ k }) => `a_${i}_${t}_${k}`)]
          .map((v) => `+ ${v}`)
          .join(' ');
        const prev = t > 0 ? `+ F_${i}_${t - 1} ${hasS ? `+ S_${i}_${t - 1} ` : ''}` : '';
        const stock = `- F_${i}_${t}${hasS ? ` - S_${i}_${t}` : ''}`;
        rows.push(` bal_${i}_${t}: ${prev}${supply} - q_${i}_${t} ${stock} = ${num(t > 0 ? 0 : -m.start)}`);
        if (hasS) bounds.push(` 0 <= S_${i}_${t} <= ${num(ss)}`);
        if (kind === 'drawable') obj.push(term(-(rebuildWeight + m.drawdownPenalty), `S_${i}_${t}`));
        if (kind === 'rebuilt' || kind === 'rebuilt-drawable') {
          obj.push(term(-rebuildWeight, `S_${i}_${t}`));
          // Held stock never falls (with the drawdown lever: never below the most held so far, less what is drawn).
          const draw = kind === 'rebuilt-drawable';
          const now = draw ? `S_${i}_${t} + G_${i}_${t}` : `S_${i}_${t}`;
          const before = t > 0 ? (draw ? ` - S_${i}_${t - 1} - G_${i}_${t - 1}` : ` - S_${i}_${t - 1}`) : '';
          rows.push(` held_${i}_${t}: ${now}${before} >= ${num(t > 0 ? 0 : m.heldAtStart)}`);
          if (draw) obj.push(term(m.drawdownPenalty, `G_${i}_${t}`));
        }
        // A hair under the floor: the check's plan must stay feasible through rounding.
        bounds.push(
          ` ${num(Math.max(0, m.floor[t]! - SHORT_EPSILON / 2))} <= q_${i}_${t} <= ${num(m.demand[t]!)}`,
        );
        if (!levers.prebuild) bounds.push(` 0 <= F_${i}_${t} <= ${num(m.natural[t]!)}`);
        for (const { k, cost, cap } of m.alts) {
          obj.push(term(cost, `a_${i}_${t}_${k}`));
          bounds.push(` 0 <= a_${i}_${t}_${k} <= ${num(cap[t]!)}`);
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
    return `Minimize\n obj: ${obj.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
  }
  let lp: string | undefined;

  /** The solver's column values as the LP's variables, per family and period. */
  function values(columns: Record<string, { Primal: number }>): MixValues {
    const v = (name: string) => columns[name]?.Primal ?? 0;
    const series = (name: (t: number) => string) => Array.from({ length: T }, (_, t) => v(name(t)));
    return {
      families: terms.map((m, i) => ({
        x: series((t) => `x_${i}_${t}`),
        q: series((t) => `q_${i}_${t}`),
        F: series((t) => `F_${i}_${t}`),
        S:
          m.kind === 'none'
            ? Array<number>(T).fill(0)
            : m.kind === 'pinned'
              ? Array<number>(T).fill(m.safety)
              : series((t) => `S_${i}_${t}`),
        G: series((t) => `G_${i}_${t}`),
        a: m.alts.map(({ k }) => series((t) => `a_${i}_${t}_${k}`)),
      })),
      h: resources.map((_, j) => series((t) => `h_${j}_${t}`)),
    };
  }

  /** The plan, for every family or only for `only` (independent blocks solved in one LP). */
  function plan(status: string, solution: MixValues, only?: ReadonlySet<string>): MixPlan {
    const out: MixPlan = {
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
      const m = terms[i]!;
      const s = solution.families[i]!;
      const ss = m.safety;
      for (let t = 0; t < T; t++) {
        m.alts.forEach(({ k, cost }, n) => {
          const units = s.a[n]![t]!;
          const slot = (out.alternates[input.alternates[k]!.option] ??= { units: 0, cost: 0 });
          slot.units += units;
          slot.cost += units * cost;
        });
        const above = Math.max(0, s.F[t]! - m.natural[t]!);
        if (above > SHORT_EPSILON) {
          out.prebuild.unitMonths += above;
          out.prebuild.holdingCost += above * f.holdingCostPerUnitMonth;
        }
        const held = m.kind === 'none' ? 0 : m.kind === 'pinned' ? ss : s.S[t]!;
        const drawn = m.kind === 'drawable' ? ss - held : m.kind === 'rebuilt-drawable' ? s.G[t]! : 0;
        if (drawn > SHORT_EPSILON) {
          out.safetyStockDrawdown.unitMonths += drawn;
          out.safetyStockDrawdown.penalty += drawn * m.drawdownPenalty;
        }
        const short = Math.max(0, ss - held);
        if (short > SHORT_EPSILON) {
          below[t]! += short;
          out.safetyStockBelowTarget.unitMonths += short;
        }
        const lost = Math.max(0, m.demand[t]! - s.q[t]!);
        if (lost <= SHORT_EPSILON) continue;
        out.shortfalls.push({ family: f.family, period: periods[t]!, units: lost });
        out.lostSales.units += lost;
        out.lostSales.margin += lost * unitMargin(f);
      }
    });
    out.safetyStockBelowTarget.units = T ? Math.max(...below) : 0;
    resources.forEach((r, j) => {
      if (only && !usersOf[j]!.some(({ i }) => only.has(families[i]!.family))) return;
      for (let t = 0; t < T; t++) {
        const h = solution.h[j]![t]!;
        out.overtime.units += h;
        out.overtime.cost += h * (r.overtimeCostPerUnit[t] ?? 0);
      }
    });
    out.totalCost = totalCostOf(out);
    return out;
  }

  /** The LP's objective at a solution (what the solver minimises; the plan's totalCost is part of it). */
  function objective(solution: MixValues): number {
    let sum = 0;
    terms.forEach((m, i) => {
      const s = solution.families[i]!;
      const held =
        m.kind === 'drawable'
          ? -(rebuildWeight + m.drawdownPenalty)
          : m.kind === 'rebuilt' || m.kind === 'rebuilt-drawable'
            ? -rebuildWeight
            : 0;
      for (let t = 0; t < T; t++) {
        sum += m.holding * s.F[t]! - m.supplyWeight * s.q[t]! + held * s.S[t]!;
        if (m.kind === 'rebuilt-drawable') sum += m.drawdownPenalty * s.G[t]!;
        m.alts.forEach(({ cost }, n) => (sum += cost * s.a[n]![t]!));
      }
    });
    resources.forEach((r, j) => {
      for (let t = 0; t < T; t++) sum += (r.overtimeCostPerUnit[t] ?? 0) * solution.h[j]![t]!;
    });
    return sum;
  }

  return {
    T,
    terms,
    usersOf,
    rebuildWeight,
    objective,
    get lp(): string {
      return (lp ??= text());
    },
    values,
    plan,
    decode: (status: string, columns: Record<string, { Primal: number }>, only?: ReadonlySet<string>) =>
      plan(status, values(columns), only),
  };
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
