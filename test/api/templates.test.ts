/**
 * The step-1 templates: downloaded without a token, uploaded unchanged (the workbook, and the CSV
 * files), they import cleanly: every table, every example row, no warning.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { TABLES, TABLE_COLUMNS } from '../../src/domain/dataset.js';
import { TABLE_GUIDE } from '../../src/domain/datasetGuide.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
beforeAll(async () => {
  t = await startTestAccord();
  org = await buildOrg(t);
});
afterAll(() => t.close());

const exampleCounts = Object.fromEntries(
  TABLES.map((table) => [table, { rows: TABLE_GUIDE[table].examples.length, uploadedIn: 'this version' }]),
);
/** Reads a response body as bytes, whatever its type. */
const bytes = (res: unknown, done: (err: Error | null, body: Buffer) => void) => {
  const stream = res as NodeJS.ReadableStream;
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  stream.on('end', () => done(null, Buffer.concat(parts)));
};
const storedRows = async (version: number) => {
  const d = (await t.accord.deps.datasets.byVersion(org.id, version))!;
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = [];
    for await (const chunk of t.accord.deps.datasets.rows(org.id, d, table)) out[table].push(...chunk);
  }
  return out;
};

describe('upload templates', () => {
  it('the XLSX workbook has one sheet per table, its header and examples, and imports unchanged', async () => {
    const res = await t.http.get('/api/v1/templates/dataset.xlsx').buffer(true).parse(bytes);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml\.sheet/);
    expect(res.headers['content-disposition']).toContain('accord-dataset.xlsx');
    const file = res.body as Buffer;
    expect(Buffer.isBuffer(file)).toBe(true);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...TABLES]);
    for (const table of TABLES) {
      const ws = wb.getWorksheet(table)!;
      expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(TABLE_COLUMNS[table].map((c) => c.name));
      expect(ws.rowCount).toBe(1 + TABLE_GUIDE[table].examples.length);
      expect(ws.getCell(1, 1).note).toEqual(expect.stringContaining('required'));
    }

    const up = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .attach('workbook', file, 'accord-dataset.xlsx');
    expect(up.status).toBe(201);
    expect(up.body.tables).toEqual(exampleCounts);
    expect(up.body.warnings).toEqual([]);
  });

  it('each table has a CSV template; all of them uploaded unchanged import the same rows as the workbook', async () => {
    let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
    for (const table of TABLES) {
      const res = await t.http.get(`/api/v1/templates/${table}.csv`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toContain(`${table}.csv`);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe(TABLE_COLUMNS[table].map((c) => c.name).join(','));
      expect(lines).toHaveLength(1 + TABLE_GUIDE[table].examples.length);
      upload = upload.attach(table, Buffer.from(res.text), `${table}.csv`);
    }
    const up = await upload;
    expect(up.status).toBe(201);
    expect(up.body.tables).toEqual(exampleCounts);
    expect(up.body.warnings).toEqual([]);
    // The CSV files and the workbook say the same thing.
    expect(await storedRows(up.body.version)).toEqual(await storedRows(up.body.version - 1));
  });

  it('an unknown template is a 404', async () => {
    const res = await t.http.get('/api/v1/templates/orders.csv');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
