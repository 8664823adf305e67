import { z } from 'zod';
import { rotateOrgLinks } from '../../app/links.js';
import type { Deps } from '../../app/ports.js';
import { route } from '../route.js';
import { errorBody, orgParams } from '../schemas.js';
import { apiActor } from './orgs.js';

/** The org's signed links: renewing its link key ends every link given out before. */
export function linkRoutes(deps: Deps) {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/links/rotate',
      summary:
        'Renew the org’s link key: every signed link given out before (packs, charts, Slack install links) stops working at once',
      tag: 'orgs',
      auth: 'org',
      params: orgParams,
      responses: {
        200: { description: 'renewed', schema: z.object({ rotatedAt: z.string() }) },
        404: { description: 'no such org', schema: errorBody },
      },
      handler: async ({ params, auth }) => {
        const { rotatedAt } = await rotateOrgLinks(deps, params.orgId, apiActor(auth));
        return { status: 200, body: { rotatedAt: rotatedAt.toISOString() } };
      },
    }),
  ];
}
