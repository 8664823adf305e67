/**
 * What every Teams listener shares: the use cases' dependencies, which org a Teams tenant serves,
 * who a Teams user is (through the one identifyChatUser use case, by Teams id, Entra object id or
 * email from the conversation member API), and the conversation references kept for sending later.
 */
import type { Activity } from '@microsoft/teams.api';
import type { IActivityContext } from '@microsoft/teams.apps';
import { identifyChatUser } from '../../src/app/chatUsers.js';
import type { Deps } from '../../src/app/ports.js';
import type { MemberRecord, OrgRecord } from '../../src/app/records.js';
import type { Logger } from '../../src/logger.js';

export interface TeamsSettings {
  /** The Entra app registration's client id (the bot id). */
  clientId: string;
  clientSecret?: string | undefined;
  /** Single tenant: the tenant the app is registered in; unset: tenants connect with a code. */
  tenantId?: string | undefined;
  /** Sovereign clouds and tests: where the keys of inbound tokens are (`.../openidconfiguration`). */
  openIdMetadataUrl?: string | undefined;
  /** The Bot Connector for proactive sends when a conversation's own is not known. */
  serviceUrl?: string | undefined;
  /** The org a single tenant belongs to; the only org when unset and there is just one. */
  orgId?: string | undefined;
}

/** Who sent an activity, in the org their tenant serves. */
export type Who =
  | { org: null; member: null; owners: MemberRecord[] }
  | { org: OrgRecord; member: MemberRecord | null; owners: MemberRecord[] };

export interface TeamsContext {
  deps: Deps;
  logger: Logger;
  settings: TeamsSettings;
  /** The org this tenant serves, or null; a single-tenant install connects its org on first use. */
  orgOf(tenantId: string | undefined): Promise<OrgRecord | null>;
  /** Who sent this activity; a known person's conversation with Accord is remembered (for sends). */
  who(ctx: IActivityContext<Activity>): Promise<Who>;
}

export const tenantOf = (a: Activity): string | undefined =>
  a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;

export function teamsContext(deps: Deps, settings: TeamsSettings, logger: Logger): TeamsContext {
  const orgOf: TeamsContext['orgOf'] = async (tenantId) => {
    if (!tenantId) return null;
    const mapped = await deps.teams.tenant(tenantId);
    if (mapped) return deps.orgs.get(mapped.orgId);
    if (!settings.tenantId || settings.tenantId !== tenantId) return null;
    // The one tenant of a single-tenant install: its org is configured, or the only one there is.
    let orgId = settings.orgId;
    if (!orgId) {
      const page = await deps.orgs.list({ limit: 2, after: null });
      if (page.items.length !== 1) return null;
      orgId = page.items[0]!.id;
    }
    const org = await deps.orgs.get(orgId);
    if (!org) return null;
    await deps.teams.connectTenant(tenantId, org.id, deps.clock.now());
    return org;
  };

  return {
    deps,
    logger,
    settings,
    orgOf,
    async who(ctx) {
      const a = ctx.activity;
      const org = await orgOf(tenantOf(a));
      if (!org) return { org: null, member: null, owners: [] };
      const aad = a.from.aadObjectId;
      const { member, owners } = await identifyChatUser(
        deps,
        org.id,
        'teams',
        a.from.id,
        async () => {
          const found = await ctx.api.conversations.members(a.conversation.id).getById(a.from.id);
          return found.email ?? found.userPrincipalName ?? null;
        },
        aad ? [aad] : [],
      );
      if (member) await remember(deps, org, member, a);
      return { org, member, owners };
    },
  };
}

/** Keeps the conversation this activity came from (and its serviceUrl), for sends later. */
async function remember(deps: Deps, org: OrgRecord, member: MemberRecord, a: Activity): Promise<void> {
  const type = a.conversation.conversationType;
  if (type !== 'personal' && type !== 'channel') return;
  const channel = type === 'channel';
  await deps.teams.saveConversation(
    {
      orgId: org.id,
      tenantId: tenantOf(a) ?? '',
      kind: channel ? 'channel' : 'personal',
      // A reply in a channel thread names its thread (`<channel>;messageid=<id>`): the channel is kept.
      conversationId: channel ? a.conversation.id.split(';messageid=')[0]! : a.conversation.id,
      serviceUrl: a.serviceUrl ?? '',
      teamsUserId: channel ? null : a.from.id,
      aadObjectId: channel ? null : (a.from.aadObjectId ?? null),
      memberId: channel ? null : member.id,
      teamId: (a.channelData as { team?: { id?: string } } | undefined)?.team?.id ?? null,
      name: a.conversation.name ?? null,
    },
    deps.clock.now(),
  );
}
