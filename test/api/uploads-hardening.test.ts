/**
 * Hostile and broken uploads: each gets a 4xx that names the line and the problem, nothing is
 * imported, nothing is left staged or on disk, and the process keeps serving.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { Types } from 'mongoose';
import { DEFAULT_UPLOAD_LIMITS, UPLOAD_TMP_PREFIX, type UploadLimits } from '../../src/http/multipart.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';
import { zipEntries, zipOf, type ZipEntry } from '../../tools/zip.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'accord-upload-test-'));
const limits: UploadLimits = {
  ...DEFAULT_UPLOAD_LIMITS,
  maxBytes: 1 * MiB,
  maxRows: 5000,
  maxSeconds: 3,
  xlsx: { maxEntries: 50, maxUnpackedBytes: 2 * MiB, maxSharedStringsBytes: 256 * KiB },
  tmpDir,
};

let t: TestAccord;
let org: OrgHandle;
let base: string;
let server: http.Server;
beforeAll(async () => {
  t = await startTestAccord({ uploadLimits: limits });
  org = await buildOrg(t);
  server = t.accord.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
  rmSync(tmpDir, { recursive: true, force: true });
});

const HISTORY_HEADER = 'family,period,shipments';
const goodHistory = [HISTORY_HEADER, 'F1,2026-01,10', 'F1,2026-02,12'].join('\n');

type File = { field: string; body: Buffer | string; filename?: string; contentType?: string };
const upload = (files: File[]) => {
  let req = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const f of files) {
    const body = typeof f.body === 'string' ? Buffer.from(f.body) : f.body;
    const filename = f.filename ?? `${f.field}.csv`;
    req = req.attach(f.field, body, f.contentType ? { filename, contentType: f.contentType } : filename);
  }
  return req;
};

/** What the store holds: committed versions and their chunks, and what is still staging. */
async function stored() {
  const m = t.accord.db.models;
  return {
    versions: await m.Dataset.collection.countDocuments({ status: 'ready' }),
    staging: await m.Dataset.collection.countDocuments({ status: 'staging' }),
    chunks: await m.DatasetChunk.collection.countDocuments({}),
    tmp: readdirSync(tmpDir).filter((n) => n.startsWith(UPLOAD_TMP_PREFIX)),
  };
}

/** Polls until `check` passes (an aborted upload is cleaned up as the server notices the abort). */
async function eventually(check: () => Promise<void>, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function expectNothingLeft(before: Awaited<ReturnType<typeof stored>>) {
  await eventually(async () => expect(await stored()).toEqual({ ...before, staging: 0, tmp: [] }));
}

/** A multipart body with one file, split where a test wants to stall or stop. */
function multipart(field: string, filename: string, content: string) {
  const boundary = `----accord${Date.now()}`;
  return {
    boundary,
    head: `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    content,
    tail: `\r\n--${boundary}--\r\n`,
  };
}

/** A raw request whose body the test writes itself: chunked, slow, or cut off. */
function rawUpload(boundary: string, headers: Record<string, string> = {}) {
  const req = http.request(`${base}/api/v1/orgs/${org.id}/datasets`, {
    method: 'POST',
    headers: {
      ...org.auth,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Transfer-Encoding': 'chunked',
      ...headers,
    },
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  return { req, response };
}

const historyRows = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `F${i % 40},20${10 + Math.floor(i / 480)}-${String((i % 12) + 1).padStart(2, '0')},${i}`,
  );

describe('malformed CSV files', () => {
  const cases: { name: string; body: Buffer | string; line: number; column: string; reason: RegExp }[] = [
    {
      name: 'an unclosed quote',
      body: [HISTORY_HEADER, 'F1,"unclosed,1,1,1,1', 'F2,2026-01,3'].join('\n'),
      line: 2,
      column: '(row)',
      reason: /quote \("\) opened on line 2 or after is never closed/,
    },
    {
      name: 'a stray quote inside a field',
      body: [HISTORY_HEADER, 'F1,2026-"01,5', 'F2,2026-01,3'].join('\n'),
      line: 2,
      column: '(row)',
      reason: /a quote \("\) inside a field/,
    },
    {
      name: 'text after a closing quote',
      body: [HISTORY_HEADER, 'F1,"2026-01"x,5'].join('\n'),
      line: 2,
      column: '(row)',
      reason: /text right after a closing quote/,
    },
    {
      name: 'a binary file',
      body: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0x2c, 0x0a, 0x22, 0x00, 0xff]),
      line: 1,
      column: '(file)',
      reason: /history\.csv is a binary file, not CSV text/,
    },
    {
      name: 'UTF-16 text',
      body: Buffer.from(`\ufeff${goodHistory}`, 'utf16le'),
      line: 1,
      column: '(file)',
      reason: /is UTF-16 text: save it as CSV \(UTF-8\)/,
    },
    {
      name: 'an Excel 97-2003 workbook',
      body: Buffer.concat([
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
        Buffer.alloc(600, 1),
      ]),
      line: 1,
      column: '(file)',
      reason: /Excel 97-2003 \(\.xls\) workbook/,
    },
    {
      name: 'a row longer than 128 KiB',
      body: [HISTORY_HEADER, `F1,2026-01,${'9'.repeat(200 * KiB)}`].join('\n'),
      line: 2,
      column: '(row)',
      reason: /a row longer than 128 KiB/,
    },
  ];

  for (const c of cases)
    it(`refuses ${c.name} with its line and problem, and imports nothing`, async () => {
      const before = await stored();
      const res = await upload([{ field: 'history', body: c.body }]);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.rows).toContainEqual({
        table: 'history',
        line: c.line,
        column: c.column,
        reason: expect.stringMatching(c.reason),
      });
      await expectNothingLeft(before);
    });

  it('still checks the rest of a file after a broken row, and keeps serving', async () => {
    const res = await upload([
      {
        field: 'history',
        body: [HISTORY_HEADER, 'F1,2026-"01,5', 'F2,2026-13,3', 'F3,2026-01,4'].join('\n'),
      },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.rows).toEqual([
      expect.objectContaining({ line: 2, column: '(row)' }),
      expect.objectContaining({ line: 3, column: 'period' }),
    ]);
    const ok = await upload([{ field: 'history', body: goodHistory }]);
    expect(ok.status).toBe(201);
  });

  it('refuses a text field sent in place of a file, naming it', async () => {
    const res = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .field('history', 'history.csv');
    expect(res.status).toBe(400);
    expect(res.body.error.rows[0]).toEqual({
      table: 'history',
      line: 1,
      column: '(file)',
      reason: 'history is a text field, not a file: attach the file (curl -F history=@history.csv)',
    });
  });

  it('reads a workbook sent under a .csv name as the workbook it is', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('history').addRows([
      ['family', 'period', 'shipments'],
      ['F1', '2026-01', 5],
    ]);
    const res = await upload([
      { field: 'file', body: Buffer.from(await wb.xlsx.writeBuffer()), filename: 'data.csv' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.tables.history.rows).toBe(1);
  });
});

describe('fuzzed uploads', () => {
  const csvText = fc
    .array(fc.constantFrom('"', ',', '\n', '\r', 'F', '1', '2026-01', '-', ' ', '\0', 'é', '""'), {
      maxLength: 300,
    })
    .map((parts) => `${HISTORY_HEADER}\n${parts.join('')}`);

  it('answers any CSV bytes with 201 or a 4xx, and leaves nothing behind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csvText,
          fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
        ),
        async (body) => {
          const before = await stored();
          const res = await upload([{ field: 'history', body }]);
          expect([201, 400]).toContain(res.status);
          if (res.status === 400)
            for (const row of res.body.error.rows as { line: number; reason: string }[]) {
              expect(row.line).toBeGreaterThanOrEqual(0);
              expect(row.reason.length).toBeGreaterThan(0);
            }
          const after = await stored();
          expect(after.staging).toBe(0);
          expect(after.tmp).toEqual([]);
          expect(after.versions).toBe(before.versions + (res.status === 201 ? 1 : 0));
        },
      ),
      { numRuns: 40, seed: 10 },
    );
  });

  it('answers any damaged workbook with 201 or a 4xx, and leaves nothing behind', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('history').addRows([
      ['family', 'period', 'shipments'],
      ...historyRows(30).map((r) => r.split(',')),
    ]);
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    const damage = fc.oneof(
      fc
        .array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 20,
        })
        .map((flips) => {
          const b = Buffer.from(good);
          for (const [at, v] of flips) b[at] = v;
          return b;
        }),
      fc.nat({ max: good.length - 1 }).map((n) => good.subarray(0, n)),
    );
    await fc.assert(
      fc.asyncProperty(damage, async (body) => {
        const before = await stored();
        const res = await upload([{ field: 'file', body, filename: 'plan.xlsx' }]);
        expect([201, 400, 413, 415]).toContain(res.status);
        const after = await stored();
        expect(after.staging).toBe(0);
        expect(after.tmp).toEqual([]);
        expect(after.versions).toBe(before.versions + (res.status === 201 ? 1 : 0));
      }),
      { numRuns: 40, seed: 11 },
    );
  });
});

describe('budgets', () => {
  it('refuses a body declared larger than the limit before reading it', async () => {
    const before = await stored();
    const res = await upload([
      { field: 'history', body: `${HISTORY_HEADER}\n${'F1,2026-01,1\n'.repeat(100_000)}` },
    ]);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/larger than 1 MiB/),
    });
    await expectNothingLeft(before);
  });

  it('stops a streamed body at the limit, with nothing left staged', async () => {
    const before = await stored();
    const form = multipart('history', 'history.csv', '');
    const { req, response } = rawUpload(form.boundary);
    req.write(form.head + HISTORY_HEADER + '\n');
    // Wide rows: the limit is reached in bytes long before the time budget, even on a busy machine.
    const rows = `${historyRows(500)
      .map((r) => `${'W'.repeat(400)}${r}`)
      .join('\n')}\n`;
    const send = () => {
      while (!req.destroyed && req.write(rows));
      if (!req.destroyed) req.once('drain', send);
    };
    req.on('error', () => undefined);
    send();
    const res = await response.catch(() => ({ status: 0, text: '' }));
    req.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error.code).toBe('payload_too_large');
    await expectNothingLeft(before);
  });

  it('refuses more rows than the budget', async () => {
    const before = await stored();
    const res = await upload([{ field: 'history', body: [HISTORY_HEADER, ...historyRows(5001)].join('\n') }]);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/more than 5,000 rows/);
    await expectNothingLeft(before);
  });

  it('answers a slow upload when its time is up, before the socket would time out', async () => {
    const before = await stored();
    const form = multipart('history', 'history.csv', '');
    const { req, response } = rawUpload(form.boundary);
    req.write(`${form.head}${HISTORY_HEADER}\n${historyRows(2500).join('\n')}\n`); // a chunk gets staged
    const started = Date.now();
    const res = await response;
    req.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'upload_too_slow',
      message: expect.stringMatching(/did not finish within 3 s \(\d+ rows read\)/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    await expectNothingLeft(before);
  });

  it('streams the outcome as the last NDJSON line when the time is up', async () => {
    const form = multipart('history', 'history.csv', '');
    const { req, response } = rawUpload(form.boundary, { Accept: 'application/x-ndjson' });
    req.write(`${form.head}${HISTORY_HEADER}\nF1,2026-01,1\n`);
    const res = await response;
    req.destroy();
    expect(res.status).toBe(200);
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ started: true });
    expect(lines.at(-1)).toMatchObject({ status: 413, error: { code: 'upload_too_slow' } });
  });

  it('removes what an upload staged as soon as its client goes away', async () => {
    const before = await stored();
    const form = multipart('history', 'history.csv', '');
    const { req, response } = rawUpload(form.boundary);
    response.catch(() => undefined);
    req.on('error', () => undefined);
    req.write(`${form.head}${HISTORY_HEADER}\n${historyRows(4500).join('\n')}\n`);
    // Two chunks of 2,000 rows get staged; then the client is gone.
    await eventually(async () => expect((await stored()).chunks).toBeGreaterThanOrEqual(before.chunks + 2));
    req.destroy();
    await expectNothingLeft(before);
  });
});

describe('workbooks', () => {
  async function workbookEntries(rows = 3): Promise<ZipEntry[]> {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('history').addRows([
      ['family', 'period', 'shipments'],
      ...historyRows(rows).map((r) => r.split(',')),
    ]);
    return zipEntries(Buffer.from(await wb.xlsx.writeBuffer()));
  }
  /** The sheet's XML padded to `bytes` with whitespace (which compresses to almost nothing). */
  const padded = (entries: ZipEntry[], bytes: number) =>
    entries.map((e) =>
      e.name === 'xl/worksheets/sheet1.xml'
        ? { name: e.name, data: Buffer.concat([e.data, Buffer.alloc(bytes - e.data.length, 0x20)]) }
        : e,
    );
  const sendXlsx = (body: Buffer) => upload([{ field: 'file', body, filename: 'plan.xlsx' }]);

  it('refuses a workbook that unpacks past the limit from its directory, at once', async () => {
    const before = await stored();
    const bomb = zipOf(padded(await workbookEntries(), 3 * MiB));
    expect(bomb.length).toBeLessThan(64 * KiB);
    const res = await sendXlsx(bomb);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/^plan\.xlsx unpacks to 3 MiB, more than the limit of 2 MiB/);
    await expectNothingLeft(before);
  });

  it('stops a workbook whose directory lies about its size while unpacking it', async () => {
    const before = await stored();
    const liar = zipOf(padded(await workbookEntries(), 3 * MiB), (e) => Math.min(e.size, 1000));
    const res = await sendXlsx(liar);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/^plan\.xlsx unpacks to more than its directory says/);
    await expectNothingLeft(before);
  });

  it('refuses a workbook with more files than the limit', async () => {
    const before = await stored();
    const entries = await workbookEntries();
    const many = [
      ...entries,
      ...Array.from({ length: 60 }, (_, i) => ({ name: `xl/media/x${i}.bin`, data: Buffer.from('x') })),
    ];
    const res = await sendXlsx(zipOf(many));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/holds more than 50 files/);
    await expectNothingLeft(before);
  });

  it('refuses shared strings past their limit', async () => {
    const before = await stored();
    const entries = (await workbookEntries()).map((e) =>
      e.name === 'xl/sharedStrings.xml'
        ? { name: e.name, data: Buffer.concat([e.data, Buffer.alloc(300 * KiB, 0x20)]) }
        : e,
    );
    const res = await sendXlsx(zipOf(entries));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/has 30\d KiB of shared strings, more than the limit of 256 KiB/);
    await expectNothingLeft(before);
  });

  it('reports a hidden sheet and does not import it', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('families').addRows([
      ['family', 'name', 'unit_price', 'unit_cost', 'safety_stock_units', 'holding_cost_per_unit_month'],
      ['F1', 'One', 2, 1, 0, 0],
    ]);
    const hidden = wb.addWorksheet('history', { state: 'hidden' });
    hidden.addRows([
      ['family', 'period', 'shipments'],
      ['F1', '2026-01', 1],
    ]);
    const res = await sendXlsx(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.status).toBe(201);
    expect(res.body.warnings).toContain('history: a hidden sheet: not imported (unhide it to import it)');
    expect(res.body.tables.families).toEqual({ rows: 1, uploadedIn: 'this version' });
    expect(res.body.tables.history?.uploadedIn).not.toBe('this version');
    expect((await stored()).tmp).toEqual([]);
  });
});

describe('malformed requests', () => {
  it('answers multipart without a boundary with 400', async () => {
    const res = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .set('Content-Type', 'multipart/form-data')
      .send('garbage');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'bad_multipart',
      message: expect.stringMatching(/boundary/),
    });
  });

  it('answers a compressed upload with 415 and a broken multipart body with 400', async () => {
    const br = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .set('Content-Type', 'multipart/form-data; boundary=x')
      .set('Content-Encoding', 'br')
      .send(Buffer.from('not brotli at all'));
    expect(br.status).toBe(415);
    expect(br.body.error.message).toMatch(/Content-Encoding br is not accepted for uploads/);
    const cut = await t.http
      .post(`/api/v1/orgs/${org.id}/datasets`)
      .set(org.auth)
      .set('Content-Type', 'multipart/form-data; boundary=x')
      .send('--x\r\nContent-Disposition: form-data; name="history"; filename="h.csv"\r\n\r\nfamily');
    expect(cut.status).toBe(400);
    expect(cut.body.error.code).toBe('bad_multipart');
  });

  it('answers a JSON body with a broken Content-Encoding with a 4xx', async () => {
    for (const encoding of ['br', 'gzip', 'deflate', 'zstd']) {
      const res = await t.http
        .post('/api/v1/orgs')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send(Buffer.from('garbage that is not compressed'));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
  });
});

describe('housekeeping', () => {
  it('sweeps stale staging, orphan chunks and upload directories at start, and keeps what is fresh', async () => {
    const m = t.accord.db.models;
    const now = t.clock.now();
    const old = new Date(now.getTime() - 2 * 3600_000); // older than an upload or a pack build may run
    const stale = await t.accord.deps.datasets.createStaging(org.id, old);
    await t.accord.deps.datasets.stageChunk(org.id, stale, 'history', 0, [{ family: 'F1' }]);
    const fresh = await t.accord.deps.datasets.createStaging(org.id, now);
    await t.accord.deps.datasets.stageChunk(org.id, fresh, 'history', 0, [{ family: 'F1' }]);
    const gone = new Types.ObjectId().toHexString();
    await m.DatasetChunk.collection.insertOne({
      _id: `${gone}:history:0` as never,
      orgId: new Types.ObjectId(org.id),
      datasetId: new Types.ObjectId(gone),
      table: 'history',
      seq: 0,
      rows: [],
    });
    const cycle = new Types.ObjectId().toHexString();
    await m.PackChunk.collection.insertMany([
      {
        _id: `${cycle}:7:family:0:0` as never,
        orgId: new Types.ObjectId(org.id),
        data: '{}',
        createdAt: old,
      },
      {
        _id: `${cycle}:8:family:0:0` as never,
        orgId: new Types.ObjectId(org.id),
        data: '{}',
        createdAt: now,
      },
    ]);
    const leftover = path.join(tmpDir, `${UPLOAD_TMP_PREFIX}dead`);
    mkdirSync(leftover);
    utimesSync(leftover, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));

    await t.accord.scheduler.start(); // the job runs at start, then hourly
    try {
      await eventually(async () => expect(await m.Dataset.exists({ _id: stale })).toBeNull(), 15_000);
      await eventually(async () => expect(readdirSync(tmpDir)).not.toContain(`${UPLOAD_TMP_PREFIX}dead`));
    } finally {
      await t.accord.scheduler.stop();
    }
    expect(await m.Dataset.exists({ _id: stale })).toBeNull();
    expect(await m.Dataset.exists({ _id: fresh })).not.toBeNull();
    expect(await m.DatasetChunk.exists({ _id: `${stale}:history:0` })).toBeNull();
    expect(await m.DatasetChunk.exists({ _id: `${gone}:history:0` })).toBeNull();
    expect(await m.DatasetChunk.exists({ _id: `${fresh}:history:0` })).not.toBeNull();
    expect(await m.PackChunk.exists({ _id: `${cycle}:7:family:0:0` })).toBeNull();
    expect(await m.PackChunk.exists({ _id: `${cycle}:8:family:0:0` })).not.toBeNull();
    expect(readdirSync(tmpDir)).not.toContain(`${UPLOAD_TMP_PREFIX}dead`);
    await t.accord.deps.datasets.discard(org.id, fresh, [{ table: 'history', seq: 0 }]);
  });
});
