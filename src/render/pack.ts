/**
 * The pack as a document (handlebars, templates/documents/pack.hbs, HTML-escaped) and its charts
 * (vega-lite -> SVG -> PNG, from the pack's stored detail).
 */
import { packSoeView } from '../cards/presenters/soe.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import {
  familyDetail,
  resourceDetails,
  type FamilyDetail,
  type PackContent,
  type ResourceDetail,
} from '../app/packs.js';
import type { Deps, DocumentRenderer } from '../app/ports.js';
import type { OrgRecord, PackRecord } from '../app/records.js';
import { fmt, fmtShortUnits } from '../domain/plan.js';
import { formatLocal } from '../domain/time.js';
import { capacityChartSpec, fanChartSpec, renderSvg, svgToPng } from './charts.js';

const missing = (v: unknown) => typeof v !== 'number' || !Number.isFinite(v);

export function loadDocuments(dir: string): DocumentRenderer {
  const hb = Handlebars.create();
  hb.registerHelper('num', (v: unknown) => (missing(v) ? '–' : fmt(v as number)));
  hb.registerHelper('signed', (v: unknown) =>
    missing(v) ? '–' : `${(v as number) > 0 ? '+' : ''}${fmt(v as number)}`,
  );
  hb.registerHelper('signedIfStep', (v: unknown, first: boolean, last: boolean) =>
    missing(v)
      ? '–'
      : first || last
        ? fmt(v as number)
        : `${(v as number) > 0 ? '+' : ''}${fmt(v as number)}`,
  );
  hb.registerHelper('pct1', (v: unknown) => (missing(v) ? '–' : `${(v as number).toFixed(1)}%`));
  hb.registerHelper('ratio', (v: unknown) => (missing(v) ? '–' : `${((v as number) * 100).toFixed(1)}%`));
  hb.registerHelper('signedFixed1', (v: unknown) =>
    missing(v) ? '–' : `${(v as number) >= 0 ? '+' : ''}${(v as number).toFixed(1)}`,
  );
  hb.registerHelper('fix2', (v: unknown) => (missing(v) ? '–' : (v as number).toFixed(2)));
  hb.registerHelper('units', (v: unknown) => (missing(v) ? '–' : fmtShortUnits(v as number)));
  hb.registerHelper('isNumber', (v: unknown) => !missing(v));
  hb.registerHelper('plural', (n: unknown, one: string, many: string) => (n === 1 ? one : many));
  hb.registerHelper('add', (a: number, b: number) => a + b);
  hb.registerHelper('lt', (a: number, b: number) => a < b);
  hb.registerHelper('join', (v: unknown) => (Array.isArray(v) ? v.join(', ') : ''));
  const pack = hb.compile(readFileSync(path.join(dir, 'pack.hbs'), 'utf8'), { strict: false });
  return (name, context) => {
    if (name !== 'pack') throw new Error(`no document template ${String(name)}`);
    return pack(context);
  };
}

function capacityChart(r: ResourceDetail) {
  return capacityChartSpec({
    resource: r.resource,
    name: r.name,
    periods: r.periods,
    load: r.load,
    capacity: r.capacity,
    withOvertime: r.withOvertime,
  });
}

function fanChart(f: FamilyDetail) {
  const adjusted = f.months.some((m) => Math.abs(m.consensus - m.p50) > 1e-6);
  return fanChartSpec({
    family: f.family,
    name: f.name,
    history: f.history,
    forecast: f.months.map((m) => ({ period: m.period, p10: m.p10, p50: m.p50, p90: m.p90 })),
    ...(adjusted ? { consensus: f.months.map((m) => m.consensus) } : {}),
  });
}

/** A chart of the pack by id (`capacity-<resource>`, `forecast-<family>`), or null when there is none. */
export async function renderChart(
  deps: Pick<Deps, 'packs'>,
  pack: PackRecord<PackContent>,
  id: string,
  format: 'svg' | 'png',
): Promise<string | Buffer | null> {
  let spec: object | null = null;
  if (id.startsWith('capacity-')) {
    const r = (await resourceDetails(deps, pack)).find((x) => x.resource === id.slice('capacity-'.length));
    if (r) spec = capacityChart(r);
  } else if (id.startsWith('forecast-')) {
    const family = id.slice('forecast-'.length);
    if (pack.content.familyChunks[family] !== undefined)
      spec = fanChart(await familyDetail(deps, pack, family));
  }
  if (!spec) return null;
  const svg = await renderSvg(spec);
  return format === 'png' ? svgToPng(svg) : svg;
}

export async function renderPackHtml(input: {
  org: OrgRecord;
  pack: PackRecord<PackContent>;
  resources: ResourceDetail[];
  families: FamilyDetail[];
  deps: Pick<Deps, 'documents'>;
}): Promise<string> {
  const { org, pack, resources, families } = input;
  const c = pack.content;
  const resourceNames = new Map(c.resources.map((r) => [r.resource, r.name]));
  const charts: { title: string; svg: string }[] = [];
  for (const ref of c.charts) {
    if (ref.kind === 'capacity') {
      const r = resources.find((x) => `capacity-${x.resource}` === ref.id);
      if (r) charts.push({ title: ref.title, svg: await renderSvg(capacityChart(r)) });
    } else {
      const f = families.find((x) => `forecast-${x.family}` === ref.id);
      if (f) charts.push({ title: ref.title, svg: await renderSvg(fanChart(f)) });
    }
  }
  const topGaps = c.gaps.slice(0, 25).map((g) => ({
    ...g,
    resourceName: g.resource ? (resourceNames.get(g.resource) ?? g.resource) : '–',
  }));
  return input.deps.documents('pack', {
    org,
    pack: { id: pack.id, version: pack.version },
    c,
    month: c.month,
    builtAt: formatLocal(new Date(c.builtAt), org.timezone),
    charts,
    topGaps,
    moreGaps: Math.max(0, c.gapsTotal - topGaps.length),
    soe: c.soe ? packSoeView(c.soe) : null,
    whatIfs: c.scenarios.filter((s) => s.kind !== 'probabilistic'),
    monteCarlo: c.scenarios.find((s) => s.kind === 'probabilistic'),
    families,
    resources: c.resources,
    methodList: Object.entries(c.forecast.methods).map(([name, count]) => ({ name, count })),
  });
}
