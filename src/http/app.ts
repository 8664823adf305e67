/** The express app: health, API v1, openapi.json, and the error convention. */
import express, { type Express, type IRouter } from 'express';
import type { Deps } from '../app/ports.js';
import type { Logger } from '../logger.js';
import { authorizer } from './auth.js';
import type { AuthLimiter } from './authLimit.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './multipart.js';
import { securityHeaders } from './security.js';
import { mount, route, type AnyRoute } from './route.js';
import { cycleRoutes } from './routes/cycles.js';
import { datasetRoutes } from './routes/datasets.js';
import { memberRoutes } from './routes/members.js';
import { opsRoutes } from './routes/ops.js';
import { orgRoutes } from './routes/orgs.js';
import { packRoutes } from './routes/packs.js';
import { slackRoutes } from './routes/slack.js';
import { teamsRoutes } from './routes/teams.js';
import { decisionRoutes } from './routes/decisions.js';
import { meetingRoutes } from './routes/meetings.js';
import { soeRoutes } from './routes/soe.js';
import { templateRoutes } from './routes/templates.js';
import { linkRoutes } from './routes/links.js';
import { createWebRouter } from '../web/app.js';
import { webPages } from '../web/pages/index.js';

export interface Health {
  db: () => Promise<boolean>;
  scheduler: () => boolean;
}

export function createHttpApp(opts: {
  deps: Deps;
  /** SHA-256 (hex) of the admin token. */
  adminTokenHash: string;
  /** Counts failed authentications and refuses callers past the limits. */
  authLimiter: AuthLimiter;
  /** Proxy hops in front of Accord whose X-Forwarded-For is believed (0: the socket's address). */
  trustProxy?: number;
  logger: Logger;
  health: Health;
  version: string;
  slackRouter?: IRouter | undefined;
  /** The Teams app (`POST /api/messages`), when Teams is configured. */
  teamsRouter?: IRouter | undefined;
  /** Slack OAuth installs are configured (the install-link route works). */
  slackOAuth?: boolean;
  /** Bytes, rows and seconds an upload may take (DEFAULT_UPLOAD_LIMITS when unset). */
  uploadLimits?: UploadLimits | undefined;
  /** Where templates/ and public/ are (the web app's pages and assets). */
  rootDir: string;
}): Express {
  const { deps, logger } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', opts.trustProxy ?? 0);
  app.use(securityHeaders());

  const routes: AnyRoute[] = [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness and readiness: the database and the scheduler',
      tag: 'health',
      auth: 'none',
      responses: {
        200: { description: 'all up' },
        503: { description: 'the database or the scheduler is down' },
      },
      handler: async () => {
        const db = await opts.health.db().catch(() => false);
        const scheduler = opts.health.scheduler();
        const ok = db && scheduler;
        return {
          status: ok ? 200 : 503,
          body: {
            status: ok ? 'ok' : 'degraded',
            db: db ? 'up' : 'down',
            scheduler: scheduler ? 'up' : 'down',
          },
        };
      },
    }),
    ...orgRoutes(deps),
    ...memberRoutes(deps),
    ...cycleRoutes(deps),
    ...opsRoutes(deps),
    ...datasetRoutes(deps, opts.uploadLimits ?? DEFAULT_UPLOAD_LIMITS),
    ...templateRoutes(),
    ...packRoutes(deps),
    ...decisionRoutes(deps),
    ...meetingRoutes(deps),
    ...soeRoutes(deps),
    ...slackRoutes(deps, { oauth: opts.slackOAuth ?? false }),
    ...teamsRoutes(deps, { enabled: !!opts.teamsRouter }),
    ...linkRoutes(deps),
  ];
  let spec: unknown = null;
  routes.push(
    route({
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This document',
      tag: 'meta',
      auth: 'none',
      responses: { 200: { description: 'OpenAPI 3.0' } },
      handler: async () => ({ status: 200, body: spec }),
    }),
  );
  spec = openApiDocument(routes, opts.version);

  // Slack's endpoint reads the raw body itself (its signature covers the exact bytes).
  if (opts.slackRouter) app.use(opts.slackRouter);
  if (opts.teamsRouter) app.use(opts.teamsRouter);
  // The web app reads its own form bodies (urlencoded) and has its own CSP and sessions.
  app.use(
    createWebRouter({
      deps,
      rootDir: opts.rootDir,
      logger,
      routes: webPages(deps, { slackOAuth: opts.slackOAuth ?? false, teams: !!opts.teamsRouter }),
    }),
  );
  app.use(express.json({ limit: '256kb', type: 'application/json', strict: true }));
  const router = express.Router();
  mount(
    router,
    routes,
    authorizer({
      orgs: deps.orgs,
      adminTokenHash: opts.adminTokenHash,
      links: deps.links,
      clock: deps.clock,
      limiter: opts.authLimiter,
    }),
  );
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
