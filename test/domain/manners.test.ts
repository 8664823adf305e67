import { describe, expect, it } from '@jest/globals';
import { nextAllowedTime, planReminders } from '../../src/domain/manners.js';

const q = { start: '19:00', end: '08:00' };
const cal = { holidays: new Set<string>(), weekend: [6, 7] };
const iso = (d: Date) => d.toISOString();

describe('nextAllowedTime', () => {
  it('keeps a time inside working hours', () => {
    expect(
      iso(
        nextAllowedTime(new Date('2027-03-03T10:00:00Z'), { timezone: 'Europe/London', quietHours: q }, cal),
      ),
    ).toBe('2027-03-03T10:00:00.000Z');
  });
  it('moves a night-time message to the end of quiet hours, in the recipient zone', () => {
    // 02:00 UTC = 21:00 the day before in New York (EST): next allowed is 08:00 EST = 13:00 UTC.
    expect(
      iso(
        nextAllowedTime(
          new Date('2027-03-03T02:00:00Z'),
          { timezone: 'America/New_York', quietHours: q },
          cal,
        ),
      ),
    ).toBe('2027-03-03T13:00:00.000Z');
    // 03:00 local (Singapore, UTC+8) on a Wednesday: 08:00 local the same day.
    expect(
      iso(
        nextAllowedTime(new Date('2027-03-02T19:00:00Z'), { timezone: 'Asia/Singapore', quietHours: q }, cal),
      ),
    ).toBe('2027-03-03T00:00:00.000Z');
  });
  it('skips weekends and holidays', () => {
    // Friday 5 March 2027 20:00 London -> Monday 8 March 08:00.
    expect(
      iso(
        nextAllowedTime(new Date('2027-03-05T20:00:00Z'), { timezone: 'Europe/London', quietHours: q }, cal),
      ),
    ).toBe('2027-03-08T08:00:00.000Z');
    const withHoliday = { ...cal, holidays: new Set(['2027-03-08']) };
    expect(
      iso(
        nextAllowedTime(
          new Date('2027-03-05T20:00:00Z'),
          { timezone: 'Europe/London', quietHours: q },
          withHoliday,
        ),
      ),
    ).toBe('2027-03-09T08:00:00.000Z');
  });
  it('lands on the right UTC instant across a daylight-saving change', () => {
    // Saturday 27 March 2027 in Berlin -> Monday 29 March 08:00 CEST = 06:00 UTC.
    expect(
      iso(
        nextAllowedTime(new Date('2027-03-27T12:00:00Z'), { timezone: 'Europe/Berlin', quietHours: q }, cal),
      ),
    ).toBe('2027-03-29T06:00:00.000Z');
  });
});

describe('planReminders', () => {
  const r = { timezone: 'Europe/Berlin', quietHours: q };
  it('plans one reminder 24 h before and one on the due day', () => {
    const plan = planReminders(
      { opensAt: new Date('2027-03-01T08:00:00Z'), dueAt: new Date('2027-03-03T16:00:00Z') },
      r,
      cal,
    );
    expect(plan.map((p) => [p.kind, iso(p.at)])).toEqual([
      ['before-due', '2027-03-02T16:00:00.000Z'],
      ['due-day', '2027-03-03T08:00:00.000Z'],
    ]);
  });
  it('moves the 24 h reminder out of the weekend and drops it when it would land on top of the due-day one', () => {
    // Due Monday 8 March 17:00 Berlin; 24 h before is Sunday -> Monday 08:00, which collides with the due-day reminder at 09:00.
    const plan = planReminders(
      { opensAt: new Date('2027-03-03T08:00:00Z'), dueAt: new Date('2027-03-08T16:00:00Z') },
      r,
      cal,
    );
    expect(plan.map((p) => [p.kind, iso(p.at)])).toEqual([['due-day', '2027-03-08T08:00:00.000Z']]);
  });
  it('sends nothing right after the step opened', () => {
    const plan = planReminders(
      { opensAt: new Date('2027-03-17T08:00:00Z'), dueAt: new Date('2027-03-17T16:00:00Z') },
      r,
      cal,
    );
    expect(plan).toEqual([]);
  });
  it('never plans a reminder after the due time (due before the recipient wakes up)', () => {
    // Due 17:00 Berlin = 01:00 Singapore the next day: the due-day reminder at 09:00 SGT would be late.
    const sg = { timezone: 'Asia/Singapore', quietHours: q };
    const plan = planReminders(
      { opensAt: new Date('2027-03-01T08:00:00Z'), dueAt: new Date('2027-03-03T16:00:00Z') },
      sg,
      cal,
    );
    expect(plan.every((p) => p.at.getTime() < new Date('2027-03-03T16:00:00Z').getTime())).toBe(true);
    expect(plan.map((p) => p.kind)).toEqual(['before-due']);
  });
});
