/**
 * The forms people fill in from chat, as neutral forms (src/cards/form.ts): an input (one per kind),
 * the what-if, an action assigned from a decision. Each builder comes with the reading of its
 * values into what the use case takes; validation stays in the domain (the same zod schemas as
 * REST), whose field paths are mapped back to the form's fields here, once for every chat.
 */
import type { InputKind } from '../domain/obligations.js';
import { INPUT_TITLES } from '../domain/inputs.js';
import { whatIfScope, type PackContent } from '../app/packs.js';
import type { PackRecord } from '../app/records.js';
import { zodFields } from '../app/validation.js';
import type { WhatIf } from '../domain/plan.js';
import { rangeProblems, whatIfProblems, whatIfSchema } from '../domain/whatif.js';
import type { FieldErrors, Form, FormField, FormValues } from './form.js';

type FieldType = 'text' | 'long' | 'number' | 'select';

interface Field {
  block: string;
  label: string;
  type: FieldType;
  optional?: boolean;
  hint?: string;
  options?: [string, string][];
}

const CHANGE: [string, string][] = [
  ['percent', '% of the baseline'],
  ['units', 'units per month'],
];

export const FORM_FIELDS: Record<InputKind, Field[]> = {
  'demand-adjustments': [
    { block: 'family', label: 'Product family (code)', type: 'text' },
    { block: 'from', label: 'From month', type: 'text', hint: 'YYYY-MM' },
    { block: 'to', label: 'To month', type: 'text', hint: 'YYYY-MM' },
    { block: 'changeType', label: 'Change in', type: 'select', options: CHANGE },
    { block: 'changeValue', label: 'Change (negative for a cut)', type: 'number' },
    { block: 'reason', label: 'Why', type: 'long' },
    {
      block: 'confidence',
      label: 'Confidence',
      type: 'select',
      options: [
        ['low', 'Low'],
        ['medium', 'Medium'],
        ['high', 'High'],
      ],
    },
  ],
  'supply-constraints': [
    { block: 'resource', label: 'Resource (code)', type: 'text' },
    { block: 'from', label: 'From month', type: 'text', hint: 'YYYY-MM' },
    { block: 'to', label: 'To month', type: 'text', hint: 'YYYY-MM' },
    { block: 'changeType', label: 'Capacity change in', type: 'select', options: CHANGE, optional: true },
    { block: 'changeValue', label: 'Capacity change', type: 'number', optional: true },
    { block: 'supplierLimit', label: 'Supplier limit (units per month)', type: 'number', optional: true },
    { block: 'leadTimeChangeDays', label: 'Lead-time change (days)', type: 'number', optional: true },
    { block: 'reason', label: 'Why', type: 'long' },
  ],
  'finance-targets': [
    { block: 'currency', label: 'Currency', type: 'text', hint: 'EUR' },
    { block: 'period', label: 'Month', type: 'text', hint: 'YYYY-MM' },
    { block: 'revenue', label: 'Revenue target', type: 'number', optional: true },
    { block: 'marginPercent', label: 'Margin target (%)', type: 'number', optional: true },
  ],
  'data-confirmation': [
    { block: 'datasetVersion', label: 'Dataset version (latest when empty)', type: 'number', optional: true },
    { block: 'notes', label: 'Notes', type: 'long', optional: true },
  ],
  attendance: [
    {
      block: 'response',
      label: 'Will you attend?',
      type: 'select',
      options: [
        ['attending', 'Yes'],
        ['declined', 'No'],
        ['delegate', 'A delegate attends for me'],
      ],
    },
    { block: 'delegateId', label: 'Delegate (Accord member id)', type: 'text', optional: true },
  ],
};

/** The form for one input request, pre-filled with `current` (field id -> value). */
export function inputForm(
  kind: InputKind,
  requestId: string,
  current: Record<string, string>,
  title = INPUT_TITLES[kind],
): Form {
  return {
    action: 'input.submit',
    context: requestId,
    title,
    submitLabel: 'Submit',
    fields: FORM_FIELDS[kind].map((f): FormField => ({
      id: f.block,
      label: f.label,
      type: f.type,
      optional: f.optional ?? false,
      ...(f.hint ? { placeholder: f.hint } : {}),
      ...(f.options ? { options: f.options.map(([value, label]) => ({ value, label })) } : {}),
      ...(current[f.block] !== undefined ? { initial: current[f.block] } : {}),
    })),
  };
}

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** The submission's payload from the form's values (validation happens in the use case). */
export function payloadFrom(kind: InputKind, values: FormValues): unknown {
  const r = (b: string): string | undefined => values[b];
  switch (kind) {
    case 'demand-adjustments':
      return {
        adjustments: [
          {
            family: r('family') ?? '',
            from: r('from') ?? '',
            to: r('to') ?? '',
            change: { type: r('changeType') ?? 'percent', value: num(r('changeValue')) ?? Number.NaN },
            reason: r('reason') ?? '',
            confidence: r('confidence') ?? 'medium',
          },
        ],
      };
    case 'supply-constraints':
      return {
        constraints: [
          {
            resource: r('resource') ?? '',
            from: r('from') ?? '',
            to: r('to') ?? '',
            ...(r('changeValue') !== undefined
              ? { capacityChange: { type: r('changeType') ?? 'percent', value: num(r('changeValue')) } }
              : {}),
            ...(r('supplierLimit') !== undefined ? { supplierLimit: num(r('supplierLimit')) } : {}),
            ...(r('leadTimeChangeDays') !== undefined
              ? { leadTimeChangeDays: num(r('leadTimeChangeDays')) }
              : {}),
            reason: r('reason') ?? '',
          },
        ],
      };
    case 'finance-targets':
      return {
        currency: (r('currency') ?? '').toUpperCase(),
        targets: [
          {
            period: r('period') ?? '',
            ...(r('revenue') !== undefined ? { revenue: num(r('revenue')) } : {}),
            ...(r('marginPercent') !== undefined ? { marginPercent: num(r('marginPercent')) } : {}),
          },
        ],
      };
    case 'data-confirmation':
      return {
        ...(r('datasetVersion') !== undefined ? { datasetVersion: num(r('datasetVersion')) } : {}),
        ...(r('notes') !== undefined ? { notes: r('notes') } : {}),
      };
    case 'attendance':
      return {
        response: r('response') ?? '',
        ...(r('delegateId') !== undefined ? { delegateId: r('delegateId') } : {}),
      };
  }
}

/** The latest submission as the form's initial values. */
export function initialFrom(kind: InputKind, payload: unknown): Record<string, string> {
  if (!payload || typeof payload !== 'object') return {};
  const p = payload as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  const pick = (o: Record<string, unknown>, keys: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(keys)
        .map(([k, v]) => [k, s(v)])
        .filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
  switch (kind) {
    case 'demand-adjustments': {
      const a = ((p['adjustments'] as Record<string, unknown>[] | undefined) ?? [])[0];
      if (!a) return {};
      const c = a['change'] as { type?: string; value?: number } | undefined;
      return pick(a, {
        family: a['family'],
        from: a['from'],
        to: a['to'],
        changeType: c?.type,
        changeValue: c?.value,
        reason: a['reason'],
        confidence: a['confidence'],
      });
    }
    case 'supply-constraints': {
      const c = ((p['constraints'] as Record<string, unknown>[] | undefined) ?? [])[0];
      if (!c) return {};
      const ch = c['capacityChange'] as { type?: string; value?: number } | undefined;
      return pick(c, {
        resource: c['resource'],
        from: c['from'],
        to: c['to'],
        changeType: ch?.type,
        changeValue: ch?.value,
        supplierLimit: c['supplierLimit'],
        leadTimeChangeDays: c['leadTimeChangeDays'],
        reason: c['reason'],
      });
    }
    case 'finance-targets': {
      const t = ((p['targets'] as Record<string, unknown>[] | undefined) ?? [])[0] ?? {};
      return pick(t, {
        currency: p['currency'],
        period: t['period'],
        revenue: t['revenue'],
        marginPercent: t['marginPercent'],
      });
    }
    case 'data-confirmation':
      return pick(p, { datasetVersion: p['datasetVersion'], notes: p['notes'] });
    case 'attendance':
      return pick(p, { response: p['response'], delegateId: p['delegateId'] });
  }
}

/**
 * Domain field paths (`payload.adjustments.0.change.value`) -> the form's fields (`changeValue`).
 * A problem with no block of its own goes to the first block, so it is never lost.
 */
export function errorsFor(kind: InputKind, fields: Record<string, string>): FieldErrors {
  const blocks = FORM_FIELDS[kind].map((f) => f.block);
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const parts = path.split('.').filter((x) => x !== 'payload' && !/^\d+$/.test(x));
    let block: string | undefined;
    if (parts.includes('change') || parts.includes('capacityChange'))
      block = parts.at(-1) === 'type' ? 'changeType' : 'changeValue';
    else block = [...parts].reverse().find((x) => blocks.includes(x));
    const target = block ?? blocks[0]!;
    out[target] = out[target] ? `${out[target]}; ${message}` : message;
  }
  return out;
}

const COSTS = [
  { value: 'overtime', label: 'Overtime rates' },
  { value: 'alternates', label: 'Alternate sourcing and modal shift' },
  { value: 'holding', label: 'Holding cost' },
  { value: 'unit_cost', label: 'Unit cost' },
] as const;

/** A what-if's optional field: a hint under it, an example as its placeholder. */
const whatIfField = (id: string, label: string, hint: string, placeholder?: string): FormField => ({
  id,
  label,
  type: 'text',
  optional: true,
  hint,
  ...(placeholder ? { placeholder } : {}),
});

/** The what-if form for a pack: the resources come from the pack, the most loaded first. */
export function scenarioForm(pack: PackRecord<PackContent>): Form {
  const c = pack.content;
  const resources = c.resources
    .slice()
    .sort((a, b) => b.peakUtilization - a.peakUtilization)
    .map((r) => ({ value: r.resource, label: `${r.name} (peak ${Math.round(r.peakUtilization * 100)}%)` }));
  return {
    action: 'scenario.submit',
    context: `${pack.cycleId}:${pack.version}`,
    title: 'What-if',
    submitLabel: 'Compare',
    intro: `On pack version ${pack.version} of ${c.month} (${c.horizon.from} to ${c.horizon.to}). Change demand, a resource's capacity or a cost; Accord re-plans with the least-cost mix and compares with the base plan.`,
    fields: [
      whatIfField('name', 'Name', 'How the comparison is titled', 'e.g. Retailer promotion lands'),
      whatIfField('demandPercent', 'Demand change, %', 'e.g. 10 or -15; empty: no demand change'),
      whatIfField(
        'families',
        'Families',
        'Family codes, comma-separated; empty: every family',
        'e.g. F001, F002',
      ),
      whatIfField('from', 'From month', 'YYYY-MM; empty: the start of the horizon', c.horizon.from),
      whatIfField('to', 'To month', 'YYYY-MM; empty: the end of the horizon', c.horizon.to),
      ...(resources.length
        ? [
            {
              id: 'resource',
              label: 'Resource',
              type: 'select' as const,
              optional: true,
              placeholder: 'None',
              options: resources,
            },
          ]
        : []),
      whatIfField('capacityPercent', 'Capacity change, %', 'For the resource chosen, e.g. -20 for an outage'),
      {
        id: 'costKind',
        label: 'Cost',
        type: 'select',
        optional: true,
        placeholder: 'None',
        options: COSTS.map((k) => ({ value: k.value, label: k.label })),
      },
      whatIfField('costPercent', 'Cost change, %', 'For the cost chosen, e.g. 25'),
    ],
  };
}

/** Domain field paths of a what-if -> the form's fields. */
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
  values: FormValues,
  pack: PackRecord<PackContent>,
): { whatIf: WhatIf } | { errors: FieldErrors } {
  const get = (field: string) => values[field] ?? '';
  const errors: FieldErrors = {};
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

/**
 * The process owner's form that assigns an action from a decision: owner, due date, what.
 * `people` (member id and name) serve chats without a people picker; Slack picks a Slack user.
 */
export function assignForm(
  decision: { id: string; title: string },
  people: { value: string; label: string }[],
): Form {
  return {
    action: 'action.assign',
    context: decision.id,
    title: 'Assign an action',
    submitLabel: 'Assign',
    intro: `From the decision: ${decision.title}`,
    fields: [
      { id: 'owner', label: 'Owner', type: 'person', placeholder: 'Who does it', options: people },
      { id: 'due', label: 'Due date', type: 'date' },
      { id: 'description', label: 'What is to be done', type: 'long', maxLength: 500 },
    ],
  };
}

/** addAction's fields -> the assign form's. */
export function assignErrors(fields: Record<string, string>, message: string): FieldErrors {
  const byField: Record<string, string> = { ownerId: 'owner', dueDate: 'due', description: 'description' };
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) out[byField[k] ?? 'description'] ??= v;
  return Object.keys(out).length ? out : { description: message };
}

/** The form again with what the person typed (shown with its field errors after a refused submit). */
export function refill(form: Form, values: FormValues): Form {
  return {
    ...form,
    fields: form.fields.map((f) => (values[f.id] !== undefined ? { ...f, initial: values[f.id] } : f)),
  };
}

/** How the chair closes a live meeting's item: decided (with an owner), deferred, or escalated. */
export type CloseItemKind = 'decide' | 'defer' | 'escalate';

/**
 * The chair's form closing an item of a live meeting. `context` is `meetingId:index`. Deciding needs
 * an owner, an action and a due date; an item without a ballot also says what was decided.
 */
export function closeItemForm(
  kind: CloseItemKind,
  context: string,
  item: { title: string; hasBallot: boolean; outcome: string | null },
  people: { value: string; label: string }[],
): Form {
  if (kind === 'decide')
    return {
      action: 'meeting.decide.submit',
      context,
      title: 'Close as decided',
      submitLabel: 'Record',
      intro: item.hasBallot
        ? `"${item.title}": ${item.outcome ?? 'the votes of the executives present'}. Name who carries it out.`
        : `"${item.title}": say what was decided and who carries it out.`,
      fields: [
        ...(item.hasBallot
          ? []
          : [{ id: 'decision', label: 'What was decided', type: 'text' as const, maxLength: 500 }]),
        { id: 'owner', label: 'Owner', type: 'select', placeholder: 'Who carries it out', options: people },
        { id: 'action', label: 'What they do', type: 'long', maxLength: 1000 },
        { id: 'due', label: 'Due date', type: 'date' },
        { id: 'rationale', label: 'Why (for the minutes)', type: 'long', optional: true, maxLength: 2000 },
      ],
    };
  if (kind === 'defer')
    return {
      action: 'meeting.defer.submit',
      context,
      title: 'Defer the item',
      submitLabel: 'Defer',
      intro: `"${item.title}" comes back on a date you choose; the minutes keep the reason.`,
      fields: [
        { id: 'reason', label: 'Why it waits', type: 'long', maxLength: 1000 },
        { id: 'until', label: 'Comes back on', type: 'date' },
      ],
    };
  return {
    action: 'meeting.escalate.submit',
    context,
    title: 'Escalate the item',
    submitLabel: 'Escalate',
    intro: `"${item.title}" goes to someone who can decide it; they hear of it at once.`,
    fields: [
      { id: 'reason', label: 'Why it goes up', type: 'long', maxLength: 1000 },
      { id: 'to', label: 'To whom', type: 'select', optional: true, options: people },
    ],
  };
}

/** What a close-item form's values mean to closeItem. */
export function closeItemInput(kind: CloseItemKind, v: FormValues): Record<string, string | undefined> {
  if (kind === 'decide')
    return {
      outcome: 'decided',
      decision: v['decision'],
      ownerId: v['owner'] ?? '',
      action: v['action'] ?? '',
      dueDate: v['due'] ?? '',
      rationale: v['rationale'],
    };
  if (kind === 'defer') return { outcome: 'deferred', reason: v['reason'] ?? '', until: v['until'] ?? '' };
  return { outcome: 'escalated', reason: v['reason'] ?? '', to: v['to'] };
}

/** closeItem's fields -> the form's. */
export function closeItemErrors(
  kind: CloseItemKind,
  fields: Record<string, string>,
  message: string,
): FieldErrors {
  const byField: Record<string, string> = { ownerId: 'owner', dueDate: 'due', outcome: 'reason' };
  const first = kind === 'decide' ? 'owner' : 'reason';
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) out[byField[k] ?? k] ??= v;
  // `decision` is a field only of an item without a ballot; a ballot's state shows on the first field.
  if (out['decision'] && kind === 'decide') {
    out[first] = out[first] ? `${out['decision']}; ${out[first]}` : out['decision'];
  }
  return Object.keys(out).length ? out : { [first]: message };
}

/**
 * Someone reports a disruption (a line down, a supplier short): which resource, the first and last
 * day lost, the capacity lost (a share, or units a week) and what happened.
 */
export function disruptionForm(resources: { resource: string; name: string }[]): Form {
  return {
    action: 'soe.disruption.submit',
    context: '',
    title: 'Report a disruption',
    submitLabel: 'Report the disruption',
    intro: 'Accord checks it against the plan at once and tells the owners of the resource what is at stake.',
    fields: [
      {
        id: 'resource',
        label: 'Resource',
        type: 'select',
        placeholder: 'Which line or supplier',
        options: resources.map((r) => ({
          value: r.resource,
          label: r.name === r.resource ? r.name : `${r.name} (${r.resource})`,
        })),
      },
      { id: 'from', label: 'First day lost', type: 'date' },
      { id: 'to', label: 'Last day lost', type: 'date' },
      {
        id: 'capacityLostPercent',
        label: 'Capacity lost (%)',
        type: 'number',
        optional: true,
        hint: 'Give this or the units lost per week.',
      },
      { id: 'unitsPerWeek', label: 'Units lost per week', type: 'number', optional: true },
      { id: 'note', label: 'What happened', type: 'long', maxLength: 1000 },
    ],
  };
}

/**
 * A disruption form's values as reportDisruption takes them (without the reporter), or the fields
 * whose numbers do not read as numbers.
 */
export function disruptionFromForm(v: FormValues): {
  input: Record<string, string | number | undefined>;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  const number = (id: string) => {
    const raw = v[id]?.replace(/\s*%$/, '');
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) errors[id] = 'must be a number (digits, with a point for decimals)';
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    input: {
      resource: v['resource'] ?? '',
      from: v['from'] ?? '',
      to: v['to'] ?? '',
      capacityLostPercent: number('capacityLostPercent'),
      unitsPerWeek: number('unitsPerWeek'),
      note: v['note'] ?? '',
    },
    errors,
  };
}

/** reportDisruption's fields -> the form's (the same ids; anything else beside the note). */
export function disruptionErrors(fields: Record<string, string>, message: string): FieldErrors {
  const ids = new Set(['resource', 'from', 'to', 'capacityLostPercent', 'unitsPerWeek', 'note']);
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields)) out[ids.has(k) ? k : 'note'] ??= v;
  return Object.keys(out).length ? out : { note: message };
}
