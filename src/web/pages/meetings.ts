/**
 * A cycle meeting on the web (`/app/meetings/:meetingId`): its time (the reader's zone and the
 * org's), how it was set, the chair, the invitees (marked when the time is outside their working
 * hours), the time poll, the changes, the invitation (.ics), the agenda from the pack, and the
 * minutes once it has ended (any version). The process owner edits the agenda (move, drop with a
 * reason, restore, add, timebox), moves or cancels the meeting and opens a time poll until the
 * meeting starts: the use cases chat and the API call (src/app/meetings.ts), errors beside the
 * fields, nothing written on an error.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  cancelMeeting,
  editAgenda,
  meetingAgenda,
  meetingMinutes,
  meetingView,
  openTimePoll,
  rescheduleMeeting,
  type AgendaView,
  type MeetingView,
} from '../../app/meetings.js';
import type { Deps } from '../../app/ports.js';
import type { MinutesRecord } from '../../app/records.js';
import {
  TIMEBOX_MAX_MINUTES,
  TIMEBOX_STEP_MINUTES,
  type AgendaEdit,
  type AgendaItem,
} from '../../domain/agenda.js';
import { DomainError } from '../../domain/errors.js';
import { pollResult } from '../../domain/meetingTime.js';
import type { ItemOutcome } from '../../domain/minutes.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';

const MEETING = /^[a-f0-9]{24}-(pre-sop|executive-sop)$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** What the page calls each state of a meeting. */
export const MEETING_STATUS_LABELS: Record<MeetingView['status'], string> = {
  scheduled: 'Scheduled',
  polling: 'Time poll open',
  live: 'Live',
  ended: 'Ended',
  cancelled: 'Cancelled',
};

const HOW_LABELS: Record<MeetingView['how'], string> = {
  fixed: "the organisation's fixed slot for this meeting",
  proposed: "proposed by Accord: a time inside every invitee's working hours",
  poll: 'chosen by a time poll of the invitees',
  set: 'set by the process owner',
};

const KIND_LABELS: Record<AgendaItem['kind'], string> = {
  tradeoff: 'Trade-off from the pack',
  alert: 'S&OE alert',
  added: 'Added by the process owner',
  deferred: 'Deferred at an earlier meeting',
};

/** What each outcome of an agenda item is called. */
export const OUTCOME_LABELS: Record<ItemOutcome, string> = {
  decided: 'Decided',
  deferred: 'Deferred',
  escalated: 'Escalated',
  'not-reached': 'Not reached',
};

type AgendaOp = AgendaEdit['op'];
type FormName = AgendaOp | 'time' | 'cancel' | 'poll';

/** A form the process owner sent that was refused: shown again with its values and problems. */
interface SentForm {
  name: FormName;
  /** The agenda item the form is about (per-item forms), else null. */
  key: string | null;
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A refusal that belongs to no field (the meeting has started, is cancelled, ...). */
  problem: string | null;
}

function meetingIdOf(ctx: WebContext): string {
  const id = ctx.params['meetingId'] ?? '';
  if (!MEETING.test(id)) throw new DomainError('not_found', 'There is no such meeting in your organisation.');
  return id;
}

/** The use case's not-found ("meeting not found") as a sentence for the page. */
async function found<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found')
      throw new DomainError('not_found', 'There is no such meeting in your organisation.');
    throw err;
  }
}

/** `?version=N` of the minutes (absent: the latest). */
function minutesVersion(ctx: WebContext): number | null {
  const v = ctx.query['version'];
  if (v === undefined || v === '') return null;
  if (!/^[1-9]\d{0,8}$/.test(v))
    throw new DomainError('not_found', `There is no version ${v} of these minutes.`);
  return Number(v);
}

const localInput = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
const atZone = (at: Date, zone: string) =>
  `${DateTime.fromJSDate(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;

/** A use case's message as the end of a sentence ("the meeting has started"). */
const clause = (message: string) => {
  const m = message.trim().replace(/\.$/, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
};

function minutesView(r: MinutesRecord) {
  const m = r.minutes;
  const a = m.attendance;
  return {
    version: r.version,
    note: r.note,
    createdAt: r.createdAt,
    chair: m.chair.name,
    startedAt: m.meeting.startedAt,
    endedAt: m.meeting.endedAt,
    attendance: {
      present: a.present.map((p) => p.name),
      represented: a.represented.map((p) => ({ name: p.name, delegate: p.delegateName })),
      absent: a.absent.map((p) => p.name),
      late: a.late.map((p) => ({ name: p.name, arrivedAt: p.arrivedAt })),
    },
    items: m.items.map((i) => ({
      position: i.position,
      id: `minutes-item-${i.position}`,
      title: i.title,
      question: i.question,
      kind: KIND_LABELS[i.kind],
      moneyAtStake: i.moneyAtStake,
      recommendation: i.recommendation,
      timeboxMinutes: i.timeboxMinutes,
      minutesUsed: i.minutesUsed,
      overTimebox: i.overTimebox,
      outcome: i.outcome,
      outcomeLabel: OUTCOME_LABELS[i.outcome],
      decision: i.decision
        ? {
            option: i.decision.optionLabel,
            rationale: i.decision.rationale,
            followedRecommendation: i.decision.followedRecommendation,
            totalVotes: i.decision.totalVotes,
            votes: i.decision.votes,
            dissent: i.decision.dissent,
          }
        : null,
      deferral: i.deferral,
      escalation: i.escalation,
      actions: i.actions,
    })),
    dropped: m.dropped,
    totals: m.totals,
    duration: m.duration,
  };
}

async function meetingPage(ctx: WebContext, sent: SentForm | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const id = meetingIdOf(ctx);
  const [view, agenda, allMinutes, members] = await Promise.all([
    found(meetingView(deps, orgId, id)),
    found(meetingAgenda(deps, orgId, id)),
    found(meetingMinutes(deps, orgId, id)),
    deps.members.all(orgId),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const orgZone = session.org.timezone;
  const isOwner = session.member.roles.includes('process-owner');
  const open = view.status === 'scheduled' || view.status === 'polling';
  const beforeStart = open || view.status === 'cancelled';

  const wanted = minutesVersion(ctx);
  const minutes = wanted
    ? allMinutes.find((m) => m.version === wanted)
    : (allMinutes[allMinutes.length - 1] ?? null);
  if (wanted && !minutes)
    throw new DomainError('not_found', `There is no version ${wanted} of these minutes.`);

  const ics =
    view.start || view.cancelled
      ? (await deps.links.forOrg(orgId)).signed(
          `/api/v1/orgs/${orgId}/meetings/${id}.ics?s=${view.sequence}`,
          deps.clock.now(),
        )
      : null;

  const poll = view.poll
    ? (() => {
        const result = pollResult(view.poll.options, view.poll.votes, view.poll.chosen);
        return {
          round: view.poll.round,
          status: view.poll.status,
          statusLabel: {
            open: 'open: the invitees are choosing',
            tied: 'tied: the chair picks between the leading times',
            closed: 'closed',
          }[view.poll.status],
          deadline: view.poll.deadline,
          answered: new Set(view.poll.votes.map((v) => v.memberId)).size,
          invited: view.invitees.length,
          options: view.poll.options.map((o) => ({
            key: o.key,
            start: o.start,
            end: o.end,
            suits: o.fits.length,
            missesNames: o.misses.map((m) => names.get(m) ?? 'a former member'),
            votes: result.counts[o.key] ?? 0,
            chosen: view.poll!.chosen === o.key,
            tied: view.poll!.tied.includes(o.key),
          })),
        };
      })()
    : null;

  const live = view.live;
  const form = (name: FormName, key: string | null = null) =>
    sent && sent.name === name && sent.key === key ? sent : null;
  const lastIndex = agenda.items.length - 1;
  const items = agenda.items.map((item, index) => {
    const li = live?.items[index];
    const timebox = form('timebox', item.key);
    const drop = form('drop', item.key);
    const move = form('move', item.key);
    return {
      index,
      key: item.key,
      title: item.title,
      kind: KIND_LABELS[item.kind],
      question: item.question,
      moneyAtStake: item.moneyAtStake,
      timeboxMinutes: item.timeboxMinutes,
      recommendation: item.recommendation,
      rationale: item.rationale,
      options: item.options,
      outcome: li
        ? li.outcome
          ? OUTCOME_LABELS[li.outcome]
          : li.startedAt
            ? 'Under discussion'
            : 'Not yet taken'
        : null,
      canUp: index > 0,
      canDown: index < lastIndex,
      moveError: move ? (Object.values(move.errors)[0] ?? null) : null,
      timebox: {
        value: timebox ? (timebox.values['minutes'] ?? '') : String(item.timeboxMinutes),
        error: timebox?.errors['minutes'] ?? timebox?.errors['key'] ?? null,
      },
      drop: {
        open: !!drop,
        value: drop?.values['reason'] ?? '',
        error: drop?.errors['reason'] ?? drop?.errors['key'] ?? null,
      },
    };
  });
  const dropped = agenda.dropped.map((d, index) => {
    const restore = form('restore', d.item.key);
    return {
      index,
      key: d.item.key,
      title: d.item.title,
      reason: d.reason,
      timeboxMinutes: d.item.timeboxMinutes,
      error: restore ? (Object.values(restore.errors)[0] ?? null) : null,
    };
  });
  const add = form('add');
  const time = form('time');
  const cancel = form('cancel');
  const pollSent = form('poll');

  return {
    page: 'meeting',
    title: view.title,
    status: sent ? (sent.problem ? 409 : 400) : 200,
    data: {
      meeting: {
        id: view.id,
        title: view.title,
        month: view.month,
        cycleId: view.cycleId,
        status: view.status,
        statusLabel: MEETING_STATUS_LABELS[view.status],
        start: view.start,
        end: view.end,
        minutes: agenda.minutes,
        timezone: view.timezone,
        otherZone: session.member.timezone !== view.timezone,
        how: view.start
          ? HOW_LABELS[view.how]
          : view.status === 'polling'
            ? 'waiting for the time poll'
            : null,
        sequence: view.sequence,
        chair: view.chair?.name ?? null,
        cancelled: view.cancelled
          ? {
              reason: view.cancelled.reason,
              by: names.get(view.cancelled.by) ?? 'a former member',
              at: view.cancelled.at,
            }
          : null,
        startedAt: live?.startedAt ?? null,
        endedAt: live?.endedAt ?? null,
        ics,
      },
      problem: sent?.problem ?? null,
      invitees: view.invitees
        .map((i) => ({ ...i, outside: !!view.start && !i.fits }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      outsideCount: view.start ? view.invitees.filter((i) => !i.fits).length : 0,
      poll,
      changes: view.changes.map((c) => {
        const moved = /^moved to (\S+)$/.exec(c.what);
        return {
          at: c.at,
          by: names.get(c.by) ?? 'a former member',
          movedTo: moved ? new Date(moved[1]!) : null,
          what: moved ? null : c.what,
          reason: c.reason,
        };
      }),
      agenda: {
        fixed: agenda.fixed,
        minutes: agenda.minutes,
        overrun: agenda.overrun,
        packVersion: agenda.packVersion,
        items,
        dropped,
      },
      isOwner,
      canEditAgenda: isOwner && open,
      canReschedule: isOwner && beforeStart,
      canCancel: isOwner && open,
      canPoll: isOwner && beforeStart,
      timeboxStep: TIMEBOX_STEP_MINUTES,
      timeboxMax: TIMEBOX_MAX_MINUTES,
      addForm: {
        values: add?.values ?? { title: '', detail: '', minutes: '15' },
        errors: add?.errors ?? {},
        problems: add ? Object.keys(add.errors).length : 0,
      },
      timeForm: {
        values: time?.values ?? {
          start: view.start ? localInput(view.start, orgZone) : '',
          minutes: String(agenda.minutes),
          reason: '',
        },
        errors: time?.errors ?? {},
        problems: time ? Object.keys(time.errors).length : 0,
      },
      cancelForm: {
        values: cancel?.values ?? { reason: '' },
        errors: cancel?.errors ?? {},
        problems: cancel ? Object.keys(cancel.errors).length : 0,
      },
      pollError: pollSent ? (Object.values(pollSent.errors)[0] ?? null) : null,
      minutes: minutes ? minutesView(minutes) : null,
      versions: allMinutes
        .map((m) => ({
          version: m.version,
          note: m.note,
          createdAt: m.createdAt,
          current: m.version === minutes?.version,
        }))
        .reverse(),
      latestVersion: allMinutes[allMinutes.length - 1]?.version ?? null,
    },
  };
}

/**
 * A refused change: its field problems (400; `fieldOf` names the form's field of a use case's path,
 * `reword` may say a problem the form's way) or, when the meeting cannot change now, why (409).
 */
async function refused(
  ctx: WebContext,
  err: unknown,
  sent: { name: FormName; key: string | null; values: Record<string, string> },
  fieldOf: (path: string) => string,
  reword: (field: string, message: string) => string = (_f, m) => m,
): Promise<WebResult> {
  if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
  if (err.code !== 'validation_failed')
    return meetingPage(ctx, { ...sent, errors: {}, problem: `Nothing was changed: ${clause(err.message)}.` });
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(err.fields)) {
    const field = fieldOf(path);
    errors[field] ??= reword(field, message);
  }
  if (!Object.keys(errors).length) errors[fieldOf('')] = err.message;
  return meetingPage(ctx, { ...sent, errors, problem: null });
}

const titleIn = (agenda: AgendaView, key: string) =>
  agenda.items.find((i) => i.key === key)?.title ??
  agenda.dropped.find((d) => d.item.key === key)?.item.title ??
  'The item';

/** `"15"` as 15; anything else as NaN (the use case says what is wrong with it). */
const wholeNumber = (v: string) => (/^\d{1,4}$/.test(v) ? Number(v) : Number.NaN);

async function changeAgenda(ctx: WebContext, op: AgendaOp): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const orgId = session.org.id;
  const id = meetingIdOf(ctx);
  const key = body['key'] ?? '';
  let edit: AgendaEdit;
  let values: Record<string, string> = {};
  let direction: 'up' | 'down' = 'down';
  switch (op) {
    case 'move': {
      direction = body['direction'] === 'up' ? 'up' : 'down';
      const agenda = await found(meetingAgenda(deps, orgId, id));
      const at = agenda.items.findIndex((i) => i.key === key);
      edit = { op, key, to: at < 0 ? 0 : direction === 'up' ? at - 1 : at + 1 };
      break;
    }
    case 'drop':
      values = { reason: body['reason'] ?? '' };
      edit = { op, key, reason: values['reason']! };
      break;
    case 'restore':
      edit = { op, key };
      break;
    case 'add':
      values = { title: body['title'] ?? '', detail: body['detail'] ?? '', minutes: body['minutes'] ?? '' };
      edit = {
        op,
        key: `x:${randomBytes(6).toString('hex')}`,
        title: values['title']!,
        detail: values['detail']!,
        minutes: wholeNumber(values['minutes']!),
      };
      break;
    case 'timebox':
      values = { minutes: body['minutes'] ?? '' };
      edit = { op, key, minutes: wholeNumber(values['minutes']!) };
      break;
  }
  let agenda: AgendaView;
  try {
    agenda = await found(editAgenda(deps, orgId, id, { actorId: session.member.id, edit }));
  } catch (err) {
    const fieldOf = (path: string) => {
      const field = path.replace(/^edit\./, '');
      if (op === 'add') return ['title', 'detail', 'minutes'].includes(field) ? field : 'title';
      if (op === 'drop') return field === 'reason' ? 'reason' : 'key';
      if (op === 'timebox') return field === 'minutes' ? 'minutes' : 'key';
      // A move's "to" ("a position from 0 to N") is the item being first or last already.
      return field === 'to' ? 'to' : 'key';
    };
    const reword = (field: string, message: string) =>
      field === 'to' ? `This item is ${direction === 'up' ? 'first' : 'last'} already.` : message;
    return refused(ctx, err, { name: op, key: op === 'add' ? null : key, values }, fieldOf, reword);
  }
  const title = op === 'add' ? values['title']!.trim() : titleIn(agenda, key);
  const notice = {
    move: `“${title}” moved ${direction}.`,
    drop: `“${title}” dropped from the agenda.`,
    restore: `“${title}” is back on the agenda.`,
    add: `“${title}” added to the agenda.`,
    timebox: `“${title}” now has ${edit.op === 'timebox' ? edit.minutes : 0} minutes.`,
  }[op];
  return { redirect: `/app/meetings/${id}#agenda`, notice };
}

async function reschedule(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const id = meetingIdOf(ctx);
  const zone = session.org.timezone;
  const values = { start: body['start'] ?? '', minutes: body['minutes'] ?? '', reason: body['reason'] ?? '' };
  const local = LOCAL_TIME.test(values.start) ? DateTime.fromISO(values.start, { zone }) : null;
  const start = local?.isValid ? (local.toISO({ suppressMilliseconds: true }) ?? '') : '';
  try {
    const after = await found(
      rescheduleMeeting(deps, session.org.id, id, {
        actorId: session.member.id,
        start,
        minutes: values.minutes ? wholeNumber(values.minutes) : undefined,
        reason: values.reason,
      }),
    );
    return {
      redirect: `/app/meetings/${id}`,
      notice: `The meeting is now on ${atZone(after.slot!.start, zone)}. The invitees get the updated invitation.`,
    };
  } catch (err) {
    return refused(
      ctx,
      err,
      { name: 'time', key: null, values },
      (path) => (path === 'minutes' || path === 'reason' ? path : 'start'),
      // A date-time the form could not read: say so the form's way (not "with its offset").
      (field, message) => (field === 'start' && !start ? `Give the date and time in ${zone}.` : message),
    );
  }
}

async function cancel(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const id = meetingIdOf(ctx);
  const values = { reason: body['reason'] ?? '' };
  try {
    await found(
      cancelMeeting(deps, session.org.id, id, { actorId: session.member.id, reason: values.reason }),
    );
  } catch (err) {
    return refused(ctx, err, { name: 'cancel', key: null, values }, () => 'reason');
  }
  return {
    redirect: `/app/meetings/${id}`,
    notice: 'The meeting is cancelled. The invitees get the cancellation.',
  };
}

async function poll(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const id = meetingIdOf(ctx);
  try {
    const after = await found(openTimePoll(deps, session.org.id, id, session.member.id));
    const p = after.poll!;
    return {
      redirect: `/app/meetings/${id}#poll`,
      notice: `A time poll is open until ${atZone(p.deadline, session.org.timezone)}: the invitees choose among ${p.options.length} ${p.options.length === 1 ? 'time' : 'times'}.`,
    };
  } catch (err) {
    return refused(ctx, err, { name: 'poll', key: null, values: {} }, () => 'poll');
  }
}

export function meetingPages(_deps: Deps): WebRoute[] {
  const owner = { method: 'post', nav: 'board', role: 'process-owner' } as const;
  return [
    webRoute({
      method: 'get',
      path: '/app/meetings/:meetingId',
      nav: 'board',
      handler: (ctx) => meetingPage(ctx, null),
    }),
    ...(['move', 'drop', 'restore', 'add', 'timebox'] as const).map((op) =>
      webRoute({
        ...owner,
        path: `/app/meetings/:meetingId/agenda/${op}`,
        handler: (ctx) => changeAgenda(ctx, op),
      }),
    ),
    webRoute({ ...owner, path: '/app/meetings/:meetingId/time', handler: reschedule }),
    webRoute({ ...owner, path: '/app/meetings/:meetingId/cancel', handler: cancel }),
    webRoute({ ...owner, path: '/app/meetings/:meetingId/poll', handler: poll }),
  ];
}
