/** Process-health KPIs per cycle, their trend over cycles, and the facts read from the existing measures. */
import { describe, expect, it } from '@jest/globals';
import {
  HEALTH_MEASURES,
  followThroughFacts,
  forecastFacts,
  healthKpis,
  healthTrend,
  meetingFactsOf,
  type CycleFacts,
} from '../../src/domain/health.js';
import { followThrough } from '../../src/domain/meetings.js';
import { valueAdded, scoreFamily } from '../../src/domain/trackRecord.js';
import { cycleFacts, meetingFacts, scriptedCompany } from '../helpers/cycleFacts.js';

describe('healthKpis', () => {
  it('reads one cycle: shares over what fell due, escalations at the pre-S&OP not counted there', () => {
    expect(healthKpis(cycleFacts('2027-04'))).toEqual({
      month: '2027-04',
      inputsOnTime: 1,
      executiveAttendance: 0.8,
      executiveMeetingHeld: true,
      // pre-S&OP: 2 decided (3 escalated go on to the executive meeting); executive: 4 decided, 1 deferred.
      decisionsMadeShare: 6 / 7,
      deferredShare: 1 / 7,
      decisionLatencyHours: 48,
      followThroughOnTime: 1,
      forecastMape: 0.2,
      forecastBias: 0.01,
      fva: [{ function: 'sales', mapeDelta: 0.02 }],
      soeRaised: 5,
      soeAcknowledgedShare: 1,
      soeDecidedShare: 0.4,
    });
  });

  it('counts the inputs late and missing, and the actions late and overdue, against the KPI', () => {
    const k = healthKpis(
      cycleFacts('2027-02', {
        inputs: { onTime: 6, late: 3, missing: 1 },
        actions: { owned: 9, doneOnTime: 3, doneLate: 2, overdue: 1 }, // 3 more not yet due
      }),
    );
    expect(k.inputsOnTime).toBe(0.6);
    expect(k.followThroughOnTime).toBe(0.5);
  });

  it('leaves out meetings not held; an escalation at the executive meeting counts as not decided', () => {
    const k = healthKpis(
      cycleFacts('2027-03', {
        meetings: [
          meetingFacts('pre-sop', { held: false, itemsDecided: 9 }),
          meetingFacts('executive-sop', {
            executivesInvited: 4,
            executivesPresent: 1,
            itemsDecided: 2,
            itemsDeferred: 1,
            itemsEscalated: 1,
          }),
        ],
      }),
    );
    expect(k.executiveAttendance).toBe(0.25);
    expect(k.decisionsMadeShare).toBe(0.5);
    expect(k.deferredShare).toBe(0.25);
  });

  it('is null where nothing fell due, was invited, was taken or was raised', () => {
    const k = healthKpis(
      cycleFacts('2027-01', {
        inputs: { onTime: 0, late: 0, missing: 0 },
        meetings: [meetingFacts('executive-sop', { held: false, executivesInvited: 5 })],
        decisions: { decided: 0, notDecided: 0, medianLatencyHours: null },
        actions: { owned: 2, doneOnTime: 0, doneLate: 0, overdue: 0 },
        forecast: { mape: null, bias: null, valueAdded: [] },
        soe: {
          raised: 0,
          acknowledged: 0,
          decided: 0,
          toAgenda: 0,
          escalated: 0,
          medianHoursToAcknowledge: null,
        },
      }),
    );
    expect(k).toMatchObject({
      inputsOnTime: null,
      executiveAttendance: null,
      executiveMeetingHeld: false,
      decisionsMadeShare: null,
      deferredShare: null,
      decisionLatencyHours: null,
      followThroughOnTime: null,
      forecastMape: null,
      forecastBias: null,
      fva: [],
      soeRaised: 0,
      soeAcknowledgedShare: null,
      soeDecidedShare: null,
    });
  });
});

describe('healthTrend', () => {
  it('keeps each cycle in month order and judges the last against the average of the 3 before it', () => {
    const before = (month: string, o: Partial<CycleFacts> = {}) =>
      cycleFacts(month, {
        inputs: { onTime: 6, late: 2, missing: 2 }, // 60%
        decisions: { decided: 6, notDecided: 0, medianLatencyHours: 100 },
        forecast: { mape: 0.3, bias: 0.08, valueAdded: [] },
        ...o,
      });
    const cycles = [
      // Four cycles before the last: left out (only 3 count), or its 50 alerts would make 5 'better'.
      before('2027-01', {
        soe: {
          raised: 50,
          acknowledged: 50,
          decided: 20,
          toAgenda: 20,
          escalated: 0,
          medianHoursToAcknowledge: 6,
        },
      }),
      before('2027-02'),
      before('2027-03'),
      before('2027-04'),
      cycleFacts('2027-05', {
        inputs: { onTime: 9, late: 1, missing: 0 },
        meetings: [
          meetingFacts('executive-sop', {
            executivesInvited: 5,
            executivesPresent: 2,
            itemsDecided: 3,
            itemsDeferred: 2,
          }),
        ],
        decisions: { decided: 3, notDecided: 0, medianLatencyHours: 30 },
        forecast: { mape: 0.2, bias: -0.02, valueAdded: [] },
        soe: {
          raised: 5,
          acknowledged: 5,
          decided: 2,
          toAgenda: 2,
          escalated: 0,
          medianHoursToAcknowledge: 6,
        },
      }),
    ];
    const t = healthTrend([...cycles].reverse());
    expect(t.cycles.map((k) => k.month)).toEqual(['2027-01', '2027-02', '2027-03', '2027-04', '2027-05']);
    expect(t.direction).toEqual({
      inputsOnTime: 'better', // 90% against 60%
      executiveAttendance: 'worse', // 40% against 80%
      decisionsMadeShare: 'worse', // 60% against 6 of 7
      deferredShare: 'worse', // 40% against 1 of 7: more deferred is worse
      decisionLatencyHours: 'better', // 30 h against 100 h: faster is better
      followThroughOnTime: 'flat',
      forecastMape: 'better', // 20% against 30%: lower is better
      forecastBias: 'better', // -2% against +8%: closer to zero is better, whichever side
      soeRaised: 'flat',
      soeAcknowledgedShare: 'flat',
      soeDecidedShare: 'flat',
    });
  });

  it('reads a small change as flat, a bias that grows on the other side as worse, more alerts as worse', () => {
    const t = healthTrend([
      cycleFacts('2027-01', {
        inputs: { onTime: 80, late: 20, missing: 0 },
        forecast: { mape: 0.2, bias: 0.02, valueAdded: [] },
      }),
      cycleFacts('2027-02', {
        inputs: { onTime: 81, late: 19, missing: 0 }, // +1 point: flat
        forecast: { mape: 0.203, bias: -0.04, valueAdded: [] },
        soe: {
          raised: 9,
          acknowledged: 9,
          decided: 4,
          toAgenda: 4,
          escalated: 0,
          medianHoursToAcknowledge: 6,
        },
      }),
    ]);
    expect(t.direction.inputsOnTime).toBe('flat');
    expect(t.direction.forecastMape).toBe('flat');
    expect(t.direction.forecastBias).toBe('worse');
    expect(t.direction.soeRaised).toBe('worse');
  });

  it('has no direction with one cycle, where the last has no value, or none before it had one', () => {
    expect(Object.values(healthTrend([cycleFacts('2027-01')]).direction).every((d) => d === null)).toBe(true);
    expect(healthTrend([]).cycles).toEqual([]);
    expect(Object.keys(healthTrend([]).direction).sort()).toEqual([...HEALTH_MEASURES].sort());
    const t = healthTrend([
      cycleFacts('2027-01', { forecast: { mape: null, bias: null, valueAdded: [] } }),
      cycleFacts('2027-02', {
        meetings: [meetingFacts('executive-sop', { held: false, executivesInvited: 5 })],
      }),
    ]);
    expect(t.direction.executiveAttendance).toBeNull(); // the last cycle held no executive meeting
    expect(t.direction.forecastMape).toBeNull(); // nothing scored before
    expect(t.direction.inputsOnTime).toBe('flat');
  });

  it('over the scripted company, improves from January to the months after', () => {
    const t = healthTrend(scriptedCompany.slice(0, 4));
    expect(t.direction.inputsOnTime).toBe('better');
    expect(t.direction.followThroughOnTime).toBe('better');
    expect(t.direction.forecastBias).toBe('better');
    expect(t.direction.decisionLatencyHours).toBe('better');
    expect(t.direction.soeAcknowledgedShare).toBeNull(); // no alert before April
  });
});

describe('facts from the existing measures', () => {
  it('reads decisions and actions from followThrough', () => {
    const decidedAt = new Date('2027-03-10T12:00:00Z');
    const f = followThrough({
      decisions: [
        { id: 'd1', cycleId: 'c', status: 'decided', decidedAt, framedAt: new Date('2027-03-08T12:00:00Z') },
        { id: 'd2', cycleId: 'c', status: 'no-quorum', decidedAt, framedAt: null },
      ],
      actions: [
        {
          decisionId: 'd1',
          status: 'done',
          dueDate: '2027-03-20',
          createdAt: decidedAt,
          doneAt: new Date('2027-03-15'),
        },
        {
          decisionId: 'd1',
          status: 'done',
          dueDate: '2027-03-12',
          createdAt: decidedAt,
          doneAt: new Date('2027-03-19'),
        },
        { decisionId: 'd1', status: 'open', dueDate: '2027-03-14', createdAt: decidedAt, doneAt: null },
        { decisionId: 'd1', status: 'open', dueDate: '2027-04-30', createdAt: decidedAt, doneAt: null },
      ],
      dueAt: (d) => new Date(`${d}T17:00:00Z`),
      now: new Date('2027-03-25T00:00:00Z'),
    });
    expect(followThroughFacts(f)).toEqual({
      decisions: { decided: 1, notDecided: 1, medianLatencyHours: 48 },
      actions: { owned: 4, doneOnTime: 1, doneLate: 1, overdue: 1 },
    });
  });

  it('reads a held meeting from what the meeting KPIs read of it', () => {
    const item = (outcome: 'decided' | 'deferred' | 'escalated' | 'not-reached') => ({
      timeboxMinutes: 10,
      startedAt: null,
      closedAt: null,
      outcome,
    });
    expect(
      meetingFactsOf({
        meetingId: 'c-executive-sop',
        cycleMonth: '2027-03',
        step: 'executive-sop',
        items: [item('decided'), item('decided'), item('deferred'), item('escalated'), item('not-reached')],
        executives: ['a', 'b', 'c', 'a'],
        attendance: [
          { memberId: 'a', status: 'present', late: false },
          { memberId: 'b', status: 'represented', late: true },
          { memberId: 'c', status: 'absent', late: false },
        ],
      }),
    ).toEqual({
      step: 'executive-sop',
      held: true,
      executivesInvited: 3,
      executivesPresent: 2,
      itemsDecided: 2,
      itemsDeferred: 1,
      itemsEscalated: 1,
      itemsNotReached: 1,
    });
  });

  it("reads the forecast from the track record, in shares, without the consensus's own row", () => {
    const months = [
      {
        period: '2027-02',
        actual: 100,
        p10: 72,
        p50: 90,
        p90: 108,
        consensus: 100,
        steps: [{ function: 'sales', delta: 10 }],
      },
      {
        period: '2027-03',
        actual: 100,
        p10: 80,
        p50: 100,
        p90: 120,
        consensus: 120,
        steps: [{ function: 'marketing', delta: 20 }],
      },
    ];
    const total = scoreFamily(months, []);
    const f = forecastFacts(total, valueAdded(months));
    expect(f.mape).toBeCloseTo(0.1, 10); // wMAPE: 20 off of 200
    expect(f.bias).toBeCloseTo(0.1, 10); // 220 forecast against 200 shipped
    expect(f.valueAdded.map((v) => v.function)).toEqual(['marketing', 'sales']);
    expect(f.valueAdded[0]!.mapeDelta).toBeCloseTo(-0.2, 10);
    expect(f.valueAdded[1]!.mapeDelta).toBeCloseTo(0.1, 10);
    expect(forecastFacts(null, [])).toEqual({ mape: null, bias: null, valueAdded: [] });
  });
});
