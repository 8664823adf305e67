/**
 * What the step-1 tables mean, for people: each table's purpose, each column's meaning and unit,
 * and example rows. The column names, types and whether a column is required come from
 * TABLE_COLUMNS (dataset.ts), so the README's "Data tables", openapi.json and the downloadable
 * templates all say the same thing as the importer (test/api/docs.test.ts checks the README).
 */
import { DATA_MONTHS, RESOURCE_KINDS, TABLE_COLUMNS, type TableName } from './dataset.js';

type Kind = (typeof TABLE_COLUMNS)[TableName][number]['kind'];

/** Each column kind as a person reads it: its type and the values it allows. */
export const KIND_TEXT: Record<Kind, { type: string; allowed: string }> = {
  text: { type: 'text', allowed: 'up to 200 characters' },
  month: { type: 'month', allowed: `YYYY-MM, e.g. 2026-11 (${DATA_MONTHS.from} to ${DATA_MONTHS.to})` },
  number: { type: 'number', allowed: 'any number (negative too) up to 1e12 either side of 0' },
  nonNegative: { type: 'number', allowed: '0 to 1e12' },
  positive: { type: 'number', allowed: 'more than 0, up to 1e12' },
  wholeNonNegative: { type: 'whole number', allowed: '0, 1, 2, ...' },
  resourceKind: { type: 'text', allowed: RESOURCE_KINDS.join(', ') },
};

interface TableGuide {
  about: string;
  /** Column name -> what it means, and its unit ('' when it has none). */
  columns: Record<string, { about: string; unit: string }>;
  /** Rows as a person would type them; together the tables import without a warning. */
  examples: Record<string, string>[];
}

export const TABLE_GUIDE: Record<TableName, TableGuide> = {
  families: {
    about:
      'One row per product family you plan: its price and cost (revenue and margin at risk), and the stock to keep.',
    columns: {
      family: { about: 'the family code that the other tables refer to', unit: '' },
      name: { about: 'the name shown in the pack', unit: '' },
      unit_price: { about: 'selling price of one unit', unit: 'currency per unit' },
      unit_cost: { about: 'cost of goods of one unit (margin = price - cost)', unit: 'currency per unit' },
      safety_stock_units: { about: 'stock to keep at the end of each month', unit: 'units' },
      holding_cost_per_unit_month: {
        about: 'cost of keeping one unit in stock for a month (prices pre-building)',
        unit: 'currency per unit per month',
      },
    },
    examples: [
      {
        family: 'SW-050',
        name: 'Sparkling water 0.5 l',
        unit_price: '0.89',
        unit_cost: '0.41',
        safety_stock_units: '2000',
        holding_cost_per_unit_month: '0.01',
      },
      {
        family: 'OJ-100',
        name: 'Orange juice 1 l',
        unit_price: '2.49',
        unit_cost: '1.35',
        safety_stock_units: '800',
        holding_cost_per_unit_month: '0.03',
      },
    ],
  },
  history: {
    about:
      'Shipments per family and month: the demand the statistical forecast learns from (24 to 36 months work best; the pack forecasts from whatever is there).',
    columns: {
      family: { about: 'a family code from families', unit: '' },
      period: { about: 'the month shipped', unit: '' },
      shipments: {
        about: 'units shipped in the month; negative for returns or corrections (reported as a warning)',
        unit: 'units',
      },
      bookings: {
        about: 'units ordered in the month; kept with the data, not used by the forecast',
        unit: 'units',
      },
    },
    examples: [
      { family: 'SW-050', period: '2026-10', shipments: '11800', bookings: '12100' },
      { family: 'SW-050', period: '2026-11', shipments: '12450', bookings: '' },
      { family: 'OJ-100', period: '2026-10', shipments: '4100', bookings: '' },
      { family: 'OJ-100', period: '2026-11', shipments: '4320', bookings: '4400' },
    ],
  },
  inventory: {
    about: 'Stock on hand per family when planning starts (rows for the same family add up).',
    columns: {
      family: { about: 'a family code from families', unit: '' },
      on_hand: { about: 'units in stock', unit: 'units' },
    },
    examples: [
      { family: 'SW-050', on_hand: '6000' },
      { family: 'OJ-100', on_hand: '1500' },
    ],
  },
  resources: {
    about: 'What limits supply: plants, production lines, suppliers, warehouses, transport.',
    columns: {
      resource: { about: 'the resource code that capacity and routing refer to', unit: '' },
      name: { about: 'the name shown in the pack', unit: '' },
      kind: { about: 'what sort of resource it is', unit: '' },
    },
    examples: [
      { resource: 'L01', name: 'PET bottling line 1', kind: 'line' },
      { resource: 'SUP-01', name: 'Juice concentrate supplier', kind: 'supplier' },
    ],
  },
  capacity: {
    about:
      "Each resource's capacity per month, in the units of its load (routing). A row holds from its month until the resource's next row, so one row per resource is enough when capacity does not change.",
    columns: {
      resource: { about: 'a resource code from resources', unit: '' },
      period: { about: 'the first month this row holds for', unit: '' },
      capacity: { about: 'regular capacity in the month', unit: 'load units per month' },
      overtime_capacity: { about: 'extra capacity with overtime (0 for none)', unit: 'load units per month' },
      overtime_cost_per_unit: {
        about: 'extra cost of one load unit made in overtime',
        unit: 'currency per load unit',
      },
    },
    examples: [
      {
        resource: 'L01',
        period: '2026-12',
        capacity: '14000',
        overtime_capacity: '1500',
        overtime_cost_per_unit: '0.12',
      },
      {
        resource: 'SUP-01',
        period: '2026-12',
        capacity: '4000',
        overtime_capacity: '0',
        overtime_cost_per_unit: '0',
      },
    ],
  },
  routing: {
    about: 'Which resources each family uses, and how much of each per unit made (a family can use several).',
    columns: {
      family: { about: 'a family code from families', unit: '' },
      resource: { about: 'a resource code from resources', unit: '' },
      usage_per_unit: {
        about: 'load on the resource per unit of the family (hours, bottles, kg...; 1 when counted in units)',
        unit: 'load units per unit',
      },
    },
    examples: [
      { family: 'SW-050', resource: 'L01', usage_per_unit: '1' },
      { family: 'OJ-100', resource: 'SUP-01', usage_per_unit: '1' },
    ],
  },
  alternates: {
    about:
      'Other ways to supply a family when its resources run short: a second source, another mode of transport. The trade-offs cost them against overtime, pre-building and accepting the shortfall.',
    columns: {
      family: { about: 'a family code from families', unit: '' },
      option: {
        about:
          'the option\'s name (alternate_source and modal_shift are shown as "Alternate sourcing" and "Modal shift"); a supply constraint\'s lead-time change moves the alternates named after its resource',
        unit: '',
      },
      capacity_per_month: { about: 'units this option can supply in a month', unit: 'units per month' },
      extra_cost_per_unit: { about: 'cost on top of unit_cost for each unit', unit: 'currency per unit' },
      lead_time_months: { about: 'months before the option can start supplying', unit: 'months' },
    },
    examples: [
      {
        family: 'OJ-100',
        option: 'alternate_source',
        capacity_per_month: '600',
        extra_cost_per_unit: '0.35',
        lead_time_months: '1',
      },
    ],
  },
};

/** One column as documented: TABLE_COLUMNS' facts with the guide's words. */
export interface ColumnDoc {
  name: string;
  type: string;
  unit: string;
  required: boolean;
  allowed: string;
  about: string;
}

export function columnDocs(table: TableName): ColumnDoc[] {
  return TABLE_COLUMNS[table].map((c) => {
    const words = TABLE_GUIDE[table].columns[c.name];
    return {
      name: c.name,
      type: KIND_TEXT[c.kind].type,
      allowed: KIND_TEXT[c.kind].allowed,
      unit: words?.unit ?? '',
      required: !c.optional,
      about: words?.about ?? '',
    };
  });
}

/** A table's header and example rows, in column order. */
export function exampleRows(table: TableName): string[][] {
  const names = TABLE_COLUMNS[table].map((c) => c.name);
  return [names, ...TABLE_GUIDE[table].examples.map((r) => names.map((n) => r[n] ?? ''))];
}

/** One line per table, for summaries (openapi.json): the table's purpose and its columns. */
export function tableSummary(table: TableName): string {
  const cols = columnDocs(table)
    .map((c) => `${c.name} (${c.type}${c.unit ? `, ${c.unit}` : ''}${c.required ? '' : ', optional'})`)
    .join(', ');
  return `${TABLE_GUIDE[table].about} Columns: ${cols}.`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const mdRow = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
const mdTable = (rows: string[][]) => [
  mdRow(rows[0]!),
  mdRow(rows[0]!.map(() => '---')),
  ...rows.slice(1).map(mdRow),
];

/** The README's per-table reference (between its data-tables markers; test/api/docs.test.ts checks it). */
export function dataTablesMarkdown(): string {
  const out: string[] = [];
  for (const table of Object.keys(TABLE_GUIDE) as TableName[]) {
    out.push(`### \`${table}\``, '', TABLE_GUIDE[table].about, '');
    out.push(
      ...mdTable([
        ['column', 'type', 'unit', 'required', 'allowed values', 'meaning'],
        ...columnDocs(table).map((c) => [
          `\`${c.name}\``,
          c.type,
          c.unit || '-',
          c.required ? 'yes' : 'no',
          c.allowed,
          c.about,
        ]),
      ]),
      '',
      'Example:',
      '',
      ...mdTable(exampleRows(table)),
      '',
    );
  }
  return out.join('\n');
}
