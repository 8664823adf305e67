/**
 * Slack modals: a neutral form (src/cards/form.ts) as a modal view, its `view.state.values` read
 * back by field id, and a card shown as a modal. Slack's limits for views live here and in
 * blockkit.ts.
 */
import type { Card } from '../../src/cards/card.js';
import type { Form, FormField, FormValues } from '../../src/cards/form.js';
import { escapeMrkdwn, renderBlocks, SLACK_LIMITS } from './blockkit.js';

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

const text = (t: string) => ({ type: 'plain_text' as const, text: t });

function element(f: FormField) {
  const initial = f.initial;
  const placeholder = f.placeholder ? { placeholder: text(f.placeholder.slice(0, 150)) } : {};
  switch (f.type) {
    case 'select': {
      const options = (f.options ?? []).slice(0, SLACK_LIMITS.selectOptions).map((o) => ({
        text: text(o.label.slice(0, SLACK_LIMITS.buttonText)),
        value: o.value.slice(0, 150),
      }));
      const chosen = initial ? options.find((o) => o.value === initial) : undefined;
      return {
        type: 'static_select',
        action_id: 'value',
        ...placeholder,
        options,
        ...(chosen ? { initial_option: chosen } : {}),
      };
    }
    case 'number':
      return {
        type: 'number_input',
        action_id: 'value',
        is_decimal_allowed: true,
        ...(initial ? { initial_value: initial } : {}),
      };
    case 'date':
      return { type: 'datepicker', action_id: 'value', ...(initial ? { initial_date: initial } : {}) };
    case 'person':
      // Slack's own picker: the value is a Slack user id, identified by the listener.
      return { type: 'users_select', action_id: 'value', ...placeholder };
    case 'text':
    case 'long':
      return {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: f.type === 'long',
        ...(f.maxLength ? { max_length: f.maxLength } : {}),
        ...placeholder,
        ...(initial ? { initial_value: initial } : {}),
      };
  }
}

/** A neutral form as a modal: `callback_id` is the form's action, `private_metadata` its context. */
export function renderModal(form: Form) {
  return {
    type: 'modal',
    callback_id: form.action,
    private_metadata: form.context,
    title: text(form.title.slice(0, SLACK_LIMITS.modalTitle)),
    submit: text(form.submitLabel),
    close: text('Cancel'),
    blocks: [
      ...(form.intro
        ? [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(form.intro).slice(0, 3000) } }]
        : []),
      ...form.fields.map((f) => ({
        type: 'input',
        block_id: f.id,
        ...(f.optional !== undefined ? { optional: f.optional } : {}),
        label: text(f.label),
        ...(f.hint ? { hint: text(f.hint) } : {}),
        element: element(f),
      })),
    ],
  };
}

/** The trimmed value (typed, chosen, picked) of each of the form's fields; blanks left out. */
export function readModalValues(form: Form, values: ViewValues): FormValues {
  const out: FormValues = {};
  for (const f of form.fields) {
    const v = values[f.id]?.['value'];
    const raw = v?.selected_option?.value ?? v?.selected_user ?? v?.selected_date ?? v?.value ?? undefined;
    if (raw !== null && raw !== undefined && raw.trim() !== '') out[f.id] = raw.trim();
  }
  return out;
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
