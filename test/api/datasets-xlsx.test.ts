/** Step-1 data upload as an XLSX workbook: one sheet per table, checked like the CSV files. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';
import { zipEntries, zipOf } from '../../tools/zip.js';

let t: TestAccord;
let org: OrgHandle;
beforeAll(async () => {
  t = await startTestAccord();
  org = await buildOrg(t);
});
afterAll(() => t.close());

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const month = (m: number, y = 2026) => new Date(Date.UTC(y, m - 1, 1));

/** A workbook with one sheet per entry; a null row stays empty, so rows keep their numbers. */
async function workbook(
  sheets: Record<string, (ExcelJS.CellValue[] | null)[]>,
  edit: (wb: ExcelJS.Workbook) => void = () => undefined,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((values, i) => {
      if (values) ws.getRow(i + 1).values = values;
    });
  }
  edit(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

type Part = { field: string; body: Buffer | string; filename: string; contentType?: string };
const upload = (parts: Part[]) => {
  let req = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const p of parts) {
    const body = typeof p.body === 'string' ? Buffer.from(p.body) : p.body;
    req = req.attach(
      p.field,
      body,
      p.contentType ? { filename: p.filename, contentType: p.contentType } : p.filename,
    );
  }
  return req;
};
const uploadXlsx = (body: Buffer) => upload([{ field: 'workbook', body, filename: 'plan.xlsx' }]);
const counts = async () => ({
  datasets: await t.accord.db.models.Dataset.collection.countDocuments({}),
  chunks: await t.accord.db.models.DatasetChunk.collection.countDocuments({}),
});
const storedRows = async (version: number, table: string) => {
  const d = (await t.accord.deps.datasets.byVersion(org.id, version))!;
  const rows: Record<string, unknown>[] = [];
  for await (const chunk of t.accord.deps.datasets.rows(org.id, d, table)) rows.push(...chunk);
  return rows;
};

const familiesSheet: (ExcelJS.CellValue[] | null)[] = [
  [' Family', 'NAME', 'unit_price', 'unit_cost', 'safety_stock_units', 'holding_cost_per_unit_month'],
  [
    'SNK',
    { richText: [{ text: 'Sna' }, { font: { bold: true }, text: 'cks' }] },
    2.5,
    { formula: 'C2*0.48', result: 1.2 },
    500,
    0.02,
  ],
  ['DRK', 'Drinks', 1.8, 0.7, 800, 0.01],
];
const historySheet: (ExcelJS.CellValue[] | null)[] = [
  ['family', 'period', 'shipments', 'bookings'],
  ...[1, 2, 3, 4].map((m, i) => ['SNK', month(m), 1000 + i * 10, 990 + i * 10]),
  null, // an empty row is skipped
  ['DRK', '2026-01', 900],
  ['DRK', { formula: 'B2+59', result: month(3) }, 950], // a formula giving a date: its cached result
];
const resourcesSheet: (ExcelJS.CellValue[] | null)[] = [
  ['resource', 'name', 'kind'],
  ['L1', 'Line 1', 'line'],
  ['SUP-A', new Date(Date.UTC(2026, 2, 15)), 'supplier'],
];

describe('POST /api/v1/orgs/{orgId}/datasets with an XLSX workbook', () => {
  it('imports one table per sheet as a new version, cells read as a CSV export would show them', async () => {
    const body = await workbook(
      { families: familiesSheet, history: historySheet, resources: resourcesSheet },
      (wb) => (wb.getWorksheet('history')!.getCell('B8').numFmt = 'mmm yyyy'),
    );
    // exceljs, like Excel, stores the sheets before the shared strings: the reader spools them first.
    const names = zipEntries(body).map((e) => e.name);
    expect(names.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(names.indexOf('xl/sharedStrings.xml'));

    const res = await uploadXlsx(body);
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(1);
    expect(res.body.tables).toEqual({
      families: { rows: 2, uploadedIn: 'this version' },
      history: { rows: 6, uploadedIn: 'this version' },
      resources: { rows: 2, uploadedIn: 'this version' },
    });
    expect(await storedRows(1, 'history')).toEqual([
      { family: 'SNK', period: '2026-01', shipments: 1000, bookings: 990 },
      { family: 'SNK', period: '2026-02', shipments: 1010, bookings: 1000 },
      { family: 'SNK', period: '2026-03', shipments: 1020, bookings: 1010 },
      { family: 'SNK', period: '2026-04', shipments: 1030, bookings: 1020 },
      { family: 'DRK', period: '2026-01', shipments: 900, bookings: null },
      { family: 'DRK', period: '2026-03', shipments: 950, bookings: null },
    ]);
    expect(await storedRows(1, 'families')).toEqual([
      expect.objectContaining({ family: 'SNK', name: 'Snacks', unit_price: 2.5, unit_cost: 1.2 }),
      expect.objectContaining({ family: 'DRK', name: 'Drinks', safety_stock_units: 800 }),
    ]);
    // Outside a period column a Date cell is an ISO date.
    expect((await storedRows(1, 'resources')).map((r) => r['name'])).toEqual(['Line 1', '2026-03-15']);
  });

  it('rejects bad rows with the same report as CSV (line = worksheet row) and imports nothing', async () => {
    const before = await counts();
    const xlsx = await workbook({
      families: [familiesSheet[0]!, ['AAA', 'A', -1, 1, 0, 0]],
      history: [
        ['family', 'period', 'shipments'],
        ['SNK', month(1), 5],
        null,
        ['SNK', '2026-13', 5],
        ['SNK', month(7), 'lots'],
        null,
        [null, month(8), 4],
      ],
    });
    const csv = [
      {
        field: 'families',
        filename: 'families.csv',
        body: 'family,name,unit_price,unit_cost,safety_stock_units,holding_cost_per_unit_month\nAAA,A,-1,1,0,0',
      },
      {
        field: 'history',
        filename: 'history.csv',
        body: 'family,period,shipments\nSNK,2026-01,5\n\nSNK,2026-13,5\nSNK,2026-07,lots\n\n,2026-08,4',
      },
    ];
    const fromXlsx = await uploadXlsx(xlsx);
    const fromCsv = await upload(csv);
    expect(fromXlsx.status).toBe(400);
    expect(fromXlsx.body.error.errorCount).toBe(4);
    expect(fromXlsx.body.error.rows).toEqual([
      { table: 'families', line: 2, column: 'unit_price', reason: '-1 is negative' },
      { table: 'history', line: 4, column: 'period', reason: '"2026-13" is not a month as YYYY-MM' },
      { table: 'history', line: 5, column: 'shipments', reason: '"lots" is not a number' },
      { table: 'history', line: 7, column: 'family', reason: 'is empty' },
    ]);
    expect(fromXlsx.body.error.fields['history:7:family']).toBe('is empty');
    expect(fromCsv.status).toBe(400);
    expect(fromXlsx.body.error).toEqual(fromCsv.body.error);
    expect(await counts()).toEqual(before);
  });

  it('reports a sheet named after no table, and a missing column', async () => {
    const before = await counts();
    const res = await uploadXlsx(
      await workbook({
        history: [
          ['family', 'month', 'shipments'],
          ['SNK', month(1), 5],
        ],
        Notes: [['remember to check DRK']],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.rows).toEqual([
      { table: 'history', line: 1, column: 'period', reason: 'missing column' },
      { table: 'Notes', line: 1, column: '(file)', reason: expect.stringMatching(/unknown table/) },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('counts CSV files and XLSX sheets of one upload together', async () => {
    const res = await upload([
      {
        field: 'families',
        filename: 'families.csv',
        body: 'family,name,unit_price,unit_cost,safety_stock_units,holding_cost_per_unit_month\nSNK,Snacks,2.5,1.2,500,0.02',
      },
      {
        field: 'workbook',
        filename: 'plan.xlsx',
        body: await workbook({ history: historySheet.slice(0, 3), resources: resourcesSheet }),
      },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(2);
    expect(res.body.tables).toEqual({
      families: { rows: 1, uploadedIn: 'this version' },
      history: { rows: 2, uploadedIn: 'this version' },
      resources: { rows: 2, uploadedIn: 'this version' },
    });
    expect((await storedRows(2, 'history')).map((r) => r['period'])).toEqual(['2026-01', '2026-02']);
  });

  it('reads a workbook that stores its shared strings first, straight from the upload', async () => {
    const rows = 2500; // more than one chunk: rows are staged while the sheet is still being unzipped
    const body = await workbook({
      history: [
        ['family', 'period', 'shipments'],
        ...Array.from({ length: rows }, (_, i) => [
          `F${i % 50}`,
          month((i % 12) + 1, 2020 + Math.floor(i / 600)),
          i,
        ]),
      ],
    });
    const first = [
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/workbook.xml',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/sharedStrings.xml',
    ];
    const rank = (name: string) => (first.includes(name) ? first.indexOf(name) : first.length);
    const reordered = zipOf(zipEntries(body).sort((a, b) => rank(a.name) - rank(b.name)));
    const res = await upload([
      { field: 'file', body: reordered, filename: 'upload.bin', contentType: XLSX_TYPE },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.tables.history).toEqual({ rows, uploadedIn: 'this version' });
    const stored = await storedRows(res.body.version as number, 'history');
    expect(stored[rows - 1]).toEqual({
      family: 'F49',
      period: '2024-04',
      shipments: rows - 1,
      bookings: null,
    });
  });

  it('refuses a file named .xlsx that is not a workbook, and a body that is not multipart', async () => {
    const before = await counts();
    const bad = await upload([{ field: 'families', body: 'PK...', filename: 'families.xlsx' }]);
    expect(bad.status).toBe(415);
    expect(bad.body.error.message).toMatch(/^families\.xlsx is not a readable XLSX workbook/);
    const json = await t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth).send({ history: [] });
    expect(json.status).toBe(415);
    expect(json.body.error.message).toMatch(/XLSX workbook with one sheet per table/);
    expect(await counts()).toEqual(before);
  });
});
