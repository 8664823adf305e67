/**
 * The supply model (step 3), stated once: this rough-cut check is the plan with no lever used, and
 * the least-cost mix (src/domain/mix.ts) states the same model with levers that can be switched on.
 *
 * - Demand: consensus demand per family and month.
 * - Safety stock is held. Stock above the target ("free stock") serves demand first, as it comes;
 *   stock at or below the target is not drawn to serve demand (drawing it is a lever). Where a
 *   family starts below target, production rebuilds it only from capacity no demand needs, and
 *   what is rebuilt is held.
 * - Capacity: regular capacity per resource and month; overtime only when asked for (a lever).
 *   Production in a month serves that month's demand and the rebuild (pre-building is a lever).
 * - An overloaded resource serves its families in order of margin per unit of its time (the
 *   most overloaded resource first): the LP's allocation wherever a family meets at most one
 *   overloaded resource in a month.
 *
 * Two numbers come out of it, per family and month, and never mix: units short of demand (the
 * gap before levers: demand = supplied + shortfall), and safety stock below target (units the held
 * stock is under its target at the month's end). `load` is what demand needs of a resource (net of
 * free stock); a resource is loaded past its capacity exactly where it leaves demand short.
 */
export interface SupplyFamily {
  family: string;
  unitPrice: number;
  unitCost: number;
  safetyStock: number;
  onHand: number;
  /** Consensus demand per period, aligned with `periods`. */
  demand: number[];
}

export interface SupplyResource {
  resource: string;
  capacity: number[];
  overtime: number[];
}

export interface Route {
  family: string;
  resource: string;
  usagePerUnit: number;
}

export interface ResourceLoad {
  resource: string;
  period: string;
  /** What demand needs of the resource this month (net of free stock), before any rationing. */
  load: number;
  capacity: number;
  overtime: number;
  utilization: number;
  /** Load beyond regular capacity (overtime may cover part of it). */
  overload: number;
}

export interface FamilyMonth {
  family: string;
  period: string;
  demand: number;
  /** For demand and for rebuilding safety stock. */
  production: number;
  supplied: number;
  /** Units short of demand. */
  shortfall: number;
  /** Closing stock: free stock plus the safety stock held. */
  inventory: number;
  /** Units the held safety stock is below its target at the month's end. */
  safetyStockBelowTarget: number;
  belowSafetyStock: boolean;
}

export interface Gap {
  family: string;
  /** The resource that bound the family's production that month (null: not a capacity gap). */
  resource: string | null;
  period: string;
  shortfallUnits: number;
  revenueAtRisk: number;
  marginAtRisk: number;
}

export interface SupplyCheck {
  loads: ResourceLoad[];
  families: FamilyMonth[];
  gaps: Gap[];
}

/** A shortfall smaller than this (units) is rounding, not a gap; the LP uses the same threshold. */
export const SHORT_EPSILON = 1e-6;
/**
 * Weight per unit of demand lost on top of its margin: among equal margins, more units are
 * supplied. The check's allocation order and the LP's objective use the same weight.
 */
export const LOST_UNIT_WEIGHT = 1e-3;

/** The margin a lost unit gives up (a family sold below cost loses none). */
export const unitMargin = (f: Pick<SupplyFamily, 'unitPrice' | 'unitCost'>): number =>
  Math.max(0, f.unitPrice - f.unitCost);

/** Index structures for the check, built once per family/resource/routing set (Monte Carlo reuses them). */
export interface SupplyIndex {
  F: number;
  R: number;
  T: number;
  /**
   * Per resource j, the families using it are userFamily[userStart[j] .. userStart[j + 1]), by
   * margin per unit of its time, highest first. Per family i, its resources and usage per unit are
   * useResource / useUsage[useStart[i] .. useStart[i + 1]). Flat arrays: one pass over contiguous
   * memory per month.
   */
  userStart: Int32Array;
  userFamily: Int32Array;
  useStart: Int32Array;
  useResource: Int32Array;
  useUsage: Float64Array;
  safetyStock: Float64Array;
  onHand: Float64Array;
  /** Capacity and overtime, resource-major: [j * T + t]. */
  capacity: Float64Array;
  overtime: Float64Array;
}

export function indexSupply(
  T: number,
  families: SupplyFamily[],
  resources: SupplyResource[],
  routing: Route[],
): SupplyIndex {
  const fIndex = new Map(families.map((f, i) => [f.family, i]));
  const rIndex = new Map(resources.map((r, j) => [r.resource, j]));
  const users: { i: number; u: number }[][] = resources.map(() => []);
  const uses: { j: number; u: number }[][] = families.map(() => []);
  for (const route of routing) {
    const i = fIndex.get(route.family);
    const j = rIndex.get(route.resource);
    if (i === undefined || j === undefined || !(route.usagePerUnit > 0)) continue;
    users[j]!.push({ i, u: route.usagePerUnit });
    uses[i]!.push({ j, u: route.usagePerUnit });
  }
  const weight = families.map((f) => unitMargin(f) + LOST_UNIT_WEIGHT);
  for (const list of users) list.sort((a, b) => weight[b.i]! / b.u - weight[a.i]! / a.u || a.i - b.i);
  const R = resources.length;
  const F = families.length;
  const capacity = new Float64Array(R * T);
  const overtime = new Float64Array(R * T);
  resources.forEach((r, j) => {
    for (let t = 0; t < T; t++) {
      capacity[j * T + t] = Math.max(0, r.capacity[t] ?? 0);
      overtime[j * T + t] = Math.max(0, r.overtime[t] ?? 0);
    }
  });
  const userStart = new Int32Array(R + 1);
  users.forEach((u, j) => (userStart[j + 1] = userStart[j]! + u.length));
  const useStart = new Int32Array(F + 1);
  uses.forEach((u, i) => (useStart[i + 1] = useStart[i]! + u.length));
  return {
    F,
    R,
    T,
    userStart,
    userFamily: Int32Array.from(users.flat(), (x) => x.i),
    useStart,
    useResource: Int32Array.from(uses.flat(), (x) => x.j),
    useUsage: Float64Array.from(uses.flat(), (x) => x.u),
    safetyStock: Float64Array.from(families, (f) => Math.max(0, f.safetyStock)),
    onHand: Float64Array.from(families, (f) => Math.max(0, f.onHand)),
    capacity,
    overtime,
  };
}

export interface SupplyMonth {
  /** Per resource: what demand needs of it (net of free stock). */
  load: Float64Array;
  demand: Float64Array;
  /** Production for demand and for rebuilding safety stock. */
  production: Float64Array;
  supplied: Float64Array;
  /** Closing stock (free plus held). */
  inventory: Float64Array;
  /** Units the held safety stock is below target. */
  belowTarget: Float64Array;
  /** The resource that bound a family short of demand, or -1. */
  binding: Int32Array;
}

/**
 * The check's arithmetic on typed arrays: `demand[i * T + t]` in, and per month a callback with
 * the month's loads and each family's production, supply and closing stock. Allocation-free
 * per month.
 */
export function runSupply(
  x: SupplyIndex,
  demandIn: Float64Array,
  useOvertime: boolean,
  visit: (t: number, month: SupplyMonth) => void,
): void {
  const { F, R, T, userStart, userFamily, useStart, useResource, useUsage } = x;
  const safety = x.safetyStock;
  const cap = x.capacity;
  const ot = x.overtime;

  const free = new Float64Array(F);
  const held = new Float64Array(F);
  for (let i = 0; i < F; i++) {
    held[i] = Math.min(safety[i]!, x.onHand[i]!);
    free[i] = x.onHand[i]! - held[i]!;
  }
  const need = new Float64Array(F);
  const made = new Float64Array(F);
  /** The month a family was last served on an overloaded resource. */
  const servedAt = new Int32Array(F).fill(-1);
  const demand = new Float64Array(F);
  const production = new Float64Array(F);
  const supplied = new Float64Array(F);
  const inventory = new Float64Array(F);
  const belowTarget = new Float64Array(F);
  const binding = new Int32Array(F);
  const load = new Float64Array(R);
  const left = new Float64Array(R);
  const ratio = new Float64Array(R);
  const over = new Uint8Array(R);
  const overList = new Int32Array(R);
  const month = { load, demand, production, supplied, inventory, belowTarget, binding };

  /** Makes up to `want` of family i (a rebuild) within what its resources have left. */
  const make = (i: number, want: number): number => {
    let q = want;
    for (let k = useStart[i]!, end = useStart[i + 1]!; k < end; k++) {
      const limit = left[useResource[k]!]! / useUsage[k]!;
      if (limit < q) q = limit;
    }
    if (q < 0) q = 0;
    for (let k = useStart[i]!, end = useStart[i + 1]!; k < end; k++) {
      const j = useResource[k]!;
      const l = left[j]! - q * useUsage[k]!;
      left[j] = l > 0 ? l : 0;
    }
    return q;
  };

  for (let t = 0; t < T; t++) {
    // Free stock serves demand first; what is left is what production must make (all of it, unless
    // a resource it uses is overloaded), and what that needs of each resource.
    load.fill(0);
    for (let i = 0; i < F; i++) {
      const raw = demandIn[i * T + t]!;
      const d = raw > 0 ? raw : 0;
      demand[i] = d;
      const stock = free[i]!;
      const n = d > stock ? d - stock : 0;
      free[i] = d > stock ? 0 : stock - d;
      need[i] = n;
      if (n > 0)
        for (let k = useStart[i]!, end = useStart[i + 1]!; k < end; k++)
          load[useResource[k]!] = load[useResource[k]!]! + n * useUsage[k]!;
    }
    let overCount = 0;
    for (let j = 0; j < R; j++) {
      const available = cap[j * T + t]! + (useOvertime ? ot[j * T + t]! : 0);
      const l = load[j]!;
      if (l > available) {
        // Shared out below; until then it has all its capacity.
        over[j] = 1;
        left[j] = available;
        ratio[j] = available > 0 ? l / available : Infinity;
        overList[overCount++] = j;
      } else {
        over[j] = 0;
        left[j] = available - l;
      }
    }
    if (overCount) {
      // The most overloaded resource first (insertion sort: there are few); on each, its families
      // by margin per unit of its time. A family is served once, on its most overloaded resource.
      for (let a = 1; a < overCount; a++) {
        const j = overList[a]!;
        let b = a - 1;
        while (
          b >= 0 &&
          (ratio[overList[b]!]! < ratio[j]! || (ratio[overList[b]!] === ratio[j] && overList[b]! > j))
        ) {
          overList[b + 1] = overList[b]!;
          b--;
        }
        overList[b + 1] = j;
      }
      for (let a = 0; a < overCount; a++) {
        const j = overList[a]!;
        for (let k = userStart[j]!, end = userStart[j + 1]!; k < end; k++) {
          const i = userFamily[k]!;
          if (servedAt[i] === t) continue;
          servedAt[i] = t;
          const n = need[i]!;
          if (!(n > 0)) {
            made[i] = 0;
            binding[i] = -1;
            continue;
          }
          // Only an overloaded resource can bind: the others can take every family's full need.
          let q = n;
          let bind = -1;
          for (let e = useStart[i]!, stop = useStart[i + 1]!; e < stop; e++) {
            const r = useResource[e]!;
            if (!over[r]) continue;
            const limit = left[r]! / useUsage[e]!;
            if (limit < q) {
              q = limit;
              bind = r;
            }
          }
          if (q < 0) q = 0;
          for (let e = useStart[i]!, stop = useStart[i + 1]!; e < stop; e++) {
            const r = useResource[e]!;
            // An overloaded resource gives what is made; the others get back what is not.
            const l = over[r] ? left[r]! - q * useUsage[e]! : left[r]! + (n - q) * useUsage[e]!;
            left[r] = l > 0 ? l : 0;
          }
          made[i] = q;
          binding[i] = n - q > SHORT_EPSILON ? bind : -1;
        }
      }
    }
    // Safety stock below target is rebuilt from what is left, family by family; what is rebuilt is held.
    for (let i = 0; i < F; i++) {
      const n = need[i]!;
      let p = n;
      if (servedAt[i] === t) p = made[i]!;
      else binding[i] = -1;
      supplied[i] = demand[i]! - n + p;
      const target = safety[i]!;
      if (held[i]! < target) {
        const r = make(i, target - held[i]!);
        held[i] = held[i]! + r;
        p += r;
      }
      production[i] = p;
      inventory[i] = free[i]! + held[i]!;
      belowTarget[i] = target - held[i]!;
    }
    visit(t, month);
  }
}

export function roughCutCheck(
  periods: string[],
  families: SupplyFamily[],
  resources: SupplyResource[],
  routing: Route[],
  opts: { useOvertime: boolean } = { useOvertime: false },
): SupplyCheck {
  const loads: ResourceLoad[] = [];
  const months: FamilyMonth[] = [];
  const gaps: Gap[] = [];
  const T = periods.length;
  const index = indexSupply(T, families, resources, routing);
  const demandIn = new Float64Array(families.length * T);
  families.forEach((f, i) => {
    for (let t = 0; t < T; t++) demandIn[i * T + t] = f.demand[t] ?? 0;
  });
  runSupply(index, demandIn, opts.useOvertime, (t, m) => {
    const period = periods[t]!;
    resources.forEach((r, j) => {
      const load = m.load[j]!;
      const capacity = r.capacity[t] ?? 0;
      loads.push({
        resource: r.resource,
        period,
        load,
        capacity,
        overtime: r.overtime[t] ?? 0,
        utilization: capacity > 0 ? load / capacity : load > 0 ? Infinity : 0,
        overload: Math.max(0, load - capacity),
      });
    });
    families.forEach((f, i) => {
      const demand = m.demand[i]!;
      const short = demand - m.supplied[i]!;
      // Below the threshold it is rounding: the month counts as supplied in full.
      const shortfall = short > SHORT_EPSILON ? short : 0;
      const below = m.belowTarget[i]!;
      months.push({
        family: f.family,
        period,
        demand,
        production: m.production[i]!,
        supplied: demand - shortfall,
        shortfall,
        inventory: m.inventory[i]!,
        safetyStockBelowTarget: below,
        belowSafetyStock: below > SHORT_EPSILON,
      });
      if (shortfall > 0) {
        const b = m.binding[i]!;
        gaps.push({
          family: f.family,
          resource: b >= 0 ? resources[b]!.resource : null,
          period,
          shortfallUnits: shortfall,
          revenueAtRisk: shortfall * f.unitPrice,
          marginAtRisk: shortfall * unitMargin(f),
        });
      }
    });
  });
  return { loads, families: months, gaps };
}
