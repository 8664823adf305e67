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
  /** Per resource: the families using it and their usage per unit. */
  users: { fi: Int32Array; usage: Float64Array }[];
  /** Per family: the resources it uses. */
  uses: Int32Array[];
}

export function indexSupply(
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
  return {
    users: users.map((u) => ({ fi: Int32Array.from(u.fi), usage: Float64Array.from(u.usage) })),
    uses: uses.map((u) => Int32Array.from(u)),
  };
}

/**
 * The check's arithmetic on plain arrays: `demand[i][t]` in, and per month a callback with the
 * month's loads and each family's production, supply and closing stock. Allocation-free per month.
 */
export function runSupply(
  T: number,
  families: SupplyFamily[],
  resources: SupplyResource[],
  index: SupplyIndex,
  demandOf: (i: number, t: number) => number,
  useOvertime: boolean,
  visit: (
    t: number,
    month: {
      load: Float64Array;
      scale: Float64Array;
      demand: Float64Array;
      production: Float64Array;
      supplied: Float64Array;
      inventory: Float64Array;
      binding: Int32Array;
    },
  ) => void,
): void {
  const F = families.length;
  const R = resources.length;
  const inventory = Float64Array.from(families, (f) => Math.max(0, f.onHand));
  const wanted = new Float64Array(F);
  const demand = new Float64Array(F);
  const production = new Float64Array(F);
  const supplied = new Float64Array(F);
  const binding = new Int32Array(F);
  const load = new Float64Array(R);
  const scale = new Float64Array(R);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < F; i++) {
      const d = Math.max(0, demandOf(i, t) || 0);
      demand[i] = d;
      wanted[i] = Math.max(0, d + families[i]!.safetyStock - inventory[i]!);
    }
    for (let j = 0; j < R; j++) {
      const { fi, usage } = index.users[j]!;
      let l = 0;
      for (let k = 0; k < fi.length; k++) l += wanted[fi[k]!]! * usage[k]!;
      load[j] = l;
      const r = resources[j]!;
      const available = (r.capacity[t] ?? 0) + (useOvertime ? (r.overtime[t] ?? 0) : 0);
      scale[j] = l > available && l > 0 ? available / l : 1;
    }
    for (let i = 0; i < F; i++) {
      let factor = 1;
      let bind = -1;
      const u = index.uses[i]!;
      for (let k = 0; k < u.length; k++) {
        const s = scale[u[k]!]!;
        if (s < factor) {
          factor = s;
          bind = u[k]!;
        }
      }
      binding[i] = bind;
      production[i] = wanted[i]! * factor;
      const available = inventory[i]! + production[i]!;
      supplied[i] = Math.min(demand[i]!, available);
      inventory[i] = available - supplied[i]!;
    }
    visit(t, { load, scale, demand, production, supplied, inventory, binding });
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
  const index = indexSupply(families, resources, routing);
  runSupply(
    periods.length,
    families,
    resources,
    index,
    (i, t) => families[i]!.demand[t] ?? 0,
    opts.useOvertime,
    (t, m) => {
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
    },
  );
  return { loads, families: months, gaps };
}
