/**
 * The cycle calendar: business days in the org's time zone, and the five steps' windows.
 * Pure: the only dependency is luxon's time-zone arithmetic.
 */
import { DateTime } from 'luxon';
import { HHMM, atLocalTime, dateProblem, localDate, minutesOf, type Window } from './time.js';

export const STEP_KEYS = [
  'data-gathering',
  'demand-planning',
  'supply-planning',
  'pre-sop',
  'executive-sop',
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

export const STEP_TITLES: Record<StepKey, string> = {
  'data-gathering': 'Data gathering',
  'demand-planning': 'Demand planning',
  'supply-planning': 'Supply planning',
  'pre-sop': 'Pre-S&OP reconciliation',
  'executive-sop': 'Executive S&OP',
};

export interface StepWindowSpec {
  key: StepKey;
  /** First business day of the cycle month on which the step is open (1-based). */
  startDay: number;
  /** Business day on which the step is due (inclusive). */
  endDay: number;
}

export interface CycleCalendar {
  /** Local time at which a step opens on its first business day. */
  openTime: string;
  /** Local time at which a step is due on its last business day. */
  dueTime: string;
  steps: StepWindowSpec[];
}

export const DEFAULT_CALENDAR: CycleCalendar = {
  openTime: '09:00',
  dueTime: '17:00',
  steps: [
    { key: 'data-gathering', startDay: 1, endDay: 3 },
    { key: 'demand-planning', startDay: 3, endDay: 6 },
    { key: 'supply-planning', startDay: 6, endDay: 9 },
    { key: 'pre-sop', startDay: 10, endDay: 12 },
    { key: 'executive-sop', startDay: 13, endDay: 13 },
  ],
};

/** The holidays an org may list: from 1 January 5 years back to 31 December 10 years ahead (its zone). */
export function holidayWindow(now: Date, zone: string): Window {
  const year = Number(localDate(now, zone).slice(0, 4));
  return { from: `${year - 5}-01-01`, to: `${year + 10}-12-31`, why: '5 years back to 10 years ahead' };
}

/** Problems with a list of holidays, as `holidays.<index>` -> message (empty when all are fine). */
export function holidayProblems(holidays: readonly string[], window: Window): Record<string, string> {
  const problems: Record<string, string> = {};
  holidays.forEach((d, i) => {
    const problem = dateProblem(d, window);
    if (problem) problems[`holidays.${i}`] = problem;
  });
  return problems;
}

/** ISO weekday numbers (1 = Monday ... 7 = Sunday). */
export const DEFAULT_WEEKEND = [6, 7];

export interface WorkCalendar {
  timezone: string;
  /** Local dates `YYYY-MM-DD` that are not business days. */
  holidays: ReadonlySet<string>;
  /** ISO weekdays that are not business days. */
  weekend: readonly number[];
}

export function isBusinessDay(isoDate: string, cal: WorkCalendar): boolean {
  const d = DateTime.fromISO(isoDate, { zone: 'utc' });
  return !cal.weekend.includes(d.weekday) && !cal.holidays.has(isoDate);
}

/**
 * The local date of the n-th business day counted from the first day of `month` (n >= 1).
 * A count that runs past the month's end carries on into the next month.
 */
export function nthBusinessDay(month: string, n: number, cal: WorkCalendar): string {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`business day must be a positive integer, got ${n}`);
  let d = DateTime.fromISO(`${month}-01`, { zone: 'utc' });
  let seen = 0;
  // A year of holidays is the most any calendar could skip; the bound keeps a bad calendar finite.
  for (let i = 0; i < 400; i++) {
    const iso = d.toISODate() as string;
    if (isBusinessDay(iso, cal)) {
      seen++;
      if (seen === n) return iso;
    }
    d = d.plus({ days: 1 });
  }
  throw new RangeError(`no business day ${n} within 400 days of ${month}-01`);
}

/** The local date `count` business days after `isoDate` (count >= 0; 0 returns the date itself). */
export function addBusinessDays(isoDate: string, count: number, cal: WorkCalendar): string {
  let d = DateTime.fromISO(isoDate, { zone: 'utc' });
  let left = count;
  for (let i = 0; left > 0 && i < 400; i++) {
    d = d.plus({ days: 1 });
    if (isBusinessDay(d.toISODate() as string, cal)) left--;
  }
  return d.toISODate() as string;
}

export interface StepWindow {
  key: StepKey;
  opensAt: Date;
  dueAt: Date;
}

/** Each step's opening and due instant (UTC) for the cycle that plans `month`. */
export function stepWindows(month: string, calendar: CycleCalendar, cal: WorkCalendar): StepWindow[] {
  return STEP_KEYS.map((key) => {
    const spec = calendar.steps.find((s) => s.key === key);
    if (!spec) throw new RangeError(`calendar has no window for step ${key}`);
    return {
      key,
      opensAt: atLocalTime(nthBusinessDay(month, spec.startDay, cal), calendar.openTime, cal.timezone),
      dueAt: atLocalTime(nthBusinessDay(month, spec.endDay, cal), calendar.dueTime, cal.timezone),
    };
  });
}

/**
 * Problems with a calendar, as field path -> message (empty when it is usable).
 * Rules: every step once; 1 <= startDay <= endDay <= 23; steps start and end in order; on a step's
 * single day, it opens before it is due.
 */
export function calendarProblems(calendar: CycleCalendar): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!HHMM.test(calendar.openTime)) problems['openTime'] = 'must be HH:MM (24-hour)';
  if (!HHMM.test(calendar.dueTime)) problems['dueTime'] = 'must be HH:MM (24-hour)';
  const seen = new Set<string>();
  calendar.steps.forEach((s, i) => {
    if (seen.has(s.key)) problems[`steps.${i}.key`] = `step ${s.key} appears twice`;
    seen.add(s.key);
    if (s.startDay > s.endDay) problems[`steps.${i}.endDay`] = 'must be on or after startDay';
  });
  for (const key of STEP_KEYS) {
    if (!seen.has(key)) problems['steps'] = `every step needs a window; missing ${key}`;
  }
  const ordered = STEP_KEYS.map((k) => calendar.steps.find((s) => s.key === k)).filter(
    (s): s is StepWindowSpec => s !== undefined,
  );
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1]!;
    const cur = ordered[i]!;
    const at = calendar.steps.indexOf(cur);
    if (cur.startDay < prev.startDay) problems[`steps.${at}.startDay`] = `must not start before ${prev.key}`;
    if (cur.endDay < prev.endDay) problems[`steps.${at}.endDay`] = `must not be due before ${prev.key}`;
  }
  if (
    HHMM.test(calendar.openTime) &&
    HHMM.test(calendar.dueTime) &&
    minutesOf(calendar.openTime) >= minutesOf(calendar.dueTime) &&
    calendar.steps.some((s) => s.startDay === s.endDay)
  ) {
    problems['dueTime'] = 'must be after openTime when a step opens and is due on the same day';
  }
  return problems;
}
