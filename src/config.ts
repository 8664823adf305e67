/** Configuration from the environment, parsed once at start; a bad value stops the process with a clear message. */
import path from 'node:path';
import type { SlackSettings } from './slack/app.js';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
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
  /** Signs links to packs; defaults to a key derived from the admin token. */
  ACCORD_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
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
  /** Upload budgets (step-1 data): body size, data rows, wall time. */
  ACCORD_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(4096).default(256),
  ACCORD_UPLOAD_MAX_ROWS: z.coerce.number().int().min(1).max(100_000_000).default(2_000_000),
  ACCORD_UPLOAD_MAX_SECONDS: z.coerce.number().int().min(5).max(3600).default(240),
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
  slack: SlackSettings | undefined;
  uploads: { maxBytes: number; maxRows: number; maxSeconds: number };
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
    slack,
    uploads: {
      maxBytes: e.ACCORD_UPLOAD_MAX_MB * 2 ** 20,
      maxRows: e.ACCORD_UPLOAD_MAX_ROWS,
      maxSeconds: e.ACCORD_UPLOAD_MAX_SECONDS,
    },
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
