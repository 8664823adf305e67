/**
 * `/sop scenario`: a what-if form over the current pack (demand, capacity and cost changes), read
 * and checked field by field before anything runs, and the comparison with the base plan.
 */
import { whatIfScope, type PackContent, type WhatIfResult } from '../app/packs.js';
import { zodFields } from '../app/validation.js';
import type { PackRecord } from '../app/records.js';
import type { Card } from '../cards/card.js';
import { fmt, type PlanOutcome, type WhatIf } from '../domain/plan.js';
import { rangeProblems, whatIfProblems, whatIfSchema } from '../domain/whatif.js';
import { renderBlocks, SLACK_LIMITS } from './blockkit.js';
import { readValue, type ViewValues } from './forms.js';

const COSTS = [
  { value: 'overtime', label: 'Overtime rates' },
  { value: 'alternates', label: 'Alternate sourcing and modal shift' },
  { value: 'holding', label: 'Holding cost' },
  { value: 'unit_cost', label: 'Unit cost' },
] as const;

const text = (t: string) => ({ type: 'plain_text' as const, text: t });

function input(block: string, label: string, hint: string, placeholder?: string) {
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: text(label),
    hint: text(hint),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      ...(placeholder ? { placeholder: text(placeholder) } : {}),
    },
  };
}

function select(block: string, label: string, options: { value: string; label: string }[]) {
  return {
    type: 'input',
    block_id: block,
    optional: true,
    label: text(label),
    element: {
      type: 'static_select',
      action_id: 'value',
      placeholder: text('None'),
      options: options.slice(0, SLACK_LIMITS.selectOptions).map((o) => ({
        text: text(o.label.slice(0, SLACK_LIMITS.buttonText)),
        value: o.value.slice(0, 150),
      })),
    },
  };
}

/** The what-if modal for a pack: the resource list comes from the pack (at most 100 in the select). */
export function scenarioView(pack: PackRecord<PackContent>) {
  const c = pack.content;
  const resources = c.resources
    .slice()
    .sort((a, b) => b.peakUtilization - a.peakUtilization)
    .map((r) => ({ value: r.resource, label: `${r.name} (peak ${Math.round(r.peakUtilization * 100)}%)` }));
  return {
    type: 'modal',
    callback_id: 'scenario.submit',
    private_metadata: `${pack.cycleId}:${pack.version}`,
    title: text('What-if'),
    submit: text('Compare'),
    close: text('Cancel'),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `On pack version ${pack.version} of ${c.month} (${c.horizon.from} to ${c.horizon.to}). Change demand, a resource's capacity or a cost; Accord re-plans with the least-cost mix and compares with the base plan.`,
        },
      },
      input('name', 'Name', 'How the comparison is titled', 'e.g. Retailer promotion lands'),
      input('demandPercent', 'Demand change, %', 'e.g. 10 or -15; empty: no demand change'),
      input('families', 'Families', 'Family codes, comma-separated; empty: every family', 'e.g. F001, F002'),
      input('from', 'From month', 'YYYY-MM; empty: the start of the horizon', c.horizon.from),
      input('to', 'To month', 'YYYY-MM; empty: the end of the horizon', c.horizon.to),
      ...(resources.length ? [select('resource', 'Resource', resources)] : []),
      input('capacityPercent', 'Capacity change, %', 'For the resource chosen, e.g. -20 for an outage'),
      select(
        'costKind',
        'Cost',
        COSTS.map((k) => ({ value: k.value, label: k.label })),
      ),
      input('costPercent', 'Cost change, %', 'For the cost chosen, e.g. 25'),
    ],
  };
}

/** Domain field paths of a what-if -> the form's blocks. */
function blockOf(path: string): string {
  const [list, , field] = path.split('.');
  if (field === 'from' || field === 'to' || field === 'families' || field === 'resource') return field;
  if (list === 'capacity') return 'capacityPercent';
  if (list === 'costs') return 'costPercent';
  return 'demandPercent';
}

/**
 * The what-if the form asks for, or the problems with it by block id (nothing runs then). The form
 * reads its fields; the rules (bounds, ranges inside the horizon and in order, families and
 * resources of the pack) are the domain's, the same as for the API.
 */
export function whatIfFrom(
  values: ViewValues,
  pack: PackRecord<PackContent>,
): { whatIf: WhatIf } | { errors: Record<string, string> } {
  const get = (block: string) => readValue(values, block) ?? '';
  const errors: Record<string, string> = {};
  const percent = (block: string): number | undefined => {
    const raw = get(block).replace(/%$/, '').trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (Number.isNaN(n)) errors[block] = 'must be a number, e.g. 10 or -15';
    return n;
  };
  const scope = whatIfScope(pack);
  const from = get('from') || undefined;
  const to = get('to') || undefined;
  Object.assign(errors, rangeProblems({ from, to }, scope.horizon));
  const demandPercent = percent('demandPercent');
  const families = get('families')
    .split(/[,\s]+/)
    .map((f) => f.trim())
    .filter(Boolean);
  if (families.length && demandPercent === undefined)
    errors['demandPercent'] = 'give the change for these families';
  const resource = get('resource');
  const capacityPercent = percent('capacityPercent');
  if (capacityPercent !== undefined && !resource && !errors['capacityPercent'])
    errors['capacityPercent'] = 'choose the resource above';
  if (resource && capacityPercent === undefined)
    errors['capacityPercent'] = 'give the change for this resource';
  const costKind = get('costKind') as NonNullable<WhatIf['costs']>[number]['kind'] | '';
  const costPercent = percent('costPercent');
  if (costPercent !== undefined && !costKind && !errors['costPercent'])
    errors['costPercent'] = 'choose the cost above';
  if (costKind && costPercent === undefined) errors['costPercent'] = 'give the change for this cost';
  if (
    !Object.keys(errors).length &&
    demandPercent === undefined &&
    capacityPercent === undefined &&
    costPercent === undefined
  )
    errors['demandPercent'] = 'change something: demand, a capacity or a cost';
  // A change asked for without its number still goes to the shared checks (its families or
  // resource are checked too); its missing number already has the form's message.
  const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const whatIf: WhatIf = {
    name: get('name') || 'What-if',
    ...(demandPercent !== undefined || families.length
      ? {
          demand: [
            { ...(families.length ? { families } : {}), ...range, percent: demandPercent ?? Number.NaN },
          ],
        }
      : {}),
    ...(resource ? { capacity: [{ resource, ...range, percent: capacityPercent ?? Number.NaN }] } : {}),
    ...(costPercent !== undefined && costKind ? { costs: [{ kind: costKind, percent: costPercent }] } : {}),
  };
  // The shared rules; a block keeps the form's own message when it already has one.
  const parsed = whatIfSchema.safeParse(whatIf);
  const problems = {
    ...(parsed.success ? {} : zodFields(parsed.error)),
    ...whatIfProblems(whatIf, scope),
  };
  for (const [path, message] of Object.entries(problems)) errors[blockOf(path)] ??= message;
  return Object.keys(errors).length ? { errors } : { whatIf };
}

const ROWS: { key: keyof PlanOutcome; label: string; show: (v: number) => string }[] = [
  { key: 'revenue', label: 'Revenue', show: fmt },
  { key: 'margin', label: 'Margin', show: fmt },
  { key: 'marginPercent', label: 'Margin %', show: (v) => `${(v * 100).toFixed(1)}%` },
  { key: 'fillRate', label: 'Fill rate', show: (v) => `${(v * 100).toFixed(1)}%` },
  { key: 'shortfallUnits', label: 'Units short', show: fmt },
  { key: 'leverSpend', label: 'Lever spend', show: fmt },
  { key: 'lostMargin', label: 'Margin still lost', show: fmt },
  { key: 'tightResources', label: 'Tight resources', show: (v) => String(Math.round(v)) },
  { key: 'peakUtilization', label: 'Peak utilisation', show: (v) => `${Math.round(v * 100)}%` },
];

/** The comparison of a what-if with the base plan. */
export function comparisonCard(r: WhatIfResult, link: string | null): Card {
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
    ],
  };
}

/** A card as a modal (title at most 24 characters, 100 blocks). */
export function cardModal(title: string, card: Card) {
  return {
    type: 'modal',
    title: text(title.slice(0, SLACK_LIMITS.modalTitle)),
    close: text('Done'),
    blocks: renderBlocks(card, SLACK_LIMITS.surfaceBlocks),
  };
}
