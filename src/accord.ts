/** Builds one Accord from its parts: database, use-case dependencies, scheduler and HTTP app. */
import path from 'node:path';
import type { Express } from 'express';
import { connectDatabase, type Database } from '../models/index.js';
import { createScheduler, type Scheduler } from '../jobs/scheduler.js';
import { loadCopy } from './cards/copy.js';
import type { Clock, Deps } from './app/ports.js';
import { highsSolver } from './app/solver.js';
import { linkSecret, signedLinks } from './app/links.js';
import { loadDocuments } from './render/pack.js';
import { createSlackApp, type SlackSettings } from './slack/app.js';
import { slackDeliverer } from './slack/deliver.js';
import { createHttpApp } from './http/app.js';
import { DEFAULT_UPLOAD_LIMITS, sweepUploadDirs, type UploadLimits } from './http/multipart.js';
import { sweepLeftovers } from './app/housekeeping.js';
import type { Logger } from './logger.js';

export const systemClock: Clock = { now: () => new Date() };

export interface Accord {
  app: Express;
  deps: Deps;
  db: Database;
  scheduler: Scheduler;
  /** The Slack deliverer, when Slack is configured (the scheduler drains the outbox with it). */
  slackDeliverer: ReturnType<typeof slackDeliverer> | null;
  close(): Promise<void>;
}

export async function buildAccord(opts: {
  mongodbUri: string;
  dbName?: string;
  adminToken: string;
  logger: Logger;
  rootDir: string;
  clock?: Clock;
  sweepInterval?: string;
  processEvery?: string | number;
  lockLifetimeMs?: number;
  /** Base URL of links in chat cards, and the secret that signs them. */
  publicUrl?: string;
  linkSecret?: string | undefined;
  /** The Slack app: a signing secret, and a bot token (one workspace) and/or OAuth (many). */
  slack?: SlackSettings | undefined;
  /** Bytes, rows and seconds an upload may take. */
  uploadLimits?: UploadLimits;
  /** Emit the driver's command events (bench profiling). */
  monitorCommands?: boolean;
  version?: string;
}): Promise<Accord> {
  const db = await connectDatabase(opts.mongodbUri, opts.dbName, {
    monitorCommands: opts.monitorCommands ?? false,
  });
  const deps: Deps = {
    ...db.repos,
    clock: opts.clock ?? systemClock,
    solver: highsSolver(),
    links: signedLinks(
      opts.publicUrl ?? 'http://localhost:3000',
      linkSecret(opts.linkSecret, opts.adminToken),
    ),
    copy: loadCopy(path.join(opts.rootDir, 'templates', 'copy')),
    documents: loadDocuments(path.join(opts.rootDir, 'templates', 'documents')),
  };
  const slack = opts.slack
    ? createSlackApp(deps, { ...opts.slack, publicUrl: opts.publicUrl, logger: opts.logger })
    : null;
  const deliverer = slack
    ? slackDeliverer(deps, { ...opts.slack, workspaces: slack.workspaces, logger: opts.logger })
    : null;
  const uploadLimits = opts.uploadLimits ?? DEFAULT_UPLOAD_LIMITS;
  // An upload runs at most its time budget: twice that and it is a leftover.
  const uploadMaxAgeMs = 2 * uploadLimits.maxSeconds * 1000;
  const scheduler = createScheduler({
    db: db.conn.db!,
    deps,
    logger: opts.logger,
    interval: opts.sweepInterval ?? '1 minute',
    ...(opts.processEvery !== undefined ? { processEvery: opts.processEvery } : {}),
    ...(opts.lockLifetimeMs !== undefined ? { lockLifetimeMs: opts.lockLifetimeMs } : {}),
    deliverers: deliverer ? [{ name: 'slack', drain: () => deliverer.drain() }] : [],
    housekeeping: async () => ({
      ...(await sweepLeftovers(deps, uploadMaxAgeMs)),
      uploadDirs: await sweepUploadDirs(uploadLimits.tmpDir, uploadMaxAgeMs),
    }),
  });
  const app = createHttpApp({
    slackRouter: slack?.router,
    slackOAuth: !!opts.slack?.oauth,
    deps,
    adminToken: opts.adminToken,
    logger: opts.logger,
    uploadLimits,
    version: opts.version ?? '0.1.0',
    health: { db: () => db.ping(), scheduler: () => scheduler.isUp() },
  });
  await slack?.start();
  return {
    app,
    deps,
    db,
    scheduler,
    slackDeliverer: deliverer,
    async close() {
      await slack?.stop();
      await scheduler.stop();
      await db.close();
    },
  };
}
