/**
 * The cycle state machine. A cycle is a value; every function returns the next value and the
 * transitions it made, and never mutates its input.
 *
 * - a step opens on its date (pending -> open);
 * - it closes on its due date, early when every input is in, or when the process owner closes it;
 * - a later step never closes while an earlier one is not closed (it waits, then closes);
 * - the process owner may extend a due date (with a reason) or reopen a closed step (with a new due
 *   date and a reason) as long as no later step has closed; the new due time stays after the step
 *   opens and not after the next step's due time (the last step: before the end of the next month);
 * - a cycle plans a real month from last month (not before the org existed) to 2 years ahead, and
 *   is not created already over;
 * - the cycle is `planned` until its first step opens, `active` until step 5 closes, then `closed`.
 */
import { STEP_TITLES, type StepKey } from './calendar.js';
import { DomainError } from './errors.js';
import { localDate, monthName, monthNumber, monthProblem, nextMonth, type Window } from './time.js';

export type StepStatus = 'pending' | 'open' | 'closed';
export type CycleStatus = 'planned' | 'active' | 'closed';
export type CloseReason = 'due' | 'complete' | 'manual';

export interface DueDateChange {
  from: Date;
  to: Date;
  reason: string;
  by: string;
  at: Date;
  kind: 'extend' | 'reopen';
}

export interface Step {
  key: StepKey;
  opensAt: Date;
  dueAt: Date;
  status: StepStatus;
  openedAt: Date | null;
  closedAt: Date | null;
  closedReason: CloseReason | null;
  /** 1 on the first opening, +1 on each reopening: keys one round of prompts. */
  round: number;
  changes: DueDateChange[];
}

export interface CycleState {
  month: string;
  status: CycleStatus;
  steps: Step[];
}

export type Transition =
  | { type: 'step-opened'; step: StepKey; round: number }
  | { type: 'step-closed'; step: StepKey; reason: CloseReason; round: number }
  | { type: 'step-extended'; step: StepKey; from: Date; to: Date; reason: string }
  | { type: 'step-reopened'; step: StepKey; dueAt: Date; reason: string; round: number }
  | { type: 'cycle-activated' }
  | { type: 'cycle-closed' };

export interface Outcome {
  state: CycleState;
  transitions: Transition[];
}

export function newCycle(month: string, windows: { key: StepKey; opensAt: Date; dueAt: Date }[]): CycleState {
  return {
    month,
    status: 'planned',
    steps: windows.map((w) => ({
      key: w.key,
      opensAt: w.opensAt,
      dueAt: w.dueAt,
      status: 'pending',
      openedAt: null,
      closedAt: null,
      closedReason: null,
      round: 0,
      changes: [],
    })),
  };
}

/** How far ahead a cycle may be planned, in months. */
export const CYCLE_MONTHS_AHEAD = 24;

/**
 * The months a cycle may plan, counted in the org's zone: from last month (a late calendar may
 * still be running it), but never before the month the org was created, to 2 years ahead.
 */
export function cycleMonthWindow(now: Date, zone: string, orgCreatedAt: Date): Window {
  const current = monthNumber(localDate(now, zone).slice(0, 7));
  const created = monthNumber(localDate(orgCreatedAt, zone).slice(0, 7));
  const from = Math.max(current - 1, created);
  return {
    from: monthName(from),
    to: monthName(current + CYCLE_MONTHS_AHEAD),
    why: `${from === created ? 'the month the org was created' : 'last month'} to ${CYCLE_MONTHS_AHEAD / 12} years ahead`,
  };
}

/**
 * What is wrong with planning `month` (null: nothing): outside the window, or a cycle whose last
 * step is already due (it would be created closed, with every prompt sent at once).
 */
export function cycleMonthProblem(
  month: string,
  window: Window,
  steps: readonly { dueAt: Date }[] | null,
  now: Date,
): string | null {
  const outside = monthProblem(month, window);
  if (outside) return outside;
  const last = steps?.at(-1);
  if (last && last.dueAt.getTime() <= now.getTime())
    return `the ${month} cycle would be over before it starts: its last step was due ${last.dueAt.toISOString()}`;
  return null;
}

/** The latest due time any step of a cycle may have: the end of the month after the cycle's month (UTC). */
export function latestDueAt(month: string): Date {
  return new Date(`${nextMonth(nextMonth(month))}-01T00:00:00Z`);
}

/**
 * A step's new due time keeps the steps in order: after the step opens, not after the next step's
 * due time (move that one first), and for the last step before the end of the next month.
 */
function assertDueInOrder(state: CycleState, i: number, dueAt: Date): void {
  const step = state.steps[i]!;
  const refuse = (why: string) => {
    throw new DomainError('validation_failed', `the new due time of ${step.key} is out of order`, {
      dueAt: why,
    });
  };
  if (dueAt.getTime() <= step.opensAt.getTime())
    refuse(`must be after the step opens, ${step.opensAt.toISOString()}`);
  const next = state.steps[i + 1];
  if (next && dueAt.getTime() > next.dueAt.getTime())
    refuse(
      `must not be after the next step's due time: ${STEP_TITLES[next.key]} (${next.key}) is due ${next.dueAt.toISOString()}; extend it first`,
    );
  const latest = latestDueAt(state.month);
  if (!next && dueAt.getTime() >= latest.getTime())
    refuse(`must be before ${latest.toISOString()}, the end of the month after the cycle's month`);
}

function stepIndex(state: CycleState, key: StepKey): number {
  const i = state.steps.findIndex((s) => s.key === key);
  if (i < 0) throw new DomainError('not_found', `step ${key} not found`);
  return i;
}

function clone(state: CycleState): CycleState {
  return { ...state, steps: state.steps.map((s) => ({ ...s, changes: [...s.changes] })) };
}

function earlierAllClosed(state: CycleState, index: number): boolean {
  return state.steps.slice(0, index).every((s) => s.status === 'closed');
}

/** Open and close what the clock (and complete inputs) say, repeating until nothing changes. */
export function advance(
  state: CycleState,
  now: Date,
  completeSteps: ReadonlySet<StepKey> = new Set(),
): Outcome {
  if (state.status === 'closed') return { state, transitions: [] };
  const next = clone(state);
  const transitions: Transition[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    next.steps.forEach((step, i) => {
      if (step.status === 'pending' && step.opensAt.getTime() <= now.getTime()) {
        step.status = 'open';
        step.openedAt = now;
        step.round += 1;
        transitions.push({ type: 'step-opened', step: step.key, round: step.round });
        changed = true;
      }
      if (step.status === 'open' && earlierAllClosed(next, i)) {
        const reason: CloseReason | null =
          step.dueAt.getTime() <= now.getTime() ? 'due' : completeSteps.has(step.key) ? 'complete' : null;
        if (reason) {
          step.status = 'closed';
          step.closedAt = now;
          step.closedReason = reason;
          transitions.push({ type: 'step-closed', step: step.key, reason, round: step.round });
          changed = true;
        }
      }
    });
  }
  settleStatus(next, transitions);
  return { state: next, transitions };
}

function settleStatus(state: CycleState, transitions: Transition[]): void {
  const before = state.status;
  if (state.steps.every((s) => s.status === 'closed')) state.status = 'closed';
  else if (state.steps.some((s) => s.status !== 'pending')) state.status = 'active';
  if (before === 'planned' && state.status !== 'planned') transitions.push({ type: 'cycle-activated' });
  if (before !== 'closed' && state.status === 'closed') transitions.push({ type: 'cycle-closed' });
}

function assertFuture(dueAt: Date, now: Date): void {
  if (dueAt.getTime() <= now.getTime()) {
    throw new DomainError('validation_failed', 'the new due date is in the past', {
      dueAt: 'must be in the future',
    });
  }
}

function assertCycleOpen(state: CycleState): void {
  if (state.status === 'closed') throw new DomainError('cycle_closed', `the ${state.month} cycle is closed`);
}

/** The process owner closes an open step now. */
export function closeStep(state: CycleState, key: StepKey, now: Date): Outcome {
  assertCycleOpen(state);
  const i = stepIndex(state, key);
  const step = state.steps[i]!;
  if (step.status !== 'open') {
    throw new DomainError('step_not_open', `step ${key} is ${step.status}, so it cannot be closed`);
  }
  if (!earlierAllClosed(state, i)) {
    const open = state.steps.slice(0, i).find((s) => s.status !== 'closed')!;
    throw new DomainError('earlier_step_open', `close ${open.key} before ${key}`);
  }
  const next = clone(state);
  Object.assign(next.steps[i]!, { status: 'closed', closedAt: now, closedReason: 'manual' });
  const transitions: Transition[] = [{ type: 'step-closed', step: key, reason: 'manual', round: step.round }];
  // Closing this step may let later steps that are already past due close too.
  const rest = advance(next, now);
  transitions.push(...rest.transitions);
  return { state: rest.state, transitions };
}

/** The process owner moves a pending or open step's due date later. */
export function extendStep(
  state: CycleState,
  key: StepKey,
  dueAt: Date,
  reason: string,
  by: string,
  now: Date,
): Outcome {
  assertCycleOpen(state);
  const i = stepIndex(state, key);
  const step = state.steps[i]!;
  if (step.status === 'closed') {
    throw new DomainError('step_closed', `step ${key} is closed; reopen it with a new due date instead`);
  }
  assertFuture(dueAt, now);
  if (dueAt.getTime() <= step.dueAt.getTime()) {
    throw new DomainError('validation_failed', 'an extension must move the due date later', {
      dueAt: `must be after the current due date ${step.dueAt.toISOString()}`,
    });
  }
  assertDueInOrder(state, i, dueAt);
  const next = clone(state);
  const s = next.steps[i]!;
  s.changes.push({ from: step.dueAt, to: dueAt, reason, by, at: now, kind: 'extend' });
  s.dueAt = dueAt;
  return {
    state: next,
    transitions: [{ type: 'step-extended', step: key, from: step.dueAt, to: dueAt, reason }],
  };
}

/** The process owner reopens a closed step with a new due date, while no later step has closed. */
export function reopenStep(
  state: CycleState,
  key: StepKey,
  dueAt: Date,
  reason: string,
  by: string,
  now: Date,
): Outcome {
  assertCycleOpen(state);
  const i = stepIndex(state, key);
  const step = state.steps[i]!;
  if (step.status !== 'closed') {
    throw new DomainError(
      'step_not_closed',
      `step ${key} is ${step.status}; only a closed step can be reopened`,
    );
  }
  const laterClosed = state.steps.slice(i + 1).find((s) => s.status === 'closed');
  if (laterClosed) {
    throw new DomainError(
      'later_step_closed',
      `${laterClosed.key} has closed, so ${key} can no longer be reopened`,
    );
  }
  assertFuture(dueAt, now);
  assertDueInOrder(state, i, dueAt);
  const next = clone(state);
  const s = next.steps[i]!;
  s.changes.push({ from: step.dueAt, to: dueAt, reason, by, at: now, kind: 'reopen' });
  Object.assign(s, {
    status: 'open',
    dueAt,
    openedAt: now,
    closedAt: null,
    closedReason: null,
    round: step.round + 1,
  });
  return { state: next, transitions: [{ type: 'step-reopened', step: key, dueAt, reason, round: s.round }] };
}
