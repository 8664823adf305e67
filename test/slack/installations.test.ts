/**
 * Slack installations are sealed at rest (AES-256-GCM): the stored document holds no token; a start
 * with a new key re-seals what an older key (or no key, before encryption) left; a value no
 * configured key opens is reported, never guessed.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildAccord } from '../../src/accord.js';
import type { InstallationRecord } from '../../src/app/records.js';
import { keyring, newKey, open, parseKey, SealError } from '../../src/app/sealing.js';
import { hashToken } from '../../src/app/tokens.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { repoRoot } from '../../tools/ferretdb.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';

const keyA = newKey();
const keyB = newKey();
let t: TestAccord;

const record = (team: string, token: string): InstallationRecord => ({
  id: `slack:-:${team}`,
  platform: 'slack',
  teamId: team,
  enterpriseId: null,
  teamName: `Team ${team}`,
  orgId: null,
  botToken: token,
  botUserId: 'U0BOT',
  data: JSON.stringify({ team: { id: team }, bot: { token, refreshToken: `xoxe-refresh-${team}` } }),
  installedAt: new Date('2027-01-04T07:00:00Z'),
});

const raw = (id: string) => t.accord.db.models.Installation.collection.findOne({ _id: id } as never);

/** Another Accord on the same database with these keys, and what it logged. */
async function startWith(ring: ReturnType<typeof keyring>) {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const accord = await buildAccord({
    mongodbUri: process.env['ACCORD_TEST_MONGODB_URI']!,
    dbName: t.dbName,
    adminTokenHash: hashToken('x'.repeat(32)),
    logger,
    rootDir: repoRoot(),
    keyring: ring,
  });
  return { accord, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

beforeAll(async () => {
  t = await startTestAccord({ keyring: keyring(keyA) });
});
afterAll(() => t.close());

describe('installations at rest', () => {
  it('are stored sealed: the document holds no token, and reads back whole', async () => {
    await t.accord.deps.installations.put(record('T1', 'xoxb-secret-T1'));
    const doc = await raw('slack:-:T1');
    expect(JSON.stringify(doc)).not.toContain('xoxb-');
    expect(JSON.stringify(doc)).not.toContain('xoxe-');
    expect(doc).toMatchObject({ keyId: keyA.id, teamName: 'Team T1', botUserId: 'U0BOT' });
    expect(doc!['secret']).toMatch(new RegExp(`^enc:v1:${keyA.id}:`));
    expect(doc!['botToken']).toBeUndefined();
    expect(doc!['data']).toBeUndefined();
    expect(await t.accord.deps.installations.get('slack:-:T1')).toEqual(record('T1', 'xoxb-secret-T1'));
  });

  it('does not open a sealed value copied onto another installation', async () => {
    await t.accord.deps.installations.put(record('T2', 'xoxb-secret-T2'));
    const sealed = (await raw('slack:-:T1'))!['secret'] as string;
    expect(() => open(keyring(keyA), sealed, 'slack:-:T2')).toThrow(SealError);
  });

  it('are sealed at start when an older version stored them in clear', async () => {
    await t.accord.db.models.Installation.collection.insertOne({
      _id: 'slack:-:TOLD',
      platform: 'slack',
      teamId: 'TOLD',
      enterpriseId: null,
      teamName: 'Old Team',
      orgId: null,
      botToken: 'xoxb-clear-old',
      botUserId: 'U0OLD',
      data: JSON.stringify({ bot: { token: 'xoxb-clear-old' } }),
      installedAt: new Date(),
    } as never);
    // Still readable before the start seals it (a rolling upgrade).
    expect((await t.accord.deps.installations.get('slack:-:TOLD'))!.botToken).toBe('xoxb-clear-old');
    const next = await startWith(keyring(keyA));
    try {
      const doc = await raw('slack:-:TOLD');
      expect(JSON.stringify(doc)).not.toContain('xoxb-');
      expect(doc!['keyId']).toBe(keyA.id);
      expect(next.logs.some((l) => l['resealed'] === 1)).toBe(true);
      expect((await next.accord.deps.installations.get('slack:-:TOLD'))!.botToken).toBe('xoxb-clear-old');
    } finally {
      await next.accord.close();
    }
  });

  it('are re-sealed with a new key at start, the old key kept only to read them', async () => {
    const rotated = await startWith(keyring(keyB, [keyA]));
    try {
      for (const id of ['slack:-:T1', 'slack:-:T2', 'slack:-:TOLD']) {
        const doc = await raw(id);
        expect(doc!['keyId']).toBe(keyB.id);
        expect(doc!['secret']).toMatch(new RegExp(`^enc:v1:${keyB.id}:`));
      }
      expect(rotated.logs.some((l) => l['resealed'] === 3)).toBe(true);
    } finally {
      await rotated.accord.close();
    }
    // The old key can go now.
    const onlyB = await startWith(keyring(keyB));
    try {
      expect((await onlyB.accord.deps.installations.get('slack:-:T1'))!.botToken).toBe('xoxb-secret-T1');
      expect(onlyB.logs.some((l) => 'resealed' in l)).toBe(false);
    } finally {
      await onlyB.accord.close();
    }
  });

  it('are reported, and left as they are, when no configured key opens them', async () => {
    const before = await raw('slack:-:T1');
    const wrong = await startWith(keyring(newKey()));
    try {
      const errors = wrong.logs.filter((l) => l['level'] === 50);
      expect(errors.map((l) => l['installation']).sort()).toEqual([
        'slack:-:T1',
        'slack:-:T2',
        'slack:-:TOLD',
      ]);
      expect(String(errors[0]!['reason'])).toMatch(/sealed with key \w+, which is not configured/);
      expect(await raw('slack:-:T1')).toEqual(before);
      await expect(wrong.accord.deps.installations.get('slack:-:T1')).rejects.toThrow(SealError);
    } finally {
      await wrong.accord.close();
    }
  });
});

describe('the encryption key settings', () => {
  it('take 32-byte base64 keys and refuse anything else, naming the variable', () => {
    const b64 = keyA.key.toString('base64');
    const c = loadConfig({
      ACCORD_ENCRYPTION_KEY: b64,
      ACCORD_ENCRYPTION_KEYS_PREVIOUS: `${keyB.key.toString('base64')}`,
    });
    expect(c.encryptionKey!.id).toBe(keyA.id);
    expect(c.encryptionKeysPrevious.map((k) => k.id)).toEqual([keyB.id]);
    expect(parseKey(keyA.key.toString('base64url'))!.id).toBe(keyA.id);
    expect(() => loadConfig({ ACCORD_ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(
      /ACCORD_ENCRYPTION_KEY: must be 32 bytes/,
    );
    expect(() => loadConfig({ ACCORD_ENCRYPTION_KEYS_PREVIOUS: `${b64},nope` })).toThrow(
      /ACCORD_ENCRYPTION_KEYS_PREVIOUS: each key must be 32 bytes/,
    );
  });
});
