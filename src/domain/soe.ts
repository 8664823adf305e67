/**
 * Sales and Operations Execution (S&OE): the weekly loop inside the month. The month's plan phased
 * into ISO weeks by working days, and the variances between the weekly actuals (orders, shipments,
 * on hand, production) and that plan that deserve a person's attention: orders outside the
 * P10-P90 band, a bias the tracking signal sees, a resource producing above plan, stock heading
 * below safety stock within the horizon, a reported disruption. Each alert carries a stable key
 * (the same variance has the same key run after run, so the caller alerts once), what moved and by
 * how much in a sentence, who owns it, and a first estimate of the money at stake.
 * Pure and synchronous: plans, actuals and disruptions come in, alerts go out.
 */
import { isBusinessDay, type WorkCalendar } from './calendar.js';
import { fmt } from './plan.js';
import { isValidIsoDate, isValidIsoMonth } from './time.js';

// ---------------------------------------------------------------------------------------------
// ISO weeks

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** `YYYY-Www`, an ISO 8601 week (Monday to Sunday; week 1 holds the year's first Thursday). */
export const ISO_WEEK = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;

const isoDateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dateMs = (isoDate: string): number =>
  Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10)));
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function isoWeekOfMs(ms: number): string {
  const dayFromMonday = (new Date(ms).getUTCDay() + 6) % 7;
  const thursday = ms + (3 - dayFromMonday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return `${year}-W${pad2(1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS))}`;
}

/** Whether `week` is a real ISO week `YYYY-Www` (week 53 only in the years that have one). */
export function isValidIsoWeek(week: string): boolean {
  if (!ISO_WEEK.test(week)) return false;
  let valid = validWeeks.get(week);
  if (valid === undefined) validWeeks.set(week, (valid = isoWeekOfMs(mondayMs(week)) === week));
  return valid;
}
/** Weeks already checked (at most 53 per year of the format's 10,000). */
const validWeeks = new Map<string, boolean>();

function mondayMs(week: string): number {
  const year = Number(week.slice(0, 4));
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return mondayOfWeek1 + (Number(week.slice(6)) - 1) * WEEK_MS;
}

function checkedWeek(week: string, what: string): string {
  if (!isValidIsoWeek(week)) throw new RangeError(`${what} must be an ISO week as YYYY-Www, got ${week}`);
  return week;
}

/** The ISO week (`YYYY-Www`) a date `YYYY-MM-DD` falls in. */
export function isoWeekOf(isoDate: string): string {
  if (!isValidIsoDate(isoDate)) throw new RangeError(`not a date as YYYY-MM-DD: ${isoDate}`);
  return isoWeekOfMs(dateMs(isoDate));
}

/** The Monday (`YYYY-MM-DD`) that starts an ISO week. */
export function mondayOf(week: string): string {
  return isoDateOf(mondayMs(checkedWeek(week, 'week')));
}

/** The ISO week `n` weeks after `week` (negative: before). */
export function addWeeks(week: string, n: number): string {
  return isoWeekOfMs(mondayMs(checkedWeek(week, 'week')) + n * WEEK_MS);
}

/** Whole weeks from `from` to `to` (negative when `to` is earlier). */
export function weeksBetween(from: string, to: string): number {
  return Math.round((mondayMs(checkedWeek(to, 'week')) - mondayMs(checkedWeek(from, 'week'))) / WEEK_MS);
}

// ---------------------------------------------------------------------------------------------
// Phasing the month's plan into weeks

/** One ISO week touching a month: the month's working days in it and its share of them. */
export interface MonthWeek {
  week: string;
  workingDays: number;
  share: number;
}

/** Per calendar, each month's weeks (a calendar is immutable once built: the org's holidays). */
const monthWeeksCache = new WeakMap<WorkCalendar, Map<string, readonly MonthWeek[]>>();

function monthWeeks(month: string, cal: WorkCalendar): readonly MonthWeek[] {
  let perCal = monthWeeksCache.get(cal);
  if (!perCal) monthWeeksCache.set(cal, (perCal = new Map<string, readonly MonthWeek[]>()));
  const cached = perCal.get(month);
  if (cached) return cached;
  if (!isValidIsoMonth(month)) throw new RangeError(`month must be YYYY-MM, got ${month}`);
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const first = Date.UTC(year, m - 1, 1);
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  const weeks: { week: string; workingDays: number; days: number }[] = [];
  for (let d = 0; d < days; d++) {
    const ms = first + d * DAY_MS;
    const week = isoWeekOfMs(ms);
    let last = weeks[weeks.length - 1];
    if (!last || last.week !== week) weeks.push((last = { week, workingDays: 0, days: 0 }));
    last.days++;
    if (isBusinessDay(isoDateOf(ms), cal)) last.workingDays++;
  }
  const working = weeks.reduce((s, w) => s + w.workingDays, 0);
  // A month without a working day (a calendar closing it entirely) is phased by calendar days, so
  // its plan is not lost.
  const shares = weeks.map((w) => (working > 0 ? w.workingDays / working : w.days / days));
  // The last week with a share takes what rounding left, so the shares add up to exactly 1.
  const lastWithShare = shares.findLastIndex((s) => s > 0);
  shares[lastWithShare] = 1 - shares.reduce((s, x, i) => (i === lastWithShare ? s : s + x), 0);
  const out = weeks.map((w, i) =>
    Object.freeze({ week: w.week, workingDays: w.workingDays, share: shares[i]! }),
  );
  perCal.set(month, Object.freeze(out));
  return out;
}

/**
 * The ISO weeks touching `month` (`YYYY-MM`), in order, each with the month's working days that
 * fall in it (the org's weekend and holidays excluded) and its share of the month's working days.
 * The shares add up to 1; a week holding only the month's weekend has share 0. A month with no
 * working day at all is shared by calendar days instead.
 */
export function isoWeeksOfMonth(month: string, cal: WorkCalendar): MonthWeek[] {
  return monthWeeks(month, cal).map((w) => ({ ...w }));
}

/** A monthly quantity split over the month's weeks by their shares: week -> part. */
export function phaseMonthly(
  value: number,
  weeks: readonly { week: string; share: number }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of weeks) out[w.week] = (out[w.week] ?? 0) + value * w.share;
  return out;
}

/** Per calendar, each week's working days (asked for every week of every family a check phases). */
const weekWorkingDaysCache = new WeakMap<WorkCalendar, Map<string, number>>();

/** The working days of an ISO week (Monday to Sunday) on the calendar. */
function weekWorkingDays(week: string, cal: WorkCalendar): number {
  let perCal = weekWorkingDaysCache.get(cal);
  if (!perCal) weekWorkingDaysCache.set(cal, (perCal = new Map<string, number>()));
  const cached = perCal.get(week);
  if (cached !== undefined) return cached;
  const monday = mondayMs(week);
  let n = 0;
  for (let i = 0; i < 7; i++) if (isBusinessDay(isoDateOf(monday + i * DAY_MS), cal)) n++;
  perCal.set(week, n);
  return n;
}

/**
 * Whether the plan's months hold all of a week's working days, given the working days they put in
 * it: the first week of a horizon starting mid-week (April 2027 starts on a Thursday) holds only
 * part of that week's plan, and would read a whole week of actuals as far above it.
 */
const wholeWeek = (week: string, covered: number, cal: WorkCalendar) => covered >= weekWorkingDays(week, cal);

/**
 * A monthly plan (month -> value) as a weekly one (week -> value): each month phased by working
 * days, a week spanning two months taking its part of each. Weeks in order; a week partly outside
 * the plan's months (at either end of the horizon) is left out, as the plan does not say all of it.
 */
export function weeklyPlan(
  monthly: Readonly<Record<string, number>>,
  cal: WorkCalendar,
): Record<string, number> {
  const sums = new Map<string, { value: number; covered: number }>();
  for (const month of Object.keys(monthly).sort()) {
    const value = monthly[month]!;
    for (const w of monthWeeks(month, cal)) {
      const x = sums.get(w.week) ?? { value: 0, covered: 0 };
      x.value += value * w.share;
      x.covered += w.workingDays;
      sums.set(w.week, x);
    }
  }
  return Object.fromEntries(
    [...sums.entries()]
      .filter(([week, x]) => wholeWeek(week, x.covered, cal))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([week, x]) => [week, x.value]),
  );
}

/** One month of a family's plan as the pack holds it (FamilyDetail's months). */
export interface MonthlyFamilyPlan {
  period: string;
  p10: number;
  p50: number;
  p90: number;
  /** The consensus demand: the plan. */
  consensus: number;
  production: number;
  /** Demand the plan serves (default: the consensus). */
  supplied?: number;
  /** Inventory at the month's end. */
  inventory: number;
}

/**
 * How a month's P10-P90 band is split into weeks. `independent` (the default): the weeks' errors
 * are taken as independent, so a week's distance from its P50 is the month's times the square root
 * of its share (a week's demand is relatively more uncertain than a month's). `linear`: the band's
 * ends phased like the plan (as if a month's weeks all erred together: a narrower band, more alerts).
 */
export type BandPhasing = 'independent' | 'linear';

/**
 * A family's monthly plan as a weekly one: demand band, plan and production phased by working days
 * (see weeklyPlan); inventory at each week's end carried from the first month's opening stock
 * (its end inventory - production + supplied) week by week, production in and supplied out. A week
 * partly outside the plan's months is left out (its stock still carried).
 */
export function phaseFamilyPlan(
  family: Omit<FamilyPlanWeekly, 'weeks'> & { months: readonly MonthlyFamilyPlan[] },
  cal: WorkCalendar,
  band: BandPhasing = 'independent',
): FamilyPlanWeekly {
  const months = [...family.months].sort((a, b) => byWeek(a.period, b.period));
  interface Acc {
    p50: number;
    up: number;
    down: number;
    plan: number;
    production: number;
    out: number;
    covered: number;
  }
  const acc = new Map<string, Acc>();
  for (const m of months) {
    const up = Math.max(0, m.p90 - m.p50);
    const down = Math.max(0, m.p50 - m.p10);
    for (const w of monthWeeks(m.period, cal)) {
      let a = acc.get(w.week);
      if (!a) acc.set(w.week, (a = { p50: 0, up: 0, down: 0, plan: 0, production: 0, out: 0, covered: 0 }));
      a.covered += w.workingDays;
      a.p50 += m.p50 * w.share;
      a.up += band === 'linear' ? up * w.share : up * up * w.share;
      a.down += band === 'linear' ? down * w.share : down * down * w.share;
      a.plan += m.consensus * w.share;
      a.production += m.production * w.share;
      a.out += (m.supplied ?? m.consensus) * w.share;
    }
  }
  const first = months[0];
  let inventory = first ? first.inventory - first.production + (first.supplied ?? first.consensus) : 0;
  const weeks: FamilyPlanWeekly['weeks'] = {};
  for (const [week, a] of [...acc.entries()].sort(([x], [y]) => byWeek(x, y))) {
    inventory += a.production - a.out;
    // A week the plan holds only part of (the horizon's first or last) carries the stock, but has no plan.
    if (!wholeWeek(week, a.covered, cal)) continue;
    const up = band === 'linear' ? a.up : Math.sqrt(a.up);
    const down = band === 'linear' ? a.down : Math.sqrt(a.down);
    weeks[week] = {
      p10: Math.max(0, a.p50 - down),
      p50: a.p50,
      p90: a.p50 + up,
      plan: a.plan,
      production: a.production,
      inventory,
    };
  }
  const { months: _months, ...rest } = family;
  return { ...rest, weeks };
}

// ---------------------------------------------------------------------------------------------
// Plans, actuals, disruptions

/** A family's plan, week by week (quantities per week; inventory at the week's end). */
export interface FamilyPlanWeekly {
  family: string;
  /** How sentences name the family (default: its id). */
  name?: string;
  /** The function owning the family's demand, e.g. 'sales'. */
  owner: string;
  unitMargin: number;
  safetyStock: number;
  weeks: Record<
    string,
    { p10: number; p50: number; p90: number; plan: number; production: number; inventory: number }
  >;
}

/** A resource's plan, week by week: the load the plan puts on it and its capacity. */
export interface ResourcePlanWeekly {
  resource: string;
  /** How sentences name the resource (default: its id). */
  name?: string;
  /** 'operations' for lines, 'procurement' for suppliers. */
  owner: string;
  weeks: Record<string, { load: number; capacity: number }>;
}

/** Weekly actuals: family -> week -> values, resource -> week -> values. */
export interface WeeklyActuals {
  families: Record<string, Record<string, { orders?: number; shipments?: number; onHand?: number }>>;
  resources: Record<string, Record<string, { produced?: number }>>;
}

/** Capacity a resource loses for a while, as people report it. */
export interface Disruption {
  id: string;
  resource: string;
  /** First and last day lost, `YYYY-MM-DD` (both included). */
  from: string;
  to: string;
  /** The share of capacity lost (0-1), or the units of capacity lost per week (this wins when both are given). */
  capacityLost: { share?: number; unitsPerWeek?: number };
  note: string;
}

/** What is wrong with a reported disruption, as field path -> message (empty when it is usable). */
export function disruptionProblems(d: Disruption): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!d.id) problems['id'] = 'must not be empty';
  if (!d.resource) problems['resource'] = 'must name a resource';
  if (!isValidIsoDate(d.from)) problems['from'] = 'must be a real date as YYYY-MM-DD';
  if (!isValidIsoDate(d.to)) problems['to'] = 'must be a real date as YYYY-MM-DD';
  else if (isValidIsoDate(d.from) && d.to < d.from) problems['to'] = 'must be on or after the first day';
  else if (isValidIsoDate(d.from) && dateMs(d.to) - dateMs(d.from) > MAX_DISRUPTION_DAYS * DAY_MS)
    problems['to'] = `must be within ${MAX_DISRUPTION_DAYS} days of the first day`;
  const { share, unitsPerWeek } = d.capacityLost;
  if (share === undefined && unitsPerWeek === undefined)
    problems['capacityLost'] = 'must give the share of capacity lost or the units lost per week';
  if (share !== undefined && !(Number.isFinite(share) && share > 0 && share <= 1))
    problems['capacityLost.share'] = 'must be more than 0 and at most 1 (all the capacity)';
  if (unitsPerWeek !== undefined && !(Number.isFinite(unitsPerWeek) && unitsPerWeek > 0))
    problems['capacityLost.unitsPerWeek'] = 'must be a positive number of units';
  return problems;
}

/** The longest disruption counted: about three years. */
export const MAX_DISRUPTION_DAYS = 1100;

// ---------------------------------------------------------------------------------------------
// Alerts

export type SoeAlertKind =
  'demand-band' | 'bias' | 'resource-over-plan' | 'inventory-below-safety' | 'disruption';
export type SoeSeverity = 'info' | 'warning' | 'critical';

/** One variance worth a person's attention. */
export interface SoeAlert {
  /**
   * Stable deduplication key: the same variance has the same key run after run.
   * `band:<family>:<week>:above|below`, `bias:<family>:+|-`, `load:<resource>:<week>`,
   * `stock:<family>:<week it crosses below safety stock>`, `disruption:<id>`.
   */
  key: string;
  kind: SoeAlertKind;
  subject: { type: 'family' | 'resource'; id: string };
  /** The week the variance is in (bias: the last week counted; stock: the crossing week; disruption: its first week). */
  week: string;
  /** The function that owns the answer (sales, operations, procurement...). */
  owner: string;
  severity: SoeSeverity;
  measured: number;
  /** The plan it is compared to. */
  expected: number;
  /** The band it is compared to (demand-band: P10-P90). */
  band?: { low: number; high: number };
  /** measured - expected, signed. */
  change: number;
  /** change / expected in percent (38 = 38 % above), null when nothing was expected. */
  changePct: number | null;
  /** The units whose margin is at stake (see roughMoneyAtStake). */
  unitsAtRisk: number;
  /** A first estimate of the margin at stake; a re-plan may replace it. */
  moneyAtStake: number;
  /** One plain sentence: what moved and by how much. */
  what: string;
}

/** Weeks of orders a tracking signal needs before it may alert. */
export const MIN_BIAS_WEEKS = 4;
/** Weeks of orders the recent run-rate averages. */
export const RUN_RATE_WEEKS = 4;
/** An on-hand count older than this (weeks before asOf) is too stale to project stock from. */
export const MAX_ON_HAND_AGE_WEEKS = 26;
/** The owner of stock alerts: supply answers for inventory. */
export const STOCK_OWNER = 'operations';
/** The owner of a disruption on a resource no plan names. */
export const DEFAULT_RESOURCE_OWNER = 'operations';

export interface DetectInput {
  plans: FamilyPlanWeekly[];
  resources: ResourcePlanWeekly[];
  actuals: WeeklyActuals;
  disruptions: Disruption[];
  /** The last complete week: actuals after it are ignored, the horizon starts after it. */
  asOf: string;
  /** Weeks after asOf over which stock is projected (default 8). */
  horizonWeeks?: number;
  /** |tracking signal| beyond which a bias alerts (default 4). */
  trackingLimit?: number;
  /** The tracking signal counts at most this many of the latest weeks (default 13, a quarter). */
  biasWindowWeeks?: number;
  /**
   * A bias alerts only when the orders over those weeks are off the plan by more than this share of
   * it (default 0.05): under weekly noise the tracking signal alone passes 4 for many unbiased
   * families (see bench/README.md, bench/soe).
   */
  minBiasShare?: number;
  /**
   * And the weeks' mean error is at least this many standard errors from 0 (Student's t, default
   * 3): a bias stands out of the weekly noise.
   */
  minBiasT?: number;
  /** A resource alerts when its produced load is above plan by more than this share (default 0.1). */
  overPlanShare?: number;
  /** Resource -> average unit margin of the families it serves (money at stake of its alerts; default 0). */
  resourceMargin?: Record<string, number>;
  /** The org's calendar: which days of a disruption are working days (default: Monday to Friday). */
  calendar?: WorkCalendar;
}

const MONDAY_TO_FRIDAY: WorkCalendar = { timezone: 'UTC', holidays: new Set(), weekend: [6, 7] };

/** The margins money at stake is counted with. */
export interface Margins {
  /** Family -> unit margin. */
  families: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Resource -> average unit margin of the families it serves. */
  resources: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

function own<T>(rec: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function marginOf(m: Margins['families'], id: string): number {
  const v =
    m instanceof Map ? (m as ReadonlyMap<string, number>).get(id) : own(m as Record<string, number>, id);
  return v !== undefined && Number.isFinite(v) ? v : 0;
}

/**
 * A first estimate of the money at stake: the alert's units at risk times the unit margin of its
 * family, or of the families its resource serves. What the units at risk are, per kind:
 * - demand-band above: orders above the P90 beyond what the planned inventory above safety stock
 *   covers that week (below the band: 0; excess stock is not priced here);
 * - bias above plan: the average weekly excess over the horizon, beyond the stock above safety
 *   stock (below plan: 0);
 * - resource-over-plan: units produced above capacity;
 * - inventory-below-safety: units the projection runs out of stock by (below zero), at its lowest;
 * - disruption: capacity lost beyond the plan's spare capacity in those weeks.
 */
export function roughMoneyAtStake(
  alert: Pick<SoeAlert, 'subject' | 'unitsAtRisk'>,
  margins: Margins,
): number {
  const margin =
    alert.subject.type === 'family'
      ? marginOf(margins.families, alert.subject.id)
      : marginOf(margins.resources, alert.subject.id);
  return Math.max(0, alert.unitsAtRisk) * margin;
}

type Draft = Omit<SoeAlert, 'moneyAtStake'>;

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
/** A tolerance for phased plans: 1,100 phased back from months may read 1,099.9999999. */
const above = (v: number, limit: number) => v > limit + 1e-9 * Math.max(1, Math.abs(limit));
const below = (v: number, limit: number) => v < limit - 1e-9 * Math.max(1, Math.abs(limit));
const pctOf = (change: number, expected: number): number | null =>
  expected !== 0 ? (100 * change) / Math.abs(expected) : null;
const pctText = (pct: number | null, change: number, of: string): string =>
  pct === null
    ? `${change >= 0 ? 'above' : 'below'} ${of}`
    : `${Math.round(Math.abs(pct))}% ${change >= 0 ? 'above' : 'below'} ${of}`;
const byWeek = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Weeks (up to asOf) with a finite value of `field`, in order. */
function weeksWith<T extends Record<string, number | undefined>>(
  rows: Record<string, T> | undefined,
  field: keyof T,
  asOf: string,
): string[] {
  if (!rows) return [];
  return Object.keys(rows)
    .filter((w) => w <= asOf && finite(rows[w]![field]) && isValidIsoWeek(w))
    .sort(byWeek);
}

function familyAlerts(
  plan: FamilyPlanWeekly,
  rows: Record<string, { orders?: number; shipments?: number; onHand?: number }> | undefined,
  o: {
    asOf: string;
    horizonWeeks: number;
    trackingLimit: number;
    biasWindowWeeks: number;
    minBiasShare: number;
    minBiasT: number;
  },
): Draft[] {
  const out: Draft[] = [];
  const name = plan.name ?? plan.family;
  const subject = { type: 'family' as const, id: plan.family };
  const orderWeeks = weeksWith(rows, 'orders', o.asOf);
  const ss = plan.safetyStock;

  // Demand band.
  for (const w of orderWeeks) {
    const p = own(plan.weeks, w);
    if (!p) continue;
    const orders = rows![w]!.orders!;
    const isAbove = above(orders, p.p90);
    if (!isAbove && !below(orders, p.p10)) continue;
    const change = orders - p.plan;
    const beyond = isAbove ? orders - p.p90 : p.p10 - orders;
    const width = Math.max(p.p90 - p.p10, 0.1 * Math.abs(p.p50), 1);
    out.push({
      key: `band:${plan.family}:${w}:${isAbove ? 'above' : 'below'}`,
      kind: 'demand-band',
      subject,
      week: w,
      owner: plan.owner,
      severity: beyond > width / 2 ? 'critical' : 'warning',
      measured: orders,
      expected: p.plan,
      band: { low: p.p10, high: p.p90 },
      change,
      changePct: pctOf(change, p.plan),
      unitsAtRisk: isAbove ? Math.max(0, beyond - Math.max(0, p.inventory - ss)) : 0,
      what:
        `Orders of ${name} were ${fmt(orders)} in ${w}, ${pctText(pctOf(change, p.plan), change, `the plan (${fmt(p.plan)})`)} ` +
        `and ${isAbove ? `above the P90 (${fmt(p.p90)})` : `below the P10 (${fmt(p.p10)})`}.`,
    });
  }

  // Latest on hand, and the cover it gives above safety stock.
  const onHandWeeks = weeksWith(rows, 'onHand', o.asOf);
  const onHandWeek = onHandWeeks[onHandWeeks.length - 1];
  const onHand = onHandWeek !== undefined ? rows![onHandWeek]!.onHand! : undefined;

  // Bias: tracking signal over the last weeks with orders inside their band (a week outside it has
  // its own alert; counted here, one spike would read as a bias for weeks after).
  const planned = orderWeeks
    .filter((w) => {
      const p = own(plan.weeks, w);
      const orders = rows![w]!.orders!;
      return p !== undefined && !above(orders, p.p90) && !below(orders, p.p10);
    })
    .slice(-o.biasWindowWeeks);
  if (planned.length >= MIN_BIAS_WEEKS) {
    let sumError = 0;
    let sumSquares = 0;
    let sumAbs = 0;
    let sumOrders = 0;
    let sumPlan = 0;
    for (const w of planned) {
      const orders = rows![w]!.orders!;
      const p = plan.weeks[w]!.plan;
      sumError += orders - p;
      sumSquares += (orders - p) ** 2;
      sumAbs += Math.abs(orders - p);
      sumOrders += orders;
      sumPlan += p;
    }
    const mad = sumAbs / planned.length;
    const signal = mad > 0 ? sumError / mad : 0;
    // The mean error against its standard error (Student's t): weekly noise alone often carries
    // the tracking signal past its limit over a quarter; a bias also stands out of the noise.
    const n = planned.length;
    const mean = sumError / n;
    const variance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
    const t = variance > 0 ? mean / Math.sqrt(variance / n) : mean !== 0 ? Infinity : 0;
    if (
      Math.abs(signal) > o.trackingLimit &&
      Math.abs(sumError) > o.minBiasShare * Math.abs(sumPlan) &&
      Math.abs(t) > o.minBiasT
    ) {
      const up = signal > 0;
      const last = planned[planned.length - 1]!;
      const cover = Math.max(0, (onHand ?? own(plan.weeks, last)?.inventory ?? 0) - ss);
      const pct = pctOf(sumError, sumPlan);
      out.push({
        key: `bias:${plan.family}:${up ? '+' : '-'}`,
        kind: 'bias',
        subject,
        week: last,
        owner: plan.owner,
        severity: Math.abs(signal) > 1.5 * o.trackingLimit ? 'critical' : 'warning',
        measured: sumOrders,
        expected: sumPlan,
        change: sumError,
        changePct: pct,
        unitsAtRisk: up ? Math.max(0, (sumError / planned.length) * o.horizonWeeks - cover) : 0,
        what:
          `Orders of ${name} ran ${pctText(pct, sumError, 'the plan')} over the ${planned.length} weeks to ${last} ` +
          `(${fmt(sumOrders)} against ${fmt(sumPlan)}), a tracking signal of ${signal.toFixed(1)} against a limit of ${o.trackingLimit}.`,
      });
    }
  }

  // Stock heading below safety stock within the horizon.
  if (
    onHandWeek !== undefined &&
    onHand !== undefined &&
    weeksBetween(onHandWeek, o.asOf) <= MAX_ON_HAND_AGE_WEEKS
  ) {
    // The recent pace: the last weeks' orders against their plan, so a holiday week (less planned)
    // is not projected at a full week's orders. Without a plan for those weeks: orders a week.
    const recent = orderWeeks.slice(-RUN_RATE_WEEKS);
    const recentOrders = recent.reduce((s, w) => s + rows![w]!.orders!, 0);
    const recentPlan = recent.reduce((s, w) => s + (own(plan.weeks, w)?.plan ?? 0), 0);
    const pace = recentPlan > 0 ? Math.max(1, recentOrders / recentPlan) : 1;
    const runRate = recentPlan > 0 || !recent.length ? 0 : recentOrders / recent.length;
    const demandOf = (planned: number) => Math.max(planned * pace, runRate);
    const end = addWeeks(o.asOf, o.horizonWeeks);
    let inv = onHand;
    let crossing: { week: string; inventory: number } | undefined = below(inv, ss)
      ? { week: onHandWeek, inventory: inv }
      : undefined;
    let lowest = inv;
    let stockOut: string | undefined = below(inv, 0) ? onHandWeek : undefined;
    const steps = weeksBetween(onHandWeek, end);
    let w = onHandWeek;
    for (let k = 0; k < steps; k++) {
      w = addWeeks(w, 1);
      const p = own(plan.weeks, w);
      let leaving: number;
      if (w <= o.asOf) {
        const row = own(rows, w);
        leaving = finite(row?.shipments)
          ? row.shipments
          : finite(row?.orders)
            ? row.orders
            : demandOf(p?.plan ?? 0);
      } else {
        if (!p) break; // the plan ends: no projection beyond it
        leaving = demandOf(p.plan);
      }
      inv += (p?.production ?? 0) - leaving;
      if (!crossing && below(inv, ss)) crossing = { week: w, inventory: inv };
      if (stockOut === undefined && below(inv, 0)) stockOut = w;
      lowest = Math.min(lowest, inv);
    }
    if (crossing) {
      const change = crossing.inventory - ss;
      const already = crossing.week === onHandWeek;
      out.push({
        key: `stock:${plan.family}:${crossing.week}`,
        kind: 'inventory-below-safety',
        subject,
        week: crossing.week,
        owner: STOCK_OWNER,
        severity: stockOut !== undefined ? 'critical' : 'warning',
        measured: crossing.inventory,
        expected: ss,
        change,
        changePct: pctOf(change, ss),
        unitsAtRisk: Math.max(0, -lowest),
        what: already
          ? `On-hand stock of ${name} was ${fmt(onHand)} at the end of ${onHandWeek}, ${fmt(-change)} below its safety stock (${fmt(ss)})` +
            (stockOut !== undefined && stockOut !== onHandWeek
              ? ` and projected out of stock in ${stockOut}.`
              : '.')
          : `On-hand stock of ${name} (${fmt(onHand)} at the end of ${onHandWeek}) is projected to fall below its safety stock ` +
            `(${fmt(ss)}) in ${crossing.week}, to ${fmt(crossing.inventory)}` +
            (stockOut !== undefined ? `, and out of stock in ${stockOut},` : ',') +
            ` at planned production and demand ${
              runRate > 0
                ? `at the last ${recent.length} weeks' orders (${fmt(runRate)} a week) or the plan when higher`
                : pace > 1
                  ? `${Math.round(100 * (pace - 1))}% above the plan, as over the last ${recent.length} weeks`
                  : 'at the plan'
            }.`,
      });
    }
  }
  return out;
}

function resourceAlerts(
  plan: ResourcePlanWeekly,
  rows: Record<string, { produced?: number }> | undefined,
  o: { asOf: string; overPlanShare: number },
): Draft[] {
  const out: Draft[] = [];
  const name = plan.name ?? plan.resource;
  for (const w of weeksWith(rows, 'produced', o.asOf)) {
    const p = own(plan.weeks, w);
    if (!p) continue;
    const produced = rows![w]!.produced!;
    if (!above(produced, p.load * (1 + o.overPlanShare))) continue;
    const overCapacity = above(produced, p.capacity);
    const change = produced - p.load;
    out.push({
      key: `load:${plan.resource}:${w}`,
      kind: 'resource-over-plan',
      subject: { type: 'resource', id: plan.resource },
      week: w,
      owner: plan.owner,
      severity: overCapacity ? 'critical' : 'warning',
      measured: produced,
      expected: p.load,
      band: { low: 0, high: p.capacity },
      change,
      changePct: pctOf(change, p.load),
      unitsAtRisk: Math.max(0, produced - p.capacity),
      what:
        `${name} produced ${fmt(produced)} in ${w}, ${pctText(pctOf(change, p.load), change, `its planned load (${fmt(p.load)})`)}` +
        (overCapacity
          ? ` and above its capacity (${fmt(p.capacity)}).`
          : `, within its capacity (${fmt(p.capacity)}).`),
    });
  }
  return out;
}

/** A disruption week by week: the share of the week's working days lost, capacity lost and what the plan cannot absorb. */
export interface DisruptionImpact {
  weeks: { week: string; fraction: number; capacity: number; lost: number; short: number }[];
  /** Working weeks lost (sum of fractions). */
  workingWeeks: number;
  /** Planned capacity over the disrupted days. */
  capacity: number;
  lost: number;
  /** Capacity lost beyond the plan's spare capacity (capacity - load) in those weeks. */
  short: number;
}

/** What a disruption takes from its resource's plan, week by week (the disruption must be valid). */
export function disruptionImpact(
  d: Disruption,
  plan: ResourcePlanWeekly | undefined,
  cal: WorkCalendar = MONDAY_TO_FRIDAY,
): DisruptionImpact {
  const caps = plan ? Object.values(plan.weeks).map((x) => x.capacity) : [];
  const meanCapacity = caps.length ? caps.reduce((s, c) => s + c, 0) / caps.length : 0;
  const first = dateMs(d.from);
  const last = dateMs(d.to);
  const weeks: DisruptionImpact['weeks'] = [];
  // From the Monday of the first week to the Sunday of the last: each week's working days, and those lost.
  const start = first - ((new Date(first).getUTCDay() + 6) % 7) * DAY_MS;
  for (let monday = start; monday <= last; monday += WEEK_MS) {
    let working = 0;
    let lostDays = 0;
    for (let i = 0; i < 7; i++) {
      const ms = monday + i * DAY_MS;
      if (!isBusinessDay(isoDateOf(ms), cal)) continue;
      working++;
      if (ms >= first && ms <= last) lostDays++;
    }
    const week = isoWeekOfMs(monday);
    const p = plan ? own(plan.weeks, week) : undefined;
    const capacity = p?.capacity ?? meanCapacity;
    const fraction = working > 0 ? lostDays / working : 0;
    const perWeek = finite(d.capacityLost.unitsPerWeek)
      ? d.capacityLost.unitsPerWeek
      : Math.min(1, Math.max(0, d.capacityLost.share ?? 0)) * capacity;
    const lost = Math.min(capacity > 0 ? capacity : Infinity, perWeek) * fraction;
    const spare = Math.max(0, capacity - (p?.load ?? 0));
    weeks.push({ week, fraction, capacity: capacity * fraction, lost, short: Math.max(0, lost - spare) });
  }
  const sum = (f: (w: DisruptionImpact['weeks'][number]) => number) => weeks.reduce((s, w) => s + f(w), 0);
  return {
    weeks,
    workingWeeks: sum((w) => w.fraction),
    capacity: sum((w) => w.capacity),
    lost: sum((w) => w.lost),
    short: sum((w) => w.short),
  };
}

function disruptionAlert(d: Disruption, plan: ResourcePlanWeekly | undefined, cal: WorkCalendar): Draft {
  const problems = disruptionProblems(d);
  const firstProblem = Object.entries(problems)[0];
  if (firstProblem) throw new RangeError(`disruption ${d.id}: ${firstProblem[0]} ${firstProblem[1]}`);
  const impact = disruptionImpact(d, plan, cal);
  const name = plan?.name ?? d.resource;
  const how = finite(d.capacityLost.unitsPerWeek)
    ? `${fmt(d.capacityLost.unitsPerWeek)} units of capacity a week`
    : `${Math.round(100 * (d.capacityLost.share ?? 0))}% of its capacity`;
  const note = d.note.trim();
  return {
    key: `disruption:${d.id}`,
    kind: 'disruption',
    subject: { type: 'resource', id: d.resource },
    week: isoWeekOf(d.from),
    owner: plan?.owner ?? DEFAULT_RESOURCE_OWNER,
    severity: impact.short > 0 ? 'critical' : impact.lost > 0 ? 'warning' : 'info',
    measured: impact.capacity - impact.lost,
    expected: impact.capacity,
    change: -impact.lost,
    changePct: pctOf(-impact.lost, impact.capacity),
    unitsAtRisk: impact.short,
    what:
      `${name} loses ${how} from ${d.from} to ${d.to} (${impact.workingWeeks.toFixed(1)} working weeks), ` +
      `about ${fmt(impact.lost)} units, ` +
      (impact.short > 0
        ? `${fmt(impact.short)} more than the plan leaves spare`
        : `within the capacity the plan leaves spare`) +
      (note ? `; reported: "${note.replace(/[.\s]+$/, '')}".` : '.'),
  };
}

const SEVERITY_RANK: Record<SoeSeverity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * The variances between the weekly actuals up to `asOf` and the weekly plan, one alert each:
 * - demand-band: a week's orders outside its P10-P90 (critical when beyond it by more than half the band's width);
 * - bias: the tracking signal (cumulative orders - plan over their mean absolute error) over the
 *   last biasWindowWeeks weeks with orders inside their band, once there are at least
 *   MIN_BIAS_WEEKS, beyond ±trackingLimit (critical beyond 1.5 times it), and orders off the plan
 *   by more than minBiasShare over those weeks, their mean error more than minBiasT standard errors
 *   from 0; weeks outside the band have their own alert and
 *   are left out, so one spike does not read as a bias;
 * - resource-over-plan: a week's produced load above its planned load by more than overPlanShare
 *   (critical when also above capacity);
 * - inventory-below-safety: the latest on hand (at most MAX_ON_HAND_AGE_WEEKS old) projected week
 *   by week to horizonWeeks after asOf, or to the plan's end: planned production in; out, the
 *   plan, or the plan times the ratio of the last RUN_RATE_WEEKS weeks' orders to their plan when
 *   above 1 (for weeks up to asOf: shipments, else orders). It alerts on the first week below
 *   safety stock (critical when stock runs out within the horizon). The key names that crossing
 *   week: the alert repeats only when the projection moves the crossing to another week;
 * - disruption: every reported disruption, with the capacity it takes (critical when the plan's
 *   spare capacity does not absorb it).
 * Ordered by severity, then money at stake (largest first), then key.
 */
export function detectVariances(input: DetectInput): SoeAlert[] {
  const asOf = checkedWeek(input.asOf, 'asOf');
  const horizonWeeks = input.horizonWeeks ?? 8;
  const trackingLimit = input.trackingLimit ?? 4;
  const overPlanShare = input.overPlanShare ?? 0.1;
  const biasWindowWeeks = input.biasWindowWeeks ?? 13;
  const minBiasShare = input.minBiasShare ?? 0.05;
  const minBiasT = input.minBiasT ?? 3;
  if (!(Number.isFinite(minBiasT) && minBiasT >= 0))
    throw new RangeError(`minBiasT must be a number from 0, got ${minBiasT}`);
  if (!(Number.isFinite(minBiasShare) && minBiasShare >= 0))
    throw new RangeError(`minBiasShare must be a number from 0, got ${minBiasShare}`);
  if (!Number.isInteger(biasWindowWeeks) || biasWindowWeeks < MIN_BIAS_WEEKS)
    throw new RangeError(
      `biasWindowWeeks must be a whole number from ${MIN_BIAS_WEEKS}, got ${biasWindowWeeks}`,
    );
  if (!Number.isInteger(horizonWeeks) || horizonWeeks < 1 || horizonWeeks > 104)
    throw new RangeError(`horizonWeeks must be a whole number from 1 to 104, got ${horizonWeeks}`);
  if (!(Number.isFinite(trackingLimit) && trackingLimit > 0))
    throw new RangeError(`trackingLimit must be a positive number, got ${trackingLimit}`);
  if (!(Number.isFinite(overPlanShare) && overPlanShare >= 0))
    throw new RangeError(`overPlanShare must be a number from 0, got ${overPlanShare}`);

  const drafts: Draft[] = [];
  const familyMargins = new Map<string, number>();
  for (const plan of input.plans) {
    if (familyMargins.has(plan.family)) continue; // one plan per family: the first
    familyMargins.set(plan.family, plan.unitMargin);
    drafts.push(
      ...familyAlerts(plan, own(input.actuals.families, plan.family), {
        asOf,
        horizonWeeks,
        trackingLimit,
        biasWindowWeeks,
        minBiasShare,
        minBiasT,
      }),
    );
  }
  const resources = new Map<string, ResourcePlanWeekly>();
  for (const plan of input.resources) {
    if (resources.has(plan.resource)) continue;
    resources.set(plan.resource, plan);
    drafts.push(
      ...resourceAlerts(plan, own(input.actuals.resources, plan.resource), { asOf, overPlanShare }),
    );
  }
  const seen = new Set<string>();
  for (const d of input.disruptions) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    drafts.push(disruptionAlert(d, resources.get(d.resource), input.calendar ?? MONDAY_TO_FRIDAY));
  }

  const margins: Margins = { families: familyMargins, resources: input.resourceMargin ?? {} };
  return drafts
    .map((a): SoeAlert => ({ ...a, moneyAtStake: roughMoneyAtStake(a, margins) }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.moneyAtStake - a.moneyAtStake ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
}
