/** MongoDB reports a unique-index violation as code 11000 (FerretDB does too). */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
