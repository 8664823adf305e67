/**
 * Input forms as Slack modals, one per kind of input: the fields, the view (pre-filled from the
 * latest submission), and the payload built from `view.state.values`. Validation stays in the
 * domain (the same zod schemas as REST); its field paths are mapped back to the modal's blocks.
 */
import type { InputKind } from '../domain/obligations.js';
import { INPUT_TITLES } from '../domain/inputs.js';

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

/** A modal's `view.state.values` (or a message's `state.values`): block id -> action id -> value. */
export type ViewValues = Record<
  string,
  Record<
    string,
    {
      value?: string | null;
      selected_user?: string | null;
      selected_date?: string | null;
      selected_option?: { value: string } | null;
    }
  >
>;

/** The modal for one input request, pre-filled with `current` (block -> value). */
export function formView(
  kind: InputKind,
  requestId: string,
  current: Record<string, string>,
  title = INPUT_TITLES[kind],
): object {
  return {
    type: 'modal',
    callback_id: 'input.submit',
    private_metadata: requestId,
    title: { type: 'plain_text', text: title.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Submit' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: FORM_FIELDS[kind].map((f) => {
      const initial = current[f.block];
      const element =
        f.type === 'select'
          ? {
              type: 'static_select',
              action_id: 'value',
              options: f.options!.map(([value, text]) => ({ text: { type: 'plain_text', text }, value })),
              ...(initial && f.options!.some(([v]) => v === initial)
                ? {
                    initial_option: {
                      text: { type: 'plain_text', text: f.options!.find(([v]) => v === initial)![1] },
                      value: initial,
                    },
                  }
                : {}),
            }
          : f.type === 'number'
            ? {
                type: 'number_input',
                action_id: 'value',
                is_decimal_allowed: true,
                ...(initial ? { initial_value: initial } : {}),
              }
            : {
                type: 'plain_text_input',
                action_id: 'value',
                multiline: f.type === 'long',
                ...(f.hint ? { placeholder: { type: 'plain_text', text: f.hint } } : {}),
                ...(initial ? { initial_value: initial } : {}),
              };
      return {
        type: 'input',
        block_id: f.block,
        optional: f.optional ?? false,
        label: { type: 'plain_text', text: f.label },
        element,
      };
    }),
  };
}

/** The trimmed value (typed or chosen) of a block's `value` element; undefined when blank. */
export const readValue = (values: ViewValues, block: string): string | undefined => {
  const v = values[block]?.['value'];
  const raw = v?.selected_option?.value ?? v?.value ?? undefined;
  return raw === null || raw === undefined || raw.trim() === '' ? undefined : raw.trim();
};
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

/** The submission's payload from the modal's values (validation happens in the use case). */
export function payloadFrom(kind: InputKind, values: ViewValues): unknown {
  const r = (b: string) => readValue(values, b);
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
 * Domain field paths (`payload.adjustments.0.change.value`) -> the modal's blocks (`changeValue`).
 * A problem with no block of its own goes to the first block, so it is never lost.
 */
export function errorsFor(kind: InputKind, fields: Record<string, string>): Record<string, string> {
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
