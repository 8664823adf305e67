/** Builds one Accord from its parts: database, use-case dependencies, scheduler and HTTP app. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { connectDatabase, type Database } from '../models/index.js';
import { createScheduler, type Scheduler } from '../jobs/scheduler.js';
import { loadCopy } from './cards/copy.js';
import { setWebBase } from './cards/card.js';
import type { Clock, Deps } from './app/ports.js';
import { planCompute } from './app/planPool.js';
import { rememberedForecasts, warmedUp } from './app/forecasts.js';
import { signedLinks } from './app/links.js';
import { keyring, newKey, type Keyring } from './app/sealing.js';
import { authLimiter, type AuthLimits } from './http/authLimit.js';
import { loadDocuments } from './render/pack.js';
import { loadMinutesMarkdown } from './render/minutes.js';
import { createSlackApp, type SlackSettings } from '../bots/slack/app.js';
import { slackDeliverer } from '../bots/slack/deliver.js';
import { createTeamsApp, type TeamsOptions } from '../bots/teams/app.js';
import { sdkConnector, teamsDeliverer } from '../bots/teams/deliver.js';
import { renderForTeams } from '../bots/teams/refresh.js';
import type { ConnectedChats } from './app/delivery.js';
import { createHttpApp } from './http/app.js';
import { DEFAULT_UPLOAD_LIMITS, sweepUploadDirs, type UploadLimits } from './http/multipart.js';
import { sweepLeftovers } from './app/housekeeping.js';
import type { Logger } from './logger.js';

export const systemClock: Clock = { now: () => new Date() };

/** One planning thread per core, up to 8. */
export const defaultPlanThreads = (): number => Math.min(8, os.availableParallelism());

export interface Accord {
  app: Express;
  deps: Deps;
  db: Database;
  scheduler: Scheduler;
  /** The Slack deliverer, when Slack is configured (the scheduler drains the outbox with it). */
  slackDeliverer: ReturnType<typeof slackDeliverer> | null;
  /** The Teams deliverer, when Teams is configured. */
  teamsDeliverer: ReturnType<typeof teamsDeliverer> | null;
  close(): Promise<void>;
}

export async function buildAccord(opts: {
  mongodbUri: string;
  dbName?: string;
  /** SHA-256 (hex) of the admin token (src/secrets.ts keeps and rotates it). */
  adminTokenHash: string;
  logger: Logger;
  rootDir: string;
  clock?: Clock;
  sweepInterval?: string;
  processEvery?: string | number;
  lockLifetimeMs?: number;
  /** Base URL of links in chat cards, and the server secret that signs them (with each org's key). */
  publicUrl?: string;
  /** Unset: a random one for this process (its links end with it). */
  linkSecret?: string | undefined;
  /** Seals chat installation secrets in the database. Unset: a random key for this process. */
  keyring?: Keyring | undefined;
  /** Failed authentications allowed per address and per token prefix (defaults in authLimit.ts). */
  authLimits?: AuthLimits | undefined;
  /** Proxy hops whose X-Forwarded-For gives the client address. */
  trustProxy?: number | undefined;
  /** The Slack app: a signing secret, and a bot token (one workspace) and/or OAuth (many). */
  slack?: SlackSettings | undefined;
  /** The Teams app: the app registration, and a single tenant or connect codes (see src/config.ts). */
  teams?: Omit<TeamsOptions, 'logger'> | undefined;
  /** Bytes, rows and seconds an upload may take. */
  uploadLimits?: UploadLimits;
  /** Worker threads for planning (LP, forecasts, Monte Carlo); 0: in the main thread. */
  planThreads?: number;
  /** Emit the driver's command events (bench profiling). */
  monitorCommands?: boolean;
  version?: string;
}): Promise<Accord> {
  const db = await connectDatabase(opts.mongodbUri, opts.dbName, {
    monitorCommands: opts.monitorCommands ?? false,
    keyring: opts.keyring ?? keyring(newKey()),
  });
  // Installations stored in clear (before encryption) or under a previous key: sealed with the current one.
  const sealed = await db.repos.installations.reseal();
  if (sealed.resealed)
    opts.logger.info({ resealed: sealed.resealed }, 'chat installations sealed with the current key');
  for (const u of sealed.unreadable)
    opts.logger.error(
      { installation: u.id, reason: u.reason },
      'a chat installation cannot be decrypted; configure its key or install the app again',
    );
  // The "Open in Accord" links on cards point at this server's web app.
  setWebBase(opts.publicUrl ?? 'http://localhost:3000');
  const compute = planCompute({ threads: opts.planThreads ?? defaultPlanThreads() });
  const deps: Deps = {
    ...db.repos,
    forecasts: rememberedForecasts(db.repos.forecasts),
    clock: opts.clock ?? systemClock,
    compute,
    solver: compute,
    links: signedLinks(
      opts.publicUrl ?? 'http://localhost:3000',
      opts.linkSecret ?? randomBytes(32).toString('base64url'),
      db.repos.orgs,
    ),
    copy: loadCopy(path.join(opts.rootDir, 'templates', 'copy')),
    documents: loadDocuments(path.join(opts.rootDir, 'templates', 'documents')),
    minutesMarkdown: loadMinutesMarkdown(path.join(opts.rootDir, 'templates', 'documents')),
  };
  const limiter = authLimiter(opts.authLimits);
  const slack = opts.slack
    ? createSlackApp(deps, {
        ...opts.slack,
        publicUrl: opts.publicUrl,
        logger: opts.logger,
        authLimiter: limiter,
      })
    : null;
  const teams = opts.teams ? createTeamsApp(deps, { ...opts.teams, logger: opts.logger }) : null;
  // Each person's messages go to one chat (src/app/delivery.ts): the orgs' connections decide.
  const connected = async (orgId: string): Promise<ConnectedChats> => ({
    slack: !!slack && !!(await slack.workspaces.tokenFor(orgId)),
    teams: !!teams && !!(await deps.teams.tenantOf(orgId)),
  });
  const deliverer = slack
    ? slackDeliverer(deps, { ...opts.slack, workspaces: slack.workspaces, connected, logger: opts.logger })
    : null;
  const teamsDelivery = teams
    ? teamsDeliverer(deps, {
        render: renderForTeams,
        connectorFor: sdkConnector(teams.http, { botId: opts.teams!.clientId }),
        connected,
        logger: opts.logger,
        ...(opts.teams?.serviceUrl ? { serviceUrl: opts.teams.serviceUrl } : {}),
      })
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
    deliverers: [
      ...(deliverer ? [{ name: 'slack', drain: () => deliverer.drain() }] : []),
      ...(teamsDelivery ? [{ name: 'teams', drain: () => teamsDelivery.drain() }] : []),
    ],
    housekeeping: async () => ({
      ...(await sweepLeftovers(deps, uploadMaxAgeMs)),
      uploadDirs: await sweepUploadDirs(uploadLimits.tmpDir, uploadMaxAgeMs),
    }),
  });
  const app = createHttpApp({
    slackRouter: slack?.router,
    teamsRouter: teams?.router,
    slackOAuth: !!opts.slack?.oauth,
    deps,
    adminTokenHash: opts.adminTokenHash,
    authLimiter: limiter,
    trustProxy: opts.trustProxy,
    logger: opts.logger,
    uploadLimits,
    rootDir: opts.rootDir,
    version: opts.version ?? '0.1.0',
    health: { db: () => db.ping(), scheduler: () => scheduler.isUp() },
  });
  await slack?.start();
  await teams?.initialize();
  return {
    app,
    deps,
    db,
    scheduler,
    slackDeliverer: deliverer,
    teamsDeliverer: teamsDelivery,
    async close() {
      await slack?.stop();
      await scheduler.stop();
      await warmedUp();
      await compute.close();
      await db.close();
    },
  };
}
