/**
 * A neutral form (src/cards/form.ts: the same forms chat shows) as an HTML form: each field with its
 * value (what was sent, else its initial value) and its problem beside it; and the values read back
 * from a POST the way chat hands them to the use case (trimmed, blanks left out).
 */
import type { FieldErrors, Form, FormField, FormValues } from '../cards/form.js';

export interface FieldView {
  id: string;
  label: string;
  hint: string | null;
  placeholder: string | null;
  optional: boolean;
  value: string;
  error: string | null;
  maxLength: number | null;
  text: boolean;
  long: boolean;
  number: boolean;
  date: boolean;
  select: boolean;
  options: { value: string; label: string; selected: boolean }[];
}

export interface FormView {
  /** Where it posts. */
  url: string;
  title: string;
  intro: string | null;
  submitLabel: string;
  fields: FieldView[];
  /** How many fields have a problem (the summary at the top). */
  problems: number;
}

function fieldView(f: FormField, sent: FormValues | null, errors: FieldErrors): FieldView {
  const value = sent ? (sent[f.id] ?? '') : (f.initial ?? '');
  const isSelect = f.type === 'select' || f.type === 'person';
  return {
    id: f.id,
    label: f.label,
    hint: f.hint ?? null,
    placeholder: f.placeholder ?? null,
    optional: !!f.optional,
    value,
    error: errors[f.id] ?? null,
    maxLength: f.maxLength ?? null,
    text: f.type === 'text',
    long: f.type === 'long',
    number: f.type === 'number',
    date: f.type === 'date',
    select: isSelect,
    options: (f.options ?? []).map((o) => ({ ...o, selected: o.value === value })),
  };
}

/** The form to show: `sent` is what the person sent (null on first view); `errors` by field id. */
export function formView(
  form: Form,
  url: string,
  sent: FormValues | null = null,
  errors: FieldErrors = {},
): FormView {
  const ids = new Set(form.fields.map((f) => f.id));
  // A problem with no field of its own goes beside the first field, as in chat.
  const placed: FieldErrors = {};
  for (const [k, v] of Object.entries(errors)) {
    const at = ids.has(k) ? k : form.fields[0]?.id;
    if (at) placed[at] = placed[at] ? `${placed[at]} ${v}` : v;
  }
  return {
    url,
    title: form.title,
    intro: form.intro ?? null,
    submitLabel: form.submitLabel,
    fields: form.fields.map((f) => fieldView(f, sent, placed)),
    problems: Object.keys(placed).length,
  };
}

/** A POSTed form's values by field id: trimmed, blanks left out (what chat hands to the use case). */
export function formValues(form: Form, body: Record<string, string>): FormValues {
  const out: FormValues = {};
  for (const f of form.fields) {
    const v = (body[f.id] ?? '').trim();
    if (v) out[f.id] = v;
  }
  return out;
}
