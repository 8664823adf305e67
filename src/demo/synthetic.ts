/**
 * A synthetic company for the demo organisation, the benchmarks and the tests: seasonal product
 * families with trend and noise (a few intermittent ones), production lines and suppliers of which
 * a few are tight in the peak season, overtime, alternate sources and modal shift. Deterministic
 * for a given seed. Output is the step-1 tables as CSV-like rows, ready for the dataset import.
 */
import type { TableName } from '../domain/dataset.js';
import { seededRandom } from '../domain/montecarlo.js';
import { monthName, monthNumber } from '../domain/time.js';
import type { UploadPart } from '../app/datasets.js';

export interface SyntheticOptions {
  families: number;
  resources: number;
  /** Months of history, ending with `lastMonth`. */
  months: number;
  lastMonth: string;
  /** Months of capacity after the history. */
  horizon: number;
  seed?: number;
  /** Share of lines that are tight in the peak season. */
  tightShare?: number;
  familyNames?: string[];
  /**
   * Every family also passes through the first resource (a packaging line, tight at the peak):
   * the whole company is one cluster of tight resources, the LP's hardest shape.
   */
  sharedLine?: boolean;
  resourceNames?: { name: string; kind: 'line' | 'supplier' | 'plant' | 'warehouse' | 'transport' }[];
}

export type SyntheticTables = Record<TableName, Record<string, string>[]>;

const f2 = (v: number) => (Math.round(v * 100) / 100).toString();

export function syntheticCompany(o: SyntheticOptions): SyntheticTables {
  const rand = seededRandom(o.seed ?? 42);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const first = monthNumber(o.lastMonth) - o.months + 1;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const resources = Array.from({ length: o.resources }, (_, j) => {
    const given = o.resourceNames?.[j];
    const kind = given?.kind ?? (j % 5 === 4 ? 'supplier' : 'line');
    return {
      id: kind === 'supplier' ? `SUP-${pad(j + 1, 2)}` : `L${pad(j + 1, 2)}`,
      name:
        given?.name ??
        (o.sharedLine && j === 0
          ? 'Packaging line'
          : kind === 'supplier'
            ? `Supplier ${j + 1}`
            : `Line ${j + 1}`),
      kind,
    };
  });
  const shared = o.sharedLine ? resources[0] : undefined;
  const lines = resources.filter((r) => r.kind !== 'supplier' && r !== shared);
  const suppliers = resources.filter((r) => r.kind === 'supplier');
  const families = Array.from({ length: o.families }, (_, i) => {
    const level = Math.exp(Math.log(200) + rand() * Math.log(25));
    const price = Math.round((5 + rand() * 45) * 100) / 100;
    return {
      id: `F${pad(i + 1, o.families >= 1000 ? 5 : 3)}`,
      name: o.familyNames?.[i] ?? `Family ${i + 1}`,
      level,
      trend: (rand() - 0.4) * 0.01,
      amplitude: 0.1 + rand() * 0.3,
      peak: [6, 7, 11, 3][i % 4]!,
      noise: 0.05 + rand() * 0.07,
      intermittent: o.families >= 20 && i % 20 === 19,
      price,
      cost: Math.round(price * (0.45 + rand() * 0.3) * 100) / 100,
      line: lines.length ? lines[i % lines.length] : undefined,
      packing: shared ? Math.round((0.2 + rand() * 0.3) * 100) / 100 : 0,
      supplier: suppliers.length ? suppliers[i % suppliers.length] : undefined,
      usage: Math.round((0.5 + rand()) * 100) / 100,
    };
  });
  const seasonal = (f: (typeof families)[number], m: number) =>
    1 + f.amplitude * Math.cos((2 * Math.PI * ((m % 12) - (f.peak - 1))) / 12);
  const expected = (f: (typeof families)[number], m: number) =>
    f.intermittent ? f.level * 0.3 : f.level * (1 + f.trend * (m - first)) * seasonal(f, m);

  const history: Record<string, string>[] = [];
  for (const f of families)
    for (let m = first; m <= monthNumber(o.lastMonth); m++) {
      const v = f.intermittent
        ? rand() < 0.35
          ? f.level * (0.5 + rand())
          : 0
        : Math.max(0, expected(f, m) * (1 + f.noise * gauss()));
      history.push({ family: f.id, period: monthName(m), shipments: String(Math.round(v)) });
    }

  // Capacity: each resource's average future load, times a margin; tight ones cannot take the peak.
  const future = Array.from({ length: o.horizon }, (_, k) => monthNumber(o.lastMonth) + 1 + k);
  const tightShare = o.tightShare ?? 0.2;
  const capacity: Record<string, string>[] = [];
  resources.forEach((r, j) => {
    const users = families.filter((f) => f.line === r || f.supplier === r || r === shared);
    const usage = (f: (typeof families)[number]) => (r === shared ? f.packing : f.line === r ? f.usage : 1);
    const avg =
      future.reduce((s, m) => s + users.reduce((a, f) => a + expected(f, m) * usage(f), 0), 0) /
      Math.max(1, future.length);
    const tight = r === shared || j % Math.max(1, Math.round(1 / tightShare)) === 0;
    const cap = Math.max(10, Math.round(avg * (tight ? 1.02 : 1.6)));
    for (const m of future)
      capacity.push({
        resource: r.id,
        period: monthName(m),
        capacity: String(cap),
        overtime_capacity: String(r.kind === 'supplier' ? 0 : Math.round(cap * 0.1)),
        overtime_cost_per_unit: r.kind === 'supplier' ? '0' : f2(1.5 + rand() * 2),
      });
  });

  const alternates: Record<string, string>[] = [];
  families.forEach((f, i) => {
    if (i % 3 === 0)
      alternates.push({
        family: f.id,
        option: 'alternate_source',
        capacity_per_month: String(Math.round(f.level * 0.15)),
        extra_cost_per_unit: f2((f.price - f.cost) * (0.3 + rand() * 0.4)),
        lead_time_months: String(1 + (i % 2)),
      });
    if (i % 4 === 1)
      alternates.push({
        family: f.id,
        option: 'modal_shift',
        capacity_per_month: String(Math.round(f.level * 0.1)),
        extra_cost_per_unit: f2((f.price - f.cost) * (0.2 + rand() * 0.3)),
        lead_time_months: '0',
      });
  });

  return {
    families: families.map((f) => ({
      family: f.id,
      name: f.name,
      unit_price: f2(f.price),
      unit_cost: f2(f.cost),
      safety_stock_units: String(Math.round(f.level * 0.25)),
      holding_cost_per_unit_month: f2(f.cost * 0.02),
    })),
    history,
    inventory: families.map((f) => ({ family: f.id, on_hand: String(Math.round(f.level * 0.5)) })),
    resources: resources.map((r) => ({ resource: r.id, name: r.name, kind: r.kind })),
    capacity,
    routing: families.flatMap((f) => [
      ...(shared ? [{ family: f.id, resource: shared.id, usage_per_unit: f2(f.packing) }] : []),
      ...(f.line ? [{ family: f.id, resource: f.line.id, usage_per_unit: f2(f.usage) }] : []),
      ...(f.supplier ? [{ family: f.id, resource: f.supplier.id, usage_per_unit: '1' }] : []),
    ]),
    alternates,
  };
}

/** The tables as upload parts (what the multipart reader yields), for importDataset. */
export async function* uploadParts(tables: Partial<SyntheticTables>): AsyncGenerator<UploadPart> {
  for (const [name, rows] of Object.entries(tables)) {
    const header = Object.keys(rows[0] ?? {});
    async function* records() {
      let line = 1;
      for (const record of rows) yield { line: ++line, record };
    }
    yield { name, header: () => header, rows: records() };
  }
}

/** CSV text of one table (tests and the demo download). */
export function toCsv(rows: Record<string, string>[]): string {
  const header = Object.keys(rows[0] ?? {});
  return [header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n');
}
