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

type Kind = 'text' | 'month' | NumberKind | 'resourceKind';
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

/** Why a cell is not a data set's month (null: it is one, from 1900-01 to 2199-12). */
export function dataMonthProblem(text: string): string | null {
  if (!ISO_MONTH.test(text)) return `"${text}" is not a month as YYYY-MM`;
  if (text < DATA_MONTHS.from || text > DATA_MONTHS.to)
    return `"${text}" is not a month from ${DATA_MONTHS.from} to ${DATA_MONTHS.to}`;
  return null;
}

export type NumberKind = 'number' | 'nonNegative' | 'positive' | 'wholeNonNegative';

/**
 * A cell as a number of its kind, or why it is not one: a plain decimal (thousands separators
 * allowed; no hex, no Infinity), at most 1e12 either side of 0, and not negative where that means
 * nothing.
 */
export function dataNumber(text: string, kind: NumberKind): { value: number } | { problem: string } {
  const plain = text.trim().replace(/,/g, '');
  const v = DECIMAL.test(plain) ? Number(plain) : Number.NaN;
  if (!Number.isFinite(v)) return { problem: `"${text}" is not a number` };
  if (Math.abs(v) > MAX_MAGNITUDE)
    return { problem: `${text} is out of range: at most 1e12 either side of 0` };
  if (kind === 'nonNegative' && v < 0) return { problem: `${v} is negative` };
  if (kind === 'positive' && v <= 0) return { problem: `must be more than 0, got ${v}` };
  if (kind === 'wholeNonNegative' && (!Number.isInteger(v) || v < 0))
    return { problem: `must be a whole number of 0 or more, got ${v}` };
  return { value: v };
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
      case 'month': {
        const problem = dataMonthProblem(text);
        if (problem) problems.push({ column: c.name, reason: problem });
        row[c.name] = text;
        break;
      }
      case 'resourceKind':
        if (!(RESOURCE_KINDS as readonly string[]).includes(text.toLowerCase())) {
          problems.push({ column: c.name, reason: `"${text}" is not one of ${RESOURCE_KINDS.join(', ')}` });
        }
        row[c.name] = text.toLowerCase();
        break;
      default: {
        const n = dataNumber(text, c.kind);
        if ('problem' in n) problems.push({ column: c.name, reason: n.problem });
        row[c.name] = 'value' in n ? n.value : Number.NaN;
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
