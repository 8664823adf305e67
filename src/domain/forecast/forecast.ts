/**
 * Automatic forecasting of one monthly series: the candidate methods are compared by a
 * rolling-origin backtest, the best (or the median combination of the three best, when that
 * backtests better) is refitted on the whole history, and P10/P50/P90 come from its one-step
 * residuals grown with the horizon.
 */
import { bias, mape, mase, smape, wmape } from './metrics.js';
import {
  croston,
  holtDamped,
  holtWinters,
  seasonalNaive,
  ses,
  theta,
  type Fit,
  type MethodName,
} from './methods.js';

export interface ForecastOptions {
  horizon: number;
  /** Season length (12 for monthly data). */
  season?: number;
  /** Rolling origins in the backtest (each holds out `backtestHorizon` points). */
  origins?: number;
  backtestHorizon?: number;
}

export interface Accuracy {
  mape: number;
  wmape: number;
  smape: number;
  mase: number;
  bias: number;
}

export interface SeriesForecast {
  method: MethodName | 'combination';
  /** For a combination, the methods combined. */
  members: MethodName[];
  p10: number[];
  p50: number[];
  p90: number[];
  /** Backtest accuracy of the chosen method (NaN fields when the history is too short to test). */
  accuracy: Accuracy;
  /** The backtest's actuals and forecasts, kept so accuracy can be totalled over many series. */
  backtest: { actual: number[]; forecast: number[] };
}

const Z90 = 1.2815515655446004;

function candidates(y: number[], m: number): ((h: number[]) => Fit)[] {
  const zeros = y.filter((v) => v === 0).length / Math.max(1, y.length);
  if (zeros >= 0.3) {
    return [
      (x) => croston(x, 'croston'),
      (x) => croston(x, 'sba'),
      (x) => ses(x),
      (x) => seasonalNaive(x, m),
    ];
  }
  const list: ((x: number[]) => Fit)[] = [(x) => seasonalNaive(x, m), (x) => ses(x), (x) => theta(x, m)];
  if (y.length >= 6) list.push((x) => holtDamped(x));
  if (y.length >= 2 * m + 3) {
    list.push((x) => holtWinters(x, m, false));
    if (y.every((v) => v > 0)) list.push((x) => holtWinters(x, m, true));
  }
  return list;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function accuracyOf(actual: number[], forecast: number[], history: number[], m: number): Accuracy {
  return {
    mape: mape(actual, forecast),
    wmape: wmape(actual, forecast),
    smape: smape(actual, forecast),
    mase: mase(actual, forecast, history, m),
    bias: bias(actual, forecast),
  };
}

export function forecastSeries(history: number[], opts: ForecastOptions): SeriesForecast {
  const m = opts.season ?? 12;
  const h = opts.horizon;
  const y = history.map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0));
  if (y.length === 0) {
    const zeros = Array<number>(h).fill(0);
    return {
      method: 'seasonal-naive',
      members: [],
      p10: zeros,
      p50: zeros,
      p90: zeros,
      accuracy: accuracyOf([], [], [], m),
      backtest: { actual: [], forecast: [] },
    };
  }
  const bh = opts.backtestHorizon ?? Math.min(h, 6);
  const stride = Math.max(1, Math.floor(bh / 2));
  // Origins step back `stride` points at a time; keep as many (up to `origins`) as leave every
  // training window long enough for the seasonal methods, when the history allows that at all.
  let origins = opts.origins ?? 3;
  while (origins > 1 && y.length - bh - stride * (origins - 1) < 2 * m + 3 && y.length - bh >= 2 * m + 3)
    origins--;
  const ends: number[] = [];
  for (let i = 0; i < origins; i++) {
    const end = y.length - bh - i * stride;
    if (end >= 6) ends.push(end);
  }
  // Candidates are those that can be fitted on the shortest training window.
  const makers = candidates(ends.length ? y.slice(0, Math.min(...ends)) : y, m);
  const actual: number[] = [];
  const perMethod: number[][] = makers.map(() => []);
  for (const end of ends) {
    const test = y.slice(end, end + bh);
    actual.push(...test);
    const train = y.slice(0, end);
    makers.forEach((make, i) => perMethod[i]!.push(...make(train).forecast(test.length)));
  }
  const err = (f: number[]) => actual.reduce((s, a, i) => s + Math.abs(a - f[i]!), 0);
  const fits = makers.map((make) => make(y));
  let choice: number[] = [0];
  if (actual.length) {
    const ranked = perMethod.map((f, i) => [err(f), i] as const).sort((a, b) => a[0] - b[0]);
    const best = ranked[0]!;
    choice = [best[1]];
    if (ranked.length >= 3) {
      const top = ranked.slice(0, 3).map(([, i]) => i);
      const combined = actual.map((_, k) => median(top.map((i) => perMethod[i]![k]!)));
      if (err(combined) < best[0]) choice = top;
    }
  }
  const chosen = choice.map((i) => fits[i]!);
  const p50raw = Array.from({ length: h }, (_, k) => median(chosen.map((f) => f.forecast(h)[k]!)));
  const resid = chosen[0]!.residuals.filter(Number.isFinite);
  const sigma = resid.length ? Math.sqrt(resid.reduce((s, e) => s + e * e, 0) / resid.length) : 0;
  const spread = chosen[0]!.spread(h);
  const p50 = p50raw.map((v) => Math.max(0, v));
  const p10 = p50raw.map((v, k) => Math.min(p50[k]!, Math.max(0, v - Z90 * sigma * spread[k]!)));
  const p90 = p50raw.map((v, k) => Math.max(p50[k]!, v + Z90 * sigma * spread[k]!));
  const backtestForecast =
    choice.length === 1
      ? perMethod[choice[0]!]!
      : actual.map((_, k) => median(choice.map((i) => perMethod[i]![k]!)));
  return {
    method: choice.length === 1 ? chosen[0]!.method : 'combination',
    members: chosen.map((f) => f.method),
    p10,
    p50,
    p90,
    accuracy: accuracyOf(actual, backtestForecast ?? [], y, m),
    backtest: { actual, forecast: backtestForecast ?? [] },
  };
}
