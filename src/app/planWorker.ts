/**
 * A planning worker thread (see planPool.ts): solves LPs with its own HiGHS, forecasts series,
 * runs Monte Carlo samples. Every task is a pure function of its input, so the results do not
 * depend on which thread ran it.
 */
import { forecastSeries, type SeriesForecast } from '../domain/forecast/forecast.js';
import { runSamples, type MonteCarloInput, type MonteCarloPart } from '../domain/montecarlo.js';
import { highsSolver, type LpResult } from './solver.js';

export type PlanTask =
  | { kind: 'solve'; lp: string }
  | { kind: 'forecast'; series: { history: number[]; horizon: number }[] }
  | { kind: 'montecarlo'; input: MonteCarloInput; from: number; to: number };

export type PlanTaskResult = LpResult | SeriesForecast[] | MonteCarloPart;

const solver = highsSolver();
// Load the WebAssembly as the thread starts, not on its first LP.
void solver.solve('Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd\n').catch(() => undefined);

export function runPlanTask(task: PlanTask): Promise<PlanTaskResult> | PlanTaskResult {
  switch (task.kind) {
    case 'solve':
      return solver.solve(task.lp);
    case 'forecast':
      return task.series.map((s) => forecastSeries(s.history, { horizon: s.horizon }));
    case 'montecarlo':
      return runSamples(task.input, task.from, task.to);
  }
}

export default runPlanTask;
