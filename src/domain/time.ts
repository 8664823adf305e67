import { DateTime, IANAZone } from 'luxon';

/** `HH:MM`, 24-hour clock. */
export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** `YYYY-MM-DD`. */
export const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
/** `YYYY-MM`. */
export const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function isValidIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

/** `YYYY-MM` with a real month (01-12). */
export function isValidIsoMonth(value: string): boolean {
  return ISO_MONTH.test(value);
}

/** A window of calendar dates (`YYYY-MM-DD`) or months (`YYYY-MM`), both ends included. */
export interface Window {
  from: string;
  to: string;
  /** Why these ends, for the message, e.g. "today in Europe/Berlin to 5 years ahead". */
  why?: string;
}

const within = (w: Window) => `from ${w.from} to ${w.to}${w.why ? ` (${w.why})` : ''}`;

/** What is wrong with a date against a window (null: nothing): not a real date, or outside it. */
export function dateProblem(value: string, w: Window): string | null {
  if (!isValidIsoDate(value)) return 'must be a real date as YYYY-MM-DD';
  if (value < w.from || value > w.to) return `must be a date ${within(w)}`;
  return null;
}

/** What is wrong with a month against a window (null: nothing): not a real month, or outside it. */
export function monthProblem(value: string, w: Window): string | null {
  if (!isValidIsoMonth(value)) return 'must be a month as YYYY-MM (01-12)';
  if (value < w.from || value > w.to) return `must be a month ${within(w)}`;
  return null;
}

/** The local date of `at` in `zone`, moved by `plus` (negative: back). */
export function localDatePlus(at: Date, zone: string, plus: { days?: number; years?: number }): string {
  return DateTime.fromJSDate(at, { zone }).plus(plus).toISODate() as string;
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** The instant at `hhmm` local time on the local date `isoDate` in `zone` (DST gaps move forward). */
export function atLocalTime(isoDate: string, hhmm: string, zone: string): Date {
  const [h, m] = hhmm.split(':');
  const dt = DateTime.fromISO(isoDate, { zone }).set({
    hour: Number(h),
    minute: Number(m),
    second: 0,
    millisecond: 0,
  });
  return dt.toJSDate();
}

/** The local calendar date (`YYYY-MM-DD`) of an instant in a zone. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate() as string;
}

/** `YYYY-MM` as a count of months, for arithmetic on periods; `monthName` turns it back. */
export const monthNumber = (p: string): number => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;
export const monthName = (n: number): string =>
  `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;

export function nextMonth(month: string): string {
  return DateTime.fromISO(`${month}-01`, { zone: 'utc' }).plus({ months: 1 }).toFormat('yyyy-MM');
}

/** Human-readable local time for a message, e.g. `Tue 8 Dec, 17:00 (Europe/Berlin)`. */
export function formatLocal(at: Date, zone: string): string {
  return `${DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL, HH:mm')} (${zone})`;
}
