/** `/sop <command>`: each answers with a card, only to the person who typed it. */
import type { App } from '@slack/bolt';
import type { PackContent } from '../../../src/app/packs.js';
import { packCard } from '../../../src/app/packs.js';
import { currentPack, cycleStatus, latestDecisions, openActionsOf } from '../../../src/app/queries.js';
import type { PackRecord } from '../../../src/app/records.js';
import type { Card } from '../../../src/cards/card.js';
import { scenarioForm } from '../../../src/cards/forms.js';
import { presentActionList } from '../../../src/cards/presenters/actions.js';
import { presentDecisionList } from '../../../src/cards/presenters/ballots.js';
import {
  presentHelp,
  presentNotice,
  presentUnknownUser,
  presentWebLink,
} from '../../../src/cards/presenters/people.js';
import { webSignInLink } from '../../../src/app/web.js';
import { nextMeetingCard } from '../../../src/app/meetingButtons.js';
import { disruptionFormFor } from '../../../src/app/soeButtons.js';
import { presentStatus } from '../../../src/cards/presenters/steps.js';
import { renderMessage } from '../blockkit.js';
import type { SlackContext } from '../context.js';
import { renderModal } from '../views.js';

const NO_PACK = 'There is no pre-S&OP pack for the current cycle yet.';

export function register(app: App, ctx: SlackContext): void {
  const { deps } = ctx;
  app.command('/sop', async ({ command, ack, client }) => {
    const { org, member, owners } = await ctx.whoIs(
      client,
      command.team_id,
      command.enterprise_id,
      command.user_id,
    );
    if (!org) {
      await ack({
        response_type: 'ephemeral',
        text: 'This Slack workspace is not connected to an Accord organisation.',
      });
      return;
    }
    if (!member) {
      await ack({
        response_type: 'ephemeral',
        ...renderMessage(presentUnknownUser('slack', org.name, owners)),
      });
      return;
    }
    const [verb = '', ...rest] = command.text.trim().split(/\s+/);
    if (verb === 'scenario') {
      const pack = await currentPack(deps, org);
      if (!pack) {
        await ack({
          response_type: 'ephemeral',
          ...renderMessage(presentNotice(`${NO_PACK.slice(0, -1)}: a what-if needs one.`)),
        });
        return;
      }
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: renderModal(scenarioForm(pack as PackRecord<PackContent>)) as never,
      });
      return;
    }
    if (verb === 'disruption') {
      const form = await disruptionFormFor(deps, org.id);
      if (!form) {
        await ack({
          response_type: 'ephemeral',
          ...renderMessage(
            presentNotice('There is no data set yet: a disruption names one of its resources.'),
          ),
        });
        return;
      }
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: renderModal(form) as never });
      return;
    }
    let card: Card;
    if (verb === 'status') card = presentStatus(await cycleStatus(deps, org), member.timezone);
    else if (verb === 'pack') {
      const pack = await currentPack(deps, org);
      card = pack
        ? await packCard(deps, pack as PackRecord<PackContent>, deps.clock.now())
        : presentNotice(NO_PACK);
    } else if (verb === 'decisions') {
      const q = rest.join(' ');
      card = presentDecisionList(await latestDecisions(deps, org.id, q), q);
    } else if (verb === 'actions') card = presentActionList(await openActionsOf(deps, org.id, member.id));
    else if (verb === 'meeting') card = await nextMeetingCard(deps, org, member);
    else if (verb === 'web') {
      // Ephemeral: only the person who typed it sees the link.
      const link = await webSignInLink(deps, org.id, member.id, {
        type: 'member',
        id: member.id,
      });
      card = presentWebLink(link, member.timezone);
    } else card = presentHelp('slack', member);
    await ack({ response_type: 'ephemeral', ...renderMessage(card) });
  });
}
