/**
 * Moves cycles along: opens and closes steps when their time comes, prompts the people who owe an
 * input, reminds them politely, and escalates overdue inputs to the process owner.
 *
 * Every effect is idempotent: messages carry idempotency keys (a unique index in the outbox), the
 * cycle is saved with an optimistic version, and a rerun of the same moment changes nothing.
 * Order of writes: outbox first (keys make it safe to repeat), then the cycle, then the audit
 * event of the writer that won.
 */
import { STEP_KEYS, type StepKey } from '../domain/calendar.js';
import { advance, type CycleState, type Step, type Transition } from '../domain/cycle.js';
import { DomainError } from '../domain/errors.js';
import { nextAllowedTime, planReminders, type Calendar, type ReminderKind } from '../domain/manners.js';
import { obligationsFor } from '../domain/obligations.js';
import {
  presentEscalation,
  presentReminder,
  presentStepPrompt,
  presentStepReopened,
  type InputContext,
} from '../cards/presenters/steps.js';
import type { Deps } from './ports.js';
import { requestPackBuild } from './packJobs.js';
import type {
  Actor,
  CycleRecord,
  InputRequestRecord,
  MemberRecord,
  OrgRecord,
  OutboxRecord,
} from './records.js';

type NewMessage = Omit<OutboxRecord, 'id' | 'createdAt' | 'status' | 'attempts'>;

export interface CycleContext {
  org: OrgRecord;
  members: Map<string, MemberRecord>;
  requests: InputRequestRecord[];
}

/**
 * Settles who owes what from the members as they are now: creates missing input requests and
 * refreshes owners. `existing` is the cycle's requests as just read; returns them after the change.
 */
export async function syncInputRequests(
  deps: Pick<Deps, 'requests'>,
  org: OrgRecord,
  cycleId: string,
  members: MemberRecord[],
  existing: InputRequestRecord[],
  now: Date,
): Promise<InputRequestRecord[]> {
  const wanted = obligationsFor(org.functions, members).map((o) => ({
    orgId: org.id,
    cycleId,
    key: o.key,
    step: o.step,
    kind: o.kind,
    function: o.function,
    owners: o.owners,
  }));
  return deps.requests.sync(wanted, existing, now);
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'scheduler' };

export function workCalendar(org: OrgRecord): Calendar {
  return { holidays: new Set(org.holidays), weekend: org.weekend };
}

export async function loadContext(
  deps: Pick<Deps, 'orgs' | 'members' | 'requests'>,
  cycle: CycleRecord,
): Promise<CycleContext | null> {
  const org = await deps.orgs.get(cycle.orgId);
  if (!org) return null;
  const members = new Map((await deps.members.all(cycle.orgId)).map((m) => [m.id, m]));
  const requests = await deps.requests.forCycle(cycle.orgId, cycle.id);
  return { org, members, requests };
}

/** An input no longer owed: submitted at least once, or excused by the process owner. */
export const settled = (r: Pick<InputRequestRecord, 'latestVersion' | 'excused'>): boolean =>
  r.latestVersion > 0 || r.excused !== null;

/** Steps whose every input is settled (submitted or excused). */
export function completeSteps(requests: InputRequestRecord[]): Set<StepKey> {
  return new Set(STEP_KEYS.filter((key) => requests.filter((r) => r.step === key).every(settled)));
}

function stepOf(state: CycleState, key: StepKey): Step {
  return state.steps.find((s) => s.key === key)!;
}

function inputContext(cycle: CycleRecord, step: Step, r: InputRequestRecord, m: MemberRecord): InputContext {
  return {
    cycleId: cycle.id,
    month: cycle.month,
    step: step.key,
    requestId: r.id,
    kind: r.kind,
    function: r.function,
    dueAt: step.dueAt,
    timezone: m.timezone,
  };
}

/** One message per owner of each input of the step, delivered in the owner's working hours. */
export function promptMessages(
  deps: Pick<Deps, 'copy'>,
  cycle: CycleRecord,
  ctx: CycleContext,
  t: Extract<Transition, { type: 'step-opened' | 'step-reopened' }>,
  now: Date,
): NewMessage[] {
  const step = stepOf(cycle, t.step);
  const cal = workCalendar(ctx.org);
  const out: NewMessage[] = [];
  for (const r of ctx.requests.filter((x) => x.step === t.step)) {
    if (r.excused || (t.type === 'step-reopened' && r.latestVersion > 0)) continue;
    for (const ownerId of r.owners) {
      const m = ctx.members.get(ownerId);
      if (!m) continue;
      const ic = inputContext(cycle, step, r, m);
      out.push({
        orgId: cycle.orgId,
        key: `${t.type === 'step-opened' ? 'prompt' : 'reopened'}:${cycle.id}:${r.key}:${m.id}:r${t.round}`,
        kind: t.type === 'step-opened' ? 'step-prompt' : 'step-reopened',
        cycleId: cycle.id,
        recipient: { memberId: m.id, name: m.name },
        card:
          t.type === 'step-opened'
            ? presentStepPrompt(deps.copy, ic)
            : presentStepReopened(deps.copy, ic, t.reason),
        notBefore: nextAllowedTime(now, m, cal),
      });
    }
  }
  return out;
}

function auditFor(t: Transition, state: CycleState): { action: string; after: unknown } {
  switch (t.type) {
    case 'cycle-activated':
    case 'cycle-closed':
      return { action: t.type.replace('-', '.'), after: { status: state.status } };
    default: {
      const s = stepOf(state, t.step);
      return {
        action: `step.${t.type.slice('step-'.length)}`,
        after: {
          step: s.key,
          status: s.status,
          dueAt: s.dueAt,
          round: s.round,
          closedReason: s.closedReason,
          ...('reason' in t ? { reason: t.reason } : {}),
        },
      };
    }
  }
}

export async function recordTransitions(
  deps: Pick<Deps, 'audit'>,
  cycle: CycleRecord,
  transitions: Transition[],
  actor: Actor,
  now: Date,
  /** Why a person made the change (a manual close), kept with the event. */
  note?: string,
): Promise<void> {
  for (const t of transitions) {
    const { action, after } = auditFor(t, cycle);
    await deps.audit.append(
      cycle.orgId,
      {
        actor,
        action,
        entity: { type: 'cycle', id: cycle.id },
        after: note ? { ...(after as object), note } : after,
      },
      now,
    );
  }
}

/**
 * Saves `mutate(fresh cycle)` with optimistic concurrency, retrying on a lost race with the state
 * re-read. `mutate` returns null when there is nothing to write.
 */
export async function saveWithRetry<T>(
  deps: Pick<Deps, 'cycles'>,
  orgId: string,
  cycleId: string,
  mutate: (
    cycle: CycleRecord,
  ) => Promise<{ next: CycleRecord; result: T } | null> | { next: CycleRecord; result: T } | null,
): Promise<{ cycle: CycleRecord; result: T | null }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cycle = await deps.cycles.get(orgId, cycleId);
    if (!cycle) throw new DomainError('not_found', 'cycle not found');
    const change = await mutate(cycle);
    if (!change) return { cycle, result: null };
    if (await deps.cycles.save(change.next)) {
      return { cycle: { ...change.next, version: change.next.version + 1 }, result: change.result };
    }
  }
  throw new Error(`cycle ${cycleId} is changing too fast to save`);
}

/** Opens and closes what the clock says, then sends what is due: prompts, reminders, escalations. */
export async function advanceCycle(
  deps: Deps,
  cycleId: string,
  orgId: string,
  /** The org, members and requests when the caller has just loaded them (the sweep); read afresh otherwise. */
  loaded?: CycleContext,
): Promise<CycleRecord> {
  const now = deps.clock.now();
  let ctx = loaded;
  if (!ctx) {
    // The sweep passes what it loaded; other callers read it here.
    const initial = await deps.cycles.get(orgId, cycleId);
    if (!initial) throw new DomainError('not_found', 'cycle not found');
    ctx = (await loadContext(deps, initial)) ?? undefined;
    if (!ctx) return initial;
  }

  // The first attempt works from the requests just loaded; a retry after a lost race reads them again.
  let requests = ctx.requests;
  let attempt = 0;
  const { cycle, result: transitions } = await saveWithRetry(deps, orgId, cycleId, async (fresh) => {
    if (attempt++ > 0) requests = await deps.requests.forCycle(orgId, cycleId);
    let outcome = advance(fresh, now, completeSteps(requests));
    if (outcome.transitions.length === 0) return null;
    if (outcome.transitions.some((t) => t.type === 'step-opened')) {
      // Who owes what is settled when a step opens, from the members as they are now.
      requests = await syncInputRequests(deps, ctx.org, cycleId, [...ctx.members.values()], requests, now);
      outcome = advance(fresh, now, completeSteps(requests));
    }
    const next: CycleRecord = { ...fresh, ...outcome.state };
    const closedNow = new Set(
      outcome.transitions.filter((t) => t.type === 'step-closed').map((t) => (t as { step: StepKey }).step),
    );
    // Prompts first: their keys make a repeat harmless, and a crash after them loses nothing.
    const messages = outcome.transitions
      .filter(
        (t): t is Extract<Transition, { type: 'step-opened' }> =>
          t.type === 'step-opened' && !closedNow.has(t.step),
      )
      .flatMap((t) => promptMessages(deps, next, { ...ctx, requests }, t, now));
    await deps.outbox.enqueue(messages, now);
    return { next, result: outcome.transitions };
  });
  if (transitions) await recordTransitions(deps, cycle, transitions, SYSTEM_ACTOR, now);
  for (const t of transitions ?? []) {
    if (t.type !== 'step-opened' || t.step !== 'pre-sop') continue;
    // The pack takes long to build: the pack build job builds and shares it (src/app/packJobs.ts).
    if (cycle.steps.find((s) => s.key === t.step)?.status === 'open')
      await requestPackBuild(deps, cycle, t.round);
  }

  const current = { ...ctx, requests };
  const after = await escalateOverdue(deps, cycle, current, now);
  await sendReminders(deps, after, current, now);
  return after;
}

function outstanding(requests: InputRequestRecord[], step: StepKey): InputRequestRecord[] {
  return requests.filter((r) => r.step === step && !settled(r));
}

const escalationMark = (s: Step) => `${s.key}@${s.dueAt.toISOString()}`;

/** Steps past their due time with inputs still missing, not yet escalated for this due time. */
export function dueEscalations(cycle: CycleRecord, requests: InputRequestRecord[], now: Date): Step[] {
  return cycle.steps.filter(
    (s) =>
      s.dueAt.getTime() <= now.getTime() &&
      (s.status === 'open' || s.closedReason === 'due') &&
      !cycle.escalated.includes(escalationMark(s)) &&
      outstanding(requests, s.key).length > 0,
  );
}

export interface DueReminder {
  step: Step;
  request: InputRequestRecord;
  member: MemberRecord;
  kind: ReminderKind;
  /** Recorded on the request once queued: `memberId:kind:dueAt`. */
  mark: string;
}

/** For each person who still owes an input of an open step: the latest reminder that has come due and is not sent. */
export function dueReminders(cycle: CycleRecord, ctx: CycleContext, now: Date): DueReminder[] {
  const cal = workCalendar(ctx.org);
  const out: DueReminder[] = [];
  for (const step of cycle.steps.filter((s) => s.status === 'open' && now.getTime() < s.dueAt.getTime())) {
    for (const request of outstanding(ctx.requests, step.key)) {
      for (const ownerId of request.owners) {
        const member = ctx.members.get(ownerId);
        if (!member) continue;
        const plan = planReminders(
          { opensAt: step.openedAt ?? step.opensAt, dueAt: step.dueAt },
          member,
          cal,
          ctx.org.reminderPolicy,
        );
        const latest = plan.filter((p) => p.at.getTime() <= now.getTime()).pop();
        if (!latest) continue;
        const mark = `${member.id}:${latest.kind}:${step.dueAt.toISOString()}`;
        if (!request.reminded.includes(mark)) out.push({ step, request, member, kind: latest.kind, mark });
      }
    }
  }
  return out;
}

/** Whether the clock asks anything of this cycle now; decided from loaded state, without writing. */
export function hasDueWork(cycle: CycleRecord, ctx: CycleContext, now: Date): boolean {
  return (
    advance(cycle, now, completeSteps(ctx.requests)).transitions.length > 0 ||
    dueEscalations(cycle, ctx.requests, now).length > 0 ||
    dueReminders(cycle, ctx, now).length > 0
  );
}

/** Once per due date of a step: tell each process owner which inputs are still missing. */
async function escalateOverdue(
  deps: Deps,
  cycle: CycleRecord,
  ctx: CycleContext,
  now: Date,
): Promise<CycleRecord> {
  const due = dueEscalations(cycle, ctx.requests, now);
  if (due.length === 0) return cycle;
  const owners = [...ctx.members.values()].filter((m) => m.roles.includes('process-owner'));
  const cal = workCalendar(ctx.org);
  const messages: NewMessage[] = due.flatMap((s) =>
    owners.map((po) => ({
      orgId: cycle.orgId,
      key: `escalation:${cycle.id}:${s.key}:${s.dueAt.toISOString()}:${po.id}`,
      kind: 'escalation' as const,
      cycleId: cycle.id,
      recipient: { memberId: po.id, name: po.name },
      card: presentEscalation(deps.copy, {
        cycleId: cycle.id,
        month: cycle.month,
        step: s.key,
        dueAt: s.dueAt,
        timezone: po.timezone,
        missing: outstanding(ctx.requests, s.key).map((r) => ({
          kind: r.kind,
          function: r.function,
          owners: r.owners.map((id) => ctx.members.get(id)?.name ?? id),
        })),
      }),
      notBefore: nextAllowedTime(now, po, cal),
    })),
  );
  await deps.outbox.enqueue(messages, now);
  const marks = due.map(escalationMark);
  const { cycle: saved, result } = await saveWithRetry(deps, cycle.orgId, cycle.id, (fresh) => {
    const missing = marks.filter((k) => !fresh.escalated.includes(k));
    return missing.length
      ? { next: { ...fresh, escalated: [...fresh.escalated, ...missing] }, result: missing }
      : null;
  });
  for (const mark of result ?? []) {
    const [step, dueAt] = mark.split('@');
    await deps.audit.append(
      cycle.orgId,
      {
        actor: SYSTEM_ACTOR,
        action: 'step.escalated',
        entity: { type: 'cycle', id: cycle.id },
        after: { step, dueAt, notified: owners.map((o) => o.id) },
      },
      now,
    );
  }
  return saved;
}

/** Queues the reminders that have come due, then records them on their requests. */
async function sendReminders(deps: Deps, cycle: CycleRecord, ctx: CycleContext, now: Date): Promise<void> {
  const due = dueReminders(cycle, ctx, now);
  if (due.length === 0) return;
  const cal = workCalendar(ctx.org);
  await deps.outbox.enqueue(
    due.map((d) => ({
      orgId: cycle.orgId,
      key: `reminder:${cycle.id}:${d.request.key}:${d.mark}`,
      kind: 'reminder' as const,
      cycleId: cycle.id,
      recipient: { memberId: d.member.id, name: d.member.name },
      card: presentReminder(deps.copy, inputContext(cycle, d.step, d.request, d.member), d.kind),
      notBefore: nextAllowedTime(now, d.member, cal),
    })),
    now,
  );
  const byRequest = new Map<string, string[]>();
  for (const d of due) byRequest.set(d.request.id, [...(byRequest.get(d.request.id) ?? []), d.mark]);
  for (const [requestId, marks] of byRequest) await deps.requests.markReminded(cycle.orgId, requestId, marks);
}

/**
 * The scheduler's sweep over every unfinished cycle of every org. It loads orgs, members and input
 * requests for all of them in three queries, decides in memory which cycles have work due, and
 * touches only those; a quiet minute costs four queries whatever the number of orgs.
 */
export async function advanceAllCycles(
  deps: Deps,
  onError: (cycleId: string, err: unknown) => void,
  /** Called after each cycle that had work (the job uses it to keep its lock alive). */
  onProgress: () => Promise<void> = async () => undefined,
): Promise<number> {
  const now = deps.clock.now();
  const cycles = await deps.cycles.unfinished();
  if (cycles.length === 0) return 0;
  const orgIds = [...new Set(cycles.map((c) => c.orgId))];
  const [orgs, members, requests] = await Promise.all([
    deps.orgs.getMany(orgIds),
    deps.members.allOf(orgIds),
    deps.requests.forCycles(cycles.map((c) => c.id)),
  ]);
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const membersByOrg = groupBy(members, (m) => m.orgId);
  const requestsByCycle = groupBy(requests, (r) => r.cycleId);
  for (const c of cycles) {
    const org = orgById.get(c.orgId);
    if (!org) continue;
    const ctx: CycleContext = {
      org,
      members: new Map((membersByOrg.get(c.orgId) ?? []).map((m) => [m.id, m])),
      requests: requestsByCycle.get(c.id) ?? [],
    };
    if (!hasDueWork(c, ctx, now)) continue;
    try {
      await advanceCycle(deps, c.id, c.orgId, ctx);
    } catch (err) {
      onError(c.id, err);
    }
    await onProgress();
  }
  return cycles.length;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
