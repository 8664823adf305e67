/**
 * The cycle board: the five steps on the org's calendar, who owes what (submitted, late, owed,
 * overdue), the reminders sent, the cycle's two meetings; the process owner extends, closes or
 * reopens a step with a reason.
 */
import { DateTime } from 'luxon';
import { STEP_KEYS, STEP_TITLES, type StepKey } from '../../domain/calendar.js';
import { INPUT_TITLES } from '../../domain/inputs.js';
import { DomainError } from '../../domain/errors.js';
import { closeStepNow, extendStepDue, reopenClosedStep } from '../../app/cycles.js';
import { excuseInput } from '../../app/inputs.js';
import { cycleMeetingList } from '../../app/meetings.js';
import { currentCycle } from '../../app/queries.js';
import type { CycleRecord } from '../../app/records.js';
import type { Deps } from '../../app/ports.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { MEETING_STATUS_LABELS } from './meetings.js';

const ID = /^[a-f0-9]{24}$/;

async function cycleOf(ctx: WebContext, cycleId: string | undefined): Promise<CycleRecord | null> {
  const { deps, session } = ctx;
  if (cycleId === undefined) return (await currentCycle(deps, session.org)) ?? null;
  const cycle = ID.test(cycleId) ? await deps.cycles.get(session.org.id, cycleId) : null;
  if (!cycle) throw new DomainError('not_found', 'There is no such cycle in your organisation.');
  return cycle;
}

/** A local date-time from a form (`2027-01-12T17:00`, in the reader's zone) as a moment. */
function localMoment(value: string, zone: string): Date | null {
  const d = DateTime.fromISO(value, { zone });
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) && d.isValid ? d.toJSDate() : null;
}

const asLocalInput = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");

interface StepForm {
  step: string;
  change: 'extend' | 'close' | 'reopen' | 'excuse';
  /** The input excused (change 'excuse'). */
  requestId?: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

async function board(ctx: WebContext, cycle: CycleRecord | null, form: StepForm | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const zone = session.member.timezone;
  const cycles = (await deps.cycles.list(session.org.id, { limit: 24, after: null })).items
    .sort((a, b) => b.month.localeCompare(a.month))
    .map((c) => ({ id: c.id, month: c.month, status: c.status, current: c.id === cycle?.id }));
  if (!cycle) return { page: 'board', title: 'Cycle', data: { cycle: null, cycles } };
  const [requests, members, meetings] = await Promise.all([
    deps.requests.forCycle(session.org.id, cycle.id),
    deps.members.all(session.org.id),
    cycleMeetingList(deps, session.org.id, cycle.id),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const now = deps.clock.now();
  const isOwner = session.member.roles.includes('process-owner');
  const steps = cycle.steps.map((s, i) => {
    const owed = requests
      .filter((r) => r.step === s.key)
      .map((r) => {
        const submitted = r.latestVersion > 0;
        const late = submitted && r.lastSubmittedAt !== null && r.lastSubmittedAt > s.dueAt;
        const overdue = !submitted && s.status !== 'pending' && now > s.dueAt;
        const status = submitted
          ? late
            ? 'late'
            : 'submitted'
          : r.excused
            ? 'excused'
            : overdue
              ? 'overdue'
              : 'owed';
        const open = isOwner && cycle.status !== 'closed' && s.status !== 'closed';
        const excuseForm = form?.change === 'excuse' && form.requestId === r.id ? form : null;
        return {
          requestId: r.id,
          title: INPUT_TITLES[r.kind],
          function: r.function,
          owners: r.owners.map((o) => names.get(o) ?? o).join(', '),
          mine: r.owners.includes(session.member.id),
          status,
          statusLabel: {
            submitted: 'Submitted',
            late: 'Submitted late',
            excused: 'Excused',
            overdue: 'Overdue',
            owed: s.status === 'pending' ? 'Not yet open' : 'Owed',
          }[status],
          excused: r.excused
            ? { reason: r.excused.reason, by: names.get(r.excused.by) ?? r.excused.by, at: r.excused.at }
            : null,
          canExcuse: open && !submitted && !r.excused,
          canWithdraw: open && !!r.excused,
          excuseForm: excuseForm ? { values: excuseForm.values, errors: excuseForm.errors } : null,
          version: r.latestVersion,
          submittedAt: r.lastSubmittedAt,
          reminders: r.reminded.length,
        };
      });
    const next = cycle.steps[i + 1];
    const laterClosed = cycle.steps.slice(i + 1).some((x) => x.status === 'closed');
    const editing = form && form.step === s.key ? form : null;
    return {
      key: s.key,
      number: STEP_KEYS.indexOf(s.key) + 1,
      title: STEP_TITLES[s.key],
      status: s.status,
      opensAt: s.opensAt,
      dueAt: s.dueAt,
      closedReason: s.closedReason,
      changes: s.changes.map((c) => ({ ...c, byName: names.get(c.by) ?? c.by })),
      owed,
      submitted: owed.filter((o) => o.status !== 'owed' && o.status !== 'overdue').length,
      total: owed.length,
      canExtend: isOwner && cycle.status !== 'closed' && s.status !== 'closed',
      canClose: isOwner && cycle.status !== 'closed' && s.status === 'open',
      canReopen: isOwner && cycle.status !== 'closed' && s.status === 'closed' && !laterClosed,
      suggestedDue: asLocalInput(new Date(Math.max(s.dueAt.getTime(), now.getTime()) + 86_400_000), zone),
      nextDue: next ? next.dueAt : null,
      form:
        editing && editing.change !== 'excuse'
          ? {
              change: editing.change,
              values: editing.values,
              errors: editing.errors,
              problems: Object.keys(editing.errors).length,
            }
          : null,
    };
  });
  return {
    page: 'board',
    title: `Cycle ${cycle.month}`,
    status: form ? 400 : 200,
    data: {
      cycle: { id: cycle.id, month: cycle.month, status: cycle.status },
      cycles,
      steps,
      isOwner,
      meetings: meetings.map(({ view }) => ({
        id: view.id,
        title: view.title,
        start: view.start,
        status: view.status,
        statusLabel: MEETING_STATUS_LABELS[view.status],
        chair: view.chair?.name ?? null,
        invitees: view.invitees.length,
        outside: view.start ? view.invitees.filter((i) => !i.fits).length : 0,
      })),
    },
  };
}

type Change = 'extend' | 'close' | 'reopen';

async function changeStep(ctx: WebContext, change: Change): Promise<WebResult> {
  const { deps, session, params, body } = ctx;
  const cycle = await cycleOf(ctx, params['cycleId']);
  const step = params['step'] as StepKey;
  if (!cycle || !STEP_KEYS.includes(step))
    throw new DomainError('not_found', 'There is no such step in this cycle.');
  const reason = body['reason'] ?? '';
  const errors: Record<string, string> = {};
  if (!reason) errors['reason'] = 'Say why: the people who owe inputs see it.';
  else if (reason.length > 500) errors['reason'] = 'Keep the reason under 500 characters.';
  let dueAt: Date | null = null;
  if (change !== 'close') {
    dueAt = localMoment(body['dueAt'] ?? '', session.member.timezone);
    if (!dueAt) errors['dueAt'] = `Give the new due date and time (${session.member.timezone}).`;
  }
  const values = { reason, dueAt: body['dueAt'] ?? '' };
  if (Object.keys(errors).length) return board(ctx, cycle, { step, change, values, errors });
  try {
    const run = {
      extend: () => extendStepDue(deps, session.org.id, cycle.id, step, session.member.id, dueAt!, reason),
      reopen: () => reopenClosedStep(deps, session.org.id, cycle.id, step, session.member.id, dueAt!, reason),
      close: () => closeStepNow(deps, session.org.id, cycle.id, step, session.member.id, reason),
    }[change];
    await run();
  } catch (err) {
    if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
    const fieldErrors: Record<string, string> = {};
    for (const [k, v] of Object.entries(err.fields)) fieldErrors[k === 'dueAt' ? 'dueAt' : 'reason'] = v;
    if (!Object.keys(fieldErrors).length) fieldErrors[change === 'close' ? 'reason' : 'dueAt'] = err.message;
    return board(ctx, await cycleOf(ctx, cycle.id), { step, change, values, errors: fieldErrors });
  }
  const done = { extend: 'extended', close: 'closed', reopen: 'reopened' }[change];
  return { redirect: `/app/cycles/${cycle.id}`, notice: `${STEP_TITLES[step]} ${done}.` };
}

/** The process owner excuses an input with a reason, or withdraws the excuse. */
async function excuse(ctx: WebContext, withdraw: boolean): Promise<WebResult> {
  const { deps, session, params, body } = ctx;
  const cycle = await cycleOf(ctx, params['cycleId']);
  const requestId = params['requestId'] ?? '';
  const request = ID.test(requestId) ? await deps.requests.get(session.org.id, requestId) : null;
  if (!cycle || !request || request.cycleId !== cycle.id)
    throw new DomainError('not_found', 'There is no such input in this cycle.');
  const reason = withdraw ? null : (body['reason'] ?? '');
  const refused = (errors: Record<string, string>) =>
    board(ctx, cycle, {
      step: request.step,
      change: 'excuse',
      requestId,
      values: { reason: reason ?? '' },
      errors,
    });
  if (reason === '') return refused({ reason: 'Say why this input is not needed: its owners see it.' });
  try {
    const out = await excuseInput(deps, session.org.id, requestId, session.member.id, reason);
    const title = INPUT_TITLES[request.kind];
    return {
      redirect: `/app/cycles/${cycle.id}#step-${request.step}`,
      notice: withdraw
        ? `${title} is owed again.`
        : `${title} excused.${out.stepClosed ? ` ${STEP_TITLES[request.step]} closed: everything is in.` : ''}`,
    };
  } catch (err) {
    if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
    return refused({ reason: Object.values(err.fields)[0] ?? err.message });
  }
}

export function boardPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({
      method: 'get',
      path: '/app/board',
      nav: 'board',
      handler: async (ctx) => board(ctx, await cycleOf(ctx, undefined), null),
    }),
    webRoute({
      method: 'get',
      path: '/app/cycles/:cycleId',
      nav: 'board',
      handler: async (ctx) => board(ctx, await cycleOf(ctx, ctx.params['cycleId']), null),
    }),
    ...(['extend', 'close', 'reopen'] as const).map((change) =>
      webRoute({
        method: 'post',
        path: `/app/cycles/:cycleId/steps/:step/${change}`,
        nav: 'board',
        role: 'process-owner',
        handler: (ctx) => changeStep(ctx, change),
      }),
    ),
    webRoute({
      method: 'post',
      path: '/app/cycles/:cycleId/inputs/:requestId/excuse',
      nav: 'board',
      role: 'process-owner',
      handler: (ctx) => excuse(ctx, false),
    }),
    webRoute({
      method: 'post',
      path: '/app/cycles/:cycleId/inputs/:requestId/unexcuse',
      nav: 'board',
      role: 'process-owner',
      handler: (ctx) => excuse(ctx, true),
    }),
  ];
}
