import { z } from 'zod';
import { addMember, updateMember } from '../../app/members.js';
import { webSignInLink } from '../../app/web.js';
import type { Deps } from '../../app/ports.js';
import { DomainError } from '../../domain/errors.js';
import { memberJson } from '../present.js';
import { route } from '../route.js';
import {
  errorBody,
  listOf,
  memberBody,
  memberInput,
  memberParams,
  memberPatch,
  orgParams,
  pageQuery,
} from '../schemas.js';
import { apiActor, requireOrg } from './orgs.js';

export function memberRoutes(deps: Deps) {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/members',
      summary: 'Add a member with roles, time zone, chat identities, quiet hours and delegation',
      tag: 'members',
      auth: 'org',
      params: orgParams,
      body: memberInput,
      responses: {
        201: { description: 'added', schema: memberBody },
        400: { description: 'invalid', schema: errorBody },
        409: { description: 'email or chat identity already used', schema: errorBody },
      },
      handler: async ({ params, body, auth }) => {
        const member = await addMember(deps, params.orgId, body, apiActor(auth));
        return { status: 201, body: memberJson(member) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/members',
      summary: 'List members',
      tag: 'members',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: { 200: { description: 'a page', schema: listOf(memberBody) } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = await deps.members.list(params.orgId, {
          limit: query.limit,
          after: query.cursor ?? null,
        });
        return { status: 200, body: { items: page.items.map(memberJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/members/:memberId',
      summary: 'Read a member',
      tag: 'members',
      auth: 'org',
      params: memberParams,
      responses: { 200: { description: 'the member', schema: memberBody } },
      handler: async ({ params }) => {
        const m = await deps.members.get(params.orgId, params.memberId);
        if (!m) throw new DomainError('not_found', 'member not found');
        return { status: 200, body: memberJson(m) };
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:orgId/members/:memberId',
      summary:
        'Change a member: roles, functions, time zone, quiet hours, identities, delegation (null clears)',
      tag: 'members',
      auth: 'org',
      params: memberParams,
      body: memberPatch,
      responses: {
        200: { description: 'the member after the change', schema: memberBody },
        400: { description: 'invalid', schema: errorBody },
        409: { description: 'email or chat identity already used', schema: errorBody },
      },
      handler: async ({ params, body, auth }) => ({
        status: 200,
        body: memberJson(await updateMember(deps, params.orgId, params.memberId, body, apiActor(auth))),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/members/:memberId/web-sign-in',
      summary:
        'A one-time link that signs this member in to the web app (valid 15 minutes): for someone without chat, sent by email',
      tag: 'members',
      auth: 'org',
      params: memberParams,
      responses: {
        201: {
          description: 'the link (shown once; only its hash is kept)',
          schema: z.object({ url: z.string(), expiresAt: z.string() }),
        },
        404: { description: 'no such member', schema: errorBody },
      },
      handler: async ({ params, auth }) => {
        const link = await webSignInLink(deps, params.orgId, params.memberId, apiActor(auth));
        return { status: 201, body: { url: link.url, expiresAt: link.expiresAt.toISOString() } };
      },
    }),
  ];
}
