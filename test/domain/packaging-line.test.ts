/**
 * Regression (issue 12): a shared packaging line loaded above capacity in 9 of 18 plan months. The
 * pack's headline, its gaps list, the trade-off's gap and the "accept the shortfall" option must
 * state the same gap before levers, and the trade-off's title must be complete.
 */
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { evaluate, type PackContent } from '../../src/app/packs.js';
import type { OrgRecord, PackRecord } from '../../src/app/records.js';
import { highsSolver } from '../../src/app/solver.js';
import { presentPack } from '../../src/cards/presenters/packs.js';
import { horizonPeriods, safetyStockBelowTarget, type PlanModel } from '../../src/domain/plan.js';
import { loadDocuments, renderPackHtml } from '../../src/render/pack.js';
import { expectComplete } from '../helpers/sentences.js';

const periods = horizonPeriods('2026-12', 18);
/** Peak months (odd ones) need 3,250 units of the packaging line's 3,000; the others 2,700. */
const peak = (t: number) => t % 2 === 1;
const demand = (quiet: number, busy: number) => periods.map((_, t) => (peak(t) ? busy : quiet));

export function packagingCompany(): PlanModel {
  const families = [
    { family: 'JUICE', unitPrice: 3.2, unitCost: 1.9, safetyStock: 400, onHand: 600, d: demand(1200, 1450) },
    { family: 'SODA', unitPrice: 2.4, unitCost: 1.5, safetyStock: 300, onHand: 300, d: demand(900, 1100) },
    { family: 'WATER', unitPrice: 1.2, unitCost: 0.7, safetyStock: 300, onHand: 300, d: demand(600, 700) },
  ];
  const flat = (v: number) => periods.map(() => v);
  const resources = [
    { resource: 'PACK', name: 'Packaging line', capacity: flat(3000), overtime: flat(300), cost: 0.25 },
    { resource: 'FILL-1', name: 'Filler 1', capacity: flat(2500), overtime: flat(0), cost: 0 },
    { resource: 'FILL-2', name: 'Filler 2', capacity: flat(2500), overtime: flat(0), cost: 0 },
  ];
  return {
    periods,
    families: families.map(({ d, ...f }) => ({ ...f, holdingCostPerUnitMonth: 0.02, demand: d })),
    resources: resources.map((r) => ({
      resource: r.resource,
      capacity: r.capacity,
      overtime: r.overtime,
      overtimeCostPerUnit: flat(r.cost),
    })),
    resourceInfo: resources.map((r) => ({ name: r.name, kind: 'line' })),
    routing: [
      { family: 'JUICE', resource: 'PACK', usagePerUnit: 1 },
      { family: 'SODA', resource: 'PACK', usagePerUnit: 1 },
      { family: 'WATER', resource: 'PACK', usagePerUnit: 1 },
      { family: 'JUICE', resource: 'FILL-1', usagePerUnit: 1 },
      { family: 'SODA', resource: 'FILL-2', usagePerUnit: 1 },
      { family: 'WATER', resource: 'FILL-2', usagePerUnit: 1 },
    ],
    alternates: [],
    names: { JUICE: 'Juice 1 l', SODA: 'Soda 0.5 l', WATER: 'Water 1.5 l' },
    p10: families.map((f) => f.d),
    p90: families.map((f) => f.d),
  };
}

describe('the packaging line loaded above capacity in 9 of 18 months', () => {
  it('shows one gap before levers: headline = gaps = trade-off gap = the accept option', async () => {
    const m = packagingCompany();
    const ev = await evaluate(highsSolver(), m, [], {
      frame: true,
      resourceNames: { PACK: 'Packaging line', 'FILL-1': 'Filler 1', 'FILL-2': 'Filler 2' },
    });
    const overloaded = new Set(
      ev.plain.loads.filter((l) => l.resource === 'PACK' && l.load > l.capacity).map((l) => l.period),
    );
    expect(overloaded.size).toBe(9);
    const gaps = ev.plain.gaps.reduce((s, g) => s + g.shortfallUnits, 0);
    const margin = ev.plain.gaps.reduce((s, g) => s + g.marginAtRisk, 0);
    expect(ev.outcome.gapUnits).toBe(gaps);
    expect(ev.outcome.marginAtRisk).toBe(margin);
    expect(ev.tradeoffs).toHaveLength(1);
    const t = ev.tradeoffs[0]!;
    const accept = t.options.find((o) => o.key === 'accept-shortfall')!;
    // The numbers the issue reported: "0 units; margin at risk 0" against 6,696 units short.
    expect({ headline: gaps, tradeoff: t.gap.shortfallUnits, accept: accept.shortfallUnits }).toEqual({
      headline: expect.any(Number),
      tradeoff: gaps,
      accept: gaps,
    });
    expect(gaps).toBeGreaterThan(0);
    expect(t.gap.marginAtRisk).toBeCloseTo(margin, 9);
    expect(accept.lostMargin).toBeCloseTo(margin, 9);
    // Accepting the shortfall uses no lever.
    expect(accept.cost).toBe(0);
    expect(accept.levers).toMatchObject({ overtimeUnits: 0, alternates: {}, prebuildUnitMonths: 0 });
    expect(t.title).toMatch(/^Packaging line: \d[\d,]* units short, \d{4}-\d{2} to \d{4}-\d{2}$/);
  });

  it('reads in complete sentences: the trade-off, the channel card and the pack document', async () => {
    const m = packagingCompany();
    const resourceNames = { PACK: 'Packaging line', 'FILL-1': 'Filler 1', 'FILL-2': 'Filler 2' };
    const ev = await evaluate(highsSolver(), m, [], { frame: true, resourceNames });
    const t = ev.tradeoffs[0]!;
    expect(t.title).toBe('Packaging line: 2,250 units short, 2027-02 to 2028-06');
    const gaps = [...ev.plain.gaps].sort((a, b) => b.marginAtRisk - a.marginAtRisk);
    const summary = {
      families: m.families.length,
      resources: m.resources.length,
      baselineUnits: 0,
      demandUnits: m.families.reduce((s, f) => s + f.demand.reduce((a, b) => a + b, 0), 0),
      revenue: ev.financials.revenue,
      cost: ev.financials.cost,
      margin: ev.financials.margin,
      marginPercent: ev.financials.marginPercent,
      leverSpend: ev.financials.leverSpend,
      fillRate: ev.outcome.fillRate,
      gapUnits: gaps.reduce((s, g) => s + g.shortfallUnits, 0),
      revenueAtRisk: gaps.reduce((s, g) => s + g.revenueAtRisk, 0),
      marginAtRisk: gaps.reduce((s, g) => s + g.marginAtRisk, 0),
      safetyStockBelowTarget: safetyStockBelowTarget(ev.plain).units,
      tightResources: ev.outcome.tightResources,
      target: null,
    };
    const content: PackContent = {
      version: 1,
      cycleId: 'c1',
      month: '2026-12',
      datasetVersion: 1,
      builtAt: '2026-12-01T08:00:00.000Z',
      builtBy: { type: 'system', id: 'test' },
      horizon: { from: m.periods[0]!, to: m.periods.at(-1)!, months: m.periods.length, periods: m.periods },
      inputs: { submissions: [], adjustments: 0, constraints: 0, targets: 0 },
      warnings: [],
      summary,
      forecast: {
        accuracy: { mape: 9, wmape: 8.5, smape: 8.8, mase: 0.7, bias: 2, coverage: 79.4 },
        methods: {},
        reusedFrom: 1,
      },
      gaps: gaps.map((g) => ({ ...g, familyName: m.names[g.family] ?? g.family })),
      gapsTotal: gaps.length,
      tradeoffs: ev.tradeoffs,
      scenarios: [
        {
          key: 'base',
          name: 'Base plan',
          kind: 'base',
          description: 'Consensus demand',
          outcome: ev.outcome,
        },
      ],
      financials: ev.financials,
      capacityChanges: [],
      resources: m.resources.map((r, j) => ({
        resource: r.resource,
        name: m.resourceInfo[j]!.name,
        kind: 'line',
        peakUtilization: 1,
        overloadedMonths: 0,
      })),
      charts: [],
      familyChunks: {},
    };
    const org = { id: 'o1', name: 'Fizz & Co', timezone: 'Europe/Berlin' } as OrgRecord;
    const pack: PackRecord<PackContent> = {
      id: 'c1:1',
      orgId: 'o1',
      cycleId: 'c1',
      version: 1,
      datasetVersion: 1,
      content,
      createdBy: content.builtBy,
      createdAt: new Date(content.builtAt),
    };
    const html = await renderPackHtml({
      org,
      pack,
      resources: [],
      families: [],
      deps: { documents: loadDocuments(path.join(process.cwd(), 'templates', 'documents')) },
    });
    // The sentences a reader reads: headings, paragraphs, the summary cards and the trade-off lines.
    const text = (s: string) =>
      s
        .replace(/<[^>]+>/g, ' ')
        .replace(/&amp;/g, '&')
        .replace(/&#x27;|&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/\s+/g, ' ')
        .replace(/\s([,.;:)])/g, '$1')
        .trim();
    const sentences = [
      ...html.matchAll(
        /<(h1|h2|h3|p)\b[^>]*>([\s\S]*?)<\/\1>|<div class="(?:meta|label|value[^"]*)">([\s\S]*?)<\/div>/g,
      ),
    ]
      .map((x) => text(x[2] ?? x[3] ?? ''))
      .filter(Boolean);
    expect(sentences).toEqual(
      expect.arrayContaining([
        '1. How do we close the gap on Packaging line (Juice 1 l, Soda 0.5 l, Water 1.5 l)?',
        'Packaging line: 2,250 units short, 2027-02 to 2028-06 · revenue at risk 2,700, margin at risk 1,125 · 3 families',
        '2,250',
        'units short of demand; margin at risk 1,125',
      ]),
    );
    expectComplete(sentences);
    const card = presentPack({ ...content, chart: null, htmlUrl: 'https://accord.example/pack.html' });
    expectComplete([
      card.summary,
      ...card.blocks.flatMap((b) =>
        b.type === 'text' || b.type === 'header'
          ? [b.text]
          : b.type === 'fields'
            ? b.fields.flatMap((f) => [f.label, f.value])
            : [],
      ),
    ]);
    expect(card.summary).toBe(
      'Pre-S&OP pack 2026-12 is ready: 1 trade-off(s) to decide, 2,250 units short before levers.',
    );
  });
});
