import { z } from 'zod';
import type { Deps } from '../../app/ports.js';
import { teamsConnectCode } from '../../app/teamsTenants.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { orgParams } from '../schemas.js';
import { requireOrg } from './orgs.js';

/** The org's Microsoft Teams connection, and the code that connects a tenant to it. */
export function teamsRoutes(deps: Deps, opts: { enabled: boolean }) {
  return [
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/teams',
      summary:
        'The Microsoft Teams tenant that serves this org, its S&OP channel, how many people Accord can reach there',
      tag: 'teams',
      auth: 'org',
      params: orgParams,
      responses: {
        200: {
          description: '{ enabled, tenantId, sopChannel, reachable }',
          schema: z.object({
            enabled: z.boolean(),
            tenantId: z.string().nullable(),
            sopChannel: z.string().nullable(),
            reachable: z.number(),
          }),
        },
      },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        const [tenant, personal] = await Promise.all([
          deps.teams.tenantOf(params.orgId),
          deps.teams.personalForAll(params.orgId),
        ]);
        return {
          status: 200,
          body: {
            enabled: opts.enabled,
            tenantId: tenant?.tenantId ?? null,
            sopChannel: tenant?.sopConversationId ?? null,
            reachable: new Set(personal.map((p) => p.memberId).filter(Boolean)).size,
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/teams/connect-code',
      summary:
        'A code (valid 7 days) that connects a Microsoft Teams tenant to this org: someone in the tenant types "connect <code>" to Accord in Teams',
      tag: 'teams',
      auth: 'org',
      params: orgParams,
      body: z.object({}).passthrough().optional(),
      responses: {
        201: {
          description: '{ code, expiresAt, instructions }',
          schema: z.object({ code: z.string(), expiresAt: z.string(), instructions: z.string() }),
        },
        409: { description: 'Teams is not configured (TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET)' },
      },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        if (!opts.enabled)
          throw new ApiError(
            409,
            'conflict',
            'Microsoft Teams is not configured: set TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET',
          );
        const { code, expiresAt } = await teamsConnectCode(deps, params.orgId);
        return {
          status: 201,
          body: {
            code,
            expiresAt: expiresAt.toISOString(),
            instructions: `In Microsoft Teams, in the team channel for S&OP, mention Accord and type: connect ${code} (or send it to Accord in a personal chat; the process owner then types "channel" in the S&OP channel).`,
          },
        };
      },
    }),
  ];
}
