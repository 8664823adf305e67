import { describe, expect, it } from '@jest/globals';
import {
  composeMinutes,
  meetingKpis,
  minutesSearchText,
  type MeetingKpiInput,
} from '../../src/domain/minutes.js';
import { scriptedMeeting } from '../helpers/scriptedMeeting.js';

describe('composeMinutes', () => {
  const m = composeMinutes(scriptedMeeting);

  it('groups attendance: present, represented with the delegate, absent (nothing recorded), late', () => {
    const names = (ps: { name: string }[]) => ps.map((p) => p.name);
    expect(names(m.attendance.present)).toEqual(['Ada Lovelace', 'Dan Brown', 'Eve Owens']);
    expect(m.attendance.represented).toEqual([
      { id: 'u-ben', name: 'Ben Okri', role: 'executive', delegateName: 'Carla Diaz' },
    ]);
    expect(m.attendance.absent).toEqual([{ id: 'u-fay', name: 'Fay Wray', role: 'functional-leader' }]);
    expect(m.attendance.late).toEqual([
      { id: 'u-dan', name: 'Dan Brown', role: 'executive', arrivedAt: new Date('2027-01-12T15:20:00Z') },
    ]);
  });

  it('records the decision with the vote counts by option and the dissent with its reason', () => {
    const press = m.items[0]!;
    expect(press).toMatchObject({
      position: 1,
      key: 't:press',
      outcome: 'decided',
      timeboxMinutes: 45,
      minutesUsed: 47,
      overTimebox: true,
      recommendation: 'Overtime',
    });
    expect(press.decision).toEqual({
      optionKey: 'overtime',
      optionLabel: 'Overtime',
      rationale: 'Overtime saves most of the margin; the crew agreed.',
      followedRecommendation: true,
      totalVotes: 3,
      votes: [
        { optionKey: 'accept', optionLabel: 'Accept the shortfall', count: 0, voters: [] },
        { optionKey: 'overtime', optionLabel: 'Overtime', count: 2, voters: ['Ada Lovelace', 'Carla Diaz'] },
        { optionKey: 'alternate', optionLabel: 'Alternate sourcing', count: 1, voters: ['Dan Brown'] },
      ],
      dissent: [
        {
          voterName: 'Dan Brown',
          optionKey: 'alternate',
          optionLabel: 'Alternate sourcing',
          reason: "The crew can't take another month of overtime.",
        },
      ],
    });
    expect(press.actions.map((a) => a.ownerName)).toEqual(['Fay Wray', 'Ada Lovelace']);
  });

  it('records the deferral with its new date, and a decision on an item with no options', () => {
    const [, paint, alert] = m.items;
    expect(paint).toMatchObject({
      outcome: 'deferred',
      decision: null,
      deferral: { reason: "waiting for the supplier's answer", until: '2027-02-10' },
      minutesUsed: 13,
      overTimebox: false,
    });
    expect(alert!.decision).toMatchObject({
      optionLabel: 'Expedite by air',
      followedRecommendation: null,
      votes: [
        { optionKey: 'air', optionLabel: 'Expedite by air', count: 2, voters: ['Ada Lovelace', 'Dan Brown'] },
      ],
      dissent: [],
    });
  });

  it('counts the outcomes and compares the duration with the plan', () => {
    expect(m.totals).toEqual({ items: 3, decided: 2, deferred: 1, escalated: 0, notReached: 0, actions: 3 });
    expect(m.duration).toEqual({
      plannedMinutes: 90,
      actualMinutes: 95,
      overrunMinutes: 5,
      timeboxedMinutes: 75,
    });
    expect(m.dropped).toEqual([
      { key: 't:pack', title: 'Packing line', reason: 'Solved by the planners on Monday.' },
    ]);
  });

  it('handles an escalation, an item not reached and a meeting with no recorded times', () => {
    const [first, second] = scriptedMeeting.items;
    const x = composeMinutes({
      ...scriptedMeeting,
      meeting: { ...scriptedMeeting.meeting, startedAt: null, endedAt: null },
      items: [
        {
          ...first!,
          outcome: 'escalated',
          decision: null,
          escalation: { reason: 'Needs the board.', to: 'The board' },
        },
        { ...second!, outcome: 'not-reached', deferral: null, startedAt: null, closedAt: null },
      ],
    });
    expect(x.totals).toMatchObject({ decided: 0, escalated: 1, notReached: 1 });
    expect(x.items[1]).toMatchObject({ minutesUsed: null, overTimebox: false });
    expect(x.duration).toMatchObject({ actualMinutes: null, overrunMinutes: null });
  });

  it('gives one lowercase text to search: titles, options, owners, reasons', () => {
    const text = minutesSearchText(m);
    expect(text).toBe(text.toLowerCase());
    for (const words of [
      'press line 1',
      'alternate sourcing',
      'expedite by air',
      'carla diaz',
      "the crew can't take another month of overtime.",
      "waiting for the supplier's answer",
      '2027-02-10',
      'book the weekend shifts on press line 1',
      'fay wray',
      'solved by the planners on monday.',
      'resin supplier late',
    ])
      expect(text).toContain(words);
    expect(text).not.toMatch(/\n/);
  });
});

describe('meetingKpis', () => {
  const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00Z`);
  const item = (
    day: string,
    timeboxMinutes: number,
    from: string | null,
    to: string | null,
    outcome: MeetingKpiInput['items'][number]['outcome'],
  ) => ({
    timeboxMinutes,
    startedAt: from ? at(day, from) : null,
    closedAt: to ? at(day, to) : null,
    outcome,
  });
  const execs = ['u-ada', 'u-ben', 'u-dan', 'u-gus'];
  const meetings: MeetingKpiInput[] = [
    {
      meetingId: 'm-mar',
      cycleMonth: '2027-03',
      step: 'executive-sop',
      items: [
        item('2027-03-10', 30, '15:05', '15:30', 'decided'),
        item('2027-03-10', 20, '15:30', '15:50', 'decided'),
        item('2027-03-10', 10, '15:50', '16:00', 'decided'),
      ],
      executives: execs,
      attendance: execs.map((memberId) => ({ memberId, status: 'present', late: false })),
    },
    {
      meetingId: 'm-jan',
      cycleMonth: '2027-01',
      step: 'executive-sop',
      items: [
        item('2027-01-12', 45, '15:05', '15:52', 'decided'), // 2 over
        item('2027-01-12', 20, '15:52', '16:30', 'deferred'), // 18 over
        item('2027-01-12', 10, '16:30', '16:44', 'escalated'), // 4 over
        item('2027-01-12', 5, null, null, 'not-reached'),
      ],
      executives: execs,
      attendance: [
        { memberId: 'u-ada', status: 'present', late: false },
        { memberId: 'u-ben', status: 'represented', late: false },
        { memberId: 'u-dan', status: 'present', late: true },
        // u-gus: nothing recorded
        { memberId: 'u-eve', status: 'present', late: true }, // the process owner, late too
      ],
    },
    {
      meetingId: 'm-jan-pre',
      cycleMonth: '2027-01',
      step: 'pre-sop',
      items: [
        item('2027-01-08', 40, '10:00', '10:30', 'decided'),
        item('2027-01-08', 40, '10:30', '11:20', 'decided'),
      ],
      executives: [],
      attendance: [{ memberId: 'u-eve', status: 'present', late: false }],
    },
    {
      meetingId: 'm-feb',
      cycleMonth: '2027-02',
      step: 'executive-sop',
      items: [
        item('2027-02-09', 40, '15:05', '15:45', 'decided'),
        item('2027-02-09', 40, '15:45', '16:30', 'deferred'),
      ],
      executives: execs,
      attendance: [
        { memberId: 'u-ada', status: 'present', late: false },
        { memberId: 'u-ben', status: 'absent', late: false },
        { memberId: 'u-dan', status: 'present', late: false },
        { memberId: 'u-gus', status: 'absent', late: true }, // absent: not a late arrival
      ],
    },
  ];
  const k = meetingKpis(meetings);

  it('measures each meeting', () => {
    expect(k.perMeeting.map((x) => x.meetingId)).toEqual(['m-mar', 'm-jan', 'm-jan-pre', 'm-feb']);
    expect(k.perMeeting[1]).toEqual({
      meetingId: 'm-jan',
      cycleMonth: '2027-01',
      step: 'executive-sop',
      items: 4,
      decided: 1,
      deferred: 1,
      escalated: 1,
      notReached: 1,
      minutesUsed: 47 + 38 + 14,
      minutesPlanned: 80,
      itemsOverTimebox: 3,
      medianOverrunMinutes: 4, // of 2, 18, 4
      executiveAttendance: 0.75,
      lateArrivals: 2,
    });
    expect(k.perMeeting[0]).toMatchObject({
      itemsOverTimebox: 0,
      medianOverrunMinutes: null,
      executiveAttendance: 1,
    });
    expect(k.perMeeting[2]).toMatchObject({
      executiveAttendance: null,
      itemsOverTimebox: 1,
      medianOverrunMinutes: 10,
    });
    expect(k.perMeeting[3]).toMatchObject({
      executiveAttendance: 0.5,
      lateArrivals: 0,
      itemsOverTimebox: 1,
      medianOverrunMinutes: 5,
    });
  });

  it('trends by cycle month: executive attendance (executive meetings only) and share decided (all items)', () => {
    expect(k.trend.executiveAttendance).toEqual([
      { cycleMonth: '2027-01', share: 0.75 },
      { cycleMonth: '2027-02', share: 0.5 },
      { cycleMonth: '2027-03', share: 1 },
    ]);
    expect(k.trend.decidedShare).toEqual([
      { cycleMonth: '2027-01', share: 3 / 6 }, // 1 of 4 in the executive meeting, 2 of 2 in the pre-S&OP
      { cycleMonth: '2027-02', share: 0.5 },
      { cycleMonth: '2027-03', share: 1 },
    ]);
  });

  it('reads nothing from no meetings', () => {
    expect(meetingKpis([])).toEqual({ perMeeting: [], trend: { executiveAttendance: [], decidedShare: [] } });
  });
});
