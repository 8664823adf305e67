/** S&OE: weekly actuals, reported disruptions, the variance check and its alerts. */
import { z } from 'zod';
import {
  alertJson,
  checkSoe,
  recordActuals,
  reportDisruption,
  settleAlert,
  weekActuals,
} from '../../app/soe.js';
import { processHealth } from '../../app/health.js';
import { alertList } from '../../app/soeHistory.js';
import { byTime, pageOf, pageRequest } from '../../app/paging.js';
import type { Deps } from '../../app/ports.js';
import { DomainError } from '../../domain/errors.js';
import { route } from '../route.js';
import { errorBody, orgParams, pageQuery } from '../schemas.js';
import { apiActor, requireOrg } from './orgs.js';

const weekParams = orgParams.extend({
  week: z.string().regex(/^\d{4}-W\d{2}$/, 'must be an ISO week, e.g. 2027-W07'),
});

export function soeRoutes(deps: Deps) {
  return [
    route({
      method: 'put',
      path: '/api/v1/orgs/:orgId/actuals/:week',
      summary:
        "Replaces one ISO week's actuals (all or nothing): {families: [{family, orders?, shipments?, onHand?}], resources: [{resource, produced?}]}; then checks them against the plan",
      tag: 's&oe',
      auth: 'org',
      params: weekParams,
      body: z.record(z.string(), z.unknown()),
      responses: {
        200: { description: '{week, families, resources, raised}' },
        400: { description: 'field errors, row by row', schema: errorBody },
      },
      handler: async ({ params, body, auth }) => {
        const counts = await recordActuals(deps, params.orgId, params.week, body, apiActor(auth));
        const { raised } = await checkSoe(deps, params.orgId);
        return { status: 200, body: { ...counts, raised: raised.length } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/actuals/:week',
      summary: "One ISO week's actuals as stored",
      tag: 's&oe',
      auth: 'org',
      params: weekParams,
      responses: {
        200: { description: '{families, resources}' },
        404: { description: 'none', schema: errorBody },
      },
      handler: async ({ params }) => {
        const a = await weekActuals(deps, params.orgId, params.week);
        if (!a) throw new DomainError('not_found', `no actuals for ${params.week}`);
        return { status: 200, body: a };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/disruptions',
      summary:
        'Reports a disruption {actorId, resource, from, to, capacityLostPercent? | unitsPerWeek?, note}: it raises its alert at once',
      tag: 's&oe',
      auth: 'org',
      params: orgParams,
      body: z.record(z.string(), z.unknown()),
      responses: {
        201: { description: '{disruption, raised}' },
        400: { description: 'field errors', schema: errorBody },
      },
      handler: async ({ params, body }) => {
        const out = await reportDisruption(deps, params.orgId, body);
        return { status: 201, body: { disruption: out.disruption, raised: out.raised.map((a) => a.key) } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/soe/check',
      summary: 'Checks the actuals against the current plan now; new variances are raised once',
      tag: 's&oe',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{checked, raised}' } },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        const out = await checkSoe(deps, params.orgId);
        return { status: 200, body: { checked: out.checked, raised: out.raised.map((a) => a.key) } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/alerts',
      summary:
        'S&OE alerts, newest first, each with its outcome (decided, on the agenda, acknowledged) and escalation',
      tag: 's&oe',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: { 200: { description: 'a page: {items, next}' } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = pageOf(
          await alertList(deps, params.orgId),
          pageRequest(query),
          byTime((a) => [a.raisedAt, a.id]),
          'desc',
        );
        return { status: 200, body: { items: page.items.map(alertJson), next: page.next } };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/alerts/:alertId/outcome',
      summary:
        'Settles an alert {memberId, outcome: decide | agenda | acknowledged, note?}: the first outcome stands',
      tag: 's&oe',
      auth: 'org',
      params: orgParams.extend({ alertId: z.string().min(1).max(300) }),
      body: z.object({
        memberId: z.string().min(1),
        outcome: z.enum(['decide', 'agenda', 'acknowledged']),
        note: z.string().max(1000).optional(),
      }),
      responses: {
        200: { description: 'the outcome' },
        400: { description: 'field errors', schema: errorBody },
        409: { description: 'already settled', schema: errorBody },
      },
      handler: async ({ params, body }) => ({
        status: 200,
        body: await settleAlert(deps, params.orgId, params.alertId, body),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/metrics/health',
      summary:
        'Process health per cycle (inputs on time, executive attendance, decisions made and deferred, latency, follow-through, forecast accuracy, bias and value added, S&OE alerts), the trend, and the maturity stage with its evidence',
      tag: 's&oe',
      auth: 'org',
      params: orgParams,
      responses: { 200: { description: '{cycles, trend, maturity}' } },
      handler: async ({ params }) => {
        await requireOrg(deps, params.orgId);
        return { status: 200, body: await processHealth(deps, params.orgId) };
      },
    }),
  ];
}
