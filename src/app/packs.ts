/**
 * Use cases: buildPack (a new immutable pre-S&OP pack version from the cycle's pinned dataset and
 * the latest step 2-3 submissions), runWhatIf (a what-if on a pack's model, compared side by side
 * with its base plan), and the readers of a pack's detail. The arithmetic is in src/domain/plan.ts.
 */
import { soeSinceLastCycle, type PackSoe } from './soeHistory.js';
import { createHash } from 'node:crypto';
import type { Adjustment } from '../domain/consensus.js';
import { DomainError } from '../domain/errors.js';
import { whatIfProblems, type WhatIfScope } from '../domain/whatif.js';
import type { Accuracy } from '../domain/forecast/forecast.js';
import type { MixPlan } from '../domain/mix.js';
import { prepareMonteCarlo, type MonteCarloResult } from '../domain/montecarlo.js';
import { forecastBaselines } from './forecasts.js';
import {
  applyWhatIf,
  check,
  consensus,
  effectiveCapacity,
  financials,
  frameTradeoff,
  leverOptions,
  leverSpend,
  LEVER_SETS,
  mergeClusters,
  type LeverOption,
  outcomeOf,
  planModel,
  safetyStockBelowTarget,
  tightClusters,
  type CapacityChange,
  type FinanceTarget,
  type Financials,
  type PlanModel,
  type PlanOutcome,
  type SupplyConstraint,
  type Tradeoff,
  type WhatIf,
  horizonPeriods,
} from '../domain/plan.js';
import type { Gap, SupplyCheck } from '../domain/supply.js';
import { trackRecord, type PackTrackRecord } from './accuracy.js';
import { FAMILIES_PER_CHUNK, type FamilyDetail } from './packDetails.js';
import type { Deps } from './ports.js';
import type { Card } from '../cards/card.js';
import { presentPack, presentWhatIf } from '../cards/presenters/packs.js';
import { presentNotice } from '../cards/presenters/people.js';
import { presentPackMissing } from '../cards/presenters/steps.js';
import type { Actor, CycleRecord, DatasetRecord, PackRecord } from './records.js';
import type { LpSolver } from './solver.js';
import { loadPlanData } from './planData.js';
import { Memo } from './memo.js';
import type { PlanCompute } from './planPool.js';
import { planMixGroups } from './solver.js';

export interface Scenario {
  key: string;
  name: string;
  kind: 'base' | 'what-if' | 'probabilistic';
  description: string;
  outcome?: PlanOutcome;
  /** Scenario minus base, per outcome figure. */
  delta?: Partial<Record<keyof PlanOutcome, number>>;
  monteCarlo?: Omit<MonteCarloResult, 'resourceRisk'> & {
    resourceRisk: { resource: string; name: string; period: string; probability: number }[];
  };
}

export interface ChartRef {
  id: string;
  kind: 'capacity' | 'forecast';
  title: string;
}

export interface PackContent {
  version: number;
  cycleId: string;
  month: string;
  datasetVersion: number;
  builtAt: string;
  builtBy: Actor;
  horizon: { from: string; to: string; months: number; periods: string[] };
  inputs: {
    submissions: { kind: string; function: string | null; author: string; version: number; at: string }[];
    adjustments: number;
    constraints: number;
    targets: number;
  };
  warnings: string[];
  summary: {
    families: number;
    resources: number;
    baselineUnits: number;
    demandUnits: number;
    revenue: number;
    cost: number;
    margin: number;
    marginPercent: number;
    leverSpend: number;
    fillRate: number;
    /** Before levers: units short of demand (the sum of `gaps`, and of every trade-off's gap). */
    gapUnits: number;
    revenueAtRisk: number;
    marginAtRisk: number;
    /** Before levers: units the held safety stock is below target in the worst month (absent in older packs). */
    safetyStockBelowTarget?: number;
    tightResources: number;
    target: Financials['target'];
  };
  /**
   * Pooled backtest accuracy, methods chosen, families whose forecast came from the cache (absent
   * in older packs), and the pack version whose baseline was reused (when every family's was).
   */
  forecast: {
    accuracy: Accuracy;
    methods: Record<string, number>;
    cached?: number;
    reusedFrom: number | null;
  };
  /** How long each stage of the build took (ms) and on how many planning threads (absent in older packs). */
  build?: { ms: Record<string, number>; threads: number };
  gaps: (Gap & { familyName: string })[];
  gapsTotal: number;
  tradeoffs: Tradeoff[];
  scenarios: Scenario[];
  financials: Financials;
  capacityChanges: CapacityChange[];
  resources: {
    resource: string;
    name: string;
    kind: string;
    peakUtilization: number;
    overloadedMonths: number;
  }[];
  charts: ChartRef[];
  /** Family -> the detail chunk holding it. */
  familyChunks: Record<string, number>;
  /** How the earlier packs' forecasts did against this pack's data (absent in packs built before it was kept). */
  trackRecord?: PackTrackRecord[];
  /** S&OE since the last cycle: the alerts raised since its plan and those put on this agenda (absent in older packs). */
  soe?: PackSoe;
}

export { familyDetail, familyPage, type FamilyDetail } from './packDetails.js';
export { loadPlanData, planDataFrom } from './planData.js';

export interface ResourceDetail {
  resource: string;
  name: string;
  kind: string;
  periods: string[];
  load: number[];
  capacity: number[];
  withOvertime: number[];
}

const BATCH_FAMILIES = 40;
/** LPs one evaluation keeps in flight: enough to keep the planning threads busy. */
const SOLVES_IN_FLIGHT = 4;
const TOP_GAPS = 500;

/** The dataset version a cycle plans with: the one confirmed in step 1, else the latest. */
async function pinnedDataset(
  deps: Pick<Deps, 'requests' | 'submissions' | 'datasets'>,
  cycle: CycleRecord,
): Promise<{ dataset: DatasetRecord; warning: string | null }> {
  const requests = await deps.requests.forCycle(cycle.orgId, cycle.id);
  const confirm = requests.find((r) => r.kind === 'data-confirmation' && r.latestVersion > 0);
  if (confirm) {
    const versions = await deps.submissions.list(cycle.orgId, confirm.id);
    const v = (versions[versions.length - 1]?.payload as { datasetVersion?: number } | undefined)
      ?.datasetVersion;
    const d = v ? await deps.datasets.byVersion(cycle.orgId, v) : null;
    if (d) return { dataset: d, warning: null };
  }
  const latest = await deps.datasets.latest(cycle.orgId);
  if (!latest)
    throw new DomainError(
      'conflict',
      'there is no dataset yet: upload the step-1 tables (POST /api/v1/orgs/{orgId}/datasets) first',
    );
  return {
    dataset: latest,
    warning: `the data set was not confirmed in step 1; this pack plans with the latest version (${latest.version})`,
  };
}

/** The cycle's latest step-2/3 inputs, with their authors and functions. */
async function cycleInputs(deps: Pick<Deps, 'requests' | 'submissions' | 'members'>, cycle: CycleRecord) {
  const [requests, members] = await Promise.all([
    deps.requests.forCycle(cycle.orgId, cycle.id),
    deps.members.all(cycle.orgId),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const adjustments: Adjustment[] = [];
  const constraints: SupplyConstraint[] = [];
  const targets: FinanceTarget[] = [];
  const submissions: PackContent['inputs']['submissions'] = [];
  for (const r of requests) {
    if (
      r.latestVersion === 0 ||
      !['demand-adjustments', 'supply-constraints', 'finance-targets'].includes(r.kind)
    )
      continue;
    const versions = await deps.submissions.list(cycle.orgId, r.id);
    const s = versions[versions.length - 1];
    if (!s) continue;
    const author = names.get(s.authorId) ?? s.authorId;
    const fn = r.function ?? r.kind;
    submissions.push({
      kind: r.kind,
      function: r.function,
      author,
      version: s.version,
      at: s.createdAt.toISOString(),
    });
    const p = s.payload as Record<string, unknown>;
    if (r.kind === 'demand-adjustments')
      for (const a of p['adjustments'] as Omit<Adjustment, 'function' | 'author'>[])
        adjustments.push({ ...a, function: fn, author });
    if (r.kind === 'supply-constraints')
      for (const c of p['constraints'] as Omit<SupplyConstraint, 'function' | 'author'>[])
        constraints.push({ ...c, function: fn, author });
    if (r.kind === 'finance-targets') targets.push(...(p['targets'] as FinanceTarget[]));
  }
  return { adjustments, constraints, targets, submissions };
}

interface Evaluation {
  plain: SupplyCheck;
  tradeoffs: Tradeoff[];
  financials: Financials;
  outcome: PlanOutcome;
}

/**
 * Checks a model and plans its gaps: every cluster of tight resources gets its options costed by
 * the LP (or, with `frame: false`, only the least-cost mix, for quick what-ifs).
 */
/** What a cluster's chosen plan comes to; cached by the cluster's model so what-ifs re-solve only what changed. */
export interface ClusterPlan {
  shortfalls: MixPlan['shortfalls'];
  spend: number;
  lostMargin: number;
  lostUnits: number;
}

const clusterKey = (model: unknown) => createHash('sha256').update(JSON.stringify(model)).digest('base64url');

/**
 * Checks a model and plans its gaps: every cluster of tight resources gets its options costed by
 * the LP (or, with `frame: false`, only the least-cost mix, for what-ifs, and not at all for a
 * cluster whose model is unchanged from one in `cache`).
 */
export async function evaluate(
  solver: LpSolver,
  m: PlanModel,
  targets: FinanceTarget[],
  opts: { frame: boolean; resourceNames?: Record<string, string>; cache?: Record<string, ClusterPlan> },
): Promise<Evaluation & { plans: Record<string, ClusterPlan> }> {
  const plain = check(m);
  const tradeoffs: Tradeoff[] = [];
  const resourceNames =
    opts.resourceNames ??
    Object.fromEntries(m.resources.map((r, j) => [r.resource, m.resourceInfo[j]?.name ?? r.resource]));
  const clusters = tightClusters(m, plain);
  const keysOf = clusters.map((c) => clusterKey(c.model));
  const chosen: (ClusterPlan | undefined)[] = keysOf.map((k) => (opts.frame ? undefined : opts.cache?.[k]));
  const todo = clusters.map((_, k) => k).filter((k) => !chosen[k]);
  // Small clusters are solved together (one solve costs more than its size), large ones alone:
  // the simplex slows down more than linearly with the model.
  const batches: number[][] = [];
  let size = Infinity;
  for (const k of todo) {
    if (size + clusters[k]!.families.length > BATCH_FAMILIES) {
      batches.push([]);
      size = 0;
    }
    batches[batches.length - 1]!.push(k);
    size += clusters[k]!.families.length;
  }
  // "Accept the shortfall" is the check's own plan (no lever): the LP costs only the levers.
  const keys: LeverOption['key'][] = opts.frame ? ['overtime', 'alternates', 'prebuild', 'mix'] : ['mix'];
  // Every batch of every lever set: the solves run on the planning threads side by side, a few
  // at a time (each LP's text and answer are megabytes for a big cluster).
  const plans = new Map<LeverOption['key'], MixPlan[]>(keys.map((key) => [key, []]));
  const work = keys.flatMap((key) => batches.map((batch) => ({ key, batch })));
  const next = async (): Promise<void> => {
    for (let job = work.shift(); job; job = work.shift()) {
      const members = job.batch.map((k) => clusters[k]!);
      const solved = await planMixGroups(
        solver,
        mergeClusters(members),
        LEVER_SETS[job.key],
        members.map((c) => new Set(c.families)),
      );
      job.batch.forEach((k, n) => (plans.get(job.key)![k] = solved[n]!));
    }
  };
  await Promise.all(Array.from({ length: SOLVES_IN_FLIGHT }, next));
  for (const k of todo) {
    const cluster = clusters[k]!;
    if (!opts.frame) {
      const plan = plans.get('mix')![k]!;
      chosen[k] = {
        shortfalls: plan.shortfalls,
        spend: leverSpend(plan),
        lostMargin: plan.lostSales.margin,
        lostUnits: plan.lostSales.units,
      };
      continue;
    }
    const results = leverOptions(cluster).map((option) => ({
      option,
      plan: option.key === 'accept-shortfall' ? cluster.noLever : plans.get(option.key)![k]!,
    }));
    const t = frameTradeoff(cluster, results, m.names, resourceNames);
    tradeoffs.push(t);
    const option = t.options.find((o) => o.key === t.recommended)!;
    chosen[k] = {
      shortfalls: results.find((r) => r.option.key === t.recommended)!.plan.shortfalls,
      spend: option.cost,
      lostMargin: option.lostMargin,
      lostUnits: option.shortfallUnits,
    };
  }
  tradeoffs.sort((a, b) => b.gap.marginAtRisk - a.gap.marginAtRisk);
  const all = chosen.map((c) => c!);
  const fin = financials(
    m,
    all.flatMap((c) => c.shortfalls),
    all.reduce((s, c) => s + c.spend, 0),
    targets,
  );
  return {
    plain,
    tradeoffs,
    financials: fin,
    outcome: outcomeOf(m, plain, fin, {
      shortfallUnits: all.reduce((s, c) => s + c.lostUnits, 0),
      lostMargin: all.reduce((s, c) => s + c.lostMargin, 0),
    }),
    plans: Object.fromEntries(keysOf.map((key, k) => [key, all[k]!])),
  };
}

function deltaOf(a: PlanOutcome, b: PlanOutcome): Partial<Record<keyof PlanOutcome, number>> {
  return Object.fromEntries((Object.keys(a) as (keyof PlanOutcome)[]).map((k) => [k, b[k] - a[k]]));
}

export const STANDARD_WHAT_IFS: WhatIf[] = [
  { name: 'Demand +10% on every family', demand: [{ percent: 10 }] },
  { name: 'Demand -10% on every family', demand: [{ percent: -10 }] },
];

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The pack's plan (every trade-off framed), the standard what-ifs and the Monte Carlo samples: all
 * independent, so all at once, their LPs and samples side by side on the planning threads.
 */
export async function planScenarios(
  compute: Pick<PlanCompute, 'monteCarlo'>,
  solver: LpSolver,
  model: PlanModel,
  targets: FinanceTarget[],
  opts: { resourceNames: Record<string, string>; samples: number; seed: number },
) {
  const [ev, others, mc] = await Promise.all([
    evaluate(solver, model, targets, { frame: true, resourceNames: opts.resourceNames }),
    Promise.all(
      STANDARD_WHAT_IFS.map((w) => evaluate(solver, applyWhatIf(model, w), targets, { frame: false })),
    ),
    compute.monteCarlo(
      model.periods,
      model.resources,
      prepareMonteCarlo(
        model.periods,
        model.families.map((f, i) => ({ ...f, p10: model.p10[i]!, p90: model.p90[i]! })),
        model.resources,
        model.routing,
        { samples: opts.samples, seed: opts.seed },
      ),
    ),
  ]);
  return { ev, others, mc };
}

export interface BuildOptions {
  samples?: number;
  onProgress?: (stage: string) => void;
  /** Every stage's time (ms) once the pack is stored, the store's included (the API's Server-Timing). */
  onTimings?: (ms: Record<string, number>) => void;
}

export async function buildPack(
  deps: Deps,
  orgId: string,
  cycleId: string,
  actor: Actor,
  opts: BuildOptions = {},
): Promise<PackRecord<PackContent>> {
  const progress = opts.onProgress ?? (() => undefined);
  const stages: Record<string, number> = {};
  let lap = performance.now();
  const timed = (stage: string) => {
    const now = performance.now();
    stages[stage] = Math.round(now - lap);
    lap = now;
  };
  const [org, cycle] = await Promise.all([deps.orgs.get(orgId), deps.cycles.get(orgId, cycleId)]);
  if (!org) throw new DomainError('not_found', 'org not found');
  if (!cycle) throw new DomainError('not_found', 'cycle not found');
  const { dataset, warning } = await pinnedDataset(deps, cycle);
  const data = await loadPlanData(deps, orgId, dataset);
  if (!data.families.length)
    throw new DomainError(
      'conflict',
      `dataset version ${dataset.version} has no families: upload the families table`,
    );
  const inputs = await cycleInputs(deps, cycle);
  const periods = horizonPeriods(cycle.month, org.horizonMonths);
  timed('load');
  progress('forecast');
  const [forecast, previous] = await Promise.all([
    forecastBaselines(deps, orgId, data, periods),
    deps.packs.latest(orgId, cycleId),
  ]);
  const base = forecast.base;
  timed('forecast');
  const demand = consensus(periods, base, inputs.adjustments);
  const supply = effectiveCapacity(data, periods, inputs.constraints);
  const model = planModel(data, periods, base, demand, supply);
  progress('plan');
  const resourceNames = Object.fromEntries(data.resources.map((r) => [r.resource, r.name]));
  const { ev, others, mc } = await planScenarios(deps.compute, deps.solver, model, inputs.targets, {
    resourceNames,
    samples: opts.samples ?? 1000,
    seed: seedOf(`${cycleId}:${dataset.version}`),
  });
  timed('plan');
  progress('scenarios');
  const scenarios: Scenario[] = [
    {
      key: 'base',
      name: 'Base plan',
      kind: 'base',
      description: 'Consensus demand, the recommended option of every trade-off',
      outcome: ev.outcome,
    },
  ];
  for (const [k, w] of STANDARD_WHAT_IFS.entries()) {
    const other = others[k]!;
    scenarios.push({
      key: `what-if-${k + 1}`,
      name: w.name,
      kind: 'what-if',
      description: 'Re-planned with the least-cost mix of levers',
      outcome: other.outcome,
      delta: deltaOf(ev.outcome, other.outcome),
    });
  }
  scenarios.push({
    key: 'monte-carlo',
    name: 'Demand uncertainty (Monte Carlo)',
    kind: 'probabilistic',
    description: `${mc.samples} demand samples from each family's P10-P90 range, each planned as the gap before levers is (regular capacity, safety stock held)`,
    monteCarlo: {
      ...mc,
      resourceRisk: mc.resourceRisk
        .filter((r) => r.probability >= 0.05)
        .sort((a, b) => b.probability - a.probability)
        .slice(0, 50)
        .map((r) => ({ ...r, name: resourceNames[r.resource] ?? r.resource })),
    },
  });

  // Detail: per family, per resource, and the model (for what-ifs).
  progress('store');
  const supplyOf = new Map<string, SupplyCheck['families']>();
  for (const fm of ev.plain.families) {
    const list = supplyOf.get(fm.family) ?? [];
    list.push(fm);
    supplyOf.set(fm.family, list);
  }
  const demandOf = new Map(demand.map((d) => [d.family, d]));
  const details: FamilyDetail[] = data.families.map((f, i) => {
    const b = base[i]!;
    const d = demandOf.get(f.family)!;
    const s = supplyOf.get(f.family) ?? [];
    return {
      family: f.family,
      name: f.name,
      method: b.forecast.method,
      members: b.forecast.members,
      accuracy: b.forecast.accuracy,
      history: b.history.slice(-36),
      months: periods.map((period, t) => ({
        period,
        p10: b.forecast.p10[t]!,
        p50: b.forecast.p50[t]!,
        p90: b.forecast.p90[t]!,
        steps: d.cells[t]!.steps,
        consensus: d.cells[t]!.consensus,
        production: s[t]?.production ?? 0,
        supplied: s[t]?.supplied ?? 0,
        shortfall: s[t]?.shortfall ?? 0,
        inventory: s[t]?.inventory ?? 0,
      })),
      waterfall: d.waterfall,
    };
  });
  const loadsOf = new Map<string, SupplyCheck['loads']>();
  for (const l of ev.plain.loads) loadsOf.set(l.resource, [...(loadsOf.get(l.resource) ?? []), l]);
  const resourceDetails: ResourceDetail[] = supply.resources.map((r) => {
    const loads = loadsOf.get(r.resource) ?? [];
    return {
      resource: r.resource,
      name: r.name,
      kind: r.kind,
      periods,
      load: loads.map((l) => l.load),
      capacity: r.capacity,
      withOvertime: r.capacity.map((c, t) => c + (r.overtime[t] ?? 0)),
    };
  });
  const chunks: { kind: string; seq: number; data: unknown }[] = [
    { kind: 'model', seq: 0, data: { model, targets: inputs.targets, plans: ev.plans } },
    { kind: 'resources', seq: 0, data: resourceDetails },
  ];
  const familyChunks: Record<string, number> = {};
  for (let k = 0; k * FAMILIES_PER_CHUNK < details.length; k++) {
    const slice = details.slice(k * FAMILIES_PER_CHUNK, (k + 1) * FAMILIES_PER_CHUNK);
    for (const f of slice) familyChunks[f.family] = k;
    chunks.push({ kind: 'families', seq: k, data: slice });
  }

  const resources = resourceDetails.map((r) => {
    const util = r.load.map((l, t) => (r.capacity[t]! > 0 ? l / r.capacity[t]! : l > 0 ? Infinity : 0));
    return {
      resource: r.resource,
      name: r.name,
      kind: r.kind,
      peakUtilization: Math.max(0, ...util.filter(Number.isFinite)),
      overloadedMonths: r.load.filter((l, t) => l > r.capacity[t]! + 1e-6).length,
    };
  });
  const charts: ChartRef[] = [
    ...[...resources]
      .sort((a, b) => b.peakUtilization - a.peakUtilization)
      .slice(0, 3)
      .map((r) => ({
        id: `capacity-${r.resource}`,
        kind: 'capacity' as const,
        title: `${r.name}: load vs capacity`,
      })),
    ...[...model.families]
      .map((f) => ({ f, total: f.demand.reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.total - a.total)
      .slice(0, 3)
      .map(({ f }) => ({
        id: `forecast-${f.family}`,
        kind: 'forecast' as const,
        title: `${model.names[f.family] ?? f.family}: forecast P10-P90`,
      })),
  ];
  const gaps = [...ev.plain.gaps].sort((a, b) => b.marginAtRisk - a.marginAtRisk);
  const sum = (f: (g: Gap) => number) => gaps.reduce((s, g) => s + f(g), 0);
  const now = deps.clock.now();
  const warnings = [
    ...(warning ? [warning] : []),
    ...supply.warnings,
    ...dataset.warnings.map((w) => `dataset: ${w}`),
  ];
  const knownFamilies = new Set(data.families.map((f) => f.family));
  for (const a of inputs.adjustments)
    if (!knownFamilies.has(a.family))
      warnings.push(
        `demand adjustment by ${a.author} names family ${a.family}, which is not in the dataset; not applied`,
      );

  timed('detail');
  // Earlier cycles' packs scored against this dataset's actuals (the five furthest-off families each).
  const earlier = (
    await trackRecord(deps, orgId, { datasetVersion: dataset.version, limit: 5, exceptCycle: cycleId })
  ).packs;
  timed('track-record');
  const soe = await soeSinceLastCycle(deps, orgId, cycle);
  const content = (version: number): PackContent => ({
    version,
    cycleId,
    month: cycle.month,
    datasetVersion: dataset.version,
    builtAt: now.toISOString(),
    builtBy: actor,
    horizon: { from: periods[0]!, to: periods[periods.length - 1]!, months: periods.length, periods },
    inputs: {
      submissions: inputs.submissions,
      adjustments: inputs.adjustments.length,
      constraints: inputs.constraints.length,
      targets: inputs.targets.length,
    },
    warnings,
    summary: {
      families: data.families.length,
      resources: supply.resources.length,
      baselineUnits: base.reduce((s, b) => s + b.forecast.p50.reduce((a, v) => a + v, 0), 0),
      demandUnits: model.families.reduce((s, f) => s + f.demand.reduce((a, v) => a + v, 0), 0),
      revenue: ev.financials.revenue,
      cost: ev.financials.cost,
      margin: ev.financials.margin,
      marginPercent: ev.financials.marginPercent,
      leverSpend: ev.financials.leverSpend,
      fillRate: ev.outcome.fillRate,
      gapUnits: sum((g) => g.shortfallUnits),
      revenueAtRisk: sum((g) => g.revenueAtRisk),
      marginAtRisk: sum((g) => g.marginAtRisk),
      safetyStockBelowTarget: safetyStockBelowTarget(ev.plain).units,
      tightResources: ev.outcome.tightResources,
      target: ev.financials.target,
    },
    forecast: {
      accuracy: forecast.accuracy,
      methods: forecast.methods,
      cached: forecast.cached,
      reusedFrom: forecast.cached === base.length ? (previous?.version ?? null) : null,
    },
    build: { ms: stages, threads: deps.compute.threads },
    gaps: gaps.slice(0, TOP_GAPS).map((g) => ({ ...g, familyName: model.names[g.family] ?? g.family })),
    gapsTotal: gaps.length,
    tradeoffs: ev.tradeoffs,
    scenarios,
    financials: ev.financials,
    capacityChanges: supply.changes,
    resources,
    charts,
    familyChunks,
    trackRecord: earlier,
    soe,
  });
  const pack = await deps.packs.insert(
    { orgId, cycleId, datasetVersion: dataset.version, createdBy: actor },
    content,
    chunks,
    now,
  );
  timed('store');
  // The first what-ifs on this pack start from its model in memory.
  modelMemo.set(pack.id, { model, targets: inputs.targets, plans: ev.plans });
  await deps.audit.append(
    orgId,
    {
      actor,
      action: 'pack.built',
      entity: { type: 'pack', id: pack.id },
      after: {
        version: pack.version,
        datasetVersion: dataset.version,
        tradeoffs: ev.tradeoffs.map((t) => ({ key: t.key, recommended: t.recommended })),
      },
    },
    now,
  );
  timed('audit');
  opts.onTimings?.({ ...stages });
  return pack as PackRecord<PackContent>;
}

export async function getPack(
  deps: Pick<Deps, 'packs'>,
  orgId: string,
  cycleId: string,
  version?: number,
): Promise<PackRecord<PackContent>> {
  const pack = version
    ? await deps.packs.byVersion(orgId, cycleId, version)
    : await deps.packs.latest(orgId, cycleId);
  if (!pack)
    throw new DomainError(
      'not_found',
      version
        ? `pack version ${version} not found`
        : 'this cycle has no pack yet: build one with POST .../pack',
    );
  return pack as PackRecord<PackContent>;
}

/**
 * The trade-off a ballot or decision came from, as the pack version it was opened on framed it;
 * null for an ad hoc one, or when that pack version or trade-off is no longer stored.
 */
export async function sourceTradeoff(
  deps: Pick<Deps, 'packs'>,
  orgId: string,
  cycleId: string,
  source: { tradeoffKey: string; packVersion: number } | null,
): Promise<{ pack: PackRecord<PackContent>; tradeoff: PackContent['tradeoffs'][number] } | null> {
  if (!source) return null;
  const pack = (await deps.packs.byVersion(
    orgId,
    cycleId,
    source.packVersion,
  )) as PackRecord<PackContent> | null;
  const tradeoff = pack?.content.tradeoffs.find((x) => x.key === source.tradeoffKey);
  return pack && tradeoff ? { pack, tradeoff } : null;
}

export async function resourceDetails(
  deps: Pick<Deps, 'packs'>,
  pack: PackRecord<PackContent>,
): Promise<ResourceDetail[]> {
  return ((await deps.packs.chunk(pack.orgId, pack.id, 'resources', 0)) as ResourceDetail[] | null) ?? [];
}

export interface WhatIfResult {
  pack: { version: number; datasetVersion: number };
  scenario: WhatIf;
  base: PlanOutcome;
  whatIf: PlanOutcome;
  delta: Partial<Record<keyof PlanOutcome, number>>;
  gaps: Gap[];
  elapsedMs: number;
}

interface StoredModel {
  model: PlanModel;
  targets: FinanceTarget[];
  plans?: Record<string, ClusterPlan>;
}

/** The models of the packs asked about lately, by pack id (up to about a million family-months). */
const modelMemo = new Memo<StoredModel | null>(1_000_000, (m) =>
  m ? m.model.families.length * m.model.periods.length : 0,
);

/** What a what-if on this pack may name: its horizon's months, its families and resources. */
export function whatIfScope(pack: PackRecord<PackContent>): WhatIfScope {
  const c = pack.content;
  return {
    horizon: { from: c.horizon.from, to: c.horizon.to, why: "the pack's horizon" },
    families: new Set(Object.keys(c.familyChunks)),
    resources: new Set(c.resources.map((r) => r.resource)),
  };
}

/** A what-if on a pack's model (checked against the pack first), re-planned with the least-cost mix and compared with the base. */
export async function runWhatIf(
  deps: Pick<Deps, 'packs' | 'solver'>,
  pack: PackRecord<PackContent>,
  w: WhatIf,
): Promise<WhatIfResult> {
  const started = performance.now();
  const stored = await modelMemo.through(
    pack.id,
    async () => (await deps.packs.chunk(pack.orgId, pack.id, 'model', 0)) as StoredModel | null,
  );
  if (!stored) throw new DomainError('not_found', 'this pack has no model stored');
  const problems = whatIfProblems(w, whatIfScope(pack));
  if (Object.keys(problems).length)
    throw new DomainError('validation_failed', 'the what-if does not fit this pack', problems);
  const base = pack.content.scenarios.find((s) => s.key === 'base')!.outcome!;
  const other = await evaluate(deps.solver, applyWhatIf(stored.model, w), stored.targets, {
    frame: false,
    cache: stored.plans ?? {},
  });
  return {
    pack: { version: pack.version, datasetVersion: pack.datasetVersion },
    scenario: w,
    base,
    whatIf: other.outcome,
    delta: deltaOf(base, other.outcome),
    gaps: [...other.plain.gaps].sort((a, b) => b.marginAtRisk - a.marginAtRisk).slice(0, 20),
    elapsedMs: Math.round(performance.now() - started),
  };
}

const SYSTEM: Actor = { type: 'system', id: 'scheduler' };

/**
 * When pre-S&OP opens (the pack build job, src/app/packJobs.ts): the pack (built now unless one
 * was built since the step opened) goes to the org's S&OP channel as a card, once per opening of
 * the step. With no dataset, the process owners are told why there is no pack instead. Says which.
 */
export async function sharePack(
  deps: Deps,
  cycle: CycleRecord,
  processOwners: { id: string; name: string }[],
  round: number,
): Promise<'shared' | 'missing' | 'nobody'> {
  const now = deps.clock.now();
  const opened = cycle.steps.find((s) => s.key === 'pre-sop')?.openedAt ?? now;
  let pack = (await deps.packs.latest(cycle.orgId, cycle.id)) as PackRecord<PackContent> | null;
  const fallback = processOwners[0];
  if (!fallback) return 'nobody';
  if (!pack || pack.createdAt < opened) {
    try {
      pack = await buildPack(deps, cycle.orgId, cycle.id, SYSTEM);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'conflict') throw err;
      await deps.outbox.enqueue(
        processOwners.map((po) => ({
          orgId: cycle.orgId,
          key: `pack-missing:${cycle.id}:r${round}:${po.id}`,
          kind: 'escalation' as const,
          cycleId: cycle.id,
          recipient: { memberId: po.id, name: po.name },
          card: presentPackMissing(cycle.month, err.message),
          notBefore: now,
        })),
        now,
      );
      return 'missing';
    }
  }
  const card = await packCard(deps, pack, now);
  await deps.outbox.enqueue(
    [
      {
        orgId: cycle.orgId,
        key: `pack:${cycle.id}:r${round}`,
        kind: 'pack',
        cycleId: cycle.id,
        recipient: { memberId: fallback.id, name: fallback.name },
        channel: 'sop',
        card,
        notBefore: now,
      },
    ],
    now,
  );
  return 'shared';
}

/** The pack's summary card, with signed links to its first chart and to the full document. */
export async function packCard(deps: Pick<Deps, 'links'>, pack: PackRecord<PackContent>, now: Date) {
  const base = `/api/v1/orgs/${pack.orgId}/cycles/${pack.cycleId}`;
  const chart = pack.content.charts[0];
  const links = await deps.links.forOrg(pack.orgId);
  return presentPack({
    ...pack.content,
    cycleId: pack.cycleId,
    chart: chart
      ? {
          url: links.signed(
            `${base}/pack/charts/${encodeURIComponent(chart.id)}.png?version=${pack.version}`,
            now,
          ),
          alt: chart.title,
        }
      : null,
    htmlUrl: links.signed(`${base}/pack.html?version=${pack.version}`, now),
  });
}

/**
 * A what-if asked for in chat, as the card that answers it: the comparison with the base plan and
 * a link to the full pack, or why it could not run.
 */
export async function whatIfCard(deps: Deps, pack: PackRecord<PackContent>, whatIf: WhatIf): Promise<Card> {
  try {
    const result = await runWhatIf(deps, pack, whatIf);
    const link = (await deps.links.forOrg(pack.orgId)).signed(
      `/api/v1/orgs/${pack.orgId}/cycles/${pack.cycleId}/pack.html`,
      deps.clock.now(),
    );
    return presentWhatIf({ ...result, pack: { ...result.pack, cycleId: pack.cycleId } }, link);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return presentNotice(
      `The what-if could not run: ${[err.message, ...Object.values(err.fields)].join('; ')}`,
    );
  }
}
