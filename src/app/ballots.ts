/**
 * Use cases: openBallot (from a pack's trade-off, or ad hoc), castVote, closeBallot (by the process
 * owner, when everyone eligible has voted, or at the deadline by the sweep), the decision register
 * and action items. Every vote, decision and action change is an audit event.
 */
import { DomainError } from '../domain/errors.js';
import {
  DEFAULT_RULES,
  commitmentWindow,
  deadlineProblem,
  eligibleVoters,
  tally,
  voteProblems,
  voterFor,
  type BallotOption,
  type BallotRules,
  type Tally,
} from '../domain/voting.js';
import { dateProblem } from '../domain/time.js';
import { requireProcessOwner } from './cycles.js';
import { nextAllowedTime } from '../domain/manners.js';
import { workCalendar } from './cycleEngine.js';
import { presentAction } from '../cards/presenters/actions.js';
import { presentBallot, presentBallotUnresolved, presentDecision } from '../cards/presenters/ballots.js';
import { z } from 'zod';
import { zodFields } from './validation.js';
import { getPack } from './packs.js';
import type { Deps } from './ports.js';
import type {
  ActionRecord,
  ActionStatus,
  Actor,
  BallotRecord,
  DecisionRecord,
  MemberRecord,
  VoteDoc,
} from './records.js';

export interface OpenBallotInput {
  actorId: string;
  deadline: Date;
  /** From a trade-off of the cycle's pack (its options and recommendation)... */
  tradeoffKey?: string;
  packVersion?: number;
  /** ...or ad hoc. */
  title?: string;
  options?: BallotOption[];
  rules?: Partial<BallotRules>;
  /** An item of a live meeting: no direct messages (the item's card is in the meeting's thread). */
  meeting?: { id: string; itemKey: string };
}

export async function openBallot(
  deps: Deps,
  orgId: string,
  cycleId: string,
  input: OpenBallotInput,
): Promise<BallotRecord> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  const cycle = await deps.cycles.get(orgId, cycleId);
  if (!cycle) throw new DomainError('not_found', 'cycle not found');
  const now = deps.clock.now();
  const members = await deps.members.all(orgId);
  const eligible = new Set(eligibleVoters(members));
  const org = await deps.orgs.get(orgId);
  const rules: BallotRules = { ...DEFAULT_RULES, ...org?.votingRules, ...input.rules };
  const fields: Record<string, string> = {};
  const late = deadlineProblem(input.deadline, now);
  if (late) fields['deadline'] = late;
  rules.requiredVoters.forEach((id, i) => {
    if (!eligible.has(id)) fields[`rules.requiredVoters.${i}`] = 'not an executive of this org';
  });
  if (rules.chairId && !eligible.has(rules.chairId)) fields['rules.chairId'] = 'not an executive of this org';
  let title: string;
  let options: BallotOption[];
  let source: BallotRecord['source'] = null;
  if (input.tradeoffKey) {
    const pack = await getPack(deps, orgId, cycleId, input.packVersion);
    const t = pack.content.tradeoffs.find((x) => x.key === input.tradeoffKey);
    if (!t)
      throw new DomainError('validation_failed', 'no such trade-off in the pack', {
        tradeoffKey: `not in pack version ${pack.version}`,
      });
    title = input.title ?? t.question;
    options = t.options.map((o) => ({
      key: o.key,
      label: o.label,
      meaning: `cost ${Math.round(o.cost)}, margin still lost ${Math.round(o.lostMargin)}, ${Math.round(o.shortfallUnits)} units short (${o.feasibility})${o.recommended ? '; recommended' : ''}`,
    }));
    source = {
      tradeoffKey: t.key,
      packVersion: pack.version,
      recommended: t.recommended,
      families: t.families,
      resources: t.resources,
    };
  } else {
    if (!input.title) fields['title'] = 'give a title, or a tradeoffKey from the pack';
    if (!input.options) fields['options'] = 'give 2-6 options, or a tradeoffKey from the pack';
    title = input.title ?? '';
    options = input.options ?? [];
  }
  if (options.length && new Set(options.map((o) => o.key)).size !== options.length)
    fields['options'] = 'option keys must differ';
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the ballot is not valid', fields);
  const ballot = await deps.ballots.insert(
    {
      orgId,
      cycleId,
      title,
      options,
      rules,
      source,
      deadline: input.deadline,
      createdBy: { type: 'member', id: actor.id },
      meeting: input.meeting ?? null,
    },
    now,
  );
  // Every executive gets the ballot with its buttons (a delegate with authority votes from the
  // executive's message or through the API); a meeting's ballot is voted on in the meeting's thread.
  const view = await ballotView(deps, orgId, ballot.id);
  if (!input.meeting)
    await deps.outbox.enqueue(
      members
        .filter((m) => eligible.has(m.id))
        .map((m) => ({
          orgId,
          key: `ballot:${ballot.id}:${m.id}`,
          kind: 'ballot' as const,
          cycleId,
          recipient: { memberId: m.id, name: m.name },
          card: presentBallot(view),
          notBefore: now,
        })),
      now,
    );
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: actor.id },
      action: 'ballot.opened',
      entity: { type: 'ballot', id: ballot.id },
      after: {
        title,
        options: options.map((o) => o.key),
        rules,
        source,
        deadline: input.deadline,
        meeting: input.meeting ?? null,
      },
    },
    now,
  );
  return ballot;
}

export interface BallotView {
  ballot: BallotRecord;
  tally: Tally;
  /** Counts hidden while open when the ballot says so. */
  hidden: boolean;
  votes: VoteDoc[];
}

/**
 * Who may vote on a ballot: every executive; on a live meeting's item, the executives at the
 * meeting (present, or represented by a delegate).
 */
async function eligibleFor(deps: Deps, ballot: BallotRecord, members: MemberRecord[]): Promise<string[]> {
  const all = eligibleVoters(members);
  if (!ballot.meeting) return all;
  const here = new Set(
    (await deps.attendance.forMeetings(ballot.orgId, [ballot.meeting.id]))
      .filter((a) => a.status !== 'absent')
      .map((a) => a.memberId),
  );
  return all.filter((id) => here.has(id));
}

/**
 * An executive (or their delegate) who votes on a meeting's item is at the meeting: marked
 * present (represented, for a delegate), late after the first minutes, if not marked yet.
 */
async function presentByVoting(deps: Deps, ballot: BallotRecord, voterId: string, castBy: string, now: Date) {
  if (!ballot.meeting) return;
  const marked = await deps.attendance.forMeetings(ballot.orgId, [ballot.meeting.id]);
  if (marked.some((a) => a.memberId === voterId && a.status !== 'absent')) return;
  const meeting = await deps.meetings.get(ballot.orgId, ballot.meeting.id);
  const started = meeting?.live?.startedAt?.getTime() ?? now.getTime();
  await deps.attendance.put({
    orgId: ballot.orgId,
    meetingId: ballot.meeting.id,
    memberId: voterId,
    status: castBy === voterId ? 'present' : 'represented',
    delegateId: castBy === voterId ? null : castBy,
    recordedBy: { type: 'member', id: castBy },
    at: now,
    late: now.getTime() > started + 5 * 60_000,
  });
}

/** The count of a ballot's votes among those who may vote on it. */
async function tallyOf(
  deps: Deps,
  ballot: BallotRecord,
  votes: VoteDoc[],
  members: MemberRecord[],
): Promise<Tally> {
  return tally(
    ballot.rules,
    ballot.options,
    votes,
    await eligibleFor(deps, ballot, members),
    ballot.source?.recommended,
  );
}

export async function ballotView(deps: Deps, orgId: string, ballotId: string): Promise<BallotView> {
  const ballot = await deps.ballots.get(orgId, ballotId);
  if (!ballot) throw new DomainError('not_found', 'ballot not found');
  const [votes, members] = await Promise.all([deps.ballots.votes(orgId, ballotId), deps.members.all(orgId)]);
  return {
    ballot,
    tally: await tallyOf(deps, ballot, votes, members),
    hidden: ballot.status === 'open' && ballot.rules.hideResults,
    votes,
  };
}

/**
 * A vote by `memberId` (an executive, or a delegate with authority voting for its executive). The
 * same vote again changes nothing; a different one replaces it until the ballot closes. When every
 * eligible voter has voted the ballot closes.
 */
export async function castVote(
  deps: Deps,
  orgId: string,
  ballotId: string,
  input: { memberId: string; option: string; reason?: string | undefined },
  via: Actor,
): Promise<{ view: BallotView; changed: boolean; decision: DecisionRecord | null }> {
  const ballot = await deps.ballots.get(orgId, ballotId);
  if (!ballot) throw new DomainError('not_found', 'ballot not found');
  const members = await deps.members.all(orgId);
  const actor = members.find((m) => m.id === input.memberId);
  if (!actor)
    throw new DomainError('validation_failed', 'unknown member', {
      memberId: 'no member with this id in this org',
    });
  const who = voterFor(actor, members);
  if (!who.ok) throw new DomainError('forbidden', who.reason);
  const problems = voteProblems(ballot.rules, ballot.options, input);
  if (Object.keys(problems).length)
    throw new DomainError('validation_failed', 'the vote is not valid', problems);
  const now = deps.clock.now();
  if (ballot.status !== 'open' || ballot.deadline.getTime() <= now.getTime())
    throw new DomainError('ballot_closed', 'this ballot is closed');
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  await presentByVoting(deps, ballot, who.voterId, actor.id, now);
  let votes = await deps.ballots.votes(orgId, ballotId);
  const mine = votes.find((v) => v.voterId === who.voterId);
  let changed = false;
  if (!mine || mine.option !== input.option || mine.reason !== reason) {
    const vote: VoteDoc = {
      ballotId,
      orgId,
      voterId: who.voterId,
      castBy: actor.id,
      option: input.option,
      reason,
      at: now,
    };
    const put = await deps.ballots.putVote(vote);
    const before = put.previous;
    changed = !before || before.option !== vote.option || before.reason !== vote.reason;
    if (changed)
      await deps.audit.append(
        orgId,
        {
          actor: via.type === 'member' ? via : { type: 'member', id: actor.id },
          action: before ? 'vote.changed' : 'vote.cast',
          entity: { type: 'ballot', id: ballotId },
          before: before ? { option: before.option, reason: before.reason } : null,
          after: { voterId: who.voterId, castBy: actor.id, option: vote.option, reason, via: via.id },
        },
        now,
      );
  }
  // The ballot as it is now: its votes read again after the write (votes cast at the same moment
  // by others must count towards "everyone has voted"); the ballot and members as just read.
  if (changed) votes = await deps.ballots.votes(orgId, ballotId);
  let view: BallotView = {
    ballot,
    tally: await tallyOf(deps, ballot, votes, members),
    hidden: ballot.rules.hideResults,
    votes,
  };
  let decision: DecisionRecord | null = null;
  // A meeting's item closes when the chair closes it, not when the last one present has voted.
  if (!ballot.meeting && view.tally.voted >= view.tally.eligible && view.tally.eligible > 0) {
    decision = await recordDecision(
      deps,
      view,
      { type: 'system', id: 'all-voted' },
      'every eligible voter has voted',
    );
    view = await ballotView(deps, orgId, ballotId);
  }
  return { view, changed, decision };
}

export async function closeBallot(
  deps: Deps,
  orgId: string,
  ballotId: string,
  input: {
    actorId: string;
    rationale?: string | undefined;
    reviewDate?: string | undefined;
    commitments?: string[] | undefined;
  },
): Promise<DecisionRecord> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  if (input.reviewDate !== undefined) {
    const problem = dateProblem(input.reviewDate, await commitmentWindowOf(deps, orgId));
    if (problem)
      throw new DomainError('validation_failed', 'the review date is not valid', { reviewDate: problem });
  }
  const view = await ballotView(deps, orgId, ballotId);
  return recordDecision(
    deps,
    view,
    { type: 'member', id: actor.id },
    input.rationale ?? '',
    input.reviewDate,
    input.commitments ?? [],
  );
}

/**
 * Records what a ballot came to (once: the decision's id is the ballot's), closes it, and escalates
 * a ballot that missed its quorum or found no majority to the process owners.
 */
export async function recordDecision(
  deps: Deps,
  view: BallotView,
  by: Actor,
  rationale: string,
  reviewDate?: string,
  commitments: string[] = [],
  opts: { notify?: boolean } = {},
): Promise<DecisionRecord> {
  const { ballot, tally: t } = view;
  const now = deps.clock.now();
  const earlier = ballot.source
    ? (await deps.decisions.all(ballot.orgId))
        .filter((d) => d.source?.tradeoffKey === ballot.source!.tradeoffKey && d.id !== ballot.id)
        .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
        .map((d) => d.id)
    : [];
  const chosen = ballot.options.find((o) => o.key === t.option) ?? null;
  const { decision, created } = await deps.decisions.insert({
    id: ballot.id,
    orgId: ballot.orgId,
    cycleId: ballot.cycleId,
    ballotId: ballot.id,
    title: ballot.title,
    status: t.outcome,
    option: t.option,
    optionLabel: chosen?.label ?? null,
    tally: t,
    rationale,
    decidedBy: by,
    decidedAt: now,
    source: ballot.source,
    previous: earlier,
    reviewDate: reviewDate ?? null,
    commitments,
  });
  if (!created) return decision;
  await deps.ballots.markClosed(ballot.orgId, ballot.id);
  const members = await deps.members.all(ballot.orgId);
  // A meeting's decision is announced in the meeting's thread instead.
  const people =
    opts.notify === false
      ? []
      : members.filter(
          (m) =>
            m.delegation === null && (m.roles.includes('executive') || m.roles.includes('process-owner')),
        );
  await deps.outbox.enqueue(
    people.map((m) => ({
      orgId: ballot.orgId,
      key: `decision:${ballot.id}:${m.id}`,
      kind: 'decision' as const,
      cycleId: ballot.cycleId,
      recipient: { memberId: m.id, name: m.name },
      card: presentDecision(decision, {
        assign: m.roles.includes('process-owner'),
        labels: Object.fromEntries(ballot.options.map((o) => [o.key, o.label])),
      }),
      notBefore: now,
    })),
    now,
  );
  await deps.audit.append(
    ballot.orgId,
    {
      actor: by,
      action: 'decision.recorded',
      entity: { type: 'decision', id: decision.id },
      after: {
        status: decision.status,
        option: decision.option,
        counts: t.counts,
        quorum: t.quorum,
        rationale,
      },
    },
    now,
  );
  if (decision.status !== 'decided') {
    const owners = members.filter((m) => m.roles.includes('process-owner'));
    const why =
      decision.status === 'no-quorum'
        ? `missed its quorum (${t.voted} of ${t.eligible} voted${t.quorum.missingRequired.length ? `; required voters missing` : ''})`
        : decision.status === 'objected'
          ? `met ${t.objections.length} objection(s)`
          : 'found no majority';
    await deps.outbox.enqueue(
      owners.map((po) => ({
        orgId: ballot.orgId,
        key: `ballot-unresolved:${ballot.id}:${po.id}`,
        kind: 'escalation' as const,
        cycleId: ballot.cycleId,
        recipient: { memberId: po.id, name: po.name },
        card: presentBallotUnresolved(ballot.title, why),
        notBefore: now,
      })),
      now,
    );
  }
  return decision;
}

/** The sweep's part: ballots past their deadline close with what they came to. */
export async function closeDueBallots(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  let closed = 0;
  for (const b of await deps.ballots.openOnes()) {
    if (b.deadline.getTime() > now.getTime()) continue;
    await recordDecision(
      deps,
      await ballotView(deps, b.orgId, b.id),
      { type: 'system', id: 'deadline' },
      'the deadline passed',
    );
    closed++;
  }
  return closed;
}

export interface DecisionQuery {
  q?: string | undefined;
  cycleId?: string | undefined;
  family?: string | undefined;
  resource?: string | undefined;
  status?: string | undefined;
}

/** The register, newest first: text search over title, chosen option and rationale, and filters. */
export async function searchDecisions(
  deps: Deps,
  orgId: string,
  query: DecisionQuery,
): Promise<DecisionRecord[]> {
  const words = (query.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return (await deps.decisions.all(orgId))
    .filter((d) => !query.cycleId || d.cycleId === query.cycleId)
    .filter((d) => !query.status || d.status === query.status)
    .filter((d) => !query.family || d.source?.families.includes(query.family))
    .filter((d) => !query.resource || d.source?.resources.includes(query.resource))
    .filter((d) => {
      const text = `${d.title} ${d.optionLabel ?? ''} ${d.rationale}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime());
}

/** Today to 5 years ahead, in the org's time zone. */
async function commitmentWindowOf(deps: Pick<Deps, 'orgs' | 'clock'>, orgId: string) {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  return commitmentWindow(deps.clock.now(), org.timezone);
}

/**
 * An action item from a decision, as REST and every chat take it: the same fields, the same
 * messages (field by field), checked here once.
 */
export const newActionSchema = z.object({
  ownerId: z.string().trim().min(1, 'choose who does it'),
  dueDate: z
    .string()
    .trim()
    .min(1, 'choose a due date')
    .describe("YYYY-MM-DD, today (the org's time zone) to 5 years ahead"),
  description: z.string().trim().min(3, 'say what is to be done').max(1000, 'at most 1,000 characters'),
});
export type NewAction = z.infer<typeof newActionSchema>;

export async function addAction(
  deps: Deps,
  orgId: string,
  decisionId: string,
  input: { actorId: string } & { [K in keyof NewAction]: string },
  /** Already checked by the caller (the chair of a live meeting assigns its actions). */
  opts: { authorised?: MemberRecord } = {},
): Promise<ActionRecord> {
  const actor = opts.authorised ?? (await requireProcessOwner(deps, orgId, input.actorId));
  const decision = await deps.decisions.get(orgId, decisionId);
  if (!decision) throw new DomainError('not_found', 'decision not found');
  const parsed = newActionSchema.safeParse(input);
  const fields: Record<string, string> = parsed.success ? {} : zodFields(parsed.error);
  const ownerId = input.ownerId.trim();
  const [owner, org] = await Promise.all([
    ownerId ? deps.members.get(orgId, ownerId) : Promise.resolve(null),
    deps.orgs.get(orgId),
  ]);
  if (!org) throw new DomainError('not_found', 'org not found');
  if (ownerId && !owner) fields['ownerId'] ??= 'no member with this id in this org';
  const dueDate = input.dueDate.trim();
  const due = dueDate ? dateProblem(dueDate, commitmentWindow(deps.clock.now(), org.timezone)) : null;
  if (due) fields['dueDate'] ??= due;
  if (!parsed.success || !owner || Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the action is not valid', fields);
  input = { ...input, ...parsed.data };
  const now = deps.clock.now();
  const by: Actor = { type: 'member', id: actor.id };
  const action = await deps.actions.insert({
    orgId,
    decisionId,
    cycleId: decision.cycleId,
    ownerId: owner.id,
    dueDate: input.dueDate,
    description: input.description,
    status: 'open',
    history: [{ status: 'open', note: null, by, at: now }],
    createdAt: now,
    doneAt: null,
    reminded: [],
  });
  await deps.audit.append(
    orgId,
    {
      actor: by,
      action: 'action.created',
      entity: { type: 'action', id: action.id },
      after: { decisionId, ownerId: owner.id, dueDate: input.dueDate, description: input.description },
    },
    now,
  );
  // The owner hears of it in their working hours.
  await deps.outbox.enqueue(
    [
      {
        orgId,
        key: `action:${action.id}`,
        kind: 'action',
        cycleId: decision.cycleId,
        recipient: { memberId: owner.id, name: owner.name },
        card: presentAction({
          id: action.id,
          description: action.description,
          dueDate: action.dueDate,
          decisionTitle: decision.title,
          assignedBy: actor.name,
        }),
        notBefore: nextAllowedTime(now, owner, workCalendar(org)),
      },
    ],
    now,
  );
  return action;
}

/** The owner, a delegate of the owner, or a process owner may change an action's status. */
export async function updateAction(
  deps: Deps,
  orgId: string,
  actionId: string,
  input: { actorId: string; status: ActionStatus; note?: string | undefined },
): Promise<ActionRecord> {
  const actor = await deps.members.get(orgId, input.actorId);
  if (!actor)
    throw new DomainError('validation_failed', 'unknown member', {
      actorId: 'no member with this id in this org',
    });
  for (let attempt = 0; attempt < 5; attempt++) {
    const action = await deps.actions.get(orgId, actionId);
    if (!action) throw new DomainError('not_found', 'action not found');
    if (!mayChangeAction(actor, action))
      throw new DomainError('forbidden', `${actor.name} does not own this action`);
    if (['blocked', 'cancelled'].includes(input.status) && !input.note?.trim())
      throw new DomainError('validation_failed', 'say why', {
        note: `a ${input.status} action needs a note`,
      });
    if (action.status === input.status && !input.note) return action;
    const now = deps.clock.now();
    const by: Actor = { type: 'member', id: actor.id };
    const next: ActionRecord = {
      ...action,
      status: input.status,
      history: [...action.history, { status: input.status, note: input.note ?? null, by, at: now }],
      doneAt: input.status === 'done' ? now : null,
    };
    if (!(await deps.actions.save(next, action.history.length))) continue;
    await deps.audit.append(
      orgId,
      {
        actor: by,
        action: 'action.updated',
        entity: { type: 'action', id: action.id },
        before: { status: action.status },
        after: { status: input.status, note: input.note ?? null },
      },
      now,
    );
    return next;
  }
  throw new DomainError('conflict', 'the action changed meanwhile; try again');
}

/** Whether this member may change this action's status (updateAction's rule; pages use it to offer the form). */
export function mayChangeAction(
  actor: Pick<MemberRecord, 'id' | 'delegation' | 'roles'>,
  action: Pick<ActionRecord, 'ownerId'>,
): boolean {
  return (
    actor.id === action.ownerId ||
    actor.delegation?.of === action.ownerId ||
    actor.roles.includes('process-owner')
  );
}
