/** Configuration from the environment, parsed once at start; a bad value stops the process with a clear message. */
import path from 'node:path';
import type { SlackSettings } from '../bots/slack/app.js';
import type { TeamsSettings } from '../bots/teams/app.js';
import { z } from 'zod';
import { parseKey, type Key } from './app/sealing.js';
import { DEFAULT_AUTH_LIMITS, type AuthLimits } from './http/authLimit.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_MESSAGE = 'must be 32 bytes in base64, e.g. the output of: openssl rand -base64 32';
const key = z.string().refine((v) => parseKey(v) !== null, KEY_MESSAGE);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Loopback only by default; HOST=0.0.0.0 listens on every interface (containers). */
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  ACCORD_ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCORD_DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often the scheduler sweeps cycles (agenda interval). */
  ACCORD_SWEEP_INTERVAL: z.string().default('1 minute'),
  /** Where people reach this service (links in chat cards); defaults to http://localhost:PORT. */
  ACCORD_PUBLIC_URL: z.string().url('must be a URL such as https://accord.example.com').optional(),
  /** Signs links to packs (with each org's link key); unset: generated once into the data directory. */
  ACCORD_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Seals chat installation tokens in the database; unset: generated once into the data directory. */
  ACCORD_ENCRYPTION_KEY: key.optional(),
  /** Earlier keys (comma-separated), kept to read what they sealed until the start re-seals it. */
  ACCORD_ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => parseKey(k) !== null), `each key ${KEY_MESSAGE}`)
    .optional(),
  /** Failed authentications allowed per client address / per token prefix in the window (seconds). */
  ACCORD_AUTH_FAILURES_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_AUTH_LIMITS.perAddress),
  ACCORD_AUTH_FAILURES_PER_TOKEN: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(DEFAULT_AUTH_LIMITS.perToken),
  ACCORD_AUTH_FAILURE_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_AUTH_LIMITS.windowSeconds),
  /** Proxy hops in front of Accord whose X-Forwarded-For names the client (0: none). */
  ACCORD_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-...)')
    .optional(),
  SLACK_API_URL: z.string().url().optional(),
  /** The Accord org this (single) workspace belongs to; the only org when unset. */
  SLACK_ORG_ID: z
    .string()
    .regex(/^[a-f0-9]{24}$/, 'must be an org id')
    .optional(),
  /** The channel the pre-S&OP pack card goes to (its id, e.g. C0123ABC). */
  SLACK_SOP_CHANNEL: z
    .string()
    .regex(/^[CG][A-Z0-9]+$/, 'must be a channel id such as C0123ABC')
    .optional(),
  /** Many workspaces: OAuth installs (all three, with SLACK_SIGNING_SECRET). */
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(8).optional(),
  SLACK_STATE_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Socket Mode: an app-level token (xapp-...) instead of the public HTTP endpoint. */
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-...)')
    .optional(),
  /** A workspace-wide pace for chat.postMessage; unset: only Slack's 429s slow delivery. */
  SLACK_POSTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Microsoft Teams: the Entra app registration (the bot) and its secret. */
  TEAMS_CLIENT_ID: z.string().regex(GUID, "must be the app registration's client id (a GUID)").optional(),
  TEAMS_CLIENT_SECRET: z.string().min(8).optional(),
  /** Single tenant: the tenant the app is registered in; unset: tenants connect with a code. */
  TEAMS_TENANT_ID: z.string().regex(GUID, 'must be a tenant id (a GUID)').optional(),
  /** Sovereign clouds (GCC High, DoD, China): the OpenID metadata of the Bot Framework tokens. */
  TEAMS_OPENID_METADATA_URL: z.string().url('must be a URL ending in /openidconfiguration').optional(),
  /** Sovereign clouds: the Bot Connector for sends to conversations Accord has not heard from. */
  TEAMS_SERVICE_URL: z
    .string()
    .url('must be a URL such as https://smba.infra.gcc.teams.microsoft.com/teams')
    .optional(),
  /** The Accord org a single tenant belongs to; the only org when unset. */
  TEAMS_ORG_ID: z
    .string()
    .regex(/^[a-f0-9]{24}$/, 'must be an org id')
    .optional(),
  /** Upload budgets (step-1 data): body size, data rows, wall time. */
  ACCORD_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(4096).default(256),
  ACCORD_UPLOAD_MAX_ROWS: z.coerce.number().int().min(1).max(100_000_000).default(2_000_000),
  ACCORD_UPLOAD_MAX_SECONDS: z.coerce.number().int().min(5).max(3600).default(240),
  /** Worker threads for planning (LP, forecasts, Monte Carlo); 0 runs them in the main thread. Unset: one per core, up to 8. */
  ACCORD_PLAN_THREADS: z.coerce.number().int().min(0).max(64).optional(),
});

export interface Config {
  port: number;
  host: string;
  mongodbUri: string | undefined;
  adminToken: string | undefined;
  dataDir: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  sweepInterval: string;
  publicUrl: string;
  linkSecret: string | undefined;
  encryptionKey: Key | undefined;
  encryptionKeysPrevious: Key[];
  authLimits: AuthLimits;
  trustProxy: number;
  slack: SlackSettings | undefined;
  teams: TeamsSettings | undefined;
  uploads: { maxBytes: number; maxRows: number; maxSeconds: number };
  planThreads: number | undefined;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Accord cannot start: the environment is not valid\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const slack = slackMode(e);
  const teams = teamsMode(e);
  return {
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    adminToken: e.ACCORD_ADMIN_TOKEN,
    dataDir: path.resolve(e.ACCORD_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    sweepInterval: e.ACCORD_SWEEP_INTERVAL,
    publicUrl: e.ACCORD_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    linkSecret: e.ACCORD_LINK_SECRET,
    encryptionKey: e.ACCORD_ENCRYPTION_KEY ? parseKey(e.ACCORD_ENCRYPTION_KEY)! : undefined,
    encryptionKeysPrevious: (e.ACCORD_ENCRYPTION_KEYS_PREVIOUS ?? '')
      .split(',')
      .filter((k) => k.trim())
      .map((k) => parseKey(k)!),
    authLimits: {
      perAddress: e.ACCORD_AUTH_FAILURES_PER_ADDRESS,
      perToken: e.ACCORD_AUTH_FAILURES_PER_TOKEN,
      windowSeconds: e.ACCORD_AUTH_FAILURE_WINDOW,
    },
    trustProxy: e.ACCORD_TRUST_PROXY,
    slack,
    teams,
    uploads: {
      maxBytes: e.ACCORD_UPLOAD_MAX_MB * 2 ** 20,
      maxRows: e.ACCORD_UPLOAD_MAX_ROWS,
      maxSeconds: e.ACCORD_UPLOAD_MAX_SECONDS,
    },
    planThreads: e.ACCORD_PLAN_THREADS,
  };
}

/**
 * Which way Slack runs, from the variables set: one workspace (signing secret + bot token), many
 * (signing secret + OAuth client id, secret and state secret), or Socket Mode (app token + bot
 * token). Anything half set is refused with what is missing.
 */
function slackMode(e: z.infer<typeof schema>): Config['slack'] {
  const refuse = (line: string) => {
    throw new ConfigError(`Accord cannot start: the environment is not valid\n  ${line}`);
  };
  const oauthSet = [e.SLACK_CLIENT_ID, e.SLACK_CLIENT_SECRET, e.SLACK_STATE_SECRET].filter(Boolean).length;
  const any = e.SLACK_SIGNING_SECRET || e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || oauthSet;
  if (!any) return undefined;
  if (oauthSet && oauthSet < 3)
    refuse(
      'SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET: set all three for OAuth installs, or none',
    );
  if (e.SLACK_APP_TOKEN) {
    if (!e.SLACK_BOT_TOKEN) refuse('SLACK_BOT_TOKEN: Socket Mode (SLACK_APP_TOKEN) needs the bot token too');
    if (oauthSet)
      refuse('SLACK_CLIENT_ID: OAuth installs need the HTTP endpoint; unset SLACK_APP_TOKEN to use them');
  } else {
    if (!e.SLACK_SIGNING_SECRET)
      refuse('SLACK_SIGNING_SECRET: set it to run the Slack app (with SLACK_BOT_TOKEN or OAuth)');
    if (!e.SLACK_BOT_TOKEN && !oauthSet)
      refuse(
        'SLACK_BOT_TOKEN: set it (one workspace), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (many)',
      );
  }
  return {
    signingSecret: e.SLACK_SIGNING_SECRET ?? '',
    botToken: e.SLACK_BOT_TOKEN,
    oauth: oauthSet
      ? {
          clientId: e.SLACK_CLIENT_ID!,
          clientSecret: e.SLACK_CLIENT_SECRET!,
          stateSecret: e.SLACK_STATE_SECRET!,
        }
      : undefined,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl: e.SLACK_API_URL,
    orgId: e.SLACK_ORG_ID,
    sopChannel: e.SLACK_SOP_CHANNEL,
    postsPerMinute: e.SLACK_POSTS_PER_MINUTE,
  };
}

/**
 * Teams runs when its client id is set, with the secret beside it; a Teams variable set without
 * the client id is refused with what is missing, as is the client id without the secret.
 */
function teamsMode(e: z.infer<typeof schema>): Config['teams'] {
  const refuse = (line: string) => {
    throw new ConfigError(`Accord cannot start: the environment is not valid\n  ${line}`);
  };
  const others = {
    TEAMS_CLIENT_SECRET: e.TEAMS_CLIENT_SECRET,
    TEAMS_TENANT_ID: e.TEAMS_TENANT_ID,
    TEAMS_OPENID_METADATA_URL: e.TEAMS_OPENID_METADATA_URL,
    TEAMS_SERVICE_URL: e.TEAMS_SERVICE_URL,
    TEAMS_ORG_ID: e.TEAMS_ORG_ID,
  };
  if (!e.TEAMS_CLIENT_ID) {
    const set = Object.entries(others)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    if (set.length)
      refuse(
        `TEAMS_CLIENT_ID: set it to run the Teams app (${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set)`,
      );
    return undefined;
  }
  if (!e.TEAMS_CLIENT_SECRET)
    refuse('TEAMS_CLIENT_SECRET: set it with TEAMS_CLIENT_ID (a client secret of the app registration)');
  if (e.TEAMS_ORG_ID && !e.TEAMS_TENANT_ID)
    refuse('TEAMS_TENANT_ID: TEAMS_ORG_ID names the org of a single tenant; set the tenant too');
  return {
    clientId: e.TEAMS_CLIENT_ID,
    clientSecret: e.TEAMS_CLIENT_SECRET,
    tenantId: e.TEAMS_TENANT_ID,
    openIdMetadataUrl: e.TEAMS_OPENID_METADATA_URL,
    serviceUrl: e.TEAMS_SERVICE_URL,
    orgId: e.TEAMS_ORG_ID,
  };
}
