/**
 * Use cases: requestPackBuild and runPackBuilds. Building a pack takes seconds to minutes for a big
 * org, so the cycle engine does not build when pre-S&OP opens: it records a request for
 * (cycle, round) and moves on to the next org. The pack build job (jobs/packBuilds.ts) works the
 * requests: it builds and shares each pack as sharePack does (the card once, under the outbox key
 * `pack:cycleId:r<round>`; with no dataset, the process owners are told why there is no pack).
 *
 * A request is `cycleId:r<round>` (a unique `_id`: asking twice records one). Each attempt is
 * claimed by a unique insert of `requestId:attempt`, so one worker in any process makes attempt N
 * (FerretDB's findAndModify is not atomic; an insert against `_id` is). The worker keeps its
 * attempt alive while it builds; an attempt neither ended nor alive for `leaseMs` was interrupted
 * (the process died) and the next run, in any process, makes the next attempt. An attempt that
 * throws is retried after a pause; after `maxAttempts` the process owners are told, once.
 */
import { DomainError } from '../domain/errors.js';
import { presentPackMissing } from '../cards/presenters/steps.js';
import { sharePack } from './packs.js';
import type { Deps } from './ports.js';
import type { CycleRecord, PackBuildRecord } from './records.js';

export interface PackBuildOptions {
  /** Attempts per request before the process owners are told it failed. */
  maxAttempts: number;
  /** An attempt silent this long (no heartbeat) was interrupted: the next one may start. */
  leaseMs: number;
  /** The pause after a failed attempt, times the attempt's number. */
  retryAfterMs: number;
  /** How often a running attempt shows it is alive. */
  heartbeatMs: number;
  /** Requests taken per run. */
  limit: number;
  /** Called at each heartbeat (the job keeps its own lock alive with it). */
  onAlive: () => Promise<unknown>;
  /** Called with what an attempt threw (the job logs it). */
  onError: (build: PackBuildRecord, attempt: number, err: unknown) => void;
}

export const PACK_BUILD_DEFAULTS: PackBuildOptions = {
  maxAttempts: 3,
  leaseMs: 5 * 60_000,
  retryAfterMs: 60_000,
  heartbeatMs: 30_000,
  limit: 20,
  onAlive: async () => undefined,
  onError: () => undefined,
};

export interface PackBuildRun {
  /** The card is queued. */
  shared: number;
  /** No dataset (the owners are told), no process owner, or no cycle any more. */
  notShared: number;
  /** Failed; tried again later. */
  retrying: number;
  /** Out of attempts; the owners are told. */
  failed: number;
  /** Another worker has it. */
  skipped: number;
}

/** Asks for the cycle's pack to be built and shared for this opening of pre-S&OP. True when new. */
export async function requestPackBuild(
  deps: Pick<Deps, 'packBuilds' | 'clock'>,
  cycle: CycleRecord,
  round: number,
): Promise<boolean> {
  return deps.packBuilds.request({ orgId: cycle.orgId, cycleId: cycle.id, round }, deps.clock.now());
}

/** Works the pending requests whose time has come, one after the other. */
export async function runPackBuilds(
  deps: Deps,
  options: Partial<PackBuildOptions> = {},
): Promise<PackBuildRun> {
  const o = { ...PACK_BUILD_DEFAULTS, ...options };
  const run: PackBuildRun = { shared: 0, notShared: 0, retrying: 0, failed: 0, skipped: 0 };
  for (const build of await deps.packBuilds.due(deps.clock.now(), o.limit)) run[await work(deps, build, o)]++;
  return run;
}

type Claimed = { attempt: number } | { taken: true } | { exhausted: true };

/**
 * The next attempt this worker may make: the first one it can claim after those that ended or were
 * interrupted; `taken` when another worker's attempt is alive; `exhausted` past `maxAttempts`.
 */
async function claimNext(deps: Deps, build: PackBuildRecord, o: PackBuildOptions): Promise<Claimed> {
  const now = deps.clock.now();
  for (let n = Math.max(build.attempts, 1); n <= o.maxAttempts; n++) {
    if (await deps.packBuilds.claim(build.id, n, now)) return { attempt: n };
    const a = await deps.packBuilds.attempt(build.id, n);
    if (a && !a.ended && now.getTime() - a.aliveAt.getTime() < o.leaseMs) return { taken: true };
  }
  return { exhausted: true };
}

async function work(deps: Deps, build: PackBuildRecord, o: PackBuildOptions): Promise<keyof PackBuildRun> {
  const claimed = await claimNext(deps, build, o);
  if ('taken' in claimed) return 'skipped';
  if ('exhausted' in claimed) {
    const why = 'the last attempt was interrupted: Accord stopped while building';
    await giveUp(deps, build, o.maxAttempts, why, why);
    return 'failed';
  }
  const { attempt } = claimed;
  // Read again: a worker that read the request before another settled it must not redo it.
  const fresh = await deps.packBuilds.get(build.orgId, build.id);
  if (fresh?.status !== 'pending') {
    await deps.packBuilds.settle(
      build.id,
      attempt,
      { status: 'done', outcome: fresh?.outcome ?? 'gone' },
      deps.clock.now(),
    );
    return 'skipped';
  }
  let outcome: NonNullable<PackBuildRecord['outcome']>;
  const stop = keepAlive(deps, build.id, attempt, o);
  try {
    outcome = await share(deps, build);
  } catch (err) {
    o.onError(build, attempt, err);
    const lastError = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    if (attempt >= o.maxAttempts) {
      await giveUp(deps, build, attempt, reasonOf(err), lastError);
      return 'failed';
    }
    const now = deps.clock.now();
    await deps.packBuilds.settle(
      build.id,
      attempt,
      { status: 'pending', notBefore: new Date(now.getTime() + o.retryAfterMs * attempt), lastError },
      now,
    );
    return 'retrying';
  } finally {
    stop();
  }
  await deps.packBuilds.settle(build.id, attempt, { status: 'done', outcome }, deps.clock.now());
  return outcome === 'shared' ? 'shared' : 'notShared';
}

async function share(deps: Deps, build: PackBuildRecord): Promise<NonNullable<PackBuildRecord['outcome']>> {
  const cycle = await deps.cycles.get(build.orgId, build.cycleId);
  if (!cycle) return 'gone';
  return sharePack(deps, cycle, await processOwners(deps, build.orgId), build.round);
}

async function processOwners(deps: Pick<Deps, 'members'>, orgId: string) {
  return (await deps.members.all(orgId)).filter((m) => m.roles.includes('process-owner'));
}

/** Shows the attempt alive until stopped. A missed beat costs at most a second build, never a second card. */
function keepAlive(deps: Deps, id: string, attempt: number, o: PackBuildOptions): () => void {
  const timer = setInterval(() => {
    void deps.packBuilds
      .heartbeat(id, attempt, deps.clock.now())
      .then(o.onAlive)
      .catch(() => undefined);
  }, o.heartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What the process owners read: a domain error says what is wrong; anything else is in the log. */
function reasonOf(err: unknown): string {
  if (err instanceof DomainError) return err.message;
  return 'an internal error; the service log has the details';
}

/**
 * Out of attempts: the process owners are told why (`reason`, once each, by key), then the request
 * is failed with `lastError` (the error itself, for whoever reads the record).
 */
async function giveUp(
  deps: Deps,
  build: PackBuildRecord,
  attempt: number,
  reason: string,
  lastError: string,
): Promise<void> {
  const now = deps.clock.now();
  const cycle = await deps.cycles.get(build.orgId, build.cycleId);
  if (cycle) {
    const text = `building it failed ${attempt} time${attempt === 1 ? '' : 's'} (${reason}). Accord does not try again: build it with POST /api/v1/orgs/${cycle.orgId}/cycles/${cycle.id}/pack once the cause is fixed.`;
    await deps.outbox.enqueue(
      (await processOwners(deps, build.orgId)).map((po) => ({
        orgId: cycle.orgId,
        key: `pack-failed:${cycle.id}:r${build.round}:${po.id}`,
        kind: 'escalation' as const,
        cycleId: cycle.id,
        recipient: { memberId: po.id, name: po.name },
        card: presentPackMissing(cycle.month, text),
        notBefore: now,
      })),
      now,
    );
  }
  await deps.packBuilds.settle(build.id, attempt, { status: 'failed', lastError }, now);
}
