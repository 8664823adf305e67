import type { z } from 'zod';

/** Field path -> first message, e.g. `{"payload.adjustments.0.to": "must be on or after from"}`. */
export function zodFields(error: z.ZodError, prefix?: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const pathOf = (parts: PropertyKey[]) =>
    [...(prefix ? [prefix] : []), ...parts.map(String)].join('.') || '(body)';
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[pathOf([...issue.path, key])] ??= 'unknown field';
      continue;
    }
    fields[pathOf(issue.path)] ??= issue.message;
  }
  return fields;
}
