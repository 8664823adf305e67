/**
 * Starting the service as a newcomer would (`npm start`, through src/service.ts) against a real
 * database: it listens on loopback by default and says where; tokens are printed once, at creation,
 * and kept nowhere in clear; the data directory is 0700 with 0600 files; older clear-text files are
 * migrated; `accord admin-token --rotate` and `accord encryption-key --rotate` give new secrets.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { hashToken } from '../../src/app/tokens.js';
import { runSecretsCommand } from '../../src/cli/secrets.js';
import { loadConfig } from '../../src/config.js';
import { secureDataDir } from '../../src/secrets.js';
import { startService, urlFor, type Service } from '../../src/service.js';
import { testDbName } from '../helpers/accord.js';

const dbName = testDbName();
let uri: string;
let dataDir: string;

const env = (extra: Record<string, string> = {}) => ({
  MONGODB_URI: uri,
  ACCORD_DATA_DIR: dataDir,
  PORT: '0',
  LOG_LEVEL: 'silent',
  // The sweep runs at each start; a later one is never due during a test (agenda keeps a timer for
  // a job due within its look-ahead, even after stop).
  ACCORD_SWEEP_INTERVAL: '1 hour',
  ...extra,
});

/** Starts the service and returns it with what it printed. */
async function start(extra: Record<string, string> = {}): Promise<{ service: Service; out: string }> {
  const lines: string[] = [];
  const service = await startService({ env: env(extra), say: (l = '') => lines.push(l) });
  return { service, out: lines.join('\n') };
}

const mode = (file: string) => statSync(file).mode & 0o777;
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
const call = (service: Service, route: string, token: string, method = 'GET') =>
  fetch(`${service.url}${route}`, { method, headers: { Authorization: `Bearer ${token}` } });

beforeAll(async () => {
  const u = new URL(process.env['ACCORD_TEST_MONGODB_URI']!);
  u.pathname = `/${dbName}`;
  uri = u.toString();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
  dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'accord-start-')), 'data');
});
afterAll(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

let adminToken: string;
let demo: { orgId: string; token: string };

describe('the first start', () => {
  it('listens on loopback by default and prints the address it really listens on', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(urlFor({ address: '0.0.0.0', family: 'IPv4', port: 8080 })).toBe('http://localhost:8080');
    expect(urlFor({ address: '::', family: 'IPv6', port: 8080 })).toBe('http://localhost:8080');
    expect(urlFor({ address: '::1', family: 'IPv6', port: 8080 })).toBe('http://[::1]:8080');
  });

  it('prints the admin token, the demo token and the pack link once, and keeps none of them', async () => {
    const { service, out } = await start();
    try {
      const port = service.address.port;
      expect(port).toBeGreaterThan(0);
      expect(service.address.address).toBe('127.0.0.1');
      expect(out).toContain(`Accord is running at http://127.0.0.1:${port}`);
      expect(out).toContain(`listening on 127.0.0.1:${port} only (HOST=0.0.0.0 listens on every interface`);
      adminToken =
        /admin token \(shown once; only its SHA-256 is kept, in .*admin-token\.sha256\): (adm_[\w-]{43})/.exec(
          out,
        )![1]!;
      const seeded =
        /demo org ([a-f0-9]{24}) \(cycle \d{4}-\d{2}\), token \(shown once\): (acc_[\w-]{43})/.exec(out)!;
      demo = { orgId: seeded[1]!, token: seeded[2]! };
      const packUrl = /demo pre-S&OP pack \(link valid 45 days\): (\S+)/.exec(out)![1]!;

      // Each works, over real HTTP.
      expect((await call(service, '/api/v1/orgs', adminToken)).status).toBe(200);
      expect((await call(service, `/api/v1/orgs/${demo.orgId}/cycles`, demo.token)).status).toBe(200);
      const pack = await fetch(`${service.url}${packUrl.replace(/^https?:\/\/[^/]+/, '')}`);
      expect(pack.status).toBe(200);
      expect(pack.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

      // The data directory is its owner's alone and holds no token in clear.
      expect(mode(dataDir)).toBe(0o700);
      const files = filesUnder(dataDir);
      expect(files.map((f) => path.basename(f)).sort()).toEqual([
        'admin-token.sha256',
        'demo-org.json',
        'encryption-key',
        'link-secret',
      ]);
      for (const f of files) {
        expect([f, mode(f)]).toEqual([f, 0o600]);
        const text = readFileSync(f, 'utf8');
        expect(text).not.toContain(adminToken);
        expect(text).not.toContain(demo.token);
      }
      expect(readFileSync(path.join(dataDir, 'admin-token.sha256'), 'utf8').trim()).toBe(
        hashToken(adminToken),
      );
      expect(Object.keys(JSON.parse(readFileSync(path.join(dataDir, 'demo-org.json'), 'utf8')))).toEqual([
        'orgId',
        'cycleId',
        'month',
      ]);
    } finally {
      await service.stop();
    }
  });
});

describe('a later start', () => {
  it('prints no token, and says how to get new ones', async () => {
    const { service, out } = await start();
    try {
      expect(out).not.toMatch(/adm_[\w-]{20}/);
      expect(out).not.toMatch(/acc_[\w-]{20}/);
      expect(out).toContain('admin token: shown once when it was created');
      expect(out).toContain('npx accord admin-token --rotate');
      expect(out).toContain(`its token was shown once, when it was seeded`);
      // The web app: a fresh one-time link for the demo's process owner at each start.
      // (PORT=0 here: the banner's links name the configured port, as the pack link above does.)
      let link = /http:\/\/\S+(\/app\/sign-in\/[\w-]{43})/.exec(out)?.[1];
      expect(link).toBeDefined();
      link = `${service.url}${link}`;
      const signed = await fetch(link, { method: 'POST', redirect: 'manual' });
      expect(signed.status).toBe(303);
      const cookie = signed.headers.get('set-cookie')!.split(';')[0]!;
      const board = await fetch(`${service.url}/app/board`, { headers: { cookie } });
      expect(board.status).toBe(200);
      expect(await board.text()).toContain('Petra Weber');
      expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBe(403);
      expect(out).toContain(
        `curl -X POST -H "Authorization: Bearer <admin token>" ${service.url}/api/v1/orgs/${demo.orgId}/tokens`,
      );
      // That call gives the demo org a new token.
      const issued = await call(service, `/api/v1/orgs/${demo.orgId}/tokens`, adminToken, 'POST');
      expect(issued.status).toBe(201);
      const { apiToken } = (await issued.json()) as { apiToken: string };
      expect((await call(service, `/api/v1/orgs/${demo.orgId}`, apiToken)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('says the admin token comes from the environment when it does', async () => {
    const fromEnv = `adm_${'e'.repeat(40)}`;
    const { service, out } = await start({ ACCORD_ADMIN_TOKEN: fromEnv });
    try {
      expect(out).toContain('admin token: ACCORD_ADMIN_TOKEN');
      expect(out).not.toContain(fromEnv);
      expect((await call(service, '/api/v1/orgs', fromEnv)).status).toBe(200);
      expect((await call(service, '/api/v1/orgs', adminToken)).status).toBe(401);
    } finally {
      await service.stop();
    }
  });
});

describe('new secrets from the command line', () => {
  it('rotates the admin token: printed once, the old one stops at the next start', async () => {
    const lines: string[] = [];
    runSecretsCommand('admin-token', ['--rotate'], env(), (l) => lines.push(l));
    const fresh = /new admin token \(shown once; .*\): (adm_[\w-]{43})/.exec(lines.join('\n'))![1]!;
    expect(readFileSync(path.join(dataDir, 'admin-token.sha256'), 'utf8').trim()).toBe(hashToken(fresh));
    expect(mode(path.join(dataDir, 'admin-token.sha256'))).toBe(0o600);
    const { service } = await start();
    try {
      expect((await call(service, '/api/v1/orgs', fresh)).status).toBe(200);
      expect((await call(service, '/api/v1/orgs', adminToken)).status).toBe(401);
    } finally {
      await service.stop();
    }
    adminToken = fresh;
    expect(() =>
      runSecretsCommand(
        'admin-token',
        ['--rotate'],
        env({ ACCORD_ADMIN_TOKEN: 'a'.repeat(32) }),
        () => undefined,
      ),
    ).toThrow(/ACCORD_ADMIN_TOKEN is set/);
    expect(() => runSecretsCommand('admin-token', [], env(), () => undefined)).toThrow(
      /--rotate is required/,
    );
  });

  it('rotates the encryption key: the next start re-seals the installations with it', async () => {
    let { service } = await start();
    await service.accord.deps.installations.put({
      id: 'slack:-:TSTART',
      platform: 'slack',
      teamId: 'TSTART',
      enterpriseId: null,
      teamName: 'Start Team',
      orgId: demo.orgId,
      botToken: 'xoxb-start',
      botUserId: 'U0START',
      data: '{}',
      installedAt: new Date(),
    });
    const before = (await service.accord.db.models.Installation.collection.findOne({
      _id: 'slack:-:TSTART',
    } as never))!;
    await service.stop();

    const lines: string[] = [];
    runSecretsCommand('encryption-key', ['--rotate'], env(), (l) => lines.push(l));
    const [, keyId, previousId] = /new encryption key (\w+) in .* \(the previous key (\w+) is kept/.exec(
      lines[0]!,
    )!;
    expect(previousId).toBe(before['keyId']);
    expect(mode(path.join(dataDir, 'encryption-keys.previous'))).toBe(0o600);

    ({ service } = await start());
    try {
      const after = (await service.accord.db.models.Installation.collection.findOne({
        _id: 'slack:-:TSTART',
      } as never))!;
      expect(after['keyId']).toBe(keyId);
      expect((await service.accord.deps.installations.get('slack:-:TSTART'))!.botToken).toBe('xoxb-start');
    } finally {
      await service.stop();
    }
  });
});

describe('a data directory from an older version', () => {
  it('has its clear-text admin token and demo token removed, and its modes tightened', async () => {
    const old = path.join(path.dirname(dataDir), 'old');
    const oldToken = `adm_${'o'.repeat(43)}`;
    mkdirSync(old, { mode: 0o755 });
    chmodSync(old, 0o755);
    writeFileSync(path.join(old, 'admin-token'), `${oldToken}\n`, { mode: 0o644 });
    writeFileSync(
      path.join(old, 'demo-org.json'),
      JSON.stringify({
        orgId: demo.orgId,
        apiToken: demo.token,
        month: '2027-01',
        packUrl: 'http://x/?sig=y',
      }),
      { mode: 0o644 },
    );
    const lines: string[] = [];
    const service = await startService({
      env: { ...env(), ACCORD_DATA_DIR: old },
      say: (l = '') => lines.push(l),
    });
    try {
      expect(mode(old)).toBe(0o700);
      expect(readdirSync(old)).not.toContain('admin-token');
      expect(readFileSync(path.join(old, 'admin-token.sha256'), 'utf8').trim()).toBe(hashToken(oldToken));
      expect((await call(service, '/api/v1/orgs', oldToken)).status).toBe(200);
      const kept = readFileSync(path.join(old, 'demo-org.json'), 'utf8');
      expect(kept).not.toContain(demo.token);
      expect(kept).not.toContain('sig=');
      expect(JSON.parse(kept)).toEqual({ orgId: demo.orgId, month: '2027-01' });
      for (const f of filesUnder(old)) expect([f, mode(f)]).toEqual([f, 0o600]);
      expect(lines.join('\n')).not.toContain(oldToken);
    } finally {
      await service.stop();
    }
  });
});

describe('a data directory that is not Accord’s alone', () => {
  it('keeps its mode, with a warning, while Accord’s files in it become private', () => {
    const shared = path.join(path.dirname(dataDir), 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    writeFileSync(path.join(shared, 'notes.txt'), 'not Accord’s', { mode: 0o644 });
    writeFileSync(path.join(shared, 'link-secret'), 's'.repeat(40), { mode: 0o644 });
    chmodSync(path.join(shared, 'link-secret'), 0o644);
    expect(secureDataDir(shared)).toMatch(/holds more than Accord's files \(notes\.txt\)/);
    expect(mode(shared)).toBe(0o755);
    expect(mode(path.join(shared, 'notes.txt'))).toBe(0o644);
    expect(mode(path.join(shared, 'link-secret'))).toBe(0o600);
  });
});
