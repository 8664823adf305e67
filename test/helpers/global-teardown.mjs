import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const db = /** @type {{ __ACCORD_TEST_DB__?: { stop(): Promise<void> } }} */ (
    /** @type {unknown} */ (globalThis)
  ).__ACCORD_TEST_DB__;
  await db?.stop();
  const dir = process.env['ACCORD_TEST_DB_DIR'];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
