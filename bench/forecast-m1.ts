/**
 * bench/forecast-m1: the automatic forecaster on public data, the 617 monthly series of the M1
 * competition (../shared/data/m1-monthly, or the folder given): fit on train.csv, forecast 18
 * months, score against test.csv. Prints, in one run, the sMAPE and MASE of the automatic
 * method's P50 beside Theta's, the share of actuals inside P10-P90 (overall and per horizon), and
 * the wall time of the automatic forecasts.
 *
 *   npm run bench:forecast-m1 -- [folder]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastSeries } from '../src/domain/forecast/forecast.js';
import { theta } from '../src/domain/forecast/methods.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const folder = process.argv[2] ?? path.resolve(here, '../../../shared/data/m1-monthly');
const horizon = 18;
const season = 12;

/** `series,period,value` rows grouped by series, each in period order. */
function read(file: string): Map<string, number[]> {
  const rows = readFileSync(path.join(folder, file), 'utf8').trim().split('\n').slice(1);
  const bySeries = new Map<string, [string, number][]>();
  for (const line of rows) {
    const [name, period, value] = line.split(',') as [string, string, string];
    let s = bySeries.get(name);
    if (!s) bySeries.set(name, (s = []));
    s.push([period, Number(value)]);
  }
  return new Map(
    [...bySeries].map(([name, points]) => [
      name,
      points.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v),
    ]),
  );
}

const train = read('train.csv');
const test = read('test.csv');
const names = [...train.keys()].filter((n) => test.has(n));

const smapeTerm = (a: number, f: number) =>
  a === 0 && f === 0 ? 0 : (200 * Math.abs(a - f)) / (Math.abs(a) + Math.abs(f));
/** In-sample MAE of the seasonal naive method (lag 1 when the history is shorter than a season). */
function naiveScale(y: number[]): number {
  const lag = y.length > season ? season : 1;
  let s = 0;
  for (let t = lag; t < y.length; t++) s += Math.abs(y[t]! - y[t - lag]!);
  return s / Math.max(1, y.length - lag);
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const forecasts = names.map((n) => forecastSeries(train.get(n)!, { horizon, season }));
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const totals = { auto: 0, theta: 0, autoMase: 0, thetaMase: 0, points: 0, inside: 0, below: 0, above: 0 };
const perStep = Array.from({ length: horizon }, () => ({ inside: 0, n: 0 }));
const methods = new Map<string, number>();
let maseSeries = 0;
names.forEach((name, i) => {
  const y = train.get(name)!;
  const truth = test.get(name)!.slice(0, horizon);
  const f = forecasts[i]!;
  methods.set(f.method, (methods.get(f.method) ?? 0) + 1);
  const th = theta(y, season).forecast(truth.length);
  const scale = naiveScale(y);
  let autoAbs = 0;
  let thetaAbs = 0;
  truth.forEach((a, k) => {
    totals.auto += smapeTerm(a, f.p50[k]!);
    totals.theta += smapeTerm(a, th[k]!);
    autoAbs += Math.abs(a - f.p50[k]!);
    thetaAbs += Math.abs(a - th[k]!);
    totals.points++;
    const inside = a >= f.p10[k]! && a <= f.p90[k]!;
    if (inside) totals.inside++;
    else if (a < f.p10[k]!) totals.below++;
    else totals.above++;
    perStep[k]!.n++;
    if (inside) perStep[k]!.inside++;
  });
  if (scale > 0) {
    totals.autoMase += autoAbs / truth.length / scale;
    totals.thetaMase += thetaAbs / truth.length / scale;
    maseSeries++;
  }
});

const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)} %`;
process.stdout.write(
  [
    `M1 monthly: ${names.length} series, ${totals.points} test points, horizon ${horizon}, Node ${process.version}`,
    '',
    '| method | sMAPE | MASE | P10-P90 coverage | below P10 | above P90 | time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| automatic (forecastSeries) | ${(totals.auto / totals.points).toFixed(2)} | ${(totals.autoMase / maseSeries).toFixed(3)} | ${pct(totals.inside, totals.points)} | ${pct(totals.below, totals.points)} | ${pct(totals.above, totals.points)} | ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s) |`,
    `| Theta (methods.theta) | ${(totals.theta / totals.points).toFixed(2)} | ${(totals.thetaMase / maseSeries).toFixed(3)} | - | - | - | - |`,
    '',
    `P10-P90 coverage per horizon step: ${perStep.map((s, k) => `${k + 1}: ${((100 * s.inside) / s.n).toFixed(0)}`).join(', ')}`,
    `methods chosen: ${[...methods.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
  ].join('\n'),
);
