/**
 * Universal Actions (`Action.Execute`, the adaptiveCard/action invoke): votes, "Mark done", the
 * escalation's step buttons and the ballot's refresh. Each runs one use case and answers within the
 * invoke (about 5 s) with the card that replaces the pressed one, or a line Teams shows.
 * A vote retried by Teams counts once: a person has one vote per ballot, changed in place.
 */
import type { Activity, AdaptiveCardActionResponse } from '@microsoft/teams.api';
import type { App, IActivityContext } from '@microsoft/teams.apps';
import { castVote, updateAction } from '../../../src/app/ballots.js';
import { cardAfterVote, MEETING_BUTTONS, meetingButton } from '../../../src/app/meetingButtons.js';
import { SOE_BUTTONS, soeButton } from '../../../src/app/soeButtons.js';
import { closeStepWithoutMissing, extendStepByBusinessDay } from '../../../src/app/cycles.js';
import { ballotFor, homeOf } from '../../../src/app/queries.js';
import { SerialQueues } from '../../../src/app/serial.js';
import type { MemberRecord, OrgRecord } from '../../../src/app/records.js';
import type { Card } from '../../../src/cards/card.js';
import { presentBallotFor, readVoteButton } from '../../../src/cards/presenters/ballots.js';
import { presentHome, presentNotice, presentUnknownUser } from '../../../src/cards/presenters/people.js';
import {
  presentStepClosed,
  presentStepExtended,
  readStepButton,
} from '../../../src/cards/presenters/steps.js';
import { STEP_TITLES } from '../../../src/domain/calendar.js';
import { DomainError } from '../../../src/domain/errors.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  cardActivity,
  renderAdaptiveCard,
  type RenderOptions,
} from '../adaptive.js';
import type { TeamsContext } from '../context.js';
import { ballotRefresh } from '../refresh.js';
import { NOT_CONNECTED } from './messages.js';

const cardResponse = (card: Card, opts: RenderOptions = {}): AdaptiveCardActionResponse => ({
  statusCode: 200,
  type: ADAPTIVE_CARD_CONTENT_TYPE,
  value: renderAdaptiveCard(card, opts),
});
const messageResponse = (text: string): AdaptiveCardActionResponse => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.activity.message',
  value: text,
});

export function register(app: App, ctx: TeamsContext): void {
  const { deps } = ctx;
  const votes = new SerialQueues(200);

  /**
   * After a vote on a meeting item, the item's message (in the S&OP channel) shows the new count to
   * everyone there: an invoke's answer replaces the card only for the one who pressed. Within the
   * vote queue, so the updates land in the order the votes were counted.
   */
  const shareMeetingCount = async (
    c: IActivityContext<Activity>,
    org: OrgRecord,
    ballotId: string,
    member: MemberRecord,
  ) => {
    const { replyToId, conversation } = c.activity;
    if (!replyToId) return;
    try {
      const { view } = await ballotFor(deps, org, ballotId, member);
      if (!view.ballot.meeting) return;
      const card = await cardAfterVote(deps, org.id, view, () => presentBallotFor(view, null));
      // The message is addressed by its channel (a thread's `;messageid=` left off) and its own id.
      await c.api.conversations.updateActivity(
        conversation.id.split(';messageid=')[0]!,
        replyToId,
        cardActivity(card, { refresh: ballotRefresh(ballotId) }),
      );
    } catch (err) {
      // The vote is counted: the others see the new count when their card refreshes.
      ctx.logger.warn({ err, ballotId }, 'the meeting item card could not be updated in Teams');
    }
  };

  const home = async (org: OrgRecord, member: MemberRecord) =>
    cardResponse(presentHome('teams', await homeOf(deps, org, member)), { data: { surface: 'home' } });

  app.on('card.action', async (c) => {
    const action = c.activity.value.action;
    const data = (action.data ?? {}) as Record<string, unknown>;
    const verb = action.verb ?? (typeof data['action'] === 'string' ? data['action'] : '');
    const value = typeof data['value'] === 'string' ? data['value'] : '';
    const fromHome = data['surface'] === 'home';
    const { org, member, owners } = await ctx.who(c);
    if (!org) return messageResponse(NOT_CONNECTED);
    if (!member) return messageResponse(presentUnknownUser('teams', org.name, owners).summary);

    try {
      switch (verb) {
        case 'ballot.vote': {
          const { ballotId, option } = readVoteButton(value);
          const why = data[`why:${ballotId}`];
          const reason = typeof why === 'string' && why.trim() ? why.trim() : undefined;
          // One org's votes are counted one at a time, in arrival order (see SerialQueues); a full
          // queue answers at once rather than past Teams' invoke deadline.
          const queued = votes.run(org.id, async () => {
            await castVote(
              deps,
              org.id,
              ballotId,
              { memberId: member.id, option, reason },
              { type: 'member', id: member.id },
            );
            await shareMeetingCount(c, org, ballotId, member);
          });
          if (!queued)
            return messageResponse(
              'Your vote was not counted: Accord is busy counting votes. Try again in a minute.',
            );
          try {
            await queued;
          } catch (err) {
            // A closed ballot's card loses its buttons and shows the final count.
            if (err instanceof DomainError && err.code === 'ballot_closed') {
              const { view } = await ballotFor(deps, org, ballotId, member);
              return cardResponse(
                await cardAfterVote(deps, org.id, view, () => presentBallotFor(view, null)),
              );
            }
            throw err;
          }
          if (fromHome) return await home(org, member);
          const { view, myOption } = await ballotFor(deps, org, ballotId, member);
          return cardResponse(
            await cardAfterVote(deps, org.id, view, () => presentBallotFor(view, myOption)),
            { refresh: ballotRefresh(ballotId) },
          );
        }
        case 'ballot.refresh': {
          // A meeting item's card stays the item's card (with the chair's buttons), as it stands now.
          const { view, myOption } = await ballotFor(deps, org, value, member);
          return cardResponse(
            await cardAfterVote(deps, org.id, view, () => presentBallotFor(view, myOption)),
            { refresh: ballotRefresh(value) },
          );
        }
        case 'action.done': {
          const done = await updateAction(deps, org.id, value, { actorId: member.id, status: 'done' });
          if (fromHome) return await home(org, member);
          return cardResponse(presentNotice(`Done: ${done.description}`));
        }
        case 'step.extend':
        case 'step.close': {
          const target = readStepButton(value);
          if (!target) return messageResponse('This button no longer names a step.');
          const title = STEP_TITLES[target.step];
          try {
            return messageResponse(
              verb === 'step.extend'
                ? presentStepExtended(
                    title,
                    await extendStepByBusinessDay(deps, org.id, target.cycleId, target.step, member.id),
                    member.timezone,
                  )
                : presentStepClosed(
                    title,
                    await closeStepWithoutMissing(deps, org.id, target.cycleId, target.step, member.id),
                  ),
            );
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            return messageResponse(`${title} was not changed: ${err.message}`);
          }
        }
        default: {
          if ((SOE_BUTTONS as readonly string[]).includes(verb)) {
            const typed = data[`note:${value}`];
            const out = await soeButton(
              deps,
              org,
              member,
              verb,
              value,
              typeof typed === 'string' ? typed : undefined,
            );
            return out.kind === 'card'
              ? cardResponse(out.card)
              : messageResponse(out.kind === 'notice' ? out.text : '');
          }
          if ((MEETING_BUTTONS as readonly string[]).includes(verb)) {
            const out = await meetingButton(deps, org, member, verb, value);
            // A form opens from a task/fetch button (dialogs.ts); here only cards and lines.
            if (out.kind === 'card') return cardResponse(out.card);
            return messageResponse(out.kind === 'notice' ? out.text : 'Open this from the card again.');
          }
          return messageResponse('Accord does not know this button; type help to see what it can do.');
        }
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return messageResponse(
        verb === 'ballot.vote' ? `Your vote was not counted: ${err.message}` : err.message,
      );
    }
  });
}
