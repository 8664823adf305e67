/**
 * The cycle's two meetings (pre-S&OP, executive S&OP): when, who is invited, an iCalendar
 * invitation; and the follow-through measures of decisions and their actions. Pure.
 */
import type { MemberView } from './people.js';

export const MEETING_STEPS = ['pre-sop', 'executive-sop'] as const;
export type MeetingStep = (typeof MEETING_STEPS)[number];

export interface Meeting {
  id: string;
  step: MeetingStep;
  title: string;
  start: Date;
  end: Date;
  timezone: string;
  invitees: string[];
}

/**
 * Who is invited: to pre-S&OP the functional leaders and process owners, to the executive S&OP the
 * executives and process owners (delegates come with the one they stand in for, not invited themselves).
 */
export function meetingInvitees(step: MeetingStep, members: MemberView[]): string[] {
  const roles: readonly string[] =
    step === 'pre-sop' ? ['functional-leader', 'process-owner'] : ['executive', 'process-owner'];
  return members
    .filter((m) => m.delegation === null && m.roles.some((r) => roles.includes(r)))
    .map((m) => m.id);
}

const icsText = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
const icsTime = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** Lines longer than 75 octets are folded (RFC 5545 3.1). */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + (parts.length ? 74 : 75));
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--; // never split a character
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts.join('\r\n ');
}

/** What an invitation says beyond the meeting itself. */
export interface IcsOptions {
  /** Free text shown with the event. */
  description?: string;
  /** Revision of the event: 0 for the first invitation, higher for each update or cancellation. */
  sequence?: number;
  /** An invitation or update (REQUEST, the default), or a cancellation (CANCEL). */
  method?: 'REQUEST' | 'CANCEL';
  /** A page about the meeting (e.g. its agenda in Accord). */
  url?: string;
}

const isControl = (ch: string) => ch < ' ' || ch === '\x7f';
/** A parameter value (e.g. CN): quoted when it holds `,` `;` or `:` (a quote cannot be inside one). */
const icsParam = (s: string) => {
  const value = [...s.replace(/"/g, "'")].map((ch) => (isControl(ch) ? ' ' : ch)).join('');
  return /[,;:]/.test(value) ? `"${value}"` : value;
};

/**
 * The meeting as an iCalendar (RFC 5545) invitation or cancellation for calendar apps. The UID is
 * the meeting's, so an update or a cancellation (a higher `sequence`) replaces the event a person
 * already has. An invitation reminds 24 hours and 15 minutes before.
 */
export function icsFor(
  m: Meeting,
  people: { name: string; email: string }[],
  organizer: { name: string; email: string } | null,
  now: Date,
  opts: IcsOptions = {},
): string {
  const method = opts.method ?? 'REQUEST';
  const sequence = opts.sequence ?? 0;
  if (!Number.isInteger(sequence) || sequence < 0)
    throw new RangeError(`sequence must be a whole number of at least 0, got ${sequence}`);
  const alarm = (trigger: string) => [
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `TRIGGER:${trigger}`,
    `DESCRIPTION:${icsText(m.title)}`,
    'END:VALARM',
  ];
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Accord//S&OP//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${method}`,
    'BEGIN:VEVENT',
    `UID:${m.id}@accord`,
    `SEQUENCE:${sequence}`,
    `DTSTAMP:${icsTime(now)}`,
    `DTSTART:${icsTime(m.start)}`,
    `DTEND:${icsTime(m.end)}`,
    `SUMMARY:${icsText(m.title)}`,
    `STATUS:${method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    ...(opts.description ? [`DESCRIPTION:${icsText(opts.description)}`] : []),
    ...(opts.url ? [`URL:${[...opts.url].filter((ch) => ch !== ' ' && !isControl(ch)).join('')}`] : []),
    ...(organizer ? [`ORGANIZER;CN=${icsParam(organizer.name)}:mailto:${organizer.email}`] : []),
    ...people.map((p) => `ATTENDEE;CN=${icsParam(p.name)};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${p.email}`),
    ...(method === 'REQUEST' ? [...alarm('-PT24H'), ...alarm('-PT15M')] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

export interface FollowThroughInput {
  decisions: { id: string; cycleId: string; status: string; decidedAt: Date; framedAt: Date | null }[];
  actions: { decisionId: string; status: string; dueDate: string; createdAt: Date; doneAt: Date | null }[];
  /** When an action due on this date falls due (the end of that working day in the org's zone). */
  dueAt: (dueDate: string) => Date;
  now: Date;
}

export interface FollowThrough {
  decisions: number;
  decided: number;
  decisionsWithOwners: number;
  actions: number;
  done: number;
  doneOnTime: number;
  overdue: number;
  /** Median days from decision to its last action done (decisions whose actions are all done). */
  medianDaysDecisionToDone: number | null;
  /** Median hours from the trade-off framed (pack built) to the decision. */
  medianHoursDecisionLatency: number | null;
}

const median = (v: number[]) => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const DAY = 86_400_000;

export function followThrough(x: FollowThroughInput): FollowThrough {
  const byDecision = new Map<string, FollowThroughInput['actions']>();
  for (const a of x.actions) byDecision.set(a.decisionId, [...(byDecision.get(a.decisionId) ?? []), a]);
  const done = x.actions.filter((a) => a.status === 'done');
  const closedDays = x.decisions.flatMap((d) => {
    const acts = (byDecision.get(d.id) ?? []).filter((a) => a.status !== 'cancelled');
    if (!acts.length || acts.some((a) => a.status !== 'done')) return [];
    const last = Math.max(...acts.map((a) => a.doneAt!.getTime()));
    return [(last - d.decidedAt.getTime()) / DAY];
  });
  return {
    decisions: x.decisions.length,
    decided: x.decisions.filter((d) => d.status === 'decided').length,
    decisionsWithOwners: x.decisions.filter((d) => (byDecision.get(d.id) ?? []).length > 0).length,
    actions: x.actions.length,
    done: done.length,
    doneOnTime: done.filter((a) => a.doneAt!.getTime() <= x.dueAt(a.dueDate).getTime()).length,
    overdue: x.actions.filter(
      (a) =>
        (a.status === 'open' || a.status === 'blocked') && x.now.getTime() >= x.dueAt(a.dueDate).getTime(),
    ).length,
    medianDaysDecisionToDone: median(closedDays),
    medianHoursDecisionLatency: median(
      x.decisions
        .filter((d) => d.framedAt)
        .map((d) => (d.decidedAt.getTime() - d.framedAt!.getTime()) / 3_600_000),
    ),
  };
}
