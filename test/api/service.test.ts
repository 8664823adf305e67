/** The service as a newcomer meets it: configuration, the demo seed, health, the OpenAPI document, redacted logs. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { seedDemo } from '../../src/seed.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';

let t: TestAccord;
beforeAll(async () => {
  t = await startTestAccord({ now: '2026-11-26T10:00:00Z' });
});
afterAll(() => t.close());

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      mongodbUri: undefined,
      adminToken: undefined,
    });
    expect(c.dataDir).toMatch(/\.data$/);
  });
  it('refuses bad values, naming each variable', () => {
    expect(() =>
      loadConfig({
        PORT: 'eighty',
        MONGODB_URI: 'postgres://x',
        ACCORD_ADMIN_TOKEN: 'short',
        LOG_LEVEL: 'loud',
      }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', ACCORD_ADMIN_TOKEN: 'short' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('MONGODB_URI: must start with mongodb://');
      expect(msg).toContain('ACCORD_ADMIN_TOKEN: must be at least 32 characters');
    }
  });
});

describe('Slack configuration', () => {
  const bad = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      return (e as Error).message.split('\n')[1]!.trim();
    }
    return 'accepted';
  };
  it('runs one workspace, many (OAuth) or Socket Mode, and refuses what is half set', () => {
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'secret-123', SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toMatchObject(
      {
        botToken: 'xoxb-1',
        oauth: undefined,
        appToken: undefined,
      },
    );
    expect(
      loadConfig({
        SLACK_SIGNING_SECRET: 'secret-123',
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: 'client-secret',
        SLACK_STATE_SECRET: 'state-secret-0123456',
      }).slack,
    ).toMatchObject({ botToken: undefined, oauth: { clientId: '1.2' } });
    expect(loadConfig({ SLACK_APP_TOKEN: 'xapp-1', SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toMatchObject({
      appToken: 'xapp-1',
    });
    expect(loadConfig({}).slack).toBeUndefined();
    expect(bad({ SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(/^SLACK_SIGNING_SECRET: set it/);
    expect(bad({ SLACK_SIGNING_SECRET: 'secret-123' })).toMatch(/^SLACK_BOT_TOKEN: set it \(one workspace\)/);
    expect(bad({ SLACK_SIGNING_SECRET: 'secret-123', SLACK_CLIENT_ID: '1.2' })).toMatch(
      /^SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET: set all three/,
    );
    expect(bad({ SLACK_APP_TOKEN: 'xapp-1' })).toMatch(/^SLACK_BOT_TOKEN: Socket Mode/);
    expect(bad({ SLACK_APP_TOKEN: 'xoxb-1', SLACK_BOT_TOKEN: 'xoxb-1' })).toContain('SLACK_APP_TOKEN');
  });
});

describe('the demo seed', () => {
  it('creates an org with members in three time zones and a cycle for next month', async () => {
    const demo = await seedDemo(t.accord.deps);
    expect(demo.month).toBe('2026-12');
    const auth = { Authorization: `Bearer ${demo.apiToken}` };
    const members = (await t.http.get(`/api/v1/orgs/${demo.orgId}/members`).set(auth)).body.items as {
      timezone: string;
      roles: string[];
    }[];
    expect(new Set(members.map((m) => m.timezone))).toEqual(
      new Set(['Europe/Berlin', 'America/New_York', 'Asia/Singapore']),
    );
    expect(members.some((m) => m.roles.includes('process-owner'))).toBe(true);
    const cycle = (await t.http.get(`/api/v1/orgs/${demo.orgId}/cycles/${demo.cycleId}`).set(auth)).body;
    expect(cycle.status).toBe('planned');
    // 24, 25 and 26 December are holidays in the demo calendar; executive S&OP (BD13) is 17 December.
    expect(cycle.steps[4].opensAt).toBe('2026-12-17T08:00:00.000Z');
    expect(cycle.inputs.every((i: { owners: unknown[] }) => i.owners.length > 0)).toBe(true);
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('describes every route with its schemas', async () => {
    const res = await t.http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.0.3');
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/api/v1/orgs',
        '/api/v1/orgs/{orgId}/members',
        '/api/v1/orgs/{orgId}/cycles',
        '/api/v1/orgs/{orgId}/cycles/{cycleId}',
        '/api/v1/orgs/{orgId}/cycles/{cycleId}/steps/{step}/extend',
        '/api/v1/orgs/{orgId}/outbox',
        '/api/v1/orgs/{orgId}/audit',
      ]),
    );
    const createOrg = res.body.paths['/api/v1/orgs'].post;
    expect(createOrg.requestBody.content['application/json'].schema.required).toEqual(['name', 'timezone']);
    const createCycle = res.body.paths['/api/v1/orgs/{orgId}/cycles'].post;
    expect(createCycle.requestBody.content['application/json'].schema.properties.month.pattern).toBeDefined();
  });
});

describe('health', () => {
  it('answers 503 when the database is down', async () => {
    await t.accord.scheduler.start();
    expect((await t.http.get('/healthz')).status).toBe(200);
    const other = await startTestAccord({ dbName: t.dbName, fresh: false });
    await other.accord.db.close();
    const res = await other.http.get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', db: 'down' });
  });
});

describe('logs', () => {
  it('never carry a token or an authorization header', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger('info', sink);
    log.info(
      {
        apiToken: 'acc_secret1',
        req: { headers: { authorization: 'Bearer acc_secret2' } },
        org: { token: 'acc_secret3' },
      },
      'hello',
    );
    expect(lines.join('')).not.toMatch(/acc_secret/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
