/** One embedded database for the whole jest run (each test file gets its own database in it). */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../../tools/ferretdb.js';

export default async function globalSetup() {
  if (process.env['MONGODB_URI']) {
    process.env['ACCORD_TEST_MONGODB_URI'] = process.env['MONGODB_URI'];
    return;
  }
  const cacheDir = path.resolve(process.env['ACCORD_DATA_DIR'] || path.join(repoRoot(), '.data'));
  const binary = await ensureFerretDbBinary({ cacheDir, onProgress: (l) => process.stdout.write(`${l}\n`) });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'accord-test-db-'));
  const db = await startFerretDb({ binary, dataDir });
  /** @type {Record<string, unknown>} */ (globalThis).__ACCORD_TEST_DB__ = db;
  process.env['ACCORD_TEST_MONGODB_URI'] = db.uri;
  process.env['ACCORD_TEST_DB_DIR'] = dataDir;
}
