/** Events: the Home tab, published when a person opens it. */
import type { App } from '@slack/bolt';
import { presentUnknownUser } from '../../../src/cards/presenters/people.js';
import { renderBlocks, SLACK_LIMITS } from '../blockkit.js';
import type { SlackContext } from '../context.js';

export function register(app: App, ctx: SlackContext): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const { org, member, owners } = await ctx.whoIs(client, body.team_id, body.enterprise_id, event.user);
    if (!org) return;
    if (!member) {
      await client.views.publish({
        user_id: event.user,
        view: {
          type: 'home',
          blocks: renderBlocks(presentUnknownUser('slack', org.name, owners), SLACK_LIMITS.surfaceBlocks),
        },
      });
      return;
    }
    await ctx.publishHome(client, org, member, event.user);
  });
}
