/**
 * The Slack app: a thin adapter over the use cases. Bolt 5 verifies each request's signature
 * (`/slack/events` on Accord's own express server, or Socket Mode), listeners ack at once, run one
 * use case and answer with a card rendered as Block Kit. This file holds the platform glue: the
 * receiver, authorize (an installed workspace's token, else the single token) and OAuth installs;
 * the listeners are in listeners/, one file per kind.
 */
import bolt from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import express, { type IRouter, type Request, type Response } from 'express';
import type { Deps } from '../../src/app/ports.js';
import type { Logger } from '../../src/logger.js';
import { clientAddress } from '../../src/http/auth.js';
import type { AuthLimiter } from '../../src/http/authLimit.js';
import { ApiError } from '../../src/http/errors.js';
import { slackContext } from './context.js';
import { mongoInstallationStore, SLACK_SCOPES, workspaces, type Workspaces } from './installations.js';
import * as actions from './listeners/actions.js';
import * as commands from './listeners/commands.js';
import * as events from './listeners/events.js';
import * as views from './listeners/views.js';

// @slack/bolt is CommonJS: take its named exports from the default export.
const { App, ExpressReceiver, SocketModeReceiver, LogLevel } = bolt;

/** How Slack is set up (see src/config.ts for the variables). */
export interface SlackSettings {
  signingSecret: string;
  /** One workspace: its bot token (for `orgId`, or the only org). */
  botToken?: string | undefined;
  /** Many workspaces: OAuth installs, stored in MongoDB, each mapped to the org whose link started it. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string } | undefined;
  /** Socket Mode (an app-level token, `xapp-...`) instead of the HTTP endpoint. */
  appToken?: string | undefined;
  /** Web API base URL (tests and proxies); Slack's own when unset. */
  apiUrl?: string | undefined;
  /** The org the single workspace belongs to; the only org when unset and there is just one. */
  orgId?: string | undefined;
  /** The channel for channel posts (the pack card); recipients get them directly when unset. */
  sopChannel?: string | undefined;
  /** A workspace-wide pace for chat.postMessage (per minute). */
  postsPerMinute?: number | undefined;
}

export interface SlackOptions extends SlackSettings {
  /** Accord's public base URL (the OAuth redirect). */
  publicUrl?: string | undefined;
  logger: Logger;
  /** Counts bad install links with the API's failed authentications. */
  authLimiter?: AuthLimiter | undefined;
}

export interface SlackApp {
  router: IRouter;
  workspaces: Workspaces;
  /** Starts the Socket Mode connection (nothing to do over HTTP). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(deps: Deps, opts: SlackOptions): SlackApp {
  const router = express.Router();
  const spaces = workspaces(deps, { botToken: opts.botToken, orgId: opts.orgId });
  const clientOptions = opts.apiUrl ? { slackApiUrl: opts.apiUrl.replace(/\/?$/, '/') } : {};
  const mongoStore = mongoInstallationStore(deps);
  // An install or uninstall here is seen at once by this process's authorize.
  const store: typeof mongoStore = {
    ...mongoStore,
    storeInstallation: async (installation, logger) => {
      await mongoStore.storeInstallation(installation, logger);
      spaces.forget();
    },
    deleteInstallation: async (query, logger) => {
      await mongoStore.deleteInstallation?.(query, logger);
      spaces.forget();
    },
  };
  // One authorize for both ways of running: an installed workspace's token, else the single token.
  const authorize = async (source: { teamId?: string | undefined; enterpriseId?: string | undefined }) => {
    const installed = await spaces.installation(source.teamId, source.enterpriseId);
    if (installed) return { botToken: installed.botToken, botUserId: installed.botUserId };
    if (opts.botToken) return { botToken: opts.botToken };
    throw new Error(
      `Accord is not installed in Slack workspace ${source.teamId ?? source.enterpriseId ?? '?'}`,
    );
  };

  const receiver = opts.appToken
    ? new SocketModeReceiver({
        appToken: opts.appToken,
        logLevel: LogLevel.ERROR,
        installerOptions: { clientOptions },
      })
    : new ExpressReceiver({
        signingSecret: opts.signingSecret,
        endpoints: '/slack/events',
        router,
        logLevel: LogLevel.ERROR,
        // Ack first, work after: Slack's 3 s never waits on Accord.
        processBeforeResponse: false,
      });
  const app = new App({
    receiver,
    authorize,
    logLevel: LogLevel.ERROR,
    clientOptions,
  });

  // OAuth: an install link signed for one org starts the install; the callback stores it.
  if (opts.oauth && !opts.appToken) {
    const base = (opts.publicUrl ?? '').replace(/\/+$/, '');
    const installer = new InstallProvider({
      clientId: opts.oauth.clientId,
      clientSecret: opts.oauth.clientSecret,
      stateSecret: opts.oauth.stateSecret,
      installationStore: store,
      directInstall: true,
      clientOptions,
      logLevel: LogLevel.ERROR,
    });
    router.get('/slack/install/:orgId', async (req: Request, res: Response) => {
      const orgId = String(req.params['orgId']);
      const caller = { address: clientAddress(req) };
      try {
        await opts.authLimiter?.check(caller);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        res.set(err.headers).status(err.status).type('text/plain').send(err.message);
        return;
      }
      const linked = (await deps.links.verify(req.originalUrl, deps.clock.now())) === 'ok';
      const org = linked ? await deps.orgs.get(orgId) : null;
      if (!org) {
        await opts.authLimiter?.failed(caller);
        res
          .status(403)
          .type('text/plain')
          .send(
            'This install link is not valid or has expired. Ask your Accord administrator for a new one.',
          );
        return;
      }
      await installer.handleInstallPath(req, res, undefined, {
        scopes: [...SLACK_SCOPES],
        metadata: org.id,
        redirectUri: `${base}/slack/oauth_redirect`,
      });
    });
    router.get('/slack/oauth_redirect', async (req: Request, res: Response) => {
      await installer.handleCallback(req, res, {
        success: (installation, _options, _req, res2) => {
          res2.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res2.end(
            `Accord is installed in ${installation.team?.name ?? 'your workspace'}. Type /sop in Slack to start.`,
          );
        },
        failure: (error, _options, _req, res2) => {
          opts.logger.warn({ code: (error as { code?: string }).code }, 'a Slack install failed');
          res2.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          res2.end('The installation did not complete. Start again from your install link.');
        },
      });
    });
  }

  const ctx = slackContext(deps, spaces, opts.logger);
  for (const listeners of [commands, events, actions, views]) listeners.register(app, ctx);

  app.error(async (err) => {
    opts.logger.error({ err }, 'slack handler failed');
  });

  return {
    router,
    workspaces: spaces,
    start: async () => {
      if (opts.appToken) await app.start();
    },
    stop: async () => {
      if (opts.appToken) await app.stop();
    },
  };
}
