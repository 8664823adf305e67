/**
 * The least-cost supply mix as a linear programme (solved by HiGHS through the LpSolver port):
 * for every family and month, how much to make on regular time and on overtime, how much to buy
 * through each alternate (alternate source, modal shift ...), how much to pre-build and hold, how
 * far to draw safety stock down, and which sales to forgo (the lowest-margin ones first).
 *
 * Costs counted: overtime (per unit of resource time), alternates' extra cost, holding stock above
 * safety stock (safety stock itself is policy, held in every option), a
 * safety-stock drawdown penalty, and lost margin. Regular production cost is the same in every
 * option and left out. Each lever can be switched off, which frames the trade-offs.
 */
import type { Route, SupplyFamily, SupplyResource } from './supply.js';

export interface MixFamily extends SupplyFamily {
  holdingCostPerUnitMonth: number;
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
  prebuild: { unitMonths: number; holdingCost: number };
  safetyStockDrawdown: { unitMonths: number; penalty: number };
  lostSales: { units: number; margin: number };
  /** Lost units per family and period (what is left of the gap after the plan). */
  shortfalls: { family: string; period: string; units: number }[];
}

// String() gives the shortest exact form (exponents included), which the LP reader takes as is.
const num = (v: number) => (Number.isFinite(v) ? String(v) : '0');

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
  const margin = (f: MixFamily) => Math.max(0, f.unitPrice - f.unitCost);
  /** Risk weight per unit-month below safety stock: small when drawing it down is a lever, prohibitive when not. */
  const drawdownPenalty = (f: MixFamily) =>
    (levers.safetyStockDrawdown ? 0.1 : 10) * Math.max(margin(f), 1e-3);
  const term = (coef: number, v: string) => `${coef >= 0 ? '+' : '-'} ${num(Math.abs(coef))} ${v}`;

  families.forEach((f, i) => {
    const alts = altsOf[i]!;
    for (let t = 0; t < T; t++) {
      const demand = Math.max(0, f.demand[t] ?? 0);
      // Holding on all stock plus (weight + holding) per unit below safety stock is, up to the constant
      // holding of safety stock itself, holding above it plus the weight below it: no extra variables.
      obj.push(
        term(f.holdingCostPerUnitMonth, `I_${i}_${t}`),
        term(drawdownPenalty(f) + f.holdingCostPerUnitMonth, `d_${i}_${t}`),
      );
      obj.push(term(-margin(f), `q_${i}_${t}`));
      const supply = [`x_${i}_${t}`, ...alts.map(({ k }) => `a_${i}_${t}_${k}`)]
        .map((v) => `+ ${v}`)
        .join(' ');
      const prev = t > 0 ? `+ I_${i}_${t - 1} ` : '';
      rows.push(
        ` bal_${i}_${t}: ${prev}${supply} - q_${i}_${t} - I_${i}_${t} = ${num(t > 0 ? 0 : -Math.max(0, f.onHand))}`,
      );
      rows.push(` ss_${i}_${t}: I_${i}_${t} + d_${i}_${t} >= ${num(f.safetyStock)}`);
      bounds.push(` 0 <= q_${i}_${t} <= ${num(demand)}`);
      if (!levers.prebuild) bounds.push(` 0 <= I_${i}_${t} <= ${num(Math.max(f.safetyStock, f.onHand))}`);
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
        ` cap_${j}_${t}: ${users.map(({ i, u }) => `+ ${num(u)} x_${i}_${t}`).join(' ')} - h_${j}_${t} <= ${num(r.capacity[t] ?? 0)}`,
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
      lostSales: { units: 0, margin: 0 },
      shortfalls: [],
    };
    families.forEach((f, i) => {
      if (only && !only.has(f.family)) return;
      let natural = Math.max(0, f.onHand);
      for (let t = 0; t < T; t++) {
        altsOf[i]!.forEach(({ a, k }) => {
          const units = v(`a_${i}_${t}_${k}`);
          const slot = (plan.alternates[a.option] ??= { units: 0, cost: 0 });
          slot.units += units;
          slot.cost += units * a.extraCostPerUnit;
        });
        // Pre-built: stock above safety stock and above what was on hand anyway (on hand less demand so far).
        natural = Math.max(0, natural - Math.max(0, f.demand[t] ?? 0));
        const above = Math.max(0, v(`I_${i}_${t}`) - Math.max(f.safetyStock, natural));
        plan.prebuild.unitMonths += above;
        plan.prebuild.holdingCost += above * f.holdingCostPerUnitMonth;
        const d = v(`d_${i}_${t}`);
        plan.safetyStockDrawdown.unitMonths += d;
        plan.safetyStockDrawdown.penalty += d * drawdownPenalty(f);
        const lost = Math.max(0, (f.demand[t] ?? 0) - v(`q_${i}_${t}`));
        if (lost > 1e-6) plan.shortfalls.push({ family: f.family, period: periods[t]!, units: lost });
        plan.lostSales.units += lost;
        plan.lostSales.margin += lost * margin(f);
      }
    });
    resources.forEach((r, j) => {
      if (only && !usersOf[j]!.some(({ i }) => only.has(families[i]!.family))) return;
      for (let t = 0; t < T; t++) {
        const h = v(`h_${j}_${t}`);
        plan.overtime.units += h;
        plan.overtime.cost += h * (r.overtimeCostPerUnit[t] ?? 0);
      }
    });
    plan.totalCost =
      plan.overtime.cost +
      Object.values(plan.alternates).reduce((s, a) => s + a.cost, 0) +
      plan.prebuild.holdingCost +
      plan.safetyStockDrawdown.penalty +
      plan.lostSales.margin;
    return plan;
  }
  return { lp, decode };
}
