/**
 * Charts for the pre-S&OP pack: Vega-Lite specs built from plain data, compiled with vega-lite, rendered
 * headless to SVG with vega (no canvas, no DOM) and rasterised to PNG with resvg.
 *
 * Fonts: the specs ask for "DejaVu Sans" (then the generic sans-serif). For the PNG, resvg is pointed at the
 * DejaVu files when they are present and system fonts are not scanned, so the output does not depend on
 * fontconfig; without them resvg falls back to the system fonts and maps every generic family to the first one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { View, parse, logger as vegaLogger, Error as LOG_ERROR, type Spec as VegaSpec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface CapacityChart {
  resource: string;
  name: string;
  periods: string[];
  load: number[];
  capacity: number[];
  /** capacity plus overtime */
  withOvertime: number[];
}

export interface FanChart {
  family: string;
  name: string;
  history: { period: string; value: number }[];
  forecast: { period: string; p10: number; p50: number; p90: number }[];
  /** consensus demand per forecast period, when it differs from p50 */
  consensus?: number[];
}

/** Overall chart size in px, title, axes and legend included. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 300;
/** Default PNG width in px (the SVG is scaled up from CHART_WIDTH, so text stays crisp). */
export const PNG_WIDTH = 900;
const TITLE_FONT_SIZE = 15;
/** Longest title in px; longer names are shortened with an ellipsis (see chartTitle). */
const TITLE_LIMIT = CHART_WIDTH - 24;

export const FONT_FAMILY = 'DejaVu Sans';
const FONT = `${FONT_FAMILY}, sans-serif`;
const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu';
const DEJAVU_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

const COLOURS = {
  load: '#4c78a8',
  over: '#e45756',
  capacity: '#222222',
  overtime: '#777777',
  history: '#222222',
  band: '#c6dbef',
  p50: '#4c78a8',
  consensus: '#f58518',
};

const SERIES = {
  load: 'Load',
  over: 'Load over capacity',
  capacity: 'Capacity',
  overtime: 'Capacity incl. overtime',
  history: 'Actuals',
  band: 'P10–P90',
  p50: 'P50 forecast',
  consensus: 'Consensus',
};

/** A finite number, or null (Vega-Lite drops nulls from bars and breaks lines and areas at them). */
function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** `YYYY-MM` for month-like periods (`2025-03`, `2025-03-01`, `2025-03-01T00:00:00Z`); anything else as given. */
export function periodLabel(p: string | null | undefined): string {
  const s = String(p ?? '').trim();
  const m = /^(\d{4}-\d{2})(?:-\d{2}(?:[T ].*)?)?$/.exec(s);
  return m ? m[1]! : s;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Month labels stay horizontal; when they no longer fit side by side vega shows every 2nd (4th, ...) one. */
function xAxis(): Record<string, unknown> {
  return {
    title: 'Month',
    labelAngle: 0,
    labelOverlap: 'parity',
    labelPadding: 4,
    labelSeparation: 4,
  };
}

const CONFIG = {
  font: FONT,
  background: 'white',
  padding: 8,
  title: {
    fontSize: TITLE_FONT_SIZE,
    fontWeight: 'bold',
    anchor: 'start',
    offset: 8,
    color: '#222222',
    limit: TITLE_LIMIT,
  },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    labelColor: '#333333',
    titleColor: '#333333',
    gridColor: '#e6e6e6',
  },
  // vega's default number format for linear axes is d3 ',f' at the ticks' precision: 12,000 and 0.5 alike.
  axisY: { tickCount: 6 },
  legend: {
    orient: 'top',
    direction: 'horizontal',
    labelFontSize: 11,
    symbolSize: 120,
    title: null,
    columnPadding: 16,
    labelLimit: 240,
  },
  view: { stroke: null },
  line: { strokeWidth: 2 },
};

/**
 * Advance widths (1/1000 em) of DejaVu Sans and DejaVu Sans Bold for U+0020..U+007E, read from the fonts'
 * hmtx tables. Without node-canvas vega guesses 0.8 em per character, which is ~30% too wide for DejaVu: month
 * labels get thinned out, legend labels truncated and long axis titles push the chart title off the top.
 */
const DEJAVU_ADVANCE = {
  regular: [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
    636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838,
    500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
  ],
  bold: [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696,
    696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372,
    372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838,
    500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595,
    478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
  ],
};

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

/** Width in px of one line of text in DejaVu Sans at the item's size and weight. */
export function textWidth(item: TextItem, text: string | number | null | undefined): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (Number(w) || 0) >= 600;
  const table = bold ? DEJAVU_ADVANCE.bold : DEJAVU_ADVANCE.regular;
  let em = 0;
  for (const ch of String(text ?? '').trim()) {
    const code = ch.codePointAt(0)!;
    // en dash, ellipsis and the like are about 0.5-1 em; CJK and other wide scripts are 1 em.
    em += code >= 32 && code < 127 ? table[code - 32]! : code >= 0x2e80 ? 1000 : 650;
  }
  const px = (em / 1000) * size;
  // vega truncates text to `limit` before measuring bounds; the truncated text is at most that wide.
  return item.limit && item.limit > 0 ? Math.min(px, item.limit) : px;
}

/** Make vega measure text with the DejaVu metrics (the hook vega keeps for a user-defined width function). */
function useDejaVuMetrics(): void {
  const metrics = (vega as unknown as { textMetrics?: { width: (item: TextItem, text: string) => number } })
    .textMetrics;
  if (metrics && metrics.width !== textWidth) metrics.width = textWidth;
}

/** `<name><suffix>`, shortening the name (not the suffix) with an ellipsis when the title would not fit. */
export function chartTitle(name: string, suffix: string): string {
  const item = { fontSize: TITLE_FONT_SIZE, fontWeight: 'bold' };
  const chars = [...String(name).trim()];
  if (textWidth(item, chars.join('') + suffix) <= TITLE_LIMIT) return chars.join('') + suffix;
  while (chars.length > 1 && textWidth(item, `${chars.join('').trimEnd()}…${suffix}`) > TITLE_LIMIT)
    chars.pop();
  return `${chars.join('').trimEnd()}…${suffix}`;
}

function frame(title: string, values: Record<string, unknown>[], layer: unknown[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    data: { values },
    layer,
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/** Legend symbol per entry: squares for filled marks, strokes (dashed where the line is) for lines. */
function legendSymbols(lines: string[], dashed: string[]): Record<string, unknown> {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return {
    symbols: {
      update: {
        shape: { signal: `indexof(${list(lines)}, datum.value) >= 0 ? 'stroke' : 'square'` },
        strokeDash: { signal: `indexof(${list(dashed)}, datum.value) >= 0 ? [5, 3] : [1, 0]` },
        strokeWidth: { signal: `indexof(${list(lines)}, datum.value) >= 0 ? 2 : 0` },
      },
    },
  };
}

/** Demand (load) against capacity for one resource: bars for load (over capacity in a warning colour), a line for regular capacity and a dashed line for capacity incl. overtime. */
export function capacityChartSpec(c: CapacityChart): object {
  const periods = uniq((c.periods ?? []).map(periodLabel));
  const values = (c.periods ?? []).map((p, i) => {
    const load = finite(c.load?.[i]);
    const capacity = finite(c.capacity?.[i]);
    const withOvertime = finite(c.withOvertime?.[i]);
    const over = load !== null && capacity !== null && load > capacity;
    return { period: periodLabel(p), load, capacity, withOvertime, status: over ? SERIES.over : SERIES.load };
  });
  const x = { field: 'period', type: 'ordinal', sort: periods, scale: { domain: periods }, axis: xAxis() };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'Load and capacity' });
  const color = {
    scale: {
      domain: [SERIES.load, SERIES.over, SERIES.capacity, SERIES.overtime],
      range: [COLOURS.load, COLOURS.over, COLOURS.capacity, COLOURS.overtime],
    },
    legend: { encode: legendSymbols([SERIES.capacity, SERIES.overtime], [SERIES.overtime]) },
  };
  const name = c.name || c.resource;
  return frame(chartTitle(name, ': load vs capacity'), values, [
    {
      mark: { type: 'bar', width: { band: 0.7 } },
      encoding: { x, y: y('load'), color: { field: 'status', ...color } },
    },
    {
      mark: { type: 'line', point: { size: 30 } },
      encoding: { x, y: y('capacity'), color: { datum: SERIES.capacity, ...color } },
    },
    {
      mark: { type: 'line', strokeDash: [6, 4] },
      encoding: { x, y: y('withOvertime'), color: { datum: SERIES.overtime, ...color } },
    },
  ]);
}

/** Demand history and the forecast fan for one family: the P10–P90 band, the P50 line and, if given, consensus. */
export function fanChartSpec(c: FanChart): object {
  const history = c.history ?? [];
  const forecast = c.forecast ?? [];
  const rows = new Map<string, Record<string, number | string | null>>();
  const row = (p: string) => {
    const key = periodLabel(p);
    let r = rows.get(key);
    if (!r) {
      r = { period: key, history: null, p10: null, p50: null, p90: null, consensus: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const h of history) row(h.period).history = finite(h.value);
  const hasConsensus = Array.isArray(c.consensus) && c.consensus.length > 0;
  forecast.forEach((f, i) => {
    const r = row(f.period);
    r.p10 = finite(f.p10);
    r.p50 = finite(f.p50);
    r.p90 = finite(f.p90);
    if (hasConsensus) r.consensus = finite(c.consensus?.[i]);
  });
  // Start the fan (P50, band and consensus) at the last actual so the forecast visibly continues the history.
  const lastHistory = [...history].reverse().find((h) => finite(h.value) !== null);
  const firstForecast = forecast[0] ? periodLabel(forecast[0].period) : undefined;
  if (lastHistory && firstForecast && periodLabel(lastHistory.period) !== firstForecast) {
    const r = row(lastHistory.period);
    if (r.p50 === null) r.p50 = finite(lastHistory.value);
    if (hasConsensus && r.consensus === null) r.consensus = finite(lastHistory.value);
    if (r.p10 === null && r.p90 === null) r.p10 = r.p90 = finite(lastHistory.value);
  }
  const values = [...rows.values()];
  const periods = values.map((r) => r.period as string);

  const domain = [SERIES.history, SERIES.band, SERIES.p50, ...(hasConsensus ? [SERIES.consensus] : [])];
  const range = [COLOURS.history, COLOURS.band, COLOURS.p50, ...(hasConsensus ? [COLOURS.consensus] : [])];
  const lines = [SERIES.history, SERIES.p50, SERIES.consensus];
  const color = (series: string) => ({
    datum: series,
    scale: { domain, range },
    legend: { encode: legendSymbols(lines, [SERIES.consensus]) },
  });
  const x = {
    field: 'period',
    type: 'ordinal',
    sort: periods,
    scale: { type: 'point', domain: periods, padding: 0.3 },
    axis: xAxis(),
  };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'Demand' });
  const name = c.name || c.family;
  const layer: unknown[] = [
    {
      mark: { type: 'area' },
      encoding: { x, y: y('p10'), y2: { field: 'p90' }, color: color(SERIES.band) },
    },
    { mark: { type: 'line' }, encoding: { x, y: y('history'), color: color(SERIES.history) } },
    { mark: { type: 'line', point: { size: 25 } }, encoding: { x, y: y('p50'), color: color(SERIES.p50) } },
  ];
  if (hasConsensus) {
    layer.push({
      mark: { type: 'line', strokeDash: [6, 3] },
      encoding: { x, y: y('consensus'), color: color(SERIES.consensus) },
    });
  }
  return frame(chartTitle(name, ': forecast P10-P90'), values, layer);
}

/** Stacked horizontal bars: one bar per category (top to bottom as given), one segment per series. */
export interface StackedBarChart {
  title: string;
  /** The quantity on the bars' axis, e.g. "Inputs". */
  axisTitle: string;
  categories: string[];
  /** In stacking and legend order. */
  series: { key: string; label: string; colour: string }[];
  /** category -> series key -> value (missing: 0). */
  values: Record<string, Record<string, number>>;
}

/** Height per bar in px (the chart grows with the categories). */
const BAR_STEP = 24;

/** A stacked horizontal bar chart (web app: response rates, attendance, follow-through). */
export function stackedBarSpec(c: StackedBarChart): object {
  const categories = uniq(c.categories.map((x) => String(x)));
  const order = new Map(c.series.map((s, i) => [s.label, i]));
  const values = categories.flatMap((cat) =>
    c.series.map((s) => ({
      category: cat,
      series: s.label,
      order: order.get(s.label)!,
      value: finite(c.values[cat]?.[s.key]) ?? 0,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(c.title, ''),
    width: CHART_WIDTH - 200,
    height: { step: BAR_STEP },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: {
        field: 'category',
        type: 'nominal',
        sort: categories,
        scale: { domain: categories },
        axis: { title: null, labelLimit: 180 },
      },
      x: {
        field: 'value',
        type: 'quantitative',
        stack: 'zero',
        title: c.axisTitle,
        axis: { tickMinStep: 1 },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: c.series.map((s) => s.label), range: c.series.map((s) => s.colour) },
        legend: { title: null },
      },
      order: { field: 'order', type: 'quantitative' },
    },
    config: { ...CONFIG, aria: false },
  };
}

function isVegaSpec(spec: object): boolean {
  const schema = (spec as { $schema?: unknown }).$schema;
  return typeof schema === 'string' && /\/schema\/vega\/v\d/.test(schema);
}

/**
 * Compile a Vega-Lite spec (a Vega spec, by its `$schema`, is used as is) and render it to an SVG string.
 * Vega-Lite's warnings (e.g. about dropped values) are not printed; its errors are.
 */
export async function renderSvg(spec: object): Promise<string> {
  const vgSpec: VegaSpec = isVegaSpec(spec)
    ? spec
    : compile(spec as TopLevelSpec, { logger: vegaLogger(LOG_ERROR) }).spec;
  useDejaVuMetrics();
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let fontOptions: ResvgRenderOptions['font'] | undefined;

function fonts(): ResvgRenderOptions['font'] {
  if (!fontOptions) {
    const files = DEJAVU_FILES.map((f) => join(DEJAVU_DIR, f)).filter((f) => existsSync(f));
    fontOptions =
      files.length > 0
        ? { fontFiles: files, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY }
        : { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY };
  }
  return fontOptions;
}

/** Rasterise an SVG to PNG at the given width (default 900 px), on a white background. */
export function svgToPng(svg: string, opts: { width?: number } = {}): Buffer {
  const width = Math.round(opts.width ?? PNG_WIDTH);
  if (!Number.isFinite(width) || width <= 0)
    throw new RangeError(`svgToPng: width must be > 0, got ${opts.width}`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: fonts(),
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
