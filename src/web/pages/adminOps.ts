/**
 * Admin: the chat connections (Slack workspaces, the Teams tenant, the links and codes that connect
 * them), messages Accord could not deliver, the org's API tokens, and the audit trail with its chain
 * check and the renewal of the org's link key.
 */
import { rotateOrgLinks } from '../../app/links.js';
import { issueOrgToken, revokeOrgToken } from '../../app/orgs.js';
import type { Deps } from '../../app/ports.js';
import type { Actor, AuditRecord } from '../../app/records.js';
import { teamsConnectCode } from '../../app/teamsTenants.js';
import { DomainError } from '../../domain/errors.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { actorOf, type ChatSetup } from './adminCommon.js';

/** How long a Slack install link lasts (the API's `slack/install-link` gives the same). */
const INSTALL_LINK_DAYS = 7;
const PAGE = 50;
const PREFIX = /^acc_[\w-]{6}$/;

// ---- Chat connections ----------------------------------------------------------------------

interface ChatExtra {
  installLink?: { url: string; expiresAt: Date };
  connectCode?: { code: string; expiresAt: Date };
}

async function chatPage(ctx: WebContext, chat: ChatSetup, extra: ChatExtra = {}): Promise<WebResult> {
  const { deps, session } = ctx;
  const [installed, tenant, personal] = await Promise.all([
    deps.installations.forOrg(session.org.id),
    deps.teams.tenantOf(session.org.id),
    deps.teams.personalForAll(session.org.id),
  ]);
  return {
    page: 'admin-chat',
    title: 'Chat connections',
    data: {
      slackOAuth: !!chat.slackOAuth,
      teamsEnabled: !!chat.teams,
      workspaces: installed
        .sort((a, b) => a.installedAt.getTime() - b.installedAt.getTime())
        .map((i) => ({
          teamName: i.teamName,
          teamId: i.teamId,
          enterpriseId: i.enterpriseId,
          installedAt: i.installedAt,
        })),
      tenant: tenant
        ? {
            tenantId: tenant.tenantId,
            sopChannel: tenant.sopConversationId ?? null,
            reachable: new Set(personal.map((p) => p.memberId).filter(Boolean)).size,
          }
        : null,
      installLink: extra.installLink ?? null,
      connectCode: extra.connectCode ?? null,
    },
  };
}

// ---- Undeliverable messages ----------------------------------------------------------------

const KIND_LABELS: Record<string, string> = {
  'step-prompt': 'Step prompt',
  'step-reopened': 'Step reopened',
  reminder: 'Reminder',
  escalation: 'Escalation',
  pack: 'Pack',
  ballot: 'Ballot',
  decision: 'Decision',
  action: 'Action',
};

async function undeliverablePage(ctx: WebContext): Promise<WebResult> {
  const { deps, session, query } = ctx;
  const cursor = query['cursor'] || null;
  const page = await deps.outbox.list(session.org.id, { status: 'dead' }, { limit: PAGE, after: cursor });
  return {
    page: 'admin-undeliverable',
    title: 'Undeliverable messages',
    data: {
      items: page.items.map((o) => ({
        to: o.channel
          ? `${o.recipient.name} (${o.channel === 'sop' ? 'the S&OP channel' : o.channel})`
          : o.recipient.name,
        memberId: o.recipient.memberId,
        kind: KIND_LABELS[o.kind] ?? o.kind,
        createdAt: o.createdAt,
        notBefore: o.notBefore,
        attempts: o.attempts,
        lastError: o.lastError ?? 'no error recorded',
      })),
      next: page.next,
      paged: cursor !== null,
    },
  };
}

// ---- API tokens ----------------------------------------------------------------------------

async function tokensPage(
  ctx: WebContext,
  extra: { issued?: { apiToken: string; prefix: string }; problem?: string } = {},
  status = 200,
): Promise<WebResult> {
  const tokens = (await ctx.deps.orgs.tokens(ctx.session.org.id)).sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.prefix.localeCompare(b.prefix),
  );
  return {
    page: 'admin-tokens',
    title: 'API tokens',
    status,
    data: {
      tokens: tokens.map((t) => ({ ...t, isNew: t.prefix === extra.issued?.prefix })),
      canRevoke: tokens.length > 1,
      issued: extra.issued ?? null,
      problem: extra.problem ?? null,
    },
  };
}

// ---- Audit ---------------------------------------------------------------------------------

function actorName(a: Actor, names: Map<string, string>): string {
  if (a.type === 'member') return names.get(a.id) ?? 'a former member';
  if (a.type === 'api') return a.id === 'admin' ? 'Accord administrator (API)' : 'Your API token';
  return `Accord (${a.id})`;
}

type Verified = Awaited<ReturnType<Deps['audit']['verify']>>;

async function auditPage(ctx: WebContext, verified: Verified | null = null): Promise<WebResult> {
  const { deps, session, query } = ctx;
  const cursor = query['cursor'] || null;
  const [page, members] = await Promise.all([
    deps.audit.list(session.org.id, {}, { limit: PAGE, after: cursor }),
    deps.members.all(session.org.id),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const entity = (e: AuditRecord['entity']) =>
    e.type === 'member' && names.has(e.id) ? `member ${names.get(e.id)}` : e.type;
  return {
    page: 'admin-audit',
    title: 'Audit trail',
    data: {
      events: page.items.map((e) => ({
        seq: e.seq,
        at: e.at,
        actor: actorName(e.actor, names),
        action: e.action,
        entity: entity(e.entity),
      })),
      next: page.next,
      paged: cursor !== null,
      verified,
    },
  };
}

export function adminOpsPages(deps: Deps, chat: ChatSetup): WebRoute[] {
  const base = { nav: 'admin', role: 'process-owner' } as const;
  return [
    webRoute({ ...base, method: 'get', path: '/app/admin/chat', handler: (ctx) => chatPage(ctx, chat) }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/chat/slack-install-link',
      handler: async (ctx) => {
        if (!chat.slackOAuth)
          throw new DomainError(
            'conflict',
            'Slack installs are not configured on this Accord: the administrator sets SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET.',
          );
        const now = deps.clock.now();
        const links = await deps.links.forOrg(ctx.session.org.id);
        const url = links.signed(`/slack/install/${ctx.session.org.id}`, now, INSTALL_LINK_DAYS);
        const expiresAt = new Date(now.getTime() + INSTALL_LINK_DAYS * 86_400_000);
        return chatPage(ctx, chat, { installLink: { url, expiresAt } });
      },
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/chat/teams-connect-code',
      handler: async (ctx) => {
        if (!chat.teams)
          throw new DomainError(
            'conflict',
            'Microsoft Teams is not configured on this Accord: the administrator sets TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET.',
          );
        const connectCode = await teamsConnectCode(deps, ctx.session.org.id);
        return chatPage(ctx, chat, { connectCode });
      },
    }),
    webRoute({ ...base, method: 'get', path: '/app/admin/undeliverable', handler: undeliverablePage }),
    webRoute({ ...base, method: 'get', path: '/app/admin/tokens', handler: (ctx) => tokensPage(ctx) }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/tokens',
      handler: async (ctx) => {
        const issued = await issueOrgToken(deps, ctx.session.org.id, actorOf(ctx));
        // Shown once, on this page only: never in a redirect, a notice or a log.
        return tokensPage(ctx, { issued });
      },
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/tokens/:prefix/revoke',
      handler: async (ctx) => {
        const prefix = ctx.params['prefix'] ?? '';
        if (!PREFIX.test(prefix)) throw new DomainError('not_found', 'Your organisation has no such token.');
        try {
          await revokeOrgToken(deps, ctx.session.org.id, prefix, actorOf(ctx));
        } catch (err) {
          if (err instanceof DomainError && err.code === 'conflict')
            return tokensPage(
              ctx,
              { problem: `${prefix} was not revoked: it is the only token. Issue another one first.` },
              409,
            );
          throw err;
        }
        return { redirect: '/app/admin/tokens', notice: `Token ${prefix} revoked: it no longer works.` };
      },
    }),
    webRoute({ ...base, method: 'get', path: '/app/admin/audit', handler: (ctx) => auditPage(ctx) }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/audit/verify',
      handler: async (ctx) => auditPage(ctx, await deps.audit.verify(ctx.session.org.id)),
    }),
    webRoute({
      ...base,
      method: 'post',
      path: '/app/admin/links/rotate',
      handler: async (ctx) => {
        await rotateOrgLinks(deps, ctx.session.org.id, actorOf(ctx));
        return {
          redirect: '/app/admin/audit',
          notice: 'Links renewed: every pack, chart and install link given out before has stopped working.',
        };
      },
    }),
  ];
}
