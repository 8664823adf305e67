/**
 * A pack's family details, kept in chunks beside the pack (FAMILIES_PER_CHUNK families each, in
 * the pack's order): read one family, or a page of them.
 */
import { DomainError } from '../domain/errors.js';
import type { Accuracy } from '../domain/forecast/forecast.js';
import type { Deps } from './ports.js';
import type { PackRecord } from './records.js';

export const FAMILIES_PER_CHUNK = 250;

export interface FamilyDetail {
  family: string;
  name: string;
  method: string;
  members: string[];
  accuracy: Accuracy;
  history: { period: string; value: number }[];
  months: {
    period: string;
    p10: number;
    p50: number;
    p90: number;
    steps: { function: string; author: string; delta: number; reason: string }[];
    consensus: number;
    production: number;
    supplied: number;
    shortfall: number;
    inventory: number;
  }[];
  waterfall: { label: string; value: number }[];
}

export async function familyDetail(
  deps: Pick<Deps, 'packs'>,
  pack: PackRecord<{ familyChunks: Record<string, number> }>,
  family: string,
): Promise<FamilyDetail> {
  const seq = pack.content.familyChunks[family];
  if (seq === undefined) throw new DomainError('not_found', `family ${family} is not in this pack`);
  const chunk = (await deps.packs.chunk(pack.orgId, pack.id, 'families', seq)) as FamilyDetail[] | null;
  const found = chunk?.find((f) => f.family === family);
  if (!found) throw new DomainError('not_found', `family ${family} is not in this pack`);
  return found;
}

/** Up to `limit` families' details from the `start`-th (in the pack's order); `next` is where the next page starts. */
export async function familyPage(
  deps: Pick<Deps, 'packs'>,
  pack: PackRecord<{ familyChunks: Record<string, number> }>,
  start: number,
  limit: number,
): Promise<{ items: FamilyDetail[]; next: number | null }> {
  const total = Object.keys(pack.content.familyChunks).length;
  const end = Math.min(total, start + limit);
  const items: FamilyDetail[] = [];
  // Chunk k holds families k * FAMILIES_PER_CHUNK onwards, as the pack was built.
  for (let i = start; i < end;) {
    const seq = Math.floor(i / FAMILIES_PER_CHUNK);
    const chunk =
      ((await deps.packs.chunk(pack.orgId, pack.id, 'families', seq)) as FamilyDetail[] | null) ?? [];
    const from = i - seq * FAMILIES_PER_CHUNK;
    const taken = chunk.slice(from, from + end - i);
    if (!taken.length) break;
    items.push(...taken);
    i += taken.length;
  }
  return { items, next: start + items.length < total ? start + items.length : null };
}
