/**
 * The Microsoft Teams app: the Teams SDK (2.0.16) mounted on Accord's own express server at
 * `POST /api/messages`. The SDK checks every inbound request's JWT (RS256, audience = the client id,
 * issuer, the token's serviceurl against the activity's, keys from the cloud's OpenID metadata);
 * unauthenticated requests are never allowed. Listeners are in listeners/, one file per kind;
 * sends go through the outbox and bots/teams/deliver.ts.
 */
import { PUBLIC, withOverrides, type TokenCredentials } from '@microsoft/teams.api';
import { App, ExpressAdapter } from '@microsoft/teams.apps';
import express, { type Express } from 'express';
import type { Deps } from '../../src/app/ports.js';
import type { Logger } from '../../src/logger.js';
import { teamsContext, type TeamsSettings } from './context.js';
import * as cards from './listeners/cards.js';
import * as dialogs from './listeners/dialogs.js';
import * as install from './listeners/install.js';
import * as messages from './listeners/messages.js';
import { sdkLogger } from './logger.js';

export type { TeamsSettings } from './context.js';

export interface TeamsOptions extends TeamsSettings {
  logger: Logger;
  /** Tests only: the bot's outbound token (MSAL cannot be pointed at a local fake). */
  token?: TokenCredentials['token'] | undefined;
}

export interface TeamsApp {
  /** The express app serving `/api/messages`; mount it before any catch-all. */
  router: Express;
  /** The SDK's http client, carrying the bot's token (the deliverer sends with it). */
  http: App['api']['http'];
  /** Routes the SDK's handlers; call once before requests arrive. */
  initialize(): Promise<void>;
}

/** The public cloud's Bot Connector (1:1 chats created before a person has written). */
const PUBLIC_SERVICE_URL = 'https://smba.trafficmanager.net/teams';
/** Variables the SDK reads by itself when Accord leaves an option unset: Accord's are TEAMS_*. */
const SDK_ENV = [
  'CLIENT_ID',
  'CLIENT_SECRET',
  'TENANT_ID',
  'SERVICE_URL',
  'CLOUD',
  'MANAGED_IDENTITY_CLIENT_ID',
];

export function createTeamsApp(deps: Deps, opts: TeamsOptions): TeamsApp {
  const stray = SDK_ENV.filter((name) => process.env[name]);
  if (stray.length)
    opts.logger.warn(
      { variables: stray },
      'the Teams SDK reads these variables when a TEAMS_* one is unset: unset them, or set the TEAMS_* ones',
    );
  const router = express();
  router.disable('x-powered-by');
  const app = new App({
    clientId: opts.clientId,
    // A given token (tests) replaces the secret: the SDK would otherwise ask Entra for one.
    ...(opts.token ? { token: opts.token } : opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
    ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
    // Given always, so the SDK never falls back to a SERVICE_URL of the environment.
    serviceUrl: opts.serviceUrl ?? PUBLIC_SERVICE_URL,
    cloud: opts.openIdMetadataUrl
      ? withOverrides(PUBLIC, { openIdMetadataUrl: opts.openIdMetadataUrl })
      : PUBLIC,
    httpServerAdapter: new ExpressAdapter(router),
    messagingEndpoint: '/api/messages',
    logger: sdkLogger(opts.logger),
    // Never: every inbound request carries a Bot Framework token, checked by the SDK.
    dangerouslyAllowUnauthenticatedRequests: false,
    activity: { mentions: { stripText: true } },
  });
  const ctx = teamsContext(deps, opts, opts.logger);
  for (const listeners of [messages, install, cards, dialogs]) listeners.register(app, ctx);
  app.event('error', ({ error }) => {
    opts.logger.error({ err: error }, 'teams handler failed');
  });
  return {
    router,
    http: app.api.http,
    initialize: () => app.initialize(),
  };
}
