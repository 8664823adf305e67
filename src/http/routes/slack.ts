import { z } from 'zod';
import { byTime, pageOf, pageRequest } from '../../app/paging.js';
import type { Deps } from '../../app/ports.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { orgParams, pageQuery } from '../schemas.js';
import { requireOrg } from './orgs.js';

const INSTALL_LINK_DAYS = 7;

/** The org's Slack workspaces, and the link that installs Accord in one (OAuth). */
export function slackRoutes(deps: Deps, opts: { oauth: boolean }) {
  return [
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/slack',
      summary: 'The Slack workspaces that serve this org (installed through OAuth)',
      tag: 'slack',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: { 200: { description: 'the workspaces (never their tokens), oldest first, a page' } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const installed = pageOf(
          await deps.installations.forOrg(params.orgId),
          pageRequest(query),
          byTime((i) => [i.installedAt, i.id]),
        );
        return {
          status: 200,
          body: {
            oauth: opts.oauth,
            next: installed.next,
            items: installed.items.map((i) => ({
              teamId: i.teamId,
              enterpriseId: i.enterpriseId,
              teamName: i.teamName,
              botUserId: i.botUserId,
              installedAt: i.installedAt.toISOString(),
            })),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/slack/install-link',
      summary: 'A signed link (valid 7 days) that installs Accord in a Slack workspace for this org',
      tag: 'slack',
      auth: 'org',
      params: orgParams,
      body: z.object({}).passthrough().optional(),
      responses: {
        201: {
          description: '{ url, expiresAt }',
          schema: z.object({ url: z.string(), expiresAt: z.string() }),
        },
        409: {
          description: 'OAuth is not configured (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET)',
        },
      },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        if (!opts.oauth)
          throw new ApiError(
            409,
            'conflict',
            'Slack OAuth is not configured: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET',
          );
        const now = deps.clock.now();
        const links = await deps.links.forOrg(params.orgId);
        const url = links.signed(`/slack/install/${params.orgId}`, now, INSTALL_LINK_DAYS);
        return {
          status: 201,
          body: { url, expiresAt: new Date(now.getTime() + INSTALL_LINK_DAYS * 86_400_000).toISOString() },
        };
      },
    }),
  ];
}
