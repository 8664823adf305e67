/**
 * agenda 6 on the service's own MongoDB connection. Jobs parse their data with zod and call one
 * use case; they never talk to Slack or Teams (messages go to the outbox).
 *
 * `cycles.sweep` runs every minute (ACCORD_SWEEP_INTERVAL): it opens and closes steps, prompts,
 * reminds and escalates for every unfinished cycle. Its schedule lives in the `agendaJobs`
 * collection, so it survives a restart; a missed minute is caught up by the next run, because the
 * sweep works from the clock and the stored state, not from the job's own history. When pre-S&OP
 * opens, the sweep only asks for the pack: `packs.build` (jobs/packBuilds.ts, at start and every
 * few seconds) builds and shares it, so a big org's build never holds up another org's messages.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { advanceAllCycles } from '../src/app/cycleEngine.js';
import { closeDueBallots } from '../src/app/ballots.js';
import { remindActions } from '../src/app/followThrough.js';
import { runMeetings } from '../src/app/meetings.js';
import { escalateAlerts } from '../src/app/soe.js';
import { sendHealthSummaries } from '../src/app/health.js';
import { definePackBuildJob, PACK_BUILD_JOB } from './packBuilds.js';
import type { Deps } from '../src/app/ports.js';
import type { Logger } from '../src/logger.js';

export const SWEEP_JOB = 'cycles.sweep';
export const HOUSEKEEPING_JOB = 'storage.sweep';
const sweepData = z.object({}).passthrough().nullish();

export interface Scheduler {
  start(): Promise<void>;
  /** Stops taking new jobs and waits for running ones to finish (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  isUp(): boolean;
  /** Queues a sweep to run at once (tests, and the process owner's "refresh"). */
  sweepNow(): Promise<void>;
  /** The agenda instance, created on first use (it connects to the database as it is created). */
  agenda(): Promise<Agenda>;
}

export function createScheduler(opts: {
  db: Db;
  deps: Deps;
  logger: Logger;
  interval: string;
  processEvery?: string | number;
  /**
   * How long a running job holds its lock. agenda checks a running job's liveness every half of it
   * and leaves that timer behind after the job ends, so tests use a short one to exit promptly.
   */
  lockLifetimeMs?: number;
  name?: string;
  /** Chat deliverers draining the outbox (Slack, Teams), run every few seconds one at a time. */
  deliverers?: { name: string; drain: () => Promise<unknown> }[];
  /** Removes what dead uploads and pack builds left behind; run at start and hourly. */
  housekeeping?: () => Promise<unknown>;
  /** How often the pack build job looks for requested builds (agenda interval). */
  packBuildInterval?: string;
}): Scheduler {
  const lockLifetime = opts.lockLifetimeMs ?? 5 * 60_000;
  /** How long agenda's timers may still fire after stop: `processEvery` (a number is ms; otherwise 5 s). */
  const settleMs = typeof opts.processEvery === 'number' ? opts.processEvery : 5_000;
  const log = opts.logger.child({ component: 'scheduler' });
  let instance: Agenda | null = null;
  let up = false;
  let running = 0;
  const idle: (() => void)[] = [];

  async function agenda(): Promise<Agenda> {
    if (instance) return instance;
    const a = new Agenda({
      backend: new MongoBackend({ mongo: opts.db, collection: 'agendaJobs' }),
      name: opts.name ?? 'accord',
      processEvery: opts.processEvery ?? '5 seconds',
      maxConcurrency: 4,
      defaultLockLifetime: lockLifetime,
    });
    a.define(
      SWEEP_JOB,
      async (job: Job<unknown>) => {
        sweepData.parse(job.attrs.data);
        const count = await advanceAllCycles(
          opts.deps,
          (cycleId, err) => log.error({ err, cycleId }, 'could not advance a cycle; the next sweep retries'),
          () => job.touch(), // a long sweep keeps its lock instead of being killed at lockLifetime
        );
        const ballots = await closeDueBallots(opts.deps);
        const reminders = await remindActions(opts.deps);
        const meetings = await runMeetings(opts.deps);
        const alerts = await escalateAlerts(opts.deps);
        const health = await sendHealthSummaries(opts.deps);
        log.debug(
          {
            cycles: count,
            ballotsClosed: ballots,
            actionMessages: reminders,
            meetingMessages: meetings,
            alertEscalations: alerts,
            healthSummaries: health,
          },
          'sweep done',
        );
      },
      { concurrency: 1, lockLifetime },
    );
    definePackBuildJob(a, { deps: opts.deps, log, lockLifetime });
    for (const d of opts.deliverers ?? [])
      a.define(
        `outbox.deliver.${d.name}`,
        async () => {
          const result = await d.drain();
          log.debug({ deliverer: d.name, result }, 'outbox drained');
        },
        { concurrency: 1, lockLifetime },
      );
    const housekeeping = opts.housekeeping;
    if (housekeeping)
      a.define(
        HOUSEKEEPING_JOB,
        async () => {
          const removed = await housekeeping();
          log.info({ removed }, 'housekeeping done');
        },
        { concurrency: 1, lockLifetime },
      );
    a.on('start', () => running++);
    a.on('complete', () => {
      running--;
      if (running === 0) idle.splice(0).forEach((resolve) => resolve());
    });
    a.on('error', (err) => log.error({ err }, 'agenda error'));
    a.on('fail', (err, job) => log.error({ err, job: job.attrs.name }, 'job failed'));
    instance = a;
    await a.ready;
    return a;
  }

  return {
    agenda,
    async start() {
      const a = await agenda();
      await a.start();
      await a.every(opts.interval, SWEEP_JOB, undefined, { skipImmediate: false });
      await a.every(opts.packBuildInterval ?? '5 seconds', PACK_BUILD_JOB, undefined, {
        skipImmediate: false,
      });
      for (const d of opts.deliverers ?? []) await a.every('5 seconds', `outbox.deliver.${d.name}`);
      if (opts.housekeeping) await a.every('1 hour', HOUSEKEEPING_JOB, undefined, { skipImmediate: false });
      up = true;
      log.info({ interval: opts.interval }, 'scheduler started');
    },
    async stop(timeoutMs = 30_000) {
      if (!up || !instance) return;
      up = false;
      // agenda's stop() clears the poll interval and unlocks jobs it had locked but not started
      // (drain() would leave those locked until their lock expires, delaying the next process);
      // then we wait for the jobs already running to finish.
      await instance.stop(false);
      const drained = await new Promise<boolean>((resolve) => {
        if (running === 0) return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      // agenda keeps timers for jobs due within `processEvery`; one firing after stop still
      // releases its job in the database (not awaited), so the connection stays open that long.
      await new Promise((r) => setTimeout(r, settleMs));
      log.info({ drained, running }, 'scheduler stopped');
    },
    isUp: () => up,
    async sweepNow() {
      await (await agenda()).now(SWEEP_JOB);
    },
  };
}
