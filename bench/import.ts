/**
 * bench/import: a history CSV of N rows uploaded through the real HTTP route (multipart, streamed)
 * into the embedded FerretDB (or MONGODB_URI); prints the time and the peak RSS of this process
 * (server and client both live here), and the same for a workbook of a fifth of the rows. Then the time to refuse what must be refused: an XLSX zip
 * bomb (a few MiB unpacking to 3 GiB) whose directory says so, the same bomb lying about its size,
 * and a CSV of N rows whose first row opens a quote it never closes.
 *
 *   npm run bench:import -- [rows=1000000]
 */
import { createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync, writeFileSync } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildAccord } from '../src/accord.js';
import { createOrg } from '../src/app/orgs.js';
import { createLogger } from '../src/logger.js';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
import { zipOf } from '../tools/zip.js';
import ExcelJS from 'exceljs';
import { hashToken } from '../src/app/tokens.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const months = 100;
const dir = mkdtempSync(path.join(os.tmpdir(), 'accord-import-'));
const csv = path.join(dir, 'history.csv');

await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(csv);
  out.on('error', reject);
  let i = 0;
  const write = () => {
    let ok = true;
    while (i < rows && ok) {
      let chunk = i === 0 ? 'family,period,shipments,bookings\n' : '';
      for (let k = 0; k < 1000 && i < rows; k++, i++) {
        const f = Math.floor(i / months);
        const m = i % months;
        chunk += `F${f},${2018 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')},${100 + ((i * 7919) % 500)},\n`;
      }
      ok = out.write(chunk);
    }
    if (i < rows) out.once('drain', write);
    else out.end(resolve);
  };
  write();
});

const embedded = process.env['MONGODB_URI']
  ? null
  : await startFerretDb({
      binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
      dataDir: dir,
    });
const accord = await buildAccord({
  mongodbUri: process.env['MONGODB_URI'] ?? embedded!.uri,
  dbName: `bench_import_${Date.now()}`,
  adminTokenHash: hashToken('x'.repeat(32)),
  logger: createLogger('silent'),
  rootDir: repoRoot(),
});
const { org, apiToken } = await createOrg(
  accord.deps,
  { name: 'Bench', timezone: 'UTC' },
  { type: 'system', id: 'bench' },
);
const server = accord.app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const port = (server.address() as AddressInfo).port;

/** Posts one file: the answer, the time, this process's CPU time and its peak RSS meanwhile. */
async function upload(field: string, file: string, name: string) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const form = new FormData();
  form.append(field, await openAsBlob(file), name);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/orgs/${org.id}/datasets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiToken}` },
    body: form,
  });
  const body = (await res.json()) as {
    tables?: Record<string, { rows: number }>;
    error?: { message?: string; rows?: { line: number; reason: string }[] };
  };
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  return { status: res.status, body, ms, cpuMs: (cpu.user + cpu.system) / 1000, peak };
}

/** A workbook of the same history (every fifth row), written with exceljs's streaming writer. */
const xlsxRows = Math.ceil(rows / 5);
const xlsx = path.join(dir, 'history.xlsx');
const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsx, useSharedStrings: true });
const sheet = writer.addWorksheet('history');
sheet.addRow(['family', 'period', 'shipments', 'bookings']).commit();
for (let i = 0; i < xlsxRows; i++) {
  const f = Math.floor(i / months);
  const m = i % months;
  sheet
    .addRow([
      `F${f}`,
      `${2018 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`,
      100 + ((i * 7919) % 500),
    ])
    .commit();
}
await writer.commit();

process.stdout.write(
  '| upload | rows | file | status | time | rate | peak RSS | CPU (this process) |\n| --- | --: | --: | --- | --: | --: | --: | --: |\n',
);
for (const [kind, file, name, n] of [
  ['CSV', csv, 'history.csv', rows],
  ['XLSX', xlsx, 'history.xlsx', xlsxRows],
] as const) {
  const r = await upload(kind === 'CSV' ? 'history' : 'file', file, name);
  process.stdout.write(
    `| ${kind} | ${n.toLocaleString('en')} | ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB | ${r.status} | ${(r.ms / 1000).toFixed(1)} s | ${Math.round(n / (r.ms / 1000)).toLocaleString('en')} rows/s | ${(r.peak / 2 ** 20).toFixed(0)} MiB | ${(r.cpuMs / 1000).toFixed(1)} s |\n`,
  );
  if (r.status !== 201 || r.body.tables?.['history']?.rows !== n)
    process.stdout.write(`unexpected: ${JSON.stringify(r.body).slice(0, 500)}\n`);
}

/** The answer to a refused upload, and the time it took. */
async function timed(field: string, file: string, name: string) {
  const r = await upload(field, file, name);
  const first = r.body.error?.rows?.[0];
  const why = first ? `line ${first.line}: ${first.reason}` : r.body.error?.message;
  return { status: r.status, ms: r.ms, why: (why ?? '').slice(0, 90) };
}

/**
 * A workbook whose one sheet unpacks to `bytes` of XML (a header, then spaces: deflate packs
 * those about 1,000 to 1, streamed so that it never sits in memory); `lie` makes its headers say
 * 1 KiB.
 */
async function bomb(bytes: number, lie: boolean): Promise<string> {
  const xml = (text: string) => ({ name: '', data: Buffer.from(`<?xml version="1.0"?>${text}`) });
  const parts = [
    {
      ...xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
      ),
      name: '[Content_Types].xml',
    },
    {
      ...xml(
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="history" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
      name: 'xl/workbook.xml',
    },
    {
      ...xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ),
      name: 'xl/_rels/workbook.xml.rels',
    },
  ];
  const head = Buffer.from(
    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
  );
  const deflated: Buffer[] = [];
  const z = createDeflateRaw({ level: 9 });
  z.on('data', (c: Buffer) => deflated.push(c));
  const spaces = Buffer.alloc(4 * 2 ** 20, 0x20);
  let crc = crc32(head);
  z.write(head);
  for (let n = head.length; n < bytes; n += spaces.length) {
    const piece = n + spaces.length <= bytes ? spaces : spaces.subarray(0, bytes - n);
    crc = crc32(piece, crc);
    if (!z.write(piece)) await new Promise((r) => z.once('drain', r));
  }
  await new Promise((r) => z.end(r));
  const sheet = { name: 'xl/worksheets/sheet1.xml', deflated: Buffer.concat(deflated), crc, size: bytes };
  const file = path.join(dir, `bomb-${lie ? 'lying' : 'honest'}.xlsx`);
  writeFileSync(
    file,
    zipOf([...parts, sheet], (e) => (lie ? Math.min(e.size, 1024) : e.size)),
  );
  return file;
}

const unclosed = path.join(dir, 'unclosed.csv');
await new Promise<void>((resolve, reject) => {
  const out = createWriteStream(unclosed);
  out.on('error', reject);
  out.write('family,period,shipments\nF1,"2026-01,1\n');
  const block = 'F2,2026-01,3\n'.repeat(10_000);
  const blocks = Math.ceil(rows / 10_000);
  let n = 0;
  const write = () => {
    let ok = true;
    while (n < blocks && ok) {
      ok = out.write(block);
      n++; // a write that asks to wait has still taken its block
    }
    if (n < blocks) out.once('drain', write);
    else out.end(resolve);
  };
  write();
});
process.stdout.write(
  '\n| refused upload | file | status | time to refuse | what it says |\n| --- | --- | --- | --- | --- |\n',
);
for (const [what, file, name] of [
  ['XLSX bomb, honest directory (3 GiB unpacked)', await bomb(3 * 2 ** 30, false), 'plan.xlsx'],
  ['XLSX bomb, directory says 1 KiB (3 GiB unpacked)', await bomb(3 * 2 ** 30, true), 'plan.xlsx'],
  [
    `CSV, a quote opened on line 2 and never closed (${rows.toLocaleString('en')} rows)`,
    unclosed,
    'history.csv',
  ],
] as const) {
  const r = await timed(name === 'plan.xlsx' ? 'file' : 'history', file, name);
  process.stdout.write(
    `| ${what} | ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB | ${r.status} | ${r.ms.toFixed(0)} ms | ${r.why} |\n`,
  );
}

server.close();
await accord.db.conn.db!.dropDatabase();
await accord.close();
await embedded?.stop();
rmSync(dir, { recursive: true, force: true });
