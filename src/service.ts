/**
 * Starts the service from the environment: the data directory and its secrets, the database
 * (MongoDB or the embedded FerretDB), Accord, the demo org on a fresh store, and the HTTP server.
 * Tokens are printed once, when they are created; later starts say how to get new ones.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { ensureFerretDbBinary, repoRoot, startFerretDb, type EmbeddedDb } from '../tools/ferretdb.js';
import { buildAccord, type Accord } from './accord.js';
import { DEFAULT_UPLOAD_LIMITS } from './http/multipart.js';
import { LINK_TTL_DAYS } from './app/links.js';
import { SIGN_IN_LINK_MINUTES, webSignInLink } from './app/web.js';
import { loadConfig } from './config.js';
import { createLogger, redactUri, type Logger } from './logger.js';
import {
  adminToken,
  encryptionKeyring,
  linkSecret,
  SECRET_FILES,
  secureDataDir,
  writeSecretFile,
} from './secrets.js';
import { seedDemo } from './seed.js';

export interface Service {
  /** Where this machine reaches the server (the address it listens on, or localhost for all interfaces). */
  url: string;
  address: AddressInfo;
  accord: Accord;
  logger: Logger;
  stop(): Promise<void>;
}

/** What `demo-org.json` keeps: ids and the month, never a token. */
interface DemoRecord {
  orgId: string;
  cycleId?: string;
  month: string;
}

/** The demo record; one written by an older version with its token in clear is rewritten without it. */
function readDemo(file: string): DemoRecord | null {
  if (!existsSync(file)) return null;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as DemoRecord & Record<string, unknown>;
  const demo: DemoRecord = {
    orgId: stored.orgId,
    ...(stored.cycleId ? { cycleId: stored.cycleId } : {}),
    month: stored.month,
  };
  if (Object.keys(stored).some((k) => !(k in demo))) writeDemo(file, demo);
  return demo;
}

function writeDemo(file: string, demo: DemoRecord): void {
  writeSecretFile(file, `${JSON.stringify(demo, null, 2)}\n`);
}

/** The URL to print for an address: all interfaces are reached as localhost here. */
export function urlFor(address: AddressInfo): string {
  const any = address.address === '0.0.0.0' || address.address === '::';
  const host = any ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startService(
  opts: { env?: NodeJS.ProcessEnv; say?: (line?: string) => void } = {},
): Promise<Service> {
  const say = opts.say ?? ((line = '') => process.stdout.write(`${line}\n`));
  const config = loadConfig(opts.env ?? process.env);
  const logger = createLogger(config.logLevel);
  const dirWarning = secureDataDir(config.dataDir);
  if (dirWarning) logger.warn(dirWarning);
  const rel = (file: string) => {
    const r = path.relative(process.cwd(), file);
    return r && !r.startsWith('..') ? r : file;
  };

  let embedded: EmbeddedDb | null = null;
  let uri = config.mongodbUri;
  if (!uri) {
    const binary = await ensureFerretDbBinary({ cacheDir: config.dataDir, onProgress: (l) => say(l) });
    embedded = await startFerretDb({ binary, dataDir: path.join(config.dataDir, 'db') });
    uri = embedded.uri;
    logger.info(
      { dataDir: path.join(config.dataDir, 'db') },
      'embedded database started (FerretDB over SQLite)',
    );
  } else {
    logger.info({ uri: redactUri(uri) }, 'using MONGODB_URI');
  }

  const admin = adminToken(config.dataDir, config.adminToken);
  if (admin.migrated)
    logger.info({ file: admin.file }, 'the clear-text admin token file was replaced by its SHA-256');
  // Workbooks being read sit here, beside the data, readable by this user alone.
  const uploadTmpDir = path.join(config.dataDir, 'tmp');
  mkdirSync(uploadTmpDir, { recursive: true, mode: 0o700 });
  let accord: Accord;
  try {
    accord = await buildAccord({
      mongodbUri: uri,
      adminTokenHash: admin.hash,
      logger,
      rootDir: repoRoot(),
      sweepInterval: config.sweepInterval,
      publicUrl: config.publicUrl,
      linkSecret: linkSecret(config.dataDir, config.linkSecret),
      keyring: encryptionKeyring(config.dataDir, config.encryptionKey, config.encryptionKeysPrevious),
      authLimits: config.authLimits,
      trustProxy: config.trustProxy,
      slack: config.slack,
      teams: config.teams,
      uploadLimits: { ...DEFAULT_UPLOAD_LIMITS, ...config.uploads, tmpDir: uploadTmpDir },
      ...(config.planThreads !== undefined ? { planThreads: config.planThreads } : {}),
    });
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  await accord.scheduler.start();

  const demoFile = path.join(config.dataDir, SECRET_FILES.demo);
  const mayseed = !(config.mongodbUri && config.adminToken);
  let seeded: Awaited<ReturnType<typeof seedDemo>> | null = null;
  if (mayseed && (await accord.deps.orgs.count()) === 0) {
    seeded = await seedDemo(accord.deps);
    writeDemo(demoFile, { orgId: seeded.orgId, cycleId: seeded.cycleId, month: seeded.month });
    logger.info({ orgId: seeded.orgId, month: seeded.month }, 'seeded the demo organisation');
  }

  const server: Server = await new Promise((resolve, reject) => {
    const s = accord.app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  // An upload answers within its time budget: the socket must outlive it.
  server.requestTimeout = Math.max(server.requestTimeout, (config.uploads.maxSeconds + 60) * 1000);
  const address = server.address() as AddressInfo;
  const url = urlFor(address);

  say();
  say(`Accord is running at ${url}`);
  const shown =
    address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  say(
    address.address === '0.0.0.0' || address.address === '::'
      ? `  listening on every interface (${shown}): anyone who reaches this machine reaches Accord`
      : `  listening on ${shown} only (HOST=0.0.0.0 listens on every interface, e.g. in a container)`,
  );
  say(`  health:   ${url}/healthz`);
  say(`  API docs: ${url}/api/v1/openapi.json`);
  if (admin.created) {
    say(`  admin token (shown once; only its SHA-256 is kept, in ${rel(admin.file)}): ${admin.created}`);
  } else if (admin.source === 'file') {
    say(
      `  admin token: shown once when it was created (its SHA-256 is in ${rel(admin.file)}); for a new one run \`npx accord admin-token --rotate\` and restart`,
    );
  } else {
    say('  admin token: ACCORD_ADMIN_TOKEN');
  }
  if (seeded) {
    say(`  demo org ${seeded.orgId} (cycle ${seeded.month}), token (shown once): ${seeded.apiToken}`);
    say(`  demo pre-S&OP pack (link valid ${LINK_TTL_DAYS} days): ${seeded.packUrl}`);
    say(
      `  try: curl -H "Authorization: Bearer ${seeded.apiToken}" ${url}/api/v1/orgs/${seeded.orgId}/cycles`,
    );
  } else if (mayseed) {
    const demo = readDemo(demoFile);
    if (demo) {
      say(
        `  demo org ${demo.orgId} (cycle ${demo.month}): its token was shown once, when it was seeded; a new one:`,
      );
      say(
        `    curl -X POST -H "Authorization: Bearer <admin token>" ${url}/api/v1/orgs/${demo.orgId}/tokens`,
      );
    }
  }
  // The web app: the demo's process owner signs in with a one-time link made at each start.
  const demoOrgId = mayseed ? (seeded?.orgId ?? readDemo(demoFile)?.orgId) : undefined;
  const owner = demoOrgId
    ? (await accord.deps.members.all(demoOrgId)).find((m) => m.roles.includes('process-owner'))
    : undefined;
  if (demoOrgId && owner) {
    const link = await webSignInLink(accord.deps, demoOrgId, owner.id, { type: 'system', id: 'start' });
    say(
      `  web app: ${url}/app; sign in as ${owner.name} (demo process owner) with this link, once, within ${SIGN_IN_LINK_MINUTES} minutes:`,
    );
    say(`    ${link.url}`);
  }
  say();

  let stopped: Promise<void> | null = null;
  return {
    url,
    address,
    accord,
    logger,
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await accord.close();
        await embedded?.stop();
      })();
      return stopped;
    },
  };
}
