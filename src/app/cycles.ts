/** Use cases: createCycle, closeStepNow, extendStepDue, extendStepByBusinessDay, reopenClosedStep. */
import { DateTime } from 'luxon';
import { addBusinessDays, stepWindows, type StepKey } from '../domain/calendar.js';
import { atLocalTime, localDate } from '../domain/time.js';
import {
  closeStep,
  cycleMonthProblem,
  cycleMonthWindow,
  extendStep,
  newCycle,
  reopenStep,
  type Outcome,
  type Transition,
} from '../domain/cycle.js';
import { DomainError } from '../domain/errors.js';
import type { Deps } from './ports.js';
import type { Actor, CycleRecord, MemberRecord } from './records.js';
import { isDuplicateKeyError } from './errors.js';
import {
  advanceCycle,
  loadContext,
  promptMessages,
  recordTransitions,
  saveWithRetry,
  syncInputRequests,
  workCalendar,
} from './cycleEngine.js';

export async function createCycle(
  deps: Deps,
  orgId: string,
  month: string,
  actor: Actor,
): Promise<CycleRecord> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const allowed = cycleMonthWindow(now, org.timezone, org.createdAt);
  const refuse = (problem: string) => {
    throw new DomainError('validation_failed', `no cycle can plan ${month}`, { month: problem });
  };
  const outside = cycleMonthProblem(month, allowed, null, now);
  if (outside) refuse(outside);
  const windows = stepWindows(month, org.calendar, { timezone: org.timezone, ...workCalendar(org) });
  const over = cycleMonthProblem(month, allowed, windows, now);
  if (over) refuse(over);
  let cycle: CycleRecord;
  try {
    cycle = await deps.cycles.insert({ orgId, ...newCycle(month, windows), escalated: [] }, now);
  } catch (err) {
    if (isDuplicateKeyError(err)) {
      throw new DomainError('duplicate', `a cycle for ${month} already exists`, {
        month: `a cycle for ${month} already exists`,
      });
    }
    throw err;
  }
  await syncInputRequests(deps, org, cycle.id, await deps.members.all(orgId), [], now);
  await deps.audit.append(
    orgId,
    { actor, action: 'cycle.created', entity: { type: 'cycle', id: cycle.id }, after: cycle },
    now,
  );
  // A cycle created late (its first step already due to open) starts at once.
  return advanceCycle(deps, cycle.id, orgId);
}

/** The member acting must be a process owner of this org. */
export async function requireProcessOwner(
  deps: Pick<Deps, 'members'>,
  orgId: string,
  memberId: string,
): Promise<MemberRecord> {
  const m = await deps.members.get(orgId, memberId);
  if (!m)
    throw new DomainError('validation_failed', 'unknown member', {
      actorId: 'no member with this id in this org',
    });
  if (!m.roles.includes('process-owner')) {
    throw new DomainError(
      'forbidden',
      `${m.name} is not a process owner; only a process owner can change the step calendar`,
    );
  }
  return m;
}

async function changeStep(
  deps: Deps,
  orgId: string,
  cycleId: string,
  actorId: string,
  apply: (cycle: CycleRecord, now: Date) => Outcome,
  note?: string,
): Promise<CycleRecord> {
  const actor = await requireProcessOwner(deps, orgId, actorId);
  const now = deps.clock.now();
  const { cycle, result } = await saveWithRetry(deps, orgId, cycleId, async (fresh) => {
    const outcome = apply(fresh, now);
    const next: CycleRecord = { ...fresh, ...outcome.state };
    const reopened = outcome.transitions.filter(
      (t): t is Extract<Transition, { type: 'step-reopened' }> => t.type === 'step-reopened',
    );
    const ctx = reopened.length ? await loadContext(deps, next) : null;
    if (ctx) {
      // Owners are settled afresh, then those who still owe an input are told the step is open again.
      const requests = await syncInputRequests(
        deps,
        ctx.org,
        cycleId,
        [...ctx.members.values()],
        ctx.requests,
        now,
      );
      await deps.outbox.enqueue(
        reopened.flatMap((t) => promptMessages(deps, next, { ...ctx, requests }, t, now)),
        now,
      );
    }
    return { next, result: outcome.transitions };
  });
  await recordTransitions(deps, cycle, result ?? [], { type: 'member', id: actor.id }, now, note);
  return advanceCycle(deps, cycle.id, orgId);
}

/** Closes an open step now; `reason` (the web's close form asks for one) is kept with the audit event. */
export function closeStepNow(
  deps: Deps,
  orgId: string,
  cycleId: string,
  step: StepKey,
  actorId: string,
  reason?: string,
) {
  return changeStep(deps, orgId, cycleId, actorId, (c, now) => closeStep(c, step, now), reason);
}

export function extendStepDue(
  deps: Deps,
  orgId: string,
  cycleId: string,
  step: StepKey,
  actorId: string,
  dueAt: Date,
  reason: string,
) {
  return changeStep(deps, orgId, cycleId, actorId, (c, now) =>
    extendStep(c, step, dueAt, reason, actorId, now),
  );
}

export function reopenClosedStep(
  deps: Deps,
  orgId: string,
  cycleId: string,
  step: StepKey,
  actorId: string,
  dueAt: Date,
  reason: string,
) {
  return changeStep(deps, orgId, cycleId, actorId, (c, now) =>
    reopenStep(c, step, dueAt, reason, actorId, now),
  );
}

/**
 * The escalation's "Extend by a business day": the step is due one business day later (the org's
 * calendar: weekends and holidays skipped), at the same local time. A step that closed at its due
 * time with inputs missing is reopened until one business day after today.
 */
export async function extendStepByBusinessDay(
  deps: Deps,
  orgId: string,
  cycleId: string,
  step: StepKey,
  actorId: string,
): Promise<{ cycle: CycleRecord; dueAt: Date; reopened: boolean }> {
  await requireProcessOwner(deps, orgId, actorId);
  const [org, current] = await Promise.all([deps.orgs.get(orgId), deps.cycles.get(orgId, cycleId)]);
  if (!org || !current) throw new DomainError('not_found', 'cycle not found');
  const s = current.steps.find((x) => x.key === step);
  if (!s) throw new DomainError('not_found', `no step ${step} in this cycle`);
  const zone = org.timezone;
  const reopened = s.status === 'closed';
  const from = reopened ? new Date(Math.max(s.dueAt.getTime(), deps.clock.now().getTime())) : s.dueAt;
  const day = addBusinessDays(localDate(from, zone), 1, { ...workCalendar(org), timezone: zone });
  const dueAt = atLocalTime(day, DateTime.fromJSDate(s.dueAt, { zone }).toFormat('HH:mm'), zone);
  const reason = 'extended by a business day from the escalation';
  const cycle = reopened
    ? await reopenClosedStep(deps, orgId, cycleId, step, actorId, dueAt, reason)
    : await extendStepDue(deps, orgId, cycleId, step, actorId, dueAt, reason);
  return { cycle, dueAt, reopened };
}

/** The escalation's "Close without them": closes the step now; one already closed stays as it is. */
export async function closeStepWithoutMissing(
  deps: Deps,
  orgId: string,
  cycleId: string,
  step: StepKey,
  actorId: string,
): Promise<{ alreadyClosed: boolean }> {
  await requireProcessOwner(deps, orgId, actorId);
  const current = await deps.cycles.get(orgId, cycleId);
  if (!current) throw new DomainError('not_found', 'cycle not found');
  if (current.steps.find((x) => x.key === step)?.status === 'closed') return { alreadyClosed: true };
  await closeStepNow(deps, orgId, cycleId, step, actorId);
  return { alreadyClosed: false };
}
