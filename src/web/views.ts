/**
 * The web app's pages: handlebars templates in templates/web (a page per file, partials in
 * templates/web/partials, one layout), every value HTML-escaped ({{ }} only; the templates never use
 * triple braces: test/web checks). Times are shown in the reader's time zone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { fmtUnits } from '../cards/presenters/format.js';

export type RenderPage = (page: string, context: object) => string;

const missing = (v: unknown) => typeof v !== 'number' || !Number.isFinite(v);

export function loadPages(dir: string): RenderPage {
  const hb = Handlebars.create();
  const zoneOf = (options: Handlebars.HelperOptions) =>
    (options.data as { root?: { viewer?: { timezone?: string } } } | undefined)?.root?.viewer?.timezone ??
    'UTC';
  const at = (v: unknown, options: Handlebars.HelperOptions) =>
    v instanceof Date || typeof v === 'string'
      ? DateTime.fromJSDate(v instanceof Date ? v : new Date(v), { zone: zoneOf(options) })
      : null;
  // A moment in the reader's zone: "Tue 5 Jan 2027, 17:00".
  hb.registerHelper('time', (v: unknown, options: Handlebars.HelperOptions) => {
    const d = at(v, options);
    return d?.isValid ? d.toFormat('ccc d LLL yyyy, HH:mm') : '–';
  });
  // A moment in a named zone (the org's, an invitee's): "Tue 5 Jan 2027, 17:00".
  hb.registerHelper('timeIn', (v: unknown, zone: unknown) => {
    if (!(v instanceof Date) && typeof v !== 'string') return '–';
    const d = DateTime.fromJSDate(v instanceof Date ? v : new Date(v), {
      zone: typeof zone === 'string' && zone ? zone : 'UTC',
    });
    return d.isValid ? d.toFormat('ccc d LLL yyyy, HH:mm') : '–';
  });
  // A machine-readable moment for <time datetime>.
  hb.registerHelper('iso', (v: unknown) =>
    v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '',
  );
  // A calendar date as written (2027-01-05) -> "Tue 5 Jan 2027".
  hb.registerHelper('day', (v: unknown) => {
    if (typeof v !== 'string') return '–';
    const d = DateTime.fromISO(v, { zone: 'UTC' });
    return d.isValid ? d.toFormat('ccc d LLL yyyy') : v;
  });
  hb.registerHelper('units', (v: unknown) => (missing(v) ? '–' : fmtUnits(v as number)));
  hb.registerHelper('signedUnits', (v: unknown) =>
    missing(v) ? '–' : `${(v as number) > 0 ? '+' : ''}${fmtUnits(v as number)}`,
  );
  hb.registerHelper('pct', (v: unknown) => (missing(v) ? '–' : `${Math.round((v as number) * 100)}%`));
  hb.registerHelper('fixed1', (v: unknown) => (missing(v) ? '–' : (v as number).toFixed(1)));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('plural', (n: unknown, one: string, many: string) => (n === 1 ? one : many));
  hb.registerHelper('join', (v: unknown, sep: unknown) =>
    Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : ', ') : '',
  );
  hb.registerHelper('includes', (list: unknown, v: unknown) => Array.isArray(list) && list.includes(v));

  const partials = path.join(dir, 'partials');
  for (const f of readdirSync(partials).filter((x) => x.endsWith('.hbs')))
    hb.registerPartial(f.slice(0, -4), readFileSync(path.join(partials, f), 'utf8'));
  const compile = (file: string) =>
    hb.compile(readFileSync(path.join(dir, file), 'utf8'), { strict: false, preventIndent: true });
  const layout = compile('layout.hbs');
  const pages = new Map<string, HandlebarsTemplateDelegate>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.hbs') && x !== 'layout.hbs'))
    pages.set(f.slice(0, -4), compile(f));
  return (page, context) => {
    const template = pages.get(page);
    if (!template) throw new Error(`no web page template ${page}`);
    const body = template(context);
    return layout({ ...context, body: new hb.SafeString(body) });
  };
}

/**
 * Markup Accord made itself (a chart's SVG from the vega pipeline, whose text vega escapes), shown
 * as is. Never for anything a person typed.
 */
export function trusted(html: string): { toHTML(): string } {
  return { toHTML: () => html };
}
