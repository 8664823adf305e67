/**
 * The planning computations on all cores: LP solves, forecasts and Monte Carlo samples run on a
 * pool of worker threads (piscina), each with its own HiGHS. With `threads: 0` everything runs in
 * this thread, the same functions on the same inputs: a pack is identical either way (tested).
 * The pool starts on first use and its threads stay up (a warm HiGHS per thread) until `close`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SeriesForecast } from '../domain/forecast/forecast.js';
import {
  combineMonteCarlo,
  sampleRanges,
  type MonteCarloInput,
  type MonteCarloPart,
  type MonteCarloResult,
} from '../domain/montecarlo.js';
import type { SupplyResource } from '../domain/supply.js';
import { planTaskRunner, type PlanTask, type PlanTaskResult } from './planTasks.js';
import { highsSolver, type LpResult, type LpSolver } from './solver.js';

export interface PlanCompute extends LpSolver {
  /** Worker threads (0: this thread). */
  readonly threads: number;
  /** One forecast per series, in order. */
  forecast(series: { history: number[]; horizon: number }[]): Promise<SeriesForecast[]>;
  monteCarlo(
    periods: string[],
    resources: SupplyResource[],
    input: MonteCarloInput,
  ): Promise<MonteCarloResult>;
  close(): Promise<void>;
}

/** Series per forecast task: small enough to balance the threads, large enough to pay the message. */
const SERIES_PER_TASK = 50;

/** The worker's file: compiled JavaScript in dist/, or the TypeScript source under the tests. */
function workerFile(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./planWorker.js', import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const hooks = new URL('../../tools/ts-register.mjs', import.meta.url).href;
  return { filename: js.replace(/\.js$/, '.ts'), execArgv: ['--import', hooks] };
}

export function planCompute(opts: { threads: number }): PlanCompute {
  const threads = Math.max(0, Math.floor(opts.threads));
  // No threads: the same tasks, split the same way, run here one after the other.
  let local: ((task: PlanTask) => Promise<PlanTaskResult>) | null = null;
  let pool: Piscina<PlanTask, unknown> | null = null;
  const run = <R>(task: PlanTask): Promise<R> => {
    if (threads === 0) return (local ??= planTaskRunner(highsSolver()))(task) as Promise<R>;
    pool ??= new Piscina({
      ...workerFile(),
      minThreads: threads,
      maxThreads: threads,
      // Threads stay up: a warm HiGHS is most of a small LP's speed.
      idleTimeout: 2 ** 31 - 1,
    });
    return pool.run(task) as Promise<R>;
  };
  return {
    threads,
    solve: (lp) => run<LpResult>({ kind: 'solve', lp }),
    async forecast(series) {
      const tasks: Promise<SeriesForecast[]>[] = [];
      for (let k = 0; k < series.length; k += SERIES_PER_TASK)
        tasks.push(run({ kind: 'forecast', series: series.slice(k, k + SERIES_PER_TASK) }));
      return (await Promise.all(tasks)).flat();
    },
    async monteCarlo(periods, resources, input) {
      const parts = await Promise.all(
        sampleRanges(input.samples, Math.max(1, threads) * 4).map(([from, to]) =>
          run<MonteCarloPart>({ kind: 'montecarlo', input, from, to }),
        ),
      );
      return combineMonteCarlo(periods, resources, input, parts);
    },
    async close() {
      const p = pool;
      pool = null;
      await p?.destroy();
    },
  };
}
