/**
 * Use case: importDataset. Every upload becomes a new immutable dataset version, all or nothing:
 * rows are validated as they stream in and staged in chunks; a file with any bad row leaves no
 * version (the staged chunks are discarded) and the report lists every bad row. Tables the upload
 * does not include are carried over from the previous version.
 */
import {
  TABLES,
  TABLE_COLUMNS,
  historyGaps,
  monthNumber,
  missingColumns,
  outliers,
  parseRow,
  type Row,
  tableName,
  type TableName,
} from '../domain/dataset.js';
import type { Deps } from './ports.js';
import type { Actor, DatasetRecord } from './records.js';

export interface UploadPart {
  /** The table named by the form field or the file name. */
  name: string;
  /** The file's header cells; known once reading has begun. */
  header: () => string[];
  /** One record per data row, with its line number in the file; or a row that cannot be read. */
  rows: AsyncIterable<UploadRow>;
  /** The whole file cannot be read as a table (a binary file, UTF-16 text): a bad row of its own. */
  problem?: string;
  /** The part is left out on purpose (a hidden sheet): a warning, and nothing imported from it. */
  ignored?: string;
}

export type UploadRow =
  | { line: number; record: Record<string, string | undefined> }
  /** A row the file format itself breaks (an unclosed quote...): reported like a bad value. */
  | { line: number; error: string };

export interface BadRow {
  table: string;
  line: number;
  column: string;
  reason: string;
}

export class DatasetRejected extends Error {
  constructor(
    readonly errors: BadRow[],
    readonly errorCount: number,
  ) {
    super(`the upload has ${errorCount} bad row(s); nothing was imported`);
  }
}

const CHUNK = 2000;
const MAX_REPORTED = 1000;

export async function importDataset(
  deps: Pick<Deps, 'datasets' | 'audit' | 'clock'>,
  orgId: string,
  parts: AsyncIterable<UploadPart>,
  actor: Actor,
  onProgress: (p: { table: TableName; rows: number }) => void = () => undefined,
): Promise<DatasetRecord> {
  const now = deps.clock.now();
  const stagingId = await deps.datasets.createStaging(orgId, now);
  const errors: BadRow[] = [];
  let errorCount = 0;
  const counts = new Map<TableName, number>();
  const referenced = { families: new Set<string>(), resources: new Set<string>() };
  const declared = { families: new Set<string>(), resources: new Set<string>() };
  // Per family: the months seen (as month numbers) and the shipments, for the gap and outlier checks.
  const history = new Map<string, { months: Set<number>; values: number[] }>();
  let negatives = 0;
  const notices: string[] = [];
  const staged: { table: string; seq: number }[] = [];
  const stage = async (table: TableName, seq: number, rows: Row[]) => {
    staged.push({ table, seq });
    await deps.datasets.stageChunk(orgId, stagingId, table, seq, rows);
  };
  const bad = (e: BadRow) => {
    errorCount++;
    if (errors.length < MAX_REPORTED) errors.push(e);
  };

  try {
    for await (const part of parts) {
      if (part.ignored) {
        notices.push(`${part.name}: ${part.ignored}`);
        continue;
      }
      const table = tableName(part.name);
      const skip = async (reason: string) => {
        bad({ table: part.name, line: 1, column: '(file)', reason });
        for await (const _ of part.rows) void _;
      };
      if (part.problem) {
        await skip(part.problem);
        continue;
      }
      if (!table) {
        await skip(`unknown table; name each file after one of ${TABLES.join(', ')}`);
        continue;
      }
      if (counts.has(table)) {
        await skip('this table was uploaded twice');
        continue;
      }
      let missing: string[] | null = null;
      const checkHeader = () => {
        missing = missingColumns(table, part.header());
        for (const column of missing) bad({ table, line: 1, column, reason: 'missing column' });
      };
      let buffer: Row[] = [];
      let seq = 0;
      let n = 0;
      for await (const item of part.rows) {
        if ('error' in item) {
          bad({ table, line: item.line, column: '(row)', reason: item.error });
          continue;
        }
        const { line, record } = item;
        if (missing === null) checkHeader();
        if (missing!.length) continue;
        const parsed = parseRow(table, record);
        if ('problems' in parsed) {
          for (const p of parsed.problems) bad({ table, line, ...p });
          continue;
        }
        const row = parsed.row;
        n++;
        if (table === 'families') declared.families.add(String(row['family']));
        if (table === 'resources') declared.resources.add(String(row['resource']));
        if ('family' in row && table !== 'families') referenced.families.add(String(row['family']));
        if ('resource' in row && table !== 'resources') referenced.resources.add(String(row['resource']));
        if (table === 'history') {
          const h = history.get(String(row['family'])) ?? { months: new Set<number>(), values: [] };
          h.months.add(monthNumber(String(row['period'])));
          h.values.push(Number(row['shipments']));
          history.set(String(row['family']), h);
          if (Number(row['shipments']) < 0) negatives++;
        }
        if (errorCount === 0) {
          buffer.push(row);
          if (buffer.length === CHUNK) {
            await stage(table, seq++, buffer);
            buffer = [];
          }
        }
        if (n % 10_000 === 0) onProgress({ table: table, rows: n });
      }
      if (missing === null) checkHeader();
      if (errorCount === 0 && buffer.length) await stage(table, seq++, buffer);
      counts.set(table, n);
      onProgress({ table: table, rows: n });
    }
    if (counts.size === 0)
      bad({ table: '(upload)', line: 0, column: '(file)', reason: 'no table was uploaded' });
    if (errorCount) throw new DatasetRejected(errors, errorCount);
  } catch (err) {
    // A failed clean-up must not hide why the upload failed: the hourly sweep removes what it left.
    await deps.datasets.discard(orgId, stagingId, staged).catch(() => undefined);
    throw err;
  }

  const previous = await deps.datasets.latest(orgId);
  const tables = Object.fromEntries(
    (Object.keys(TABLE_COLUMNS) as TableName[]).flatMap((t) => {
      if (counts.has(t)) return [[t, { source: stagingId, rows: counts.get(t)! }]];
      const carried = previous?.tables[t];
      return carried ? [[t, carried]] : [];
    }),
  );
  const familiesKnown = counts.has('families') ? declared.families : null;
  const resourcesKnown = counts.has('resources') ? declared.resources : null;
  const warnings: string[] = [...notices];
  let gaps = 0;
  let outlierCount = 0;
  for (const [, h] of history) {
    gaps += historyGaps(h.months);
    outlierCount += outliers(h.values).length;
  }
  if (gaps) warnings.push(`history: ${gaps} month(s) missing inside families' histories`);
  if (outlierCount)
    warnings.push(`history: ${outlierCount} value(s) far from their family's usual level (outliers)`);
  if (negatives) warnings.push(`history: ${negatives} negative shipment value(s)`);
  if (familiesKnown) {
    const unknown = [...referenced.families].filter((f) => !familiesKnown.has(f));
    if (unknown.length)
      warnings.push(
        `unknown families (not in families): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}`,
      );
  }
  if (resourcesKnown) {
    const unknown = [...referenced.resources].filter((r) => !resourcesKnown.has(r));
    if (unknown.length)
      warnings.push(
        `unknown resources (not in resources): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}`,
      );
  }
  const dataset = await deps.datasets.commit(orgId, stagingId, { tables, warnings, createdBy: actor }, now);
  await deps.audit.append(
    orgId,
    {
      actor,
      action: 'dataset.imported',
      entity: { type: 'dataset', id: dataset.id },
      after: { version: dataset.version, tables: dataset.tables, warnings },
    },
    now,
  );
  return dataset;
}
