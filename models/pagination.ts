import { Types } from 'mongoose';
import { decodeCursor as decodeKey, encodeCursor } from '../src/app/paging.js';
import type { Page, PageRequest } from '../src/app/ports.js';

/** Opaque cursors: base64url of the last item's id; anything else is refused (400, field `cursor`). */
export function decodeCursor(cursor: string): Types.ObjectId {
  return new Types.ObjectId(decodeKey(cursor, /^[0-9a-f]{24}$/));
}

export function oid(id: string): Types.ObjectId | null {
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/** Runs `find` for one page (limit + 1 to know whether there is a next one), ordered by _id. */
export async function pageBy<T extends { id: string }>(
  page: PageRequest,
  find: (afterId: Types.ObjectId | null, limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const after = page.after === null ? null : decodeCursor(page.after);
  const rows = await find(after, page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > page.limit && last ? encodeCursor(last.id) : null };
}
