/**
 * The least-cost supply mix as a linear programme (solved by HiGHS through the LpSolver port):
 * for every family and month, how much to make on regular time and on overtime, how much to buy
 * through each alternate (alternate source, modal shift ...), how much to pre-build and hold, how
 * far to draw safety stock down, and which sales to forgo (the lowest-margin ones first).
 *
 * Costs counted: overtime (per unit of resource time), alternates' extra cost, holding, a
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
  overtime: { units: number; cost: number };
  alternates: Record<string, { units: number; cost: number }>;
  prebuild: { unitMonths: number; holdingCost: number };
  safetyStockDrawdown: { unitMonths: number; penalty: number };
  lostSales: { units: number; margin: number };
  /** Lost units per family and period (what is left of the gap after the plan). */
  shortfalls: { family: string; period: string; units: number }[];
}

const num = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(12)).toString() : '0');

/** Builds the CPLEX-LP text and a decoder for the solver's column values. */
export function buildMixModel(input: MixInput, levers: MixLevers = ALL_LEVERS) {
  const { periods, families, resources, routing, alternates } = input;
  const T = periods.length;
  const obj: string[] = [];
  const rows: string[] = [];
  const bounds: string[] = [];
  const allowed = (option: string) =>
    Array.isArray(levers.alternates) ? levers.alternates.includes(option) : levers.alternates;
  const usage = (f: string, r: string) =>
    routing.find((x) => x.family === f && x.resource === r)?.usagePerUnit ?? 0;
  const margin = (f: MixFamily) => Math.max(0, f.unitPrice - f.unitCost);
  const drawdownPenalty = (f: MixFamily) =>
    (levers.safetyStockDrawdown ? 0.1 : 10) * Math.max(margin(f), 1e-3) + f.holdingCostPerUnitMonth;
  const term = (coef: number, v: string) => `${coef >= 0 ? '+' : '-'} ${num(Math.abs(coef))} ${v}`;

  families.forEach((f, i) => {
    const alts = alternates.map((a, k) => ({ a, k })).filter(({ a }) => a.family === f.family);
    for (let t = 0; t < T; t++) {
      const demand = Math.max(0, f.demand[t] ?? 0);
      const otCost = resources.reduce(
        (s, r) => s + usage(f.family, r.resource) * (r.overtimeCostPerUnit[t] ?? 0),
        0,
      );
      obj.push(
        term(otCost, `o_${i}_${t}`),
        term(f.holdingCostPerUnitMonth, `I_${i}_${t}`),
        term(drawdownPenalty(f), `d_${i}_${t}`),
      );
      obj.push(term(-margin(f), `q_${i}_${t}`));
      const supply = [`x_${i}_${t}`, `o_${i}_${t}`, ...alts.map(({ k }) => `a_${i}_${t}_${k}`)]
        .map((v) => `+ ${v}`)
        .join(' ');
      const prev = t > 0 ? `+ I_${i}_${t - 1} ` : '';
      rows.push(
        ` bal_${i}_${t}: ${prev}${supply} - q_${i}_${t} - I_${i}_${t} = ${num(t > 0 ? 0 : -Math.max(0, f.onHand))}`,
      );
      rows.push(` ss_${i}_${t}: I_${i}_${t} + d_${i}_${t} >= ${num(f.safetyStock)}`);
      bounds.push(` 0 <= q_${i}_${t} <= ${num(demand)}`);
      if (!levers.overtime) bounds.push(` o_${i}_${t} = 0`);
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
      const users = families.map((f, i) => ({ i, u: usage(f.family, r.resource) })).filter(({ u }) => u > 0);
      if (!users.length) continue;
      rows.push(
        ` cap_${j}_${t}: ${users.map(({ i, u }) => `+ ${num(u)} x_${i}_${t}`).join(' ')} <= ${num(r.capacity[t] ?? 0)}`,
      );
      rows.push(
        ` ot_${j}_${t}: ${users.map(({ i, u }) => `+ ${num(u)} o_${i}_${t}`).join(' ')} <= ${num(levers.overtime ? (r.overtime[t] ?? 0) : 0)}`,
      );
    }
  });
  const lp = `Minimize\n obj: ${obj.join(' ')}\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;

  function decode(status: string, columns: Record<string, { Primal: number }>): MixPlan {
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
      for (let t = 0; t < T; t++) {
        const o = v(`o_${i}_${t}`);
        plan.overtime.units += o;
        plan.overtime.cost +=
          o *
          resources.reduce((s, r) => s + usage(f.family, r.resource) * (r.overtimeCostPerUnit[t] ?? 0), 0);
        alternates.forEach((a, k) => {
          if (a.family !== f.family) return;
          const units = v(`a_${i}_${t}_${k}`);
          const slot = (plan.alternates[a.option] ??= { units: 0, cost: 0 });
          slot.units += units;
          slot.cost += units * a.extraCostPerUnit;
        });
        const stock = v(`I_${i}_${t}`);
        const above = Math.max(0, stock - f.safetyStock);
        plan.prebuild.unitMonths += above;
        plan.prebuild.holdingCost += stock * f.holdingCostPerUnitMonth;
        const d = v(`d_${i}_${t}`);
        plan.safetyStockDrawdown.unitMonths += d;
        plan.safetyStockDrawdown.penalty += d * drawdownPenalty(f);
        const lost = Math.max(0, (f.demand[t] ?? 0) - v(`q_${i}_${t}`));
        if (lost > 1e-6) plan.shortfalls.push({ family: f.family, period: periods[t]!, units: lost });
        plan.lostSales.units += lost;
        plan.lostSales.margin += lost * margin(f);
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
