import { byTime, pageOf, pageRequest } from '../../app/paging.js';
import { createOrg, issueOrgToken, revokeOrgToken, updateOrg } from '../../app/orgs.js';
import type { Deps } from '../../app/ports.js';
import type { Actor } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import type { AuthContext } from '../auth.js';
import { orgJson } from '../present.js';
import { route } from '../route.js';
import { errorBody, listOf, orgBody, orgInput, orgParams, orgPatch, pageQuery } from '../schemas.js';
import { z } from 'zod';

export function apiActor(auth: AuthContext): Actor {
  return auth.kind === 'org' ? { type: 'api', id: `org-token:${auth.orgId}` } : { type: 'api', id: 'admin' };
}

export async function requireOrg(deps: Pick<Deps, 'orgs'>, orgId: string) {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  return org;
}

export function orgRoutes(deps: Deps) {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs',
      summary: 'Create an organisation; its API token is in the response, and only there',
      tag: 'orgs',
      auth: 'admin',
      body: orgInput,
      responses: {
        201: { description: 'created', schema: orgBody.extend({ apiToken: z.string() }) },
        400: { description: 'invalid', schema: errorBody },
      },
      handler: async ({ body, auth }) => {
        const { org, apiToken } = await createOrg(deps, body, apiActor(auth));
        return { status: 201, body: { ...orgJson(org), apiToken } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs',
      summary: 'List organisations (admin)',
      tag: 'orgs',
      auth: 'admin',
      query: pageQuery,
      responses: { 200: { description: 'a page', schema: listOf(orgBody) } },
      handler: async ({ query }) => {
        const page = await deps.orgs.list({ limit: query.limit, after: query.cursor ?? null });
        return { status: 200, body: { items: page.items.map(orgJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId',
      summary: 'Read an organisation',
      tag: 'orgs',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: 'the org', schema: orgBody } },
      handler: async ({ params }) => ({ status: 200, body: orgJson(await requireOrg(deps, params.orgId)) }),
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:orgId',
      summary: 'Change an organisation: time zone, horizon, holidays, weekend, step calendar, functions',
      tag: 'orgs',
      auth: 'org',
      params: orgParams,
      body: orgPatch,
      responses: { 200: { description: 'the org after the change', schema: orgBody } },
      handler: async ({ params, body, auth }) => {
        await requireOrg(deps, params.orgId);
        return { status: 200, body: orgJson(await updateOrg(deps, params.orgId, body, apiActor(auth))) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/tokens',
      summary: 'Issue a further API token for the organisation (shown once)',
      tag: 'orgs',
      auth: 'org',
      params: orgParams,
      responses: {
        201: { description: 'the new token', schema: z.object({ apiToken: z.string(), prefix: z.string() }) },
      },
      handler: async ({ params, auth }) => {
        await requireOrg(deps, params.orgId);
        return { status: 201, body: await issueOrgToken(deps, params.orgId, apiActor(auth)) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/tokens',
      summary: 'The org’s API tokens, by prefix (the tokens themselves are never stored)',
      tag: 'orgs',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: {
        200: {
          description: 'tokens, oldest first',
          schema: listOf(z.object({ prefix: z.string(), createdAt: z.string() })),
        },
      },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = pageOf(
          await deps.orgs.tokens(params.orgId),
          pageRequest(query),
          byTime((t) => [t.createdAt, t.prefix]),
        );
        const items = page.items.map((t) => ({ prefix: t.prefix, createdAt: t.createdAt.toISOString() }));
        return { status: 200, body: { items, next: page.next } };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/orgs/:orgId/tokens/:prefix',
      summary: 'Revoke a token by its prefix (not the last one)',
      tag: 'orgs',
      auth: 'org',
      params: orgParams.extend({
        prefix: z.string().regex(/^acc_[\w-]{6}$/, 'a token prefix such as acc_AbC123'),
      }),
      responses: {
        204: { description: 'revoked' },
        404: { description: 'no such token', schema: errorBody },
        409: { description: 'the last token cannot be revoked', schema: errorBody },
      },
      handler: async ({ params, auth }) => {
        await requireOrg(deps, params.orgId);
        await revokeOrgToken(deps, params.orgId, params.prefix, apiActor(auth));
        return { status: 204, body: null };
      },
    }),
  ];
}
