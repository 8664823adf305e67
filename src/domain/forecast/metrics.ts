/**
 * Forecast accuracy measures. Each returns NaN when it is undefined (no usable points). Plain
 * loops: the arrays come holding small integers or fractions, and an inlined forEach or reduce
 * over the one kind deoptimises its caller on the other, series after series.
 */
const finite = (v: number) => (Number.isFinite(v) ? v : Number.NaN);

/** Mean absolute percentage error (%), over points with a non-zero actual. */
export function mape(actual: number[], forecast: number[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    if (a !== 0) {
      s += Math.abs((a - forecast[i]!) / a);
      n++;
    }
  }
  return n ? (100 * s) / n : Number.NaN;
}

/** Total absolute error of `forecast` against `actual`. */
function absoluteError(actual: number[], forecast: number[]): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - forecast[i]!);
  return s;
}

/** Weighted MAPE (%): total absolute error over total actual. */
export function wmape(actual: number[], forecast: number[]): number {
  const err = absoluteError(actual, forecast);
  let tot = 0;
  for (let i = 0; i < actual.length; i++) tot += Math.abs(actual[i]!);
  return tot ? (100 * err) / tot : Number.NaN;
}

/** Symmetric MAPE (%), as in the M3/M4 competitions. */
export function smape(actual: number[], forecast: number[]): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const d = Math.abs(a) + Math.abs(forecast[i]!);
    if (d !== 0) {
      s += (2 * Math.abs(a - forecast[i]!)) / d;
      n++;
    }
  }
  return n ? (100 * s) / n : Number.NaN;
}

/** Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive method. */
export function mase(actual: number[], forecast: number[], history: number[], m: number): number {
  const season = history.length > m ? m : 1;
  let scale = 0;
  for (let t = season; t < history.length; t++) scale += Math.abs(history[t]! - history[t - season]!);
  scale /= Math.max(1, history.length - season);
  const mae = absoluteError(actual, forecast) / Math.max(1, actual.length);
  return scale ? finite(mae / scale) : Number.NaN;
}

/** Bias (%): total forecast minus total actual, over total actual (positive = over-forecast). */
export function bias(actual: number[], forecast: number[]): number {
  let tot = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) tot += actual[i]!;
  // the forecast's first actual.length values (fewer when it is shorter)
  for (let i = 0; i < Math.min(actual.length, forecast.length); i++) total += forecast[i]!;
  const diff = total - tot;
  return tot ? (100 * diff) / tot : Number.NaN;
}
