import { Types } from 'mongoose';
import type { Page, PageRequest } from '../src/app/ports.js';

/** Opaque cursors: base64url of the last item's id. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Types.ObjectId | null {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

export function oid(id: string): Types.ObjectId | null {
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/** Runs `find` for one page (limit + 1 to know whether there is a next one), ordered by _id. */
export async function pageBy<T extends { id: string }>(
  page: PageRequest,
  find: (afterId: Types.ObjectId | null, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const after = page.after ? decodeCursor(page.after) : null;
  const rows = await find(after, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > page.limit && last ? encodeCursor(last.id) : null };
}
