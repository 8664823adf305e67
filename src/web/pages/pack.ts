/**
 * The pre-S&OP pack on the web: a version's summary (headline numbers, trade-offs with their
 * options and costs, the largest gaps, scenarios with P10-P90 ranges), its charts, a page of the
 * family table at a time (a pack may hold thousands of families), the full document (the same
 * renderer as the API's pack.html), and the what-if playground: chat's `/sop scenario` form, run
 * with `runWhatIf` and shown beside the base plan.
 */
import { DomainError } from '../../domain/errors.js';
import type { PlanOutcome } from '../../domain/plan.js';
import {
  familyDetail,
  familyPage,
  getPack,
  resourceDetails,
  runWhatIf,
  type PackContent,
  type WhatIfResult,
} from '../../app/packs.js';
import { currentCycle } from '../../app/queries.js';
import type { Deps } from '../../app/ports.js';
import type { CycleRecord, PackRecord } from '../../app/records.js';
import type { FieldErrors, FormValues } from '../../cards/form.js';
import { scenarioForm, whatIfFrom } from '../../cards/forms.js';
import { renderChart, renderPackHtml } from '../../render/pack.js';
import { documentCsp } from '../../http/security.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { formValues, formView } from '../forms.js';
import { fmtUnits } from '../../cards/presenters/format.js';
import { packSoeView } from '../../cards/presenters/soe.js';

const ID = /^[a-f0-9]{24}$/;
/** Families per page of the family table. */
export const FAMILY_PAGE = 25;
const TOP_GAPS = 10;

async function cycleOf(ctx: WebContext): Promise<CycleRecord> {
  const id = ctx.params['cycleId'] ?? '';
  const cycle = ID.test(id) ? await ctx.deps.cycles.get(ctx.session.org.id, id) : null;
  if (!cycle) throw new DomainError('not_found', 'There is no such cycle in your organisation.');
  return cycle;
}

/** `?version=N` (absent: the latest); a version that is not a number is not found. */
function versionOf(ctx: WebContext): number | undefined {
  const v = ctx.query['version'];
  if (v === undefined || v === '') return undefined;
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new DomainError('not_found', `There is no pack version ${v}.`);
  return Number(v);
}

async function packOf(ctx: WebContext, cycle: CycleRecord): Promise<PackRecord<PackContent>> {
  try {
    return await getPack(ctx.deps, ctx.session.org.id, cycle.id, versionOf(ctx));
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found')
      throw new DomainError(
        'not_found',
        `Cycle ${cycle.month} has no pack ${ctx.query['version'] ? `version ${ctx.query['version']}` : 'yet'}.`,
      );
    throw err;
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function summary(ctx: WebContext, cycle: CycleRecord | undefined): Promise<WebResult> {
  const { deps, session } = ctx;
  if (!cycle) return { page: 'pack', title: 'Pack', data: { pack: null, cycle: null } };
  const latest = await deps.packs.latest(session.org.id, cycle.id);
  if (!latest)
    return {
      page: 'pack',
      title: `Pack ${cycle.month}`,
      data: { pack: null, cycle: { id: cycle.id, month: cycle.month } },
    };
  const pack = await packOf(ctx, cycle);
  const c = pack.content;
  const familiesTotal = Object.keys(c.familyChunks).length;
  const pages = Math.max(1, Math.ceil(familiesTotal / FAMILY_PAGE));
  const pageNo = /^[1-9]\d{0,6}$/.test(ctx.query['page'] ?? '') ? Number(ctx.query['page']) : 1;
  if (pageNo > pages) throw new DomainError('not_found', `This pack's family table has ${pages} pages.`);
  const families = await familyPage(deps, pack, (pageNo - 1) * FAMILY_PAGE, FAMILY_PAGE);
  const resourceNames = new Map(c.resources.map((r) => [r.resource, r.name]));
  const base = `/app/cycles/${cycle.id}/pack`;
  const monteCarlo = c.scenarios.find((s) => s.kind === 'probabilistic') ?? null;
  return {
    page: 'pack',
    title: `Pack ${c.month} v${pack.version}`,
    data: {
      cycle: { id: cycle.id, month: cycle.month },
      pack: {
        version: pack.version,
        latest: pack.version === latest.version,
        datasetVersion: pack.datasetVersion,
        builtAt: new Date(c.builtAt),
        horizon: c.horizon,
      },
      versions: Array.from({ length: latest.version }, (_, i) => latest.version - i).map((v) => ({
        version: v,
        current: v === pack.version,
      })),
      // Query strings are written in the template (handlebars escapes "=" in a value).
      base,
      warnings: c.warnings,
      s: c.summary,
      tradeoffs: c.tradeoffs.map((t, i) => ({ ...t, number: i + 1 })),
      gaps: c.gaps.slice(0, TOP_GAPS).map((g) => ({
        ...g,
        resourceName: g.resource ? (resourceNames.get(g.resource) ?? g.resource) : null,
      })),
      moreGaps: Math.max(0, c.gapsTotal - Math.min(TOP_GAPS, c.gaps.length)),
      soe: c.soe ? packSoeView(c.soe) : null,
      scenarios: c.scenarios.filter((x) => x.kind !== 'probabilistic'),
      monteCarlo: monteCarlo?.monteCarlo
        ? {
            name: monteCarlo.name,
            description: monteCarlo.description,
            ...monteCarlo.monteCarlo,
            resourceRisk: monteCarlo.monteCarlo.resourceRisk.slice(0, 8),
          }
        : null,
      charts: c.charts.map((ch) => ({
        title: ch.title,
        file: `${encodeURIComponent(ch.id)}.svg`,
      })),
      families: {
        total: familiesTotal,
        page: pageNo,
        pages,
        from: familiesTotal ? (pageNo - 1) * FAMILY_PAGE + 1 : 0,
        to: (pageNo - 1) * FAMILY_PAGE + families.items.length,
        prev: pageNo > 1 ? pageNo - 1 : null,
        next: pageNo < pages ? pageNo + 1 : null,
        rows: families.items.map((f) => ({
          family: f.family,
          name: f.name,
          method: f.method,
          wmape: f.accuracy.wmape,
          p10: sum(f.months.map((m) => m.p10)),
          p50: sum(f.months.map((m) => m.p50)),
          p90: sum(f.months.map((m) => m.p90)),
          consensus: sum(f.months.map((m) => m.consensus)),
          shortfall: sum(f.months.map((m) => m.shortfall)),
        })),
      },
    },
  };
}

async function document(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const pack = await packOf(ctx, await cycleOf(ctx));
  const [resources, topFamilies] = await Promise.all([
    resourceDetails(deps, pack),
    Promise.all(
      pack.content.charts
        .filter((c) => c.kind === 'forecast')
        .map((c) => familyDetail(deps, pack, c.id.slice('forecast-'.length))),
    ),
  ]);
  const html = await renderPackHtml({ org: session.org, pack, resources, families: topFamilies, deps });
  return { body: html, contentType: 'text/html; charset=utf-8', csp: documentCsp(html) };
}

async function chart(ctx: WebContext): Promise<WebResult> {
  const name = ctx.params['chart'] ?? '';
  if (!/^(capacity|forecast)-.+\.svg$/.test(name))
    throw new DomainError('not_found', 'There is no such chart.');
  const pack = await packOf(ctx, await cycleOf(ctx));
  const svg = await renderChart(ctx.deps, pack, name.slice(0, -4), 'svg');
  if (!svg) throw new DomainError('not_found', 'There is no such chart in this pack.');
  return { body: svg, contentType: 'image/svg+xml; charset=utf-8' };
}

/** The figures chat's what-if card compares, and which way is better. */
const ROWS: {
  key: keyof PlanOutcome;
  label: string;
  kind: 'money' | 'units' | 'pct' | 'ratio' | 'count';
  up: boolean;
}[] = [
  { key: 'revenue', label: 'Revenue', kind: 'money', up: true },
  { key: 'margin', label: 'Margin', kind: 'money', up: true },
  { key: 'marginPercent', label: 'Margin %', kind: 'pct', up: true },
  { key: 'fillRate', label: 'Fill rate', kind: 'ratio', up: true },
  { key: 'shortfallUnits', label: 'Units short', kind: 'units', up: false },
  { key: 'leverSpend', label: 'Lever spend', kind: 'money', up: false },
  { key: 'lostMargin', label: 'Margin still lost', kind: 'money', up: false },
  { key: 'tightResources', label: 'Tight resources', kind: 'count', up: false },
  { key: 'peakUtilization', label: 'Peak utilisation', kind: 'ratio', up: false },
];

function show(kind: (typeof ROWS)[number]['kind'], v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (kind === 'pct') return `${v.toFixed(1)}%`;
  if (kind === 'ratio') return `${(v * 100).toFixed(1)}%`;
  return fmtUnits(v);
}

function comparison(r: WhatIfResult) {
  return ROWS.map((row) => {
    const base = r.base[row.key];
    const whatIf = r.whatIf[row.key];
    const change = whatIf - base;
    // A change too small to show is no change.
    const shown =
      row.kind === 'ratio'
        ? Math.abs(change) >= 0.0005
        : row.kind === 'pct'
          ? Math.abs(change) >= 0.05
          : Math.abs(change) >= 0.5;
    const better = shown && change > 0 === row.up;
    return {
      label: row.label,
      base: show(row.kind, base),
      whatIf: show(row.kind, whatIf),
      change: shown ? `${change > 0 ? '+' : '-'}${show(row.kind, Math.abs(change))}` : 'no change',
      effect: shown ? (better ? 'better' : 'worse') : 'same',
    };
  });
}

async function whatIf(
  ctx: WebContext,
  sent: { values: FormValues; errors: FieldErrors; result: WhatIfResult | null } | null,
): Promise<WebResult> {
  const cycle = await cycleOf(ctx);
  const pack = await packOf(ctx, cycle);
  const url = `/app/cycles/${cycle.id}/pack/what-if?version=${pack.version}`;
  const form = formView(scenarioForm(pack), url, sent?.values ?? null, sent?.errors ?? {});
  const r = sent?.result ?? null;
  const names = new Map(pack.content.resources.map((x) => [x.resource, x.name]));
  return {
    page: 'whatIf',
    title: r ? `What-if: ${r.scenario.name}` : 'What-if',
    status: sent && Object.keys(sent.errors).length ? 400 : 200,
    data: {
      cycle: { id: cycle.id, month: cycle.month },
      pack: { version: pack.version, horizon: pack.content.horizon },
      packUrl: `/app/cycles/${cycle.id}/pack?version=${pack.version}`,
      form,
      result: r
        ? {
            name: r.scenario.name,
            rows: comparison(r),
            gaps: r.gaps.slice(0, 5).map((g) => ({
              ...g,
              resourceName: g.resource ? (names.get(g.resource) ?? g.resource) : null,
            })),
            elapsedMs: r.elapsedMs,
          }
        : null,
    },
  };
}

async function runIt(ctx: WebContext): Promise<WebResult> {
  const cycle = await cycleOf(ctx);
  const pack = await packOf(ctx, cycle);
  const form = scenarioForm(pack);
  const values = formValues(form, ctx.body);
  const read = whatIfFrom(values, pack);
  if ('errors' in read) return whatIf(ctx, { values, errors: read.errors, result: null });
  try {
    const result = await runWhatIf(ctx.deps, pack, read.whatIf);
    return whatIf(ctx, { values, errors: {}, result });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    const message = [err.message, ...Object.values(err.fields)].join('; ');
    return whatIf(ctx, { values, errors: { demandPercent: message }, result: null });
  }
}

export function packPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({
      method: 'get',
      path: '/app/pack',
      nav: 'pack',
      handler: async (ctx) => summary(ctx, await currentCycle(ctx.deps, ctx.session.org)),
    }),
    webRoute({
      method: 'get',
      path: '/app/cycles/:cycleId/pack',
      nav: 'pack',
      handler: async (ctx) => summary(ctx, await cycleOf(ctx)),
    }),
    webRoute({ method: 'get', path: '/app/cycles/:cycleId/pack/document', nav: 'pack', handler: document }),
    webRoute({ method: 'get', path: '/app/cycles/:cycleId/pack/charts/:chart', nav: 'pack', handler: chart }),
    webRoute({
      method: 'get',
      path: '/app/cycles/:cycleId/pack/what-if',
      nav: 'pack',
      handler: (ctx) => whatIf(ctx, null),
    }),
    webRoute({ method: 'post', path: '/app/cycles/:cycleId/pack/what-if', nav: 'pack', handler: runIt }),
  ];
}
