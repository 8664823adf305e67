/**
 * Accord added to a personal chat or a team: the conversation is remembered (with its serviceUrl)
 * for the messages to come, and the person is greeted with their home card, or told whom to ask
 * (nothing is written for someone Accord does not know).
 */
import type { App } from '@microsoft/teams.apps';
import { homeOf } from '../../../src/app/queries.js';
import { presentHome, presentNotice, presentUnknownUser } from '../../../src/cards/presenters/people.js';
import { cardActivity } from '../adaptive.js';
import { tenantOf, type TeamsContext } from '../context.js';
import { NOT_CONNECTED } from './messages.js';

export function register(app: App, ctx: TeamsContext): void {
  const { deps } = ctx;
  app.on('conversationUpdate', async (c) => {
    const a = c.activity;
    const botAdded = (a.membersAdded ?? []).some((m) => m.id === a.recipient.id);
    if (!botAdded) return;
    const type = a.conversation.conversationType;
    if (type === 'channel') {
      const org = await ctx.orgOf(tenantOf(a));
      if (!org) {
        await c.send(cardActivity(presentNotice(NOT_CONNECTED)));
        return;
      }
      await deps.teams.saveConversation(
        {
          orgId: org.id,
          tenantId: tenantOf(a) ?? '',
          kind: 'channel',
          conversationId: a.conversation.id,
          serviceUrl: a.serviceUrl ?? '',
          teamsUserId: null,
          aadObjectId: null,
          memberId: null,
          teamId: (a.channelData as { team?: { id?: string } } | undefined)?.team?.id ?? null,
          name: a.conversation.name ?? null,
        },
        deps.clock.now(),
      );
      await c.send(
        cardActivity(
          presentNotice(
            `Accord is here for ${org.name}. To post the pre-S&OP pack in this channel, the S&OP process owner mentions Accord here with the word channel.`,
          ),
        ),
      );
      return;
    }
    if (type !== 'personal') return;
    const { org, member, owners } = await ctx.who(c);
    if (!org) await c.send(cardActivity(presentNotice(NOT_CONNECTED)));
    else if (!member) await c.send(cardActivity(presentUnknownUser('teams', org.name, owners)));
    else
      await c.send(
        cardActivity(presentHome('teams', await homeOf(deps, org, member)), { data: { surface: 'home' } }),
      );
  });
}
