/**
 * The pre-S&OP pack: build a version, read it as JSON, as a document (pack.html) and as charts
 * (SVG/PNG), read a family's detail, and run what-ifs against it. The document and the charts
 * also open from a signed link (chat cards), without an API token.
 */
import { z } from 'zod';
import {
  buildPack,
  familyDetail,
  familyPage,
  getPack,
  resourceDetails,
  runWhatIf,
  type PackContent,
} from '../../app/packs.js';
import { trackRecord } from '../../app/accuracy.js';
import type { Deps } from '../../app/ports.js';
import type { PackRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { renderPackHtml, renderChart } from '../../render/pack.js';
import { whatIfSchema } from '../../domain/whatif.js';
import { route } from '../route.js';
import { documentCsp } from '../security.js';
import { errorBody, orgParams, pageQuery, SERIAL_NUMBER } from '../schemas.js';
import { badCursor, decodeCursor, encodeCursor } from '../../app/paging.js';
import { apiActor, requireOrg } from './orgs.js';
import { requireProcessOwner } from '../../app/cycles.js';

const cycleParams = orgParams.extend({ cycleId: z.string().regex(/^[a-f0-9]{24}$/) });
const versionQuery = z.object({
  version: z.coerce.number().pipe(SERIAL_NUMBER).optional(),
  exp: z.string().optional(),
  sig: z.string().optional(),
});

/** The pack as the API returns it: the stored content, without the internal chunk index. */
export async function packJson(deps: Pick<Deps, 'links' | 'clock'>, pack: PackRecord<PackContent>) {
  const { familyChunks: _index, ...content } = pack.content;
  void _index;
  const base = `/api/v1/orgs/${pack.orgId}/cycles/${pack.cycleId}`;
  const now = deps.clock.now();
  const links = await deps.links.forOrg(pack.orgId);
  return {
    ...content,
    id: pack.id,
    links: {
      html: links.signed(`${base}/pack.html?version=${pack.version}`, now),
      charts: content.charts.map((c) => ({
        ...c,
        svg: links.signed(`${base}/pack/charts/${encodeURIComponent(c.id)}.svg?version=${pack.version}`, now),
        png: links.signed(`${base}/pack/charts/${encodeURIComponent(c.id)}.png?version=${pack.version}`, now),
      })),
    },
  };
}

export function packRoutes(deps: Deps) {
  return [
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/forecast-accuracy',
      summary:
        "How earlier packs' forecasts did against the actuals of a later dataset: per pack, in total, the families furthest off, and each function's forecast value added (FVA)",
      tag: 'packs',
      auth: 'org',
      params: orgParams,
      query: z.object({
        datasetVersion: z.coerce
          .number()
          .pipe(SERIAL_NUMBER)
          .optional()
          .describe('the actuals to score with (default: the latest dataset)'),
        limit: z.coerce
          .number()
          .int()
          .min(1)
          .max(500)
          .default(20)
          .describe('families listed per pack, the furthest off first'),
      }),
      responses: {
        200: {
          description:
            '{ scoredWith, packs: [{ cycleId, month, packVersion, datasetVersion, from, to, total: { statistical, consensus }, valueAdded, familiesScored, families }] }; scores: points, mape, wmape, bias (%), mase, coverage (% inside P10-P90); null where undefined',
        },
      },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        return {
          status: 200,
          body: await trackRecord(deps, params.orgId, {
            datasetVersion: query.datasetVersion,
            limit: query.limit,
          }),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack',
      summary:
        "Build a new immutable pack version from the cycle's pinned dataset and the latest step 2-3 inputs",
      tag: 'packs',
      auth: 'org',
      params: cycleParams,
      body: z.object({ actorId: z.string().optional() }).default({}),
      responses: {
        201: { description: 'the new pack version' },
        404: { description: 'no such cycle', schema: errorBody },
        409: { description: 'no dataset to plan with', schema: errorBody },
      },
      handler: async ({ params, body, auth, res }) => {
        await requireOrg(deps, params.orgId);
        const actor = body.actorId
          ? { type: 'member' as const, id: (await requireProcessOwner(deps, params.orgId, body.actorId)).id }
          : apiActor(auth);
        const pack = await buildPack(deps, params.orgId, params.cycleId, actor, {
          // Where the build's time went, for the caller's tools (browsers show it).
          onTimings: (ms) =>
            res.set(
              'Server-Timing',
              Object.entries(ms)
                .map(([stage, d]) => `${stage.replace(/[^a-z]+/gi, '-')};dur=${d}`)
                .join(', '),
            ),
        });
        return { status: 201, body: await packJson(deps, pack) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack',
      summary: 'The latest pack of a cycle (or ?version=N): summary, gaps, trade-offs, scenarios, financials',
      tag: 'packs',
      auth: 'org',
      params: cycleParams,
      query: versionQuery,
      responses: { 200: { description: 'the pack' }, 404: { description: 'no pack yet', schema: errorBody } },
      handler: async ({ params, query }) => ({
        status: 200,
        body: await packJson(deps, await getPack(deps, params.orgId, params.cycleId, query.version)),
      }),
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack.html',
      summary: 'The pack as a readable document (API token, or the signed link from the pack)',
      tag: 'packs',
      auth: 'org-or-link',
      params: cycleParams,
      query: versionQuery,
      responses: { 200: { description: 'text/html' }, 404: { description: 'no pack', schema: errorBody } },
      handler: async ({ params, query, res }) => {
        const [org, pack] = await Promise.all([
          requireOrg(deps, params.orgId),
          getPack(deps, params.orgId, params.cycleId, query.version),
        ]);
        const [resources, topFamilies] = await Promise.all([
          resourceDetails(deps, pack),
          Promise.all(
            pack.content.charts
              .filter((c) => c.kind === 'forecast')
              .map((c) => familyDetail(deps, pack, c.id.slice('forecast-'.length))),
          ),
        ]);
        const html = await renderPackHtml({ org, pack, resources, families: topFamilies, deps });
        res.setHeader('Content-Security-Policy', documentCsp(html));
        return { status: 200, body: html, contentType: 'text/html; charset=utf-8' };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack/charts/:chart',
      summary: 'A chart of the pack as SVG or PNG: capacity-<resource>.svg|png, forecast-<family>.svg|png',
      tag: 'packs',
      auth: 'org-or-link',
      params: cycleParams.extend({ chart: z.string().regex(/^(capacity|forecast)-.+\.(svg|png)$/) }),
      query: versionQuery,
      responses: {
        200: { description: 'image/svg+xml or image/png' },
        404: { description: 'no such chart', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const pack = await getPack(deps, params.orgId, params.cycleId, query.version);
        const format = params.chart.endsWith('.png') ? 'png' : 'svg';
        const id = params.chart.slice(0, -4);
        const image = await renderChart(deps, pack, id, format);
        if (!image) throw new DomainError('not_found', `no chart ${id} in this pack`);
        return {
          status: 200,
          body: image,
          contentType: format === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8',
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack/families',
      summary: "Every family's detail (forecast P10/P50/P90, adjustments, supply), a page at a time",
      tag: 'packs',
      auth: 'org',
      params: cycleParams,
      query: versionQuery.extend(pageQuery.shape),
      responses: {
        200: {
          description:
            '{items, next}: a page of the pack version the first page read (the cursor keeps to it)',
        },
      },
      handler: async ({ params, query }) => {
        // The cursor names the pack version and the position, so a rebuilt pack does not shift pages.
        let at: { version: number; start: number } | null = null;
        if (query.cursor !== undefined) {
          const m = /^(\d{1,9}):(\d{1,9})$/.exec(decodeCursor(query.cursor, /^\d{1,9}:\d{1,9}$/));
          if (!m || (query.version !== undefined && query.version !== Number(m[1]))) throw badCursor();
          at = { version: Number(m[1]), start: Number(m[2]) };
        }
        const pack = await getPack(deps, params.orgId, params.cycleId, at?.version ?? query.version);
        const page = await familyPage(deps, pack, at?.start ?? 0, query.limit);
        return {
          status: 200,
          body: {
            items: page.items,
            next: page.next === null ? null : encodeCursor(`${pack.version}:${page.next}`),
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack/families/:family',
      summary: "One family's detail: baseline, each adjustment, consensus, supply, per month",
      tag: 'packs',
      auth: 'org',
      params: cycleParams.extend({ family: z.string().min(1) }),
      query: versionQuery,
      responses: {
        200: { description: 'the family' },
        404: { description: 'not in the pack', schema: errorBody },
      },
      handler: async ({ params, query }) => {
        const pack = await getPack(deps, params.orgId, params.cycleId, query.version);
        return { status: 200, body: await familyDetail(deps, pack, params.family) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/cycles/:cycleId/pack/scenarios',
      summary:
        'A what-if on the pack (demand +/- %, capacity change, cost change), re-planned and compared with the base plan',
      tag: 'packs',
      auth: 'org',
      params: cycleParams,
      query: versionQuery,
      body: whatIfSchema,
      responses: {
        200: { description: 'base, what-if and their difference' },
        400: {
          description:
            "a bad change: a number out of bounds, a range out of order or outside the pack's horizon, unknown families/resources",
          schema: errorBody,
        },
      },
      handler: async ({ params, query, body }) => {
        const pack = await getPack(deps, params.orgId, params.cycleId, query.version);
        return { status: 200, body: await runWhatIf(deps, pack, body) };
      },
    }),
  ];
}
