/** Message prose, written as handlebars templates in templates/copy (one file per message). */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

export type CopyName =
  'step-prompt' | 'reminder-before-due' | 'reminder-due-day' | 'escalation' | 'step-reopened';

export type Copy = (name: CopyName, context: Record<string, unknown>) => string;

/** Compiles every template in `dir` once. Text stays unescaped: each chat renderer escapes for its platform. */
export function loadCopy(dir: string): Copy {
  const hb = Handlebars.create();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    compiled.set(path.basename(file, '.hbs'), hb.compile(source, { noEscape: true, strict: true }));
  }
  return (name, context) => {
    const template = compiled.get(name);
    if (!template) throw new Error(`missing template templates/copy/${name}.hbs`);
    // One paragraph per message: line breaks in a template are layout, not content.
    return template(context).replace(/\s+/g, ' ').trim();
  };
}
