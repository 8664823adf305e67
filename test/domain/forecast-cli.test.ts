/** The forecast command's engine on real files: output shape, gaps, all-or-nothing on bad rows. */
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InputError, runForecast } from '../../src/cli/forecast.js';

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
      'line 7, period: "0000-01" is not a month from 1900-01 to 2199-12',
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
});
