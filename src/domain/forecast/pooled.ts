/**
 * Accuracy over many series from per-series sums: a family's backtest reduces to a dozen numbers,
 * which a cached forecast keeps instead of its backtest points. The measures are those of
 * metrics.ts over all the series' backtest points pooled.
 */
import type { Accuracy, SeriesForecast } from './forecast.js';

export interface BacktestSums {
  points: number;
  absError: number;
  absActual: number;
  actual: number;
  forecast: number;
  mapeSum: number;
  mapePoints: number;
  smapeSum: number;
  smapePoints: number;
  /** Points with a P10-P90 range, and those inside it. */
  rangedPoints: number;
  inside: number;
}

export function backtestSums(b: {
  actual: number[];
  forecast: number[];
  p10?: number[];
  p90?: number[];
}): BacktestSums {
  const s: BacktestSums = {
    points: b.actual.length,
    absError: 0,
    absActual: 0,
    actual: 0,
    forecast: 0,
    mapeSum: 0,
    mapePoints: 0,
    smapeSum: 0,
    smapePoints: 0,
    rangedPoints: 0,
    inside: 0,
  };
  b.actual.forEach((a, i) => {
    const f = b.forecast[i]!;
    const e = Math.abs(a - f);
    s.absError += e;
    s.absActual += Math.abs(a);
    s.actual += a;
    s.forecast += f;
    if (a !== 0) {
      s.mapeSum += Math.abs((a - f) / a);
      s.mapePoints++;
    }
    const d = Math.abs(a) + Math.abs(f);
    if (d !== 0) {
      s.smapeSum += (2 * e) / d;
      s.smapePoints++;
    }
    if (b.p10 && b.p90) {
      s.rangedPoints++;
      if (a >= b.p10[i]! && a <= b.p90[i]!) s.inside++;
    }
  });
  return s;
}

/**
 * The pooled accuracy: every measure over all points at once; MASE against the in-sample seasonal
 * naive error of the histories laid end to end (as metrics.ts's mase on the pooled arrays).
 */
export function pooledAccuracy(sums: BacktestSums[], histories: number[][], m: number): Accuracy {
  const total = (k: keyof BacktestSums) => sums.reduce((s, x) => s + x[k], 0);
  const ratio = (a: number, b: number) => (b ? (100 * a) / b : Number.NaN);
  const history = histories.flat();
  const season = history.length > m ? m : 1;
  let scale = 0;
  for (let t = season; t < history.length; t++) scale += Math.abs(history[t]! - history[t - season]!);
  scale /= Math.max(1, history.length - season);
  const mae = total('absError') / Math.max(1, total('points'));
  const mase = scale ? mae / scale : Number.NaN;
  return {
    mape: ratio(total('mapeSum'), total('mapePoints')),
    wmape: ratio(total('absError'), total('absActual')),
    smape: ratio(total('smapeSum'), total('smapePoints')),
    mase: Number.isFinite(mase) ? mase : Number.NaN,
    bias: ratio(total('forecast') - total('actual'), total('actual')),
    coverage: ratio(total('inside'), total('rangedPoints')),
  };
}

/** A forecast as a cache keeps it: the backtest points reduced to their sums. */
export interface CachedForecast extends Omit<SeriesForecast, 'backtest'> {
  sums: BacktestSums;
}

export function cachedForecast(f: SeriesForecast): CachedForecast {
  const { backtest, ...rest } = f;
  return { ...rest, sums: backtestSums(backtest) };
}

/** The forecast back from the cache (its backtest points are not kept: the sums stand for them). */
export function fromCache(c: CachedForecast): SeriesForecast {
  const { sums: _sums, ...rest } = c;
  return { ...rest, backtest: { actual: [], forecast: [] } };
}
