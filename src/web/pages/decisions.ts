/**
 * The decision register: every decision of the org, searched (every word, as the API's register)
 * and filtered (cycle, outcome, decided between two dates), newest first, 25 a page, with the
 * meetings' minutes that have the words too; one decision
 * with its trade-off, the votes, the rationale, commitments, review date and its actions; the
 * process owner assigns an action from it (the chat's assign form, the API's addAction).
 */
import { DateTime } from 'luxon';
import { addAction, searchDecisions } from '../../app/ballots.js';
import { actionOverdue } from '../../app/followThrough.js';
import { searchMinutes } from '../../app/meetings.js';
import { sourceTradeoff } from '../../app/packs.js';
import type { Deps } from '../../app/ports.js';
import type { Actor, CycleRecord, DecisionRecord, MemberRecord } from '../../app/records.js';
import type { FieldErrors, FormValues } from '../../cards/form.js';
import { assignErrors, assignForm } from '../../cards/forms.js';
import { DomainError } from '../../domain/errors.js';
import { OBJECT } from '../../domain/voting.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { formValues, formView } from '../forms.js';

const ID = /^[a-f0-9]{24}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const DECISIONS_PER_PAGE = 25;
/** Minutes shown for a search (the newest that match). */
const MINUTES_SHOWN = 25;

export const OUTCOMES: { value: DecisionRecord['status']; label: string }[] = [
  { value: 'decided', label: 'Decided' },
  { value: 'no-quorum', label: 'No quorum' },
  { value: 'no-majority', label: 'No majority' },
  { value: 'objected', label: 'Objected' },
];
const outcomeLabel = (s: string) => OUTCOMES.find((o) => o.value === s)?.label ?? s;

export const ACTION_STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  done: 'Done',
  blocked: 'Blocked',
  cancelled: 'Cancelled',
};

/** Who did something: a member's name, or what Accord did on its own. */
export function actorName(a: Actor, names: Map<string, string>): string {
  if (a.type === 'member') return names.get(a.id) ?? 'a former member';
  if (a.type === 'api') return 'an integration (API)';
  return a.id === 'all-voted'
    ? 'Accord (everyone had voted)'
    : a.id === 'deadline'
      ? 'Accord (deadline)'
      : 'Accord';
}

async function orgCycles(ctx: WebContext): Promise<CycleRecord[]> {
  return (await ctx.deps.cycles.list(ctx.session.org.id, { limit: 100, after: null })).items.sort((a, b) =>
    b.month.localeCompare(a.month),
  );
}

/** A calendar day in the reader's zone as [start, next day's start). */
function dayRange(day: string, zone: string): [Date, Date] | null {
  if (!DAY.test(day)) return null;
  const d = DateTime.fromISO(day, { zone });
  return d.isValid ? [d.startOf('day').toJSDate(), d.startOf('day').plus({ days: 1 }).toJSDate()] : null;
}

/** Whether `text` has any word of `q` (to name the minutes' items a search found). */
function matches(q: string, text: string): boolean {
  const t = text.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .some((w) => w && t.includes(w));
}

async function register(ctx: WebContext): Promise<WebResult> {
  const { deps, session, query } = ctx;
  const zone = session.member.timezone;
  const cycles = await orgCycles(ctx);
  const values = {
    q: (query['q'] ?? '').slice(0, 200),
    cycle: query['cycle'] ?? '',
    status: query['status'] ?? '',
    from: query['from'] ?? '',
    to: query['to'] ?? '',
  };
  const errors: Record<string, string> = {};
  const cycle = values.cycle ? cycles.find((c) => c.month === values.cycle) : undefined;
  if (values.cycle && !cycle) errors['cycle'] = 'There is no cycle for this month.';
  if (values.status && !OUTCOMES.some((o) => o.value === values.status))
    errors['status'] = 'Choose an outcome from the list.';
  const from = values.from ? dayRange(values.from, zone) : null;
  const to = values.to ? dayRange(values.to, zone) : null;
  if (values.from && !from) errors['from'] = 'Give a date as YYYY-MM-DD.';
  if (values.to && !to) errors['to'] = 'Give a date as YYYY-MM-DD.';
  if (from && to && from[0] > to[0]) errors['to'] = 'The end date is before the start date.';
  const page = Math.max(1, Math.min(10_000, Number.parseInt(query['page'] ?? '1', 10) || 1));

  let found: DecisionRecord[] = [];
  if (!Object.keys(errors).length) {
    found = (
      await searchDecisions(deps, session.org.id, {
        q: values.q,
        cycleId: cycle?.id,
        status: values.status || undefined,
      })
    ).filter((d) => (!from || d.decidedAt >= from[0]) && (!to || d.decidedAt < to[1]));
  }
  // Minutes are searched by words only (the other filters are the decisions').
  const minutes =
    values.q.trim() && !Object.keys(errors).length
      ? (await searchMinutes(deps, session.org.id, values.q)).slice(0, MINUTES_SHOWN)
      : [];
  const shown = found.slice((page - 1) * DECISIONS_PER_PAGE, page * DECISIONS_PER_PAGE);
  const actions = shown.length ? await deps.actions.list(session.org.id, {}) : [];
  const months = new Map(cycles.map((c) => [c.id, c.month]));
  const link = (p: number) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v) qs.set(k, v);
    if (p > 1) qs.set('page', String(p));
    const s = qs.toString();
    return `/app/decisions${s ? `?${s}` : ''}`;
  };
  const filtered = Object.values(values).some(Boolean);
  return {
    page: 'decisions',
    title: 'Decision register',
    status: Object.keys(errors).length ? 400 : 200,
    data: {
      values,
      errors,
      problems: Object.keys(errors).length,
      filtered,
      cycles: cycles.map((c) => ({ month: c.month, selected: c.month === values.cycle })),
      outcomes: OUTCOMES.map((o) => ({ ...o, selected: o.value === values.status })),
      total: found.length,
      from: found.length ? (page - 1) * DECISIONS_PER_PAGE + 1 : 0,
      to: (page - 1) * DECISIONS_PER_PAGE + shown.length,
      decisions: shown.map((d) => {
        const mine = actions.filter((a) => a.decisionId === d.id);
        return {
          id: d.id,
          title: d.title,
          month: months.get(d.cycleId) ?? '',
          status: d.status,
          statusLabel: outcomeLabel(d.status),
          option: d.optionLabel ?? d.option,
          decidedAt: d.decidedAt,
          actions: mine.length,
          openActions: mine.filter((a) => a.status === 'open' || a.status === 'blocked').length,
        };
      }),
      searched: !!values.q.trim(),
      minutes: minutes.map((m) => ({
        meetingId: m.meetingId,
        title: m.minutes.meeting.title,
        version: m.version,
        start: m.minutes.meeting.start,
        createdAt: m.createdAt,
        decided: m.minutes.totals.decided,
        items: m.minutes.totals.items,
        matching: m.minutes.items
          .filter((i) => matches(values.q, `${i.title} ${i.question} ${i.decision?.optionLabel ?? ''}`))
          .map((i) => i.title),
      })),
      previous: page > 1 ? link(page - 1) : null,
      next: page * DECISIONS_PER_PAGE < found.length ? link(page + 1) : null,
    },
  };
}

async function decisionOf(ctx: WebContext): Promise<DecisionRecord> {
  const id = ctx.params['decisionId'] ?? '';
  const d = ID.test(id) ? await ctx.deps.decisions.get(ctx.session.org.id, id) : null;
  if (!d) throw new DomainError('not_found', 'There is no such decision in your organisation.');
  return d;
}

const people = (members: MemberRecord[]) =>
  [...members].sort((a, b) => a.name.localeCompare(b.name)).map((m) => ({ value: m.id, label: m.name }));

interface AssignState {
  sent: FormValues;
  errors: FieldErrors;
}

/** The trade-off the decision came from, with its costs, when the pack still has it. */
async function tradeoffOf(ctx: WebContext, d: DecisionRecord) {
  const framed = await sourceTradeoff(ctx.deps, ctx.session.org.id, d.cycleId, d.source);
  if (!framed) return null;
  const { pack, tradeoff: t } = framed;
  return {
    question: t.question,
    packVersion: pack.version,
    gap: t.gap,
    rationale: t.rationale,
    options: t.options.map((o) => ({
      key: o.key,
      label: o.label,
      cost: o.cost,
      lostMargin: o.lostMargin,
      shortfallUnits: o.shortfallUnits,
      fillRate: o.fillRate,
      feasibility: o.feasibility,
      recommended: o.recommended,
      chosen: o.key === d.option,
      votes: d.tally.counts[o.key] ?? 0,
    })),
  };
}

async function detail(ctx: WebContext, d: DecisionRecord, assign: AssignState | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const [members, ballot, votes, actions, cycle, tradeoff] = await Promise.all([
    deps.members.all(orgId),
    deps.ballots.get(orgId, d.ballotId),
    deps.ballots.votes(orgId, d.ballotId),
    deps.actions.list(orgId, { decisionId: d.id }),
    deps.cycles.get(orgId, d.cycleId),
    tradeoffOf(ctx, d),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const options = ballot?.options ?? [];
  const label = (key: string) =>
    key === OBJECT ? 'Object to the proposal' : (options.find((o) => o.key === key)?.label ?? key);
  const earlier = (await Promise.all(d.previous.map((id) => deps.decisions.get(orgId, id)))).filter(
    (x): x is DecisionRecord => x !== null,
  );
  const now = deps.clock.now();
  const isOwner = session.member.roles.includes('process-owner');
  const form = assignForm({ id: d.id, title: d.title }, people(members));
  return {
    page: 'decision',
    title: d.title,
    status: assign ? 400 : 200,
    data: {
      decision: {
        id: d.id,
        title: d.title,
        month: cycle?.month ?? '',
        status: d.status,
        statusLabel: outcomeLabel(d.status),
        option: d.optionLabel ?? d.option,
        rationale: d.rationale,
        decidedAt: d.decidedAt,
        decidedBy: actorName(d.decidedBy, names),
        reviewDate: d.reviewDate,
        commitments: d.commitments,
        voted: d.tally.voted,
        eligible: d.tally.eligible,
        quorumMet: d.tally.quorum.met,
      },
      ballotOptions: options.map((o) => ({
        label: o.label,
        meaning: o.meaning,
        votes: d.tally.counts[o.key] ?? 0,
        chosen: o.key === d.option,
      })),
      objections: d.tally.counts[OBJECT] ?? 0,
      tradeoff,
      votes: votes
        .sort((a, b) => a.at.getTime() - b.at.getTime())
        .map((v) => ({
          voter: names.get(v.voterId) ?? 'a former member',
          castBy: v.castBy !== v.voterId ? (names.get(v.castBy) ?? 'a former member') : null,
          option: label(v.option),
          reason: v.reason,
          at: v.at,
        })),
      earlier: earlier.map((e) => ({
        id: e.id,
        title: e.title,
        decidedAt: e.decidedAt,
        option: e.optionLabel,
      })),
      actions: actions
        .sort((a, b) => a.dueDate.localeCompare(b.dueDate))
        .map((a) => ({
          id: a.id,
          description: a.description,
          ownerId: a.ownerId,
          owner: names.get(a.ownerId) ?? 'a former member',
          dueDate: a.dueDate,
          status: a.status,
          statusLabel: ACTION_STATUS_LABELS[a.status] ?? a.status,
          overdue: actionOverdue(a, session.org.timezone, now),
        })),
      assign: isOwner
        ? formView(form, `/app/decisions/${d.id}/actions`, assign?.sent ?? null, assign?.errors ?? {})
        : null,
    },
  };
}

async function assignAction(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const d = await decisionOf(ctx);
  const members = await deps.members.all(session.org.id);
  const form = assignForm({ id: d.id, title: d.title }, people(members));
  const sent = formValues(form, body);
  try {
    const action = await addAction(deps, session.org.id, d.id, {
      actorId: session.member.id,
      ownerId: sent['owner'] ?? '',
      dueDate: sent['due'] ?? '',
      description: sent['description'] ?? '',
    });
    const owner = members.find((m) => m.id === action.ownerId)?.name ?? 'its owner';
    return { redirect: `/app/decisions/${d.id}#actions`, notice: `Action assigned to ${owner}.` };
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    return detail(ctx, d, { sent, errors: assignErrors(err.fields, err.message) });
  }
}

export function decisionPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({ method: 'get', path: '/app/decisions', nav: 'decisions', handler: register }),
    webRoute({
      method: 'get',
      path: '/app/decisions/:decisionId',
      nav: 'decisions',
      handler: async (ctx) => detail(ctx, await decisionOf(ctx), null),
    }),
    webRoute({
      method: 'post',
      path: '/app/decisions/:decisionId/actions',
      nav: 'decisions',
      role: 'process-owner',
      handler: assignAction,
    }),
  ];
}
