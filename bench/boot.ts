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
