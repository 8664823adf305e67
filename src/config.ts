/** Configuration from the environment, parsed once at start; a bad value stops the process with a clear message. */
import path from 'node:path';
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
  slack:
    | {
        signingSecret: string;
        botToken: string;
        apiUrl: string | undefined;
        orgId: string | undefined;
        sopChannel: string | undefined;
      }
    | undefined;
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
  if (!!e.SLACK_SIGNING_SECRET !== !!e.SLACK_BOT_TOKEN)
    throw new ConfigError(
      'Accord cannot start: the environment is not valid\n  SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN: set both to run the Slack app, or neither',
    );
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
    slack:
      e.SLACK_SIGNING_SECRET && e.SLACK_BOT_TOKEN
        ? {
            signingSecret: e.SLACK_SIGNING_SECRET,
            botToken: e.SLACK_BOT_TOKEN,
            apiUrl: e.SLACK_API_URL,
            orgId: e.SLACK_ORG_ID,
            sopChannel: e.SLACK_SOP_CHANNEL,
          }
        : undefined,
  };
}
