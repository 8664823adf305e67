import { compile } from 'vega-lite';
import {
  capacityChartSpec,
  fanChartSpec,
  periodLabel,
  renderSvg,
  svgToPng,
  textWidth,
  type CapacityChart,
  type FanChart,
} from '../../src/render/charts.js';

const months = (from: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => {
    const m = from + i;
    return `${2024 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });

const capacity: CapacityChart = {
  resource: 'RES-PRESS-1',
  name: 'Press line 1',
  periods: months(12, 12),
  load: [9000, 10500, 12000, 13200, 11800, 9600, 8000, 12500, 14100, 13000, 11000, 9800],
  capacity: Array<number>(12).fill(12000),
  withOvertime: Array<number>(12).fill(13500),
};

const fan: FanChart = {
  family: 'FAM-WIDGET',
  name: 'Widgets',
  history: months(6, 12).map((period, i) => ({
    period,
    value: 5000 + Math.round(300 * Math.sin(i)) + 50 * i,
  })),
  forecast: months(18, 6).map((period, i) => ({
    period,
    p10: 5200 - 100 * i,
    p50: 5600 + 20 * i,
    p90: 6000 + 150 * i,
  })),
  consensus: [5900, 5900, 5950, 6000, 6000, 6050],
};

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The text of the visible (opacity 1) <text> elements. */
function visibleTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b([^>]*)>([^<]*)<\/text>/g)]
    .filter((m) => !/opacity="0"/.test(m[1]!))
    .map((m) => m[2]!);
}

describe('chart specs', () => {
  test('the capacity and fan specs compile to Vega', () => {
    for (const spec of [
      capacityChartSpec(capacity),
      fanChartSpec(fan),
      fanChartSpec({ ...fan, consensus: undefined }),
    ]) {
      const vg = compile(spec as never).spec;
      expect(vg.marks?.length).toBeGreaterThan(0);
      expect(vg.legends?.length).toBe(1);
    }
  });

  test('titles name the resource / family', () => {
    expect(capacityChartSpec(capacity)).toMatchObject({ title: 'Press line 1: load vs capacity' });
    expect(fanChartSpec(fan)).toMatchObject({ title: 'Widgets: forecast P10-P90' });
    expect(capacityChartSpec({ ...capacity, name: '' })).toMatchObject({
      title: 'RES-PRESS-1: load vs capacity',
    });
  });

  test('a long name is shortened, the title keeps its suffix', () => {
    const long = 'Very long family name for the quarterly premium product range, north-east region';
    const title = (fanChartSpec({ ...fan, name: long }) as { title: string }).title;
    expect(title).toMatch(/^Very long family name .*…: forecast P10-P90$/);
    expect(textWidth({ fontSize: 15, fontWeight: 'bold' }, title)).toBeLessThanOrEqual(720 - 24);
  });

  test('periods are shown as YYYY-MM', () => {
    expect(periodLabel('2025-03')).toBe('2025-03');
    expect(periodLabel('2025-03-01')).toBe('2025-03');
    expect(periodLabel('2025-03-01T00:00:00.000Z')).toBe('2025-03');
    expect(periodLabel('2025-W03')).toBe('2025-W03');
  });

  test('DejaVu metrics: month labels are ~0.6 em per character, bold wider, limit caps the width', () => {
    expect(textWidth({ fontSize: 11 }, '2025-01')).toBeCloseTo(11 * (6 * 0.636 + 0.361), 1);
    expect(textWidth({ fontSize: 15, fontWeight: 'bold' }, 'Widgets')).toBeGreaterThan(
      textWidth({ fontSize: 15 }, 'Widgets'),
    );
    expect(textWidth({ fontSize: 11, limit: 20 }, 'a long legend label')).toBe(20);
  });
});

describe('rendering', () => {
  test('capacity chart: SVG has the name and months; PNG has the requested width', async () => {
    const svg = await renderSvg(capacityChartSpec(capacity));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/width="720" height="300"/);
    const texts = visibleTexts(svg);
    expect(texts).toContain('Press line 1: load vs capacity');
    // 12 months fit side by side at 720 px: every label is shown
    for (const m of capacity.periods) expect(texts).toContain(m);
    expect(texts).toEqual(
      expect.arrayContaining(['Load', 'Load over capacity', 'Capacity', 'Capacity incl. overtime']),
    );
    expect(texts).toContain('14,000');

    const png = svgToPng(svg);
    expect(pngSize(png)).toEqual({ width: 900, height: 375 });
    expect(pngSize(svgToPng(svg, { width: 1440 }))).toEqual({ width: 1440, height: 600 });
  });

  test('fan chart: SVG has the name, months and legend', async () => {
    const svg = await renderSvg(fanChartSpec(fan));
    const texts = visibleTexts(svg);
    expect(texts).toContain('Widgets: forecast P10-P90');
    expect(texts).toEqual(
      expect.arrayContaining(['2024-07', '2025-01', 'Actuals', 'P10–P90', 'P50 forecast', 'Consensus']),
    );
    expect(pngSize(svgToPng(svg)).width).toBe(900);

    const noConsensus = visibleTexts(await renderSvg(fanChartSpec({ ...fan, consensus: undefined })));
    expect(noConsensus).not.toContain('Consensus');
  });

  test('names are escaped in the SVG and the PNG still renders', async () => {
    const svg = await renderSvg(capacityChartSpec({ ...capacity, name: 'R&D <press> "A"' }));
    expect(svg).toContain('R&amp;D &lt;press&gt;');
    expect(pngSize(svgToPng(svg)).width).toBe(900);
  });

  test('text is rasterised: a line of text makes a bigger PNG than a blank one', () => {
    const svg = (body: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">${body}</svg>`;
    const blank = svgToPng(svg(''), { width: 200 });
    const text = svgToPng(
      svg('<text x="5" y="25" font-family="DejaVu Sans, sans-serif" font-size="16px">Press line 1</text>'),
      { width: 200 },
    );
    expect(text.length).toBeGreaterThan(blank.length + 200);
  });

  test('NaN, Infinity, missing values and ragged arrays do not throw', async () => {
    const bad: CapacityChart = {
      resource: 'R-BAD',
      name: 'Bad numbers',
      periods: months(0, 6),
      load: [NaN, Infinity, -Infinity, 100, undefined as unknown as number],
      capacity: [120, NaN, 120],
      withOvertime: [Infinity, 150, 150, 150, 150, 150, 150, 150],
    };
    const svg = await renderSvg(capacityChartSpec(bad));
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(visibleTexts(svg)).toContain('2024-01');
    expect(pngSize(svgToPng(svg)).width).toBe(900);

    const badFan: FanChart = {
      family: 'F-BAD',
      name: 'Bad fan',
      history: [
        { period: '2024-01', value: NaN },
        { period: '2024-02', value: 10 },
        { period: '2024-03', value: Infinity },
      ],
      forecast: [
        { period: '2024-04', p10: NaN, p50: 12, p90: Infinity },
        { period: '2024-05', p10: 8, p50: -Infinity, p90: 16 },
      ],
      consensus: [NaN],
    };
    const fanSvg = await renderSvg(fanChartSpec(badFan));
    expect(fanSvg).not.toMatch(/NaN|Infinity/);
    expect(pngSize(svgToPng(fanSvg)).width).toBe(900);

    const empty = await renderSvg(
      capacityChartSpec({
        resource: 'R0',
        name: 'Empty',
        periods: [],
        load: [],
        capacity: [],
        withOvertime: [],
      }),
    );
    expect(visibleTexts(empty)).toContain('Empty: load vs capacity');
    await expect(
      renderSvg(fanChartSpec({ family: 'F0', name: 'Empty', history: [], forecast: [] })),
    ).resolves.toMatch(/^<svg/);
    expect(() => svgToPng(empty, { width: 0 })).toThrow(RangeError);
  });

  test('timing: one capacity chart to SVG and to PNG (printed, not asserted)', async () => {
    const spec = capacityChartSpec(capacity);
    const times: string[] = [];
    for (let run = 1; run <= 3; run++) {
      const t0 = performance.now();
      const svg = await renderSvg(spec);
      const t1 = performance.now();
      svgToPng(svg);
      const t2 = performance.now();
      times.push(`run ${run}: svg ${(t1 - t0).toFixed(0)} ms, png ${(t2 - t1).toFixed(0)} ms`);
    }
    process.stdout.write(`capacity chart render timing: ${times.join('; ')}\n`);
  });
});
