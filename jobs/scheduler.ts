/**
 * agenda 6 on the service's own MongoDB connection. Jobs parse their data with zod and call one
 * use case; they never talk to Slack or Teams (messages go to the outbox).
 *
 * `cycles.sweep` runs every minute (ACCORD_SWEEP_INTERVAL): it opens and closes steps, prompts,
 * reminds and escalates for every unfinished cycle. Its schedule lives in the `agendaJobs`
 * collection, so it survives a restart; a missed minute is caught up by the next run, because the
 * sweep works from the clock and the stored state, not from the job's own history.
 */
import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { advanceAllCycles } from '../src/app/cycleEngine.js';
import type { Deps } from '../src/app/ports.js';
import type { Logger } from '../src/logger.js';

export const SWEEP_JOB = 'cycles.sweep';
const sweepData = z.object({}).passthrough().nullish();

export interface Scheduler {
  start(): Promise<void>;
  /** Stops taking new jobs and waits for running ones to finish (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  isUp(): boolean;
  /** Queues a sweep to run at once (tests, and the process owner's "refresh"). */
  sweepNow(): Promise<void>;
  agenda: Agenda;
}

export function createScheduler(opts: {
  db: Db;
  deps: Deps;
  logger: Logger;
  interval: string;
  processEvery?: string | number;
  name?: string;
}): Scheduler {
  const log = opts.logger.child({ component: 'scheduler' });
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: opts.db, collection: 'agendaJobs' }),
    name: opts.name ?? 'accord',
    processEvery: opts.processEvery ?? '5 seconds',
    maxConcurrency: 4,
    defaultLockLifetime: 5 * 60_000,
  });
  let up = false;

  agenda.define(
    SWEEP_JOB,
    async (job: Job<unknown>) => {
      sweepData.parse(job.attrs.data);
      const count = await advanceAllCycles(opts.deps, (cycleId, err) =>
        log.error({ err, cycleId }, 'could not advance a cycle; the next sweep retries'),
      );
      log.debug({ cycles: count }, 'sweep done');
    },
    { concurrency: 1, lockLifetime: 5 * 60_000 },
  );
  agenda.on('error', (err) => log.error({ err }, 'agenda error'));
  agenda.on('fail', (err, job) => log.error({ err, job: job.attrs.name }, 'job failed'));

  return {
    agenda,
    async start() {
      await agenda.start();
      await agenda.every(opts.interval, SWEEP_JOB, undefined, { skipImmediate: false });
      up = true;
      log.info({ interval: opts.interval }, 'scheduler started');
    },
    async stop(timeoutMs = 30_000) {
      if (!up) return;
      up = false;
      const result = await agenda.drain({ timeout: timeoutMs, closeConnection: false });
      log.info({ result }, 'scheduler drained');
    },
    isUp: () => up,
    async sweepNow() {
      await agenda.now(SWEEP_JOB);
    },
  };
}
