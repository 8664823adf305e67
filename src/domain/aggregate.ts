/**
 * The least-cost supply mix of a big cluster from small LPs, at the full LP's optimum (issue 13).
 *
 * In a big cluster most families end where the plan with no lever leaves them: only a few move
 * (the ones short of demand, and the ones whose pre-building, safety stock or alternates free the
 * scarce capacity most cheaply). So the LP is solved for an active set of families only, every
 * other family fixed at its no-lever plan (their load one aggregate taken off each resource's
 * capacity, month by month), and the set grows until no fixed family could lower the cost:
 *
 * 1. Active: the families that gain from moving at zero capacity prices (those short of demand),
 *    and those whose held stock starts below target with the drawdown lever (their high-water
 *    mark is no network arc: they are never priced).
 * 2. Solve the LP of the active families on the capacity the fixed ones leave.
 * 3. Price every fixed family at that LP's capacity prices (minus the duals of its capacity rows).
 *    A family's own LP at those prices is a min-cost flow over its months (made, bought, supplied,
 *    free stock and held safety stock carried: bestCycle), and its no-lever plan is optimal for it
 *    exactly when the residual network has no negative cycle. Families with one join; back to 2.
 *
 * When no fixed family has a negative cycle the capacity prices make every family's part optimal
 * at once (the active ones by the restricted LP's own optimality, the fixed ones by the check):
 * the Lagrangian bound is met, the plan is the full LP's optimum (Dantzig-Wolfe pricing with the
 * no-lever plan as each fixed family's one column). Not an approximation: the same LP's optimum,
 * from LPs of a few percent of its size. Two departures, both outside the plan's totalCost except
 * through ties: the full LP may supply up to half of SHORT_EPSILON less (the hair under the floor);
 * and held stock below target that can never be drawn (no drawdown lever) is rebuilt, for the
 * LP's tiny rebuild weight (LOST_UNIT_WEIGHT / 4 per unit over the horizon), by a fixed family
 * from the capacity left after the LP (rebuildFixed) rather than by the LP, so the objectives may
 * differ by at most that weight on every unit below target (test/domain/aggregate.test.ts holds
 * the plan's cost and the objective to it).
 */
import {
  buildMixModel,
  type FamilyValues,
  type MixInput,
  type MixLevers,
  type MixPlan,
  type MixTerms,
  type MixValues,
} from './mix.js';

/** An LP solve: status, column values and row duals by name (the app's LpSolver). */
export type SolveLp = (lp: string) => Promise<{
  status: string;
  columns: Record<string, { Primal: number }>;
  duals: Record<string, number>;
}>;

export interface PricedMix {
  status: string;
  /** The whole cluster's solution in the LP's variables (every family, every resource). */
  values: MixValues;
  /** The plan, for every family or only for `only` (independent blocks solved together). */
  plan(only?: ReadonlySet<string>): MixPlan;
  /** The LP's objective at the solution. */
  objective: number;
  /** LP solves, and the families in the last one. */
  rounds: number;
  active: number;
}

/** The plan with no lever, in the LP's variables: free stock run down by demand, production for the rest of the floor. */
export function noLeverValues(m: MixTerms, T: number): FamilyValues {
  const free0 = m.kind === 'pinned' ? m.start : Math.max(0, m.start - m.safety);
  const held =
    m.kind === 'none' ? 0 : m.kind === 'pinned' || m.kind === 'drawable' ? m.safety : m.heldAtStart;
  const v: FamilyValues = {
    x: [],
    q: [],
    F: [],
    S: [],
    G: [],
    a: m.alts.map(() => Array<number>(T).fill(0)),
  };
  for (let t = 0; t < T; t++) {
    const freeUsed = (t > 0 ? m.natural[t - 1]! : free0) - m.natural[t]!;
    const q = Math.max(m.floor[t]!, freeUsed);
    v.q.push(q);
    v.x.push(q - freeUsed);
    v.F.push(m.natural[t]!);
    v.S.push(held);
    v.G.push(0);
  }
  return v;
}

/**
 * The most negative cost per unit of a cycle in a family's residual network at its no-lever plan
 * `v` (noLeverValues), with capacity priced at `price[t]` per unit made in month t: 0 when the
 * plan is optimal for the family alone at those prices. `tol` absorbs the solver's tolerances.
 *
 * The network: a node per month and the outside. Into month t from outside: one more unit made
 * (price[t]), bought through an alternate (its cost), one less supplied (the supply weight, above
 * the floor); out of it to outside, the reverse. Between months: free stock carried (holding,
 * with the pre-build lever or up to the no-lever free stock) and, for a family at its safety-stock
 * target with the drawdown lever, held stock drawn (the drawdown weight per unit-month). Not for a
 * family whose held stock starts below target with that lever (its high-water mark is no network
 * arc: planMixPriced always solves it), nor the rebuild of one without it (held stock that can
 * never fall again earns only the rebuild weight: rebuildFixed).
 */
export function bestCycle(
  m: MixTerms,
  v: FamilyValues,
  price: ArrayLike<number>,
  levers: MixLevers,
  rebuildWeight: number,
  tol: number,
): number {
  const T = m.demand.length;
  if (scratch.length < 4 * T) scratch = new Float64Array(4 * T);
  const dist = scratch.subarray(0, T);
  const leave = scratch.subarray(T, 2 * T);
  const forward = scratch.subarray(2 * T, 3 * T);
  const backward = scratch.subarray(3 * T, 4 * T);
  let scale = m.safety;
  for (let t = 0; t < T; t++) scale = Math.max(scale, m.demand[t]!);
  const eps = 1e-9 * (1 + scale);
  const drawable = m.kind === 'drawable';
  const sWeight = rebuildWeight + m.drawdownPenalty;
  for (let t = 0; t < T; t++) {
    let e = price[t]!;
    let l = v.x[t]! > eps ? -price[t]! : Infinity;
    for (let n = 0; n < m.alts.length; n++) {
      const { cost, cap } = m.alts[n]!;
      const a = v.a[n]![t]!;
      if (a < cap[t]! - eps) e = Math.min(e, cost);
      if (a > eps) l = Math.min(l, -cost);
    }
    if (v.q[t]! > m.floor[t]! + eps) e = Math.min(e, m.supplyWeight);
    if (v.q[t]! < m.demand[t]! - eps) l = Math.min(l, -m.supplyWeight);
    dist[t] = e;
    leave[t] = l;
    let f = levers.prebuild || v.F[t]! < m.natural[t]! - eps ? m.holding : Infinity;
    let b = v.F[t]! > eps ? -m.holding : Infinity;
    if (drawable && v.S[t]! < m.safety - eps) f = Math.min(f, -sWeight);
    if (drawable && v.S[t]! > eps) b = Math.min(b, sWeight);
    forward[t] = f;
    backward[t] = b;
  }
  // The last month's stock arcs join the outside: a way in (less stock left) and out (more left).
  dist[T - 1] = Math.min(dist[T - 1]!, backward[T - 1]!);
  leave[T - 1] = Math.min(leave[T - 1]!, forward[T - 1]!);
  // Shortest paths from the outside along the chain of months (Bellman-Ford, sweeping both ways).
  for (let pass = 0; ; pass++) {
    let changed = false;
    for (let t = 0; t < T - 1; t++) {
      const d = dist[t]! + forward[t]!;
      if (d < dist[t + 1]! - 1e-12 * (1 + Math.abs(d))) {
        dist[t + 1] = d;
        changed = true;
      }
    }
    for (let t = T - 2; t >= 0; t--) {
      const d = dist[t + 1]! + backward[t]!;
      if (d < dist[t]! - 1e-12 * (1 + Math.abs(d))) {
        dist[t] = d;
        changed = true;
      }
    }
    if (!changed) break;
    if (pass > T) return -Infinity; // a negative cycle that never leaves the months
  }
  let worst = 0;
  for (let t = 0; t < T; t++) worst = Math.min(worst, dist[t]! + leave[t]!);
  return worst < -tol ? worst : 0;
}
let scratch = new Float64Array(0);

/**
 * Solves the supply-mix LP of `input` with `levers` through LPs of an active set of families
 * (module comment); exact. Returns null when the restricted LP cannot be solved (the caller
 * solves the full LP), or after `maxRounds` solves without the check passing.
 */
export async function planMixPriced(
  solve: SolveLp,
  input: MixInput,
  levers: MixLevers,
  opts: { maxRounds?: number } = {},
): Promise<PricedMix | null> {
  const model = buildMixModel(input, levers);
  const { T, terms, usersOf, rebuildWeight } = model;
  if (!T) return null;
  const R = input.resources.length;
  const fixedPlan = terms.map((m) => noLeverValues(m, T));
  const active = new Set<number>();
  const zero = new Float64Array(T);
  terms.forEach((m, i) => {
    if (m.kind === 'rebuilt-drawable') active.add(i);
    else if (bestCycle(m, fixedPlan[i]!, zero, levers, rebuildWeight, 1e-9) < 0) active.add(i);
  });
  const maxRounds = opts.maxRounds ?? 8;
  for (let round = 1; round <= maxRounds; round++) {
    const members = [...active].sort((a, b) => a - b);
    // The fixed families' load comes off regular capacity (it is the no-lever plan: within it).
    const fixedLoad = Array.from({ length: R }, () => new Float64Array(T));
    usersOf.forEach((users, j) => {
      for (const { i, u } of users)
        if (!active.has(i)) for (let t = 0; t < T; t++) fixedLoad[j]![t]! += u * fixedPlan[i]!.x[t]!;
    });
    // Floors out of step with capacity (not the check's plan): the full LP decides.
    const over = input.resources.some((r, j) =>
      fixedLoad[j]!.some((load, t) => load > (r.capacity[t] ?? 0) * (1 + 1e-9) + 1e-9),
    );
    if (over) return null;
    const names = new Set(members.map((i) => input.families[i]!.family));
    const sub: MixInput = {
      periods: input.periods,
      families: members.map((i) => input.families[i]!),
      resources: input.resources.map((r, j) => ({
        ...r,
        capacity: Array.from({ length: T }, (_, t) => Math.max(0, (r.capacity[t] ?? 0) - fixedLoad[j]![t]!)),
      })),
      routing: input.routing.filter((x) => names.has(x.family)),
      alternates: input.alternates.filter((a) => names.has(a.family)),
    };
    const subModel = buildMixModel(sub, levers);
    const { status, columns, duals } = await solve(subModel.lp);
    if (status !== 'Optimal') return null;
    const solved = subModel.values(columns);
    // Capacity prices: minus the duals of the capacity rows (a row with no active user is slack).
    const prices = Array.from({ length: R }, (_, j) =>
      Float64Array.from({ length: T }, (_, t) => Math.max(0, -(duals[`cap_${j}_${t}`] ?? 0))),
    );
    const top = Math.max(0, ...prices.flatMap((p) => [...p]));
    const joining: number[] = [];
    const price = new Float64Array(T);
    terms.forEach((m, i) => {
      if (active.has(i)) return;
      price.fill(0);
      for (const { j, u } of m.routes) for (let t = 0; t < T; t++) price[t]! += u * prices[j]![t]!;
      const tol = 1e-7 * (1 + m.supplyWeight + top);
      if (bestCycle(m, fixedPlan[i]!, price, levers, rebuildWeight, tol) < 0) joining.push(i);
    });
    if (joining.length && round < maxRounds) {
      joining.forEach((i) => active.add(i));
      continue;
    }
    if (joining.length) return null;
    const values: MixValues = {
      families: terms.map((_, i) => fixedPlan[i]!),
      h: solved.h,
    };
    members.forEach((i, n) => (values.families[i] = solved.families[n]!));
    rebuildFixed(input, model, values, active);
    return {
      status,
      values,
      plan: (only) => model.plan(status, values, only),
      objective: model.objective(values),
      rounds: round,
      active: members.length,
    };
  }
  return null;
}

/**
 * A fixed family whose held stock starts below target rebuilds it from regular capacity the plan
 * leaves free, as early as it can (what the LP does for its small reward per unit-month held),
 * month by month, the family needing the least of the scarcest capacity first.
 */
function rebuildFixed(
  input: MixInput,
  model: ReturnType<typeof buildMixModel>,
  values: MixValues,
  active: ReadonlySet<number>,
) {
  const { T, terms, usersOf } = model;
  const below = terms.flatMap((m, i) => (m.kind === 'rebuilt' && !active.has(i) ? [i] : []));
  if (!below.length) return;
  for (const i of below) {
    const v = values.families[i]!;
    values.families[i] = { ...v, x: [...v.x], S: [...v.S] };
  }
  const left = input.resources.map((r, j) =>
    Float64Array.from({ length: T }, (_, t) => {
      let load = 0;
      for (const { i, u } of usersOf[j]!) load += u * values.families[i]!.x[t]!;
      return Math.max(0, (r.capacity[t] ?? 0) - load);
    }),
  );
  for (let t = 0; t < T; t++) {
    const need = (i: number) =>
      Math.max(0, ...terms[i]!.routes.map(({ j, u }) => u / Math.max(1e-12, left[j]![t]!)));
    for (const i of [...below].sort((a, b) => need(a) - need(b) || a - b)) {
      const m = terms[i]!;
      const v = values.families[i]!;
      let r = m.safety - v.S[T - 1]!;
      for (const { j, u } of m.routes) r = Math.min(r, left[j]![t]! / u);
      if (!(r > 1e-9 * (1 + m.safety))) continue;
      for (const { j, u } of m.routes) left[j]![t]! -= r * u;
      v.x[t]! += r;
      for (let s = t; s < T; s++) v.S[s]! += r;
    }
  }
}
