/**
 * The planning tasks (an LP solve, forecasts of some series, a run of Monte Carlo samples) and the
 * one function that runs them, with a given LP solver: a worker thread runs it with its own HiGHS
 * (planWorker.ts), and planPool.ts with no threads runs it in this thread. Every task is a pure
 * function of its input, so the results do not depend on which thread ran it.
 */
import { forecastSeries, type SeriesForecast } from '../domain/forecast/forecast.js';
import { runSamples, type MonteCarloInput, type MonteCarloPart } from '../domain/montecarlo.js';
import type { LpResult, LpSolver } from './solver.js';

export type PlanTask =
  | { kind: 'solve'; lp: string }
  | { kind: 'forecast'; series: { history: number[]; horizon: number }[] }
  | { kind: 'montecarlo'; input: MonteCarloInput; from: number; to: number };

export type PlanTaskResult = LpResult | SeriesForecast[] | MonteCarloPart;

export function planTaskRunner(solver: LpSolver): (task: PlanTask) => Promise<PlanTaskResult> {
  return async (task) => {
    switch (task.kind) {
      case 'solve':
        return solver.solve(task.lp);
      case 'forecast':
        return task.series.map((s) => forecastSeries(s.history, { horizon: s.horizon }));
      case 'montecarlo':
        return runSamples(task.input, task.from, task.to);
    }
  };
}
