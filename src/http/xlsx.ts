/**
 * An uploaded XLSX workbook, read from a file on disk: its zip directory is checked against the
 * limits before anything is unpacked (entry count, unpacked size, shared strings), then the parts
 * are read in the order the workbook needs them (relationships, workbook, styles, shared strings,
 * then each sheet in workbook order) straight from the zip, so no sheet is ever spooled to a
 * temporary file whatever order the zip stores them in. Every byte unpacked is counted, so a zip
 * whose directory lies about its sizes is stopped too. Hidden sheets and chart sheets are reported
 * and not imported.
 *
 * The XML itself is read by exceljs's streaming reader: its parts are fed to the reader's own
 * parsing steps (`_parseRels`, `_parseWorkbook`, `_parseStyles`, `_parseSharedStrings`,
 * `_parseWorksheet`, internal to exceljs 4.4.0, pinned) in that order instead of its zip walk.
 * Cells become text the way a CSV export would show them: numbers as written, formulas by their
 * cached result, Date cells as YYYY-MM in a `period` column and YYYY-MM-DD elsewhere; `line` is the
 * worksheet row number.
 */
import { Transform, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import type { UploadPart } from '../app/datasets.js';
import { ApiError } from './errors.js';

export interface XlsxLimits {
  /** Entries in the zip. */
  maxEntries: number;
  /** All entries unpacked, together. */
  maxUnpackedBytes: number;
  /** The shared-string table unpacked (it is held in memory while the sheets are read). */
  maxSharedStringsBytes: number;
}

/** What a workbook read needs from the upload around it. */
export interface UploadGuard {
  /** `p`, unless the upload fails first (then its failure). */
  guard<T>(p: Promise<T>): Promise<T>;
  /** Counts a data row against the upload's budget (throws past it). */
  countRow(): void;
}

interface SheetEntry {
  name: string;
  state: string;
  /** The zip entry of the sheet's XML, or null for a sheet that is not a worksheet. */
  entry: yauzl.Entry | null;
}

/** The parts of exceljs's WorkbookReader that this module drives (see the header). */
interface ReaderInternals {
  _parseRels(stream: Readable): Promise<void>;
  _parseWorkbook(stream: Readable): Promise<void>;
  _parseStyles(stream: Readable): Promise<void>;
  _parseSharedStrings(stream: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(
    stream: Readable,
    sheetNo: string,
  ): Generator<{ eventType: string; value: ExcelJS.stream.xlsx.WorksheetReader }>;
  workbookRels?: { Id: string; Target: string; Type?: string }[];
  model?: { sheets?: { name: string; rId: string; state?: string }[] };
  properties?: { model?: { date1904?: boolean } };
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** `3 GiB`, `2.5 MiB`, `301 KiB`. */
function mib(bytes: number): string {
  const unit = (n: number, name: string) => `${n.toFixed(1).replace(/\.0$/, '')} ${name}`;
  if (bytes >= 1024 * MiB) return unit(bytes / (1024 * MiB), 'GiB');
  return bytes >= MiB ? unit(bytes / MiB, 'MiB') : `${Math.ceil(bytes / KiB)} KiB`;
}

/** The worksheets of the workbook in `file`, as upload parts in workbook order. */
export async function* readWorkbook(
  file: string,
  label: string,
  limits: XlsxLimits,
  upload: UploadGuard,
): AsyncGenerator<UploadPart> {
  const unreadable = (reason: string) =>
    new ApiError(
      415,
      'unsupported_media_type',
      `${label} is not a readable XLSX workbook (${reason}); send one CSV file per table, or an XLSX workbook with one sheet per table`,
    );
  const tooBig = (what: string) =>
    new ApiError(
      413,
      'payload_too_large',
      `${label} ${what}; split the data into several uploads, or send CSV files`,
    );

  /** Any failure as the client's problem: the upload's own (too large...), a bomb, else 415. */
  const explain = (err: unknown) => {
    if (err instanceof ApiError) return err;
    if (err instanceof TooManyEntries) return tooBig(`holds more than ${limits.maxEntries} files`);
    // yauzl's check of the unpacked size against the directory's.
    if (/too many bytes in the stream/.test(reasonOf(err)))
      return tooBig('unpacks to more than its directory says (a zip bomb?)');
    return unreadable(reasonOf(err));
  };

  let zip: yauzl.ZipFile;
  try {
    zip = await upload.guard(openZip(file));
  } catch (err) {
    throw explain(err);
  }
  try {
    const entries = new Map<string, yauzl.Entry>();
    let declared = 0;
    try {
      for (const entry of await upload.guard(listEntries(zip, limits.maxEntries))) {
        entries.set(entry.fileName, entry);
        declared += entry.uncompressedSize;
      }
    } catch (err) {
      throw explain(err);
    }
    if (declared > limits.maxUnpackedBytes)
      throw tooBig(`unpacks to ${mib(declared)}, more than the limit of ${mib(limits.maxUnpackedBytes)}`);
    const sharedStrings = entries.get('xl/sharedStrings.xml');
    if (sharedStrings && sharedStrings.uncompressedSize > limits.maxSharedStringsBytes)
      throw tooBig(
        `has ${mib(sharedStrings.uncompressedSize)} of shared strings, more than the limit of ${mib(limits.maxSharedStringsBytes)}`,
      );

    // Every byte unpacked counts, whatever the directory said.
    let unpacked = 0;
    const open = async (entry: yauzl.Entry, cap: number): Promise<Readable> => {
      const raw = await upload.guard(zip.openReadStreamPromise(entry));
      let own = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          unpacked += chunk.length;
          own += chunk.length;
          if (unpacked > limits.maxUnpackedBytes)
            done(tooBig(`unpacks to more than the limit of ${mib(limits.maxUnpackedBytes)}`));
          else if (own > cap) done(tooBig(`has a part larger than ${mib(cap)} unpacked`));
          else done(null, chunk);
        },
      });
      raw.on('error', (err) => counter.destroy(err));
      return raw.pipe(counter);
    };
    const step = async (run: () => Promise<void>) => {
      try {
        await upload.guard(run());
      } catch (err) {
        throw explain(err);
      }
    };

    const reader = new ExcelJS.stream.xlsx.WorkbookReader(null as unknown as Readable, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // number formats tell Date cells from numbers
      hyperlinks: 'ignore',
      entries: 'ignore',
    }) as unknown as ReaderInternals;
    const rels = entries.get('xl/_rels/workbook.xml.rels');
    const book = entries.get('xl/workbook.xml');
    if (!rels || !book) throw unreadable('it has no workbook part');
    await step(async () => reader._parseRels(await open(rels, limits.maxUnpackedBytes)));
    await step(async () => reader._parseWorkbook(await open(book, limits.maxUnpackedBytes)));
    const styles = entries.get('xl/styles.xml');
    if (styles) await step(async () => reader._parseStyles(await open(styles, limits.maxUnpackedBytes)));
    if (sharedStrings)
      await step(async () => {
        for await (const _ of reader._parseSharedStrings(
          await open(sharedStrings, limits.maxSharedStringsBytes),
        ))
          void _;
      });
    const date1904 = reader.properties?.model?.date1904 === true;

    const sheets = sheetsInOrder(reader, entries);
    if (!sheets.some((s) => s.entry)) throw unreadable('it holds no worksheet');
    for (const [i, sheet] of sheets.entries()) {
      if (sheet.state === 'hidden' || sheet.state === 'veryHidden') {
        yield ignoredPart(sheet.name, 'a hidden sheet: not imported (unhide it to import it)');
        continue;
      }
      if (!sheet.entry) {
        yield ignoredPart(sheet.name, 'not a worksheet (a chart sheet?): not imported');
        continue;
      }
      const entry = sheet.entry;
      const header: { cells: string[] } = { cells: [] };
      yield {
        name: sheet.name,
        header: () => header.cells,
        rows: sheetRows(
          async () => {
            let ws: ExcelJS.stream.xlsx.WorksheetReader | undefined;
            await step(async () => {
              for (const event of reader._parseWorksheet(
                await open(entry, limits.maxUnpackedBytes),
                String(i + 1),
              ))
                ws = event.value;
            });
            if (!ws) throw unreadable(`sheet ${sheet.name} cannot be read`);
            return ws;
          },
          { date1904, header, upload, explain },
        ),
      };
    }
  } finally {
    zip.close();
  }
}

class TooManyEntries extends Error {}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    ),
  );
}

/** The zip's directory; more than `max` entries is refused before reading any. */
async function listEntries(zip: yauzl.ZipFile, max: number): Promise<yauzl.Entry[]> {
  if (zip.entryCount > max) throw new TooManyEntries();
  const all: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      all.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return all;
}

/** The workbook's sheets in its own order, each with its zip entry (via the relationships). */
function sheetsInOrder(reader: ReaderInternals, entries: Map<string, yauzl.Entry>): SheetEntry[] {
  const rels = new Map((reader.workbookRels ?? []).map((r) => [r.Id, r]));
  const lower = new Map([...entries].map(([name, e]) => [name.toLowerCase(), e]));
  return (reader.model?.sheets ?? []).map((s) => {
    const rel = rels.get(s.rId);
    const isWorksheet = !!rel && (!rel.Type || /\/worksheet$/.test(rel.Type));
    let entry: yauzl.Entry | null = null;
    if (rel && isWorksheet) {
      const target = rel.Target.startsWith('/') ? rel.Target.slice(1) : `xl/${rel.Target}`;
      const path = normalise(target);
      entry = entries.get(path) ?? lower.get(path.toLowerCase()) ?? null;
    }
    return { name: s.name, state: s.state ?? 'visible', entry };
  });
}

/** `xl/worksheets/../worksheets/sheet1.xml` -> `xl/worksheets/sheet1.xml`. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

function ignoredPart(name: string, reason: string): UploadPart {
  return { name, header: () => [], rows: (async function* () {})(), ignored: reason };
}

/** The first row that is not empty is the header; every later one that is not empty, a record. */
async function* sheetRows(
  openSheet: () => Promise<AsyncIterable<ExcelJS.Row>>,
  ctx: {
    date1904: boolean;
    header: { cells: string[] };
    upload: UploadGuard;
    explain: (err: unknown) => ApiError;
  },
) {
  const it = (await openSheet())[Symbol.asyncIterator]();
  let started = false;
  for (;;) {
    let next: IteratorResult<ExcelJS.Row>;
    try {
      next = await ctx.upload.guard(it.next());
    } catch (err) {
      throw ctx.explain(err);
    }
    if (next.done) return;
    const row = next.value;
    const texts: (string | undefined)[] = [];
    row.eachCell((cell, col) => {
      texts[col - 1] = cellText(cell, ctx.header.cells[col - 1], ctx.date1904);
    });
    if (!texts.some((t) => t !== undefined && t.trim() !== '')) continue;
    if (!started) {
      started = true;
      ctx.header.cells = Array.from(texts, (t) => (t ?? '').trim().toLowerCase());
      continue;
    }
    ctx.upload.countRow();
    const record: Record<string, string | undefined> = {};
    ctx.header.cells.forEach((column, i) => {
      if (column) record[column] = texts[i];
    });
    yield { line: row.number, record };
  }
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A cell as the text a CSV export would hold; undefined when empty. */
function cellText(cell: ExcelJS.Cell, column: string | undefined, date1904: boolean): string | undefined {
  let value: unknown = cell.value;
  if (isObject(value) && ('formula' in value || 'sharedFormula' in value)) {
    value = value['result'];
    // The cached result of a formula is a bare number even when the cell is formatted as a date.
    if (typeof value === 'number' && isDateFormat(cell.numFmt)) value = excelDate(value, date1904);
  }
  return valueText(value, column);
}

function valueText(value: unknown, column: string | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  // NaN: a formula whose cached result is an error (#DIV/0!, #N/A...), whose code exceljs drops.
  if (typeof value === 'number') return Number.isNaN(value) ? '#ERROR!' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    const iso = value.toISOString();
    return column === 'period' ? iso.slice(0, 7) : iso.slice(0, 10);
  }
  if (isObject(value)) {
    if (Array.isArray(value['richText'])) {
      const text = (value['richText'] as { text?: unknown }[])
        .map((r) => (typeof r.text === 'string' ? r.text : ''))
        .join('');
      return text === '' ? undefined : text;
    }
    if (typeof value['error'] === 'string') return value['error'];
    if ('text' in value) return valueText(value['text'], column); // a hyperlink
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** exceljs's own test for a date number format: y, m, d, h, s outside quotes and brackets. */
function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhMsb]/.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** A spreadsheet serial date (days since 1899-12-30, or since 1904-01-01) as a UTC Date. */
function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}
