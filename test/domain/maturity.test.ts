/** The S&OP maturity stage, estimated from the cycles' observed behaviour, with evidence and next steps. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CycleFacts } from '../../src/domain/health.js';
import {
  MATURITY_STAGES,
  MATURITY_THRESHOLDS,
  maturityStage,
  type Maturity,
} from '../../src/domain/maturity.js';
import { cycleFacts, meetingFacts, reacting, scriptedCompany } from '../helpers/cycleFacts.js';

const evidence = (m: Maturity) => Object.fromEntries(m.criteria.map((c) => [c.key, c.evidence]));
const unmet = (m: Maturity) => m.criteria.filter((c) => !c.met).map((c) => c.key);

describe('maturityStage: the scripted company', () => {
  const upTo = (n: number) => maturityStage(scriptedCompany.slice(0, n));

  it('moves from reacting to collaborating to orchestrating to enabling as its behaviour changes', () => {
    expect(scriptedCompany.map((_, i) => upTo(i + 1).stage)).toEqual([1, 1, 3, 3, 4, 4, 5]);
    expect(scriptedCompany.map((_, i) => upTo(i + 1).name)).toEqual([
      'Reacting',
      'Reacting',
      'Collaborating',
      'Collaborating',
      'Orchestrating',
      'Orchestrating',
      'Enabling',
    ]);
    expect(upTo(7).basedOnCycles).toBe(6); // only the last 6 are read
    expect(upTo(2).basedOnCycles).toBe(2);
  });

  it('after two cycles stays reacting: the pack came from the dataset in only 1 of 2 cycles', () => {
    const m = upTo(2);
    expect(unmet(m)).toContain('statistical-baseline');
    expect(evidence(m)['statistical-baseline']).toBe(
      'The pack was built from the uploaded dataset, with its statistical baseline, before the meeting in 1 of the last 2 cycles.',
    );
    expect(evidence(m)['executive-meeting-held']).toBe(
      'The executive S&OP meeting was held in 1 of the last 2 cycles.',
    );
  });

  it('gives each criterion its exact evidence, after six cycles', () => {
    const m = upTo(6);
    expect(m.criteria.map((c) => [c.key, c.stage, c.met])).toEqual([
      ['statistical-baseline', 2, true],
      ['inputs-on-time', 2, true],
      ['executive-meeting-held', 3, true],
      ['executives-attend', 3, true],
      ['decisions-made', 3, true],
      ['follow-through', 4, true],
      ['decision-latency', 4, true],
      ['soe-acknowledged', 4, true],
      ['soe-acted-on', 4, true],
      ['forecast-bias', 4, true],
      ['fva-positive', 5, true],
      ['soe-fast', 5, true],
      ['consistency', 5, false],
    ]);
    expect(evidence(m)).toEqual({
      'statistical-baseline':
        'The pack was built from the uploaded dataset, with its statistical baseline, before the meeting in 5 of the last 6 cycles.',
      'inputs-on-time': '87% of the inputs due in the last 6 cycles arrived on time (52 of 60).',
      'executive-meeting-held': 'The executive S&OP meeting was held in 5 of the last 6 cycles.',
      'executives-attend':
        'Executives attended 5 of the last 6 executive meetings (at least 60% of them present or represented).',
      'decisions-made':
        '79% of the items taken into the S&OP meetings in the last 6 cycles were decided (31 of 39).',
      'follow-through': '80% of the actions that fell due in the last 6 cycles were done on time (16 of 20).',
      'decision-latency':
        'Decisions came a median of 2 days after their pack was built, over the last 6 cycles.',
      'soe-acknowledged': '100% of the S&OE alerts raised in the last 6 cycles were acknowledged (all 15).',
      'soe-acted-on':
        '80% of the S&OE alerts raised in the last 6 cycles were decided or sent to the pre-S&OP agenda (12 of 15).',
      'forecast-bias': 'Forecast bias averaged +3.8% (over-forecast) over 5 of the last 6 cycles.',
      'fva-positive': "Over the last 6 cycles, sales improved the forecast's MAPE by 0.8 points.",
      'soe-fast':
        'S&OE alerts were answered a median of 6 hours after they were raised, over the last 6 cycles.',
      consistency:
        '5 of the last 6 cycles ran in full: inputs mostly on time, executives at the executive meeting, and most items decided.',
    });
    expect(m.nextSteps).toEqual([
      'Run every cycle in full for 6 months in a row (5 of the last 6 did): inputs on time, executives present, most items decided.',
    ]);
  });

  it('at collaborating, points at the unmet criteria of orchestrating: follow-through, then bias', () => {
    const m = upTo(4);
    expect(m.stage).toBe(3);
    expect(unmet(m)).toEqual(['follow-through', 'forecast-bias', 'fva-positive', 'consistency']);
    expect(evidence(m)['follow-through']).toBe(
      '67% of the actions that fell due in the last 4 cycles were done on time (8 of 12).',
    );
    expect(evidence(m)['forecast-bias']).toBe(
      'Forecast bias averaged +5.7% (over-forecast) over 3 of the last 4 cycles.',
    );
    expect(m.nextSteps).toEqual([
      'Get at least 75% of the actions done by their due date (67% were): give each decision an owner and a due date, and review the overdue ones at the next pre-S&OP.',
      'Bring the forecast bias within ±5% (it averaged +5.7%): review at each pre-S&OP the adjustments that raise the statistical forecast, function by function.',
    ]);
  });

  it('at enabling, has every criterion met and no next step', () => {
    const m = upTo(7);
    expect(unmet(m)).toEqual([]);
    expect(m.nextSteps).toEqual([]);
    expect(evidence(m)['consistency']).toBe(
      'All of the last 6 cycles ran in full: inputs mostly on time, executives at the executive meeting, and most items decided.',
    );
  });

  it('reads the cycles in month order, whatever order they come in', () => {
    const shuffled = [...scriptedCompany.slice(0, 6)].reverse();
    expect(maturityStage(shuffled)).toEqual(upTo(6));
  });
});

describe('maturityStage: small numbers and edges', () => {
  it('with no cycle, is stage 1 with "not enough cycles observed" for every criterion', () => {
    const m = maturityStage([]);
    expect(m.stage).toBe(1);
    expect(m.name).toBe('Reacting');
    expect(m.basedOnCycles).toBe(0);
    expect(m.criteria).toHaveLength(13);
    for (const c of m.criteria) {
      expect(c.met).toBe(false);
      expect(c.evidence).toBe('Not enough cycles observed: no cycle has run yet.');
    }
    expect(m.nextSteps).toEqual([
      "Upload the month's dataset and build the pack from it, with its statistical baseline, before every meeting, instead of bringing spreadsheets.",
      "Get at least 70% of the inputs in by their due date: ask each function for its inputs at the step's opening and chase the missing ones before it closes.",
    ]);
  });

  it('with one reacting cycle, says "0 of 1" and "the last cycle", and what is missing', () => {
    const m = maturityStage([reacting('2027-01')]);
    expect(m.stage).toBe(1);
    expect(m.basedOnCycles).toBe(1);
    expect(evidence(m)).toEqual({
      'statistical-baseline':
        'The pack was built from the uploaded dataset, with its statistical baseline, before the meeting in 0 of 1 cycle.',
      'inputs-on-time': '20% of the inputs due in the last cycle arrived on time (2 of 10).',
      'executive-meeting-held': 'The executive S&OP meeting was held in 0 of 1 cycle.',
      'executives-attend':
        'Executives attended 0 of 1 executive meeting (at least 60% of them present or represented).',
      'decisions-made':
        '25% of the items taken into the S&OP meetings in the last cycle were decided (1 of 4).',
      'follow-through': 'No action fell due in the last cycle.',
      'decision-latency': "No decision on a pack's trade-off was recorded in the last cycle.",
      'soe-acknowledged':
        'No S&OE alert was raised in the last cycle, so the loop between the meetings is not observed.',
      'soe-acted-on':
        'No S&OE alert was raised in the last cycle, so the loop between the meetings is not observed.',
      'forecast-bias':
        'Forecast bias was not measured in the last cycle: no actuals have scored the packs yet.',
      'fva-positive': "No function's forecast value added was measured in the last cycle.",
      'soe-fast': 'No S&OE alert was answered in the last cycle.',
      consistency: 'Only 1 cycle was observed; consistency needs at least 6.',
    });
    expect(m.nextSteps[1]).toBe(
      "Get at least 70% of the inputs in by their due date (20% were on time): ask each function for its inputs at the step's opening and chase the missing ones before it closes.",
    );
  });

  it('with one good cycle, says "1 of 1" and reaches orchestrating on it', () => {
    const m = maturityStage([cycleFacts('2027-01')]);
    expect(m.stage).toBe(4);
    expect(evidence(m)['executives-attend']).toBe(
      'Executives attended 1 of 1 executive meeting (at least 60% of them present or represented).',
    );
    expect(evidence(m)['inputs-on-time']).toBe(
      '100% of the inputs due in the last cycle arrived on time (all 10).',
    );
    expect(evidence(m)['forecast-bias']).toBe(
      'Forecast bias averaged +1% (over-forecast) over the last cycle.',
    );
    expect(evidence(m)['consistency']).toBe('Only 1 cycle was observed; consistency needs at least 6.');
  });

  it('says "none of the last 3" and "(none of n)"', () => {
    const cycles = ['2027-01', '2027-02', '2027-03'].map((month) =>
      cycleFacts(month, {
        inputs: { onTime: 0, late: 1, missing: 0 },
        meetings: [meetingFacts('executive-sop', { held: false, executivesInvited: 4 })],
      }),
    );
    const m = maturityStage(cycles);
    expect(evidence(m)['executive-meeting-held']).toBe(
      'The executive S&OP meeting was held in none of the last 3 cycles.',
    );
    expect(evidence(m)['executives-attend']).toBe(
      'Executives attended none of the last 3 executive meetings (at least 60% of them present or represented).',
    );
    expect(evidence(m)['inputs-on-time']).toBe(
      '0% of the inputs due in the last 3 cycles arrived on time (none of 3).',
    );
    expect(evidence(m)['decisions-made']).toBe(
      'No item was taken into an S&OP meeting in the last 3 cycles.',
    );
  });

  it('stays at stage 1 when stage 2 is unmet, however well the later stages do', () => {
    const spreadsheets = ['2027-01', '2027-02', '2027-03'].map((month) =>
      cycleFacts(month, { dataFromOneSource: false }),
    );
    const m = maturityStage(spreadsheets);
    expect(unmet(m)).toEqual(['statistical-baseline', 'consistency']);
    expect(m.stage).toBe(1);
    expect(m.nextSteps).toEqual([
      "Upload the month's dataset and build the pack from it, with its statistical baseline, before every meeting, instead of bringing spreadsheets.",
    ]);
  });

  it('counts an executive meeting as attended only at 60% of its executives present or represented', () => {
    const at = (present: number) =>
      maturityStage([
        cycleFacts('2027-01', {
          meetings: [
            meetingFacts('executive-sop', {
              executivesInvited: 5,
              executivesPresent: present,
              itemsDecided: 3,
            }),
          ],
        }),
      ]).criteria.find((c) => c.key === 'executives-attend')!.met;
    expect(at(2)).toBe(false);
    expect(at(3)).toBe(true);
  });

  it('names the functions whose adjustments hurt, under-forecast bias, and slow answers, in the evidence and steps', () => {
    const cycles = ['2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06'].map((month) =>
      cycleFacts(month, {
        forecast: {
          mape: 0.2,
          bias: -0.03,
          valueAdded: [
            { function: 'sales', mapeDelta: 0.021 },
            { function: 'marketing', mapeDelta: -0.015 },
            { function: 'finance', mapeDelta: 0 },
          ],
        },
        soe: {
          raised: 4,
          acknowledged: 4,
          decided: 2,
          toAgenda: 1,
          escalated: 1,
          medianHoursToAcknowledge: 40,
        },
      }),
    );
    const m = maturityStage(cycles);
    expect(m.stage).toBe(4);
    expect(evidence(m)['fva-positive']).toBe(
      "Over the last 6 cycles, finance left the forecast's MAPE unchanged, marketing worsened it by 1.5 points and sales improved it by 2.1 points.",
    );
    expect(evidence(m)['forecast-bias']).toBe(
      'Forecast bias averaged -3% (under-forecast) over the last 6 cycles.',
    );
    expect(evidence(m)['soe-fast']).toBe(
      'S&OE alerts were answered a median of 40 hours after they were raised, over the last 6 cycles.',
    );
    expect(m.nextSteps).toEqual([
      'Stop or rework the forecast adjustments of finance and marketing, which did not improve on the statistical forecast: keep only adjustments backed by known events.',
      'Answer S&OE alerts within a day (the median was 40 hours): name a back-up owner for each function so that no alert waits for one person.',
    ]);
  });

  it('holds its thresholds as documented constants', () => {
    expect(MATURITY_THRESHOLDS).toMatchObject({
      window: 6,
      inputsOnTime: 0.7,
      executiveAttendance: 0.6,
      decidedShare: 0.6,
      followThroughOnTime: 0.75,
      decisionLatencyHours: 168,
      soeAcknowledged: 0.8,
      forecastBias: 0.05,
      soeAcknowledgeHours: 24,
      consistentCycles: 6,
    });
    expect(Object.values(MATURITY_STAGES).map((s) => s.name)).toEqual([
      'Reacting',
      'Anticipating',
      'Collaborating',
      'Orchestrating',
      'Enabling',
    ]);
  });
});

describe('maturityStage: properties', () => {
  const share = fc.integer({ min: 0, max: 10 });
  const arbCycle = (month: string) =>
    fc
      .record({
        onTime: share,
        late: share,
        missing: share,
        held: fc.boolean(),
        present: fc.integer({ min: 0, max: 5 }),
        decided: share,
        deferred: share,
        doneOnTime: share,
        doneLate: share,
        latency: fc.option(fc.integer({ min: 0, max: 400 })),
        bias: fc.option(fc.double({ min: -0.2, max: 0.2, noNaN: true })),
        fva: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        raised: share,
        acknowledged: share,
        ackHours: fc.option(fc.integer({ min: 0, max: 100 })),
        pack: fc.boolean(),
      })
      .map((r): CycleFacts =>
        cycleFacts(month, {
          inputs: { onTime: r.onTime, late: r.late, missing: r.missing },
          meetings: [
            meetingFacts('executive-sop', {
              held: r.held,
              executivesInvited: 5,
              executivesPresent: r.present,
              itemsDecided: r.decided,
              itemsDeferred: r.deferred,
            }),
          ],
          decisions: { decided: r.decided, notDecided: 0, medianLatencyHours: r.latency },
          actions: {
            owned: r.doneOnTime + r.doneLate,
            doneOnTime: r.doneOnTime,
            doneLate: r.doneLate,
            overdue: 0,
          },
          forecast: { mape: 0.2, bias: r.bias, valueAdded: [{ function: 'sales', mapeDelta: r.fva }] },
          soe: {
            raised: r.raised,
            acknowledged: Math.min(r.acknowledged, r.raised),
            decided: 0,
            toAgenda: Math.min(r.acknowledged, r.raised),
            escalated: 0,
            medianHoursToAcknowledge: r.raised ? r.ackHours : null,
          },
          packBuiltBeforeMeeting: r.pack,
          dataFromOneSource: true,
        }),
      );
  const company = fc
    .integer({ min: 0, max: 8 })
    .chain((n) =>
      fc.tuple(...Array.from({ length: n }, (_, i) => arbCycle(`2027-${String(i + 1).padStart(2, '0')}`))),
    );

  it('is the highest stage whose criteria and all lower ones are met; steps come from the stage above', () => {
    fc.assert(
      fc.property(company, (cycles) => {
        const m = maturityStage(cycles);
        for (const c of m.criteria) if (c.stage <= m.stage) expect(c.met).toBe(true);
        if (m.stage < 5) expect(m.criteria.some((c) => c.stage === m.stage + 1 && !c.met)).toBe(true);
        expect(m.nextSteps.length).toBe(
          m.stage === 5 ? 0 : Math.min(2, m.criteria.filter((c) => c.stage === m.stage + 1 && !c.met).length),
        );
        for (const text of [...m.criteria.map((c) => c.evidence), ...m.nextSteps]) {
          expect(text).toMatch(/^[A-Z0-9].*\.$/);
          expect(text).not.toMatch(/NaN|undefined|null|Infinity/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
