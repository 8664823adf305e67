import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { EmbeddedDbError, ensureFerretDbBinary } from '../../tools/ferretdb.js';

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
