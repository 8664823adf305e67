/**
 * The step-1 data set: its tables, their columns, and the checks on each row. Pure: rows come in
 * as strings (CSV or spreadsheet cells) and leave typed, or with a reason per bad column.
 */
import { MAX_MAGNITUDE } from './numbers.js';
import { ISO_MONTH, type Window } from './time.js';
export { monthNumber } from './time.js';

/** The months a data set may hold: history and capacity of a real business, not year 0 or 9999. */
export const DATA_MONTHS: Window = { from: '1900-01', to: '2199-12' };
/** A decimal number as written in a file (thousands separators removed first): no hex, no Infinity. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export const TABLES = [
  'families',
  'history',
  'inventory',
  'resources',
  'capacity',
  'routing',
  'alternates',
] as const;
export type TableName = (typeof TABLES)[number];
export const RESOURCE_KINDS = ['plant', 'line', 'supplier', 'warehouse', 'transport'] as const;

type Kind = 'text' | 'month' | 'number' | 'nonNegative' | 'positive' | 'wholeNonNegative' | 'resourceKind';
interface Column {
  name: string;
  kind: Kind;
  optional?: boolean;
}

const col = (name: string, kind: Kind, optional = false): Column => ({ name, kind, optional });

export const TABLE_COLUMNS: Record<TableName, Column[]> = {
  families: [
    col('family', 'text'),
    col('name', 'text'),
    col('unit_price', 'nonNegative'),
    col('unit_cost', 'nonNegative'),
    col('safety_stock_units', 'nonNegative'),
    col('holding_cost_per_unit_month', 'nonNegative'),
  ],
  // Negative shipments (returns, corrections) are allowed and reported as warnings.
  history: [
    col('family', 'text'),
    col('period', 'month'),
    col('shipments', 'number'),
    col('bookings', 'number', true),
  ],
  inventory: [col('family', 'text'), col('on_hand', 'number')],
  resources: [col('resource', 'text'), col('name', 'text'), col('kind', 'resourceKind')],
  capacity: [
    col('resource', 'text'),
    col('period', 'month'),
    col('capacity', 'nonNegative'),
    col('overtime_capacity', 'nonNegative'),
    col('overtime_cost_per_unit', 'nonNegative'),
  ],
  routing: [col('family', 'text'), col('resource', 'text'), col('usage_per_unit', 'positive')],
  alternates: [
    col('family', 'text'),
    col('option', 'text'),
    col('capacity_per_month', 'nonNegative'),
    col('extra_cost_per_unit', 'nonNegative'),
    col('lead_time_months', 'wholeNonNegative'),
  ],
};

export type Row = Record<string, string | number | null>;

export interface RowProblem {
  column: string;
  reason: string;
}

/** Which required columns a header lacks (names compared trimmed and lower-case). */
export function missingColumns(table: TableName, header: string[]): string[] {
  const have = new Set(header.map((h) => h.trim().toLowerCase()));
  return TABLE_COLUMNS[table].filter((c) => !c.optional && !have.has(c.name)).map((c) => c.name);
}

/** Types one row, or says what is wrong with each bad column. Extra columns are kept as text. */
export function parseRow(
  table: TableName,
  raw: Record<string, string | undefined>,
): { row: Row } | { problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const row: Row = {};
  for (const c of TABLE_COLUMNS[table]) {
    const text = (raw[c.name] ?? '').trim();
    if (text === '') {
      if (c.optional) row[c.name] = null;
      else problems.push({ column: c.name, reason: 'is empty' });
      continue;
    }
    switch (c.kind) {
      case 'text':
        if (text.length > 200) problems.push({ column: c.name, reason: 'is longer than 200 characters' });
        row[c.name] = text;
        break;
      case 'month':
        if (!ISO_MONTH.test(text))
          problems.push({ column: c.name, reason: `"${text}" is not a month as YYYY-MM` });
        else if (text < DATA_MONTHS.from || text > DATA_MONTHS.to)
          problems.push({
            column: c.name,
            reason: `"${text}" is not a month from ${DATA_MONTHS.from} to ${DATA_MONTHS.to}`,
          });
        row[c.name] = text;
        break;
      case 'resourceKind':
        if (!(RESOURCE_KINDS as readonly string[]).includes(text.toLowerCase())) {
          problems.push({ column: c.name, reason: `"${text}" is not one of ${RESOURCE_KINDS.join(', ')}` });
        }
        row[c.name] = text.toLowerCase();
        break;
      default: {
        const plain = text.replace(/,/g, '');
        const v = DECIMAL.test(plain) ? Number(plain) : Number.NaN;
        if (!Number.isFinite(v)) problems.push({ column: c.name, reason: `"${text}" is not a number` });
        else if (Math.abs(v) > MAX_MAGNITUDE)
          problems.push({ column: c.name, reason: `${text} is out of range: at most 1e12 either side of 0` });
        else if (c.kind === 'nonNegative' && v < 0)
          problems.push({ column: c.name, reason: `${v} is negative` });
        else if (c.kind === 'positive' && v <= 0)
          problems.push({ column: c.name, reason: `must be more than 0, got ${v}` });
        else if (c.kind === 'wholeNonNegative' && (!Number.isInteger(v) || v < 0)) {
          problems.push({ column: c.name, reason: `must be a whole number of 0 or more, got ${v}` });
        }
        row[c.name] = v;
      }
    }
  }
  return problems.length ? { problems } : { row };
}

export function tableName(fieldOrFile: string): TableName | null {
  const base = fieldOrFile
    .trim()
    .toLowerCase()
    .replace(/\.csv$/, '')
    .replace(/^.*[\\/]/, '');
  return (TABLES as readonly string[]).includes(base) ? (base as TableName) : null;
}

/** Months missing between a family's first and last history month (month numbers). */
export function historyGaps(months: ReadonlySet<number>): number {
  if (months.size < 2) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of months) {
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
  }
  return hi - lo + 1 - months.size;
}

/** Values far from the family's median (more than 5 scaled median absolute deviations). */
export function outliers(values: number[]): number[] {
  if (values.length < 6) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const med = sorted[sorted.length >> 1]!;
  const dev = values.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const mad = 1.4826 * dev[dev.length >> 1]!;
  if (mad === 0) return [];
  return values.filter((v) => Math.abs(v - med) > 5 * mad);
}
