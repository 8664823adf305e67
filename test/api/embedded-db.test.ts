import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { EmbeddedDbError, ensureFerretDbBinary, repoRoot, startFerretDb } from '../../tools/ferretdb.js';

describe('the embedded database tool', () => {
  it('says how to fix it when neither MONGODB_URI nor Go is available', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'accord-nogo-'));
    const saved = process.env['PATH'];
    process.env['PATH'] = dir; // no `go` here
    try {
      await expect(ensureFerretDbBinary({ cacheDir: dir })).rejects.toThrow(EmbeddedDbError);
      await expect(ensureFerretDbBinary({ cacheDir: dir })).rejects.toThrow(
        /set MONGODB_URI .* or install Go/,
      );
    } finally {
      process.env['PATH'] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the embedded database files', () => {
  it('are its owner’s alone: the directory 0700 and every file 0600, also those an older version left open', async () => {
    const cacheDir = path.resolve(process.env['ACCORD_DATA_DIR'] || path.join(repoRoot(), '.data'));
    const binary = await ensureFerretDbBinary({ cacheDir });
    const umaskBefore = process.umask();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'accord-modes-'));
    const dataDir = path.join(dir, 'db');
    const write = async (doc: Record<string, unknown>) => {
      const db = await startFerretDb({ binary, dataDir });
      const client = await MongoClient.connect(db.uri);
      try {
        await client.db('modes').collection('things').insertOne(doc);
      } finally {
        await client.close();
        await db.stop();
      }
    };
    const modes = () =>
      Object.fromEntries(readdirSync(dataDir).map((f) => [f, statSync(path.join(dataDir, f)).mode & 0o777]));
    try {
      await write({ n: 1 });
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(Object.keys(modes()).some((f) => f.endsWith('.sqlite'))).toBe(true);
      for (const [f, m] of Object.entries(modes())) expect([f, m]).toEqual([f, 0o600]);

      // As an older version left them: readable by everyone.
      chmodSync(dataDir, 0o755);
      for (const f of readdirSync(dataDir)) chmodSync(path.join(dataDir, f), 0o644);
      await write({ n: 2 });
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      for (const [f, m] of Object.entries(modes())) expect([f, m]).toEqual([f, 0o600]);
      // The process's own umask is as it was.
      expect(process.umask()).toBe(umaskBefore);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
