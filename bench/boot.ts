/**
 * What the benches share: a bench's Accord (the embedded FerretDB in a temporary folder, or
 * MONGODB_URI when set, a database of its own, a given clock, silent logs; `close` stops it all
 * and removes the folder), served over HTTP with a client for its API, an org with its team,
 * a synthetic company uploaded and its pack built the way a person does it, and a peak RSS sampler.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAccord, type Accord } from '../src/accord.js';
import type { Clock, Deps } from '../src/app/ports.js';
import { hashToken } from '../src/app/tokens.js';
import { createLogger } from '../src/logger.js';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
import { planDataFrom } from '../src/app/planData.js';
import { parseRow, type TableName } from '../src/domain/dataset.js';
import type { PlanData } from '../src/domain/plan.js';
import { toCsv, type SyntheticTables } from '../src/demo/synthetic.js';
import { createOrg } from '../src/app/orgs.js';
import { addMember } from '../src/app/members.js';
import { warmedUp } from '../src/app/forecasts.js';
import type { MemberRecord, OrgRecord } from '../src/app/records.js';

/** A synthetic company's tables, parsed as an upload parses them, as the planning reads them. */
export function syntheticPlanData(tables: SyntheticTables): Promise<PlanData> {
  const parsed = Object.fromEntries(
    Object.entries(tables).map(([t, rows]) => [
      t,
      rows.map((r) => {
        const p = parseRow(t as TableName, r);
        if ('problems' in p) throw new Error(JSON.stringify(p.problems));
        return p.row;
      }),
    ]),
  );
  return planDataFrom((t) => [parsed[t] ?? []]);
}

/**
 * A store for benches whose Accords run in several processes: the embedded FerretDB in a temporary
 * folder (or MONGODB_URI when set); `peakMiB` is the embedded server's peak RSS so far (it is a
 * process of its own), null with MONGODB_URI.
 */
export async function startBenchStore(
  name: string,
): Promise<{ uri: string; peakMiB(): number | null; stop(): Promise<void> }> {
  const given = process.env['MONGODB_URI'];
  if (given) return { uri: given, peakMiB: () => null, stop: async () => undefined };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `accord-${name}-`));
  const embedded = await startFerretDb({
    binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
    dataDir,
  });
  return {
    uri: embedded.uri,
    peakMiB: () => childPeakMiB(dataDir),
    async stop() {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The peak RSS (VmHWM) of this process's child whose command line names `marker`, in MiB. */
function childPeakMiB(marker: string): number | null {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return kb ? Math.round(Number(kb[1]) / 1024) : null;
    } catch {
      // A process that ended meanwhile.
    }
  }
  return null;
}

/**
 * A bench's Accord on a store of its own, or on `store` (a URI and database shared with other
 * processes of the bench; `close` then leaves the store running).
 */
export async function startBenchAccord(
  name: string,
  clock: Clock,
  store?: { uri: string; dbName: string },
): Promise<{ accord: Accord; close(): Promise<void> }> {
  const dataDir = store ? null : mkdtempSync(path.join(os.tmpdir(), `accord-${name}-`));
  const embedded =
    store || process.env['MONGODB_URI']
      ? null
      : await startFerretDb({
          binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
          dataDir: dataDir!,
        });
  const accord = await buildAccord({
    mongodbUri: store?.uri ?? process.env['MONGODB_URI'] ?? embedded!.uri,
    dbName: store?.dbName ?? `bench_${name.replace(/\W/g, '_')}_${Date.now()}`,
    adminTokenHash: hashToken('x'.repeat(32)),
    logger: createLogger('silent'),
    rootDir: repoRoot(),
    clock,
    // PROFILE=1: the driver's command events, for the benches that break database time down.
    monitorCommands: !!process.env['PROFILE'],
  });
  return {
    accord,
    async close() {
      await accord.close();
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Accord's HTTP app on a free local port. */
export async function serve(accord: Accord): Promise<{ url: string; close(): Promise<void> }> {
  const server = accord.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A client of an org's API with its token: JSON calls, CSV uploads, the last answer's Server-Timing. */
export interface BenchClient {
  url: string;
  /** A JSON call (throws on a status from 300 up); its answer. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Tables as CSV files in one multipart upload (one file per table, named by its field); its answer. */
  upload<T = Record<string, unknown>>(path: string, tables: Record<string, string>): Promise<T>;
  /** The stages of the last call's Server-Timing header, in ms. */
  timing(): Record<string, number>;
}

export function benchClient(url: string, apiToken: string): BenchClient {
  const auth = { authorization: `Bearer ${apiToken}` };
  let timing: Record<string, number> = {};
  const answer = async <T>(res: Response, what: string): Promise<T> => {
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${text}`);
    timing = Object.fromEntries(
      (res.headers.get('server-timing') ?? '')
        .split(',')
        .filter((x) => x.includes(';dur='))
        .map((x) => {
          const [name, dur] = x.trim().split(';dur=');
          return [name!, Number(dur)];
        }),
    );
    return JSON.parse(text) as T;
  };
  return {
    url,
    async call<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return answer<T>(res, `${method} ${path}`);
    },
    async upload<T>(path: string, tables: Record<string, string>) {
      const form = new FormData();
      for (const [name, csv] of Object.entries(tables)) form.append(name, new Blob([csv]), `${name}.csv`);
      return answer<T>(
        await fetch(`${url}${path}`, { method: 'POST', headers: auth, body: form }),
        `upload ${path}`,
      );
    },
    timing: () => timing,
  };
}

/** An org for a bench, made as the admin API makes one; with `team`, a process owner and a leader of each function. */
export async function benchOrg(
  deps: Deps,
  input: { name?: string; timezone?: string; horizonMonths: number; team?: boolean },
): Promise<{
  org: OrgRecord;
  apiToken: string;
  po: MemberRecord | null;
  leaders: Record<string, MemberRecord>;
}> {
  const actor = { type: 'system' as const, id: 'bench' };
  const { org, apiToken } = await createOrg(
    deps,
    {
      name: input.name ?? 'Bench Co',
      timezone: input.timezone ?? 'Europe/Berlin',
      horizonMonths: input.horizonMonths,
    },
    actor,
  );
  const leaders: Record<string, MemberRecord> = {};
  let po: MemberRecord | null = null;
  if (input.team) {
    po = await addMember(
      deps,
      org.id,
      { name: 'Petra PO', email: 'po@bench.example', roles: ['process-owner'], timezone: 'Europe/Berlin' },
      actor,
    );
    for (const fn of ['sales', 'marketing', 'operations', 'procurement', 'logistics', 'finance'])
      leaders[fn] = await addMember(
        deps,
        org.id,
        { name: `Lead ${fn}`, email: `${fn}@bench.example`, roles: ['functional-leader'], functions: [fn] },
        actor,
      );
  }
  return { org, apiToken, po, leaders };
}

/**
 * Step 1 as a person does it: the company's tables uploaded as CSV, then the forecasts the upload
 * fits in the background; how long each took.
 */
export async function uploadCompany(
  client: BenchClient,
  orgId: string,
  tables: SyntheticTables,
): Promise<{ uploadMs: number; warmMs: number }> {
  const files = Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, toCsv(rows)]));
  const started = performance.now();
  await client.upload(`/api/v1/orgs/${orgId}/datasets`, files);
  const uploadMs = performance.now() - started;
  await warmedUp();
  return { uploadMs, warmMs: performance.now() - started - uploadMs };
}

/** Samples this process's RSS every 20 ms; the function returned stops it and gives the peak in MiB. */
export function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  timer.unref();
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
  };
}
