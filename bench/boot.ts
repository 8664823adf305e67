/**
 * A bench's Accord: the embedded FerretDB in a temporary folder (or MONGODB_URI when set), a
 * database of its own, a given clock, silent logs; `close` stops it all and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAccord, type Accord } from '../src/accord.js';
import type { Clock } from '../src/app/ports.js';
import { hashToken } from '../src/app/tokens.js';
import { createLogger } from '../src/logger.js';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
import { planDataFrom } from '../src/app/planData.js';
import { parseRow, type TableName } from '../src/domain/dataset.js';
import type { PlanData } from '../src/domain/plan.js';
import type { SyntheticTables } from '../src/demo/synthetic.js';

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

export async function startBenchAccord(
  name: string,
  clock: Clock,
): Promise<{ accord: Accord; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `accord-${name}-`));
  const embedded = process.env['MONGODB_URI']
    ? null
    : await startFerretDb({
        binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
        dataDir,
      });
  const accord = await buildAccord({
    mongodbUri: process.env['MONGODB_URI'] ?? embedded!.uri,
    dbName: `bench_${name.replace(/\W/g, '_')}_${Date.now()}`,
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
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
