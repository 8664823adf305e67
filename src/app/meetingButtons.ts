/**
 * The meeting's buttons and forms, once for both chats: each Slack or Teams listener hands the
 * pressed button (or the submitted form) here and renders what comes back: a card replacing the
 * pressed one, a line for the person who pressed, or a form to open.
 */
import { DomainError } from '../domain/errors.js';
import type { Card } from '../cards/card.js';
import type { FieldErrors, Form, FormValues } from '../cards/form.js';
import { closeItemErrors, closeItemForm, closeItemInput, type CloseItemKind } from '../cards/forms.js';
import {
  presentNextMeeting,
  presentPoll,
  presentPollTie,
  readMeetingButton,
  readPollButton,
} from '../cards/presenters/meetings.js';
import { presentNotice } from '../cards/presenters/people.js';
import type { BallotView } from './ballots.js';
import {
  answerPoll,
  breakPollTie,
  closeItem,
  endMeeting,
  extendItem,
  liveItemView,
  markPresent,
  facts,
  meetingContext,
  meetingItemCard,
  nextMeeting,
  startMeeting,
  viewOf,
} from './meetings.js';
import type { Deps } from './ports.js';
import type { MemberRecord, OrgRecord } from './records.js';

export type ButtonResult =
  { kind: 'card'; card: Card } | { kind: 'notice'; text: string } | { kind: 'form'; form: Form };

/** The buttons handled here. */
export const MEETING_BUTTONS = [
  'meeting.start',
  'meeting.present',
  'meeting.end',
  'meeting.extend',
  'meeting.decide',
  'meeting.defer',
  'meeting.escalate',
  'poll.vote',
  'poll.pick',
] as const;
export const MEETING_FORMS = [
  'meeting.decide.submit',
  'meeting.defer.submit',
  'meeting.escalate.submit',
] as const;

const notice = (text: string): ButtonResult => ({ kind: 'notice', text });
const KINDS: Record<string, CloseItemKind> = {
  'meeting.decide': 'decide',
  'meeting.defer': 'defer',
  'meeting.escalate': 'escalate',
};

async function people(deps: Deps, orgId: string) {
  return (await deps.members.all(orgId))
    .filter((m) => m.delegation === null)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 100)
    .map((m) => ({ value: m.id, label: m.name }));
}

async function itemForm(deps: Deps, org: OrgRecord, kind: CloseItemKind, meetingId: string, index: number) {
  const ctx = await meetingContext(deps, org.id, meetingId);
  const live = ctx.record.live;
  if (!live || live.endedAt) throw new DomainError('conflict', 'This meeting is not under way.');
  if (!live.items[index]) throw new DomainError('not_found', 'This item is not on the agenda.');
  const view = await liveItemView(deps, ctx, index);
  if (view.live.closedAt)
    throw new DomainError('conflict', `"${view.item.title}" is already closed (${view.live.outcome}).`);
  const t = view.ballot?.tally;
  const label = (k: string | null) => view.ballot?.ballot.options.find((o) => o.key === k)?.label ?? k;
  const outcome = t
    ? t.outcome === 'decided'
      ? `the executives present chose ${label(t.option)} (${t.voted} of ${t.eligible} voted)`
      : `no decision yet (${t.voted} of ${t.eligible} voted)`
    : null;
  return closeItemForm(
    kind,
    `${meetingId}:${index}`,
    { title: view.item.title, hasBallot: !!view.ballot, outcome },
    await people(deps, org.id),
  );
}

/** A meeting or time-poll button pressed by `member`. Domain refusals come back as a line to show. */
export async function meetingButton(
  deps: Deps,
  org: OrgRecord,
  member: MemberRecord,
  action: string,
  value: string,
): Promise<ButtonResult> {
  try {
    if (action === 'poll.vote' || action === 'poll.pick') {
      const p = readPollButton(value);
      if (!p) return notice('This button no longer names a time poll.');
      if (action === 'poll.pick') {
        // The tie card is replaced by one saying which time the meeting takes (no buttons left).
        const record = await breakPollTie(deps, org.id, p.meetingId, member.id, p.option);
        const ctx = await meetingContext(deps, org.id, p.meetingId);
        return {
          kind: 'card',
          card: presentPollTie(facts(ctx, record), record.poll!, member.timezone),
        };
      }
      const { record, ctx } = await answerPoll(deps, org.id, p.meetingId, {
        memberId: member.id,
        round: p.round,
        option: p.option,
      });
      return {
        kind: 'card',
        card: presentPoll(facts(ctx, record), record.poll!, {
          timezone: member.timezone,
          myChoice: p.option,
          invited: ctx.invitees.length,
        }),
      };
    }
    const target = readMeetingButton(value);
    if (!target) return notice('This button no longer names a meeting.');
    const { meetingId, index } = target;
    switch (action) {
      case 'meeting.start': {
        await startMeeting(deps, org.id, meetingId, member.id);
        return notice('The meeting is under way: its items follow, one at a time, in the S&OP channel.');
      }
      case 'meeting.present':
        return notice(await markPresent(deps, org.id, meetingId, member.id));
      case 'meeting.end': {
        const minutes = await endMeeting(deps, org.id, meetingId, member.id);
        return notice(
          `The meeting has ended; the minutes (version ${minutes.version}) are posted in the channel.`,
        );
      }
      case 'meeting.extend':
        return notice(await extendItem(deps, org.id, meetingId, index, member.id));
      case 'meeting.decide':
      case 'meeting.defer':
      case 'meeting.escalate': {
        const ctx = await meetingContext(deps, org.id, meetingId);
        const runs = member.roles.includes('process-owner') || ctx.chair?.id === member.id;
        if (!runs)
          return notice(`Only the chair (${ctx.chair?.name ?? 'the process owner'}) closes an item.`);
        return { kind: 'form', form: await itemForm(deps, org, KINDS[action]!, meetingId, index) };
      }
      default:
        return notice('Accord does not know this button.');
    }
  } catch (err) {
    if (err instanceof DomainError) return notice(err.message);
    throw err;
  }
}

/** The form a close-item submit came from (to show it again with its errors). */
export async function meetingFormFor(
  deps: Deps,
  org: OrgRecord,
  action: string,
  context: string,
): Promise<Form | null> {
  const kind = KINDS[action.replace(/\.submit$/, '')];
  const target = readMeetingButton(context);
  if (!kind || !target) return null;
  try {
    return await itemForm(deps, org, kind, target.meetingId, target.index);
  } catch (err) {
    if (err instanceof DomainError) return null;
    throw err;
  }
}

/** A submitted close-item form: field errors (nothing written), or the line saying what was recorded. */
export async function meetingFormSubmit(
  deps: Deps,
  org: OrgRecord,
  member: MemberRecord,
  action: string,
  context: string,
  values: FormValues,
): Promise<{ errors: FieldErrors } | { text: string }> {
  const kind = KINDS[action.replace(/\.submit$/, '')];
  const target = readMeetingButton(context);
  if (!kind || !target) return { text: 'This form no longer names a meeting item.' };
  try {
    const out = await closeItem(
      deps,
      org.id,
      target.meetingId,
      target.index,
      member.id,
      closeItemInput(kind, values),
    );
    return { text: out.text };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === 'validation_failed') return { errors: closeItemErrors(kind, err.fields, err.message) };
    return { text: err.message };
  }
}

/** `/sop meeting`: the next meeting (time, agenda) with the chair's Start (or End) button. */
export async function nextMeetingCard(deps: Deps, org: OrgRecord, asker: MemberRecord): Promise<Card> {
  const next = await nextMeeting(deps, org, asker);
  if (!next)
    return presentNotice('There is no S&OP meeting ahead: the cycle has none left, or none is planned yet.');
  const v = viewOf(next.ctx);
  return presentNextMeeting(facts(next.ctx), next.agenda, {
    timezone: asker.timezone,
    status: v.status,
    mayRun: next.mayRun,
  });
}

/**
 * The card a ballot's message shows after a vote: a meeting item's card for a ballot opened in a
 * live meeting, the ballot's own card otherwise.
 */
export async function cardAfterVote(
  deps: Deps,
  orgId: string,
  view: BallotView,
  ballotCard: () => Card,
): Promise<Card> {
  const m = view.ballot.meeting;
  if (!m) return ballotCard();
  const rec = await deps.meetings.get(orgId, m.id);
  const index = rec?.live?.agenda.findIndex((i) => i.key === m.itemKey) ?? -1;
  return index >= 0 ? meetingItemCard(deps, orgId, m.id, index) : ballotCard();
}
