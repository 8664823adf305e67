/**
 * bench/import: a history CSV of N rows uploaded through the real HTTP route (multipart, streamed)
 * into the embedded FerretDB (or MONGODB_URI); prints the time and the peak RSS of this process
 * (server and client both live here).
 *
 *   npm run bench:import -- [rows=1000000]
 */
import { createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildAccord } from '../src/accord.js';
import { createOrg } from '../src/app/orgs.js';
import { createLogger } from '../src/logger.js';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
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
const size = statSync(csv).size;

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

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const form = new FormData();
form.append('history', await openAsBlob(csv), 'history.csv');
const t0 = performance.now();
const res = await fetch(`http://127.0.0.1:${port}/api/v1/orgs/${org.id}/datasets`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${apiToken}` },
  body: form,
});
const body = (await res.json()) as { version?: number; tables?: Record<string, { rows: number }> };
const ms = performance.now() - t0;
clearInterval(sampler);
process.stdout.write(
  `| ${rows.toLocaleString('en')} | ${(size / 2 ** 20).toFixed(0)} MiB | ${res.status} | ${(ms / 1000).toFixed(1)} s | ${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s | ${(peak / 2 ** 20).toFixed(0)} MiB |\n`,
);
if (res.status !== 201 || body.tables?.['history']?.rows !== rows)
  process.stdout.write(`unexpected: ${JSON.stringify(body).slice(0, 500)}\n`);

server.close();
await accord.db.conn.db!.dropDatabase();
await accord.close();
await embedded?.stop();
rmSync(dir, { recursive: true, force: true });
