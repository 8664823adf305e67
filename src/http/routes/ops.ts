import { z } from 'zod';
import type { Deps } from '../../app/ports.js';
import { auditJson, outboxJson } from '../present.js';
import { route } from '../route.js';
import { auditQuery, listOf, orgParams, outboxQuery } from '../schemas.js';
import { requireOrg } from './orgs.js';

export function opsRoutes(deps: Deps) {
  return [
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/outbox',
      summary: 'Every message Accord has queued for people: prompts, reminders, escalations',
      tag: 'outbox',
      auth: 'org',
      params: orgParams,
      query: outboxQuery,
      responses: {
        200: {
          description: 'a page, oldest first',
          schema: listOf(z.object({ id: z.string(), key: z.string() })),
        },
      },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const { limit, cursor, ...filter } = query;
        const page = await deps.outbox.list(params.orgId, filter, { limit, after: cursor ?? null });
        return { status: 200, body: { items: page.items.map(outboxJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/audit',
      summary: 'The append-only audit trail, oldest first',
      tag: 'audit',
      auth: 'org',
      params: orgParams,
      query: auditQuery,
      responses: {
        200: { description: 'a page', schema: listOf(z.object({ seq: z.number(), action: z.string() })) },
      },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const { limit, cursor, ...filter } = query;
        const page = await deps.audit.list(params.orgId, filter, { limit, after: cursor ?? null });
        return { status: 200, body: { items: page.items.map(auditJson), next: page.next } };
      },
    }),
  ];
}
