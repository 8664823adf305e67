/**
 * Cycle facts for the health and maturity tests: a factory for a cycle that runs well, and a
 * scripted company that starts reacting (January), collaborates (February, March: executives
 * present and most items decided, but actions late and the forecast biased) and then orchestrates
 * (April on: actions on time, S&OE alerts answered and acted on, the forecast unbiased).
 */
import type { CycleFacts, MeetingFacts } from '../../src/domain/health.js';

export const meetingFacts = (step: MeetingFacts['step'], o: Partial<MeetingFacts> = {}): MeetingFacts => ({
  step,
  held: true,
  executivesInvited: 0,
  executivesPresent: 0,
  itemsDecided: 0,
  itemsDeferred: 0,
  itemsEscalated: 0,
  itemsNotReached: 0,
  ...o,
});

/**
 * A cycle run well: all 10 inputs on time; the pre-S&OP decides 2 items and escalates 3; the
 * executive meeting has 4 of 5 executives and decides 4 items of 5 (6 of 7 in all); 4 actions done
 * on time; forecast 20% off, +1% biased, sales adding 2 points; 5 S&OE alerts all answered in a
 * median of 6 hours, 2 decided and 2 sent to the agenda.
 */
export const cycleFacts = (month: string, o: Partial<CycleFacts> = {}): CycleFacts => ({
  month,
  inputs: { onTime: 10, late: 0, missing: 0 },
  meetings: [
    meetingFacts('pre-sop', { itemsDecided: 2, itemsEscalated: 3 }),
    meetingFacts('executive-sop', {
      executivesInvited: 5,
      executivesPresent: 4,
      itemsDecided: 4,
      itemsDeferred: 1,
    }),
  ],
  decisions: { decided: 6, notDecided: 0, medianLatencyHours: 48 },
  actions: { owned: 4, doneOnTime: 4, doneLate: 0, overdue: 0 },
  forecast: { mape: 0.2, bias: 0.01, valueAdded: [{ function: 'sales', mapeDelta: 0.02 }] },
  soe: { raised: 5, acknowledged: 5, decided: 2, toAgenda: 2, escalated: 0, medianHoursToAcknowledge: 6 },
  packBuiltBeforeMeeting: true,
  dataFromOneSource: true,
  ...o,
});

/** January: spreadsheets, inputs mostly missing, the executive meeting skipped, nothing measured. */
export const reacting = (month: string): CycleFacts =>
  cycleFacts(month, {
    inputs: { onTime: 2, late: 3, missing: 5 },
    meetings: [
      meetingFacts('pre-sop', { itemsDecided: 1, itemsDeferred: 3 }),
      meetingFacts('executive-sop', { held: false, executivesInvited: 5 }),
    ],
    decisions: { decided: 1, notDecided: 0, medianLatencyHours: null },
    actions: { owned: 0, doneOnTime: 0, doneLate: 0, overdue: 0 },
    forecast: { mape: null, bias: null, valueAdded: [] },
    soe: {
      raised: 0,
      acknowledged: 0,
      decided: 0,
      toAgenda: 0,
      escalated: 0,
      medianHoursToAcknowledge: null,
    },
    packBuiltBeforeMeeting: false,
    dataFromOneSource: false,
  });

/** February and March: the meetings work, but half the actions are late and the forecast runs 8% high. */
export const collaborating = (month: string): CycleFacts =>
  cycleFacts(month, {
    decisions: { decided: 6, notDecided: 0, medianLatencyHours: 72 },
    actions: { owned: 4, doneOnTime: 2, doneLate: 1, overdue: 1 },
    forecast: { mape: 0.25, bias: 0.08, valueAdded: [{ function: 'sales', mapeDelta: -0.01 }] },
    soe: {
      raised: 0,
      acknowledged: 0,
      decided: 0,
      toAgenda: 0,
      escalated: 0,
      medianHoursToAcknowledge: null,
    },
  });

/** The scripted company, January to July 2027, oldest first. */
export const scriptedCompany: CycleFacts[] = [
  reacting('2027-01'),
  collaborating('2027-02'),
  collaborating('2027-03'),
  cycleFacts('2027-04'),
  cycleFacts('2027-05'),
  cycleFacts('2027-06'),
  cycleFacts('2027-07'),
];
