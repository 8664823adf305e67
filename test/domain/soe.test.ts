import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { WorkCalendar } from '../../src/domain/calendar.js';
import {
  addWeeks,
  detectVariances,
  disruptionImpact,
  disruptionProblems,
  isoWeekOf,
  isoWeeksOfMonth,
  isValidIsoWeek,
  mondayOf,
  phaseFamilyPlan,
  phaseMonthly,
  roughMoneyAtStake,
  weeklyPlan,
  weeksBetween,
  type DetectInput,
  type Disruption,
  type FamilyPlanWeekly,
  type ResourcePlanWeekly,
  type SoeAlert,
  type WeeklyActuals,
} from '../../src/domain/soe.js';

const plainWeeks: WorkCalendar = { timezone: 'Europe/Berlin', holidays: new Set(), weekend: [6, 7] };

/** `n` consecutive weeks from `first`. */
const weeksFrom = (first: string, n: number) => Array.from({ length: n }, (_, i) => addWeeks(first, i));

type WeekPlan = FamilyPlanWeekly['weeks'][string];
function familyPlan(
  family: string,
  weeks: string[],
  week: Partial<WeekPlan>,
  more: Partial<Omit<FamilyPlanWeekly, 'weeks'>> = {},
): FamilyPlanWeekly {
  const row: WeekPlan = {
    p10: 700,
    p50: 900,
    p90: 1100,
    plan: 900,
    production: 900,
    inventory: 2000,
    ...week,
  };
  return {
    family,
    owner: 'sales',
    unitMargin: 10,
    safetyStock: 500,
    ...more,
    weeks: Object.fromEntries(weeks.map((w) => [w, { ...row }])),
  };
}

function resourcePlan(
  resource: string,
  weeks: string[],
  load: number,
  capacity: number,
  owner = 'operations',
) {
  return {
    resource,
    owner,
    weeks: Object.fromEntries(weeks.map((w) => [w, { load, capacity }])),
  } satisfies ResourcePlanWeekly;
}

const noActuals = (): WeeklyActuals => ({ families: {}, resources: {} });
const run = (over: Partial<DetectInput>): SoeAlert[] =>
  detectVariances({
    plans: [],
    resources: [],
    actuals: noActuals(),
    disruptions: [],
    asOf: '2027-W10',
    ...over,
  });
const keys = (alerts: SoeAlert[]) => alerts.map((a) => a.key);

describe('ISO weeks', () => {
  it('names the week of a date as ISO 8601 does, across year ends', () => {
    expect(isoWeekOf('2027-02-15')).toBe('2027-W07');
    // 1 January 2027 is a Friday: it belongs to the last week of 2026, which has 53 weeks.
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
    // 31 December 2024 is a Tuesday: week 1 of 2025.
    expect(isoWeekOf('2024-12-31')).toBe('2025-W01');
    expect(mondayOf('2027-W07')).toBe('2027-02-15');
    expect(addWeeks('2026-W52', 1)).toBe('2026-W53');
    expect(addWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addWeeks('2027-W01', -1)).toBe('2026-W53');
    expect(weeksBetween('2026-W50', '2027-W02')).toBe(5);
    expect(isValidIsoWeek('2026-W53')).toBe(true);
    expect(isValidIsoWeek('2027-W53')).toBe(false);
    expect(isValidIsoWeek('2027-W7')).toBe(false);
  });

  it('agrees with luxon on any date (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 60 }), (offset) => {
        const d = DateTime.fromISO('2000-01-01', { zone: 'utc' }).plus({ days: offset });
        const expected = `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`;
        const date = d.toISODate()!;
        expect(isoWeekOf(date)).toBe(expected);
        expect(mondayOf(expected) <= date).toBe(true);
        expect(addWeeks(expected, 1)).toBe(isoWeekOf(d.plus({ days: 7 }).toISODate()!));
      }),
      { numRuns: 300 },
    );
  });
});

describe('phasing the month into weeks', () => {
  it('splits a month by its working days, the weekend excluded', () => {
    // March 2027: Monday 1 to Wednesday 31, 23 working days.
    expect(isoWeeksOfMonth('2027-03', plainWeeks)).toEqual([
      { week: '2027-W09', workingDays: 5, share: 5 / 23 },
      { week: '2027-W10', workingDays: 5, share: 5 / 23 },
      { week: '2027-W11', workingDays: 5, share: 5 / 23 },
      { week: '2027-W12', workingDays: 5, share: 5 / 23 },
      { week: '2027-W13', workingDays: 3, share: expect.closeTo(3 / 23, 12) as unknown as number },
    ]);
  });

  it('takes the org holidays out of their weeks', () => {
    // Good Friday 26 March and Easter Monday 29 March 2027: 21 working days.
    const easter = { ...plainWeeks, holidays: new Set(['2027-03-26', '2027-03-29']) };
    const weeks = isoWeeksOfMonth('2027-03', easter);
    expect(weeks.map((w) => w.workingDays)).toEqual([5, 5, 5, 4, 2]);
    expect(weeks[3]!.share).toBeCloseTo(4 / 21, 12);
    expect(weeks[4]!.share).toBeCloseTo(2 / 21, 12);
    expect(phaseMonthly(2100, weeks)).toEqual({
      '2027-W09': 500,
      '2027-W10': 500,
      '2027-W11': 500,
      '2027-W12': 400,
      '2027-W13': expect.closeTo(200, 9) as unknown as number,
    });
  });

  it('gives a week holding only the month weekend no share', () => {
    // May 2027 starts on Saturday: 1 and 2 May are in week 17, which gets nothing of May.
    const weeks = isoWeeksOfMonth('2027-05', plainWeeks);
    expect(weeks[0]).toEqual({ week: '2027-W17', workingDays: 0, share: 0 });
    expect(weeks.reduce((s, w) => s + w.share, 0)).toBe(1);
  });

  it('honours another weekend (Friday and Saturday)', () => {
    const dubai: WorkCalendar = { timezone: 'Asia/Dubai', holidays: new Set(), weekend: [5, 6] };
    // March 2027 with Friday-Saturday weekends: Sunday 28 to Wednesday 31 March are working days.
    const weeks = isoWeeksOfMonth('2027-03', dubai);
    expect(weeks.map((w) => w.workingDays)).toEqual([5, 5, 5, 5, 3]);
    // Sunday 28 March belongs to ISO week 12 (Monday to Sunday).
    expect(weeks[3]).toMatchObject({ week: '2027-W12', workingDays: 5 });
  });

  it('shares a month with no working day by calendar days', () => {
    const closed = {
      ...plainWeeks,
      holidays: new Set(Array.from({ length: 28 }, (_, i) => `2027-02-${String(i + 1).padStart(2, '0')}`)),
    };
    // February 2027: Monday 1 to Sunday 28, four whole weeks.
    expect(isoWeeksOfMonth('2027-02', closed).map((w) => w.share)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('gives a week spanning two months its part of each month', () => {
    // Week 13 of 2027: Monday 29 March to Sunday 4 April. March has 23 working days, 3 of them in
    // week 13; April (Thursday 1 to Friday 30) has 22, 2 of them in week 13.
    const weekly = weeklyPlan({ '2027-04': 2200, '2027-03': 2300 }, plainWeeks);
    expect(weekly['2027-W13']).toBeCloseTo(300 + 200, 9);
    expect(weekly['2027-W09']).toBeCloseTo(500, 9);
    expect(weekly['2027-W14']).toBeCloseTo(500, 9);
    expect(Object.keys(weekly)).toEqual([...Object.keys(weekly)].sort());
    expect(Object.values(weekly).reduce((s, v) => s + v, 0)).toBeCloseTo(4500, 9);
  });

  it("leaves out a week the plan holds only part of: April 2027's first week starts in March", () => {
    // A plan from April: week 13 (29 March to 4 April) has 2 of its 5 working days in the plan, so a
    // whole week of orders would read as far above it; it has no plan. Weeks 14-17 are April's.
    const weekly = weeklyPlan({ '2027-04': 2200 }, plainWeeks);
    expect(Object.keys(weekly)).toEqual(['2027-W14', '2027-W15', '2027-W16', '2027-W17']);
    expect(weekly['2027-W14']).toBeCloseTo(500, 9);
    const family = phaseFamilyPlan(
      {
        family: 'F',
        owner: 'sales',
        unitMargin: 1,
        safetyStock: 0,
        months: [
          {
            period: '2027-04',
            p10: 2000,
            p50: 2200,
            p90: 2400,
            consensus: 2200,
            production: 2200,
            inventory: 300,
          },
        ],
      },
      plainWeeks,
    );
    expect(Object.keys(family.weeks)).toEqual(['2027-W14', '2027-W15', '2027-W16', '2027-W17']);
    // The stock is still carried through week 13: it ends April where the plan says.
    expect(family.weeks['2027-W17']!.inventory).toBeCloseTo(300, 9);
  });

  it('refuses a month that is not YYYY-MM', () => {
    expect(() => isoWeeksOfMonth('2027-13', plainWeeks)).toThrow(RangeError);
  });

  it("phases a family's plan: band by independent weeks, inventory carried week by week", () => {
    const months = [
      {
        period: '2027-03',
        p10: 1800,
        p50: 2300,
        p90: 2990,
        consensus: 2300,
        production: 2300,
        inventory: 1000,
      },
      {
        period: '2027-04',
        p10: 1700,
        p50: 2200,
        p90: 2900,
        consensus: 2200,
        production: 2420,
        inventory: 1220,
      },
    ];
    const base = { family: 'F1', owner: 'sales', unitMargin: 10, safetyStock: 300 };
    const plan = phaseFamilyPlan({ ...base, months }, plainWeeks);
    const w09 = plan.weeks['2027-W09']!;
    const s = 5 / 23;
    expect(w09.p50).toBeCloseTo(500, 9);
    expect(w09.plan).toBeCloseTo(500, 9);
    expect(w09.p90).toBeCloseTo(500 + 690 * Math.sqrt(s), 9);
    expect(w09.p10).toBeCloseTo(500 - 500 * Math.sqrt(s), 9);
    // Week 13 spans both months: its distances combine as independent parts.
    const w13 = plan.weeks['2027-W13']!;
    expect(w13.p90 - w13.p50).toBeCloseTo(Math.sqrt(690 ** 2 * (3 / 23) + 700 ** 2 * (2 / 22)), 9);
    // Inventory: opening 1000 in March (flat), then 220 more over April's weeks.
    expect(w09.inventory).toBeCloseTo(1000, 9);
    expect(plan.weeks['2027-W17']!.inventory).toBeCloseTo(1220, 9);
    expect(plan.weeks['2027-W15']!.inventory).toBeCloseTo(1000 + (220 * 12) / 22, 9);
    // Linear phasing: the band's ends phased like the plan.
    const linear = phaseFamilyPlan({ ...base, months }, plainWeeks, 'linear');
    expect(linear.weeks['2027-W09']!.p90).toBeCloseTo(2990 * s, 9);
    expect(linear.weeks['2027-W09']!.p10).toBeCloseTo(1800 * s, 9);
    expect(plan).toMatchObject(base);
    expect('months' in plan).toBe(false);
  });

  it('shares always add up to 1, whatever the holidays (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2060 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { maxLength: 31 }),
        fc.subarray([1, 2, 3, 4, 5, 6, 7]),
        (year, month, holidayDays, weekend) => {
          const m = `${year}-${String(month).padStart(2, '0')}`;
          const cal: WorkCalendar = {
            timezone: 'UTC',
            holidays: new Set(holidayDays.map((d) => `${m}-${String(d).padStart(2, '0')}`)),
            weekend,
          };
          const weeks = isoWeeksOfMonth(m, cal);
          expect(weeks.reduce((s, w) => s + w.share, 0)).toBeCloseTo(1, 12);
          expect(weeks.every((w) => w.share >= 0)).toBe(true);
          expect(new Set(weeks.map((w) => w.week)).size).toBe(weeks.length);
          const total = Object.values(phaseMonthly(1000, weeks)).reduce((s, v) => s + v, 0);
          expect(total).toBeCloseTo(1000, 9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('demand band', () => {
  const weeks = weeksFrom('2027-W01', 12);

  it('alerts on a week above the P90, with its numbers and one sentence', () => {
    const plan = familyPlan('FAM1', weeks, { inventory: 1000 }, { name: 'Family 4', safetyStock: 950 });
    const alerts = run({
      plans: [plan],
      actuals: {
        families: { FAM1: { '2027-W07': { orders: 1240 }, '2027-W06': { orders: 1000 } } },
        resources: {},
      },
    });
    expect(alerts).toEqual([
      {
        key: 'band:FAM1:2027-W07:above',
        kind: 'demand-band',
        subject: { type: 'family', id: 'FAM1' },
        week: '2027-W07',
        owner: 'sales',
        severity: 'warning',
        measured: 1240,
        expected: 900,
        band: { low: 700, high: 1100 },
        change: 340,
        changePct: (340 / 900) * 100,
        // 140 above the P90, 50 of them covered by the planned stock above safety stock.
        unitsAtRisk: 90,
        moneyAtStake: 900,
        what: 'Orders of Family 4 were 1,240 in 2027-W07, 38% above the plan (900) and above the P90 (1,100).',
      },
    ]);
  });

  it('is critical beyond the band by more than half its width, and alerts below the P10 too', () => {
    const alerts = run({
      plans: [familyPlan('F', weeks, {})],
      actuals: {
        families: {
          F: { '2027-W03': { orders: 1301 }, '2027-W04': { orders: 650 }, '2027-W05': { orders: 700 } },
        },
        resources: {},
      },
    });
    expect(alerts.map((a) => [a.key, a.severity, a.unitsAtRisk])).toEqual([
      ['band:F:2027-W03:above', 'critical', 0],
      ['band:F:2027-W04:below', 'warning', 0],
    ]);
    expect(alerts[1]!.what).toBe(
      'Orders of F were 650 in 2027-W04, 28% below the plan (900) and below the P10 (700).',
    );
  });

  it('ignores actuals after asOf and weeks the plan does not hold', () => {
    const alerts = run({
      plans: [familyPlan('F', weeks, {})],
      asOf: '2027-W05',
      actuals: {
        families: { F: { '2027-W06': { orders: 5000 }, '2026-W40': { orders: 5000 } } },
        resources: {},
      },
    });
    expect(alerts).toEqual([]);
  });
});

describe('bias (tracking signal)', () => {
  const weeks = weeksFrom('2027-W01', 12);
  const plan = familyPlan('F', weeks, { plan: 1000, p50: 1000, p10: 800, p90: 1200, inventory: 1000 });
  const orders = (values: number[]) => ({
    families: { F: Object.fromEntries(values.map((o, i) => [weeks[i]!, { orders: o }])) },
    resources: {},
  });

  it('alerts once the signal passes the limit: 8% above plan for 5 weeks is a signal of 5', () => {
    expect(run({ plans: [plan], actuals: orders([1080, 1080, 1080, 1080]) })).toEqual([]);
    const alerts = run({ plans: [plan], actuals: orders([1080, 1080, 1080, 1080, 1080]) });
    expect(alerts).toEqual([
      {
        key: 'bias:F:+',
        kind: 'bias',
        subject: { type: 'family', id: 'F' },
        week: '2027-W05',
        owner: 'sales',
        severity: 'warning',
        measured: 5400,
        expected: 5000,
        change: 400,
        changePct: 8,
        // 80 a week over the 8-week horizon (640), less the planned stock above safety stock (1,000 - 500).
        unitsAtRisk: 140,
        moneyAtStake: 1400,
        what: 'Orders of F ran 8% above the plan over the 5 weeks to 2027-W05 (5,400 against 5,000), a tracking signal of 5.0 against a limit of 4.',
      },
    ]);
  });

  it('is critical beyond 1.5 times the limit, and signs the key by direction', () => {
    const up = run({ plans: [plan], actuals: orders([1080, 1080, 1080, 1080, 1080, 1080, 1080]) });
    expect(up.map((a) => [a.key, a.severity])).toEqual([['bias:F:+', 'critical']]);
    const down = run({ plans: [plan], actuals: orders([940, 940, 940, 940, 940]) });
    expect(down.map((a) => [a.key, a.severity, a.unitsAtRisk, a.changePct])).toEqual([
      ['bias:F:-', 'warning', 0, -6],
    ]);
  });

  it('does not alert on errors that cancel out: signal 350 / 90 = 3.9', () => {
    expect(run({ plans: [plan], actuals: orders([1100, 950, 1100, 1100, 1100]) })).toEqual([]);
  });

  it('needs at least 4 weeks, whatever the limit', () => {
    expect(run({ plans: [plan], actuals: orders([1080, 1080, 1080]), trackingLimit: 2 })).toEqual([]);
    expect(keys(run({ plans: [plan], actuals: orders([1080, 1080, 1080, 1080]), trackingLimit: 2 }))).toEqual(
      ['bias:F:+'],
    );
  });

  it('does not alert on a bias smaller than minBiasShare of the plan, however steady', () => {
    const steady = orders(Array<number>(12).fill(1040));
    expect(run({ plans: [plan], actuals: steady, asOf: '2027-W12' })).toEqual([]);
    const alerts = run({ plans: [plan], actuals: steady, asOf: '2027-W12', minBiasShare: 0.03 });
    expect(alerts.map((a) => [a.key, a.changePct])).toEqual([['bias:F:+', 4]]);
  });

  it('does not alert on noise: a signal of 5.0 and 7% over plan, but the mean error only 1.5 standard errors from 0', () => {
    const errors = [190, -150, 190, 180, -160, 190, 170, -150, 185, 175, -140, 180];
    const noisy = orders(errors.map((e) => 1000 + e));
    expect(run({ plans: [plan], actuals: noisy, asOf: '2027-W12' })).toEqual([]);
    // Without the t test the tracking signal alone would have alerted.
    expect(keys(run({ plans: [plan], actuals: noisy, asOf: '2027-W12', minBiasT: 0 }))).toEqual(['bias:F:+']);
  });

  it('leaves weeks outside the band out: one spike is a band alert, not a bias', () => {
    const alerts = run({ plans: [plan], actuals: orders([1010, 990, 2000, 1010, 990, 1010, 990]) });
    expect(keys(alerts)).toEqual(['band:F:2027-W03:above']);
  });

  it('counts only the last biasWindowWeeks weeks', () => {
    // Seven weeks at 10% below plan, then five at plan: over the 12 weeks the signal is -700 / (700 / 12)
    // = -12 (5.8% below plan); over the last 5 weeks there is no error at all.
    const values = [...Array<number>(7).fill(900), ...Array<number>(5).fill(1000)];
    expect(keys(run({ plans: [plan], actuals: orders(values), asOf: '2027-W12' }))).toEqual(['bias:F:-']);
    expect(
      keys(run({ plans: [plan], actuals: orders(values), asOf: '2027-W12', biasWindowWeeks: 5 })),
    ).toEqual([]);
  });
});

describe('resource over plan', () => {
  const weeks = weeksFrom('2027-W01', 12);
  const line = resourcePlan('L1', weeks, 1000, 1200);
  const produced = (rows: Record<string, number>): WeeklyActuals => ({
    families: {},
    resources: { L1: Object.fromEntries(Object.entries(rows).map(([w, p]) => [w, { produced: p }])) },
  });

  it('alerts above plan by more than the share, and critically above capacity', () => {
    const alerts = run({
      resources: [{ ...line, name: 'Line 1' }],
      actuals: produced({ '2027-W02': 1100, '2027-W03': 1150, '2027-W04': 1300, '2027-W05': 700 }),
      resourceMargin: { L1: 7 },
    });
    expect(alerts).toEqual([
      {
        key: 'load:L1:2027-W04',
        kind: 'resource-over-plan',
        subject: { type: 'resource', id: 'L1' },
        week: '2027-W04',
        owner: 'operations',
        severity: 'critical',
        measured: 1300,
        expected: 1000,
        band: { low: 0, high: 1200 },
        change: 300,
        changePct: 30,
        unitsAtRisk: 100,
        moneyAtStake: 700,
        what: 'Line 1 produced 1,300 in 2027-W04, 30% above its planned load (1,000) and above its capacity (1,200).',
      },
      expect.objectContaining({
        key: 'load:L1:2027-W03',
        severity: 'warning',
        changePct: 15,
        moneyAtStake: 0,
        what: 'Line 1 produced 1,150 in 2027-W03, 15% above its planned load (1,000), within its capacity (1,200).',
      }) as unknown as SoeAlert,
    ]);
  });

  it('takes another share from the input', () => {
    const alerts = run({ resources: [line], actuals: produced({ '2027-W03': 1150 }), overPlanShare: 0.2 });
    expect(alerts).toEqual([]);
  });
});

describe('inventory below safety stock', () => {
  const weeks = weeksFrom('2027-W01', 20);
  const plan = familyPlan('F', weeks, { plan: 300, production: 200, p10: 100, p50: 300, p90: 600 });
  const actuals = (onHand: number, weeklyOrders: number): WeeklyActuals => ({
    families: {
      F: {
        '2027-W04': { orders: weeklyOrders },
        '2027-W05': { orders: weeklyOrders },
        '2027-W06': { orders: weeklyOrders },
        '2027-W07': { orders: weeklyOrders, onHand },
      },
    },
    resources: {},
  });

  it('projects on hand with planned production and the plan or the recent pace, and names the crossing week', () => {
    // 1000 on hand, 200 made and 300 (the plan: orders ran below it) out a week: 500 in W12, 400 in W13.
    const alerts = run({ plans: [plan], actuals: actuals(1000, 250), asOf: '2027-W07' });
    expect(alerts).toEqual([
      {
        key: 'stock:F:2027-W13',
        kind: 'inventory-below-safety',
        subject: { type: 'family', id: 'F' },
        week: '2027-W13',
        owner: 'operations',
        severity: 'warning',
        measured: 400,
        expected: 500,
        change: -100,
        changePct: -20,
        unitsAtRisk: 0,
        moneyAtStake: 0,
        what:
          'On-hand stock of F (1,000 at the end of 2027-W07) is projected to fall below its safety stock (500) in 2027-W13, to 400, ' +
          'at planned production and demand at the plan.',
      },
    ]);
    // A shorter horizon does not reach the crossing.
    expect(run({ plans: [plan], actuals: actuals(1000, 250), asOf: '2027-W07', horizonWeeks: 5 })).toEqual(
      [],
    );
  });

  it('uses the recent pace when orders run above plan, and is critical when stock runs out', () => {
    // Orders ran at 4/3 of the plan: 400 a week out, 200 in: 800, 600, 400 (W10, below 500), 200, 0, -200 (W13), ... -600 in W15.
    const [alert] = run({ plans: [plan], actuals: actuals(1000, 400), asOf: '2027-W07' });
    expect(alert).toMatchObject({
      key: 'stock:F:2027-W10',
      severity: 'critical',
      measured: 400,
      unitsAtRisk: 600,
      moneyAtStake: 6000,
    });
    expect(alert!.what).toContain('in 2027-W10, to 400, and out of stock in 2027-W13, at planned production');
  });

  it('keeps the same key on the next run while the crossing week stays', () => {
    const first = run({ plans: [plan], actuals: actuals(1000, 250), asOf: '2027-W07' });
    const next = actuals(1000, 250);
    next.families['F']!['2027-W08'] = { orders: 300, onHand: 900 };
    const second = run({ plans: [plan], actuals: next, asOf: '2027-W08' });
    const stock = (alerts: SoeAlert[]) => keys(alerts).filter((k) => k.startsWith('stock:'));
    expect(stock(second)).toEqual(['stock:F:2027-W13']);
    expect(stock(second)).toEqual(stock(first));
  });

  it('alerts at the on-hand week when stock is already below safety stock', () => {
    const [alert] = run({ plans: [plan], actuals: actuals(450, 250), asOf: '2027-W07' });
    expect(alert).toMatchObject({ key: 'stock:F:2027-W07', week: '2027-W07', measured: 450, change: -50 });
    expect(alert!.what).toBe(
      'On-hand stock of F was 450 at the end of 2027-W07, 50 below its safety stock (500) and projected out of stock in 2027-W12.',
    );
  });

  it('projects from an older count with the shipments since, and stops where the plan ends', () => {
    const a = actuals(1000, 250);
    a.families['F']!['2027-W08'] = { orders: 900, shipments: 700 };
    // 1000 + 200 - 700 = 500 at W08 (not below); the last 4 weeks' orders (250 x 3 + 900) ran
    // 37.5% above their plan (300 x 4), so 412.5 go out in W09: 500 + 200 - 412.5 = 287.5.
    const alert = run({ plans: [plan], actuals: a, asOf: '2027-W08' }).find((x) => x.kind !== 'demand-band');
    expect(alert).toMatchObject({ key: 'stock:F:2027-W09', measured: 287.5 });
    expect(alert!.what).toContain(
      'at planned production and demand 38% above the plan, as over the last 4 weeks.',
    );
    const short = familyPlan('F', weeksFrom('2027-W01', 8), { ...plan.weeks['2027-W01'] });
    expect(run({ plans: [short], actuals: actuals(1000, 250), asOf: '2027-W07' })).toEqual([]);
  });
});

describe('disruptions', () => {
  const weeks = weeksFrom('2027-W01', 12);
  const line = { ...resourcePlan('L1', weeks, 900, 1000), name: 'Line 1' };
  const breakdown: Disruption = {
    id: 'd1',
    resource: 'L1',
    from: '2027-02-15',
    to: '2027-02-26',
    capacityLost: { share: 0.4 },
    note: 'Press 2 broke down.',
  };

  it('alerts with the capacity lost over its working weeks and what the plan cannot absorb', () => {
    const alerts = run({ resources: [line], disruptions: [breakdown], resourceMargin: { L1: 3 } });
    expect(alerts).toEqual([
      {
        key: 'disruption:d1',
        kind: 'disruption',
        subject: { type: 'resource', id: 'L1' },
        week: '2027-W07',
        owner: 'operations',
        severity: 'critical',
        measured: 1200,
        expected: 2000,
        change: -800,
        changePct: -40,
        // 400 lost a week, 100 spare a week.
        unitsAtRisk: 600,
        moneyAtStake: 1800,
        what:
          'Line 1 loses 40% of its capacity from 2027-02-15 to 2027-02-26 (2.0 working weeks), about 800 units, ' +
          '600 more than the plan leaves spare; reported: "Press 2 broke down".',
      },
    ]);
  });

  it('counts part weeks by their working days, holidays included', () => {
    const cal = { ...plainWeeks, holidays: new Set(['2027-02-15']) };
    // Wednesday 17 to Monday 22 February, 200 units a week: 3 of 4 working days of week 7, 1 of 5 of week 8.
    const impact = disruptionImpact(
      { ...breakdown, from: '2027-02-17', to: '2027-02-22', capacityLost: { unitsPerWeek: 200 } },
      line,
      cal,
    );
    expect(impact.weeks.map((w) => [w.week, w.fraction, w.lost])).toEqual([
      ['2027-W07', 0.75, 150],
      ['2027-W08', 0.2, expect.closeTo(40, 9)],
    ]);
    expect(impact.short).toBeCloseTo(50, 9);
  });

  it('is a warning when the spare capacity absorbs it, and names procurement for a supplier', () => {
    const supplier = resourcePlan('S1', weeks, 500, 1000, 'procurement');
    const [alert] = run({
      resources: [supplier],
      disruptions: [{ ...breakdown, resource: 'S1', capacityLost: { unitsPerWeek: 300 }, note: '' }],
    });
    expect(alert).toMatchObject({ severity: 'warning', owner: 'procurement', unitsAtRisk: 0, change: -600 });
    expect(alert!.what).toBe(
      'S1 loses 300 units of capacity a week from 2027-02-15 to 2027-02-26 (2.0 working weeks), about 600 units, within the capacity the plan leaves spare.',
    );
  });

  it('refuses a disruption that cannot be read, and lists its problems', () => {
    const bad = { ...breakdown, to: '2027-02-01', capacityLost: { share: 1.5 } };
    expect(disruptionProblems(bad)).toEqual({
      to: 'must be on or after the first day',
      'capacityLost.share': 'must be more than 0 and at most 1 (all the capacity)',
    });
    expect(disruptionProblems(breakdown)).toEqual({});
    expect(() => run({ disruptions: [bad] })).toThrow(/disruption d1/);
  });
});

describe('money and order', () => {
  it('prices units at risk with the family margin or the resource margin', () => {
    const margins = { families: { F: 12 }, resources: new Map([['L1', 4]]) };
    expect(roughMoneyAtStake({ subject: { type: 'family', id: 'F' }, unitsAtRisk: 10 }, margins)).toBe(120);
    expect(roughMoneyAtStake({ subject: { type: 'resource', id: 'L1' }, unitsAtRisk: 10 }, margins)).toBe(40);
    expect(roughMoneyAtStake({ subject: { type: 'resource', id: 'L2' }, unitsAtRisk: 10 }, margins)).toBe(0);
    // An id that is a property of every object is not a margin.
    expect(
      roughMoneyAtStake({ subject: { type: 'family', id: 'constructor' }, unitsAtRisk: 10 }, margins),
    ).toBe(0);
  });

  it('orders by severity, then money, then key', () => {
    const weeks = weeksFrom('2027-W01', 12);
    const alerts = run({
      plans: [
        familyPlan('A', weeks, { inventory: 0 }, { unitMargin: 1 }),
        familyPlan('B', weeks, { inventory: 0 }),
      ],
      actuals: {
        families: {
          A: { '2027-W02': { orders: 1150 }, '2027-W03': { orders: 1500 } },
          B: { '2027-W02': { orders: 1150 }, '2027-W03': { orders: 600 } },
        },
        resources: {},
      },
    });
    expect(alerts.map((a) => [a.key, a.severity, a.moneyAtStake])).toEqual([
      ['band:A:2027-W03:above', 'critical', 400],
      ['band:B:2027-W02:above', 'warning', 500],
      ['band:A:2027-W02:above', 'warning', 50],
      ['band:B:2027-W03:below', 'warning', 0],
    ]);
  });

  it('refuses an asOf that is not an ISO week and thresholds out of range', () => {
    expect(() => run({ asOf: '2027-07' })).toThrow(RangeError);
    expect(() => run({ horizonWeeks: 0 })).toThrow(RangeError);
    expect(() => run({ trackingLimit: -1 })).toThrow(RangeError);
    expect(() => run({ biasWindowWeeks: 3 })).toThrow(RangeError);
    expect(() => run({ minBiasShare: Number.NaN })).toThrow(RangeError);
  });
});

describe('a scripted quarter', () => {
  // January to March 2027, phased by working days, with New Year's Day and Good Friday off.
  const cal: WorkCalendar = { ...plainWeeks, holidays: new Set(['2027-01-01', '2027-03-26']) };
  const months = ['2027-01', '2027-02', '2027-03'];
  const family = (id: string, monthly: number) =>
    phaseFamilyPlan(
      {
        family: id,
        owner: 'sales',
        unitMargin: 10,
        safetyStock: monthly / 8,
        months: months.map((period) => ({
          period,
          p10: monthly * 0.75,
          p50: monthly,
          p90: monthly * 1.25,
          consensus: monthly,
          production: monthly,
          inventory: monthly,
        })),
      },
      cal,
    );
  const plans = [family('FAM1', 4000), family('FAM2', 8000), family('FAM3', 2000)];
  const line = (id: string, monthlyLoad: number, monthlyCapacity: number): ResourcePlanWeekly => {
    const load = weeklyPlan(Object.fromEntries(months.map((m) => [m, monthlyLoad])), cal);
    const capacity = weeklyPlan(Object.fromEntries(months.map((m) => [m, monthlyCapacity])), cal);
    return {
      resource: id,
      owner: 'operations',
      weeks: Object.fromEntries(
        Object.keys(load).map((w) => [w, { load: load[w]!, capacity: capacity[w]! }]),
      ),
    };
  };
  const resources = [line('L1', 10000, 12000), line('L2', 4000, 5000)];
  const weeks = weeksFrom('2027-W01', 12);
  const breakdown: Disruption = {
    id: 'brk-1',
    resource: 'L1',
    from: '2027-02-08',
    to: '2027-02-19',
    capacityLost: { share: 0.3 },
    note: 'Line 1 gearbox failure',
  };

  /** The actuals up to a week: small alternating noise; FAM1 doubles in week 7; FAM2 8% above plan every week. */
  function actualsTo(asOf: string): WeeklyActuals {
    const out: WeeklyActuals = { families: {}, resources: {} };
    for (const p of plans) {
      const rows: WeeklyActuals['families'][string] = {};
      let onHand = p.weeks['2027-W01']!.inventory;
      weeks
        .filter((w) => w <= asOf)
        .forEach((w, k) => {
          const planned = p.weeks[w]!;
          let orders = planned.plan * (1 + (k % 2 ? 0.03 : -0.03));
          if (p.family === 'FAM1' && w === '2027-W07') orders = planned.plan * 2;
          if (p.family === 'FAM2') orders = planned.plan * 1.08;
          onHand += planned.production - orders;
          rows[w] = { orders, shipments: orders, onHand };
        });
      out.families[p.family] = rows;
    }
    for (const r of resources) {
      const rows: WeeklyActuals['resources'][string] = {};
      weeks
        .filter((w) => w <= asOf)
        .forEach((w, k) => {
          const load = r.weeks[w]!.load;
          // L1 makes 30% less during its breakdown; L2 runs 5% above plan, under the 10% that alerts.
          const factor = r.resource === 'L1' ? (w === '2027-W06' || w === '2027-W07' ? 0.7 : 1) : 1.05;
          rows[w] = { produced: load * factor * (1 + (k % 2 ? 0.01 : -0.01)) };
        });
      out.resources[r.resource] = rows;
    }
    return out;
  }

  const weekly = (asOf: string) =>
    detectVariances({
      plans,
      resources,
      actuals: actualsTo(asOf),
      disruptions: asOf >= '2027-W06' ? [breakdown] : [],
      asOf,
      calendar: cal,
    });

  it('raises the spike, the breakdown and the slow bias, each exactly once over the quarter', () => {
    const raised: { key: string; asOf: string }[] = [];
    const seen = new Set<string>();
    for (const asOf of weeks.slice(1)) {
      for (const alert of weekly(asOf)) {
        if (seen.has(alert.key)) continue;
        seen.add(alert.key);
        raised.push({ key: alert.key, asOf });
      }
    }
    expect(raised).toEqual([
      { key: 'bias:FAM2:+', asOf: '2027-W05' },
      { key: 'disruption:brk-1', asOf: '2027-W06' },
      { key: 'band:FAM1:2027-W07:above', asOf: '2027-W07' },
    ]);
  });

  it('gives the same alerts on a re-run with the same data', () => {
    const first = weekly('2027-W08');
    const again = weekly('2027-W08');
    expect(again).toEqual(first);
    expect(keys(first).filter((k) => k.startsWith('band:'))).toEqual(['band:FAM1:2027-W07:above']);
  });

  it('does not call a line producing 30% below plan over plan', () => {
    const alerts = weekly('2027-W07');
    expect(alerts.filter((a) => a.kind === 'resource-over-plan')).toEqual([]);
    expect(alerts.find((a) => a.kind === 'disruption')).toMatchObject({
      subject: { type: 'resource', id: 'L1' },
      owner: 'operations',
      changePct: -30,
    });
  });
});

describe('alert keys (property)', () => {
  it('are unique in any run, and the order is deterministic', () => {
    const weeks = weeksFrom('2027-W01', 10);
    const arbWeekly = fc.record({
      orders: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
      onHand: fc.option(fc.integer({ min: -500, max: 3000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('A', 'B', 'C'), { maxLength: 5 }),
        fc.array(fc.array(arbWeekly, { minLength: 10, maxLength: 10 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 10, maxLength: 10 }),
        fc.array(fc.constantFrom('x', 'y'), { maxLength: 3 }),
        fc.constantFrom(...weeks),
        (familyIds, rows, produced, disruptionIds, asOf) => {
          const input: DetectInput = {
            plans: familyIds.map((id) => familyPlan(id, weeks, { production: 800 })),
            resources: [resourcePlan('L1', weeks, 1000, 1200), resourcePlan('L1', weeks, 500, 600)],
            actuals: {
              families: Object.fromEntries(
                ['A', 'B', 'C'].map((id, i) => [
                  id,
                  Object.fromEntries(weeks.map((w, k) => [w, rows[i]![k]!])),
                ]),
              ),
              resources: { L1: Object.fromEntries(weeks.map((w, k) => [w, { produced: produced[k]! }])) },
            },
            disruptions: disruptionIds.map((id) => ({
              id,
              resource: 'L1',
              from: '2027-01-11',
              to: '2027-01-20',
              capacityLost: { share: 0.5 },
              note: '',
            })),
            asOf,
          };
          const alerts = detectVariances(input);
          expect(new Set(keys(alerts)).size).toBe(alerts.length);
          expect(keys(detectVariances(input))).toEqual(keys(alerts));
          for (const a of alerts) expect(a.what).toMatch(/^[A-Z].*\.$/);
        },
      ),
      { numRuns: 150 },
    );
  });
});
