/**
 * Rough-cut capacity check (step 3). Month by month, each family plans to produce what keeps it at
 * its safety stock after meeting consensus demand; the load that plan puts on each resource is
 * compared with capacity (and overtime, when allowed); an overloaded resource rations every family
 * that uses it in proportion; what cannot be supplied is a gap, with revenue and margin at risk.
 * Units are conserved: demand = supplied + shortfall, every family and month. The least-cost mix of
 * alternatives (LP) builds on this; this check is the plain "can we make it" view.
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
  production: number;
  supplied: number;
  shortfall: number;
  inventory: number;
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

/** Index structures for the check, built once per family/resource/routing set (Monte Carlo reuses them). */
export interface SupplyIndex {
  F: number;
  R: number;
  T: number;
  /** Per resource: the families using it and their usage per unit. */
  users: { fi: Int32Array; usage: Float64Array }[];
  /** Per family: the resources it uses. */
  uses: Int32Array[];
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
  const users: { fi: number[]; usage: number[] }[] = resources.map(() => ({ fi: [], usage: [] }));
  const uses: number[][] = families.map(() => []);
  for (const route of routing) {
    const i = fIndex.get(route.family);
    const j = rIndex.get(route.resource);
    if (i === undefined || j === undefined || !(route.usagePerUnit > 0)) continue;
    users[j]!.fi.push(i);
    users[j]!.usage.push(route.usagePerUnit);
    uses[i]!.push(j);
  }
  const R = resources.length;
  const capacity = new Float64Array(R * T);
  const overtime = new Float64Array(R * T);
  resources.forEach((r, j) => {
    for (let t = 0; t < T; t++) {
      capacity[j * T + t] = r.capacity[t] ?? 0;
      overtime[j * T + t] = r.overtime[t] ?? 0;
    }
  });
  return {
    F: families.length,
    R,
    T,
    users: users.map((u) => ({ fi: Int32Array.from(u.fi), usage: Float64Array.from(u.usage) })),
    uses: uses.map((u) => Int32Array.from(u)),
    safetyStock: Float64Array.from(families, (f) => f.safetyStock),
    onHand: Float64Array.from(families, (f) => Math.max(0, f.onHand)),
    capacity,
    overtime,
  };
}

export interface SupplyMonth {
  load: Float64Array;
  demand: Float64Array;
  production: Float64Array;
  supplied: Float64Array;
  inventory: Float64Array;
  binding: Int32Array;
}

/**
 * The check's arithmetic on typed arrays: `demand[i * T + t]` in, and per month a callback with
 * the month's loads and each family's production, supply and closing stock. Allocation-free.
 */
export function runSupply(
  x: SupplyIndex,
  demandIn: Float64Array,
  useOvertime: boolean,
  visit: (t: number, month: SupplyMonth) => void,
): void {
  const { F, R, T } = x;
  // Compressed rows (start offsets + flat indices): one pass over contiguous memory per month.
  const userStart = new Int32Array(R + 1);
  x.users.forEach((u, j) => (userStart[j + 1] = userStart[j]! + u.fi.length));
  const userFamily = new Int32Array(userStart[R]!);
  const userUsage = new Float64Array(userStart[R]!);
  x.users.forEach((u, j) => {
    userFamily.set(u.fi, userStart[j]);
    userUsage.set(u.usage, userStart[j]);
  });
  const useStart = new Int32Array(F + 1);
  x.uses.forEach((u, i) => (useStart[i + 1] = useStart[i]! + u.length));
  const useResource = new Int32Array(useStart[F]!);
  x.uses.forEach((u, i) => useResource.set(u, useStart[i]));
  const safety = x.safetyStock;
  const cap = x.capacity;
  const ot = x.overtime;

  const inventory = Float64Array.from(x.onHand);
  const wanted = new Float64Array(F);
  const demand = new Float64Array(F);
  const production = new Float64Array(F);
  const supplied = new Float64Array(F);
  const binding = new Int32Array(F);
  const load = new Float64Array(R);
  const scale = new Float64Array(R);
  const month = { load, demand, production, supplied, inventory, binding };
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < F; i++) {
      const raw = demandIn[i * T + t]!;
      const d = raw > 0 ? raw : 0;
      demand[i] = d;
      const w = d + safety[i]! - inventory[i]!;
      wanted[i] = w > 0 ? w : 0;
    }
    for (let j = 0; j < R; j++) {
      let l = 0;
      for (let k = userStart[j]!, end = userStart[j + 1]!; k < end; k++)
        l += wanted[userFamily[k]!]! * userUsage[k]!;
      load[j] = l;
      const available = cap[j * T + t]! + (useOvertime ? ot[j * T + t]! : 0);
      scale[j] = l > available && l > 0 ? available / l : 1;
    }
    for (let i = 0; i < F; i++) {
      let factor = 1;
      let bind = -1;
      for (let k = useStart[i]!, end = useStart[i + 1]!; k < end; k++) {
        const s = scale[useResource[k]!]!;
        if (s < factor) {
          factor = s;
          bind = useResource[k]!;
        }
      }
      binding[i] = bind;
      const p = wanted[i]! * factor;
      production[i] = p;
      const available = inventory[i]! + p;
      const sold = demand[i]! < available ? demand[i]! : available;
      supplied[i] = sold;
      inventory[i] = available - sold;
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
      const supplied = m.supplied[i]!;
      const shortfall = demand - supplied;
      const left = m.inventory[i]!;
      months.push({
        family: f.family,
        period,
        demand,
        production: m.production[i]!,
        supplied,
        shortfall,
        inventory: left,
        belowSafetyStock: left < f.safetyStock,
      });
      if (shortfall > 1e-9) {
        const b = m.binding[i]!;
        gaps.push({
          family: f.family,
          resource: b >= 0 ? resources[b]!.resource : null,
          period,
          shortfallUnits: shortfall,
          revenueAtRisk: shortfall * f.unitPrice,
          marginAtRisk: shortfall * (f.unitPrice - f.unitCost),
        });
      }
    });
  });
  return { loads, families: months, gaps };
}
