/**
 * multipart/form-data -> an async sequence of CSV files, each parsed as it streams in (busboy +
 * csv-parse): bounded memory whatever the file size.
 */
import type { Request } from 'express';
import busboy from 'busboy';
import { parse } from 'csv-parse';
import type { UploadPart } from '../app/datasets.js';
import { ApiError } from './errors.js';

export const MAX_FILE_BYTES = 512 * 2 ** 20;

export async function* csvParts(req: Request): AsyncGenerator<UploadPart> {
  if (!req.is('multipart/form-data')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'send the tables as multipart/form-data, one CSV file per table',
    );
  }
  const bb = busboy({ headers: req.headers, limits: { files: 20, fileSize: MAX_FILE_BYTES, fields: 20 } });
  const queue: (UploadPart | Error | null)[] = [];
  let wake: (() => void) | null = null;
  const push = (item: UploadPart | Error | null) => {
    queue.push(item);
    wake?.();
  };

  bb.on('file', (field, stream, info) => {
    const filename = info.filename ?? '';
    if (/\.xlsx$/i.test(filename) || info.mimeType.includes('spreadsheetml')) {
      stream.resume();
      push(
        new ApiError(
          415,
          'unsupported_media_type',
          `${filename}: XLSX is not read yet; send one CSV file per table`,
        ),
      );
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
    stream.on('limit', () =>
      parser.destroy(new ApiError(413, 'payload_too_large', `${filename || field} is larger than 512 MiB`)),
    );
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
    yield item;
  }
}
