/**
 * Failed authentications are limited per client address and per token prefix: past the limit a
 * request gets 429 with Retry-After before any token is looked up; successes are never counted;
 * bad signed links count too. Secrets never reach a log line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';

const LIMITS = { perAddress: 6, perToken: 3, windowSeconds: 60 };
let t: TestAccord;
let org: OrgHandle;

beforeAll(async () => {
  // X-Forwarded-For names the client (one proxy hop), so each test can be its own address.
  t = await startTestAccord({ authLimits: LIMITS, trustProxy: 1 });
  org = await buildOrg(t);
});
afterAll(() => t.close());

const bogus = (prefix = 'acc_') => `${prefix}${Math.random().toString(36).slice(2)}${'x'.repeat(30)}`;
const get = (address: string, token: string) =>
  t.http
    .get(`/api/v1/orgs/${org.id}`)
    .set('X-Forwarded-For', address)
    .set('Authorization', `Bearer ${token}`);

describe('failed authentications', () => {
  it('are refused with 429 and Retry-After past the limit per address, before the token lookup', async () => {
    const lookups = jest.spyOn(t.accord.deps.orgs, 'findIdByTokenHash');
    try {
      for (let i = 0; i < LIMITS.perAddress; i++)
        expect((await get('10.0.0.1', bogus(`acc_a${i}`))).status).toBe(401);
      expect(lookups).toHaveBeenCalledTimes(LIMITS.perAddress);
      const refused = await get('10.0.0.1', bogus('acc_fresh'));
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('too_many_failures');
      expect(refused.body.error.message).toMatch(/from this address; try again in \d+ s/);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(LIMITS.windowSeconds);
      // The refusal cost no lookup, and neither does a good token from that address now.
      expect((await get('10.0.0.1', org.token)).status).toBe(429);
      expect(lookups).toHaveBeenCalledTimes(LIMITS.perAddress);
      // Other addresses are not affected; the admin token (checked without the database) still works.
      expect((await get('10.0.0.2', org.token)).status).toBe(200);
      expect((await get('10.0.0.1', t.adminToken)).status).toBe(200);
    } finally {
      lookups.mockRestore();
    }
  });

  it('are limited per token prefix across addresses, and successes are never counted', async () => {
    const prefix = org.token.slice(0, 10);
    for (let i = 0; i < 20; i++) expect((await get(`10.1.0.${i}`, org.token)).status).toBe(200);
    // Guesses at this token from many addresses: one address each, so only the prefix limit applies.
    for (let i = 0; i < LIMITS.perToken; i++)
      expect((await get(`10.2.0.${i}`, `${prefix}${'y'.repeat(33)}${i}`)).status).toBe(401);
    const refused = await get('10.2.0.200', `${prefix}${'z'.repeat(34)}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain(`tokens starting ${prefix}`);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Tokens with another prefix are not affected.
    const second = await t.http
      .post(`/api/v1/orgs/${org.id}/tokens`)
      .set('X-Forwarded-For', '10.3.0.1')
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(second.status).toBe(201);
    expect((await get('10.3.0.2', second.body.apiToken)).status).toBe(200);
  });

  it('count bad signed links, and clear after the window', async () => {
    const quick = await startTestAccord({
      dbName: t.dbName,
      fresh: false,
      authLimits: { perAddress: 2, perToken: 2, windowSeconds: 1 },
      trustProxy: 1,
    });
    try {
      const cycle = (
        await quick.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-03' })
      ).body.id as string;
      const link = (await quick.accord.deps.links.forOrg(org.id))
        .signed(`/api/v1/orgs/${org.id}/cycles/${cycle}/pack.html`, quick.clock.now())
        .replace(/^https?:\/\/[^/]+/, '');
      const open = (url: string) => quick.http.get(url).set('X-Forwarded-For', '10.4.0.1');
      // No pack yet: a good link gets through to a 404.
      expect((await open(link)).status).toBe(404);
      const forged = link.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`);
      expect((await open(forged)).status).toBe(401);
      expect((await open(forged)).status).toBe(401);
      const refused = await open(link);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await open(link)).status).toBe(404);
    } finally {
      await quick.close();
    }
  });

  it('are configured from the environment, with defaults', () => {
    expect(loadConfig({}).authLimits).toEqual({ perAddress: 30, perToken: 10, windowSeconds: 600 });
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(
      loadConfig({
        ACCORD_AUTH_FAILURES_PER_ADDRESS: '100',
        ACCORD_AUTH_FAILURES_PER_TOKEN: '5',
        ACCORD_AUTH_FAILURE_WINDOW: '60',
        ACCORD_TRUST_PROXY: '1',
      }),
    ).toMatchObject({ authLimits: { perAddress: 100, perToken: 5, windowSeconds: 60 }, trustProxy: 1 });
    expect(() => loadConfig({ ACCORD_AUTH_FAILURES_PER_TOKEN: '0' })).toThrow(
      /ACCORD_AUTH_FAILURES_PER_TOKEN/,
    );
    expect(() => loadConfig({ ACCORD_AUTH_FAILURE_WINDOW: 'soon' })).toThrow(/ACCORD_AUTH_FAILURE_WINDOW/);
  });
});

describe('logs', () => {
  it('never carry a secret Accord holds', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);
    const secrets = {
      botToken: 'xoxb-secret-bot',
      appToken: 'xapp-secret-app',
      clientSecret: 'client-secret-value',
      signingSecret: 'signing-secret-value',
      linkSecret: 'link-secret-value',
      linkKey: 'link-key-value',
      secret: 'enc:v1:sealed-value',
      sig: 'signature-value',
      packUrl: 'https://accord.example/pack.html?exp=1&sig=signed-url-value',
    };
    logger.info(secrets, 'top level');
    logger.info({ installation: secrets, slack: secrets }, 'nested');
    const err = Object.assign(new Error('An HTTP protocol error occurred'), {
      original: {
        config: {
          headers: { Authorization: 'Bearer xoxb-in-a-failed-call' },
          data: 'client_secret=oauth-body',
        },
      },
    });
    logger.error({ err }, 'a Slack call failed');
    const out = lines.join('');
    for (const value of [...Object.values(secrets), 'xoxb-in-a-failed-call', 'oauth-body'])
      expect(out).not.toContain(value);
    expect(out).toContain('[redacted]');
    expect(out).toContain('An HTTP protocol error occurred');
  });
});
