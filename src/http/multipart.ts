/**
 * An upload (multipart/form-data) -> an async sequence of tables, each parsed as it streams in,
 * within a budget (bytes, rows, seconds) so that no single request can take the process down,
 * fill its disk or outlive its socket:
 * - a CSV file is one table, named by its form field (or its file name when the field is generic),
 *   parsed by busboy + csv-parse; a broken quote or an over-long row is a bad row with its line,
 *   never a crash, and the rest of the file is still checked;
 * - an XLSX workbook (recognised by its zip signature, whatever its name) is one table per
 *   worksheet: it is written to a private temporary file (the zip's directory sits at its end),
 *   checked, and read by ./xlsx.ts; the file is removed when the upload ends, however it ends;
 * - a binary file, UTF-16 text or an old .xls workbook sent as CSV is reported as such.
 * Every stream and parser has its error handled here. The first failure (too large, too slow,
 * malformed form, client gone) ends the whole upload: whatever is waiting on it is rejected with
 * that failure, so the import stops and discards what it staged.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { parse, type CsvError } from 'csv-parse';
import type { UploadPart, UploadRow } from '../app/datasets.js';
import { ApiError } from './errors.js';
import { readWorkbook, type XlsxLimits } from './xlsx.js';

export interface UploadLimits {
  /** The whole request body. */
  maxBytes: number;
  /** Data rows, across every table of the upload. */
  maxRows: number;
  /** Wall time from the first byte to the outcome (below the server's request timeout). */
  maxSeconds: number;
  xlsx: XlsxLimits;
  /** Where workbooks are written while they are read (a private directory per upload). */
  tmpDir: string;
}

const MiB = 2 ** 20;

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 256 * MiB,
  maxRows: 2_000_000,
  maxSeconds: 240,
  xlsx: { maxEntries: 1000, maxUnpackedBytes: 1024 * MiB, maxSharedStringsBytes: 128 * MiB },
  tmpDir: os.tmpdir(),
};

/** The name of each upload's temporary directory starts with this (the sweep job finds leftovers by it). */
export const UPLOAD_TMP_PREFIX = 'accord-upload-';

/** A CSV row longer than this is not a row (a binary file, a broken quote swallowing the file). */
export const MAX_CSV_RECORD_BYTES = 128 * 1024;

/** Removes upload directories older than `maxAgeMs` that a process which died left in `tmpDir`. */
export async function sweepUploadDirs(tmpDir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    if (!name.startsWith(UPLOAD_TMP_PREFIX)) continue;
    const dir = path.join(tmpDir, name);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory() || now - info.mtimeMs < maxAgeMs) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

export interface Upload {
  parts: AsyncIterable<UploadPart>;
  /** Ends the upload: stops its clock and the reading of the body, removes its temporary files. */
  close(): Promise<void>;
}

const UPLOAD_HINT = 'send one CSV file per table, or an XLSX workbook with one sheet per table';

/**
 * Checks the request's headers (415 not multipart or compressed, 400 no boundary, 413 declared
 * too large) and starts reading it. Throws before anything is read or written.
 */
export function openUpload(req: Request, limits: UploadLimits): Upload {
  if (!req.is('multipart/form-data'))
    throw new ApiError(
      415,
      'unsupported_media_type',
      `send the tables as multipart/form-data: ${UPLOAD_HINT}`,
    );
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '')
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${encoding} is not accepted for uploads: send the files as they are (an XLSX workbook is compressed already)`,
    );
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(limits);
  let form: busboy.Busboy;
  try {
    form = busboy({
      headers: req.headers,
      limits: { files: 20, fields: 20, parts: 40, fileSize: limits.maxBytes, headerPairs: 100 },
    });
  } catch (err) {
    throw new ApiError(
      400,
      'bad_multipart',
      `the multipart body cannot be read (${err instanceof Error ? err.message : String(err)}): send multipart/form-data with its boundary, as curl -F does`,
    );
  }
  return new FormUpload(req, form, limits);
}

const tooLarge = (limits: UploadLimits) =>
  new ApiError(
    413,
    'payload_too_large',
    `the upload is larger than ${Math.round(limits.maxBytes / MiB)} MiB; split it into several uploads (tables not sent are carried over from the previous version)`,
  );

type FormItem =
  | { kind: 'file'; field: string; filename: string; mimeType: string; stream: Readable }
  | { kind: 'field'; field: string };

class FormUpload implements Upload {
  /** The failure that ended the upload early (too large, too slow, malformed, client gone). */
  failure: Error | null = null;
  private readonly queue: FormItem[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  private readonly waiters = new Set<(err: Error) => void>();
  /** Streams to stop when the upload fails (their readers then see the failure). */
  private readonly live = new Set<{ destroy(err?: Error): void }>();
  private readonly timer: NodeJS.Timeout;
  private tmp: string | null = null;
  private rows = 0;
  /** Counts the body's bytes on their way from the request to the form parser. */
  private readonly counter: Transform;
  readonly parts: AsyncIterable<UploadPart>;

  constructor(
    private readonly req: Request,
    private readonly form: busboy.Busboy,
    private readonly limits: UploadLimits,
  ) {
    this.timer = setTimeout(
      () =>
        this.fail(
          new ApiError(
            413,
            'upload_too_slow',
            `the upload did not finish within ${limits.maxSeconds} s (${this.rows} rows read); split it into several uploads, or send CSV files`,
          ),
        ),
      limits.maxSeconds * 1000,
    );
    this.timer.unref();

    let bytes = 0;
    const counter = (this.counter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        bytes += chunk.length;
        if (bytes > limits.maxBytes) done(tooLarge(limits));
        else done(null, chunk);
      },
    }));
    counter.on('error', (err) => this.fail(err));
    req.on('error', (err) => this.fail(clientGone(err)));
    req.on('close', () => {
      if (!req.complete) this.fail(clientGone());
    });

    form.on('file', (field, stream, info) => {
      stream.on('limit', () => this.fail(tooLarge(limits)));
      stream.on('error', (err) => this.fail(malformed(err)));
      this.push({
        kind: 'file',
        field,
        filename: info.filename ?? '',
        mimeType: info.mimeType,
        stream,
      });
    });
    form.on('field', (field) => this.push({ kind: 'field', field }));
    form.on('filesLimit', () =>
      this.fail(new ApiError(413, 'payload_too_large', 'at most 20 files per upload')),
    );
    form.on('fieldsLimit', () => this.fail(new ApiError(413, 'payload_too_large', 'at most 20 form fields')));
    form.on('partsLimit', () =>
      this.fail(new ApiError(413, 'payload_too_large', 'at most 40 parts per upload')),
    );
    form.on('error', (err) => this.fail(malformed(err)));
    form.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    req.pipe(counter).pipe(form);
    this.parts = this.read();
  }

  private push(item: FormItem) {
    this.queue.push(item);
    this.wake?.();
  }

  /** Reads no more of the body (what is left is the route's to drop). */
  private stopReading(): void {
    this.req.unpipe(this.counter);
    this.counter.unpipe(this.form);
  }

  /** Ends the upload with `err`, once: everything waiting on it is rejected. */
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    clearTimeout(this.timer);
    this.stopReading();
    for (const s of this.live) s.destroy(err);
    for (const w of this.waiters) w(err);
    this.waiters.clear();
    this.wake?.();
  }

  /** `p`, unless the upload fails first. */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.failure) {
      p.catch(() => undefined);
      return Promise.reject(this.failure);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.add(reject);
      p.then(
        (v) => {
          this.waiters.delete(reject);
          resolve(v);
        },
        (err: unknown) => {
          this.waiters.delete(reject);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  countRow(): void {
    if (++this.rows <= this.limits.maxRows) return;
    this.fail(
      new ApiError(
        413,
        'payload_too_large',
        `the upload has more than ${this.limits.maxRows.toLocaleString('en')} rows; split it into several uploads (tables not sent are carried over from the previous version)`,
      ),
    );
    throw this.failure!;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.stopReading();
    for (const s of this.live) s.destroy();
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    this.tmp = null;
  }

  private async *read(): AsyncGenerator<UploadPart> {
    for (;;) {
      while (this.queue.length === 0 && !this.ended && !this.failure)
        await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
      if (this.failure) throw this.failure;
      const item = this.queue.shift();
      if (!item) return;
      if (item.kind === 'field') {
        yield problemPart(
          item.field,
          `${item.field} is a text field, not a file: attach the file (curl -F ${item.field}=@${item.field}.csv)`,
        );
        continue;
      }
      yield* this.file(item);
    }
  }

  private async *file(item: Extract<FormItem, { kind: 'file' }>): AsyncGenerator<UploadPart> {
    const label = item.filename || item.field;
    // The field names the table; else the file name (without .csv).
    const name = item.field && item.field !== 'file' && item.field !== 'files' ? item.field : item.filename;
    const { head, source } = await this.peek(item.stream, 8192);
    if (head.subarray(0, 4).equals(ZIP_SIGNATURE)) {
      yield* this.workbook(label, source);
      return;
    }
    const unreadable = (reason: string) => {
      source.resume();
      return problemPart(name, `${label} ${reason}`);
    };
    if (/\.xls[xm]$/i.test(item.filename) || item.mimeType.includes('spreadsheetml')) {
      source.resume();
      throw new ApiError(
        415,
        'unsupported_media_type',
        `${label} is not a readable XLSX workbook (it is not a zip file); ${UPLOAD_HINT}`,
      );
    }
    if (head.subarray(0, 8).equals(OLE_SIGNATURE)) {
      yield unreadable('is an Excel 97-2003 (.xls) workbook: save it as .xlsx, or as CSV (UTF-8)');
      return;
    }
    if (
      (head[0] === 0xff && head[1] === 0xfe) ||
      (head[0] === 0xfe && head[1] === 0xff) ||
      /^(\0[^\0])+$|^([^\0]\0)+$/.test(head.subarray(0, 64).toString('latin1'))
    ) {
      yield unreadable('is UTF-16 text: save it as CSV (UTF-8)');
      return;
    }
    if (head.includes(0)) {
      yield unreadable('is a binary file, not CSV text');
      return;
    }
    yield this.csv(name, source);
  }

  /** Up to `n` bytes from the start of `stream`, and a stream that still yields everything. */
  private async peek(stream: Readable, n: number): Promise<{ head: Buffer; source: Readable }> {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    const onEnd = () => (ended = true);
    stream.once('end', onEnd);
    while (size < n && !ended) {
      const chunk = stream.read() as Buffer | null;
      if (chunk) {
        chunks.push(chunk);
        size += chunk.length;
        continue;
      }
      await this.guard(
        new Promise<void>((resolve) => {
          const done = () => {
            stream.off('readable', done);
            stream.off('end', done);
            resolve();
          };
          stream.on('readable', done);
          stream.on('end', done);
        }),
      );
    }
    stream.off('end', onEnd);
    const head = Buffer.concat(chunks);
    if (ended) return { head, source: Readable.from(head.length ? [head] : []) };
    if (head.length) stream.unshift(head);
    return { head, source: stream };
  }

  private csv(name: string, source: Readable): UploadPart {
    let header: string[] = [];
    const problems: UploadRow[] = [];
    let lastLine = 0;
    const parser = parse({
      columns: (h: string[]) => {
        lastLine = 1;
        return (header = h.map((c) => String(c).trim().toLowerCase()));
      },
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
      max_record_size: MAX_CSV_RECORD_BYTES,
      // A broken row is reported with its line, and the rest of the file is still read.
      skip_records_with_error: true,
      // The record with its line (csv-parse builds this context once per record; `info` would be a second).
      on_record: (record: Record<string, string>, context: { lines: number }) => {
        lastLine = context.lines;
        return { record, line: context.lines };
      },
      on_skip: (err: CsvError | undefined) => {
        if (!err) return;
        problems.push({ line: lastLine + 1, error: csvProblem(err, lastLine + 1) });
        if (typeof err['lines'] === 'number') lastLine = err['lines'];
      },
    });
    this.live.add(parser);
    parser.on('error', () => undefined); // read (and rethrown) by the iteration below
    source.on('error', (err) => parser.destroy(err));
    source.pipe(parser);
    return { name, header: () => header, rows: this.csvRows(parser, problems) };
  }

  private async *csvRows(parser: Readable, problems: UploadRow[]): AsyncGenerator<UploadRow> {
    try {
      for await (const { record, line } of parser as AsyncIterable<{
        record: Record<string, string>;
        line: number;
      }>) {
        while (problems.length) yield problems.shift()!;
        this.countRow();
        yield { line, record };
      }
      yield* problems.splice(0);
    } catch (err) {
      throw this.failure ?? malformed(err);
    } finally {
      this.live.delete(parser);
    }
  }

  private async *workbook(label: string, source: Readable): AsyncGenerator<UploadPart> {
    this.tmp ??= await mkdtemp(path.join(this.limits.tmpDir, UPLOAD_TMP_PREFIX));
    const file = path.join(this.tmp, `workbook-${Date.now()}-${Math.random().toString(36).slice(2)}.xlsx`);
    const out = createWriteStream(file, { mode: 0o600 });
    this.live.add(out);
    try {
      await this.guard(
        new Promise<void>((resolve, reject) => {
          out.on('finish', resolve);
          out.on('error', reject);
          source.on('error', reject);
          source.pipe(out);
        }),
      );
    } finally {
      this.live.delete(out);
    }
    try {
      yield* readWorkbook(file, label, this.limits.xlsx, this);
    } finally {
      await rm(file, { force: true });
    }
  }
}

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function problemPart(name: string, problem: string): UploadPart {
  return { name, header: () => [], rows: (async function* () {})(), problem };
}

function clientGone(err?: Error): ApiError {
  return new ApiError(
    400,
    'upload_aborted',
    `the upload was interrupted before it ended${err ? ` (${err.message})` : ''}; nothing was imported`,
  );
}

function malformed(err: unknown): Error {
  if (err instanceof ApiError) return err;
  return new ApiError(
    400,
    'bad_multipart',
    `the multipart body cannot be read (${err instanceof Error ? err.message : String(err)}); nothing was imported`,
  );
}

/** What a csv-parse error means for the person who made the file. */
function csvProblem(err: CsvError, line: number): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quote (") opened on line ${line} or after is never closed, so the rest of the file reads as one field`;
    case 'INVALID_OPENING_QUOTE':
      return 'a quote (") inside a field that does not start with one: quote the whole field and double the quotes inside it ("")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text right after a closing quote: double the quotes inside a quoted field ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return `a row longer than ${MAX_CSV_RECORD_BYTES / 1024} KiB (a quote never closed, or not CSV text)`;
    default:
      return `not valid CSV here (${err.message.replace(/ at line \d+.*$/s, '')})`;
  }
}
