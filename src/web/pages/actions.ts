/**
 * The actions board: action items grouped per owner, overdue first then by due date, each with its
 * decision, due date, status and history; the owner (a delegate of the owner, or a process owner)
 * marks one done, blocked (with a note), open again or cancelled, through the API's updateAction.
 * Default: my actions; a process owner sees everyone's.
 */
import { mayChangeAction, updateAction } from '../../app/ballots.js';
import { actionOverdue } from '../../app/followThrough.js';
import type { Deps } from '../../app/ports.js';
import type { ActionRecord, ActionStatus } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { ACTION_STATUS_LABELS, actorName } from './decisions.js';

const ID = /^[a-f0-9]{24}$/;
const STATUSES: ActionStatus[] = ['open', 'done', 'blocked', 'cancelled'];
const NOTE_MAX = 1000;

interface Filter {
  /** `me`, `all` or a member's id. */
  owner: string;
  status: ActionStatus | '';
}

interface UpdateForm {
  actionId: string;
  values: { status: string; note: string };
  errors: Record<string, string>;
}

function filterOf(ctx: WebContext, owner: string | undefined, status: string | undefined): Filter {
  const isOwner = ctx.session.member.roles.includes('process-owner');
  return {
    owner: owner || (isOwner ? 'all' : 'me'),
    status: STATUSES.includes(status as ActionStatus) ? (status as ActionStatus) : '',
  };
}

export function actionsUrl(f: Filter, actionId?: string): string {
  const qs = new URLSearchParams({ owner: f.owner });
  if (f.status) qs.set('status', f.status);
  return `/app/actions?${qs.toString()}${actionId ? `#action-${actionId}` : ''}`;
}

async function board(ctx: WebContext, filter: Filter, form: UpdateForm | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const members = await deps.members.all(orgId);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const ownerId = filter.owner === 'me' ? session.member.id : filter.owner === 'all' ? null : filter.owner;
  if (ownerId && !names.has(ownerId))
    throw new DomainError('not_found', 'There is no such member in your organisation.');
  const [actions, decisions] = await Promise.all([
    deps.actions.list(orgId, {
      ...(ownerId ? { ownerId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
    }),
    deps.decisions.all(orgId),
  ]);
  const titles = new Map(decisions.map((d) => [d.id, d.title]));
  const now = deps.clock.now();
  const zone = session.org.timezone;
  const view = (a: ActionRecord) => {
    const editing = form && form.actionId === a.id ? form : null;
    const overdue = actionOverdue(a, zone, now);
    return {
      id: a.id,
      description: a.description,
      decisionId: a.decisionId,
      decisionTitle: titles.get(a.decisionId) ?? 'a decision no longer on record',
      dueDate: a.dueDate,
      status: a.status,
      statusLabel: ACTION_STATUS_LABELS[a.status] ?? a.status,
      overdue,
      history: [...a.history].reverse().map((h) => ({
        statusLabel: ACTION_STATUS_LABELS[h.status] ?? h.status,
        note: h.note,
        by: actorName(h.by, names),
        at: h.at,
      })),
      canChange: mayChangeAction(session.member, a),
      statuses: STATUSES.map((s) => ({
        value: s,
        label: ACTION_STATUS_LABELS[s],
        selected: s === (editing ? editing.values.status : a.status),
      })),
      form: editing
        ? { values: editing.values, errors: editing.errors, problems: Object.keys(editing.errors).length }
        : null,
    };
  };
  const byOwner = new Map<string, ActionRecord[]>();
  for (const a of actions) byOwner.set(a.ownerId, [...(byOwner.get(a.ownerId) ?? []), a]);
  const groups = [...byOwner.entries()]
    .map(([id, list]) => {
      const items = list
        .map(view)
        .sort(
          (x, y) =>
            Number(y.overdue) - Number(x.overdue) ||
            x.dueDate.localeCompare(y.dueDate) ||
            x.id.localeCompare(y.id),
        );
      return {
        ownerId: id,
        owner: names.get(id) ?? 'A former member',
        mine: id === session.member.id,
        actions: items,
        overdue: items.filter((x) => x.overdue).length,
      };
    })
    .sort((a, b) => Number(b.mine) - Number(a.mine) || a.owner.localeCompare(b.owner));
  const ownerOptions = [
    { value: 'me', label: 'Mine' },
    { value: 'all', label: 'Everyone' },
    ...[...members]
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((m) => m.id !== session.member.id)
      .map((m) => ({ value: m.id, label: m.name })),
  ].map((o) => ({ ...o, selected: o.value === filter.owner }));
  return {
    page: 'actions',
    title: 'Actions',
    status: form ? 400 : 200,
    data: {
      filter,
      ownerOptions,
      statusOptions: STATUSES.map((s) => ({
        value: s,
        label: ACTION_STATUS_LABELS[s],
        selected: s === filter.status,
      })),
      groups,
      total: actions.length,
      overdue: groups.reduce((n, g) => n + g.overdue, 0),
      scope:
        filter.owner === 'me'
          ? 'yours'
          : filter.owner === 'all'
            ? 'everyone'
            : `owned by ${names.get(filter.owner) ?? ''}`,
    },
  };
}

async function changeAction(ctx: WebContext): Promise<WebResult> {
  const { deps, session, params, body } = ctx;
  const actionId = params['actionId'] ?? '';
  const filter = filterOf(ctx, body['view'], body['filter']);
  if (!ID.test(actionId) || !(await deps.actions.get(session.org.id, actionId)))
    throw new DomainError('not_found', 'There is no such action in your organisation.');
  if (filter.owner !== 'me' && filter.owner !== 'all' && !ID.test(filter.owner)) filter.owner = 'me';
  const values = { status: body['status'] ?? '', note: body['note'] ?? '' };
  const errors: Record<string, string> = {};
  if (!STATUSES.includes(values.status as ActionStatus)) errors['status'] = 'Choose a status from the list.';
  if (values.note.length > NOTE_MAX)
    errors['note'] = `Keep the note under ${NOTE_MAX.toLocaleString('en')} characters.`;
  if (Object.keys(errors).length) return board(ctx, filter, { actionId, values, errors });
  let action: ActionRecord;
  try {
    action = await updateAction(deps, session.org.id, actionId, {
      actorId: session.member.id,
      status: values.status as ActionStatus,
      ...(values.note ? { note: values.note } : {}),
    });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    const fieldErrors: Record<string, string> = {};
    for (const [k, v] of Object.entries(err.fields)) fieldErrors[k === 'note' ? 'note' : 'status'] = v;
    if (!Object.keys(fieldErrors).length) fieldErrors['status'] = err.message;
    return board(ctx, filter, { actionId, values, errors: fieldErrors });
  }
  const label = ACTION_STATUS_LABELS[action.status]!.toLowerCase();
  return {
    redirect: actionsUrl(filter, action.id),
    notice: values.note ? `Marked ${label}, with your note.` : `Marked ${label}.`,
  };
}

export function actionPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({
      method: 'get',
      path: '/app/actions',
      nav: 'actions',
      handler: (ctx) => board(ctx, filterOf(ctx, ctx.query['owner'], ctx.query['status']), null),
    }),
    // One action (the link on its chat card): the board of its owner, at the action.
    webRoute({
      method: 'get',
      path: '/app/actions/:actionId',
      nav: 'actions',
      handler: async ({ deps, session, params }) => {
        const id = params['actionId'] ?? '';
        const action = ID.test(id) ? await deps.actions.get(session.org.id, id) : null;
        if (!action) throw new DomainError('not_found', 'There is no such action in your organisation.');
        return { redirect: `/app/actions?owner=${action.ownerId}#action-${action.id}` };
      },
    }),
    webRoute({ method: 'post', path: '/app/actions/:actionId', nav: 'actions', handler: changeAction }),
  ];
}
