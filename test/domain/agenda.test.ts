import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  agendaEditProblems,
  agendaFromPack,
  agendaOverrun,
  applyAgendaEdits,
  optionSummary,
  timeboxes,
  type AgendaEdit,
  type AgendaItem,
  type StoredAgendaEdit,
} from '../../src/domain/agenda.js';
import type { Tradeoff, TradeoffOption } from '../../src/domain/plan.js';

function option(
  key: string,
  label: string,
  o: Partial<TradeoffOption> & Pick<TradeoffOption, 'cost' | 'lostMargin' | 'shortfallUnits' | 'feasibility'>,
): TradeoffOption {
  return {
    key,
    label,
    lostRevenue: o.lostMargin * 2,
    totalCost: o.cost + o.lostMargin,
    safetyStockBelowTarget: 0,
    fillRate: 0.9,
    levers: { overtimeUnits: 0, alternates: {}, prebuildUnitMonths: 0, safetyStockDrawdownUnitMonths: 0 },
    recommended: false,
    ...o,
  };
}

function tradeoff(key: string, title: string, marginAtRisk: number): Tradeoff {
  return {
    key,
    title,
    question: `How do we close the gap on ${title}?`,
    resources: [key],
    families: ['FAM-A'],
    periods: ['2027-02'],
    gap: { shortfallUnits: 100, revenueAtRisk: marginAtRisk * 3, marginAtRisk, safetyStockBelowTarget: 0 },
    options: [
      option('accept', 'Accept the shortfall', {
        cost: 0,
        lostMargin: marginAtRisk,
        shortfallUnits: 100,
        feasibility: 'leaves the gap open',
      }),
      option('overtime', 'Overtime', {
        cost: 12_000,
        lostMargin: 3_000,
        shortfallUnits: 40,
        feasibility: 'closes part of the gap',
        recommended: true,
      }),
    ],
    recommended: 'overtime',
    rationale: 'Overtime costs less than the margin it saves.',
  };
}

const press = tradeoff('press', 'Press line 1', 120_000);
const paint = tradeoff('paint', 'Paint shop', 45_000);
const pack = tradeoff('pack', 'Packing line', 9_000);
const supplierAlert = {
  id: 'al-7',
  title: 'Resin supplier late',
  detail: 'The resin supplier ships two weeks late.',
  moneyAtStake: 30_000,
};

const keys = (items: AgendaItem[]) => items.map((i) => i.key);
const boxes = (items: AgendaItem[]) => items.map((i) => i.timeboxMinutes);

describe('agendaFromPack', () => {
  it('orders trade-offs by money at stake and shares 80 of 90 minutes in proportion: 55, 20, 5', () => {
    const items = agendaFromPack([pack, press, paint], [], 90);
    expect(keys(items)).toEqual(['t:press', 't:paint', 't:pack']);
    // 80 minutes x 120/174 = 55.2 -> 55; x 45/174 = 20.7 -> 20; x 9/174 = 4.1 -> at least 5.
    expect(boxes(items)).toEqual([55, 20, 5]);
    expect(agendaOverrun(items, 90)).toBe(0);
  });

  it('describes each trade-off: question, money, recommendation and option summaries', () => {
    const [first] = agendaFromPack([press], [], 90);
    expect(first).toEqual({
      key: 't:press',
      kind: 'tradeoff',
      title: 'Press line 1',
      question: 'How do we close the gap on Press line 1?',
      moneyAtStake: 120_000,
      timeboxMinutes: 80,
      tradeoffKey: 'press',
      alertId: null,
      recommendation: 'Overtime',
      rationale: 'Overtime costs less than the margin it saves.',
      options: [
        {
          key: 'accept',
          label: 'Accept the shortfall',
          summary: 'costs 0; margin still lost 120,000; 100 units short; leaves the gap open',
          recommended: false,
        },
        {
          key: 'overtime',
          label: 'Overtime',
          summary: 'costs 12,000; margin still lost 3,000; 40 units short; closes part of the gap',
          recommended: true,
        },
      ],
    });
  });

  it('summarises an option that leaves no shortfall, and one unit', () => {
    expect(
      optionSummary({ cost: 1500.4, lostMargin: 0, shortfallUnits: 0, feasibility: 'closes the gap' }),
    ).toBe('costs 1,500; margin still lost 0; no units short; closes the gap');
    expect(
      optionSummary({ cost: 10, lostMargin: 5, shortfallUnits: 1, feasibility: 'closes part of the gap' }),
    ).toBe('costs 10; margin still lost 5; 1 unit short; closes part of the gap');
  });

  it('merges open alerts among the trade-offs by money at stake', () => {
    const items = agendaFromPack([pack, press, paint], [supplierAlert], 90);
    expect(keys(items)).toEqual(['t:press', 't:paint', 'a:al-7', 't:pack']);
    // 80 x 120/204 = 47.1 -> 45; 45/204 -> 17.6 -> 20; 30/204 -> 11.8 -> 10; 9/204 -> 3.5 -> 5.
    expect(boxes(items)).toEqual([45, 20, 10, 5]);
    expect(items[2]).toMatchObject({
      kind: 'alert',
      alertId: 'al-7',
      tradeoffKey: null,
      title: 'Resin supplier late',
      question: 'The resin supplier ships two weeks late.',
      recommendation: null,
      options: [],
    });
  });

  it('breaks ties in money by title', () => {
    const items = agendaFromPack(
      [tradeoff('b', 'Bravo', 10_000), tradeoff('a', 'Alpha', 10_000)],
      [{ id: 'c', title: 'Charlie', detail: '', moneyAtStake: 10_000 }],
      45,
    );
    expect(keys(items)).toEqual(['t:a', 't:b', 'a:c']);
    // 35 minutes in three equal shares of 11.7 -> 10 each (rounded down: 5 minutes unassigned).
    expect(boxes(items)).toEqual([10, 10, 10]);
  });

  it('trims the item rounded up the most when rounding would overfill the meeting', () => {
    // 25 minutes, two equal shares of 12.5 -> 15 + 15 = 30: the later one gives 5 back.
    expect(timeboxes([1, 1], 25)).toEqual([15, 10]);
    // All at least 5: 60 x 1/100 = 0.6 -> 5, and the others give way.
    expect(timeboxes([90, 9, 1], 60)).toEqual([50, 5, 5]);
  });

  it('gives every item 5 minutes and reports the overrun when they do not fit', () => {
    const many = Array.from({ length: 12 }, (_, k) => tradeoff(`r${k}`, `Resource ${k}`, 1000 * (k + 1)));
    const items = agendaFromPack(many, [], 60);
    expect(boxes(items)).toEqual(Array<number>(12).fill(5));
    expect(agendaOverrun(items, 60)).toBe(10); // 60 - 10 = 50 available, 12 x 5 = 60 planned
    // A meeting shorter than opening and wrap-up leaves nothing: each item is over.
    expect(agendaOverrun(agendaFromPack([press], [], 5), 5)).toBe(5);
    expect(agendaFromPack([], [], 90)).toEqual([]);
  });

  it('timeboxes: each at least 5, a multiple of 5, and the total within the time when 5 each fit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 0, max: 480 }),
        (money, meetingMinutes) => {
          const alerts = money.map((m, k) => ({
            id: `x${k}`,
            title: `Alert ${k}`,
            detail: '',
            moneyAtStake: m,
          }));
          const items = agendaFromPack([], alerts, meetingMinutes);
          const available = Math.max(0, meetingMinutes - 10);
          for (const i of items) {
            expect(i.timeboxMinutes).toBeGreaterThanOrEqual(5);
            expect(i.timeboxMinutes % 5).toBe(0);
          }
          const total = items.reduce((s, i) => s + i.timeboxMinutes, 0);
          if (items.length * 5 <= available) {
            expect(total).toBeLessThanOrEqual(available);
            expect(agendaOverrun(items, meetingMinutes)).toBe(0);
          } else {
            expect(total).toBe(items.length * 5);
            expect(agendaOverrun(items, meetingMinutes)).toBe(total - available);
          }
          // Never more time to an item with less money at stake (they are in money order).
          for (let k = 1; k < items.length; k++)
            expect(items[k]!.timeboxMinutes).toBeLessThanOrEqual(items[k - 1]!.timeboxMinutes);
        },
      ),
    );
  });
});

describe('applyAgendaEdits', () => {
  const base = agendaFromPack([press, paint, pack], [supplierAlert], 90); // press, paint, al-7, pack

  it('moves an item to a position among the kept items', () => {
    const { items, dropped } = applyAgendaEdits(base, [{ op: 'move', key: 't:pack', to: 0 }]);
    expect(keys(items)).toEqual(['t:pack', 't:press', 't:paint', 'a:al-7']);
    expect(dropped).toEqual([]);
    // Past the end: last.
    expect(keys(applyAgendaEdits(base, [{ op: 'move', key: 't:press', to: 99 }]).items)).toEqual([
      't:paint',
      'a:al-7',
      't:pack',
      't:press',
    ]);
  });

  it('drops an item with its reason and restores it where it was', () => {
    const drop: AgendaEdit = { op: 'drop', key: 't:paint', reason: 'Decided by email on Monday.' };
    const after = applyAgendaEdits(base, [drop]);
    expect(keys(after.items)).toEqual(['t:press', 'a:al-7', 't:pack']);
    expect(after.dropped).toEqual([{ item: base[1], reason: 'Decided by email on Monday.' }]);
    const restored = applyAgendaEdits(base, [drop, { op: 'restore', key: 't:paint' }]);
    expect(keys(restored.items)).toEqual(keys(base));
    expect(restored.dropped).toEqual([]);
  });

  it('adds an item last, and it keeps the place a later move gives it', () => {
    const edits: AgendaEdit[] = [
      {
        op: 'add',
        key: 'x:budget',
        title: 'Capex request for a second press',
        detail: 'Finance asks.',
        minutes: 15,
      },
      { op: 'move', key: 'x:budget', to: 1 },
      { op: 'move', key: 't:pack', to: 0 },
    ];
    const { items } = applyAgendaEdits(base, edits);
    expect(keys(items)).toEqual(['t:pack', 't:press', 'x:budget', 't:paint', 'a:al-7']);
    expect(items[2]).toEqual({
      key: 'x:budget',
      kind: 'added',
      title: 'Capex request for a second press',
      question: 'Finance asks.',
      moneyAtStake: 0,
      timeboxMinutes: 15,
      tradeoffKey: null,
      alertId: null,
      recommendation: null,
      rationale: '',
      options: [],
    });
    // 45 + 20 + 10 + 5 + 15 = 95 planned in 80 available.
    expect(agendaOverrun(items, 90)).toBe(15);
  });

  it('changes a timebox, also of a dropped item (kept when it is restored)', () => {
    const { items } = applyAgendaEdits(base, [{ op: 'timebox', key: 't:press', minutes: 30 }]);
    expect(boxes(items)).toEqual([30, 20, 10, 5]);
    const back = applyAgendaEdits(base, [
      { op: 'drop', key: 't:pack', reason: 'Not this month.' },
      { op: 'timebox', key: 't:pack', minutes: 15 },
      { op: 'restore', key: 't:pack' },
    ]);
    expect(back.items.find((i) => i.key === 't:pack')?.timeboxMinutes).toBe(15);
  });

  it('skips quietly the edits of items a rebuilt pack no longer has', () => {
    const stored: StoredAgendaEdit[] = [
      {
        op: 'drop',
        key: 't:paint',
        reason: 'Solved already.',
        by: 'u-po',
        at: new Date('2027-01-10T09:00:00Z'),
      },
      { op: 'move', key: 't:pack', to: 0, by: 'u-po', at: new Date('2027-01-10T09:01:00Z') },
      { op: 'timebox', key: 'a:al-7', minutes: 20, by: 'u-po', at: new Date('2027-01-10T09:02:00Z') },
      {
        op: 'add',
        key: 'x:cap',
        title: 'Capex',
        detail: '',
        minutes: 10,
        by: 'u-po',
        at: new Date('2027-01-10T09:03:00Z'),
      },
      { op: 'move', key: 'x:cap', to: 1, by: 'u-po', at: new Date('2027-01-10T09:04:00Z') },
    ];
    // The rebuilt pack has no packing-line trade-off and the alert was closed.
    const rebuilt = agendaFromPack([press, paint], [], 90);
    const { items, dropped } = applyAgendaEdits(rebuilt, stored);
    expect(keys(items)).toEqual(['t:press', 'x:cap']);
    expect(dropped.map((d) => d.item.key)).toEqual(['t:paint']);
  });

  it('skips a move of a dropped item, a restore of a kept one, and an add of a key in use', () => {
    const { items, dropped } = applyAgendaEdits(base, [
      { op: 'drop', key: 't:pack', reason: 'Not this month.' },
      { op: 'move', key: 't:pack', to: 0 },
      { op: 'restore', key: 't:press' },
      { op: 'add', key: 't:press', title: 'Twin', detail: '', minutes: 5 },
    ]);
    expect(keys(items)).toEqual(['t:press', 't:paint', 'a:al-7']);
    expect(dropped.map((d) => d.item.key)).toEqual(['t:pack']);
  });
});

describe('agendaEditProblems', () => {
  const base = agendaFromPack([press, paint, pack], [], 90);
  const dropPack: AgendaEdit = { op: 'drop', key: 't:pack', reason: 'Not this month.' };

  it('accepts good edits', () => {
    expect(agendaEditProblems(base, [], { op: 'move', key: 't:pack', to: 0 })).toEqual({});
    expect(agendaEditProblems(base, [], { op: 'drop', key: 't:pack', reason: 'Done' })).toEqual({});
    expect(agendaEditProblems(base, [dropPack], { op: 'restore', key: 't:pack' })).toEqual({});
    expect(
      agendaEditProblems(base, [], { op: 'add', key: 'x:a', title: 'Capex', detail: 'Why.', minutes: 120 }),
    ).toEqual({});
    expect(agendaEditProblems(base, [], { op: 'timebox', key: 't:press', minutes: 5 })).toEqual({});
  });

  it('names an unknown item', () => {
    const unknown = { key: 'no such item on the agenda' };
    expect(agendaEditProblems(base, [], { op: 'move', key: 't:zzz', to: 0 })).toEqual(unknown);
    expect(agendaEditProblems(base, [], { op: 'drop', key: 't:zzz', reason: 'Because.' })).toEqual(unknown);
    expect(agendaEditProblems(base, [], { op: 'restore', key: 't:zzz' })).toEqual(unknown);
    expect(agendaEditProblems(base, [], { op: 'timebox', key: 't:zzz', minutes: 10 })).toEqual(unknown);
  });

  it('says why an edit does not fit the item as it now stands', () => {
    expect(agendaEditProblems(base, [dropPack], { op: 'move', key: 't:pack', to: 0 })).toEqual({
      key: 'that item is dropped: restore it before moving it',
    });
    expect(agendaEditProblems(base, [dropPack], dropPack)).toEqual({ key: 'that item is dropped already' });
    expect(agendaEditProblems(base, [], { op: 'restore', key: 't:pack' })).toEqual({
      key: 'that item is on the agenda (it is not dropped)',
    });
  });

  it('requires a reason of at least 3 characters to drop', () => {
    expect(agendaEditProblems(base, [], { op: 'drop', key: 't:pack', reason: '  no ' })).toEqual({
      reason: 'give a reason of at least 3 characters: the minutes say why the item was dropped',
    });
  });

  it('checks minutes: 5 to 120 in steps of 5', () => {
    const problem = { minutes: 'must be 5 to 120 minutes, in steps of 5' };
    for (const minutes of [0, 3, 12, 125, 7.5, Number.NaN])
      expect(agendaEditProblems(base, [], { op: 'timebox', key: 't:press', minutes })).toEqual(problem);
    expect(
      agendaEditProblems(base, [], { op: 'add', key: 'x:a', title: 'Capex', detail: '', minutes: 130 }),
    ).toEqual(problem);
  });

  it('checks an added item: new key, title of 3 to 200 characters', () => {
    expect(
      agendaEditProblems(base, [], { op: 'add', key: 't:press', title: 'ab', detail: '', minutes: 10 }),
    ).toEqual({
      key: 'an item with this key is on the agenda already',
      title: 'must be 3 to 200 characters',
    });
    expect(
      agendaEditProblems(base, [dropPack], {
        op: 'add',
        key: 't:pack',
        title: 'x'.repeat(201),
        detail: '',
        minutes: 10,
      }),
    ).toEqual({
      key: 'an item with this key is on the agenda already',
      title: 'must be 3 to 200 characters',
    });
    expect(
      agendaEditProblems(base, [], { op: 'add', key: ' ', title: 'Capex', detail: '', minutes: 10 }),
    ).toEqual({
      key: 'must not be empty',
    });
  });

  it('checks a move stays within the kept items (counted after earlier edits)', () => {
    expect(agendaEditProblems(base, [], { op: 'move', key: 't:press', to: 3 })).toEqual({
      to: 'must be a position from 0 (first) to 2 (last)',
    });
    expect(agendaEditProblems(base, [dropPack], { op: 'move', key: 't:press', to: 2 })).toEqual({
      to: 'must be a position from 0 (first) to 1 (last)',
    });
    expect(agendaEditProblems(base, [], { op: 'move', key: 't:press', to: -1 })).toEqual({
      to: 'must be a position from 0 (first) to 2 (last)',
    });
    expect(agendaEditProblems(base, [], { op: 'move', key: 't:press', to: 1.5 })).toEqual({
      to: 'must be a position from 0 (first) to 2 (last)',
    });
  });
});

describe('agendaFromPack with items deferred at an earlier meeting', () => {
  const [earlierPaint, earlierPack] = agendaFromPack([paint, pack], [], 90);
  const carried = [
    { item: earlierPaint!, from: '2027-01', reason: 'waiting for the paint supplier', until: '2027-02-10' },
    { item: earlierPack!, from: '2027-01', reason: 'the line is being rebuilt', until: '2027-02-05' },
  ];

  it('marks a trade-off still in the pack as deferred, and brings back one that left it', () => {
    const items = agendaFromPack([press, paint], [], 90, carried);
    expect(keys(items)).toEqual(['t:press', 't:paint', 'd:t:pack']);
    expect(items[1]!.question).toMatch(
      /^Deferred in 2027-01 until 2027-02-10: waiting for the paint supplier\. /,
    );
    expect(items[2]).toMatchObject({
      kind: 'deferred',
      title: 'Packing line (deferred in 2027-01)',
      tradeoffKey: null,
      recommendation: earlierPack!.recommendation,
    });
    expect(items[2]!.question).toMatch(/^Deferred in 2027-01 until 2027-02-05: the line is being rebuilt\./);
    // Timeboxes are shared over all three, by money at stake.
    expect(boxes(items).every((m) => m >= 5 && m % 5 === 0)).toBe(true);
    expect(boxes(items).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(80);
  });
});
