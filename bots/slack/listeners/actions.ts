/**
 * Buttons. Each acks first (Slack's 3 s), then runs one use case and answers where the person
 * pressed: the message itself (a ballot's new count), an ephemeral line, a modal, or their Home tab.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ballotView, castVote, updateAction } from '../../../src/app/ballots.js';
import { cardAfterVote, meetingButton, type ButtonResult } from '../../../src/app/meetingButtons.js';
import { soeButton } from '../../../src/app/soeButtons.js';
import { closeStepWithoutMissing, extendStepByBusinessDay } from '../../../src/app/cycles.js';
import { assignForm } from '../../../src/cards/forms.js';
import { inputFormFor } from '../../../src/app/queries.js';
import { presentBallot, readVoteButton } from '../../../src/cards/presenters/ballots.js';
import {
  presentStepClosed,
  presentStepExtended,
  readStepButton,
} from '../../../src/cards/presenters/steps.js';
import { STEP_TITLES } from '../../../src/domain/calendar.js';
import { DomainError } from '../../../src/domain/errors.js';
import { renderMessage } from '../blockkit.js';
import type { SlackContext } from '../context.js';
import { renderModal } from '../views.js';

type Click = BlockAction<ButtonAction>;

/** The Home tab is the surface pressed: it shows the new state. */
const fromHome = (b: Click) => b.container?.['type'] === 'view' && b.view?.type === 'home';

export function register(app: App, ctx: SlackContext): void {
  const { deps } = ctx;

  /** A card replaces the message pressed (when there is one); a line goes to the person who pressed. */
  const answer = async (client: WebClient, body: Click, out: ButtonResult) => {
    const where =
      typeof body.container?.['channel_id'] === 'string' && typeof body.container['message_ts'] === 'string'
        ? { channel: body.container['channel_id'], ts: body.container['message_ts'] }
        : null;
    if (out.kind === 'card' && where) await client.chat.update({ ...where, ...renderMessage(out.card) });
    else
      await ctx.tell(
        client,
        body.channel?.id,
        body.user.id,
        out.kind === 'card' ? out.card.summary : out.kind === 'notice' ? out.text : '',
      );
  };

  // One button per option; the renderer numbers repeated action ids in a block (ballot.vote:1 ...).
  const handleVote = async (client: WebClient, b: Click, value: string) => {
    const { ballotId, option } = readVoteButton(value);
    const known = await ctx.known(client, b);
    if (!known) return;
    const { org, member } = known;
    const channel = b.channel?.id;
    // The "why" typed above the buttons, if any.
    const values = b.state?.values ?? b.view?.state?.values ?? {};
    const reason = values[`why:${ballotId}`]?.['value']?.value?.trim() || undefined;
    const where =
      typeof b.container?.['channel_id'] === 'string' && typeof b.container['message_ts'] === 'string'
        ? { channel: b.container['channel_id'], ts: b.container['message_ts'] }
        : null;
    let view: Awaited<ReturnType<typeof castVote>>['view'];
    try {
      view = (
        await castVote(
          deps,
          org.id,
          ballotId,
          { memberId: member.id, option, reason },
          { type: 'member', id: member.id },
        )
      ).view;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await ctx.tell(client, channel, b.user.id, `Your vote was not counted: ${err.message}`);
      // A closed ballot's message loses its buttons and shows the final count.
      if (err.code === 'ballot_closed' && where) {
        const closed = await ballotView(deps, org.id, ballotId);
        await client.chat.update({
          ...where,
          ...renderMessage(await cardAfterVote(deps, org.id, closed, () => presentBallot(closed))),
        });
      }
      return;
    }
    if (fromHome(b)) {
      await ctx.publishHome(client, org, member, b.user.id);
      return;
    }
    // The ballot message shows the new count (or "N of M voted"), from the vote's own view; a
    // meeting item's message shows who of those present has voted.
    if (where)
      await client.chat.update({
        ...where,
        ...renderMessage(await cardAfterVote(deps, org.id, view, () => presentBallot(view))),
      });
  };

  // A workspace's vote clicks are handled one at a time in arrival order (see SerialQueues): a
  // burst of clicks neither races on the audit chain nor floods the database with lookups.
  app.action<Click>(/^ballot\.vote(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const key = `${body.enterprise?.id ?? body.team?.enterprise_id ?? '-'}:${body.team?.id ?? '-'}`;
    const queued = ctx.votes.run(key, () => handleVote(client, body, action.value ?? ''));
    if (queued) await queued;
    else
      await ctx.tell(
        client,
        body.channel?.id,
        body.user.id,
        'Your vote was not counted: Accord is busy counting votes. Click again in a minute.',
      );
  });

  // Action DMs, reminders, /sop actions and the Home tab: the owner marks an action done.
  app.action<Click>(/^action\.done(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const { org, member } = await ctx.who(client, body);
    if (!org || !member) return;
    try {
      const done = await updateAction(deps, org.id, action.value ?? '', {
        actorId: member.id,
        status: 'done',
      });
      if (fromHome(body)) await ctx.publishHome(client, org, member, body.user.id);
      else await ctx.tell(client, body.channel?.id, body.user.id, `Done: ${done.description}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await ctx.tell(client, body.channel?.id, body.user.id, err.message);
    }
  });

  // Step prompts and the Home tab: "Open the form" opens this person's form for the request,
  // pre-filled with the latest submission, so an input can be edited until its step closes.
  app.action<Click>(/^input\.open(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const known = await ctx.known(client, body);
    if (!known) return;
    const { org } = known;
    const form = await inputFormFor(deps, org.id, action.value ?? '');
    if (!form) return;
    await client.views.open({ trigger_id: body.trigger_id, view: renderModal(form) as never });
  });

  // The decision message (the process owner's copy): assign an action to an owner.
  app.action<Click>(/^decision\.assign(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const known = await ctx.known(client, body);
    if (!known) return;
    const { org, member } = known;
    const decision = await deps.decisions.get(org.id, action.value ?? '');
    if (!decision) return;
    if (!member.roles.includes('process-owner')) {
      await ctx.tell(client, body.channel?.id, body.user.id, 'Only the S&OP process owner assigns actions.');
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: renderModal(assignForm(decision, [])) as never,
    });
  });

  // The escalation of an overdue step (the process owner's): one more business day, or close it
  // without the missing inputs. The use case checks the role and the step's state.
  const stepButton =
    (run: 'extend' | 'close') =>
    async ({
      ack,
      body,
      action,
      client,
    }: {
      ack: () => Promise<void>;
      body: Click;
      action: ButtonAction;
      client: WebClient;
    }) => {
      await ack();
      const known = await ctx.known(client, body);
      if (!known) return;
      const { org, member } = known;
      const target = readStepButton(action.value ?? '');
      if (!target) return;
      const title = STEP_TITLES[target.step];
      try {
        const text =
          run === 'extend'
            ? await extendStepByBusinessDay(deps, org.id, target.cycleId, target.step, member.id).then((r) =>
                presentStepExtended(title, r, member.timezone),
              )
            : await closeStepWithoutMissing(deps, org.id, target.cycleId, target.step, member.id).then((r) =>
                presentStepClosed(title, r),
              );
        await ctx.tell(client, body.channel?.id, body.user.id, text);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        await ctx.tell(client, body.channel?.id, body.user.id, `${title} was not changed: ${err.message}`);
      }
    };
  app.action<Click>(/^step\.extend(:\d+)?$/, stepButton('extend'));
  app.action<Click>(/^step\.close(:\d+)?$/, stepButton('close'));

  // The meeting's buttons (start, present, close an item, +5 min, end) and the time poll's.
  app.action<Click>(
    /^(meeting\.(start|present|end|extend|decide|defer|escalate)|poll\.(vote|pick))(:\d+)?$/,
    async ({ ack, body, action, client }) => {
      await ack();
      const known = await ctx.known(client, body);
      if (!known) return;
      const name = action.action_id.replace(/:\d+$/, '');
      const out = await meetingButton(deps, known.org, known.member, name, action.value ?? '');
      if (out.kind === 'form') {
        await client.views.open({ trigger_id: body.trigger_id, view: renderModal(out.form) as never });
        return;
      }
      await answer(client, body, out);
    },
  );

  // An S&OE alert's outcomes: decide now, the next agenda, acknowledge (with the note above the buttons).
  app.action<Click>(/^soe\.(decide|agenda|ack)(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const known = await ctx.known(client, body);
    if (!known) return;
    const alertId = action.value ?? '';
    const values = body.state?.values ?? {};
    const note = values[`note:${alertId}`]?.['value']?.value?.trim() || undefined;
    const name = action.action_id.replace(/:\d+$/, '');
    const out = await soeButton(deps, known.org, known.member, name, alertId, note);
    await answer(client, body, out);
  });

  // Link buttons ("Open the full pack") open their URL in the browser, and Slack still sends the
  // click: acked, nothing else to do.
  app.action<Click>(/^link\.open(:\d+)?$/, async ({ ack }) => {
    await ack();
  });
}
