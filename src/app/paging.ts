/**
 * Cursors for lists: opaque base64url text of the last item's sort key. Lists read from the
 * database page by `_id` (models/pagination.ts); lists built in memory (a search, a few tokens,
 * a cycle's meetings) page here by a key each caller gives. A cursor that is not one of these
 * is refused (400, field `cursor`) rather than read as the first page.
 */
import { DomainError } from '../domain/errors.js';
import type { Page, PageRequest } from './ports.js';

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function badCursor(): DomainError {
  return new DomainError('validation_failed', 'the cursor is not valid', {
    cursor: 'not a cursor of this list: pass the `next` of the previous page as it was',
  });
}

/** The key a cursor carries (canonical base64url of text of this shape), else a 400. */
export function decodeCursor(cursor: string, shape: RegExp = /^[\x21-\x7e]{1,200}$/): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(key) || encodeCursor(key) !== cursor) throw badCursor();
  return key;
}

/** How a list held in memory is ordered: each item's key (unique), and the shape of every key. */
export interface SortKey<T> {
  of(item: T): string;
  shape: RegExp;
}

/** By an instant, then an id. */
export const byTime = <T>(f: (item: T) => [Date, string]): SortKey<T> => ({
  of: (item) => {
    const [at, id] = f(item);
    return `${at.toISOString()}|${id}`;
  },
  shape: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|[\x21-\x7e]{1,150}$/,
});

/** By a database id (24 hex digits, increasing with time). */
export const byId = <T>(f: (item: T) => string): SortKey<T> => ({ of: f, shape: /^[0-9a-f]{24}$/ });

/** By a whole number of 0 or more. */
export const byNumber = <T>(f: (item: T) => number): SortKey<T> => ({
  of: (item) => String(f(item)).padStart(12, '0'),
  shape: /^\d{12}$/,
});

/**
 * One page of a list held in memory: ordered by `key` (ascending or descending), the items after
 * the cursor's key. A cursor stays good while items come and go.
 */
export function pageOf<T>(
  items: T[],
  page: PageRequest,
  key: SortKey<T>,
  order: 'asc' | 'desc' = 'asc',
): Page<T> {
  const after = page.after === null ? null : decodeCursor(page.after, key.shape);
  const sign = order === 'asc' ? 1 : -1;
  const keyed = items.map((item) => ({ item, k: key.of(item) }));
  keyed.sort((a, b) => sign * (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const rest =
    after === null ? keyed : keyed.filter((x) => sign * (x.k < after ? -1 : x.k > after ? 1 : 0) > 0);
  const taken = rest.slice(0, page.limit);
  const last = taken[taken.length - 1];
  return {
    items: taken.map((x) => x.item),
    next: rest.length > page.limit && last ? encodeCursor(last.k) : null,
  };
}

/** A list's query (`?limit=&cursor=`) as a page request. */
export const pageRequest = (q: { limit: number; cursor?: string | undefined }): PageRequest => ({
  limit: q.limit,
  after: q.cursor ?? null,
});
