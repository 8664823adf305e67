/** A dataset version as the planning reads it: typed tables, kept in memory by version id (immutable). */
import type { PlanData } from '../domain/plan.js';
import { Memo } from './memo.js';
import type { Deps } from './ports.js';
import type { DatasetRecord } from './records.js';

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Dataset versions read lately, by id (up to about two million rows in all). */
const planDataMemo = new Memo<PlanData>(
  2_000_000,
  (d) => d.history.length + d.capacity.length + d.routing.length + d.families.length,
);

/** Reads one dataset version into typed tables (chunk by chunk), or from memory when read lately. */
export function loadPlanData(
  deps: Pick<Deps, 'datasets'>,
  orgId: string,
  dataset: DatasetRecord,
): Promise<PlanData> {
  return planDataMemo.through(dataset.id, () =>
    planDataFrom((table) => deps.datasets.rows(orgId, dataset, table)),
  );
}

/** Typed tables from rows as the dataset stores them (parsed by src/domain/dataset.ts). */
export async function planDataFrom(
  rowsOf: (table: string) => AsyncIterable<Record<string, unknown>[]> | Iterable<Record<string, unknown>[]>,
): Promise<PlanData> {
  const rows = async <T>(table: string, map: (r: Record<string, unknown>) => T): Promise<T[]> => {
    const out: T[] = [];
    for await (const chunk of rowsOf(table)) for (const r of chunk) out.push(map(r));
    return out;
  };
  return {
    families: await rows('families', (r) => ({
      family: str(r['family']),
      name: str(r['name']),
      unitPrice: num(r['unit_price']),
      unitCost: num(r['unit_cost']),
      safetyStock: num(r['safety_stock_units']),
      holdingCost: num(r['holding_cost_per_unit_month']),
    })),
    history: await rows('history', (r) => ({
      family: str(r['family']),
      period: str(r['period']),
      shipments: num(r['shipments']),
    })),
    inventory: await rows('inventory', (r) => ({ family: str(r['family']), onHand: num(r['on_hand']) })),
    resources: await rows('resources', (r) => ({
      resource: str(r['resource']),
      name: str(r['name']),
      kind: str(r['kind']),
    })),
    capacity: await rows('capacity', (r) => ({
      resource: str(r['resource']),
      period: str(r['period']),
      capacity: num(r['capacity']),
      overtime: num(r['overtime_capacity']),
      overtimeCost: num(r['overtime_cost_per_unit']),
    })),
    routing: await rows('routing', (r) => ({
      family: str(r['family']),
      resource: str(r['resource']),
      usagePerUnit: num(r['usage_per_unit']),
    })),
    alternates: await rows('alternates', (r) => ({
      family: str(r['family']),
      option: str(r['option']),
      capacityPerMonth: num(r['capacity_per_month']),
      extraCostPerUnit: num(r['extra_cost_per_unit']),
      leadTimeMonths: num(r['lead_time_months']),
    })),
  };
}
