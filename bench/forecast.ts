/**
 * bench/forecast: automatic forecasting (selection by rolling-origin backtest, intervals) of N
 * synthetic monthly families with 36 months of history and a 24-month horizon.
 *
 *   npm run bench:forecast -- [families=1000]
 */
import { forecastSeries } from '../src/domain/forecast/forecast.js';
import { mase, smape } from '../src/domain/forecast/metrics.js';
import { holtWinters, seasonalNaive, theta } from '../src/domain/forecast/methods.js';

const families = Number(process.argv[2] ?? 1000);
const months = 36;
const holdout = 12;
const horizon = 24;

// A seeded generator so every run forecasts the same company.
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const series = Array.from({ length: families }, (_, f) => {
  const base = 50 + rand() * 5000;
  const trend = (rand() - 0.4) * 0.02;
  const amp = rand() * 0.4;
  const intermittent = f % 10 === 0;
  return Array.from({ length: months + holdout }, (_, t) => {
    if (intermittent) return rand() < 0.6 ? 0 : Math.round(base * 0.05 * rand());
    const s = 1 + amp * Math.sin((2 * Math.PI * (t + f)) / 12);
    return Math.max(0, Math.round(base * (1 + trend * t) * s * (1 + 0.1 * (rand() - 0.5))));
  });
});

const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const methods = new Map<string, number>();
for (const full of series) {
  const f = forecastSeries(full.slice(0, months), { horizon });
  methods.set(f.method, (methods.get(f.method) ?? 0) + 1);
}
const ms = performance.now() - t0;

// Accuracy on the 12 months after the history, against single methods (mean sMAPE and MASE).
const scores: Record<'auto' | 'seasonal naive' | 'theta' | 'Holt-Winters additive', [number, number]> = {
  auto: [0, 0],
  'seasonal naive': [0, 0],
  theta: [0, 0],
  'Holt-Winters additive': [0, 0],
};
for (const full of series) {
  const y = full.slice(0, months);
  const truth = full.slice(months);
  const fc: Record<keyof typeof scores, number[]> = {
    auto: forecastSeries(y, { horizon: holdout }).p50,
    'seasonal naive': seasonalNaive(y, 12).forecast(holdout),
    theta: theta(y, 12)
      .forecast(holdout)
      .map((v) => Math.max(0, v)),
    'Holt-Winters additive': holtWinters(y, 12, false)
      .forecast(holdout)
      .map((v) => Math.max(0, v)),
  };
  for (const k of Object.keys(scores) as (keyof typeof scores)[]) {
    const sm = smape(truth, fc[k]);
    const ma = mase(truth, fc[k], y, 12);
    scores[k][0] += Number.isFinite(sm) ? sm : 0;
    scores[k][1] += Number.isFinite(ma) ? ma : 0;
  }
}
process.stdout.write(
  `| ${families} | ${months} | ${horizon} | ${ms.toFixed(0)} ms | ${((ms * 1000) / families).toFixed(0)} µs | ${(
    (process.memoryUsage().heapUsed - heapBefore) /
    2 ** 20
  ).toFixed(0)} MiB | ${[...methods.entries()].map(([k, v]) => `${k} ${v}`).join(', ')} |\n`,
);
process.stdout.write(
  `accuracy over the next ${holdout} months (mean sMAPE %, mean MASE): ${Object.entries(scores)
    .map(([k, [sm, ma]]) => `${k} ${(sm / families).toFixed(1)} / ${(ma / families).toFixed(2)}`)
    .join('; ')}\n`,
);
