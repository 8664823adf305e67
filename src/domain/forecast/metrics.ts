/** Forecast accuracy measures. Each returns NaN when it is undefined (no usable points). */
const finite = (v: number) => (Number.isFinite(v) ? v : Number.NaN);

/** Mean absolute percentage error (%), over points with a non-zero actual. */
export function mape(actual: number[], forecast: number[]): number {
  let s = 0;
  let n = 0;
  actual.forEach((a, i) => {
    if (a !== 0) {
      s += Math.abs((a - forecast[i]!) / a);
      n++;
    }
  });
  return n ? (100 * s) / n : Number.NaN;
}

/** Weighted MAPE (%): total absolute error over total actual. */
export function wmape(actual: number[], forecast: number[]): number {
  const err = actual.reduce((s, a, i) => s + Math.abs(a - forecast[i]!), 0);
  const tot = actual.reduce((s, a) => s + Math.abs(a), 0);
  return tot ? (100 * err) / tot : Number.NaN;
}

/** Symmetric MAPE (%), as in the M3/M4 competitions. */
export function smape(actual: number[], forecast: number[]): number {
  let s = 0;
  let n = 0;
  actual.forEach((a, i) => {
    const d = Math.abs(a) + Math.abs(forecast[i]!);
    if (d !== 0) {
      s += (2 * Math.abs(a - forecast[i]!)) / d;
      n++;
    }
  });
  return n ? (100 * s) / n : Number.NaN;
}

/** Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive method. */
export function mase(actual: number[], forecast: number[], history: number[], m: number): number {
  const season = history.length > m ? m : 1;
  let scale = 0;
  for (let t = season; t < history.length; t++) scale += Math.abs(history[t]! - history[t - season]!);
  scale /= Math.max(1, history.length - season);
  const mae = actual.reduce((s, a, i) => s + Math.abs(a - forecast[i]!), 0) / Math.max(1, actual.length);
  return scale ? finite(mae / scale) : Number.NaN;
}

/** Bias (%): total forecast minus total actual, over total actual (positive = over-forecast). */
export function bias(actual: number[], forecast: number[]): number {
  const tot = actual.reduce((s, a) => s + a, 0);
  const diff = forecast.slice(0, actual.length).reduce((s, f) => s + f, 0) - tot;
  return tot ? (100 * diff) / tot : Number.NaN;
}
