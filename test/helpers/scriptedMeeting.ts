/**
 * A scripted executive S&OP meeting for the minutes tests: three items taken (two decided, one
 * deferred), one dropped before the meeting, a late arrival and a represented executive.
 */
import { agendaFromPack, applyAgendaEdits } from '../../src/domain/agenda.js';
import type { MinutesInput } from '../../src/domain/minutes.js';
import type { Tradeoff, TradeoffOption } from '../../src/domain/plan.js';

function option(key: string, label: string, cost: number, lostMargin: number, short: number): TradeoffOption {
  return {
    key,
    label,
    cost,
    lostMargin,
    lostRevenue: lostMargin * 2,
    totalCost: cost + lostMargin,
    shortfallUnits: short,
    safetyStockBelowTarget: 0,
    fillRate: 0.9,
    feasibility: short ? 'closes part of the gap' : 'closes the gap',
    levers: { overtimeUnits: 0, alternates: {}, prebuildUnitMonths: 0, safetyStockDrawdownUnitMonths: 0 },
    recommended: false,
  };
}

function tradeoff(key: string, title: string, marginAtRisk: number, recommended: string): Tradeoff {
  const options = [
    option('accept', 'Accept the shortfall', 0, marginAtRisk, 400),
    option('overtime', 'Overtime', 12_000, 3_000, 40),
    option('alternate', 'Alternate sourcing', 30_000, 0, 0),
  ].map((o) => ({ ...o, recommended: o.key === recommended }));
  return {
    key,
    title,
    question: `How do we cover the ${title} gap in February?`,
    resources: [key],
    families: ['FAM-A'],
    periods: ['2027-02'],
    gap: { shortfallUnits: 400, revenueAtRisk: marginAtRisk * 3, marginAtRisk, safetyStockBelowTarget: 0 },
    options,
    recommended,
    rationale: `The least total cost for ${title}.`,
  };
}

const at = (hhmm: string) => new Date(`2027-01-12T${hhmm}:00Z`); // London is on UTC in January

export const base = agendaFromPack(
  [
    tradeoff('press', 'Press line 1', 120_000, 'overtime'),
    tradeoff('paint', 'Paint shop', 45_000, 'alternate'),
    tradeoff('pack', 'Packing line', 9_000, 'overtime'),
  ],
  [
    {
      id: 'al-7',
      title: 'Resin supplier late',
      detail: 'The resin supplier ships two weeks late & asks for a decision.',
      moneyAtStake: 30_000,
    },
  ],
  90,
);
export const agenda = applyAgendaEdits(base, [
  { op: 'drop', key: 't:pack', reason: 'Solved by the planners on Monday.' },
]);
const item = (key: string) => agenda.items.find((i) => i.key === key)!;

export const scriptedMeeting: MinutesInput = {
  meeting: {
    id: 'cy-2027-01-executive-sop',
    title: 'Executive S&OP 2027-01',
    start: at('15:00'),
    end: at('16:30'),
    startedAt: at('15:02'),
    endedAt: at('16:37'),
    timezone: 'Europe/London',
  },
  chair: { id: 'u-eve', name: 'Eve Owens' },
  invitees: [
    { id: 'u-ada', name: 'Ada Lovelace', role: 'executive' },
    { id: 'u-ben', name: 'Ben Okri', role: 'executive' },
    { id: 'u-dan', name: 'Dan Brown', role: 'executive' },
    { id: 'u-eve', name: 'Eve Owens', role: 'process-owner' },
    { id: 'u-fay', name: 'Fay Wray', role: 'functional-leader' },
  ],
  attendance: [
    { memberId: 'u-ada', status: 'present', delegateName: null, late: false, arrivedAt: at('15:00') },
    {
      memberId: 'u-ben',
      status: 'represented',
      delegateName: 'Carla Diaz',
      late: false,
      arrivedAt: at('15:00'),
    },
    { memberId: 'u-dan', status: 'present', delegateName: null, late: true, arrivedAt: at('15:20') },
    { memberId: 'u-eve', status: 'present', delegateName: null, late: false, arrivedAt: at('14:58') },
    // Fay: nothing recorded (absent).
  ],
  items: [
    {
      item: item('t:press'),
      startedAt: at('15:05'),
      closedAt: at('15:52'),
      outcome: 'decided',
      decision: {
        optionKey: 'overtime',
        optionLabel: 'Overtime',
        rationale: 'Overtime saves most of the margin; the crew agreed.',
        votes: [
          { voterName: 'Ada Lovelace', optionKey: 'overtime', optionLabel: 'Overtime', reason: null },
          { voterName: 'Carla Diaz', optionKey: 'overtime', optionLabel: 'Overtime', reason: 'Cheapest.' },
          {
            voterName: 'Dan Brown',
            optionKey: 'alternate',
            optionLabel: 'Alternate sourcing',
            reason: "The crew can't take another month of overtime.",
          },
        ],
      },
      deferral: null,
      escalation: null,
      actions: [
        {
          ownerName: 'Fay Wray',
          description: 'Book the weekend shifts on press line 1',
          dueDate: '2027-01-19',
        },
        { ownerName: 'Ada Lovelace', description: 'Tell the customers of FAM-A', dueDate: '2027-01-15' },
      ],
    },
    {
      item: item('t:paint'),
      startedAt: at('15:52'),
      closedAt: at('16:05'),
      outcome: 'deferred',
      decision: null,
      deferral: { reason: "waiting for the supplier's answer", until: '2027-02-10' },
      escalation: null,
      actions: [],
    },
    {
      item: item('a:al-7'),
      startedAt: at('16:05'),
      closedAt: at('16:12'),
      outcome: 'decided',
      decision: {
        optionKey: 'air',
        optionLabel: 'Expedite by air',
        rationale: 'Two weeks late would stop the press.',
        votes: [
          { voterName: 'Ada Lovelace', optionKey: 'air', optionLabel: 'Expedite by air', reason: null },
          { voterName: 'Dan Brown', optionKey: 'air', optionLabel: 'Expedite by air', reason: null },
        ],
      },
      deferral: null,
      escalation: null,
      actions: [{ ownerName: 'Dan Brown', description: 'Order the air freight', dueDate: '2027-01-13' }],
    },
  ],
  dropped: agenda.dropped,
};
