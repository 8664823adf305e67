/**
 * What every Slack listener shares: the use cases' dependencies, the workspace -> org map, who a
 * Slack user is (through the one identifyChatUser use case), and the few Slack calls that answer a
 * person (an ephemeral line, their Home tab).
 */
import type { WebClient } from '@slack/web-api';
import { identifyChatUser } from '../../src/app/chatUsers.js';
import type { Deps } from '../../src/app/ports.js';
import { homeOf } from '../../src/app/queries.js';
import type { MemberRecord, OrgRecord } from '../../src/app/records.js';
import { SerialQueues } from '../../src/app/serial.js';
import { presentHome, presentUnknownUser } from '../../src/cards/presenters/people.js';
import type { Logger } from '../../src/logger.js';
import { escapeMrkdwn, renderBlocks, renderMessage, SLACK_LIMITS } from './blockkit.js';
import type { Workspaces } from './installations.js';

/** Who pressed, typed or submitted, in the org their workspace serves. */
export type Who =
  | { org: null; member: null; owners: MemberRecord[] }
  | { org: OrgRecord; member: MemberRecord | null; owners: MemberRecord[] };

/** The parts of an interaction's body that say where it came from. */
export interface Origin {
  user: { id: string };
  team?: { id?: string; enterprise_id?: string } | null;
  enterprise?: { id?: string } | null;
}

export interface SlackContext {
  deps: Deps;
  spaces: Workspaces;
  logger: Logger;
  /** Vote clicks of one workspace are handled one at a time, in arrival order (see SerialQueues). */
  votes: SerialQueues;
  whoIs(
    client: WebClient,
    teamId: string | undefined,
    enterpriseId: string | undefined,
    userId: string,
  ): Promise<Who>;
  who(client: WebClient, body: Origin): Promise<Who>;
  /**
   * Who pressed, in their org, when Accord knows them; someone unknown is told whom to ask (where
   * they pressed) and gets null, as does a press from a workspace no org uses.
   */
  known(
    client: WebClient,
    body: Origin & { channel?: { id: string } | undefined },
  ): Promise<{ org: OrgRecord; member: MemberRecord } | null>;
  /** One line to one person, where they pressed (nothing when there is no channel, e.g. a modal). */
  tell(client: WebClient, channel: string | undefined, userId: string, text: string): Promise<void>;
  publishHome(client: WebClient, org: OrgRecord, member: MemberRecord, userId: string): Promise<void>;
}

export function slackContext(deps: Deps, spaces: Workspaces, logger: Logger): SlackContext {
  const whoIs: SlackContext['whoIs'] = async (client, teamId, enterpriseId, userId) => {
    const org = await spaces.orgFor(teamId, enterpriseId);
    if (!org) return { org: null, member: null, owners: [] };
    const { member, owners } = await identifyChatUser(deps, org.id, 'slack', userId, async () => {
      const info = await client.users.info({ user: userId });
      return info.user?.profile?.email;
    });
    return { org, member, owners };
  };
  const who: SlackContext['who'] = (client, b) =>
    whoIs(client, b.team?.id ?? undefined, b.enterprise?.id ?? b.team?.enterprise_id ?? undefined, b.user.id);
  /** Someone Accord does not know: they alone are told whom to ask. */
  const tellUnknown = async (
    client: WebClient,
    channel: string | undefined,
    userId: string,
    org: OrgRecord,
    owners: MemberRecord[],
  ) => {
    if (channel)
      await client.chat.postEphemeral({
        channel,
        user: userId,
        ...renderMessage(presentUnknownUser('slack', org.name, owners)),
      });
  };
  return {
    deps,
    spaces,
    logger,
    votes: new SerialQueues(),
    whoIs,
    who,
    async known(client, b) {
      const { org, member, owners } = await who(client, b);
      if (!org) return null;
      if (!member) {
        await tellUnknown(client, b.channel?.id, b.user.id, org, owners);
        return null;
      }
      return { org, member };
    },
    async tell(client, channel, userId, text) {
      if (channel) await client.chat.postEphemeral({ channel, user: userId, text: escapeMrkdwn(text) });
    },
    async publishHome(client, org, member, userId) {
      const card = presentHome('slack', await homeOf(deps, org, member));
      await client.views.publish({
        user_id: userId,
        view: { type: 'home', blocks: renderBlocks(card, SLACK_LIMITS.surfaceBlocks) },
      });
    },
  };
}
