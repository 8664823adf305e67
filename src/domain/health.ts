/**
 * The health of the S&OP process, cycle by cycle: inputs on time, executive attendance, trade-offs
 * decided or deferred, decision latency, follow-through, forecast accuracy, bias and value added,
 * and the S&OE alerts between the meetings; and the trend of each measure over the cycles. Pure:
 * the facts of each cycle come in (read by the app from the records, mostly through the measures
 * that already exist: `followThrough`, `meetingKpis`, the track record's `valueAdded`; see the
 * `...Facts` helpers below), the KPIs go out.
 */
import type { FollowThrough, MeetingStep } from './meetings.js';
import { meetingKpis, type MeetingKpiInput } from './minutes.js';
import type { Score, ValueAdded } from './trackRecord.js';

/** What happened in one monthly cycle, as the health KPIs and the maturity stage read it. */
export interface CycleFacts {
  /** `YYYY-MM`. */
  month: string;
  /** The inputs owed this cycle that fell due: submitted by the step's due time, after it, or never. */
  inputs: { onTime: number; late: number; missing: number };
  /** The cycle's meetings (a meeting planned but not held has `held: false`). */
  meetings: {
    step: MeetingStep;
    held: boolean;
    executivesInvited: number;
    /** Executives present or represented by a delegate. */
    executivesPresent: number;
    itemsDecided: number;
    itemsDeferred: number;
    itemsEscalated: number;
    itemsNotReached: number;
  }[];
  /** The cycle's ballots: closed with a decision or not (no quorum, no majority, objected). */
  decisions: {
    decided: number;
    notDecided: number;
    /** Median hours from the trade-off framed (its pack built) to the decision. */
    medianLatencyHours: number | null;
  };
  /** The actions agreed on the cycle's decisions: done by their due time, after it, or open past it. */
  actions: { owned: number; doneOnTime: number; doneLate: number; overdue: number };
  /**
   * The cycle's forecast once actuals scored it: error and bias as shares (0.12 = 12%; bias signed,
   * positive = over-forecast), and each function's value added in shares of error (0.02 = 2 points).
   */
  forecast: {
    mape: number | null;
    bias: number | null;
    valueAdded: {
      function: string;
      /** Statistical MAPE − MAPE after the function's adjustments: positive = the function helped. */
      mapeDelta: number;
    }[];
  };
  /**
   * The S&OE alerts raised between this cycle's meetings and the next: answered in any way
   * (acknowledged), decided now, sent to the pre-S&OP agenda, escalated for want of an answer.
   */
  soe: {
    raised: number;
    acknowledged: number;
    decided: number;
    toAgenda: number;
    escalated: number;
    medianHoursToAcknowledge: number | null;
  };
  /** The trade-off pack was built before the meeting that took it. */
  packBuiltBeforeMeeting: boolean;
  /** The pack was built from the uploaded dataset (one source of numbers), not put together ad hoc. */
  dataFromOneSource: boolean;
}

/** One meeting of a cycle, as the facts hold it. */
export type MeetingFacts = CycleFacts['meetings'][number];

/** The process-health KPIs of one cycle. Shares are 0..1; null where there was nothing to measure. */
export interface HealthKpis {
  month: string;
  /** Inputs submitted by their due time over the inputs that fell due. */
  inputsOnTime: number | null;
  /** Executives present or represented over executives invited, at the executive meetings held. */
  executiveAttendance: number | null;
  executiveMeetingHeld: boolean;
  /**
   * Items decided over the items taken into the meetings held. An item the pre-S&OP escalates goes
   * on to the executive meeting, so it is not counted at the pre-S&OP.
   */
  decisionsMadeShare: number | null;
  /** Items deferred over the same items. */
  deferredShare: number | null;
  /** Median hours from the pack built to the decision. */
  decisionLatencyHours: number | null;
  /** Actions done on time over the actions that fell due (done on time, done late, overdue). */
  followThroughOnTime: number | null;
  forecastMape: number | null;
  /** Signed share: positive = over-forecast. */
  forecastBias: number | null;
  /** Each function's forecast value added: positive = its adjustments made the forecast better. */
  fva: { function: string; mapeDelta: number }[];
  soeRaised: number;
  /** S&OE alerts answered over alerts raised. */
  soeAcknowledgedShare: number | null;
  /** S&OE alerts decided (a ballot closed on them) over alerts raised. */
  soeDecidedShare: number | null;
}

/** The KPIs that are numbers, each of which has a trend. */
export type HealthMeasure = {
  [K in keyof HealthKpis]-?: HealthKpis[K] extends number | null ? K : never;
}[keyof HealthKpis];

/** The numeric KPIs, in the order pages show them. */
export const HEALTH_MEASURES: readonly HealthMeasure[] = [
  'inputsOnTime',
  'executiveAttendance',
  'decisionsMadeShare',
  'deferredShare',
  'decisionLatencyHours',
  'followThroughOnTime',
  'forecastMape',
  'forecastBias',
  'soeRaised',
  'soeAcknowledgedShare',
  'soeDecidedShare',
];

/**
 * Which way is better for each measure: higher, lower, or closer to zero (bias). Fewer S&OE alerts
 * is better: the plan held closer to what happened.
 */
export const HEALTH_SENSE: Record<HealthMeasure, 'higher' | 'lower' | 'closer-to-zero'> = {
  inputsOnTime: 'higher',
  executiveAttendance: 'higher',
  decisionsMadeShare: 'higher',
  deferredShare: 'lower',
  decisionLatencyHours: 'lower',
  followThroughOnTime: 'higher',
  forecastMape: 'lower',
  forecastBias: 'closer-to-zero',
  soeRaised: 'lower',
  soeAcknowledgedShare: 'higher',
  soeDecidedShare: 'higher',
};

/** A change smaller than this (in the measure's own unit) is flat. */
export const HEALTH_FLAT_TOLERANCE: Record<HealthMeasure, number> = {
  inputsOnTime: 0.02,
  executiveAttendance: 0.02,
  decisionsMadeShare: 0.02,
  deferredShare: 0.02,
  decisionLatencyHours: 6,
  followThroughOnTime: 0.02,
  forecastMape: 0.005,
  forecastBias: 0.005,
  soeRaised: 1,
  soeAcknowledgedShare: 0.02,
  soeDecidedShare: 0.02,
};

/** How many cycles before the last one its value is compared with (their average). */
export const HEALTH_TREND_BASE = 3;

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** Items a meeting took that count towards decided/deferred (see HealthKpis.decisionsMadeShare). */
export function itemsTaken(m: MeetingFacts): number {
  return m.itemsDecided + m.itemsDeferred + m.itemsNotReached + (m.step === 'pre-sop' ? 0 : m.itemsEscalated);
}

/** Actions that fell due: done on time, done late, or overdue. */
export function actionsDue(a: CycleFacts['actions']): number {
  return a.doneOnTime + a.doneLate + a.overdue;
}

/** Inputs that fell due: on time, late or missing. */
export function inputsDue(i: CycleFacts['inputs']): number {
  return i.onTime + i.late + i.missing;
}

/** The process-health KPIs of one cycle (see HealthKpis for each definition). */
export function healthKpis(c: CycleFacts): HealthKpis {
  const held = c.meetings.filter((m) => m.held);
  const executive = held.filter((m) => m.step === 'executive-sop');
  const taken = sum(held.map(itemsTaken));
  return {
    month: c.month,
    inputsOnTime: share(c.inputs.onTime, inputsDue(c.inputs)),
    executiveAttendance: share(
      sum(executive.map((m) => Math.min(m.executivesPresent, m.executivesInvited))),
      sum(executive.map((m) => m.executivesInvited)),
    ),
    executiveMeetingHeld: executive.length > 0,
    decisionsMadeShare: share(sum(held.map((m) => m.itemsDecided)), taken),
    deferredShare: share(sum(held.map((m) => m.itemsDeferred)), taken),
    decisionLatencyHours: c.decisions.medianLatencyHours,
    followThroughOnTime: share(c.actions.doneOnTime, actionsDue(c.actions)),
    forecastMape: c.forecast.mape,
    forecastBias: c.forecast.bias,
    fva: c.forecast.valueAdded.map((v) => ({ function: v.function, mapeDelta: v.mapeDelta })),
    soeRaised: c.soe.raised,
    soeAcknowledgedShare: c.soe.raised > 0 ? Math.min(1, c.soe.acknowledged / c.soe.raised) : null,
    soeDecidedShare: c.soe.raised > 0 ? Math.min(1, c.soe.decided / c.soe.raised) : null,
  };
}

/** Whether the last cycle did better, worse or the same as the ones before; null: nothing to compare. */
export type HealthDirection = 'better' | 'worse' | 'flat' | null;

/** The KPIs of each cycle (oldest first) and, per measure, where the last cycle stands. */
export interface HealthTrend {
  cycles: HealthKpis[];
  /**
   * The last cycle's value against the average of up to HEALTH_TREND_BASE cycles before it (those
   * with a value); null when the last cycle has no value or none before it has.
   */
  direction: Record<HealthMeasure, HealthDirection>;
}

/** Each cycle's KPIs, in month order, and the direction of each measure (see HealthTrend). */
export function healthTrend(cycles: CycleFacts[]): HealthTrend {
  const kpis = [...cycles].sort((a, b) => a.month.localeCompare(b.month)).map(healthKpis);
  const last = kpis.at(-1);
  const before = kpis.slice(Math.max(0, kpis.length - 1 - HEALTH_TREND_BASE), -1);
  const direction = {} as Record<HealthMeasure, HealthDirection>;
  for (const measure of HEALTH_MEASURES) {
    const now = last?.[measure] ?? null;
    const earlier = before.map((k) => k[measure]).filter((v): v is number => v !== null);
    if (now === null || !earlier.length) {
      direction[measure] = null;
      continue;
    }
    const base = sum(earlier) / earlier.length;
    const sense = HEALTH_SENSE[measure];
    // Positive: the last cycle moved the good way.
    const gain =
      sense === 'higher' ? now - base : sense === 'lower' ? base - now : Math.abs(base) - Math.abs(now);
    direction[measure] =
      Math.abs(gain) < HEALTH_FLAT_TOLERANCE[measure] ? 'flat' : gain > 0 ? 'better' : 'worse';
  }
  return { cycles: kpis, direction };
}

/** The decisions and actions facts of a cycle, from its follow-through measures (`followThrough`). */
export function followThroughFacts(f: FollowThrough): Pick<CycleFacts, 'decisions' | 'actions'> {
  return {
    decisions: {
      decided: f.decided,
      notDecided: f.decisions - f.decided,
      medianLatencyHours: f.medianHoursDecisionLatency,
    },
    actions: {
      owned: f.actions,
      doneOnTime: f.doneOnTime,
      doneLate: f.done - f.doneOnTime,
      overdue: f.overdue,
    },
  };
}

/** The facts of a meeting that was held, from what the meeting KPIs read of it (`meetingKpis`). */
export function meetingFactsOf(meeting: MeetingKpiInput): MeetingFacts {
  const kpi = meetingKpis([meeting]).perMeeting[0]!;
  const invited = new Set(meeting.executives).size;
  return {
    step: meeting.step,
    held: true,
    executivesInvited: invited,
    executivesPresent: Math.round((kpi.executiveAttendance ?? 0) * invited),
    itemsDecided: kpi.decided,
    itemsDeferred: kpi.deferred,
    itemsEscalated: kpi.escalated,
    itemsNotReached: kpi.notReached,
  };
}

/**
 * The forecast facts of a cycle, from its pack's track record (`scoreFamily` pooled, `valueAdded`):
 * the consensus's weighted MAPE and bias, and each function's FVA (in wMAPE, as the track record
 * scores it), turned from percent into shares; the `consensus` row (all adjustments) is left out.
 */
export function forecastFacts(
  total: { consensus: Pick<Score, 'wmape' | 'bias'> } | null,
  valueAdded: ValueAdded[],
): CycleFacts['forecast'] {
  const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v / 100 : null);
  return {
    mape: pct(total?.consensus.wmape),
    bias: pct(total?.consensus.bias),
    valueAdded: valueAdded
      .filter((v) => v.function !== 'consensus' && Number.isFinite(v.fva))
      .map((v) => ({ function: v.function, mapeDelta: v.fva / 100 })),
  };
}
