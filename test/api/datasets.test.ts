/** Step-1 data upload: CSV tables in, a new immutable version out; any bad row means nothing imported. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
beforeAll(async () => {
  t = await startTestAccord();
  org = await buildOrg(t);
});
afterAll(() => t.close());

const families = [
  'family,name,unit_price,unit_cost,safety_stock_units,holding_cost_per_unit_month',
  'SNK,Snacks,2.5,1.2,500,0.02',
  'DRK,Drinks,1.8,0.7,800,0.01',
].join('\n');
const history = [
  'family,period,shipments,bookings',
  ...['01', '02', '03', '05', '06'].map((m, i) => `SNK,2026-${m},${1000 + i * 10},`),
  'DRK,2026-01,-20,0',
  'DRK,2026-02,900,950',
  'XYZ,2026-01,5,',
].join('\n');
const resources = ['resource,name,kind', 'L1,Line 1,line', 'SUP-A,Supplier A,supplier'].join('\n');

const upload = (files: Record<string, string>, filenames: Record<string, string> = {}) => {
  let req = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [field, text] of Object.entries(files))
    req = req.attach(field, Buffer.from(text), filenames[field] ?? `${field}.csv`);
  return req;
};
const counts = async () => ({
  datasets: await t.accord.db.models.Dataset.collection.countDocuments({}),
  chunks: await t.accord.db.models.DatasetChunk.collection.countDocuments({}),
});

describe('POST /api/v1/orgs/{orgId}/datasets', () => {
  it('imports CSV tables as version 1 and reports warnings without blocking', async () => {
    const res = await upload({ families, history, resources });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(1);
    expect(res.body.tables).toEqual({
      families: { rows: 2, uploadedIn: 'this version' },
      history: { rows: 8, uploadedIn: 'this version' },
      resources: { rows: 2, uploadedIn: 'this version' },
    });
    expect(res.body.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/1 month\(s\) missing/),
        expect.stringMatching(/1 negative shipment/),
        expect.stringMatching(/unknown families .*XYZ/),
      ]),
    );
    const d = (await t.accord.deps.datasets.byVersion(org.id, 1))!;
    let rows = 0;
    for await (const chunk of t.accord.deps.datasets.rows(org.id, d, 'history')) rows += chunk.length;
    expect(rows).toBe(8);
  });

  it('lists every bad row (line, column, reason) and imports nothing', async () => {
    const before = await counts();
    const badHistory = ['family,period,shipments', 'SNK,2026-13,5', 'SNK,2026-07,lots', ',2026-08,4'].join(
      '\n',
    );
    const badFamilies = [
      'family,name,unit_price,unit_cost,safety_stock_units,holding_cost_per_unit_month',
      'AAA,A,-1,1,0,0',
    ].join('\n');
    const res = await upload({ families: badFamilies, history: badHistory });
    expect(res.status).toBe(400);
    expect(res.body.error.errorCount).toBe(4);
    expect(res.body.error.rows).toEqual([
      { table: 'families', line: 2, column: 'unit_price', reason: '-1 is negative' },
      { table: 'history', line: 2, column: 'period', reason: '"2026-13" is not a month as YYYY-MM' },
      { table: 'history', line: 3, column: 'shipments', reason: '"lots" is not a number' },
      { table: 'history', line: 4, column: 'family', reason: 'is empty' },
    ]);
    expect(res.body.error.fields['history:3:shipments']).toBe('"lots" is not a number');
    expect(await counts()).toEqual(before);
  });

  it('names a missing column and an unknown table', async () => {
    const before = await counts();
    const res = await upload({ history: 'family,month,qty\nSNK,2026-01,1', forecasts: 'a,b\n1,2' });
    expect(res.status).toBe(400);
    expect(res.body.error.rows).toEqual(
      expect.arrayContaining([
        { table: 'history', line: 1, column: 'period', reason: 'missing column' },
        { table: 'history', line: 1, column: 'shipments', reason: 'missing column' },
        expect.objectContaining({ table: 'forecasts', reason: expect.stringMatching(/unknown table/) }),
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it('makes version 2 from a history-only upload, carrying the other tables over', async () => {
    const res = await upload({ history: 'family,period,shipments\nSNK,2026-07,1100' });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(2);
    const v1 = await t.http.get(`/api/v1/orgs/${org.id}/datasets/1`).set(org.auth);
    expect(res.body.tables.history).toEqual({ rows: 1, uploadedIn: 'this version' });
    expect(res.body.tables.families).toEqual({ rows: 2, uploadedIn: v1.body.id });
    const list = await t.http.get(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
    expect(list.body.items.map((d: { version: number }) => d.version)).toEqual([1, 2]);
    expect((await t.http.get(`/api/v1/orgs/${org.id}/datasets/9`).set(org.auth)).status).toBe(404);
  });

  it('takes the table name from the file name when the field is generic, and refuses unreadable XLSX and JSON bodies', async () => {
    const res = await upload({ file: resources }, { file: 'resources.csv' });
    expect([res.status, res.body.version]).toEqual([201, 3]);
    const xlsx = await upload({ families: 'PK...' }, { families: 'families.xlsx' });
    expect(xlsx.status).toBe(415);
    const json = await t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth).send({ families: [] });
    expect(json.status).toBe(415);
  });

  it('streams progress lines, then the outcome, when asked for NDJSON', async () => {
    const rows = [
      'family,period,shipments',
      ...Array.from(
        { length: 25_000 },
        // 100 years of months per family (a data set's months run from 1900 to 2199).
        (_, k) =>
          `F${Math.floor(k / 1200)},${2000 + Math.floor((k % 1200) / 12)}-${String((k % 12) + 1).padStart(2, '0')},10`,
      ),
    ];
    const ok = await upload({ history: rows.join('\n') }).set('Accept', 'application/x-ndjson');
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('application/x-ndjson');
    const lines = ok.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ started: true });
    expect(lines.slice(1, -1).map((l) => l.progress.rows)).toEqual([10_000, 20_000, 25_000]);
    expect(lines.at(-1)).toMatchObject({ status: 201, dataset: { version: 4 } });

    const before = await counts();
    const bad = await upload({ history: 'family,period,shipments\nSNK,2026-13,1' }).set(
      'Accept',
      'application/x-ndjson',
    );
    const last = JSON.parse(bad.text.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ status: 400, error: { code: 'validation_failed', errorCount: 1 } });
    expect(await counts()).toEqual(before);
  });

  it('keeps each org to its own data', async () => {
    const other = await buildOrg(t, { name: 'Other' });
    expect((await t.http.get(`/api/v1/orgs/${org.id}/datasets`).set(other.auth)).status).toBe(403);
    expect((await t.http.get(`/api/v1/orgs/${other.id}/datasets/1`).set(other.auth)).status).toBe(404);
  });
});
