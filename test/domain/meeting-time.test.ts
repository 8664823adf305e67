import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { WorkCalendar } from '../../src/domain/calendar.js';
import { nextAllowedTime, type Calendar } from '../../src/domain/manners.js';
import {
  DEFAULT_MEETING_SLOT,
  fitsEveryone,
  fixedSlot,
  meetingSlotProblems,
  meetingSlotSchema,
  pollOptions,
  pollResult,
  proposeSlot,
  type Invitee,
  type PollOption,
} from '../../src/domain/meetingTime.js';

const q = { start: '19:00', end: '08:00' };
const noHolidays: Calendar = { holidays: new Set<string>(), weekend: [6, 7] };
const at = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();
const slotOf = (s: { start: Date; end: Date } | null) => s && [iso(s.start), iso(s.end)];

const ny: Invitee = { id: 'ny', timezone: 'America/New_York', quietHours: q };
const ldn: Invitee = { id: 'ldn', timezone: 'Europe/London', quietHours: q };
const ber: Invitee = { id: 'ber', timezone: 'Europe/Berlin', quietHours: q };
const sgp: Invitee = { id: 'sgp', timezone: 'Asia/Singapore', quietHours: q };
const threeZones = [ny, ldn, ber];

/** Mon 11 Jan 2027 09:00 Berlin to Fri 15 Jan 2027 17:00 Berlin (all three zones on standard time). */
const january = { opensAt: at('2027-01-11T08:00:00Z'), dueAt: at('2027-01-15T16:00:00Z') };

describe('meetingSlotSchema and meetingSlotProblems', () => {
  it('fills what is left out from the default (15:00 on the due day, 90 minutes, fixed)', () => {
    expect(meetingSlotSchema.parse({})).toEqual(DEFAULT_MEETING_SLOT);
    expect(meetingSlotSchema.parse({ day: 2, propose: true })).toEqual({
      ...DEFAULT_MEETING_SLOT,
      day: 2,
      propose: true,
    });
    expect(meetingSlotProblems({ day: -2, time: '09:30', minutes: 45, propose: false })).toEqual({});
  });

  it('names each field that is wrong', () => {
    expect(meetingSlotProblems({ day: 0, time: '25:00', minutes: 92, propose: 'yes' })).toEqual({
      day: 'must not be 0: 1 is the day the step opens, -1 the day it is due',
      time: 'must be HH:MM (24-hour)',
      minutes: 'must be a multiple of 5 minutes',
      propose: 'must be true or false',
    });
    expect(meetingSlotProblems({ day: 11, minutes: 10 })).toEqual({
      day: 'must be between -10 and 10',
      minutes: 'must be at least 15 minutes',
    });
    expect(meetingSlotProblems({ day: 1.5, minutes: 245 })).toEqual({
      day: 'must be a whole number of business days',
      minutes: 'must be at most 240 minutes (4 hours)',
    });
    expect(meetingSlotProblems({ day: '1', time: 900 })).toEqual({
      day: 'must be a whole number of business days',
      time: 'must be HH:MM (24-hour)',
    });
    expect(Object.keys(meetingSlotProblems(null))).toEqual(['slot']);
  });
});

describe('fixedSlot', () => {
  const berlin: WorkCalendar = { timezone: 'Europe/Berlin', holidays: new Set(), weekend: [6, 7] };

  it('by default is 15:00-16:30 local on the due day: the meeting a 17:00 due time always had', () => {
    const slot = fixedSlot(january, DEFAULT_MEETING_SLOT, 'Europe/Berlin', berlin);
    // 90 minutes ending 30 minutes before the 17:00 due time, as meetings were placed before settings.
    expect(slotOf(slot)).toEqual(['2027-01-15T14:00:00.000Z', '2027-01-15T15:30:00.000Z']);
    expect(slot.end.getTime()).toBe(january.dueAt.getTime() - 30 * 60_000);
  });

  it('counts business days from the opening day (day 1) and back from the due day (day -2)', () => {
    const on = (day: number, cal = berlin) =>
      slotOf(fixedSlot(january, { ...DEFAULT_MEETING_SLOT, day }, 'Europe/Berlin', cal));
    expect(on(1)).toEqual(['2027-01-11T14:00:00.000Z', '2027-01-11T15:30:00.000Z']);
    expect(on(2)?.[0]).toBe('2027-01-12T14:00:00.000Z');
    expect(on(-2)?.[0]).toBe('2027-01-14T14:00:00.000Z');
    // A holiday on Thursday: the day before the due day is Wednesday.
    expect(on(-2, { ...berlin, holidays: new Set(['2027-01-14']) })?.[0]).toBe('2027-01-13T14:00:00.000Z');
    // Past either end of the window: its first or last business day.
    expect(on(9)?.[0]).toBe('2027-01-15T14:00:00.000Z');
    expect(on(-10)?.[0]).toBe('2027-01-11T14:00:00.000Z');
  });

  it('skips the weekend inside a window, uses the org zone and its local time across a clock change', () => {
    // Thu 25 Mar to Tue 30 Mar 2027; Berlin moves to summer time on Sunday 28 March.
    const window = { opensAt: at('2027-03-25T08:00:00Z'), dueAt: at('2027-03-30T15:00:00Z') };
    const slot = (day: number, time = '10:00') =>
      slotOf(fixedSlot(window, { day, time, minutes: 60, propose: false }, 'Europe/Berlin', berlin));
    expect(slot(3)).toEqual(['2027-03-29T08:00:00.000Z', '2027-03-29T09:00:00.000Z']); // Mon 10:00 CEST
    expect(slot(-3)).toEqual(['2027-03-26T09:00:00.000Z', '2027-03-26T10:00:00.000Z']); // Fri 10:00 CET
  });

  it('falls back to the due date when the window has no business day', () => {
    const weekend = { opensAt: at('2027-01-16T08:00:00Z'), dueAt: at('2027-01-17T16:00:00Z') };
    expect(iso(fixedSlot(weekend, DEFAULT_MEETING_SLOT, 'Europe/Berlin', berlin).start)).toBe(
      '2027-01-17T14:00:00.000Z',
    );
  });
});

describe('fitsEveryone', () => {
  it('names whoever the slot runs into quiet hours for', () => {
    // 17:30-19:00 UTC on Monday: London 17:30-19:00 (fits, ends as quiet hours begin),
    // Berlin 18:30-20:00 (into quiet hours), New York 12:30-14:00 (fits).
    expect(
      fitsEveryone(
        { start: at('2027-01-11T17:30:00Z'), end: at('2027-01-11T19:00:00Z') },
        threeZones,
        noHolidays,
      ),
    ).toEqual(['ber']);
    // 07:30 London starts in quiet hours; Berlin 08:30 is fine.
    expect(
      fitsEveryone(
        { start: at('2027-01-11T07:30:00Z'), end: at('2027-01-11T08:30:00Z') },
        [ldn, ber],
        noHolidays,
      ),
    ).toEqual(['ldn']);
  });

  it('judges weekends and org holidays on each invitee’s own local date', () => {
    const slot = { start: at('2027-01-11T01:00:00Z'), end: at('2027-01-11T02:00:00Z') };
    // 09:00 Monday in Singapore, 20:00 Sunday in New York.
    expect(fitsEveryone(slot, [sgp, ny], noHolidays)).toEqual(['ny']);
    expect(fitsEveryone(slot, [sgp], { holidays: new Set(['2027-01-11']), weekend: [6, 7] })).toEqual([
      'sgp',
    ]);
    // Friday 17:00-18:00 Singapore is fine; the same hour with a Friday weekend is not.
    const friday = { start: at('2027-01-15T09:00:00Z'), end: at('2027-01-15T10:00:00Z') };
    expect(fitsEveryone(friday, [sgp], noHolidays)).toEqual([]);
    expect(fitsEveryone(friday, [sgp], { holidays: new Set(), weekend: [5, 6] })).toEqual(['sgp']);
  });

  it('lets a slot run across midnight for someone without quiet hours, but not into their weekend', () => {
    const always: Invitee = {
      id: 'always',
      timezone: 'Europe/London',
      quietHours: { start: '00:00', end: '00:00' },
    };
    const overnight = (d: string) => ({
      start: at(`${d}T23:30:00Z`),
      end: at(`${d.slice(0, 8)}${Number(d.slice(8)) + 1}T00:30:00Z`),
    });
    expect(fitsEveryone(overnight('2027-01-12'), [always], noHolidays)).toEqual([]);
    expect(fitsEveryone(overnight('2027-01-15'), [always], noHolidays)).toEqual(['always']);
  });
});

describe('proposeSlot', () => {
  it('finds the earliest 90 minutes New York, London and Berlin share: 08:00 in New York', () => {
    // Working hours in UTC: New York 13:00-24:00, London 08:00-19:00, Berlin 07:00-18:00.
    const slot = proposeSlot(january, 90, threeZones, noHolidays, { notBefore: january.opensAt });
    expect(slotOf(slot)).toEqual(['2027-01-11T13:00:00.000Z', '2027-01-11T14:30:00.000Z']);
    expect(fitsEveryone(slot!, threeZones, noHolidays)).toEqual([]);
  });

  it('starts no earlier than notBefore, on the next quarter hour', () => {
    const slot = proposeSlot(january, 90, threeZones, noHolidays, { notBefore: at('2027-01-12T14:07:00Z') });
    expect(slotOf(slot)).toEqual(['2027-01-12T14:15:00.000Z', '2027-01-12T15:45:00.000Z']);
    const hourly = proposeSlot(january, 90, threeZones, noHolidays, {
      notBefore: at('2027-01-12T14:07:00Z'),
      stepMinutes: 60,
    });
    expect(iso(hourly?.start)).toBe('2027-01-12T15:00:00.000Z');
    // 16:30 leaves 90 minutes before Berlin's 19:00 (18:00 UTC); 16:31 does not: the next day.
    expect(
      iso(proposeSlot(january, 90, threeZones, noHolidays, { notBefore: at('2027-01-12T16:30:00Z') })?.start),
    ).toBe('2027-01-12T16:30:00.000Z');
    expect(
      iso(proposeSlot(january, 90, threeZones, noHolidays, { notBefore: at('2027-01-12T16:31:00Z') })?.start),
    ).toBe('2027-01-13T13:00:00.000Z');
  });

  it('skips an org holiday and the weekend', () => {
    const holiday = { holidays: new Set(['2027-01-11']), weekend: [6, 7] };
    expect(iso(proposeSlot(january, 90, threeZones, holiday, { notBefore: january.opensAt })?.start)).toBe(
      '2027-01-12T13:00:00.000Z',
    );
    // From Friday 8 January 16:45 UTC only 75 shared minutes are left that day: Monday.
    const fromFriday = { opensAt: at('2027-01-08T08:00:00Z'), dueAt: january.dueAt };
    expect(
      iso(
        proposeSlot(fromFriday, 90, threeZones, noHolidays, { notBefore: at('2027-01-08T16:45:00Z') })?.start,
      ),
    ).toBe('2027-01-11T13:00:00.000Z');
  });

  it('ends the meeting dueMarginMinutes before the step is due', () => {
    // Due Monday 14:30 UTC: with the default 30 minutes, 13:00-14:30 is too late.
    const tight = { opensAt: january.opensAt, dueAt: at('2027-01-11T14:30:00Z') };
    expect(proposeSlot(tight, 90, threeZones, noHolidays, { notBefore: tight.opensAt })).toBeNull();
    expect(
      iso(
        proposeSlot(tight, 90, threeZones, noHolidays, { notBefore: tight.opensAt, dueMarginMinutes: 0 })
          ?.end,
      ),
    ).toBe('2027-01-11T14:30:00.000Z');
  });

  it('finds nothing when Singapore joins: its working day ends before New York’s begins', () => {
    expect(
      proposeSlot(january, 90, [...threeZones, sgp], noHolidays, { notBefore: january.opensAt }),
    ).toBeNull();
  });

  it('follows the March 2027 clock changes: the US moves on 14 March, Europe on 28 March', () => {
    const march = (from: string, to: string) => ({ opensAt: at(from), dueAt: at(to) });
    // Before either change: 08:00 New York is 13:00 UTC.
    const before = march('2027-03-08T08:00:00Z', '2027-03-12T16:00:00Z');
    expect(iso(proposeSlot(before, 90, threeZones, noHolidays, { notBefore: before.opensAt })?.start)).toBe(
      '2027-03-08T13:00:00.000Z',
    );
    // New York on summer time, London and Berlin not yet: 08:00 New York is 12:00 UTC (13:00 Berlin).
    const between = march('2027-03-12T08:00:00Z', '2027-03-19T16:00:00Z');
    expect(
      slotOf(proposeSlot(between, 90, threeZones, noHolidays, { notBefore: at('2027-03-12T17:00:00Z') })),
    ).toEqual(['2027-03-15T12:00:00.000Z', '2027-03-15T13:30:00.000Z']);
    // The shared time still ends at 18:00 UTC (19:00 Berlin, winter time).
    expect(
      iso(proposeSlot(between, 90, threeZones, noHolidays, { notBefore: at('2027-03-15T16:31:00Z') })?.start),
    ).toBe('2027-03-16T12:00:00.000Z');
    // All on summer time: Berlin's day ends at 17:00 UTC.
    const after = march('2027-03-29T07:00:00Z', '2027-04-02T15:00:00Z');
    expect(
      iso(proposeSlot(after, 90, threeZones, noHolidays, { notBefore: at('2027-03-29T15:31:00Z') })?.start),
    ).toBe('2027-03-30T12:00:00.000Z');
  });

  it('with nobody to suit, takes the first aligned start', () => {
    expect(
      iso(proposeSlot(january, 30, [], noHolidays, { notBefore: at('2027-01-11T08:01:00Z') })?.start),
    ).toBe('2027-01-11T08:15:00.000Z');
  });

  it('refuses a meeting without length and a step of 0 minutes', () => {
    expect(() => proposeSlot(january, 0, threeZones, noHolidays, { notBefore: january.opensAt })).toThrow(
      RangeError,
    );
    expect(() =>
      proposeSlot(january, 90, threeZones, noHolidays, { notBefore: january.opensAt, stepMinutes: 0 }),
    ).toThrow(RangeError);
  });
});

describe('pollOptions', () => {
  const everyone = [...threeZones, sgp];

  it('offers the slots that suit the most people, one a day, in time order', () => {
    // Three of four is the most: London, Berlin and Singapore share 08:00-11:00 UTC; New York,
    // London and Berlin 13:00-18:00 UTC. From Monday 10:00 UTC the first is gone on Monday.
    const options = pollOptions(january, 90, everyone, noHolidays, {
      notBefore: at('2027-01-11T10:00:00Z'),
      zone: 'Europe/Berlin',
    });
    expect(options.map((o) => [o.key, iso(o.start), iso(o.end), o.fits, o.misses])).toEqual([
      ['a', '2027-01-11T13:00:00.000Z', '2027-01-11T14:30:00.000Z', ['ny', 'ldn', 'ber'], ['sgp']],
      ['b', '2027-01-12T08:00:00.000Z', '2027-01-12T09:30:00.000Z', ['ldn', 'ber', 'sgp'], ['ny']],
      ['c', '2027-01-13T08:00:00.000Z', '2027-01-13T09:30:00.000Z', ['ldn', 'ber', 'sgp'], ['ny']],
    ]);
    for (const o of options) expect(fitsEveryone(o, everyone, noHolidays)).toEqual(o.misses);
  });

  it('gives up to max options, and the slot that suits everyone first when there is one', () => {
    const four = pollOptions(january, 90, everyone, noHolidays, { notBefore: january.opensAt, max: 4 });
    expect(four.map((o) => o.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(four.map((o) => iso(o.start))).toEqual([
      '2027-01-11T08:00:00.000Z',
      '2027-01-12T08:00:00.000Z',
      '2027-01-13T08:00:00.000Z',
      '2027-01-14T08:00:00.000Z',
    ]);
    const agreed = pollOptions(january, 90, threeZones, noHolidays, { notBefore: january.opensAt, max: 1 });
    expect(agreed.map((o) => [iso(o.start), o.misses])).toEqual([['2027-01-11T13:00:00.000Z', []]]);
  });

  it('offers several times on the one day of a short window, suiting different people first', () => {
    // An executive meeting's single day (09:00-17:00 London, due margin 30 minutes).
    const day = { opensAt: at('2027-01-13T09:00:00Z'), dueAt: at('2027-01-13T17:00:00Z') };
    const options = pollOptions(day, 90, everyone, noHolidays, {
      notBefore: day.opensAt,
      zone: 'Europe/London',
    });
    expect(options.map((o) => [iso(o.start), o.misses])).toEqual([
      ['2027-01-13T09:00:00.000Z', ['ny']],
      ['2027-01-13T10:30:00.000Z', ['ny', 'sgp']],
      ['2027-01-13T13:00:00.000Z', ['sgp']],
    ]);
  });

  it('counts days in the zone given: without it, UTC days', () => {
    // Working 14:00-18:00 UTC; a Singapore day begins at 16:00 UTC.
    const a: Invitee = { id: 'a', timezone: 'UTC', quietHours: { start: '18:00', end: '14:00' } };
    const starts = (zone?: string) =>
      pollOptions(january, 60, [a], noHolidays, {
        notBefore: january.opensAt,
        max: 2,
        ...(zone ? { zone } : {}),
      }).map((o) => iso(o.start));
    expect(starts()).toEqual(['2027-01-11T14:00:00.000Z', '2027-01-12T14:00:00.000Z']);
    // 22:00 Monday and 00:00 Tuesday in Singapore.
    expect(starts('Asia/Singapore')).toEqual(['2027-01-11T14:00:00.000Z', '2027-01-11T16:00:00.000Z']);
  });

  it('is empty only when the window has no room for the meeting at all', () => {
    const nobody: Invitee = { id: 'x', timezone: 'UTC', quietHours: { start: '00:01', end: '23:59' } };
    const options = pollOptions(january, 90, [nobody], noHolidays, { notBefore: january.opensAt });
    expect(options).toHaveLength(3);
    expect(options.every((o) => o.fits.length === 0)).toBe(true);
    const short = { opensAt: at('2027-01-11T08:00:00Z'), dueAt: at('2027-01-11T09:30:00Z') };
    expect(pollOptions(short, 90, threeZones, noHolidays, { notBefore: short.opensAt })).toEqual([]);
  });
});

describe('pollResult', () => {
  const option = (key: string): PollOption => ({
    key,
    start: at('2027-01-11T13:00:00Z'),
    end: at('2027-01-11T14:30:00Z'),
    fits: [],
    misses: [],
  });
  const options = ['a', 'b', 'c'].map(option);

  it('picks the option with the most votes, one vote a member (the last), unknown options ignored', () => {
    expect(
      pollResult(
        options,
        [
          { memberId: 'm1', option: 'a' },
          { memberId: 'm2', option: 'b' },
          { memberId: 'm3', option: 'b' },
          { memberId: 'm2', option: 'a' },
          { memberId: 'm4', option: 'z' },
          { memberId: 'm1', option: 'z' },
        ],
        null,
      ),
    ).toEqual({ winner: 'a', counts: { a: 2, b: 1, c: 0 }, tied: [] });
  });

  it('leaves a tie to the chair, who decides it by choosing one of the tied options', () => {
    const votes = [
      { memberId: 'm1', option: 'a' },
      { memberId: 'm2', option: 'c' },
    ];
    expect(pollResult(options, votes, null)).toEqual({
      winner: null,
      counts: { a: 1, b: 0, c: 1 },
      tied: ['a', 'c'],
    });
    expect(pollResult(options, votes, 'b')).toEqual({
      winner: null,
      counts: { a: 1, b: 0, c: 1 },
      tied: ['a', 'c'],
    });
    expect(pollResult(options, votes, 'c')).toEqual({
      winner: 'c',
      counts: { a: 1, b: 0, c: 1 },
      tied: ['a', 'c'],
    });
  });

  it('without votes, every option ties and the chair decides', () => {
    expect(pollResult(options, [], null)).toEqual({
      winner: null,
      counts: { a: 0, b: 0, c: 0 },
      tied: ['a', 'b', 'c'],
    });
    expect(pollResult(options, [], 'b').winner).toBe('b');
    expect(pollResult([], [{ memberId: 'm1', option: 'a' }], 'a')).toEqual({
      winner: null,
      counts: {},
      tied: [],
    });
  });
});

describe('properties', () => {
  const zones = [
    'America/New_York',
    'America/Los_Angeles',
    'America/Sao_Paulo',
    'Europe/London',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Asia/Singapore',
    'Australia/Sydney',
    'Australia/Adelaide',
    'America/Santiago',
  ];
  // Quiet-hour edges on quarter hours from 04:00 (clock changes in these zones happen before 04:00).
  const hhmm = fc
    .integer({ min: 16, max: 95 })
    .map((n) => `${String(Math.floor(n / 4)).padStart(2, '0')}:${String((n % 4) * 15).padStart(2, '0')}`);
  const invitee = fc.record({
    id: fc.uuid(),
    timezone: fc.constantFrom(...zones),
    quietHours: fc.record({ start: hhmm, end: hhmm }),
  });
  const quarter = 15 * 60_000;
  const calendar = fc
    .record({
      holidays: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
      weekend: fc.constantFrom([6, 7], [5, 6], [7], []),
    })
    .map(({ holidays, weekend }) => ({
      holidays: new Set(holidays.map((d) => new Date(Date.UTC(2027, 2, 10 + d)).toISOString().slice(0, 10))),
      weekend,
    }));
  // Windows from 10 March 2027: the US, European, Australian and Chilean clock changes (14 March,
  // 28 March, 4 April) fall inside some of them.
  const start0 = Date.UTC(2027, 2, 10);

  it('a proposed slot suits everyone and no earlier aligned slot in the window does', () => {
    fc.assert(
      fc.property(
        fc.array(invitee, { minLength: 1, maxLength: 4 }),
        calendar,
        fc.integer({ min: 0, max: 28 * 24 * 60 }),
        fc.integer({ min: 6 * 60, max: 5 * 24 * 60 }),
        fc.integer({ min: 0, max: 24 * 60 }),
        fc.integer({ min: 3, max: 48 }).map((n) => n * 5),
        fc.constantFrom(15, 30, 60),
        fc.integer({ min: 0, max: 60 }),
        (people, cal, openMinute, lengthMinutes, waitMinutes, minutes, stepMinutes, dueMarginMinutes) => {
          const window = {
            opensAt: new Date(start0 + openMinute * 60_000),
            dueAt: new Date(start0 + (openMinute + lengthMinutes) * 60_000),
          };
          const notBefore = new Date(window.opensAt.getTime() + waitMinutes * 60_000);
          const slot = proposeSlot(window, minutes, people, cal, {
            notBefore,
            stepMinutes,
            dueMarginMinutes,
          });
          const step = stepMinutes * 60_000;
          const from = Math.ceil(notBefore.getTime() / step) * step;
          const latestEnd = window.dueAt.getTime() - dueMarginMinutes * 60_000;
          const until = slot ? slot.start.getTime() : latestEnd;
          for (let s = from; s < until && s + minutes * 60_000 <= latestEnd; s += step) {
            const earlier = { start: new Date(s), end: new Date(s + minutes * 60_000) };
            expect(fitsEveryone(earlier, people, cal)).not.toEqual([]);
          }
          if (slot) {
            expect(fitsEveryone(slot, people, cal)).toEqual([]);
            expect(slot.start.getTime() % step).toBe(0);
            expect(slot.start.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
            expect(slot.end.getTime() - slot.start.getTime()).toBe(minutes * 60_000);
            expect(slot.end.getTime()).toBeLessThanOrEqual(latestEnd);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fitsEveryone agrees with the manners rule (nextAllowedTime) at every quarter hour of the slot', () => {
    fc.assert(
      fc.property(
        invitee,
        calendar,
        fc.integer({ min: 0, max: 30 * 96 }),
        fc.integer({ min: 1, max: 16 }),
        (person, cal, startQuarter, quarters) => {
          const start = start0 + startQuarter * quarter;
          const slot = { start: new Date(start), end: new Date(start + quarters * quarter) };
          let fits = true;
          for (let t = start; t < slot.end.getTime(); t += quarter) {
            if (nextAllowedTime(new Date(t), person, cal).getTime() !== t) fits = false;
          }
          expect(fitsEveryone(slot, [person], cal)).toEqual(fits ? [] : [person.id]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('poll options agree with fitsEveryone, never overlap, and lead with what proposeSlot finds', () => {
    fc.assert(
      fc.property(
        fc.array(invitee, { minLength: 1, maxLength: 4 }),
        calendar,
        fc.integer({ min: 0, max: 28 * 24 * 60 }),
        fc.integer({ min: 6 * 60, max: 4 * 24 * 60 }),
        fc.integer({ min: 1, max: 6 }).map((n) => n * 30),
        fc.integer({ min: 1, max: 5 }),
        (people, cal, openMinute, lengthMinutes, minutes, max) => {
          const window = {
            opensAt: new Date(start0 + openMinute * 60_000),
            dueAt: new Date(start0 + (openMinute + lengthMinutes) * 60_000),
          };
          const opts = { notBefore: window.opensAt, stepMinutes: 30, max };
          const options = pollOptions(window, minutes, people, cal, opts);
          const best = (o: { fits: string[] }) => o.fits.length;
          let most = -1;
          const half = 30 * 60_000;
          for (let s = Math.ceil(window.opensAt.getTime() / half) * half; ; s += half) {
            const slot = { start: new Date(s), end: new Date(s + minutes * 60_000) };
            if (slot.end.getTime() > window.dueAt.getTime() - 30 * 60_000) break;
            most = Math.max(most, people.length - fitsEveryone(slot, people, cal).length);
          }
          if (most < 0) expect(options).toEqual([]);
          else expect(Math.max(...options.map(best))).toBe(most);
          expect(options.length).toBeLessThanOrEqual(max);
          expect(options.map((o) => o.key)).toEqual('abcde'.slice(0, options.length).split(''));
          // Never two options at overlapping times (a day may hold more than one when the window
          // has fewer days than options).
          for (const x of options)
            for (const y of options) if (x !== y) expect(x.end <= y.start || y.end <= x.start).toBe(true);
          options.forEach((o, i) => {
            if (i > 0) expect(o.start.getTime()).toBeGreaterThan(options[i - 1]!.start.getTime());
            expect(o.misses).toEqual(fitsEveryone(o, people, cal));
            expect([...o.fits, ...o.misses].sort()).toEqual(people.map((p) => p.id).sort());
          });
          const proposed = proposeSlot(window, minutes, people, cal, opts);
          if (proposed) expect(options.map((o) => o.start.getTime())).toContain(proposed.start.getTime());
        },
      ),
      { numRuns: 60 },
    );
  });
});
