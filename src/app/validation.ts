import type { z } from 'zod';

/** Field path -> first message, e.g. `{"payload.adjustments.0.to": "must be on or after from"}`. */
export function zodFields(error: z.ZodError, prefix?: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.') || '(body)';
    fields[path] ??= issue.message;
  }
  return fields;
}
