/**
 * Use case: sweepLeftovers. What a process that died mid-way leaves in the store: uploads still
 * staging after their time budget (with their chunks), chunks whose upload is gone, and pack
 * detail chunks whose pack was never stored. Run at start and hourly by the scheduler.
 */
import type { Deps } from './ports.js';

export interface Leftovers {
  uploads: number;
  datasetChunks: number;
  packChunks: number;
  /** Expired web sign-in links and sessions. */
  webTokens: number;
}

export async function sweepLeftovers(
  deps: Pick<Deps, 'datasets' | 'packs' | 'clock' | 'web'>,
  /** Older than this is stale: longer than an upload may run (its time budget, with room). */
  uploadMaxAgeMs: number,
  /** Likewise for a pack build, which writes its chunks before the pack. */
  packBuildMaxAgeMs = 60 * 60_000,
): Promise<Leftovers> {
  const now = deps.clock.now().getTime();
  const staging = await deps.datasets.sweepStaging(new Date(now - uploadMaxAgeMs));
  const packChunks = await deps.packs.sweepOrphanChunks(new Date(now - packBuildMaxAgeMs));
  const webTokens = await deps.web.sweep(new Date(now));
  return { uploads: staging.uploads, datasetChunks: staging.chunks, packChunks, webTokens };
}
