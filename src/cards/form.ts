/**
 * The platform-neutral form model: what a person fills in (an input, an action to assign, a
 * what-if). Builders in src/cards/forms.ts make these; each chat renders them its own way (a Slack
 * modal, a Teams dialog) and hands back the values by field id. Validation happens on the server,
 * in the use case; its field errors come back keyed by the same ids and are shown beside the field.
 */
export type FormFieldType = 'text' | 'long' | 'number' | 'select' | 'date' | 'person';

export interface FormField {
  /** The key of the value handed back (and of its error). */
  id: string;
  label: string;
  type: FormFieldType;
  optional?: boolean;
  /** A line under the field (Slack) or its placeholder (Teams). */
  hint?: string;
  placeholder?: string;
  /** For `select`, and for `person` where the platform has no people picker (value: member id). */
  options?: { value: string; label: string }[];
  /** Pre-filled value (the latest submission, say). */
  initial?: string;
  maxLength?: number;
}

export interface Form {
  /** What submitting does, e.g. `input.submit`; renderers hand it back with the values. */
  action: string;
  /** Opaque state handed back on submit (a request id, `cycleId:version`). */
  context: string;
  title: string;
  submitLabel: string;
  /** A sentence above the fields. */
  intro?: string;
  fields: FormField[];
}

/** Submitted values by field id: trimmed, blanks left out. */
export type FormValues = Record<string, string>;

/** Problems by field id, shown beside the field; a problem without a field goes to the first. */
export type FieldErrors = Record<string, string>;
