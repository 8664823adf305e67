/** Ballots and votes, the decision register, action items, and the audit trail's verification. */
import { z } from 'zod';
import {
  addAction,
  newActionSchema,
  ballotView,
  castVote,
  closeBallot,
  openBallot,
  searchDecisions,
  updateAction,
  type BallotView,
} from '../../app/ballots.js';
import { attendanceView, followThroughMetrics, recordAttendance } from '../../app/followThrough.js';
import { byTime, pageOf, pageRequest } from '../../app/paging.js';
import type { Deps } from '../../app/ports.js';
import type { ActionRecord, DecisionRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { route } from '../route.js';
import {
  errorBody,
  instant,
  isoDate,
  orgParams,
  pageQuery,
  SERIAL_NUMBER,
  votingRulesInput,
} from '../schemas.js';
import { apiActor, requireOrg } from './orgs.js';

const objectId = z.string().regex(/^[a-f0-9]{24}$/);
const cycleParams = orgParams.extend({ cycleId: objectId });
const ballotParams = orgParams.extend({ ballotId: objectId });
const memberId = z.string().min(1, 'name the member');

const optionInput = z.union([
  z.string().trim().min(1).max(75),
  z.object({
    key: z.string().trim().min(1).max(40),
    label: z.string().trim().min(1).max(75).optional(),
    meaning: z.string().max(500).optional(),
  }),
]);

const openBody = z.object({
  actorId: memberId,
  deadline: instant.describe('when voting closes: in the future, at most 90 days ahead'),
  tradeoffKey: z.string().min(1).optional(),
  packVersion: SERIAL_NUMBER.optional(),
  title: z.string().trim().min(3).max(200).optional(),
  options: z.array(optionInput).min(2, 'give at least 2 options').max(6, 'at most 6 options').optional(),
  rules: votingRulesInput.optional(),
});

export function ballotJson(v: BallotView) {
  const { ballot, tally: t, hidden } = v;
  return {
    id: ballot.id,
    cycleId: ballot.cycleId,
    title: ballot.title,
    options: ballot.options,
    rules: ballot.rules,
    source: ballot.source,
    deadline: ballot.deadline.toISOString(),
    status: ballot.status,
    voted: t.voted,
    eligible: t.eligible,
    quorum: t.quorum,
    // Hidden results show only who has voted, never how.
    tally: hidden ? null : t.counts,
    leading: hidden ? null : { outcome: t.outcome, option: t.option },
    objections: hidden ? null : t.objections,
    voters: v.votes.map((x) => ({
      voterId: x.voterId,
      castBy: x.castBy,
      ...(hidden ? {} : { option: x.option, reason: x.reason }),
    })),
    createdAt: ballot.createdAt.toISOString(),
  };
}

export function decisionJson(d: DecisionRecord) {
  return { ...d, decidedAt: d.decidedAt.toISOString() };
}

export function actionJson(a: ActionRecord) {
  return {
    ...a,
    createdAt: a.createdAt.toISOString(),
    doneAt: a.doneAt?.toISOString() ?? null,
    history: a.history.map((h) => ({ ...h, at: h.at.toISOString() })),
  };
}

export function decisionRoutes(deps: Deps) {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/ballots',
      summary:
        "Open a ballot (process owner): from a trade-off of the cycle's pack (tradeoffKey) or ad hoc (title, 2-6 options); rules, quorum, deadline",
      tag: 'decisions',
      auth: 'org',
      params: cycleParams,
      body: openBody,
      responses: {
        201: { description: 'the ballot' },
        400: { description: 'an invalid ballot, field by field', schema: errorBody },
        403: { description: 'the actor is not a process owner', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        await requireOrg(deps, params.orgId);
        const ballot = await openBallot(deps, params.orgId, params.cycleId, {
          actorId: body.actorId,
          deadline: new Date(body.deadline),
          ...(body.tradeoffKey ? { tradeoffKey: body.tradeoffKey } : {}),
          ...(body.packVersion ? { packVersion: body.packVersion } : {}),
          ...(body.title ? { title: body.title } : {}),
          ...(body.options
            ? {
                options: body.options.map((o) =>
                  typeof o === 'string'
                    ? { key: o, label: o, meaning: '' }
                    : { key: o.key, label: o.label ?? o.key, meaning: o.meaning ?? '' },
                ),
              }
            : {}),
          ...(body.rules
            ? {
                rules: Object.fromEntries(Object.entries(body.rules).filter(([, v]) => v !== undefined)),
              }
            : {}),
        });
        return { status: 201, body: ballotJson(await ballotView(deps, params.orgId, ballot.id)) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/ballots/:ballotId',
      summary: 'A ballot with its tally (option -> count), or only "N of M voted" while results are hidden',
      tag: 'decisions',
      auth: 'org',
      params: ballotParams,
      responses: {
        200: { description: 'the ballot' },
        404: { description: 'no such ballot', schema: errorBody },
      },
      handler: async ({ params }) => ({
        status: 200,
        body: ballotJson(await ballotView(deps, params.orgId, params.ballotId)),
      }),
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/ballots/:ballotId/votes',
      summary:
        'Vote for a member (the org token is a trusted integration): an executive, or a delegate with authority voting for its executive; the same vote again changes nothing',
      tag: 'decisions',
      auth: 'org',
      params: ballotParams,
      body: z.object({
        memberId,
        option: z.string().min(1, 'choose an option'),
        reason: z.string().max(1000).optional(),
      }),
      responses: {
        201: { description: 'the vote was stored or changed; the ballot as it stands' },
        200: { description: 'the same vote again: nothing changed' },
        403: { description: 'this member may not vote; nothing written', schema: errorBody },
        409: { description: 'the ballot is closed', schema: errorBody },
      },
      handler: async ({ params, body, auth }) => {
        const out = await castVote(deps, params.orgId, params.ballotId, body, apiActor(auth));
        return {
          status: out.changed ? 201 : 200,
          body: { ballot: ballotJson(out.view), decision: out.decision ? decisionJson(out.decision) : null },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/ballots/:ballotId/close',
      summary:
        'Close a ballot now (process owner) and record its decision; closing again returns the same decision',
      tag: 'decisions',
      auth: 'org',
      params: ballotParams,
      body: z.object({
        actorId: memberId,
        rationale: z.string().max(2000).optional(),
        reviewDate: isoDate.describe("today (the org's time zone) to 5 years ahead").optional(),
        commitments: z.array(z.string().trim().min(1).max(300)).max(20).optional(),
      }),
      responses: { 200: { description: 'the decision' } },
      handler: async ({ params, body }) => ({
        status: 200,
        body: decisionJson(await closeBallot(deps, params.orgId, params.ballotId, body)),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/decisions',
      summary: 'The decision register, newest first: ?q= text search, ?cycleId=&family=&resource=&status=',
      tag: 'decisions',
      auth: 'org',
      params: orgParams,
      query: pageQuery.extend({
        q: z.string().max(200).optional(),
        cycleId: objectId.optional(),
        family: z.string().optional(),
        resource: z.string().optional(),
        status: z.enum(['decided', 'no-quorum', 'no-majority', 'objected']).optional(),
      }),
      responses: { 200: { description: 'a page: {items, next}' } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const { limit, cursor, ...search } = query;
        const page = pageOf(
          await searchDecisions(deps, params.orgId, search),
          pageRequest({ limit, cursor }),
          byTime((d) => [d.decidedAt, d.id]),
          'desc',
        );
        return { status: 200, body: { items: page.items.map(decisionJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/decisions/:decisionId',
      summary: 'One decision',
      tag: 'decisions',
      auth: 'org',
      params: orgParams.extend({ decisionId: objectId }),
      responses: { 200: { description: 'the decision' } },
      handler: async ({ params }) => {
        const d = await deps.decisions.get(params.orgId, params.decisionId);
        if (!d) throw new DomainError('not_found', 'decision not found');
        return { status: 200, body: decisionJson(d) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/decisions/:decisionId/actions',
      summary: 'Give a decision an action item (process owner): owner, due date, description',
      tag: 'decisions',
      auth: 'org',
      params: orgParams.extend({ decisionId: objectId }),
      // The schema the chats share; the owner and the date are checked by addAction, with the rest.
      body: newActionSchema.extend({ actorId: memberId }),
      responses: { 201: { description: 'the action' } },
      handler: async ({ params, body }) => ({
        status: 201,
        body: actionJson(await addAction(deps, params.orgId, params.decisionId, body)),
      }),
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:orgId/actions/:actionId',
      summary:
        "Change an action's status (its owner, a delegate, or a process owner): open, done, blocked or cancelled (with a note)",
      tag: 'decisions',
      auth: 'org',
      params: orgParams.extend({ actionId: objectId }),
      body: z.object({
        actorId: memberId,
        status: z.enum(['open', 'done', 'blocked', 'cancelled']),
        note: z.string().max(1000).optional(),
      }),
      responses: { 200: { description: 'the action' } },
      handler: async ({ params, body }) => ({
        status: 200,
        body: actionJson(await updateAction(deps, params.orgId, params.actionId, body)),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/actions',
      summary: 'Action items, oldest first: ?owner=&status=&decisionId=',
      tag: 'decisions',
      auth: 'org',
      params: orgParams,
      query: pageQuery.extend({
        owner: z.string().optional(),
        status: z.enum(['open', 'done', 'blocked', 'cancelled']).optional(),
        decisionId: objectId.optional(),
      }),
      responses: { 200: { description: 'a page: {items, next}' } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = await deps.actions.page(
          params.orgId,
          {
            ...(query.owner ? { ownerId: query.owner } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.decisionId ? { decisionId: query.decisionId } : {}),
          },
          pageRequest(query),
        );
        return { status: 200, body: { items: page.items.map(actionJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/audit/verify',
      summary:
        'Verify the org\'s hash-chained audit trail: {"ok": true, "events": N}, or the first broken link',
      tag: 'audit',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{ok, events, broken?}' } },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        return { status: 200, body: await deps.audit.verify(params.orgId) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/meetings/:meetingId/attendance',
      summary: 'Record who was at a meeting (process owner): present, absent, or represented by a delegate',
      tag: 'meetings',
      auth: 'org',
      params: orgParams.extend({ meetingId: z.string().regex(/^[a-f0-9]{24}-(pre-sop|executive-sop)$/) }),
      body: z.object({
        actorId: memberId,
        records: z
          .array(
            z.object({
              memberId,
              status: z.enum(['present', 'absent', 'represented']),
              delegateId: z.string().optional(),
            }),
          )
          .min(1)
          .max(200),
      }),
      responses: { 204: { description: 'recorded' } },
      handler: async ({ params, body }) => {
        await recordAttendance(deps, params.orgId, params.meetingId, body);
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/attendance',
      summary:
        "Each meeting's invitees (their answer, what was recorded, delegates) and response rates per member and function",
      tag: 'meetings',
      auth: 'org',
      params: cycleParams,
      responses: { 200: { description: '{meetings, responseRates}' } },
      handler: async ({ params }) => ({
        status: 200,
        body: await attendanceView(deps, params.orgId, params.cycleId),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/metrics/follow-through',
      summary:
        'Follow-through, overall and per cycle: decisions with owners, actions done on time, overdue, median days decision -> done, decision latency',
      tag: 'decisions',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{overall, cycles}' } },
      handler: async ({ params }) => ({ status: 200, body: await followThroughMetrics(deps, params.orgId) }),
    }),
  ];
}
