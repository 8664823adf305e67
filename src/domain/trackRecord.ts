/**
 * How earlier forecasts did, once the actuals are in: each pack's statistical forecast (P50 and its
 * P10-P90 range) and its consensus demand, scored month by month against what shipped. Per family
 * and in total: MAPE, wMAPE, bias, MASE and the share of actuals inside P10-P90; and the forecast
 * value added (FVA) of each function's adjustments: how much closer (or further) the consensus came
 * because of them. Pure: the months and actuals come in, the scores go out.
 */
import { bias, mape, mase, wmape } from './forecast/metrics.js';

export interface ScoredMonth {
  period: string;
  actual: number;
  p10: number;
  p50: number;
  p90: number;
  consensus: number;
  /** The adjustments that made the consensus, by function. */
  steps: { function: string; delta: number }[];
}

export interface Score {
  /** Months scored. */
  points: number;
  mape: number;
  wmape: number;
  bias: number;
  mase: number;
  /** Share of actuals inside the P10-P90 range, in % (as the backtest's coverage). */
  coverage: number;
}

export interface ValueAdded {
  /** A function (sales, marketing...), or `consensus` for all adjustments together. */
  function: string;
  points: number;
  /** wMAPE without this function's adjustments, and with them (the consensus). */
  wmapeWithout: number;
  wmapeWith: number;
  /** Percentage points of wMAPE saved by the adjustments: positive helped, negative hurt. */
  fva: number;
}

function score(actual: number[], forecast: number[], inRange: number, history: number[], m: number): Score {
  return {
    points: actual.length,
    mape: mape(actual, forecast),
    wmape: wmape(actual, forecast),
    bias: bias(actual, forecast),
    mase: mase(actual, forecast, history, m),
    coverage: actual.length ? (100 * inRange) / actual.length : Number.NaN,
  };
}

/** One family's statistical forecast and its consensus against the actuals (`history`: for MASE's scale). */
export function scoreFamily(
  months: ScoredMonth[],
  history: number[],
  m = 12,
): { statistical: Score; consensus: Score } {
  const actual = months.map((x) => x.actual);
  const inRange = months.filter((x) => x.actual >= x.p10 && x.actual <= x.p90).length;
  return {
    statistical: score(
      actual,
      months.map((x) => x.p50),
      inRange,
      history,
      m,
    ),
    consensus: score(
      actual,
      months.map((x) => x.consensus),
      inRange,
      history,
      m,
    ),
  };
}

/** Each function's value added over all the months given, and that of the consensus as a whole. */
export function valueAdded(months: ScoredMonth[]): ValueAdded[] {
  const actual = months.map((x) => x.actual);
  const consensus = months.map((x) => x.consensus);
  const withAll = wmape(actual, consensus);
  const fns = [...new Set(months.flatMap((x) => x.steps.map((s) => s.function)))].sort();
  const out: ValueAdded[] = fns.map((fn) => {
    const touched = months.filter((x) => x.steps.some((s) => s.function === fn));
    const a = touched.map((x) => x.actual);
    const without = touched.map(
      (x) => x.consensus - x.steps.filter((s) => s.function === fn).reduce((t, s) => t + s.delta, 0),
    );
    const w = wmape(a, without);
    const c = wmape(
      a,
      touched.map((x) => x.consensus),
    );
    return { function: fn, points: touched.length, wmapeWithout: w, wmapeWith: c, fva: w - c };
  });
  const stat = wmape(
    actual,
    months.map((x) => x.p50),
  );
  out.push({
    function: 'consensus',
    points: months.length,
    wmapeWithout: stat,
    wmapeWith: withAll,
    fva: stat - withAll,
  });
  return out;
}
