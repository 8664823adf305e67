/**
 * Chat manners: when a message may reach a person, and which reminders they get.
 * A message never lands in the recipient's quiet hours, on their weekend, or on an org holiday
 * (holidays are the org's local dates, checked against the recipient's local date).
 */
import { DateTime } from 'luxon';
import type { QuietHours } from './people.js';
import { minutesOf } from './time.js';

export interface Recipient {
  timezone: string;
  quietHours: QuietHours;
}

export interface Calendar {
  holidays: ReadonlySet<string>;
  weekend: readonly number[];
}

function inQuietHours(minute: number, q: QuietHours): boolean {
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The earliest instant at or after `at` when a message may reach `r`. */
export function nextAllowedTime(at: Date, r: Recipient, cal: Calendar): Date {
  let t = DateTime.fromJSDate(at, { zone: r.timezone });
  // 30 days covers any run of weekends and holidays a sane calendar has; past it, deliver anyway.
  for (let i = 0; i < 60; i++) {
    const date = t.toISODate() as string;
    const restDay = cal.weekend.includes(t.weekday) || cal.holidays.has(date);
    const minute = t.hour * 60 + t.minute;
    if (!restDay && !inQuietHours(minute, r.quietHours)) return t.toJSDate();
    const [eh, em] = r.quietHours.end.split(':').map(Number) as [number, number];
    const endToday = t.set({ hour: eh, minute: em, second: 0, millisecond: 0 });
    // Move to the end of quiet hours today if that is still ahead and the day is a work day,
    // else to the end of quiet hours on the next day.
    t = !restDay && endToday > t ? endToday : endToday.plus({ days: 1 }).set({ hour: eh, minute: em });
  }
  return at;
}

export type ReminderKind = 'before-due' | 'due-day';

export interface ReminderPolicy {
  /** Hours before the due time for the first reminder (0 disables it). */
  hoursBefore: number;
  /** Send a reminder on the due day itself. */
  dueDay: boolean;
  /** Local time for the due-day reminder (moved later if that is in quiet hours). */
  dueDayTime: string;
  /** No reminder within this many hours after the step opened (the opening prompt is enough). */
  quietAfterOpenHours: number;
  /** Two reminders closer than this collapse into the later one. */
  minGapHours: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  hoursBefore: 24,
  dueDay: true,
  dueDayTime: '09:00',
  quietAfterOpenHours: 4,
  minGapHours: 4,
};

export interface PlannedReminder {
  kind: ReminderKind;
  at: Date;
}

const HOUR = 3_600_000;

/** The reminders one person gets for one input, each at a moment they may receive it, before the due time. */
export function planReminders(
  window: { opensAt: Date; dueAt: Date },
  r: Recipient,
  cal: Calendar,
  policy: ReminderPolicy = DEFAULT_REMINDER_POLICY,
): PlannedReminder[] {
  const due = window.dueAt.getTime();
  const earliest = window.opensAt.getTime() + policy.quietAfterOpenHours * HOUR;
  const candidates: PlannedReminder[] = [];
  if (policy.hoursBefore > 0) {
    candidates.push({ kind: 'before-due', at: new Date(due - policy.hoursBefore * HOUR) });
  }
  if (policy.dueDay) {
    const dueLocal = DateTime.fromJSDate(window.dueAt, { zone: r.timezone });
    const [h, m] = policy.dueDayTime.split(':').map(Number) as [number, number];
    candidates.push({
      kind: 'due-day',
      at: dueLocal.set({ hour: h, minute: m, second: 0, millisecond: 0 }).toJSDate(),
    });
  }
  const planned = candidates
    .map((c) => ({ kind: c.kind, at: nextAllowedTime(c.at, r, cal) }))
    .filter((c) => c.at.getTime() >= earliest && c.at.getTime() < due)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // Collapse reminders that would land close together: keep the later (closer to the deadline).
  const out: PlannedReminder[] = [];
  for (const c of planned) {
    const last = out[out.length - 1];
    if (last && c.at.getTime() - last.at.getTime() < policy.minGapHours * HOUR) out.pop();
    out.push(c);
  }
  return out;
}
