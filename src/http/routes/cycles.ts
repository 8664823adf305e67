import { z } from 'zod';
import { closeStepNow, createCycle, extendStepDue, reopenClosedStep } from '../../app/cycles.js';
import { excuseInput, submitInput } from '../../app/inputs.js';
import { byId, byNumber, pageOf, pageRequest } from '../../app/paging.js';
import type { Deps } from '../../app/ports.js';
import type { CycleRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { cycleJson, inputRequestJson, submissionJson } from '../present.js';
import { route } from '../route.js';
import {
  closeInput,
  excuseInputBody,
  cycleBody,
  cycleInput,
  cycleParams,
  errorBody,
  extendInput,
  inputRequestBody,
  listOf,
  orgParams,
  pageQuery,
  reopenInput,
  requestParams,
  stepParams,
  submissionDoc,
  submissionInput,
} from '../schemas.js';
import { apiActor, requireOrg } from './orgs.js';

export function cycleRoutes(deps: Deps) {
  async function names(orgId: string) {
    return new Map((await deps.members.all(orgId)).map((m) => [m.id, m.name]));
  }
  /** `memberNames` when the caller already has them (a list of cycles reads them once). */
  async function view(c: CycleRecord, memberNames?: Map<string, string>) {
    return cycleJson(
      c,
      await deps.requests.forCycle(c.orgId, c.id),
      memberNames ?? (await names(c.orgId)),
      await deps.submissions.latestVersions(c.orgId, c.id),
    );
  }
  async function getCycle(orgId: string, cycleId: string) {
    const c = await deps.cycles.get(orgId, cycleId);
    if (!c) throw new DomainError('not_found', 'cycle not found');
    return c;
  }
  /** The process owner's step actions share a shape: one use case, the cycle after it. */
  function stepAction<B extends z.ZodType>(
    action: string,
    summary: string,
    body: B,
    run: (params: z.output<typeof stepParams>, body: z.output<B>) => Promise<CycleRecord>,
  ) {
    return route({
      method: 'post',
      path: `/api/v1/orgs/:orgId/cycles/:cycleId/steps/:step/${action}`,
      summary,
      tag: 'cycles',
      auth: 'org',
      params: stepParams,
      body,
      responses: stepResponses,
      handler: async ({ params, body: input }) => {
        await getCycle(params.orgId, params.cycleId);
        return { status: 200, body: await view(await run(params, input)) };
      },
    });
  }
  const stepResponses = {
    200: { description: 'the cycle after the change', schema: cycleBody },
    403: { description: 'the actor is not a process owner', schema: errorBody },
    409: { description: 'the step cannot make this change now', schema: errorBody },
  };

  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles',
      summary: 'Plan a month: creates the five steps on the org calendar and who owes what',
      tag: 'cycles',
      auth: 'org',
      params: orgParams,
      body: cycleInput,
      responses: {
        201: { description: 'created', schema: cycleBody },
        409: { description: 'a cycle for that month exists', schema: errorBody },
      },
      handler: async ({ params, body, auth }) => ({
        status: 201,
        body: await view(await createCycle(deps, params.orgId, body.month, apiActor(auth))),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles',
      summary: 'List cycles',
      tag: 'cycles',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: { 200: { description: 'a page', schema: listOf(cycleBody) } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = await deps.cycles.list(params.orgId, {
          limit: query.limit,
          after: query.cursor ?? null,
        });
        const items = [];
        const memberNames = await names(params.orgId);
        for (const c of page.items) items.push(await view(c, memberNames));
        return { status: 200, body: { items, next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId',
      summary: 'Read a cycle: its steps, and who owes which input',
      tag: 'cycles',
      auth: 'org',
      params: cycleParams,
      responses: { 200: { description: 'the cycle', schema: cycleBody } },
      handler: async ({ params }) => ({
        status: 200,
        body: await view(await getCycle(params.orgId, params.cycleId)),
      }),
    }),
    stepAction('close', 'Close an open step now (process owner)', closeInput, (p, b) =>
      closeStepNow(deps, p.orgId, p.cycleId, p.step, b.actorId, b.reason),
    ),
    stepAction('extend', 'Move a step’s due date later, with a reason (process owner)', extendInput, (p, b) =>
      extendStepDue(deps, p.orgId, p.cycleId, p.step, b.actorId, new Date(b.dueAt), b.reason),
    ),
    stepAction(
      'reopen',
      'Reopen a closed step with a new due date and a reason (process owner)',
      reopenInput,
      (p, b) => reopenClosedStep(deps, p.orgId, p.cycleId, p.step, b.actorId, new Date(b.dueAt), b.reason),
    ),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/inputs',
      summary: 'Who owes which input, and what is in',
      tag: 'inputs',
      auth: 'org',
      params: cycleParams,
      query: pageQuery,
      responses: {
        200: { description: 'the input requests of the cycle, a page', schema: listOf(inputRequestBody) },
      },
      handler: async ({ params, query }) => {
        const c = await getCycle(params.orgId, params.cycleId);
        const n = await names(params.orgId);
        const versions = await deps.submissions.latestVersions(c.orgId, c.id);
        const page = pageOf(
          await deps.requests.forCycle(c.orgId, c.id),
          pageRequest(query),
          byId((r) => r.id),
        );
        const items = page.items.map((r) => inputRequestJson(r, n, versions));
        return { status: 200, body: { items, next: page.next } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/inputs/:requestId/submissions',
      summary: 'Submit (or edit, as a new version) an input while its step is open',
      tag: 'inputs',
      auth: 'org',
      params: requestParams,
      body: submissionInput,
      requestBody: { content: { 'application/json': submissionDoc } },
      responses: {
        201: {
          description: 'stored as a new version',
          schema: z.object({ id: z.string(), version: z.number(), stepClosed: z.boolean() }),
        },
        400: { description: 'the payload is not valid (field by field)', schema: errorBody },
        403: { description: 'this member does not owe the input', schema: errorBody },
        409: { description: 'the step is not open', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        const r = await deps.requests.get(params.orgId, params.requestId);
        if (!r || r.cycleId !== params.cycleId) throw new DomainError('not_found', 'input request not found');
        const { submission, stepClosed } = await submitInput(
          deps,
          params.orgId,
          r.id,
          body.memberId,
          body.payload,
        );
        return { status: 201, body: { ...submissionJson(submission), stepClosed } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/inputs/:requestId/excuse',
      summary:
        'Excuse an input with a reason (no longer owed, reminded or escalated), or withdraw the excuse with reason null (process owner)',
      tag: 'inputs',
      auth: 'org',
      params: requestParams,
      body: excuseInputBody,
      responses: {
        200: {
          description: 'done; whether the step closed as complete',
          schema: z.object({ excused: z.boolean(), stepClosed: z.boolean() }),
        },
        403: { description: 'the actor is not a process owner', schema: errorBody },
        409: { description: 'the step is closed, or the input was submitted', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        const r = await deps.requests.get(params.orgId, params.requestId);
        if (!r || r.cycleId !== params.cycleId) throw new DomainError('not_found', 'input request not found');
        return { status: 200, body: await excuseInput(deps, params.orgId, r.id, body.actorId, body.reason) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/inputs/:requestId/submissions',
      summary: 'Every version of an input, oldest first',
      tag: 'inputs',
      auth: 'org',
      params: requestParams,
      query: pageQuery,
      responses: {
        200: {
          description: 'versions, a page',
          schema: listOf(z.object({ id: z.string(), version: z.number() })),
        },
      },
      handler: async ({ params, query }) => {
        const r = await deps.requests.get(params.orgId, params.requestId);
        if (!r || r.cycleId !== params.cycleId) throw new DomainError('not_found', 'input request not found');
        const page = pageOf(
          await deps.submissions.list(params.orgId, r.id),
          pageRequest(query),
          byNumber((s) => s.version),
        );
        return { status: 200, body: { items: page.items.map(submissionJson), next: page.next } };
      },
    }),
  ];
}
