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
  const routesOf = new Map<string, Route[]>();
  for (const r of routing) routesOf.set(r.family, [...(routesOf.get(r.family) ?? []), r]);
  const inventory = new Map(families.map((f) => [f.family, Math.max(0, f.onHand)]));

  periods.forEach((period, t) => {
    const wanted = new Map(
      families.map((f) => [
        f.family,
        Math.max(0, (f.demand[t] ?? 0) + f.safetyStock - inventory.get(f.family)!),
      ]),
    );
    const scale = new Map<string, number>();
    for (const r of resources) {
      const load = families.reduce(
        (s, f) =>
          s +
          wanted.get(f.family)! *
            (routesOf.get(f.family)?.find((x) => x.resource === r.resource)?.usagePerUnit ?? 0),
        0,
      );
      const capacity = r.capacity[t] ?? 0;
      const overtime = r.overtime[t] ?? 0;
      const available = capacity + (opts.useOvertime ? overtime : 0);
      scale.set(r.resource, load > available ? (load > 0 ? available / load : 1) : 1);
      loads.push({
        resource: r.resource,
        period,
        load,
        capacity,
        overtime,
        utilization: capacity > 0 ? load / capacity : load > 0 ? Infinity : 0,
        overload: Math.max(0, load - capacity),
      });
    }
    for (const f of families) {
      let factor = 1;
      let binding: string | null = null;
      for (const route of routesOf.get(f.family) ?? []) {
        const s = scale.get(route.resource) ?? 1;
        if (s < factor) {
          factor = s;
          binding = route.resource;
        }
      }
      const demand = Math.max(0, f.demand[t] ?? 0);
      const production = wanted.get(f.family)! * factor;
      const available = inventory.get(f.family)! + production;
      const supplied = Math.min(demand, available);
      const shortfall = demand - supplied;
      const left = available - supplied;
      inventory.set(f.family, left);
      months.push({
        family: f.family,
        period,
        demand,
        production,
        supplied,
        shortfall,
        inventory: left,
        belowSafetyStock: left < f.safetyStock,
      });
      if (shortfall > 1e-9) {
        gaps.push({
          family: f.family,
          resource: binding,
          period,
          shortfallUnits: shortfall,
          revenueAtRisk: shortfall * f.unitPrice,
          marginAtRisk: shortfall * (f.unitPrice - f.unitCost),
        });
      }
    }
  });
  return { loads, families: months, gaps };
}
