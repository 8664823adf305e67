/**
 * `accord forecast --input history.csv --horizon 18 --output forecast.csv [--method name]`
 *
 * Input columns `series,period,value` (period `YYYY-MM` from 0001-01 to 9999-12, so that public
 * benchmark data with made-up years such as `0005-06` goes through; value from 0 to 1e12, any
 * order; more columns are ignored). Output `series,period,p10,p50,p90,method`, periods written
 * as the input writes them (`YYYY-MM`, four-digit year). A file with bad rows writes nothing and
 * lists every bad row (line, column, reason). Months missing inside a series count as zero demand
 * and are reported. A progress line is shown on large inputs.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { CsvError, parse } from 'csv-parse';
import { METHOD_CHOICES, forecastSeries, type MethodChoice } from '../domain/forecast/forecast.js';
import { METHODS } from '../domain/forecast/methods.js';
import { dataNumber } from '../domain/dataset.js';
import { ISO_MONTH, monthNumber } from '../domain/time.js';

export interface ForecastCliOptions {
  input: string;
  output: string;
  horizon: number;
  season: number;
  /** One method for every series, the pool's mean ('combination'), or 'auto' (the default). */
  method?: MethodChoice;
  progress: (done: number, total: number) => void;
  warn: (line: string) => void;
}

/** The names `--method` takes. */
export const METHOD_NAMES: readonly MethodChoice[] = [...METHOD_CHOICES, ...METHODS];

export const FORECAST_USAGE = `usage: accord forecast --input history.csv [--horizon 18] [--season 12] [--method auto] [--output forecast.csv|-]

  input    CSV with columns series,period,value (period YYYY-MM)
  output   CSV with columns series,period,p10,p50,p90,method (default: forecast.csv; - for stdout)
  horizon  months to forecast, 1 to 60 (default 18)
  season   season length, 1 to 52 (default 12)
  method   ${METHOD_NAMES.join(', ')}
           (default auto: the mean of a pool of methods, one of them alone only on strong backtest
           evidence; a method that cannot be fitted on a short series falls back to holt-damped or ses)
  help     this text`;

/** What the command line asks for: a run, the usage, or a mistake to report (with the usage). */
export type ForecastArgs =
  | {
      kind: 'run';
      input: string;
      output: string;
      horizon: number;
      season: number;
      method: MethodChoice;
    }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export function parseForecastArgs(args: string[]): ForecastArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        input: { type: 'string', short: 'i' },
        output: { type: 'string', short: 'o', default: 'forecast.csv' },
        horizon: { type: 'string', short: 'h', default: '18' },
        season: { type: 'string', default: '12' },
        method: { type: 'string', short: 'm', default: 'auto' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return { kind: 'error', message: `${(err as Error).message}\n${FORECAST_USAGE}` };
  }
  if (values.help) return { kind: 'help', text: FORECAST_USAGE };
  if (!values.input) return { kind: 'error', message: `--input is required\n${FORECAST_USAGE}` };
  const horizon = Number(values.horizon);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 60)
    return { kind: 'error', message: '--horizon must be a whole number of months, 1 to 60' };
  const season = Number(values.season);
  if (!Number.isInteger(season) || season < 1 || season > 52)
    return { kind: 'error', message: '--season must be a whole number, 1 to 52' };
  const method = values.method as MethodChoice;
  if (!METHOD_NAMES.includes(method))
    return {
      kind: 'error',
      message: `--method "${values.method}" is not one of ${METHOD_NAMES.join(', ')}`,
    };
  return { kind: 'run', input: values.input, output: values.output, horizon, season, method };
}

/** The months the command takes: a real `YYYY-MM` from 0001-01 to 9999-12. */
export const CLI_MONTHS = { from: '0001-01', to: '9999-12' } as const;
const LAST_MONTH = monthNumber(CLI_MONTHS.to);

function monthProblem(text: string): string | null {
  if (!ISO_MONTH.test(text)) return `"${text}" is not a month as YYYY-MM`;
  if (text < CLI_MONTHS.from) return `"${text}" is not a month from ${CLI_MONTHS.from} to ${CLI_MONTHS.to}`;
  return null;
}

/** A month number as `YYYY-MM` with a four-digit year, as the input writes it (`0005-06`). */
export const periodOf = (n: number): string =>
  `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}`;

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} bad row(s) in the input; nothing was written`);
  }
}

export async function readHistory(input: string): Promise<Map<string, Map<number, number>>> {
  const series = new Map<string, Map<number, number>>();
  const problems: string[] = [];
  const parser = createReadStream(input).pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
    }),
  );
  let checkedHeader = false;
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (!checkedHeader) {
        checkedHeader = true;
        const missing = ['series', 'period', 'value'].filter((c) => !(c in row));
        if (missing.length) throw new InputError([`header: missing column(s) ${missing.join(', ')}`]);
      }
      const name = row['series'] ?? '';
      const period = row['period'] ?? '';
      // A real month (any four-digit year from 0001), and the same check of the value as a data
      // set's history rows: a plain number from 0 to 1e12.
      const badPeriod = monthProblem(period);
      const value = dataNumber(row['value'] ?? '', 'nonNegative');
      if (!name) problems.push(`line ${line}, series: empty`);
      if (badPeriod) problems.push(`line ${line}, period: ${badPeriod}`);
      if ('problem' in value) problems.push(`line ${line}, value: ${value.problem}`);
      if (problems.length > 1000) break;
      if (!name || badPeriod || 'problem' in value) continue;
      let s = series.get(name);
      if (!s) series.set(name, (s = new Map<number, number>()));
      const m = monthNumber(period);
      if (s.has(m)) problems.push(`line ${line}, period: ${period} appears twice for series "${name}"`);
      s.set(m, value.value);
    }
  } catch (err) {
    // csv-parse reports malformed CSV (an unclosed quote, say) with the line it stopped at.
    if (err instanceof CsvError)
      throw new InputError([
        ...problems,
        `line ${(err as CsvError & { lines?: number }).lines ?? '?'}: ${err.message}`,
      ]);
    throw err;
  }
  if (problems.length) throw new InputError(problems);
  return series;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function runForecast(
  o: ForecastCliOptions,
): Promise<{ series: number; rows: number; gaps: number }> {
  const history = await readHistory(o.input);
  const late = [...history]
    .filter(([, points]) => Math.max(...points.keys()) + o.horizon > LAST_MONTH)
    .map(([name]) => `series "${name}": ${o.horizon} months ahead would pass ${CLI_MONTHS.to}`);
  if (late.length) throw new InputError(late);
  const out = o.output === '-' ? process.stdout : createWriteStream(o.output);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write('series,period,p10,p50,p90,method\n');
  let done = 0;
  let rows = 0;
  let gaps = 0;
  const round = (v: number) => String(Math.round(v * 100) / 100);
  for (const [name, points] of history) {
    const months = [...points.keys()];
    const first = Math.min(...months);
    const last = Math.max(...months);
    const y: number[] = [];
    for (let i = first; i <= last; i++) {
      const v = points.get(i);
      if (v === undefined) gaps++;
      y.push(v ?? 0);
    }
    const f = forecastSeries(y, { horizon: o.horizon, season: o.season, method: o.method ?? 'auto' });
    let chunk = '';
    for (let k = 0; k < o.horizon; k++) {
      chunk += `${csvField(name)},${periodOf(last + 1 + k)},${round(f.p10[k]!)},${round(f.p50[k]!)},${round(f.p90[k]!)},${f.method}\n`;
      rows++;
    }
    await write(chunk);
    o.progress(++done, history.size);
  }
  if (out !== process.stdout)
    await new Promise<void>((resolve) => (out as NodeJS.WritableStream).end(resolve));
  if (gaps) o.warn(`${gaps} missing month(s) inside series were taken as zero demand`);
  return { series: history.size, rows, gaps };
}
