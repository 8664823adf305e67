import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_CALENDAR,
  addBusinessDays,
  calendarProblems,
  nthBusinessDay,
  stepWindows,
  type WorkCalendar,
} from '../../src/domain/calendar.js';

const berlin: WorkCalendar = { timezone: 'Europe/Berlin', holidays: new Set(), weekend: [6, 7] };

describe('business days', () => {
  it('counts from the first of the month, skipping weekends', () => {
    // March 2027 starts on a Monday.
    expect(nthBusinessDay('2027-03', 1, berlin)).toBe('2027-03-01');
    expect(nthBusinessDay('2027-03', 5, berlin)).toBe('2027-03-05');
    expect(nthBusinessDay('2027-03', 6, berlin)).toBe('2027-03-08');
    // May 2027 starts on a Saturday.
    expect(nthBusinessDay('2027-05', 1, berlin)).toBe('2027-05-03');
  });

  it('skips the org holidays', () => {
    const cal = { ...berlin, holidays: new Set(['2027-01-01', '2027-01-06']) };
    // 1 Jan 2027 is a Friday (holiday), 4 Jan Monday, 6 Jan Wednesday (holiday).
    expect(nthBusinessDay('2027-01', 1, cal)).toBe('2027-01-04');
    expect(nthBusinessDay('2027-01', 3, cal)).toBe('2027-01-07');
  });

  it('carries on into the next month when the count runs past the month end', () => {
    const cal = {
      ...berlin,
      holidays: new Set(['2027-12-24', '2027-12-27', '2027-12-28', '2027-12-29', '2027-12-30', '2027-12-31']),
    };
    expect(nthBusinessDay('2027-12', 18, cal)).toBe('2028-01-03');
  });

  it('honours another weekend (Friday and Saturday)', () => {
    const dubai = { timezone: 'Asia/Dubai', holidays: new Set<string>(), weekend: [5, 6] };
    // 1 Jan 2027 is a Friday: the first business day is Sunday 3 Jan.
    expect(nthBusinessDay('2027-01', 1, dubai)).toBe('2027-01-03');
  });

  it('adds business days', () => {
    expect(addBusinessDays('2027-03-05', 1, berlin)).toBe('2027-03-08');
    expect(addBusinessDays('2027-03-05', 0, berlin)).toBe('2027-03-05');
  });
});

describe('step windows', () => {
  it('puts the default calendar on BD1-3, 3-6, 6-9, 10-12 and 13 at 09:00/17:00 local, stored in UTC', () => {
    const w = stepWindows('2027-03', DEFAULT_CALENDAR, berlin);
    expect(w.map((s) => [s.key, s.opensAt.toISOString(), s.dueAt.toISOString()])).toEqual([
      ['data-gathering', '2027-03-01T08:00:00.000Z', '2027-03-03T16:00:00.000Z'],
      ['demand-planning', '2027-03-03T08:00:00.000Z', '2027-03-08T16:00:00.000Z'],
      ['supply-planning', '2027-03-08T08:00:00.000Z', '2027-03-11T16:00:00.000Z'],
      ['pre-sop', '2027-03-12T08:00:00.000Z', '2027-03-16T16:00:00.000Z'],
      ['executive-sop', '2027-03-17T08:00:00.000Z', '2027-03-17T16:00:00.000Z'],
    ]);
  });

  it('gets the UTC offset right on each side of a daylight-saving change', () => {
    // Europe switches to summer time on Sunday 28 March 2027; the US on Sunday 14 March 2027.
    const cal = { timezone: 'Europe/Berlin', holidays: new Set<string>(), weekend: [6, 7] };
    const march = stepWindows(
      '2027-03',
      {
        ...DEFAULT_CALENDAR,
        steps: DEFAULT_CALENDAR.steps.map((s) => ({
          ...s,
          endDay: s.key === 'executive-sop' ? 21 : s.endDay,
          startDay: s.key === 'executive-sop' ? 13 : s.startDay,
        })),
      },
      cal,
    );
    const exec = march.find((s) => s.key === 'executive-sop')!;
    expect(exec.opensAt.toISOString()).toBe('2027-03-17T08:00:00.000Z'); // CET, UTC+1
    expect(exec.dueAt.toISOString()).toBe('2027-03-29T15:00:00.000Z'); // CEST, UTC+2: BD21 = Mon 29 March
    const ny = stepWindows('2027-03', DEFAULT_CALENDAR, {
      timezone: 'America/New_York',
      holidays: new Set(),
      weekend: [6, 7],
    });
    expect(ny[0]!.opensAt.toISOString()).toBe('2027-03-01T14:00:00.000Z'); // EST, UTC-5
    expect(ny[4]!.opensAt.toISOString()).toBe('2027-03-17T13:00:00.000Z'); // EDT, UTC-4
  });

  it('handles a time zone east of UTC whose local morning is the previous UTC day', () => {
    const w = stepWindows('2027-03', DEFAULT_CALENDAR, {
      timezone: 'Pacific/Auckland',
      holidays: new Set(),
      weekend: [6, 7],
    });
    expect(w[0]!.opensAt.toISOString()).toBe('2027-02-28T20:00:00.000Z'); // 09:00 NZDT (UTC+13) on 1 March
  });

  it('moves every later step when a holiday falls inside the cycle', () => {
    const plain = stepWindows('2027-03', DEFAULT_CALENDAR, berlin);
    const withHoliday = stepWindows('2027-03', DEFAULT_CALENDAR, {
      ...berlin,
      holidays: new Set(['2027-03-02']),
    });
    expect(withHoliday[0]!.opensAt).toEqual(plain[0]!.opensAt);
    expect(withHoliday[0]!.dueAt.toISOString()).toBe('2027-03-04T16:00:00.000Z');
    expect(withHoliday[4]!.opensAt.toISOString()).toBe('2027-03-18T08:00:00.000Z');
  });
});

describe('calendar validation', () => {
  it('accepts the default', () => {
    expect(calendarProblems(DEFAULT_CALENDAR)).toEqual({});
  });
  it('names each problem by field', () => {
    const bad = {
      openTime: '9am',
      dueTime: '17:00',
      steps: [
        { key: 'data-gathering' as const, startDay: 4, endDay: 3 },
        { key: 'demand-planning' as const, startDay: 3, endDay: 6 },
        { key: 'supply-planning' as const, startDay: 6, endDay: 9 },
        { key: 'pre-sop' as const, startDay: 10, endDay: 12 },
        { key: 'pre-sop' as const, startDay: 13, endDay: 13 },
      ],
    };
    const p = calendarProblems(bad);
    expect(p['openTime']).toMatch(/HH:MM/);
    expect(p['steps.0.endDay']).toMatch(/on or after startDay/);
    expect(p['steps.4.key']).toMatch(/twice/);
    expect(p['steps']).toMatch(/executive-sop/);
    expect(p['steps.1.startDay']).toMatch(/must not start before data-gathering/);
  });
});
