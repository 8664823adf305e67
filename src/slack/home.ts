/**
 * The App Home tab: what this person owes and can do now. Their open inputs with due dates in
 * their own time zone (a button opens the form, pre-filled once submitted), their open action
 * items (mark done), the current cycle's timeline, the open ballots they can vote on; the process
 * owner also sees what could not be delivered.
 */
import { ballotView } from '../app/ballots.js';
import type { Deps } from '../app/ports.js';
import type { ActionRecord, CycleRecord, MemberRecord, OrgRecord } from '../app/records.js';
import type { Card, CardBlock } from '../cards/card.js';
import { presentBallot } from '../cards/presenters.js';
import { STEP_TITLES } from '../domain/calendar.js';
import { INPUT_TITLES } from '../domain/inputs.js';
import { formatLocal } from '../domain/time.js';
import { voterFor } from '../domain/voting.js';

/** The cycle people mean by "current": the earliest one not closed, else the latest. */
export async function currentCycle(deps: Deps, org: OrgRecord): Promise<CycleRecord | undefined> {
  const cycles = (await deps.cycles.list(org.id, { limit: 100, after: null })).items;
  return (
    cycles.filter((c) => c.status !== 'closed').sort((a, b) => a.month.localeCompare(b.month))[0] ??
    cycles.sort((a, b) => b.month.localeCompare(a.month))[0]
  );
}

/** The cycle's five steps: when each opens and is due (in `tz`) and its status. */
export function timelineTable(cycle: CycleRecord, tz: string): CardBlock {
  return {
    type: 'table',
    columns: ['Step', 'Opens', 'Due', 'Status'],
    rows: cycle.steps.map((s) => ({
      cells: [STEP_TITLES[s.key], formatLocal(s.opensAt, tz), formatLocal(s.dueAt, tz), s.status],
    })),
  };
}

/** A member's actions still to do (open or blocked), the earliest due first. */
export async function openActionsOf(deps: Deps, orgId: string, memberId: string): Promise<ActionRecord[]> {
  const [open, blocked] = await Promise.all([
    deps.actions.list(orgId, { ownerId: memberId, status: 'open' }),
    deps.actions.list(orgId, { ownerId: memberId, status: 'blocked' }),
  ]);
  return [...open, ...blocked].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}

const MAX_BALLOTS = 5;
const MAX_ACTIONS = 15;

export async function homeCard(deps: Deps, org: OrgRecord, member: MemberRecord): Promise<Card> {
  const tz = member.timezone;
  const [cycle, members, ballots, actions] = await Promise.all([
    currentCycle(deps, org),
    deps.members.all(org.id),
    deps.ballots.openFor(org.id),
    openActionsOf(deps, org.id, member.id),
  ]);
  const blocks: CardBlock[] = [
    { type: 'header', text: `Accord for ${org.name}` },
    {
      type: 'text',
      text: `Hello ${member.name}. Dates here are in your time zone (${tz}). \`/sop help\` lists what you can do.`,
    },
  ];

  // My open inputs: the requests I owe in steps that are open now.
  if (cycle) {
    const open = new Map(cycle.steps.filter((s) => s.status === 'open').map((s) => [s.key, s]));
    const mine = (await deps.requests.forCycle(org.id, cycle.id)).filter(
      (r) => open.has(r.step) && r.owners.includes(member.id),
    );
    blocks.push({ type: 'divider' }, { type: 'header', text: 'Your inputs' });
    if (!mine.length) blocks.push({ type: 'text', text: 'Nothing is due from you right now.' });
    for (const r of mine) {
      const step = open.get(r.step)!;
      const state = r.latestVersion
        ? `submitted (version ${r.latestVersion}); you can change it until the step closes`
        : 'not submitted yet';
      blocks.push(
        {
          type: 'text',
          text: `${INPUT_TITLES[r.kind]}${r.function ? ` (${r.function})` : ''}, ${STEP_TITLES[r.step]}: due ${formatLocal(step.dueAt, tz)}, ${state}.`,
        },
        {
          type: 'actions',
          buttons: [
            {
              action: 'input.open',
              label: r.latestVersion ? 'Edit your input' : 'Open the form',
              value: r.id,
              ...(r.latestVersion ? {} : { style: 'primary' as const }),
            },
          ],
        },
      );
    }
  }

  // My action items.
  blocks.push({ type: 'divider' }, { type: 'header', text: 'Your actions' });
  if (!actions.length) blocks.push({ type: 'text', text: 'You have no open actions.' });
  for (const a of actions.slice(0, MAX_ACTIONS))
    blocks.push(
      {
        type: 'text',
        text: `${a.description} (due ${a.dueDate}${a.status === 'blocked' ? ', blocked' : ''})`,
      },
      { type: 'actions', buttons: [{ action: 'action.done', label: 'Mark done', value: a.id }] },
    );
  if (actions.length > MAX_ACTIONS)
    blocks.push({
      type: 'text',
      text: `And ${actions.length - MAX_ACTIONS} more: \`/sop actions\` lists them.`,
    });

  // Open ballots I can vote on (as an executive, or a delegate voting for one).
  const voter = voterFor(member, members);
  if (voter.ok) {
    const mineToVote = ballots.sort((a, b) => a.deadline.getTime() - b.deadline.getTime());
    blocks.push({ type: 'divider' }, { type: 'header', text: 'Open ballots' });
    if (!mineToVote.length) blocks.push({ type: 'text', text: 'No ballot is open.' });
    for (const b of mineToVote.slice(0, MAX_BALLOTS)) {
      const view = await ballotView(deps, org.id, b.id);
      const my = view.votes.find((v) => v.voterId === voter.voterId);
      const card = presentBallot(view);
      blocks.push(
        {
          type: 'text',
          text: `${b.title}: ${my ? `you voted ${b.options.find((o) => o.key === my.option)?.label ?? my.option}` : 'you have not voted yet'}; closes ${formatLocal(b.deadline, tz)}.`,
        },
        ...card.blocks.filter((x) => x.type !== 'header'),
      );
    }
    if (mineToVote.length > MAX_BALLOTS)
      blocks.push({ type: 'text', text: `And ${mineToVote.length - MAX_BALLOTS} more in your messages.` });
  }

  // The cycle's timeline.
  if (cycle)
    blocks.push(
      { type: 'divider' },
      { type: 'header', text: `S&OP cycle ${cycle.month}` },
      timelineTable(cycle, tz),
    );
  else blocks.push({ type: 'divider' }, { type: 'text', text: 'No S&OP cycle is planned yet.' });

  // The process owner: messages Accord could not deliver.
  if (member.roles.includes('process-owner')) {
    const dead = await deps.outbox.list(org.id, { status: 'dead' }, { limit: 6, after: null });
    if (dead.items.length) {
      blocks.push({ type: 'divider' }, { type: 'header', text: 'Messages that could not be delivered' });
      for (const m of dead.items.slice(0, 5))
        blocks.push({
          type: 'text',
          text: `${m.recipient.name}, ${m.kind}: ${m.lastError ?? 'no reason recorded'}`,
        });
      if (dead.next)
        blocks.push({
          type: 'text',
          text: 'More in the outbox (GET /api/v1/orgs/{org}/outbox?status=dead).',
        });
    }
  }
  return { summary: `Accord for ${org.name}`, blocks };
}
