/** Presenters for the pre-S&OP pack: the channel summary and a what-if against it. */
import { fmt, fmtShortUnits, type PlanOutcome, type WhatIf } from '../../domain/plan.js';
import { webLinkBlock, webUrl, type Card } from '../card.js';
import { fmtUnits } from './format.js';

/** The pack summary for the S&OP channel: the top gaps, the trade-offs with their recommendation, a chart, the links. */
export function presentPack(p: {
  /** The pack's cycle: its web page is linked when given. */
  cycleId?: string;
  month: string;
  version: number;
  datasetVersion: number;
  summary: {
    revenue: number;
    margin: number;
    marginPercent: number;
    gapUnits: number;
    marginAtRisk: number;
    /** Units the held safety stock is below target in the worst month (absent in packs built before it was counted). */
    safetyStockBelowTarget?: number;
    fillRate: number;
  };
  gaps: {
    familyName: string;
    resource: string | null;
    period: string;
    shortfallUnits: number;
    marginAtRisk: number;
  }[];
  tradeoffs: {
    question: string;
    recommended: string;
    options: { key: string; label: string; cost: number; lostMargin: number }[];
  }[];
  /** S&OE since the last cycle (absent in packs built before it was kept). */
  soe?: { raised: number; onAgenda: number; decided: number; open: number } | undefined;
  chart: { url: string; alt: string } | null;
  htmlUrl: string;
}): Card {
  const n = (v: number) => fmtUnits(v);
  const blocks: Card['blocks'] = [
    { type: 'header', text: `Pre-S&OP pack ${p.month} (v${p.version})` },
    {
      type: 'fields',
      fields: [
        { label: 'Revenue', value: n(p.summary.revenue) },
        { label: 'Margin', value: `${n(p.summary.margin)} (${p.summary.marginPercent.toFixed(1)}%)` },
        {
          label: 'Gap before levers',
          value: `${fmtShortUnits(p.summary.gapUnits)} units short of demand, ${n(p.summary.marginAtRisk)} margin at risk`,
        },
        ...(p.summary.safetyStockBelowTarget === undefined
          ? []
          : [
              {
                label: 'Safety stock below target',
                value: `${fmtShortUnits(p.summary.safetyStockBelowTarget)} units in the worst month (held, not drawn for demand, before levers)`,
              },
            ]),
        { label: 'Fill rate, recommended plan', value: `${(p.summary.fillRate * 100).toFixed(1)}%` },
      ],
    },
  ];
  if (p.gaps.length)
    blocks.push({
      type: 'table',
      columns: ['Family', 'Resource', 'Month', 'Units short', 'Margin at risk'],
      rows: p.gaps.slice(0, 5).map((g) => ({
        cells: [g.familyName, g.resource ?? '-', g.period, n(g.shortfallUnits), n(g.marginAtRisk)],
      })),
    });
  for (const t of p.tradeoffs.slice(0, 3)) {
    const rec = t.options.find((o) => o.key === t.recommended);
    const options = t.options.map((o) => `${o.label} (cost ${n(o.cost)}, margin lost ${n(o.lostMargin)})`);
    blocks.push({
      type: 'text',
      text: [
        t.question,
        options.length ? `Options: ${options.join('; ')}.` : '',
        rec ? `Recommended: ${rec.label}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
    });
  }
  if (p.tradeoffs.length > 3)
    blocks.push({ type: 'text', text: `${p.tradeoffs.length - 3} more trade-off(s) in the full pack.` });
  if (p.soe && (p.soe.raised || p.soe.onAgenda))
    blocks.push({
      type: 'text',
      text: `S&OE since the last cycle: ${p.soe.raised} ${p.soe.raised === 1 ? 'alert' : 'alerts'} raised, ${p.soe.onAgenda} on this agenda, ${p.soe.decided} decided now, ${p.soe.open} still open (the full pack has their history).`,
    });
  if (p.chart) blocks.push({ type: 'image', url: p.chart.url, alt: p.chart.alt });
  blocks.push({
    type: 'actions',
    buttons: [
      { action: 'link.open', label: 'Open the full pack', value: p.htmlUrl, style: 'primary' },
      ...(p.cycleId
        ? [
            {
              action: 'link.open',
              label: 'What-ifs in Accord',
              value: webUrl(`/app/cycles/${p.cycleId}/pack?version=${p.version}`),
            },
          ]
        : []),
    ],
  });
  return {
    summary: `Pre-S&OP pack ${p.month} is ready: ${p.tradeoffs.length} trade-off(s) to decide, ${fmtShortUnits(p.summary.gapUnits)} units short before levers.`,
    blocks,
  };
}

const ROWS: { key: keyof PlanOutcome; label: string; show: (v: number) => string }[] = [
  { key: 'revenue', label: 'Revenue', show: fmt },
  { key: 'margin', label: 'Margin', show: fmt },
  // The plan states margin % as a percentage already (12.5 means 12.5 %).
  { key: 'marginPercent', label: 'Margin %', show: (v) => `${v.toFixed(1)}%` },
  { key: 'fillRate', label: 'Fill rate', show: (v) => `${(v * 100).toFixed(1)}%` },
  { key: 'shortfallUnits', label: 'Units short', show: fmt },
  { key: 'leverSpend', label: 'Lever spend', show: fmt },
  { key: 'lostMargin', label: 'Margin still lost', show: fmt },
  { key: 'tightResources', label: 'Tight resources', show: (v) => String(Math.round(v)) },
  { key: 'peakUtilization', label: 'Peak utilisation', show: (v) => `${Math.round(v * 100)}%` },
];

/** The comparison of a what-if with the base plan. */
export function presentWhatIf(
  r: {
    pack: { cycleId?: string; version: number; datasetVersion: number };
    scenario: WhatIf;
    base: PlanOutcome;
    whatIf: PlanOutcome;
    delta?: Partial<Record<keyof PlanOutcome, number>>;
    elapsedMs?: number;
    gaps: {
      family: string;
      resource: string | null;
      period: string;
      shortfallUnits: number;
      marginAtRisk: number;
    }[];
  },
  link: string | null,
): Card {
  const signed = (row: (typeof ROWS)[number], d: number) => {
    if (Math.abs(d) < 1e-9) return '=';
    return (d > 0 ? '+' : '-') + row.show(Math.abs(d));
  };
  const delta = (r.whatIf.margin ?? 0) - (r.base.margin ?? 0);
  return {
    summary: `${r.scenario.name}: margin ${delta >= 0 ? '+' : '-'}${fmt(Math.abs(delta))} against the base plan`,
    blocks: [
      { type: 'header', text: r.scenario.name },
      {
        type: 'text',
        text: `Against the base plan of pack version ${r.pack.version}, re-planned with the least-cost mix.`,
      },
      {
        type: 'table',
        columns: ['', 'Base', 'What-if', 'Change'],
        rows: ROWS.map((row) => ({
          cells: [
            row.label,
            row.show(r.base[row.key]),
            row.show(r.whatIf[row.key]),
            signed(row, r.whatIf[row.key] - r.base[row.key]),
          ],
        })),
      },
      ...(r.gaps.length
        ? [
            {
              type: 'table' as const,
              columns: ['Largest gaps', 'Month', 'Units short', 'Margin at risk'],
              rows: r.gaps.slice(0, 5).map((g) => ({
                cells: [
                  `${g.family}${g.resource ? ` on ${g.resource}` : ''}`,
                  g.period,
                  fmt(g.shortfallUnits),
                  fmt(g.marginAtRisk),
                ],
              })),
            },
          ]
        : [{ type: 'text' as const, text: 'No gaps in this what-if.' }]),
      ...(link
        ? [
            {
              type: 'actions' as const,
              buttons: [{ action: 'link.open', label: 'Open the full pack', value: link }],
            },
          ]
        : []),
      ...(r.pack.cycleId
        ? [webLinkBlock(`/app/cycles/${r.pack.cycleId}/pack/what-if`, 'Try more what-ifs in Accord')]
        : []),
    ],
  };
}

/** Where a dialog opens only from a button (Teams): the what-if against this pack, one click away. */
export function presentWhatIfInvite(pack: { cycleId: string; version: number }): Card {
  return {
    summary: 'A what-if against the current pack',
    blocks: [
      {
        type: 'text',
        text: `Change demand, a resource's capacity or a cost, and compare with pack version ${pack.version}.`,
      },
      {
        type: 'actions',
        buttons: [
          {
            action: 'scenario.open',
            label: 'Open the what-if',
            value: `${pack.cycleId}:${pack.version}`,
            style: 'primary',
          },
        ],
      },
    ],
  };
}
