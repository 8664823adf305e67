/**
 * multipart/form-data -> an async sequence of tables, each parsed as it streams in, so memory stays
 * bounded whatever the file size:
 * - a CSV file is one table, named by its form field (or its file name when the field is generic),
 *   parsed by busboy + csv-parse;
 * - an XLSX workbook (name ending in .xlsx, or a spreadsheetml mime type) is one table per
 *   worksheet, named by the sheet, read by exceljs's streaming reader. Cells become text the way a
 *   CSV export would show them: numbers as written, formulas by their cached result, Date cells as
 *   YYYY-MM in a `period` column and YYYY-MM-DD elsewhere; `line` is the worksheet row number.
 * Not everything streams: the reader keeps the shared-string table in memory, and when the zip
 * stores the sheets before it (as exceljs and Excel write them) it first spools every sheet to a
 * temporary file, then reads them from there.
 */
import type { Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { UploadPart } from '../app/datasets.js';
import { ApiError } from './errors.js';

export const MAX_FILE_BYTES = 512 * 2 ** 20;

const tooLarge = (name: string) => new ApiError(413, 'payload_too_large', `${name} is larger than 512 MiB`);

export async function* csvParts(req: Request): AsyncGenerator<UploadPart> {
  if (!req.is('multipart/form-data')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'send the tables as multipart/form-data: one CSV file per table, or an XLSX workbook with one sheet per table',
    );
  }
  const bb = busboy({ headers: req.headers, limits: { files: 20, fileSize: MAX_FILE_BYTES, fields: 20 } });
  const queue: (UploadPart | XlsxUpload | Error | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (item: UploadPart | XlsxUpload | Error | null) => {
    queue.push(item);
    wake?.();
  };

  bb.on('file', (field, stream, info) => {
    const filename = info.filename ?? '';
    if (/\.xlsx$/i.test(filename) || info.mimeType.includes('spreadsheetml')) {
      push(new XlsxUpload(filename || field, stream));
      return;
    }
    let header: string[] = [];
    const parser = stream.pipe(
      parse({
        columns: (h: string[]) => (header = h.map((c) => c.trim().toLowerCase())),
        skip_empty_lines: true,
        relax_column_count: true,
        bom: true,
        info: true,
      }),
    );
    stream.on('limit', () => parser.destroy(tooLarge(filename || field)));
    async function* rows() {
      for await (const { record, info: i } of parser as AsyncIterable<{
        record: Record<string, string>;
        info: { lines: number };
      }>) {
        yield { line: i.lines, record };
      }
    }
    // The field name names the table; else the file name without .csv.
    const name = field && field !== 'file' && field !== 'files' ? field : filename;
    push({ name, header: () => header, rows: rows() });
  });
  bb.on('error', (err) => push(err instanceof Error ? err : new Error(String(err))));
  bb.on('close', () => push(null));
  req.pipe(bb);

  for (;;) {
    if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    const item = queue.shift()!;
    if (item === null) return;
    if (item instanceof Error) throw item;
    if (item instanceof XlsxUpload) yield* item.sheets();
    else yield item;
  }
}

/** What exceljs's streaming reader hands out but its typings leave out. */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name?: string;
}
interface ReaderInternals {
  properties?: { model?: { date1904?: boolean } };
}

/** One uploaded workbook: its worksheets as UploadParts, read in order as the consumer asks. */
class XlsxUpload {
  private failure: Error | null = null;
  private pending: ((err: Error) => void) | null = null;

  constructor(
    private readonly filename: string,
    private readonly stream: Readable,
  ) {
    // exceljs pipes the file into its unzipper, and a pipe does not pass errors on: a file over the
    // limit or a broken form must end the wait for the next sheet or row here.
    stream.on('limit', () => this.fail(tooLarge(filename)));
    stream.on('error', (err) => this.fail(err));
  }

  async *sheets(): AsyncGenerator<UploadPart> {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(this.stream, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // number formats tell Date cells from numbers
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    const sheets = reader[Symbol.asyncIterator]() as AsyncIterator<SheetReader>;
    let count = 0;
    try {
      for (;;) {
        let next: IteratorResult<SheetReader>;
        try {
          next = await this.guard(sheets.next());
        } catch (err) {
          throw this.explain(err);
        }
        if (next.done) break;
        count++;
        const sheet = next.value;
        if (!sheet.name) throw this.explain(new Error('a worksheet has no name'));
        const date1904 = (reader as unknown as ReaderInternals).properties?.model?.date1904 === true;
        yield this.sheetPart(sheet.name, sheet, date1904);
      }
    } finally {
      // Lets busboy finish the form, whatever the reader left unread (or when the upload stops early).
      this.stream.unpipe();
      this.stream.resume();
    }
    if (count === 0) throw this.explain(new Error('it holds no worksheet'));
  }

  private sheetPart(name: string, sheet: SheetReader, date1904: boolean): UploadPart {
    const part = { header: [] as string[] };
    return { name, header: () => part.header, rows: this.rows(sheet, date1904, part) };
  }

  /** The first row that is not empty is the header; every later one that is not empty, a record. */
  private async *rows(sheet: SheetReader, date1904: boolean, part: { header: string[] }) {
    const it = sheet[Symbol.asyncIterator]();
    let started = false;
    for (;;) {
      let next: IteratorResult<ExcelJS.Row>;
      try {
        next = await this.guard(it.next());
      } catch (err) {
        throw this.explain(err);
      }
      if (next.done) return;
      const row = next.value;
      const texts: (string | undefined)[] = [];
      row.eachCell((cell, col) => {
        texts[col - 1] = cellText(cell, part.header[col - 1], date1904);
      });
      if (!texts.some((t) => t !== undefined && t.trim() !== '')) continue;
      if (!started) {
        started = true;
        part.header = Array.from(texts, (t) => (t ?? '').trim().toLowerCase());
        continue;
      }
      const record: Record<string, string | undefined> = {};
      part.header.forEach((column, i) => {
        if (column) record[column] = texts[i];
      });
      yield { line: row.number, record };
    }
  }

  /** `p`, unless the upload fails first (one waiter at a time, so nothing piles up per row). */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.pending = reject;
      const done = () => {
        if (this.pending === reject) this.pending = null;
      };
      p.then(
        (value) => {
          done();
          resolve(value);
        },
        (err: unknown) => {
          done();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private fail(err: Error) {
    this.failure ??= err;
    this.pending?.(err);
  }

  /** A failed read as the client's problem: the upload's own failure first (too large), else 415. */
  private explain(err: unknown): ApiError {
    const cause = this.failure ?? err;
    if (cause instanceof ApiError) return cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ApiError(
      415,
      'unsupported_media_type',
      `${this.filename} is not a readable XLSX workbook (${reason}); send one CSV file per table, or an XLSX workbook with one sheet per table`,
    );
  }
}

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
