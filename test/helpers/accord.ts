/** A real Accord (real database, real HTTP through supertest) per test file, on a database of its own. */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import supertest from 'supertest';
import { buildAccord, type Accord } from '../../src/accord.js';
import { advanceAllCycles } from '../../src/app/cycleEngine.js';
import { runPackBuilds, type PackBuildRun } from '../../src/app/packJobs.js';
import { keyFrom, keyring, type Keyring } from '../../src/app/sealing.js';
import { hashToken } from '../../src/app/tokens.js';
import type { AuthLimits } from '../../src/http/authLimit.js';
import { createLogger } from '../../src/logger.js';
import { repoRoot } from '../../tools/ferretdb.js';
import { FakeClock } from './clock.js';

export interface TestAccord {
  accord: Accord;
  http: ReturnType<typeof supertest>;
  clock: FakeClock;
  adminToken: string;
  dbName: string;
  close(): Promise<void>;
}

export function testDbName(suffix = ''): string {
  const file = expect.getState().testPath ?? 'unknown';
  return `t_${createHash('sha1')
    .update(file + suffix)
    .digest('hex')
    .slice(0, 16)}`;
}

export async function startTestAccord(
  opts: {
    now?: string;
    dbName?: string;
    fresh?: boolean;
    slack?: Parameters<typeof buildAccord>[0]['slack'];
    teams?: Parameters<typeof buildAccord>[0]['teams'];
    publicUrl?: string;
    uploadLimits?: Parameters<typeof buildAccord>[0]['uploadLimits'];
    /** Default: one key per test database, so every Accord a test file builds reads the same records. */
    keyring?: Keyring;
    authLimits?: AuthLimits;
    trustProxy?: number;
    /** Planning worker threads (default: the service's default, one per core). */
    planThreads?: number;
  } = {},
): Promise<TestAccord> {
  const uri = process.env['ACCORD_TEST_MONGODB_URI'];
  if (!uri) throw new Error('ACCORD_TEST_MONGODB_URI is not set: run the tests through jest (global setup)');
  const clock = new FakeClock(opts.now ?? '2027-01-04T07:00:00Z');
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`;
  const dbName = opts.dbName ?? testDbName();
  const perDb = (what: string) => createHash('sha256').update(`${dbName}:${what}`).digest();
  const accord = await buildAccord({
    mongodbUri: uri,
    dbName,
    adminTokenHash: hashToken(adminToken),
    linkSecret: perDb('links').toString('base64url'),
    keyring: opts.keyring ?? keyring(keyFrom(perDb('key'))),
    ...(opts.authLimits ? { authLimits: opts.authLimits } : {}),
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.planThreads !== undefined ? { planThreads: opts.planThreads } : {}),
    logger: createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent'),
    rootDir: repoRoot(),
    clock,
    processEvery: 100,
    lockLifetimeMs: 600,
    slack: opts.slack,
    ...(opts.teams ? { teams: opts.teams } : {}),
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    ...(opts.uploadLimits ? { uploadLimits: opts.uploadLimits } : {}),
  });
  if (opts.fresh !== false) {
    for (const model of Object.values(accord.db.models)) await model.collection.deleteMany({});
    await accord.db.conn.db!.collection('agendaJobs').deleteMany({});
  }
  return {
    accord,
    http: supertest(accord.app),
    clock,
    adminToken,
    dbName,
    close: () => accord.close(),
  };
}

/** Sets the clock and runs the scheduler's sweep once, failing the test on any cycle's error. */
export async function sweepAt(t: TestAccord, at: string): Promise<void> {
  t.clock.set(at);
  await advanceAllCycles(t.accord.deps, (_id, err) => {
    throw err;
  });
}

/** Runs the pack build job once (what `packs.build` does), failing the test on any build's error. */
export async function buildPacks(t: TestAccord): Promise<PackBuildRun> {
  const errors: unknown[] = [];
  const run = await runPackBuilds(t.accord.deps, { onError: (_build, _attempt, err) => errors.push(err) });
  if (errors.length) throw errors[0];
  return run;
}
