/**
 * The planning model behind the pre-S&OP pack, from a dataset version and the cycle's inputs:
 * the horizon, the baseline per family, supply inputs applied to capacity (with provenance), the
 * model the rough-cut check and the LP share, the clusters of tight resources that each make one
 * trade-off, the options of a trade-off and the recommended one, the financial view, and what-if
 * changes. Pure and synchronous; the LP itself is solved by the app through the solver port.
 */
import { consensusDemand, type Adjustment, type ConsensusFamily } from './consensus.js';
import { forecastSeries, type SeriesForecast } from './forecast/forecast.js';
import {
  ALL_LEVERS,
  totalCostOf,
  type MixAlternate,
  type MixInput,
  type MixLevers,
  type MixPlan,
} from './mix.js';
import { roughCutCheck, SHORT_EPSILON, type Gap, type Route, type SupplyCheck } from './supply.js';
import { monthName, monthNumber } from './time.js';

export interface PlanFamily {
  family: string;
  name: string;
  unitPrice: number;
  unitCost: number;
  safetyStock: number;
  holdingCost: number;
}

export interface PlanResource {
  resource: string;
  name: string;
  kind: string;
}

export interface CapacityRow {
  resource: string;
  period: string;
  capacity: number;
  overtime: number;
  overtimeCost: number;
}

/** One dataset version, typed. */
export interface PlanData {
  families: PlanFamily[];
  history: { family: string; period: string; shipments: number }[];
  inventory: { family: string; onHand: number }[];
  resources: PlanResource[];
  capacity: CapacityRow[];
  routing: Route[];
  alternates: MixAlternate[];
}

/** A step-3 supply input, as submitted (see supplyConstraintsPayload), with its author. */
export interface SupplyConstraint {
  function: string;
  author: string;
  resource: string;
  from: string;
  to: string;
  capacityChange?: { type: 'percent' | 'units'; value: number };
  supplierLimit?: number;
  leadTimeChangeDays?: number;
  reason: string;
}

export interface FinanceTarget {
  period: string;
  family?: string;
  revenue?: number;
  marginPercent?: number;
}

/** The months a cycle plans: the `horizon` months after the cycle's own month. */
export function horizonPeriods(cycleMonth: string, horizon: number): string[] {
  const first = monthNumber(cycleMonth) + 1;
  return Array.from({ length: horizon }, (_, k) => monthName(first + k));
}

export interface Baseline {
  family: string;
  /** Monthly history as used (missing months inside it as zero), up to the planning start. */
  history: { period: string; value: number }[];
  forecast: SeriesForecast;
}

/** One family's series to forecast: its history as used, and how far to forecast (to the horizon's end). */
export interface BaselineSeries {
  family: string;
  history: { period: string; value: number }[];
  /** Months forecast: the months between the history's end and the plan's start, then the plan. */
  horizon: number;
  /** Forecast months before the plan's first month. */
  offset: number;
}

/**
 * The series behind the statistical baseline, per family. Each series runs from its first month to
 * the last month any family has history for (missing months count as zero); months of history at
 * or after the first planning month are left out; the forecast starts the month after the history
 * ends and the planning months are cut from it (baselineOf).
 */
export function baselineSeries(data: PlanData, periods: string[]): BaselineSeries[] {
  const start = monthNumber(periods[0]!);
  const byFamily = new Map<string, Map<number, number>>();
  let last = -Infinity;
  for (const h of data.history) {
    const m = monthNumber(h.period);
    if (m >= start) continue;
    const series = byFamily.get(h.family) ?? new Map<number, number>();
    series.set(m, (series.get(m) ?? 0) + h.shipments);
    byFamily.set(h.family, series);
    if (m > last) last = m;
  }
  const offset = Number.isFinite(last) ? Math.max(0, start - (last + 1)) : 0;
  return data.families.map((f) => {
    const series = byFamily.get(f.family);
    let first = last + 1;
    if (series) for (const m of series.keys()) if (m < first) first = m;
    const history: { period: string; value: number }[] = [];
    for (let m = first; m <= last; m++) history.push({ period: monthName(m), value: series?.get(m) ?? 0 });
    return { family: f.family, history, horizon: offset + periods.length, offset };
  });
}

/** A family's baseline from its series' forecast: the planning months cut from it. */
export function baselineOf(s: BaselineSeries, forecast: SeriesForecast, months: number): Baseline {
  const cut = (v: number[]) => v.slice(s.offset, s.offset + months);
  return {
    family: s.family,
    history: s.history,
    forecast: { ...forecast, p10: cut(forecast.p10), p50: cut(forecast.p50), p90: cut(forecast.p90) },
  };
}

/** The statistical baseline per family on the planning periods, forecast in this thread. */
export function baselines(data: PlanData, periods: string[]): Baseline[] {
  return baselineSeries(data, periods).map((s) =>
    baselineOf(
      s,
      forecastSeries(
        s.history.map((h) => h.value),
        { horizon: s.horizon },
      ),
      periods.length,
    ),
  );
}

export function consensus(periods: string[], base: Baseline[], adjustments: Adjustment[]): ConsensusFamily[] {
  return consensusDemand(
    new Map(base.map((b) => [b.family, b.forecast.p50.map((value, t) => ({ period: periods[t]!, value }))])),
    adjustments,
  );
}

export interface CapacityChange {
  resource: string;
  period: string;
  base: number;
  steps: { function: string; author: string; delta: number; reason: string }[];
  effective: number;
}

export interface ResourcePlan {
  resource: string;
  name: string;
  kind: string;
  capacity: number[];
  overtime: number[];
  overtimeCost: number[];
}

/**
 * Capacity per resource and planning month: the row for that month, else the latest earlier one,
 * else the earliest later one. A resource with no capacity rows at all is not checked (warning).
 * Step-3 inputs then apply on top: a capacity change (percent of the dataset's capacity, or units),
 * a supplier limit (caps capacity), a lead-time change (moves the alternates named after the
 * resource by whole months); each change keeps its author and reason.
 */
export function effectiveCapacity(
  data: PlanData,
  periods: string[],
  constraints: SupplyConstraint[],
): { resources: ResourcePlan[]; changes: CapacityChange[]; alternates: MixAlternate[]; warnings: string[] } {
  const rows = new Map<string, CapacityRow[]>();
  for (const c of data.capacity) rows.set(c.resource, [...(rows.get(c.resource) ?? []), c]);
  const warnings: string[] = [];
  const resources: ResourcePlan[] = [];
  for (const r of data.resources) {
    const mine = (rows.get(r.resource) ?? []).sort((a, b) => (a.period < b.period ? -1 : 1));
    if (!mine.length) {
      warnings.push(`resource ${r.resource} has no capacity rows; it is not checked`);
      continue;
    }
    const at = (p: string) => [...mine].reverse().find((c) => c.period <= p) ?? mine[0]!;
    const cells = periods.map(at);
    resources.push({
      resource: r.resource,
      name: r.name,
      kind: r.kind,
      capacity: cells.map((c) => c.capacity),
      overtime: cells.map((c) => c.overtime),
      overtimeCost: cells.map((c) => c.overtimeCost),
    });
  }
  const byId = new Map(resources.map((r) => [r.resource, r]));
  const changes = new Map<string, CapacityChange>();
  let alternates = data.alternates.map((a) => ({ ...a }));
  for (const c of constraints) {
    const r = byId.get(c.resource);
    const altsNamed = alternates.filter((a) => a.option === c.resource);
    if (!r && !altsNamed.length) {
      warnings.push(
        `supply input by ${c.author} names ${c.resource}, which is not in the dataset; not applied`,
      );
      continue;
    }
    if (c.leadTimeChangeDays !== undefined && !altsNamed.length)
      warnings.push(
        `lead-time change on ${c.resource} by ${c.author} is noted but not modelled: only alternates named after a resource move with it`,
      );
    if (c.leadTimeChangeDays !== undefined && altsNamed.length) {
      const months = Math.round(c.leadTimeChangeDays / 30);
      alternates = alternates.map((a) =>
        a.option === c.resource ? { ...a, leadTimeMonths: Math.max(0, a.leadTimeMonths + months) } : a,
      );
    }
    if (!r) continue;
    periods.forEach((period, t) => {
      if (period < c.from || period > c.to) return;
      const before = r.capacity[t]!;
      let after = before;
      if (c.capacityChange)
        after +=
          c.capacityChange.type === 'percent'
            ? (changes.get(`${r.resource}:${period}`)?.base ?? before) * (c.capacityChange.value / 100)
            : c.capacityChange.value;
      if (c.supplierLimit !== undefined) after = Math.min(after, c.supplierLimit);
      after = Math.max(0, after);
      if (after === before) return;
      r.capacity[t] = after;
      const key = `${r.resource}:${period}`;
      const change = changes.get(key) ?? {
        resource: r.resource,
        period,
        base: before,
        steps: [],
        effective: 0,
      };
      change.steps.push({ function: c.function, author: c.author, delta: after - before, reason: c.reason });
      change.effective = after;
      changes.set(key, change);
    });
  }
  return { resources, changes: [...changes.values()], alternates, warnings };
}

/** The model the check, the LP and Monte Carlo share; demand is consensus, P10/P90 follow it. */
export interface PlanModel extends MixInput {
  names: Record<string, string>;
  p10: number[][];
  p90: number[][];
  /** Resource metadata, aligned with `resources`. */
  resourceInfo: { name: string; kind: string }[];
}

export function planModel(
  data: PlanData,
  periods: string[],
  base: Baseline[],
  demand: ConsensusFamily[],
  supply: { resources: ResourcePlan[]; alternates: MixAlternate[] },
): PlanModel {
  const onHand = new Map<string, number>();
  for (const i of data.inventory) onHand.set(i.family, (onHand.get(i.family) ?? 0) + i.onHand);
  const baseOf = new Map(base.map((b) => [b.family, b.forecast]));
  const demandOf = new Map(demand.map((d) => [d.family, d.cells.map((c) => c.consensus)]));
  const families = data.families.map((f) => ({
    family: f.family,
    unitPrice: f.unitPrice,
    unitCost: f.unitCost,
    safetyStock: f.safetyStock,
    holdingCostPerUnitMonth: f.holdingCost,
    onHand: onHand.get(f.family) ?? 0,
    demand: demandOf.get(f.family) ?? periods.map(() => 0),
  }));
  // The distribution moves with the consensus: P10 and P90 scale by consensus / P50.
  const scaled = (which: 'p10' | 'p90') =>
    families.map((f) => {
      const fc = baseOf.get(f.family);
      return f.demand.map((d, t) => {
        const p50 = fc?.p50[t] ?? 0;
        const q = fc?.[which][t] ?? d;
        return p50 > 0 ? (q * d) / p50 : d;
      });
    });
  const known = new Set(supply.resources.map((r) => r.resource));
  return {
    periods,
    families,
    resources: supply.resources.map((r) => ({
      resource: r.resource,
      capacity: r.capacity,
      overtime: r.overtime,
      overtimeCostPerUnit: r.overtimeCost,
    })),
    resourceInfo: supply.resources.map((r) => ({ name: r.name, kind: r.kind })),
    routing: data.routing.filter((r) => known.has(r.resource)),
    alternates: supply.alternates,
    names: Object.fromEntries(data.families.map((f) => [f.family, f.name])),
    p10: scaled('p10'),
    p90: scaled('p90'),
  };
}

export const check = (m: PlanModel, useOvertime = false): SupplyCheck =>
  roughCutCheck(m.periods, m.families, m.resources, m.routing, { useOvertime });

/**
 * A cluster of tight resources: the resources that leave demand short in some month with no
 * lever (joined when a family uses several), the families using them, and their gap.
 */
export interface Cluster {
  resources: string[];
  families: string[];
  /** The sub-model: these families, the resources they use (capacity net of everyone else's load). */
  model: MixInput;
  gaps: Gap[];
  /** The cluster's plan with no lever used (the rough-cut check's): the "accept the shortfall" option. */
  noLever: MixPlan;
}

/** Safety stock below target in a check: the worst month (summed over families) and the unit-months. */
export function safetyStockBelowTarget(
  plain: SupplyCheck,
  only?: ReadonlySet<string>,
): { units: number; unitMonths: number } {
  const byPeriod = new Map<string, number>();
  let unitMonths = 0;
  for (const fm of plain.families) {
    if (only && !only.has(fm.family)) continue;
    const below = fm.safetyStockBelowTarget > SHORT_EPSILON ? fm.safetyStockBelowTarget : 0;
    byPeriod.set(fm.period, (byPeriod.get(fm.period) ?? 0) + below);
    unitMonths += below;
  }
  return { units: Math.max(0, ...byPeriod.values()), unitMonths };
}

/** What the check's plan (no lever) comes to for some families, as a plan the options compare with. */
export function noLeverPlan(plain: SupplyCheck, families: ReadonlySet<string>): MixPlan {
  const gaps = plain.gaps.filter((g) => families.has(g.family));
  const plan: MixPlan = {
    status: 'no levers',
    totalCost: 0,
    overtime: { units: 0, cost: 0 },
    alternates: {},
    prebuild: { unitMonths: 0, holdingCost: 0 },
    safetyStockDrawdown: { unitMonths: 0, penalty: 0 },
    safetyStockBelowTarget: safetyStockBelowTarget(plain, families),
    lostSales: {
      units: gaps.reduce((s, g) => s + g.shortfallUnits, 0),
      margin: gaps.reduce((s, g) => s + g.marginAtRisk, 0),
    },
    shortfalls: gaps.map((g) => ({ family: g.family, period: g.period, units: g.shortfallUnits })),
  };
  plan.totalCost = totalCostOf(plan);
  return plan;
}

/** The resources that leave demand short with no lever (the gaps' binding resources). */
export const tightResources = (plain: SupplyCheck): Set<string> =>
  new Set(plain.gaps.flatMap((g) => (g.resource === null ? [] : [g.resource])));

export function tightClusters(m: PlanModel, plain: SupplyCheck): Cluster[] {
  const T = m.periods.length;
  const tight = tightResources(plain);
  if (!tight.size) return [];
  const parent = new Map([...tight].map((r) => [r, r]));
  const find = (r: string): string => {
    let x = r;
    while (parent.get(x) !== x) x = parent.get(x)!;
    parent.set(r, x);
    return x;
  };
  const usesOf = new Map<string, string[]>();
  for (const r of m.routing)
    if (r.usagePerUnit > 0) usesOf.set(r.family, [...(usesOf.get(r.family) ?? []), r.resource]);
  for (const uses of usesOf.values()) {
    const t = uses.filter((r) => tight.has(r));
    for (let k = 1; k < t.length; k++) parent.set(find(t[k]!), find(t[0]!));
  }
  const groups = new Map<string, string[]>();
  for (const r of tight) groups.set(find(r), [...(groups.get(find(r)) ?? []), r]);
  const production = new Map<string, number[]>();
  const supplied = new Map<string, number[]>();
  for (const fm of plain.families) {
    let p = production.get(fm.family);
    let q = supplied.get(fm.family);
    if (!p || !q) {
      production.set(fm.family, (p = []));
      supplied.set(fm.family, (q = []));
    }
    p.push(fm.production);
    q.push(fm.supplied);
  }
  const order = new Map(m.resources.map((r, j) => [r.resource, j]));
  return [...groups.values()].map((resources) => {
    resources.sort((a, b) => order.get(a)! - order.get(b)!);
    const inCluster = new Set(
      [...usesOf.entries()].filter(([, uses]) => uses.some((r) => resources.includes(r))).map(([f]) => f),
    );
    const used = new Set(m.routing.filter((r) => inCluster.has(r.family)).map((r) => r.resource));
    // Capacity left for the cluster: everyone else's planned production stays where it is.
    const others = new Map<string, number[]>();
    for (const r of m.routing) {
      if (inCluster.has(r.family) || !used.has(r.resource)) continue;
      const load = others.get(r.resource) ?? Array<number>(T).fill(0);
      const p = production.get(r.family) ?? [];
      for (let t = 0; t < T; t++) load[t]! += (p[t] ?? 0) * r.usagePerUnit;
      others.set(r.resource, load);
    }
    const net = (v: number[], load: number[] | undefined) =>
      v.map((x, t) => Math.max(0, x - (load?.[t] ?? 0)));
    return {
      resources,
      families: m.families.filter((f) => inCluster.has(f.family)).map((f) => f.family),
      gaps: plain.gaps.filter((g) => inCluster.has(g.family)),
      noLever: noLeverPlan(plain, inCluster),
      model: {
        periods: m.periods,
        families: m.families
          .filter((f) => inCluster.has(f.family))
          .map((f) => ({ ...f, suppliedBeforeLevers: supplied.get(f.family) ?? [] })),
        resources: m.resources
          .filter((r) => used.has(r.resource))
          .map((r) => {
            const load = others.get(r.resource);
            // Regular capacity absorbs the others' load first; what it cannot absorb eats overtime.
            const spill = r.capacity.map((c, t) => Math.max(0, (load?.[t] ?? 0) - c));
            return { ...r, capacity: net(r.capacity, load), overtime: net(r.overtime, spill) };
          }),
        routing: m.routing.filter((r) => inCluster.has(r.family)),
        alternates: m.alternates.filter((a) => inCluster.has(a.family)),
      },
    };
  });
}

export interface LeverOption {
  key: 'accept-shortfall' | 'overtime' | 'alternates' | 'prebuild' | 'mix';
  label: string;
  levers: MixLevers;
}

const NONE: MixLevers = { overtime: false, alternates: false, prebuild: false, safetyStockDrawdown: false };

/**
 * Every option's levers; one LP per option solves it for all clusters at once. The pack takes
 * "accept the shortfall" from the rough-cut check (the same model with no lever), not from the LP.
 */
export const LEVER_SETS: Record<LeverOption['key'], MixLevers> = {
  'accept-shortfall': NONE,
  overtime: { ...NONE, overtime: true },
  alternates: { ...NONE, alternates: true },
  prebuild: { ...NONE, prebuild: true, safetyStockDrawdown: true },
  mix: ALL_LEVERS,
};

/** The options worth costing for a cluster (those with nothing to offer are left out). */
export function leverOptions(c: Cluster): LeverOption[] {
  const options: LeverOption[] = [
    {
      key: 'accept-shortfall',
      label: 'Accept the shortfall; allocate capacity by margin',
      levers: LEVER_SETS['accept-shortfall'],
    },
  ];
  const tight = c.model.resources.filter((r) => c.resources.includes(r.resource));
  if (tight.some((r) => r.overtime.some((o) => o > 0)))
    options.push({ key: 'overtime', label: 'Overtime', levers: LEVER_SETS.overtime });
  const alts = [
    ...new Set(c.model.alternates.filter((a) => a.capacityPerMonth > 0 && a.option).map((a) => a.option)),
  ];
  if (alts.length)
    options.push({
      key: 'alternates',
      label: alts.map(optionLabel).join(' and '),
      levers: LEVER_SETS.alternates,
    });
  options.push({
    key: 'prebuild',
    label: 'Pre-build in earlier months; draw safety stock down',
    levers: LEVER_SETS.prebuild,
  });
  options.push({ key: 'mix', label: 'Least-cost mix of all levers', levers: LEVER_SETS.mix });
  return options;
}

/**
 * The clusters as one model of independent blocks: each cluster keeps its own copy of the
 * resources it uses (their capacity is already net of everyone else's load), so no two share.
 */
export function mergeClusters(clusters: Cluster[]): MixInput {
  const tag = (k: number, r: string) => `${k}|${r}`;
  return {
    periods: clusters[0]?.model.periods ?? [],
    families: clusters.flatMap((c) => c.model.families),
    resources: clusters.flatMap((c, k) =>
      c.model.resources.map((r) => ({ ...r, resource: tag(k, r.resource) })),
    ),
    routing: clusters.flatMap((c, k) => c.model.routing.map((r) => ({ ...r, resource: tag(k, r.resource) }))),
    alternates: clusters.flatMap((c) => c.model.alternates),
  };
}

export function optionLabel(option: string): string {
  if (option === 'alternate_source') return 'Alternate sourcing';
  if (option === 'modal_shift') return 'Modal shift';
  const label = option.replace(/[_-]+/g, ' ').trim();
  return label ? label.replace(/^./, (c) => c.toUpperCase()) : 'Alternate supply';
}

export interface TradeoffOption {
  key: string;
  label: string;
  /** What the levers cost in money: overtime, alternates' extra cost, holding pre-built stock. */
  cost: number;
  /** Margin of the sales still lost. */
  lostMargin: number;
  lostRevenue: number;
  /** cost + lostMargin + a risk weight per unit-month of safety stock drawn down: the ranking. */
  totalCost: number;
  /** Units short of demand the option leaves (never more than the gap before levers). */
  shortfallUnits: number;
  /** Units the held safety stock is below target in the option's worst month. */
  safetyStockBelowTarget: number;
  /** Share of the cluster's demand met over the horizon. */
  fillRate: number;
  feasibility: 'closes the gap' | 'closes part of the gap' | 'leaves the gap open';
  levers: {
    overtimeUnits: number;
    alternates: Record<string, number>;
    prebuildUnitMonths: number;
    safetyStockDrawdownUnitMonths: number;
  };
  recommended: boolean;
}

export interface Tradeoff {
  /** Stable across cycles for the same resources: later cycles link recurring decisions by it. */
  key: string;
  title: string;
  question: string;
  resources: string[];
  families: string[];
  periods: string[];
  /** Before levers: units short of demand, what they sell for and earn; safety stock below target (worst month). */
  gap: {
    shortfallUnits: number;
    revenueAtRisk: number;
    marginAtRisk: number;
    safetyStockBelowTarget: number;
  };
  options: TradeoffOption[];
  recommended: string;
  rationale: string;
}

/** 1234567.8 -> "1,234,568" (toLocaleString is slow and depends on the ICU data present). */
export const fmt = (n: number): string => {
  const r = Math.round(n);
  return (r < 0 ? '-' : '') + String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
};

/**
 * Units as a sentence shows them: whole units, except a gap under half a unit, which would
 * otherwise read "0 units short".
 */
export const fmtShortUnits = (n: number): string =>
  n > 0 && n < 0.5 ? String(Number(n.toPrecision(1))) : fmt(n);

/** Money the levers of a plan cost (the drawdown penalty is a risk weight, not spend). */
export const leverSpend = (p: MixPlan): number =>
  p.overtime.cost + Object.values(p.alternates).reduce((s, a) => s + a.cost, 0) + p.prebuild.holdingCost;

/**
 * 2-4 options for one cluster: accepting the shortfall (the reference), the recommended one (the
 * least total cost: spend plus margin lost), and the next cheapest distinct ones. An option that
 * ends up the same as another (same cost) is shown once.
 */
export function frameTradeoff(
  c: Cluster,
  results: { option: LeverOption; plan: MixPlan }[],
  names: Record<string, string>,
  resourceNames: Record<string, string>,
): Tradeoff {
  const demand = c.model.families.reduce((s, f) => s + f.demand.reduce((a, b) => a + Math.max(0, b), 0), 0);
  const price = new Map(c.model.families.map((f) => [f.family, f.unitPrice]));
  // The gap before levers is the check's, and so is the "accept the shortfall" option's plan.
  const before = c.noLever.lostSales.units;
  let options: TradeoffOption[] = results.map(({ option, plan }) => {
    const shortfall = plan.lostSales.units;
    const cost = leverSpend(plan);
    return {
      key: option.key,
      label: option.label,
      cost,
      lostMargin: plan.lostSales.margin,
      lostRevenue: plan.shortfalls.reduce((s, x) => s + x.units * (price.get(x.family) ?? 0), 0),
      totalCost: plan.totalCost,
      shortfallUnits: shortfall,
      safetyStockBelowTarget: plan.safetyStockBelowTarget.units,
      fillRate: demand > 0 ? (demand - shortfall) / demand : 1,
      // Every option's shortfall is at most the gap (the LP supplies at least what no lever does).
      feasibility:
        shortfall <= SHORT_EPSILON
          ? 'closes the gap'
          : shortfall < before - SHORT_EPSILON
            ? 'closes part of the gap'
            : 'leaves the gap open',
      levers: {
        overtimeUnits: plan.overtime.units,
        alternates: Object.fromEntries(
          Object.entries(plan.alternates)
            .filter(([, a]) => a.units > 1e-6)
            .map(([k, a]) => [k, a.units]),
        ),
        prebuildUnitMonths: plan.prebuild.unitMonths,
        safetyStockDrawdownUnitMonths: plan.safetyStockDrawdown.unitMonths,
      },
      recommended: false,
    };
  });
  // A single lever that does as well as the mix stands for it (it is simpler to carry out).
  const same = (a: TradeoffOption, b: TradeoffOption) =>
    Math.abs(a.totalCost - b.totalCost) <= Math.max(1, 0.005 * Math.abs(b.totalCost));
  const mix = options.find((o) => o.key === 'mix');
  if (mix && options.some((o) => o !== mix && same(o, mix))) options = options.filter((o) => o !== mix);
  const ranked = [...options].sort((a, b) => a.totalCost - b.totalCost);
  const best = ranked[0]!;
  best.recommended = true;
  const shown = [options.find((o) => o.key === 'accept-shortfall')!];
  for (const o of ranked) {
    if (shown.length >= 4) break;
    if (!shown.includes(o) && !shown.some((s) => same(s, o) && s.key !== 'accept-shortfall')) shown.push(o);
  }
  if (!shown.includes(best)) shown.push(best);
  shown.sort((a, b) =>
    a.key === 'accept-shortfall' ? -1 : b.key === 'accept-shortfall' ? 1 : a.totalCost - b.totalCost,
  );
  const periods = [...new Set(c.gaps.map((g) => g.period))].sort();
  const where = c.resources.map((r) => resourceNames[r] || r).join(', ');
  const when = periods.length > 1 ? `${periods[0]} to ${periods[periods.length - 1]}` : (periods[0] ?? '');
  const refOption = shown[0]!;
  const saving = refOption.totalCost - best.totalCost;
  const rationale =
    best.key === 'accept-shortfall'
      ? `No lever costs less than the margin it would save; accepting the shortfall of ${fmtShortUnits(best.shortfallUnits)} units loses ${fmt(best.lostMargin)} of margin.`
      : `${best.label} ${best.feasibility} (${fmtShortUnits(before - best.shortfallUnits)} of ${fmtShortUnits(before)} units) for ${fmt(best.cost)}, ${fmt(saving)} less than accepting the shortfall (${fmt(refOption.lostMargin)} of margin lost).`;
  const familyNames = c.families.slice(0, 3).map((f) => names[f] || f);
  return {
    key: `capacity:${c.resources.join('+')}`,
    title: `${where}: ${fmtShortUnits(before)} units short${when ? `, ${when}` : ''}`,
    question: `How do we close the gap on ${where} (${familyNames.join(', ')}${c.families.length > 3 ? ` and ${c.families.length - 3} more` : ''})?`,
    resources: c.resources,
    families: c.families,
    periods,
    gap: {
      shortfallUnits: before,
      revenueAtRisk: c.gaps.reduce((s, g) => s + g.revenueAtRisk, 0),
      marginAtRisk: c.noLever.lostSales.margin,
      safetyStockBelowTarget: c.noLever.safetyStockBelowTarget.units,
    },
    options: shown,
    recommended: best.key,
    rationale,
  };
}

export interface Financials {
  revenue: number;
  /** Cost of goods supplied plus the recommended levers' extra spend. */
  cost: number;
  margin: number;
  marginPercent: number;
  leverSpend: number;
  lostRevenue: number;
  byPeriod: {
    period: string;
    revenue: number;
    cost: number;
    margin: number;
    revenueTarget: number | null;
    marginPercentTarget: number | null;
  }[];
  target: { revenue: number | null; revenueGap: number | null; marginPercent: number | null } | null;
}

/**
 * The plan's money: every family supplied in full except the shortfalls the recommended options
 * leave, at unit price and unit cost, plus the recommended options' spend; against finance
 * targets (org-wide targets per month; family targets add up into their month).
 */
export function financials(
  m: PlanModel,
  shortfalls: { family: string; period: string; units: number }[],
  leverSpend: number,
  targets: FinanceTarget[],
): Financials {
  const lost = new Map(shortfalls.map((s) => [`${s.family}\u0000${s.period}`, s.units]));
  let lostRevenue = 0;
  const byPeriod = m.periods.map((period, t) => {
    let revenue = 0;
    let cost = 0;
    for (const f of m.families) {
      const short = lost.get(`${f.family}\u0000${period}`) ?? 0;
      const supplied = Math.max(0, (f.demand[t] ?? 0) - short);
      revenue += supplied * f.unitPrice;
      cost += supplied * f.unitCost;
      lostRevenue += short * f.unitPrice;
    }
    const mine = targets.filter((x) => x.period === period);
    const revenues = mine.filter((x) => x.revenue !== undefined);
    const orgWide = revenues.filter((x) => !x.family);
    const revenueTarget = orgWide.length
      ? orgWide.reduce((s, x) => s + x.revenue!, 0)
      : revenues.length
        ? revenues.reduce((s, x) => s + x.revenue!, 0)
        : null;
    const margins = mine.filter((x) => x.marginPercent !== undefined && !x.family);
    return {
      period,
      revenue,
      cost,
      margin: revenue - cost,
      revenueTarget,
      marginPercentTarget: margins.length ? margins[margins.length - 1]!.marginPercent! : null,
    };
  });
  const revenue = byPeriod.reduce((s, p) => s + p.revenue, 0);
  const cost = byPeriod.reduce((s, p) => s + p.cost, 0) + leverSpend;
  const withTarget = byPeriod.filter((p) => p.revenueTarget !== null);
  const marginTargets = byPeriod.filter((p) => p.marginPercentTarget !== null);
  const targetRevenue = withTarget.length ? withTarget.reduce((s, p) => s + p.revenueTarget!, 0) : null;
  return {
    revenue,
    cost,
    margin: revenue - cost,
    marginPercent: revenue > 0 ? ((revenue - cost) / revenue) * 100 : 0,
    leverSpend,
    lostRevenue,
    byPeriod,
    target:
      targets.length === 0
        ? null
        : {
            revenue: targetRevenue,
            revenueGap:
              targetRevenue === null ? null : withTarget.reduce((s, p) => s + p.revenue, 0) - targetRevenue,
            marginPercent: marginTargets.length
              ? marginTargets.reduce((s, p) => s + p.marginPercentTarget!, 0) / marginTargets.length
              : null,
          },
  };
}

/** A what-if: changes to demand, capacity and costs, applied to a copy of the model. */
export interface WhatIf {
  name: string;
  demand?: { families?: string[]; from?: string; to?: string; percent: number }[];
  capacity?: { resource: string; from?: string; to?: string; percent?: number; units?: number }[];
  costs?: { kind: 'overtime' | 'alternates' | 'holding' | 'unit_cost'; percent: number }[];
}

export function applyWhatIf(m: PlanModel, w: WhatIf): PlanModel {
  const inRange = (p: string, from?: string, to?: string) => (!from || p >= from) && (!to || p <= to);
  const costFactor = (kind: string) =>
    (w.costs ?? []).filter((c) => c.kind === kind).reduce((f, c) => f * (1 + c.percent / 100), 1);
  const demandFactor = (family: string, period: string) =>
    (w.demand ?? [])
      .filter((d) => (!d.families?.length || d.families.includes(family)) && inRange(period, d.from, d.to))
      .reduce((f, d) => f + d.percent / 100, 1);
  const families = m.families.map((f) => ({
    ...f,
    unitCost: f.unitCost * costFactor('unit_cost'),
    holdingCostPerUnitMonth: f.holdingCostPerUnitMonth * costFactor('holding'),
    demand: f.demand.map((d, t) => Math.max(0, d * demandFactor(f.family, m.periods[t]!))),
  }));
  const ratio = (i: number, t: number) => {
    const was = m.families[i]!.demand[t]!;
    return was > 0 ? families[i]!.demand[t]! / was : 1;
  };
  return {
    ...m,
    families,
    p10: m.p10.map((row, i) => row.map((v, t) => v * ratio(i, t))),
    p90: m.p90.map((row, i) => row.map((v, t) => v * ratio(i, t))),
    resources: m.resources.map((r) => {
      const changes = (w.capacity ?? []).filter((c) => c.resource === r.resource);
      return {
        ...r,
        overtimeCostPerUnit: r.overtimeCostPerUnit.map((c) => c * costFactor('overtime')),
        capacity: r.capacity.map((cap, t) =>
          Math.max(
            0,
            changes
              .filter((c) => inRange(m.periods[t]!, c.from, c.to))
              .reduce(
                (v, c) => v + (c.percent !== undefined ? (cap * c.percent) / 100 : 0) + (c.units ?? 0),
                cap,
              ),
          ),
        ),
      };
    }),
    alternates: m.alternates.map((a) => ({
      ...a,
      extraCostPerUnit: a.extraCostPerUnit * costFactor('alternates'),
    })),
  };
}

/** What one plan comes to, for side-by-side comparison. */
export interface PlanOutcome {
  revenue: number;
  margin: number;
  marginPercent: number;
  fillRate: number;
  shortfallUnits: number;
  /** Before levers: units the rough-cut check cannot supply, and their margin. */
  gapUnits: number;
  marginAtRisk: number;
  /** The recommended levers' spend and the margin they still lose. */
  leverSpend: number;
  lostMargin: number;
  tightResources: number;
  peakUtilization: number;
}

export function outcomeOf(
  m: PlanModel,
  plain: SupplyCheck,
  fin: Financials,
  after: { shortfallUnits: number; lostMargin: number },
): PlanOutcome {
  const demand = m.families.reduce((s, f) => s + f.demand.reduce((a, b) => a + b, 0), 0);
  const finite = plain.loads.map((l) => l.utilization).filter(Number.isFinite);
  return {
    revenue: fin.revenue,
    margin: fin.margin,
    marginPercent: fin.marginPercent,
    fillRate: demand > 0 ? (demand - after.shortfallUnits) / demand : 1,
    shortfallUnits: after.shortfallUnits,
    gapUnits: plain.gaps.reduce((s, g) => s + g.shortfallUnits, 0),
    marginAtRisk: plain.gaps.reduce((s, g) => s + g.marginAtRisk, 0),
    leverSpend: fin.leverSpend,
    lostMargin: after.lostMargin,
    tightResources: tightResources(plain).size,
    peakUtilization: finite.length ? Math.max(...finite) : 0,
  };
}
