import { describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { icsFor, type Meeting } from '../../src/domain/meetings.js';

const meeting: Meeting = {
  id: '65a1b2c3d4e5f6a7b8c9d0e1-executive-sop',
  step: 'executive-sop',
  title: 'Executive S&OP 2027-01',
  start: new Date('2027-01-15T14:00:00Z'),
  end: new Date('2027-01-15T15:30:00Z'),
  timezone: 'Europe/Berlin',
  invitees: ['m1', 'm2', 'm3'],
};
const people = [
  { name: 'Ana Exec', email: 'ana@example.com' },
  { name: 'Smith, Jane; CFO', email: 'jane@example.com' },
  { name: 'Zoë Ørsted', email: 'zoe@example.com' },
];
const owner = { name: 'Pat Owner', email: 'pat@example.com' };
const now = new Date('2027-01-04T09:00:00Z');
const description =
  'Müller GmbH: Executive S&OP 2027-01. Times are set in Europe/Berlin; agenda, pack and ballots are in Accord, ' +
  'with notes in 日本語 and emoji 🗓️✅ — and a backslash \\ and commas, semicolons;\nSecond line.';

function parse(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT');
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

describe('icsFor', () => {
  it('writes an invitation calendar apps read back: uid, sequence, times, status, people, reminders', () => {
    const text = icsFor(meeting, people, owner, now, {
      description,
      url: 'https://accord.example.com/orgs/o1/meetings/65a1b2c3d4e5f6a7b8c9d0e1-executive-sop',
    });
    const { calendar, vevent, event } = parse(text);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.uid).toBe('65a1b2c3d4e5f6a7b8c9d0e1-executive-sop@accord');
    expect(event.sequence).toBe(0);
    expect(event.summary).toBe('Executive S&OP 2027-01');
    expect(event.startDate.toJSDate().toISOString()).toBe('2027-01-15T14:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2027-01-15T15:30:00.000Z');
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstPropertyValue('url')).toBe(
      'https://accord.example.com/orgs/o1/meetings/65a1b2c3d4e5f6a7b8c9d0e1-executive-sop',
    );
    expect(event.organizer).toBe('mailto:pat@example.com');
    expect(
      event.attendees.map((a) => [a.getParameter('cn'), a.getFirstValue(), a.getParameter('rsvp')]),
    ).toEqual([
      ['Ana Exec', 'mailto:ana@example.com', 'TRUE'],
      ['Smith, Jane; CFO', 'mailto:jane@example.com', 'TRUE'],
      ['Zoë Ørsted', 'mailto:zoe@example.com', 'TRUE'],
    ]);
    const alarms = vevent.getAllSubcomponents('valarm');
    expect(
      alarms.map((a) => [
        a.getFirstPropertyValue('action'),
        (a.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds(),
      ]),
    ).toEqual([
      ['DISPLAY', -24 * 3600],
      ['DISPLAY', -15 * 60],
    ]);
    expect(alarms.every((a) => a.getFirstPropertyValue('description') === 'Executive S&OP 2027-01')).toBe(
      true,
    );
  });

  it('folds long lines at 75 octets without splitting a character, and the text round-trips', () => {
    const text = icsFor(meeting, people, owner, now, { description });
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true); // the description was folded
    expect(text).not.toContain('\uFFFD');
    expect(parse(text).event.description).toBe(description);
  });

  it('keeps the parameters the first version wrote (an unquoted plain name) and leaves out what is not given', () => {
    const text = icsFor(meeting, people.slice(0, 1), null, now);
    expect(text).toContain('ATTENDEE;CN=Ana Exec;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ana@example.com\r\n');
    expect(text).toContain('SEQUENCE:0\r\n');
    const { vevent, event } = parse(text);
    expect(event.organizer).toBeNull();
    expect(event.description).toBeNull();
    expect(vevent.getFirstPropertyValue('url')).toBeNull();
  });

  it('cancels the same event: method CANCEL, status CANCELLED, same uid, a higher sequence, no reminders', () => {
    const invitation = parse(icsFor(meeting, people, owner, now, { sequence: 1 }));
    const cancellation = parse(
      icsFor(meeting, people, owner, new Date('2027-01-10T09:00:00Z'), { method: 'CANCEL', sequence: 2 }),
    );
    expect(cancellation.calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(cancellation.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancellation.event.uid).toBe(invitation.event.uid);
    expect(cancellation.event.sequence).toBeGreaterThan(invitation.event.sequence);
    expect(cancellation.event.sequence).toBe(2);
    expect(cancellation.event.attendees).toHaveLength(3);
    expect(cancellation.vevent.getAllSubcomponents('valarm')).toEqual([]);
  });

  it('lets no name or address break a line into a property of its own', () => {
    const text = icsFor(
      meeting,
      [{ name: 'Mallory\r\nATTENDEE:mailto:x@evil.example', email: 'm@example.com' }],
      { name: 'Pat "the" Owner', email: 'pat@example.com' },
      now,
      { url: 'https://accord.example.com/a b\r\nX-EVIL:1' },
    );
    const { vevent, event } = parse(text);
    expect(event.attendees.map((a) => a.getParameter('cn'))).toEqual([
      'Mallory  ATTENDEE:mailto:x@evil.example',
    ]);
    expect(vevent.getFirstProperty('organizer')?.getParameter('cn')).toBe("Pat 'the' Owner");
    expect(vevent.getFirstPropertyValue('url')).toBe('https://accord.example.com/abX-EVIL:1');
    expect(vevent.getFirstPropertyValue('x-evil')).toBeNull();
  });

  it('refuses a sequence that is not a whole number of at least 0', () => {
    expect(() => icsFor(meeting, people, owner, now, { sequence: -1 })).toThrow(RangeError);
    expect(() => icsFor(meeting, people, owner, now, { sequence: 1.5 })).toThrow(RangeError);
  });
});
