/**
 * My inputs: the input requests the signed-in member owes (or may give as a delegate) in the
 * current cycle, and each one's form: the same form as chat (`inputForm`), pre-filled with the
 * latest version, its earlier versions, and a submit that goes through `submitInput` like chat and
 * the API (a new version each time, until the step closes).
 */
import { STEP_KEYS, STEP_TITLES } from '../../domain/calendar.js';
import { INPUT_TITLES } from '../../domain/inputs.js';
import { maySubmit, type InputKind } from '../../domain/obligations.js';
import { DomainError } from '../../domain/errors.js';
import { submitInput } from '../../app/inputs.js';
import { currentCycle, inputFormFor } from '../../app/queries.js';
import type { Deps } from '../../app/ports.js';
import type { InputRequestRecord, MemberRecord, SubmissionRecord } from '../../app/records.js';
import type { FieldErrors, Form, FormValues } from '../../cards/form.js';
import { errorsFor, FORM_FIELDS, initialFrom, payloadFrom } from '../../cards/forms.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { formValues, formView } from '../forms.js';

const ID = /^[a-f0-9]{24}$/;

const STATUS_LABEL: Record<string, string> = {
  submitted: 'Submitted',
  late: 'Submitted late',
  owed: 'Owed',
  overdue: 'Overdue',
  pending: 'Not yet open',
  missed: 'Not given (step closed)',
};

/** Where a request stands for its step: submitted (on time or late), owed, overdue, not yet open, missed. */
function statusOf(
  r: InputRequestRecord,
  step: { status: string; dueAt: Date },
  now: Date,
): keyof typeof STATUS_LABEL {
  if (r.latestVersion > 0)
    return r.lastSubmittedAt !== null && r.lastSubmittedAt > step.dueAt ? 'late' : 'submitted';
  if (step.status === 'pending') return 'pending';
  if (step.status === 'closed') return 'missed';
  return now > step.dueAt ? 'overdue' : 'owed';
}

/** Mine: I owe it, or I am the delegate of someone who does (a process owner's others are on the board). */
const isMine = (member: MemberRecord, r: InputRequestRecord) =>
  r.owners.includes(member.id) || (!!member.delegation && r.owners.includes(member.delegation.of));

async function list(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const cycle = await currentCycle(deps, session.org);
  const isOwner = session.member.roles.includes('process-owner');
  if (!cycle) return { page: 'inputs', title: 'My inputs', data: { cycle: null, isOwner } };
  const requests = (await deps.requests.forCycle(session.org.id, cycle.id)).filter((r) =>
    isMine(session.member, r),
  );
  const now = deps.clock.now();
  const steps = new Map(cycle.steps.map((s) => [s.key, s]));
  const items = requests
    .map((r) => {
      const step = steps.get(r.step)!;
      const status = statusOf(r, step, now);
      return {
        id: r.id,
        title: INPUT_TITLES[r.kind],
        function: r.function,
        stepTitle: STEP_TITLES[r.step],
        stepOrder: STEP_KEYS.indexOf(r.step),
        stepStatus: step.status,
        open: step.status === 'open',
        dueAt: step.dueAt,
        status,
        statusLabel: STATUS_LABEL[status],
        version: r.latestVersion,
        submittedAt: r.lastSubmittedAt,
      };
    })
    // Open steps first, then by the order of the steps.
    .sort((a, b) => Number(b.open) - Number(a.open) || a.stepOrder - b.stepOrder);
  return {
    page: 'inputs',
    title: 'My inputs',
    data: {
      cycle: { id: cycle.id, month: cycle.month, status: cycle.status },
      items,
      open: items.filter((i) => i.open),
      other: items.filter((i) => !i.open),
      isOwner,
    },
  };
}

/** Chat's form, for the web: the attendance delegate picked from the org's members (the value stays a member id). */
function webForm(form: Form, kind: InputKind, people: { value: string; label: string }[]): Form {
  if (kind !== 'attendance') return form;
  return {
    ...form,
    fields: form.fields.map((f) =>
      f.id === 'delegateId'
        ? {
            ...f,
            type: 'select' as const,
            label: 'Delegate (when a delegate attends for you)',
            placeholder: 'Nobody',
            options: people,
          }
        : f,
    ),
  };
}

/** A submission's values in words: each item of a list payload (adjustments, constraints, targets) on its own line. */
function readable(
  kind: InputKind,
  payload: unknown,
  names: Map<string, string>,
): { label: string; value: string }[][] {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const listKey = {
    'demand-adjustments': 'adjustments',
    'supply-constraints': 'constraints',
    'finance-targets': 'targets',
  }[kind as string];
  const items: unknown[] =
    listKey && Array.isArray(p[listKey])
      ? (p[listKey] as unknown[]).map((x) => ({ ...p, [listKey]: [x] }))
      : [payload];
  const fields = FORM_FIELDS[kind];
  return items.map((one) => {
    const values = initialFrom(kind, one);
    return fields
      .filter((f) => values[f.block] !== undefined)
      .map((f) => {
        const raw = values[f.block]!;
        const option = f.options?.find(([v]) => v === raw)?.[1];
        const value = f.block === 'delegateId' ? (names.get(raw) ?? raw) : (option ?? raw);
        return { label: f.label.replace(/ \(.*\)$/, ''), value };
      });
  });
}

/** How many items a list payload holds (the form edits the first one). */
function itemCount(kind: InputKind, payload: unknown): number {
  const key = {
    'demand-adjustments': 'adjustments',
    'supply-constraints': 'constraints',
    'finance-targets': 'targets',
  }[kind as string];
  const p = payload as Record<string, unknown> | null;
  return key && p && Array.isArray(p[key]) ? (p[key] as unknown[]).length : 1;
}

async function requestOf(ctx: WebContext): Promise<InputRequestRecord> {
  const id = ctx.params['requestId'] ?? '';
  const r = ID.test(id) ? await ctx.deps.requests.get(ctx.session.org.id, id) : null;
  if (!r) throw new DomainError('not_found', 'There is no such input request in your organisation.');
  return r;
}

async function detail(
  ctx: WebContext,
  request: InputRequestRecord,
  sent: { values: FormValues; errors: FieldErrors; status: number } | null,
): Promise<WebResult> {
  const { deps, session } = ctx;
  const [cycle, versions, members, chatForm] = await Promise.all([
    deps.cycles.get(session.org.id, request.cycleId),
    deps.submissions.list(session.org.id, request.id),
    deps.members.all(session.org.id),
    inputFormFor(deps, session.org.id, request.id),
  ]);
  if (!cycle || !chatForm)
    throw new DomainError('not_found', 'There is no such input request in your organisation.');
  const names = new Map(members.map((m) => [m.id, m.name]));
  const step = cycle.steps.find((s) => s.key === request.step)!;
  const people = members
    .filter((m) => m.id !== session.member.id)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ value: m.id, label: m.name }));
  const form = webForm(chatForm, request.kind, people);
  const url = `/app/inputs/${request.id}`;
  const latest = versions.at(-1);
  const status = statusOf(request, step, deps.clock.now());
  return {
    page: 'input',
    title: INPUT_TITLES[request.kind],
    status: sent?.status ?? 200,
    data: {
      request: {
        id: request.id,
        title: INPUT_TITLES[request.kind],
        function: request.function,
        owners: request.owners.map((o) => names.get(o) ?? o).join(', '),
        status,
        statusLabel: STATUS_LABEL[status],
      },
      cycle: { id: cycle.id, month: cycle.month },
      step: {
        title: STEP_TITLES[step.key],
        status: step.status,
        dueAt: step.dueAt,
        open: step.status === 'open',
      },
      mayGive: maySubmit(session.member, request.owners),
      form: formView(form, url, sent ? sent.values : null, sent?.errors ?? {}),
      moreItems:
        latest && itemCount(request.kind, latest.payload) > 1 ? itemCount(request.kind, latest.payload) : 0,
      versions: versions
        .slice()
        .reverse()
        .map((v: SubmissionRecord) => ({
          version: v.version,
          author: names.get(v.authorId) ?? v.authorId,
          at: v.createdAt,
          items: readable(request.kind, v.payload, names),
          latest: v.version === latest?.version,
        })),
    },
  };
}

async function submit(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const request = await requestOf(ctx);
  const chatForm = await inputFormFor(deps, session.org.id, request.id);
  if (!chatForm) throw new DomainError('not_found', 'There is no such input request in your organisation.');
  const values = formValues(chatForm, body);
  const payload = payloadFrom(request.kind, values);
  try {
    const out = await submitInput(deps, session.org.id, request.id, session.member.id, payload);
    return {
      redirect: `/app/inputs/${request.id}`,
      notice: `Saved as version ${out.submission.version}.${out.stepClosed ? ' Every input for this step is in: the step has closed.' : ' You can change it until the step closes.'}`,
    };
  } catch (err) {
    if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
    // Field problems beside their fields; anything else (the step is not open) beside the first.
    const errors = Object.keys(err.fields).length
      ? errorsFor(request.kind, err.fields)
      : { [chatForm.fields[0]!.id]: err.message };
    return detail(ctx, request, { values, errors, status: err.code === 'validation_failed' ? 400 : 409 });
  }
}

export function inputPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({ method: 'get', path: '/app/inputs', nav: 'inputs', handler: list }),
    webRoute({
      method: 'get',
      path: '/app/inputs/:requestId',
      nav: 'inputs',
      handler: async (ctx) => detail(ctx, await requestOf(ctx), null),
    }),
    webRoute({ method: 'post', path: '/app/inputs/:requestId', nav: 'inputs', handler: submit }),
  ];
}
