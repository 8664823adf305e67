/**
 * The forecast command on real files: output shape, periods as the input writes them, gaps,
 * all-or-nothing on bad rows, --method, --help.
 */
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { main } from '../../src/cli/accord.js';
import {
  FORECAST_USAGE,
  InputError,
  METHOD_NAMES,
  parseForecastArgs,
  periodOf,
  runForecast,
} from '../../src/cli/forecast.js';
import { METHODS } from '../../src/domain/forecast/methods.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'accord-cli-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Runs the command on `input` expecting it to refuse; returns what it threw. */
const refusal = (input: string, output = path.join(dir, 'never.csv')) =>
  runForecast({
    input,
    output,
    horizon: 2,
    season: 12,
    warn: () => undefined,
    progress: () => undefined,
  }).catch((e: unknown) => e);

describe('accord forecast', () => {
  it('writes series,period,p10,p50,p90,method for each series and month ahead, reporting gaps', async () => {
    const rows = ['Series,Period,Value,Note'];
    for (let t = 0; t < 30; t++) {
      if (t === 10) continue; // a gap
      rows.push(
        `"Snacks, salty",${2023 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')},${100 + t},x`,
      );
    }
    rows.push('Drinks,2025-01,40', 'Drinks,2024-12,30');
    const input = file('h.csv', rows.join('\n'));
    const output = path.join(dir, 'f.csv');
    const warnings: string[] = [];
    const progress: number[] = [];
    const result = await runForecast({
      input,
      output,
      horizon: 4,
      season: 12,
      warn: (l) => warnings.push(l),
      progress: (d) => progress.push(d),
    });
    expect(result).toEqual({ series: 2, rows: 8, gaps: 1 });
    expect(progress).toEqual([1, 2]);
    expect(warnings[0]).toMatch(/1 missing month/);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('series,period,p10,p50,p90,method');
    expect(lines[1]).toMatch(/^"Snacks, salty",2025-07,[\d.]+,[\d.]+,[\d.]+,[a-z-]+$/);
    expect(lines.filter((l) => l.startsWith('Drinks,'))[0]).toMatch(/^Drinks,2025-02,/);
    for (const l of lines.slice(1)) {
      const [p10, p50, p90] = l.split(',').slice(-4, -1).map(Number);
      expect(p10).toBeLessThanOrEqual(p50!);
      expect(p50).toBeLessThanOrEqual(p90!);
    }
  });

  it('lists every bad row and writes nothing', async () => {
    const input = file(
      'bad.csv',
      'series,period,value\nA,2024-13,5\nB,2024-01,-2\n,2024-02,x\nC,2024-01,1\nC,2024-01,2\nD,0000-01,1\nD,2024-01,1e308\n',
    );
    const output = path.join(dir, 'never.csv');
    const err = await refusal(input, output);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems).toEqual([
      'line 2, period: "2024-13" is not a month as YYYY-MM',
      'line 3, value: -2 is negative',
      'line 4, series: empty',
      'line 4, value: "x" is not a number',
      'line 6, period: 2024-01 appears twice for series "C"',
      'line 7, period: "0000-01" is not a month from 0001-01 to 9999-12',
      'line 8, value: 1e308 is out of range: at most 1e12 either side of 0',
    ]);
    expect(existsSync(output)).toBe(false);
  });

  it('names missing columns', async () => {
    const input = file('cols.csv', 'sku,month,qty\nA,2024-01,5\n');
    const err = await refusal(input);
    expect((err as InputError).problems).toEqual(['header: missing column(s) series, period, value']);
  });

  it('reports malformed CSV with its line', async () => {
    const input = file('quote.csv', 'series,period,value\nA,2024-01,5\n"B,2024-02,6\n');
    const err = await refusal(input);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems[0]).toMatch(/^line \d+: .*quote/i);
  });

  it('writes periods as the input writes them, four-digit years included (0005-06, not 5-06)', async () => {
    const rows = ['series,period,value'];
    // M1-style made-up years: 0003-01 to 0005-05
    for (let t = 0; t < 29; t++) rows.push(`X,${periodOf(3 * 12 + t)},${100 + (t % 12) * 3}`);
    rows.push('Y,0998-11,5', 'Y,0998-12,6', 'Z,2024-12,7');
    const output = path.join(dir, 'years.csv');
    await runForecast({
      input: file('years.csv', rows.join('\n')),
      output,
      horizon: 3,
      season: 12,
      warn: () => undefined,
      progress: () => undefined,
    });
    const periods = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).join(','));
    expect(periods).toEqual([
      'X,0005-06',
      'X,0005-07',
      'X,0005-08',
      'Y,0999-01',
      'Y,0999-02',
      'Y,0999-03',
      'Z,2025-01',
      'Z,2025-02',
      'Z,2025-03',
    ]);
    expect(periodOf(0 * 12 + 11)).toBe('0000-12');
    expect(periodOf(9999 * 12 + 11)).toBe('9999-12');
  });

  it('refuses a forecast that would run past 9999-12, writing nothing', async () => {
    const output = path.join(dir, 'late-out.csv');
    const err = await runForecast({
      input: file('late.csv', 'series,period,value\nA,9999-10,1\nB,2024-01,1\n'),
      output,
      horizon: 3,
      season: 12,
      warn: () => undefined,
      progress: () => undefined,
    }).catch((e: unknown) => e);
    expect((err as InputError).problems).toEqual(['series "A": 3 months ahead would pass 9999-12']);
    expect(existsSync(output)).toBe(false);
  });

  it('--method forces one method for every series (or the pool mean), named in the method column', async () => {
    const rows = ['series,period,value'];
    for (let t = 0; t < 40; t++) {
      const month = `${2021 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
      rows.push(`Long,${month},${200 + 40 * Math.sin(t / 2) + t}`);
      if (t < 20) rows.push(`Short,${month},${50 + (t % 5)}`);
    }
    const input = file('methods.csv', rows.join('\n'));
    const methodsOf = async (method: (typeof METHOD_NAMES)[number]) => {
      const output = path.join(dir, `m-${method}.csv`);
      await runForecast({
        input,
        output,
        horizon: 2,
        season: 12,
        method,
        warn: () => undefined,
        progress: () => undefined,
      });
      const lines = readFileSync(output, 'utf8').trim().split('\n').slice(1);
      return Object.fromEntries(lines.map((l) => [l.split(',')[0], l.split(',').at(-1)]));
    };
    expect(await methodsOf('theta')).toEqual({ Long: 'theta', Short: 'theta' });
    // Holt-Winters needs 27 months: the short series falls back to the damped trend
    expect(await methodsOf('holt-winters-additive')).toEqual({
      Long: 'holt-winters-additive',
      Short: 'holt-damped',
    });
    expect(await methodsOf('combination')).toEqual({ Long: 'combination', Short: 'combination' });
  });

  it('parses --method and --help, and lists the valid method names on a wrong one', () => {
    expect(parseForecastArgs(['--input', 'h.csv', '--method', 'ses'])).toEqual({
      kind: 'run',
      input: 'h.csv',
      output: 'forecast.csv',
      horizon: 18,
      season: 12,
      method: 'ses',
    });
    expect(parseForecastArgs(['--input', 'h.csv'])).toMatchObject({ kind: 'run', method: 'auto' });
    const wrong = parseForecastArgs(['--input', 'h.csv', '--method', 'arima']);
    expect(wrong).toEqual({
      kind: 'error',
      message: `--method "arima" is not one of ${['auto', 'combination', ...METHODS].join(', ')}`,
    });
    expect(parseForecastArgs(['--help'])).toEqual({ kind: 'help', text: FORECAST_USAGE });
    expect(parseForecastArgs([])).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^--input is required/),
    });
    expect(parseForecastArgs(['--input', 'h.csv', '--horizon', '0'])).toMatchObject({ kind: 'error' });
    for (const name of METHOD_NAMES) expect(FORECAST_USAGE).toContain(name);
  });

  describe('the accord command', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });
    const stdout = () => {
      const out: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      return out;
    };

    it('accord forecast --help prints the usage (every option and method) and exits normally', async () => {
      const out = stdout();
      await main(['forecast', '--help']);
      expect(out.join('')).toBe(`${FORECAST_USAGE}\n`);
      expect(out.join('')).toMatch(/--input history\.csv.*--horizon.*--season.*--method.*--output/s);
    });

    it('accord --help prints the usage of every command', async () => {
      const out = stdout();
      await main(['--help']);
      expect(out.join('')).toContain('usage: accord forecast');
      expect(out.join('')).toContain('accord admin-token --rotate');
    });
  });
});
