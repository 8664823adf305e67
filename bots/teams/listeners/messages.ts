/**
 * Messages to Accord: the `sop` commands as bot commands (help, status, pack, scenario, decisions,
 * actions, home; the manifest lists them), plus `connect <code>` (a tenant joins an org) and
 * `channel` (the process owner makes a team channel the S&OP channel). Each answers with a card.
 */
import type { App } from '@microsoft/teams.apps';
import { packCard, type PackContent } from '../../../src/app/packs.js';
import {
  currentPack,
  cycleStatus,
  homeOf,
  latestDecisions,
  openActionsOf,
} from '../../../src/app/queries.js';
import type { PackRecord } from '../../../src/app/records.js';
import { connectTeamsTenant, useTeamsChannel } from '../../../src/app/teamsTenants.js';
import { nextMeetingCard } from '../../../src/app/meetingButtons.js';
import { presentDisruptionInvite } from '../../../src/cards/presenters/soe.js';
import type { Card } from '../../../src/cards/card.js';
import { presentActionList } from '../../../src/cards/presenters/actions.js';
import { presentDecisionList } from '../../../src/cards/presenters/ballots.js';
import { presentWhatIfInvite } from '../../../src/cards/presenters/packs.js';
import {
  presentHelp,
  presentHome,
  presentNotice,
  presentUnknownUser,
  presentWebLink,
} from '../../../src/cards/presenters/people.js';
import { presentStatus } from '../../../src/cards/presenters/steps.js';
import { DomainError } from '../../../src/domain/errors.js';
import { cardActivity } from '../adaptive.js';
import { tenantOf, type TeamsContext } from '../context.js';
import { webSignInLink } from '../../../src/app/web.js';

const NO_PACK = 'There is no pre-S&OP pack for the current cycle yet.';
export const NOT_CONNECTED =
  'This Microsoft Teams organisation is not connected to Accord yet. Ask your Accord administrator for a connect code, then type: connect <code>';

export function register(app: App, ctx: TeamsContext): void {
  const { deps } = ctx;
  app.on('message', async (c) => {
    const text = (c.activity.text ?? '').replace(/<[^>]+>/g, ' ').trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const verb = first.replace(/^\/?(sop\s+)?/i, '').toLowerCase();
    const reply = (card: Card) => c.send(cardActivity(card));

    if (verb === 'connect') {
      const tenantId = tenantOf(c.activity);
      if (!tenantId) return;
      try {
        const org = await connectTeamsTenant(deps, tenantId, rest.join(' '), {
          type: 'system',
          id: `teams:${c.activity.from.id}`,
        });
        const inChannel = c.activity.conversation.conversationType === 'channel';
        const who = await ctx.who(c);
        if (inChannel && who.member?.roles.includes('process-owner'))
          await useTeamsChannel(deps, org.id, c.activity.conversation.id, who.member.id);
        await reply(
          presentNotice(
            `This Microsoft Teams organisation is now connected to Accord for ${org.name}.${inChannel && who.member?.roles.includes('process-owner') ? ' This channel is the S&OP channel: the pack is posted here.' : ''} Type help to see what Accord can do.`,
          ),
        );
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        await reply(presentNotice(`Not connected: ${err.message}.`));
      }
      return;
    }

    const { org, member, owners } = await ctx.who(c);
    if (!org) {
      await reply(presentNotice(NOT_CONNECTED));
      return;
    }
    if (!member) {
      await reply(presentUnknownUser('teams', org.name, owners));
      return;
    }
    let card: Card;
    switch (verb) {
      case 'status':
        card = presentStatus(await cycleStatus(deps, org), member.timezone);
        break;
      case 'pack': {
        const pack = await currentPack(deps, org);
        card = pack
          ? await packCard(deps, pack as PackRecord<PackContent>, deps.clock.now())
          : presentNotice(NO_PACK);
        break;
      }
      case 'scenario': {
        const pack = await currentPack(deps, org);
        // A dialog opens from a button only: the what-if form is one click away.
        card = pack
          ? presentWhatIfInvite(pack)
          : presentNotice(`${NO_PACK.slice(0, -1)}: a what-if needs one.`);
        break;
      }
      case 'decisions': {
        const q = rest.join(' ');
        card = presentDecisionList(await latestDecisions(deps, org.id, q), q);
        break;
      }
      case 'actions':
        card = presentActionList(await openActionsOf(deps, org.id, member.id));
        break;
      case 'meeting':
        card = await nextMeetingCard(deps, org, member);
        break;
      case 'disruption':
        // A dialog opens from a button only: the form is one click away.
        card = presentDisruptionInvite();
        break;
      case 'home':
        await c.send(
          cardActivity(presentHome('teams', await homeOf(deps, org, member)), { data: { surface: 'home' } }),
        );
        return;
      case 'web':
        // A sign-in link is for one person: only in the 1:1 chat, never in a channel or group.
        if (c.activity.conversation.conversationType !== 'personal') {
          card = presentNotice(
            'A sign-in link is for you alone: send web to Accord in your personal chat with it.',
          );
          break;
        }
        card = presentWebLink(
          await webSignInLink(deps, org.id, member.id, { type: 'member', id: member.id }),
          member.timezone,
        );
        break;
      case 'channel':
        if (c.activity.conversation.conversationType !== 'channel') {
          card = presentNotice(
            'Type channel in the team channel that should be the S&OP channel (mention Accord there).',
          );
          break;
        }
        try {
          await useTeamsChannel(deps, org.id, c.activity.conversation.id, member.id);
          card = presentNotice('This channel is now the S&OP channel: the pre-S&OP pack is posted here.');
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          card = presentNotice(`Not changed: ${err.message}.`);
        }
        break;
      default:
        card = presentHelp('teams', member);
    }
    await reply(card);
  });
}
