/**
 * `packs.build`: builds and shares the packs the sweep asked for when pre-S&OP opened
 * (src/app/packJobs.ts). It runs at start and every few seconds; each run works the pending
 * requests one after the other, keeping its lock alive while a build runs. A request outlives the
 * process: one whose build was interrupted is taken up again, by any process, once its lease ends.
 */
import type { Agenda, Job } from 'agenda';
import { z } from 'zod';
import { runPackBuilds } from '../src/app/packJobs.js';
import type { Deps } from '../src/app/ports.js';
import type { Logger } from '../src/logger.js';

export const PACK_BUILD_JOB = 'packs.build';
const packBuildData = z.object({}).passthrough().nullish();

export function definePackBuildJob(a: Agenda, opts: { deps: Deps; log: Logger; lockLifetime: number }): void {
  a.define(
    PACK_BUILD_JOB,
    async (job: Job<unknown>) => {
      packBuildData.parse(job.attrs.data);
      const run = await runPackBuilds(opts.deps, {
        // Beats often enough to keep the job's agenda lock (checked every half lifetime) too.
        heartbeatMs: Math.min(30_000, opts.lockLifetime / 3),
        onAlive: () => job.touch(),
        onError: (build, attempt, err) =>
          opts.log.error(
            { err, orgId: build.orgId, cycleId: build.cycleId, round: build.round, attempt },
            'pack build failed',
          ),
      });
      const worked = run.shared + run.notShared + run.retrying + run.failed;
      opts.log[worked ? 'info' : 'debug']({ ...run }, 'pack builds worked');
    },
    { concurrency: 1, lockLifetime: opts.lockLifetime },
  );
}
