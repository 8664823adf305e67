/**
 * The company's S&OP maturity stage (Gartner's five stages), estimated from what it did in its last
 * cycles, never from a questionnaire: each criterion is a behaviour read from the cycle facts, with
 * the numbers as evidence, and the next steps are the unmet criteria of the stage above. Pure.
 */
import { actionsDue, healthKpis, inputsDue, itemsTaken, type CycleFacts } from './health.js';

export type MaturityStageNumber = 1 | 2 | 3 | 4 | 5;

/** Gartner's S&OP maturity stages, each with the behaviours that show it here. */
export const MATURITY_STAGES: Record<MaturityStageNumber, { name: string; description: string }> = {
  1: {
    name: 'Reacting',
    description:
      'Each function plans on its own from its own spreadsheets and the business reacts to events: inputs come late or not at all and no pack is built from one dataset before the meeting.',
  },
  2: {
    name: 'Anticipating',
    description:
      'A monthly cycle runs on one set of numbers with a statistical baseline: the pack is built from the uploaded dataset before the meeting and most inputs arrive on time.',
  },
  3: {
    name: 'Collaborating',
    description:
      'The functions meet on one plan and the executives decide its trade-offs: the executive S&OP meeting is held in most months, executives attend it, and most items are decided there.',
  },
  4: {
    name: 'Orchestrating',
    description:
      'The plan is carried out and watched between the meetings: actions are done on time, decisions come within a week, S&OE alerts are answered and acted on, and the forecast is unbiased.',
  },
  5: {
    name: 'Enabling',
    description:
      "Planning is a steady discipline that adds value: every function's adjustments improve the forecast, S&OE alerts are answered within a day, and every cycle runs in full, month after month.",
  },
};

/** The thresholds of the criteria. Shares are 0..1. */
export const MATURITY_THRESHOLDS = {
  /** The last this many cycles are read. */
  window: 6,
  /** "Most cycles": at least this share of the cycles read. */
  mostCycles: 2 / 3,
  /** Stage 2: inputs on time over inputs due, pooled over the cycles read. */
  inputsOnTime: 0.7,
  /** Stage 3: an executive meeting counts as attended when this share of its executives came (in person or by a delegate). */
  executiveAttendance: 0.6,
  /** Stage 3: items decided over items taken into the meetings held, pooled. */
  decidedShare: 0.6,
  /** Stage 4: actions done on time over actions due, pooled. */
  followThroughOnTime: 0.75,
  /** Stage 4: the median (over the cycles) of each cycle's median decision latency is under this. */
  decisionLatencyHours: 168,
  /** Stage 4: S&OE alerts answered over alerts raised, pooled. */
  soeAcknowledged: 0.8,
  /** Stage 4: S&OE alerts decided or sent to the pre-S&OP agenda over alerts raised, pooled. */
  soeActedOn: 0.5,
  /** Stage 4: the mean of the cycles' signed forecast bias lies within ± this. */
  forecastBias: 0.05,
  /** Stage 5: the median (over the cycles) of each cycle's median hours to answer an alert is under this. */
  soeAcknowledgeHours: 24,
  /** Stage 5: this many cycles in a row ran in full (inputs, executives, decisions as stages 2 and 3 ask). */
  consistentCycles: 6,
} as const;

/** One observed behaviour and whether the company shows it. */
export interface MaturityCriterion {
  key: string;
  /** The stage this criterion is needed for. */
  stage: MaturityStageNumber;
  met: boolean;
  /** A full sentence with the numbers from the facts. */
  evidence: string;
}

/** The estimated stage, its criteria, and what would move the company up. */
export interface Maturity {
  stage: MaturityStageNumber;
  name: string;
  criteria: MaturityCriterion[];
  /** The one or two changes that would move the company up a stage (none at stage 5). */
  nextSteps: string[];
  basedOnCycles: number;
}

const T = MATURITY_THRESHOLDS;
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const median = (v: number[]): number | null => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const known = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);

/** A number with at most one decimal, no trailing `.0`. */
const num = (x: number) => String(Math.round(x * 10) / 10);
const pct = (x: number) => `${Math.round(x * 100)}%`;
const signedPct = (x: number) => `${x > 0 ? '+' : x < 0 ? '-' : ''}${num(Math.abs(x) * 100)}%`;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lastCycles = (n: number) => (n === 1 ? 'the last cycle' : `the last ${n} cycles`);
/** "2 of the last 6 cycles", "all of the last 3 cycles", "none of the last 3 cycles", "1 of 1 cycle". */
const ofLast = (k: number, n: number, one: string, many: string) =>
  n === 1
    ? `${k} of 1 ${one}`
    : k === 0
      ? `none of the last ${n} ${many}`
      : k === n
        ? `all of the last ${n} ${many}`
        : `${k} of the last ${n} ${many}`;
/** "(12 of 20)", "(all 20)", "(none of 3)", "(1 of 1)". */
const kOfN = (k: number, n: number) =>
  k === 0 ? `none of ${n}` : k === n && n > 1 ? `all ${n}` : `${k} of ${n}`;
const hours = (h: number) =>
  h < 1
    ? 'less than an hour'
    : h < 48
      ? `${Math.round(h)} hour${Math.round(h) === 1 ? '' : 's'}`
      : `${num(h / 24)} days`;
const points = (share: number) => {
  const p = num(Math.abs(share) * 100);
  return `${p} point${p === '1' ? '' : 's'}`;
};
const list = (xs: string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)!}`;
const most = (k: number, n: number) => n > 0 && k >= T.mostCycles * n - 1e-9;

/** What the criteria read from the cycles, pooled or counted. */
interface Observed {
  n: number;
  baselineCycles: number;
  inputs: { onTime: number; due: number };
  heldCycles: number;
  attendedCycles: number;
  items: { decided: number; taken: number };
  actions: { onTime: number; due: number };
  latencyHours: number | null;
  soe: { raised: number; acknowledged: number; actedOn: number; medianHoursToAcknowledge: number | null };
  bias: { mean: number | null; scored: number };
  fva: { function: string; mapeDelta: number }[];
  fullCycles: number;
}

function executivesAttended(c: CycleFacts): boolean {
  const attendance = healthKpis(c).executiveAttendance;
  return attendance !== null && attendance >= T.executiveAttendance;
}

function ranInFull(c: CycleFacts): boolean {
  const k = healthKpis(c);
  return (
    k.inputsOnTime !== null &&
    k.inputsOnTime >= T.inputsOnTime &&
    executivesAttended(c) &&
    k.decisionsMadeShare !== null &&
    k.decisionsMadeShare >= T.decidedShare
  );
}

function observe(window: CycleFacts[]): Observed {
  const count = (f: (c: CycleFacts) => boolean) => window.filter(f).length;
  const held = window.flatMap((c) => c.meetings.filter((m) => m.held));
  const biases = known(window.map((c) => c.forecast.bias));
  const fvaByFunction = new Map<string, number[]>();
  for (const c of window)
    for (const v of c.forecast.valueAdded)
      fvaByFunction.set(v.function, [...(fvaByFunction.get(v.function) ?? []), v.mapeDelta]);
  return {
    n: window.length,
    baselineCycles: count((c) => c.dataFromOneSource && c.packBuiltBeforeMeeting),
    inputs: {
      onTime: sum(window.map((c) => c.inputs.onTime)),
      due: sum(window.map((c) => inputsDue(c.inputs))),
    },
    heldCycles: count((c) => c.meetings.some((m) => m.held && m.step === 'executive-sop')),
    attendedCycles: count(executivesAttended),
    items: { decided: sum(held.map((m) => m.itemsDecided)), taken: sum(held.map(itemsTaken)) },
    actions: {
      onTime: sum(window.map((c) => c.actions.doneOnTime)),
      due: sum(window.map((c) => actionsDue(c.actions))),
    },
    latencyHours: median(known(window.map((c) => c.decisions.medianLatencyHours))),
    soe: {
      raised: sum(window.map((c) => c.soe.raised)),
      acknowledged: sum(window.map((c) => Math.min(c.soe.acknowledged, c.soe.raised))),
      actedOn: sum(window.map((c) => Math.min(c.soe.decided + c.soe.toAgenda, c.soe.raised))),
      medianHoursToAcknowledge: median(known(window.map((c) => c.soe.medianHoursToAcknowledge))),
    },
    bias: { mean: biases.length ? sum(biases) / biases.length : null, scored: biases.length },
    fva: [...fvaByFunction.entries()]
      .map(([fn, deltas]) => ({ function: fn, mapeDelta: sum(deltas) / deltas.length }))
      .sort((a, b) => a.function.localeCompare(b.function)),
    fullCycles: count(ranInFull),
  };
}

/** One criterion: its stage, whether the observation meets it, its evidence and the step that would meet it. */
interface CriterionRule {
  key: string;
  stage: MaturityStageNumber;
  met: (o: Observed) => boolean;
  evidence: (o: Observed) => string;
  nextStep: (o: Observed) => string;
}

const noAlerts = (o: Observed) =>
  `No S&OE alert was raised in ${lastCycles(o.n)}, so the loop between the meetings is not observed.`;
const fvaItems = (o: Observed) =>
  o.fva.map((v, i) => {
    const what = i === 0 ? "the forecast's MAPE" : 'it';
    return v.mapeDelta > 0
      ? `${v.function} improved ${what} by ${points(v.mapeDelta)}`
      : v.mapeDelta < 0
        ? `${v.function} worsened ${what} by ${points(v.mapeDelta)}`
        : `${v.function} left ${what} unchanged`;
  });

/** The criteria, stage by stage; within a stage, the order in which the next steps are offered. */
const CRITERIA: CriterionRule[] = [
  {
    key: 'statistical-baseline',
    stage: 2,
    met: (o) => most(o.baselineCycles, o.n),
    evidence: (o) =>
      `The pack was built from the uploaded dataset, with its statistical baseline, before the meeting in ${ofLast(o.baselineCycles, o.n, 'cycle', 'cycles')}.`,
    nextStep: () =>
      "Upload the month's dataset and build the pack from it, with its statistical baseline, before every meeting, instead of bringing spreadsheets.",
  },
  {
    key: 'inputs-on-time',
    stage: 2,
    met: (o) => o.inputs.due > 0 && o.inputs.onTime / o.inputs.due >= T.inputsOnTime,
    evidence: (o) =>
      o.inputs.due
        ? `${pct(o.inputs.onTime / o.inputs.due)} of the inputs due in ${lastCycles(o.n)} arrived on time (${kOfN(o.inputs.onTime, o.inputs.due)}).`
        : `No input fell due in ${lastCycles(o.n)}.`,
    nextStep: (o) =>
      `Get at least ${pct(T.inputsOnTime)} of the inputs in by their due date${o.inputs.due ? ` (${pct(o.inputs.onTime / o.inputs.due)} were on time)` : ''}: ask each function for its inputs at the step's opening and chase the missing ones before it closes.`,
  },
  {
    key: 'executive-meeting-held',
    stage: 3,
    met: (o) => most(o.heldCycles, o.n),
    evidence: (o) =>
      `The executive S&OP meeting was held in ${ofLast(o.heldCycles, o.n, 'cycle', 'cycles')}.`,
    nextStep: () =>
      'Hold the executive S&OP meeting every month, even a short one, rather than skipping it when the numbers are late.',
  },
  {
    key: 'executives-attend',
    stage: 3,
    met: (o) => most(o.attendedCycles, o.n),
    evidence: (o) =>
      `Executives attended ${ofLast(o.attendedCycles, o.n, 'executive meeting', 'executive meetings')} (at least ${pct(T.executiveAttendance)} of them present or represented).`,
    nextStep: () =>
      `Have at least ${pct(T.executiveAttendance)} of the executives at the executive S&OP meeting every month, in person or through a delegate with authority to decide.`,
  },
  {
    key: 'decisions-made',
    stage: 3,
    met: (o) => o.items.taken > 0 && o.items.decided / o.items.taken >= T.decidedShare,
    evidence: (o) =>
      o.items.taken
        ? `${pct(o.items.decided / o.items.taken)} of the items taken into the S&OP meetings in ${lastCycles(o.n)} were decided (${kOfN(o.items.decided, o.items.taken)}).`
        : `No item was taken into an S&OP meeting in ${lastCycles(o.n)}.`,
    nextStep: (o) =>
      `Decide at least ${pct(T.decidedShare)} of the trade-offs at the meetings${o.items.taken ? ` (${pct(o.items.decided / o.items.taken)} were decided)` : ''}: bring each with costed options and a recommendation, and defer only with a date.`,
  },
  {
    key: 'follow-through',
    stage: 4,
    met: (o) => o.actions.due > 0 && o.actions.onTime / o.actions.due >= T.followThroughOnTime,
    evidence: (o) =>
      o.actions.due
        ? `${pct(o.actions.onTime / o.actions.due)} of the actions that fell due in ${lastCycles(o.n)} were done on time (${kOfN(o.actions.onTime, o.actions.due)}).`
        : `No action fell due in ${lastCycles(o.n)}.`,
    nextStep: (o) =>
      `Get at least ${pct(T.followThroughOnTime)} of the actions done by their due date${o.actions.due ? ` (${pct(o.actions.onTime / o.actions.due)} were)` : ''}: give each decision an owner and a due date, and review the overdue ones at the next pre-S&OP.`,
  },
  {
    key: 'decision-latency',
    stage: 4,
    met: (o) => o.latencyHours !== null && o.latencyHours < T.decisionLatencyHours,
    evidence: (o) =>
      o.latencyHours !== null
        ? `Decisions came a median of ${hours(o.latencyHours)} after their pack was built, over ${lastCycles(o.n)}.`
        : `No decision on a pack's trade-off was recorded in ${lastCycles(o.n)}.`,
    nextStep: (o) =>
      `Decide each trade-off within a week of its pack${o.latencyHours !== null ? ` (the median was ${hours(o.latencyHours)})` : ''}: hold the executive meeting soon after the pack is built and vote in chat on what it does not reach.`,
  },
  {
    key: 'soe-acknowledged',
    stage: 4,
    met: (o) => o.soe.raised > 0 && o.soe.acknowledged / o.soe.raised >= T.soeAcknowledged,
    evidence: (o) =>
      o.soe.raised
        ? `${pct(o.soe.acknowledged / o.soe.raised)} of the S&OE alerts raised in ${lastCycles(o.n)} were acknowledged (${kOfN(o.soe.acknowledged, o.soe.raised)}).`
        : noAlerts(o),
    nextStep: (o) =>
      o.soe.raised
        ? `Answer at least ${pct(T.soeAcknowledged)} of the S&OE alerts (${pct(o.soe.acknowledged / o.soe.raised)} were): each alert's owner decides, sends it to the agenda or acknowledges it with a note.`
        : 'Load the weekly actuals so that deviations from the plan raise S&OE alerts between the meetings, and answer each one.',
  },
  {
    key: 'soe-acted-on',
    stage: 4,
    met: (o) => o.soe.raised > 0 && o.soe.actedOn / o.soe.raised >= T.soeActedOn,
    evidence: (o) =>
      o.soe.raised
        ? `${pct(o.soe.actedOn / o.soe.raised)} of the S&OE alerts raised in ${lastCycles(o.n)} were decided or sent to the pre-S&OP agenda (${kOfN(o.soe.actedOn, o.soe.raised)}).`
        : noAlerts(o),
    nextStep: (o) =>
      o.soe.raised
        ? `Act on at least ${pct(T.soeActedOn)} of the S&OE alerts (${pct(o.soe.actedOn / o.soe.raised)} were): decide them at once or send them to the next pre-S&OP agenda rather than only noting them.`
        : 'Load the weekly actuals so that deviations from the plan raise S&OE alerts, and decide them or send them to the next pre-S&OP agenda.',
  },
  {
    key: 'forecast-bias',
    stage: 4,
    met: (o) => o.bias.mean !== null && Math.abs(o.bias.mean) <= T.forecastBias + 1e-12,
    evidence: (o) =>
      o.bias.mean !== null
        ? `Forecast bias averaged ${signedPct(o.bias.mean)}${o.bias.mean > 0 ? ' (over-forecast)' : o.bias.mean < 0 ? ' (under-forecast)' : ''} over ${o.bias.scored === o.n ? lastCycles(o.n) : `${o.bias.scored} of ${lastCycles(o.n)}`}.`
        : `Forecast bias was not measured in ${lastCycles(o.n)}: no actuals have scored the packs yet.`,
    nextStep: (o) =>
      o.bias.mean !== null
        ? `Bring the forecast bias within ±${pct(T.forecastBias)} (it averaged ${signedPct(o.bias.mean)}): review at each pre-S&OP the adjustments that ${o.bias.mean > 0 ? 'raise' : 'lower'} the statistical forecast, function by function.`
        : `Upload the actuals each month so that the forecasts are scored, then keep the forecast bias within ±${pct(T.forecastBias)}.`,
  },
  {
    key: 'fva-positive',
    stage: 5,
    met: (o) => o.fva.length > 0 && o.fva.every((v) => v.mapeDelta > 0),
    evidence: (o) =>
      o.fva.length
        ? `Over ${lastCycles(o.n)}, ${list(fvaItems(o))}.`
        : `No function's forecast value added was measured in ${lastCycles(o.n)}.`,
    nextStep: (o) => {
      const hurt = o.fva.filter((v) => v.mapeDelta <= 0).map((v) => v.function);
      return hurt.length
        ? `Stop or rework the forecast adjustments of ${list(hurt)}, which did not improve on the statistical forecast: keep only adjustments backed by known events.`
        : "Record each function's forecast adjustments in the consensus, so that their value added is measured once the actuals arrive.";
    },
  },
  {
    key: 'soe-fast',
    stage: 5,
    met: (o) =>
      o.soe.medianHoursToAcknowledge !== null && o.soe.medianHoursToAcknowledge < T.soeAcknowledgeHours,
    evidence: (o) =>
      o.soe.medianHoursToAcknowledge !== null
        ? `S&OE alerts were answered a median of ${hours(o.soe.medianHoursToAcknowledge)} after they were raised, over ${lastCycles(o.n)}.`
        : `No S&OE alert was answered in ${lastCycles(o.n)}.`,
    nextStep: (o) =>
      `Answer S&OE alerts within a day${o.soe.medianHoursToAcknowledge !== null ? ` (the median was ${hours(o.soe.medianHoursToAcknowledge)})` : ''}: name a back-up owner for each function so that no alert waits for one person.`,
  },
  {
    key: 'consistency',
    stage: 5,
    met: (o) => o.n >= T.consistentCycles && o.fullCycles >= T.consistentCycles,
    evidence: (o) =>
      o.n < T.consistentCycles
        ? `Only ${o.n} cycle${o.n === 1 ? ' was' : 's were'} observed; consistency needs at least ${T.consistentCycles}.`
        : `${capital(ofLast(o.fullCycles, o.n, 'cycle', 'cycles'))} ran in full: inputs mostly on time, executives at the executive meeting, and most items decided.`,
    nextStep: (o) =>
      `Run every cycle in full for ${T.consistentCycles} months in a row (${o.n < T.consistentCycles ? `${o.n} observed so far` : `${o.fullCycles} of the last ${o.n} did`}): inputs on time, executives present, most items decided.`,
  },
];

const NOT_ENOUGH = 'Not enough cycles observed: no cycle has run yet.';

/**
 * The maturity stage from the last (up to MATURITY_THRESHOLDS.window) cycles: the highest stage
 * whose criteria, and every lower stage's, are met. Stage 1 needs nothing.
 */
export function maturityStage(cycles: CycleFacts[]): Maturity {
  const window = [...cycles].sort((a, b) => a.month.localeCompare(b.month)).slice(-T.window);
  const o = observe(window);
  const criteria: MaturityCriterion[] = CRITERIA.map((rule) => ({
    key: rule.key,
    stage: rule.stage,
    met: window.length > 0 && rule.met(o),
    evidence: window.length > 0 ? rule.evidence(o) : NOT_ENOUGH,
  }));
  let stage: MaturityStageNumber = 1;
  for (const next of [2, 3, 4, 5] as const) {
    if (!criteria.filter((c) => c.stage === next).every((c) => c.met)) break;
    stage = next;
  }
  const above = stage < 5 ? ((stage + 1) as MaturityStageNumber) : null;
  const nextSteps = above
    ? CRITERIA.filter((rule, i) => rule.stage === above && !criteria[i]!.met)
        .slice(0, 2)
        .map((rule) => rule.nextStep(o))
    : [];
  return { stage, name: MATURITY_STAGES[stage].name, criteria, nextSteps, basedOnCycles: window.length };
}
