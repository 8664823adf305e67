/** The composition root: configuration, database (MongoDB or the embedded FerretDB), Accord, HTTP, signals. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import {
  EmbeddedDbError,
  ensureFerretDbBinary,
  repoRoot,
  startFerretDb,
  type EmbeddedDb,
} from '../tools/ferretdb.js';
import { buildAccord } from './accord.js';
import { DEFAULT_UPLOAD_LIMITS } from './http/multipart.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, redactUri } from './logger.js';
import { seedDemo } from './seed.js';

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** The admin token: from the environment, else one generated once and kept in the data directory. */
function adminTokenFor(dataDir: string, fromEnv: string | undefined): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  const file = path.join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), generated: true };
  const token = `adm_${randomBytes(32).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, generated: true };
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });

  let embedded: EmbeddedDb | null = null;
  let uri = config.mongodbUri;
  if (!uri) {
    try {
      const binary = await ensureFerretDbBinary({ cacheDir: config.dataDir, onProgress: (l) => say(l) });
      embedded = await startFerretDb({ binary, dataDir: path.join(config.dataDir, 'db') });
      uri = embedded.uri;
      logger.info(
        { dataDir: path.join(config.dataDir, 'db') },
        'embedded database started (FerretDB over SQLite)',
      );
    } catch (err) {
      if (err instanceof EmbeddedDbError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
  } else {
    logger.info({ uri: redactUri(uri) }, 'using MONGODB_URI');
  }

  const admin = adminTokenFor(config.dataDir, config.adminToken);
  // Workbooks being read sit here, beside the data, readable by this user alone.
  const uploadTmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(uploadTmpDir, { recursive: true, mode: 0o700 });
  const accord = await buildAccord({
    mongodbUri: uri,
    adminToken: admin.token,
    logger,
    rootDir: repoRoot(),
    sweepInterval: config.sweepInterval,
    publicUrl: config.publicUrl,
    linkSecret: config.linkSecret,
    slack: config.slack,
    uploadLimits: {
      ...DEFAULT_UPLOAD_LIMITS,
      ...config.uploads,
      tmpDir: uploadTmpDir,
    },
  });
  await accord.scheduler.start();

  const demoFile = path.join(config.dataDir, 'demo-org.json');
  const mayseed = !(config.mongodbUri && config.adminToken);
  if (mayseed && (await accord.deps.orgs.count()) === 0) {
    const demo = await seedDemo(accord.deps);
    writeFileSync(demoFile, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
    logger.info({ orgId: demo.orgId, month: demo.month }, 'seeded the demo organisation');
  }

  const server: Server = await new Promise((resolve) => {
    const s = accord.app.listen(config.port, config.host, () => resolve(s));
  });
  // An upload answers within its time budget: the socket must outlive it.
  server.requestTimeout = Math.max(server.requestTimeout, (config.uploads.maxSeconds + 60) * 1000);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;

  say();
  say(`Accord is running at ${url}`);
  say(`  health:   ${url}/healthz`);
  say(`  API docs: ${url}/api/v1/openapi.json`);
  if (admin.generated)
    say(
      `  admin token (kept in ${path.relative(process.cwd(), path.join(config.dataDir, 'admin-token'))}): ${admin.token}`,
    );
  if (mayseed && existsSync(demoFile)) {
    const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as {
      orgId: string;
      apiToken: string;
      month: string;
      packUrl?: string;
    };
    say(`  demo org ${demo.orgId} (cycle ${demo.month}), token: ${demo.apiToken}`);
    if (demo.packUrl) say(`  demo pre-S&OP pack: ${demo.packUrl}`);
    say(`  try: curl -H "Authorization: Bearer ${demo.apiToken}" ${url}/api/v1/orgs/${demo.orgId}/cycles`);
  }
  say();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining jobs and requests');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await accord.close();
    await embedded?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Accord failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
