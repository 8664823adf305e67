/**
 * When a cycle meeting (pre-S&OP, executive S&OP) takes place: a fixed slot on a business day of
 * the step's window (the org's setting), or the earliest slot inside every invitee's working time,
 * or, when no slot suits everyone, a short time poll of the slots that suit the most and its tally.
 *
 * Working time is the rule of chat manners (`nextAllowedTime`): everything outside a person's
 * quiet hours, on a day that is neither a weekend day nor an org holiday, judged on that person's
 * own local date. Pure: the only dependency is luxon's time-zone arithmetic.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { isBusinessDay, type WorkCalendar } from './calendar.js';
import type { Calendar } from './manners.js';
import type { QuietHours } from './people.js';
import { HHMM, atLocalTime, localDate, minutesOf } from './time.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Where a cycle meeting goes in its step's window, as the org set it. */
export interface MeetingSlotSetting {
  /**
   * Business day of the step's window in the org's zone: 1 is the day the step opens, 2 the next
   * business day; -1 is the last business day (the due day), -2 the one before.
   */
  day: number;
  /** Local start time `HH:MM` in the org's zone. */
  time: string;
  /** Length in minutes (15-240, a multiple of 5). */
  minutes: number;
  /** Propose a time that suits every invitee instead of the fixed slot. */
  propose: boolean;
}

/** 15:00-16:30 on the due day: with a 17:00 due time, the meeting Accord always scheduled. */
export const DEFAULT_MEETING_SLOT: MeetingSlotSetting = {
  day: -1,
  time: '15:00',
  minutes: 90,
  propose: false,
};

/**
 * A meeting slot setting from a form or REST body; a field left out takes its default
 * (`DEFAULT_MEETING_SLOT`), so a partial setting parses to a whole one.
 */
export const meetingSlotSchema = z.object({
  day: z
    .number({ error: 'must be a whole number of business days' })
    .int('must be a whole number of business days')
    .min(-10, 'must be between -10 and 10')
    .max(10, 'must be between -10 and 10')
    .refine((d) => d !== 0, 'must not be 0: 1 is the day the step opens, -1 the day it is due')
    .default(DEFAULT_MEETING_SLOT.day),
  time: z
    .string({ error: 'must be HH:MM (24-hour)' })
    .regex(HHMM, 'must be HH:MM (24-hour)')
    .default(DEFAULT_MEETING_SLOT.time),
  minutes: z
    .number({ error: 'must be a whole number of minutes' })
    .int('must be a whole number of minutes')
    .min(15, 'must be at least 15 minutes')
    .max(240, 'must be at most 240 minutes (4 hours)')
    .multipleOf(5, 'must be a multiple of 5 minutes')
    .default(DEFAULT_MEETING_SLOT.minutes),
  propose: z.boolean({ error: 'must be true or false' }).default(DEFAULT_MEETING_SLOT.propose),
});

/** Problems with a meeting slot setting, as field -> message (empty: it is usable). */
export function meetingSlotProblems(value: unknown): Record<string, string> {
  const parsed = meetingSlotSchema.safeParse(value);
  if (parsed.success) return {};
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.length ? issue.path.join('.') : 'slot';
    problems[field] ??= issue.message;
  }
  return problems;
}

/** A meeting's time: from `start` (included) to `end` (excluded). */
export interface Slot {
  start: Date;
  end: Date;
}

/** A step's window: the meeting must fall between the step opening and its due time. */
export interface MeetingWindow {
  opensAt: Date;
  dueAt: Date;
}

/**
 * The org's fixed slot: the setting's business day of the window (days counted in the org's zone
 * from the opening date to the due date, weekends and holidays skipped; a day past either end is
 * the first or last business day; no business day at all: the due date) at its local time.
 */
export function fixedSlot(
  window: MeetingWindow,
  setting: MeetingSlotSetting,
  zone: string,
  cal: WorkCalendar,
): Slot {
  const first = localDate(window.opensAt, zone);
  const last = localDate(window.dueAt, zone);
  const days: string[] = [];
  let d = DateTime.fromISO(first, { zone: 'utc' });
  // A step window is a few weeks at most; the bound keeps a bad window finite.
  for (let i = 0; i < 400; i++) {
    const iso = d.toISODate() as string;
    if (iso > last) break;
    if (isBusinessDay(iso, cal)) days.push(iso);
    d = d.plus({ days: 1 });
  }
  if (!days.length) days.push(last);
  const index = setting.day > 0 ? setting.day - 1 : days.length + setting.day;
  const date = days[Math.min(days.length - 1, Math.max(0, index))]!;
  const start = atLocalTime(date, setting.time, zone);
  return { start, end: new Date(start.getTime() + setting.minutes * MINUTE) };
}

/** A person invited to a meeting, with what decides their working time. */
export interface Invitee {
  id: string;
  timezone: string;
  quietHours: QuietHours;
}

/** Milliseconds since the epoch, [from, to). */
type Span = readonly [number, number];

/**
 * A zone's clock over a stretch of time, as its UTC offsets and the instants they start: luxon is
 * asked once a day and at each clock change, the rest is arithmetic (the proposal checks every
 * invitee's every day, and asking luxon each time is slow).
 */
class ZoneClock {
  /** Offsets (ms) from UTC, each from `at` on; the first also holds before. */
  private readonly offsets: { at: number; offset: number }[] = [];

  constructor(zone: string, from: number, to: number) {
    const z = IANAZone.create(zone);
    if (!z.isValid) throw new RangeError(`unknown time zone ${zone}`);
    const offset = (t: number) => z.offset(t) * MINUTE;
    let t = from - 2 * DAY;
    let current = offset(t);
    this.offsets.push({ at: t, offset: current });
    // No zone changes its clock twice within a day, so a daily look finds every change.
    for (; t < to + 2 * DAY; t += DAY) {
      const next = offset(t + DAY);
      if (next === current) continue;
      let lo = t; // offset `current` here
      let hi = t + DAY; // offset `next` here
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offset(mid) === current) lo = mid;
        else hi = mid;
      }
      this.offsets.push({ at: hi, offset: next });
      current = next;
    }
  }

  /** The offset from UTC (ms) at an instant. */
  offsetAt(t: number): number {
    let found = this.offsets[0]!.offset;
    for (const o of this.offsets) {
      if (o.at > t) break;
      found = o.offset;
    }
    return found;
  }

  /** The local wall-clock time of an instant, as milliseconds of a UTC date with that reading. */
  wall(t: number): number {
    return t + this.offsetAt(t);
  }

  /**
   * The instant the clock reads `wall`: when it reads it twice (clocks going back), the first;
   * when it skips it (clocks going forward), as luxon does, the reading moved on by the skip.
   */
  instant(wall: number): number {
    for (const o of this.offsets) {
      const t = wall - o.offset;
      if (this.offsetAt(t) === o.offset) return t;
    }
    // In a gap: read on the clock from before the change it falls in.
    for (let i = 1; i < this.offsets.length; i++) {
      const before = this.offsets[i - 1]!;
      const change = this.offsets[i]!;
      if (wall < change.at + change.offset) return wall - before.offset;
    }
    return wall - this.offsets[this.offsets.length - 1]!.offset;
  }
}

/** Zone clocks and working spans for one computation, shared by invitees with the same settings. */
class Spans {
  private readonly clocks = new Map<string, ZoneClock>();
  private readonly spans = new Map<string, Span[]>();

  constructor(
    private readonly cal: Calendar,
    private readonly from: number,
    private readonly to: number,
  ) {}

  clock(zone: string): ZoneClock {
    let clock = this.clocks.get(zone);
    if (!clock) this.clocks.set(zone, (clock = new ZoneClock(zone, this.from, this.to)));
    return clock;
  }

  of(r: Invitee): Span[] {
    const key = `${r.timezone}|${r.quietHours.start}|${r.quietHours.end}`;
    let spans = this.spans.get(key);
    if (!spans) this.spans.set(key, (spans = this.working(r)));
    return spans;
  }

  /**
   * The invitee's working time that touches [from, to), as sorted, disjoint, merged spans
   * (working time running on across midnight into another working day is one span).
   */
  private working(r: Invitee): Span[] {
    const clock = this.clock(r.timezone);
    const quietStart = minutesOf(r.quietHours.start) * MINUTE;
    const quietEnd = minutesOf(r.quietHours.end) * MINUTE;
    const spans: [number, number][] = [];
    const add = (wallFrom: number, wallTo: number) => {
      const a = clock.instant(wallFrom);
      const b = clock.instant(wallTo);
      if (b <= a || b <= this.from || a >= this.to) return;
      const prev = spans[spans.length - 1];
      if (prev && a <= prev[1]) prev[1] = Math.max(prev[1], b);
      else spans.push([a, b]);
    };
    // Local dates as the UTC midnight of the same date: weekday and ISO date come straight off it.
    for (let day = Math.floor(clock.wall(this.from) / DAY) * DAY; clock.instant(day) < this.to; day += DAY) {
      const date = new Date(day);
      const weekday = date.getUTCDay() || 7;
      if (this.cal.weekend.includes(weekday) || this.cal.holidays.has(date.toISOString().slice(0, 10)))
        continue;
      if (quietStart === quietEnd) add(day, day + DAY);
      else if (quietStart > quietEnd) add(day + quietEnd, day + quietStart);
      else {
        add(day, day + quietStart);
        add(day + quietEnd, day + DAY);
      }
    }
    return spans;
  }
}

/** Whether [start, end) lies inside one of the sorted spans. */
function inside(spans: readonly Span[], start: number, end: number): boolean {
  for (const [a, b] of spans) {
    if (a > start) return false;
    if (end <= b) return true;
  }
  return false;
}

/** The time all span lists share (each sorted and disjoint). */
function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [a0, a1] = a[i]!;
    const [b0, b1] = b[j]!;
    const lo = Math.max(a0, b0);
    const hi = Math.min(a1, b1);
    if (lo < hi) out.push([lo, hi]);
    if (a1 < b1) i++;
    else j++;
  }
  return out;
}

/**
 * The ids of the invitees the slot does not suit: for each, the whole slot must lie in their
 * working time (a slot running into their quiet hours, weekend or an org holiday does not).
 */
export function fitsEveryone(slot: Slot, invitees: readonly Invitee[], cal: Calendar): string[] {
  const start = slot.start.getTime();
  const end = slot.end.getTime();
  const spans = new Spans(cal, start - DAY, end + DAY);
  return invitees.filter((r) => !inside(spans.of(r), start, end)).map((r) => r.id);
}

/** Where a proposed slot may start, and on which clock it is aligned. */
export interface ProposeOptions {
  /** No slot starts before this (e.g. now plus the notice invitees need). */
  notBefore: Date;
  /** Starts fall on multiples of this many minutes of the UTC clock (default 15). */
  stepMinutes?: number;
  /** The meeting ends at least this many minutes before the step is due (default 30). */
  dueMarginMinutes?: number;
}

interface Candidates {
  /** Earliest start and latest end, ms. */
  from: number;
  to: number;
  step: number;
  length: number;
}

function candidates(window: MeetingWindow, minutes: number, opts: ProposeOptions): Candidates {
  const stepMinutes = opts.stepMinutes ?? 15;
  if (!Number.isInteger(stepMinutes) || stepMinutes < 1 || stepMinutes > 1440)
    throw new RangeError(`stepMinutes must be a whole number from 1 to 1440, got ${stepMinutes}`);
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new RangeError(`a meeting must last a positive number of minutes, got ${minutes}`);
  const step = stepMinutes * MINUTE;
  const earliest = Math.max(window.opensAt.getTime(), opts.notBefore.getTime());
  return {
    from: Math.ceil(earliest / step) * step,
    to: window.dueAt.getTime() - (opts.dueMarginMinutes ?? 30) * MINUTE,
    step,
    length: minutes * MINUTE,
  };
}

/**
 * The earliest slot of `minutes` in the window that suits every invitee: it starts on the step
 * (UTC clock) no earlier than the window opens or `notBefore`, and ends `dueMarginMinutes` before
 * the step is due. Null when there is none.
 */
export function proposeSlot(
  window: MeetingWindow,
  minutes: number,
  invitees: readonly Invitee[],
  cal: Calendar,
  opts: ProposeOptions,
): Slot | null {
  const c = candidates(window, minutes, opts);
  if (c.from + c.length > c.to) return null;
  const spans = new Spans(cal, c.from, c.to);
  let common: Span[] = [[c.from, c.to]];
  for (const r of invitees) {
    common = intersect(common, spans.of(r));
    if (!common.length) return null;
  }
  for (const [a, b] of common) {
    const start = Math.ceil(a / c.step) * c.step;
    if (start + c.length <= b) return { start: new Date(start), end: new Date(start + c.length) };
  }
  return null;
}

/** One choice in a time poll. */
export interface PollOption {
  /** 'a', 'b', 'c', ... in time order. */
  key: string;
  start: Date;
  end: Date;
  /** Ids of the invitees the slot suits, in invitee order. */
  fits: string[];
  /** Ids of those it does not suit. */
  misses: string[];
}

/** `ProposeOptions` plus the poll's size and the zone whose days it spreads its options over. */
export interface PollOptionsOptions extends ProposeOptions {
  /** At most this many options (default 3, at most 26). */
  max?: number;
  /** The zone (the org's) whose local days count for "one option a day"; default UTC. */
  zone?: string;
}

/**
 * The choices for a time poll when no slot suits everyone: the candidate slots (as `proposeSlot`
 * would consider) that suit the most invitees, the earlier first among equals, at most one a day
 * (local days of `opts.zone`), up to `max`, in time order. Empty only when the window has no room
 * for a slot at all.
 */
export function pollOptions(
  window: MeetingWindow,
  minutes: number,
  invitees: readonly Invitee[],
  cal: Calendar,
  opts: PollOptionsOptions,
): PollOption[] {
  const c = candidates(window, minutes, opts);
  const max = Math.min(26, Math.max(0, Math.floor(opts.max ?? 3)));
  if (c.from + c.length > c.to || max === 0) return [];
  const computed = new Spans(cal, c.from, c.to);
  const spans = invitees.map((r) => computed.of(r));
  const clock = computed.clock(opts.zone ?? 'UTC');
  const cursor = invitees.map(() => 0);
  const all: { start: number; day: number; fits: boolean[]; count: number }[] = [];
  for (let start = c.from; start + c.length <= c.to; start += c.step) {
    const end = start + c.length;
    const fits = spans.map((list, k) => {
      let i = cursor[k]!;
      while (i < list.length && list[i]![1] < end) i++;
      cursor[k] = i;
      const span = list[i];
      return span !== undefined && span[0] <= start;
    });
    all.push({ start, day: Math.floor(clock.wall(start) / DAY), fits, count: fits.filter(Boolean).length });
  }
  const ranked = [...all].sort((x, y) => y.count - x.count || x.start - y.start);
  const days = new Set<number>();
  const chosen: typeof all = [];
  const overlaps = (x: (typeof all)[number]) => chosen.some((y) => Math.abs(y.start - x.start) < c.length);
  for (const cand of ranked) {
    if (chosen.length >= max) break;
    if (days.has(cand.day) || overlaps(cand)) continue;
    days.add(cand.day);
    chosen.push(cand);
  }
  // A window of fewer days than options (an executive meeting's single day): more times the same
  // day, never overlapping a chosen one, first those that suit a different set of people (a real
  // choice), then any.
  const who = (x: (typeof all)[number]) => x.fits.map((f) => (f ? '1' : '0')).join('');
  for (const distinct of [true, false])
    for (const cand of ranked) {
      if (chosen.length >= max) break;
      if (chosen.includes(cand) || overlaps(cand)) continue;
      if (distinct && chosen.some((y) => who(y) === who(cand))) continue;
      chosen.push(cand);
    }
  return chosen
    .sort((x, y) => x.start - y.start)
    .map((cand, i) => ({
      key: String.fromCharCode(97 + i),
      start: new Date(cand.start),
      end: new Date(cand.start + c.length),
      fits: invitees.filter((_, k) => cand.fits[k]).map((r) => r.id),
      misses: invitees.filter((_, k) => !cand.fits[k]).map((r) => r.id),
    }));
}

/** One member's answer to a time poll: the key of the option they can make. */
export interface PollVote {
  memberId: string;
  option: string;
}

/** Where a time poll stands. */
export interface PollResult {
  /** The chosen option's key; null while a tie waits for the chair. */
  winner: string | null;
  /** Votes per option key (every option, 0 included). */
  counts: Record<string, number>;
  /** The options that share the most votes when more than one does (also when the chair decided). */
  tied: string[];
}

/**
 * The time poll's outcome: the option with the most votes; a tie between the top options goes to
 * `chairChoice` when it is one of them, else it waits for the chair (no votes at all: every option
 * ties). A member's last vote counts; votes for options the poll does not have are ignored.
 */
export function pollResult(options: PollOption[], votes: PollVote[], chairChoice: string | null): PollResult {
  const counts: Record<string, number> = Object.fromEntries(options.map((o) => [o.key, 0]));
  const known = new Set(options.map((o) => o.key));
  const last = new Map<string, string>();
  for (const v of votes) if (known.has(v.option)) last.set(v.memberId, v.option);
  for (const option of last.values()) counts[option] = (counts[option] ?? 0) + 1;
  if (!options.length) return { winner: null, counts, tied: [] };
  const top = Math.max(...options.map((o) => counts[o.key] ?? 0));
  const leaders = options.map((o) => o.key).filter((k) => counts[k] === top);
  if (leaders.length === 1) return { winner: leaders[0]!, counts, tied: [] };
  const winner = chairChoice !== null && leaders.includes(chairChoice) ? chairChoice : null;
  return { winner, counts, tied: leaders };
}
