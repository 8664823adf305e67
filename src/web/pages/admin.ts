/**
 * The process owner's admin pages (`/app/admin/...`): an index with each section's state, then
 * members, calendar, voting rules, meetings, chat connections, undeliverable messages, API tokens
 * and the audit trail. Every page needs the process-owner role (the API's rule for the same use cases).
 */
import { meetingSetting, meetingTitle } from '../../app/meetings.js';
import type { Deps } from '../../app/ports.js';
import { MEETING_STEPS } from '../../domain/meetings.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import type { ChatSetup } from './adminCommon.js';
import { adminMemberPages } from './adminMembers.js';
import { adminOpsPages } from './adminOps.js';
import { adminOrgPages } from './adminOrg.js';

export type { ChatSetup } from './adminCommon.js';

/** How many dead messages the index counts before saying "more than". */
const DEAD_COUNT = 100;

async function adminIndex(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const [members, workspaces, tenant, dead, tokens, chain] = await Promise.all([
    deps.members.all(orgId),
    deps.installations.forOrg(orgId),
    deps.teams.tenantOf(orgId),
    deps.outbox.list(orgId, { status: 'dead' }, { limit: DEAD_COUNT, after: null }),
    deps.orgs.tokens(orgId),
    deps.audit.verify(orgId),
  ]);
  const chat = [
    workspaces.length
      ? `Slack: ${workspaces.length} ${workspaces.length === 1 ? 'workspace' : 'workspaces'}`
      : null,
    tenant ? 'Microsoft Teams: connected' : null,
  ].filter((x): x is string => x !== null);
  return {
    page: 'admin',
    title: 'Admin',
    data: {
      members: members.length,
      webOnly: members.filter((m) => !m.slackUserId && !m.teamsUserId).length,
      chat: chat.length ? chat.join('; ') : null,
      dead: dead.items.length,
      deadMore: dead.next !== null,
      tokens: tokens.length,
      chain,
      meetings: MEETING_STEPS.map((step) => ({
        title: meetingTitle(step, '').trim(),
        ...meetingSetting(session.org, step),
      })),
      settings: {
        name: session.org.name,
        timezone: session.org.timezone,
        holidays: session.org.holidays.length,
        rule: session.org.votingRules.rule,
        quorum: session.org.votingRules.quorumShare,
      },
    },
  };
}

export function adminPages(deps: Deps, chat: ChatSetup = {}): WebRoute[] {
  return [
    webRoute({ method: 'get', path: '/app/admin', nav: 'admin', role: 'process-owner', handler: adminIndex }),
    ...adminMemberPages(deps),
    ...adminOrgPages(deps),
    ...adminOpsPages(deps, chat),
  ];
}
