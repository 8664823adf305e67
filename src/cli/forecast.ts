/**
 * `accord forecast --input history.csv --horizon 18 --output forecast.csv`
 *
 * Input columns `series,period,value` (period `YYYY-MM` from 1900-01 to 2199-12, value from 0 to
 * 1e12, any order; more columns are
 * ignored). Output `series,period,p10,p50,p90,method`. A file with bad rows writes nothing and
 * lists every bad row (line, column, reason). Months missing inside a series count as zero demand
 * and are reported. A progress line is shown on large inputs.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { forecastSeries } from '../domain/forecast/forecast.js';
import { dataMonthProblem, dataNumber } from '../domain/dataset.js';
import { monthName, monthNumber } from '../domain/time.js';

export interface ForecastCliOptions {
  input: string;
  output: string;
  horizon: number;
  season: number;
  progress: (done: number, total: number) => void;
  warn: (line: string) => void;
}

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
      // The same checks as a data set's history rows: a month from 1900 to 2199, a plain number
      // from 0 to 1e12.
      const badPeriod = dataMonthProblem(period);
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
    const f = forecastSeries(y, { horizon: o.horizon, season: o.season });
    let chunk = '';
    for (let k = 0; k < o.horizon; k++) {
      chunk += `${csvField(name)},${monthName(last + 1 + k)},${round(f.p10[k]!)},${round(f.p50[k]!)},${round(f.p90[k]!)},${f.method}\n`;
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
