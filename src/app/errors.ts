/**
 * A unique-index violation. MongoDB (and FerretDB on insert) report code 11000; FerretDB 1.24 on
 * SQLite reports an update that breaks a unique index as code 1 with SQLite's own message.
 */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === 11000) return true;
  return e.code === 1 && typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}
