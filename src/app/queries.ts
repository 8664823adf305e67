/**
 * The reads behind what a person asks in chat (status, home, actions, decisions, the pack) and
 * the web: chat-neutral, each returning data that a presenter turns into a card.
 */
import type { Form } from '../cards/form.js';
import { initialFrom, inputForm } from '../cards/forms.js';
import { voterFor } from '../domain/voting.js';
import { ballotView, searchDecisions, type BallotView } from './ballots.js';
import { settled } from './cycleEngine.js';
import type { Deps } from './ports.js';
import type {
  ActionRecord,
  CycleRecord,
  DecisionRecord,
  InputRequestRecord,
  MemberRecord,
  OrgRecord,
  OutboxRecord,
  PackRecord,
} from './records.js';
import type { Step } from '../domain/cycle.js';
import type { InputKind } from '../domain/obligations.js';

/** The cycle people mean by "current": the earliest one not closed, else the latest. */
export async function currentCycle(deps: Deps, org: OrgRecord): Promise<CycleRecord | undefined> {
  const cycles = (await deps.cycles.list(org.id, { limit: 100, after: null })).items;
  return (
    cycles.filter((c) => c.status !== 'closed').sort((a, b) => a.month.localeCompare(b.month))[0] ??
    cycles.sort((a, b) => b.month.localeCompare(a.month))[0]
  );
}

/** A member's actions still to do (open or blocked), the earliest due first. */
export async function openActionsOf(deps: Deps, orgId: string, memberId: string): Promise<ActionRecord[]> {
  const [open, blocked] = await Promise.all([
    deps.actions.list(orgId, { ownerId: memberId, status: 'open' }),
    deps.actions.list(orgId, { ownerId: memberId, status: 'blocked' }),
  ]);
  return [...open, ...blocked].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}

/** What is still owed in each open step of the current cycle. */
export interface CycleStatus {
  cycle: CycleRecord;
  owing: { step: Step; owed: { kind: InputKind; function: string | null; owners: string[] }[] }[];
}

export async function cycleStatus(deps: Deps, org: OrgRecord): Promise<CycleStatus | null> {
  const cycle = await currentCycle(deps, org);
  if (!cycle) return null;
  const [requests, members] = await Promise.all([
    deps.requests.forCycle(org.id, cycle.id),
    deps.members.all(org.id),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  return {
    cycle,
    owing: cycle.steps
      .filter((s) => s.status === 'open')
      .map((step) => ({
        step,
        owed: requests
          .filter((r) => r.step === step.key && !settled(r))
          .map((r) => ({
            kind: r.kind,
            function: r.function,
            owners: r.owners.map((o) => names.get(o) ?? o),
          })),
      })),
  };
}

/** The current cycle's latest pack, if there is one. */
export async function currentPack(deps: Deps, org: OrgRecord): Promise<PackRecord | null> {
  const cycle = await currentCycle(deps, org);
  return cycle ? await deps.packs.latest(org.id, cycle.id) : null;
}

/** The latest decisions matching `q` (every word), at most `limit`. */
export async function latestDecisions(
  deps: Deps,
  orgId: string,
  q: string,
  limit = 15,
): Promise<DecisionRecord[]> {
  return (await searchDecisions(deps, orgId, { q })).slice(0, limit);
}

/** A person's own page: what they owe, their actions, their ballots, the timeline. */
export interface HomeView {
  org: OrgRecord;
  member: MemberRecord;
  cycle: CycleRecord | undefined;
  /** The inputs this person owes in steps open now, with their step. */
  inputs: { request: InputRequestRecord; step: Step }[];
  actions: ActionRecord[];
  /** Null when this person does not vote (not an executive, nor a delegate voting for one). */
  ballots: { shown: { view: BallotView; myOption: string | null }[]; total: number } | null;
  /** Process owners only: messages that could not be delivered (a few), and whether there are more. */
  undeliverable: { items: OutboxRecord[]; more: boolean } | null;
}

const MAX_BALLOTS = 5;

export async function homeOf(deps: Deps, org: OrgRecord, member: MemberRecord): Promise<HomeView> {
  const [cycle, members, ballots, actions] = await Promise.all([
    currentCycle(deps, org),
    deps.members.all(org.id),
    deps.ballots.openFor(org.id),
    openActionsOf(deps, org.id, member.id),
  ]);
  let inputs: HomeView['inputs'] = [];
  if (cycle) {
    const open = new Map(cycle.steps.filter((s) => s.status === 'open').map((s) => [s.key, s]));
    inputs = (await deps.requests.forCycle(org.id, cycle.id))
      .filter((r) => open.has(r.step) && r.owners.includes(member.id))
      .map((request) => ({ request, step: open.get(request.step)! }));
  }
  const voter = voterFor(member, members);
  let mine: HomeView['ballots'] = null;
  if (voter.ok) {
    const byDeadline = ballots.sort((a, b) => a.deadline.getTime() - b.deadline.getTime());
    mine = { shown: [], total: byDeadline.length };
    for (const b of byDeadline.slice(0, MAX_BALLOTS)) {
      const view = await ballotView(deps, org.id, b.id);
      mine.shown.push({
        view,
        myOption: view.votes.find((v) => v.voterId === voter.voterId)?.option ?? null,
      });
    }
  }
  let undeliverable: HomeView['undeliverable'] = null;
  if (member.roles.includes('process-owner')) {
    const dead = await deps.outbox.list(org.id, { status: 'dead' }, { limit: 6, after: null });
    undeliverable = { items: dead.items.slice(0, 5), more: dead.next !== null };
  }
  return { org, member, cycle, inputs, actions, ballots: mine, undeliverable };
}

/** A ballot as this member sees it: the view, and the option they (or the executive they vote for) chose. */
export async function ballotFor(
  deps: Deps,
  org: OrgRecord,
  ballotId: string,
  member: MemberRecord,
): Promise<{ view: BallotView; myOption: string | null }> {
  const [view, members] = await Promise.all([ballotView(deps, org.id, ballotId), deps.members.all(org.id)]);
  const voter = voterFor(member, members);
  return {
    view,
    myOption: voter.ok ? (view.votes.find((v) => v.voterId === voter.voterId)?.option ?? null) : null,
  };
}

/** The form for an input request, pre-filled with its latest submission (editable until its step closes); null when there is no such request. */
export async function inputFormFor(deps: Deps, orgId: string, requestId: string): Promise<Form | null> {
  const request = await deps.requests.get(orgId, requestId);
  if (!request) return null;
  const versions = await deps.submissions.list(orgId, request.id);
  return inputForm(request.kind, request.id, initialFrom(request.kind, versions.at(-1)?.payload));
}
