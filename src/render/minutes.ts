/**
 * The minutes of a meeting as Markdown (handlebars, templates/documents/minutes.hbs). Markdown is
 * text, not HTML: nothing is HTML-escaped (noEscape), as with the message copy; each place that
 * shows the minutes (chat, web) escapes for itself. Line breaks inside a person's text are folded
 * into spaces so a reason or a title cannot break the document's lists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { fmt } from '../domain/plan.js';
import type { Minutes, MinutesItem, MinutesPerson } from '../domain/minutes.js';

/** What the document says about who wrote it. */
export interface MinutesDocumentOptions {
  orgName: string;
  /** The minutes' version (a correction makes a new one). */
  version: number;
}

export type MinutesMarkdownRenderer = (m: Minutes, opts: MinutesDocumentOptions) => string;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** "Tue 12 Jan 2027, 15:00 (Europe/London)". */
export function formatMeetingTime(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
}

const clock = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
const sameDay = (a: Date, b: Date, zone: string) =>
  DateTime.fromJSDate(a, { zone }).toISODate() === DateTime.fromJSDate(b, { zone }).toISODate();
const minutesText = (n: number) => `${n} ${n === 1 ? 'minute' : 'minutes'}`;
const ROLE_NAMES = {
  executive: 'executive',
  'functional-leader': 'functional leader',
  'process-owner': 'process owner',
} as const;
const personText = (p: MinutesPerson) => oneLine(p.role ? `${p.name} (${ROLE_NAMES[p.role]})` : p.name);

function heldText(m: Minutes): string {
  const { startedAt, endedAt, timezone } = m.meeting;
  const d = m.duration;
  if (!startedAt) return 'not recorded';
  if (!endedAt || d.actualMinutes === null) return `from ${formatMeetingTime(startedAt, timezone)}`;
  const end = sameDay(startedAt, endedAt, timezone)
    ? clock(endedAt, timezone)
    : formatMeetingTime(endedAt, timezone);
  const against = d.overrunMinutes
    ? `${minutesText(d.overrunMinutes)} over the plan`
    : d.actualMinutes < d.plannedMinutes
      ? `${minutesText(d.plannedMinutes - d.actualMinutes)} under the plan`
      : 'as planned';
  return `${formatMeetingTime(startedAt, timezone)} to ${end}, ${minutesText(d.actualMinutes)} (${against})`;
}

function itemFacts(i: MinutesItem): string {
  const facts = [
    ...(i.moneyAtStake > 0 ? [`money at stake ${fmt(i.moneyAtStake)}`] : []),
    `timebox ${minutesText(i.timeboxMinutes)}`,
    ...(i.minutesUsed !== null
      ? [`took ${minutesText(i.minutesUsed)}${i.overTimebox ? ' (over the timebox)' : ''}`]
      : []),
  ];
  const text = facts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function itemView(i: MinutesItem) {
  const d = i.decision;
  const recommended =
    d && d.followedRecommendation !== null
      ? d.followedRecommendation
        ? ' (the recommendation)'
        : ' (not the recommendation)'
      : '';
  return {
    position: i.position,
    title: oneLine(i.title),
    question: oneLine(i.question),
    facts: itemFacts(i),
    recommendation: i.recommendation ? oneLine(i.recommendation) : '',
    decided:
      i.outcome === 'decided'
        ? d
          ? `${oneLine(d.optionLabel)}${recommended}`
          : 'decided (no option recorded)'
        : '',
    rationale: d ? oneLine(d.rationale) : '',
    votes: d?.totalVotes
      ? d.votes
          .filter((v) => v.count > 0)
          .map((v) => `${oneLine(v.optionLabel)} ${v.count} (${v.voters.map(oneLine).join(', ')})`)
          .join('; ')
      : '',
    dissent: (d?.dissent ?? []).map(
      (v) =>
        `${oneLine(v.voterName)} voted for ${oneLine(v.optionLabel)}${v.reason?.trim() ? `: ${oneLine(v.reason)}` : ' (no reason given)'}`,
    ),
    deferral:
      i.outcome === 'deferred' && i.deferral
        ? { until: i.deferral.until, reason: oneLine(i.deferral.reason) }
        : null,
    escalation:
      i.outcome === 'escalated' && i.escalation
        ? { to: i.escalation.to ? oneLine(i.escalation.to) : '', reason: oneLine(i.escalation.reason) }
        : null,
    notReached: i.outcome === 'not-reached',
    actions: i.actions.map((a) => ({
      ownerName: oneLine(a.ownerName),
      description: oneLine(a.description),
      dueDate: a.dueDate,
    })),
  };
}

/** The view the template reads: every text already one line, every date already formatted. */
function minutesView(m: Minutes, opts: MinutesDocumentOptions) {
  const zone = m.meeting.timezone;
  const a = m.attendance;
  return {
    title: oneLine(m.meeting.title),
    orgName: oneLine(opts.orgName),
    version: opts.version,
    scheduled: `${formatMeetingTime(m.meeting.start, zone)}, ${minutesText(m.duration.plannedMinutes)}`,
    held: heldText(m),
    chair: oneLine(m.chair.name),
    present: a.present.map(personText),
    represented: a.represented.map(
      (p) => `${personText(p)}, by ${p.delegateName ? oneLine(p.delegateName) : 'a delegate not recorded'}`,
    ),
    absent: a.absent.map(personText),
    late: a.late.map((p) => `${personText(p)}${p.arrivedAt ? `, arrived ${clock(p.arrivedAt, zone)}` : ''}`),
    totals: m.totals,
    items: m.items.map(itemView),
    dropped: m.dropped.map((d) => ({ title: oneLine(d.title), reason: oneLine(d.reason) })),
  };
}

/** A renderer from the minutes template in `dir` (templates/documents), compiled once. */
export function loadMinutesMarkdown(dir: string): MinutesMarkdownRenderer {
  const hb = Handlebars.create();
  hb.registerHelper('join', (v: unknown) => (Array.isArray(v) ? v.join(', ') : ''));
  hb.registerHelper('plural', (n: unknown, one: string, many: string) => (n === 1 ? one : many));
  const template = hb.compile(readFileSync(path.join(dir, 'minutes.hbs'), 'utf8'), {
    noEscape: true,
    strict: true,
  });
  return (m, opts) =>
    `${template(minutesView(m, opts))
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`;
}

/** templates/documents, found from this file up (src/render in the repository, dist/src/render built). */
function documentsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'templates', 'documents');
    if (existsSync(path.join(candidate, 'minutes.hbs'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('templates/documents/minutes.hbs not found above src/render');
}

let defaultRenderer: MinutesMarkdownRenderer | null = null;

/** The minutes as Markdown, from the repository's templates/documents/minutes.hbs. */
export function renderMinutesMarkdown(m: Minutes, opts: MinutesDocumentOptions): string {
  defaultRenderer ??= loadMinutesMarkdown(documentsDir());
  return defaultRenderer(m, opts);
}
