import type { Request, Response } from 'express';
import { z } from 'zod';
import { DatasetRejected, importDataset } from '../../app/datasets.js';
import { importActuals } from '../../app/soe.js';
import { inBackground, warmForecasts } from '../../app/forecasts.js';
import type { Deps } from '../../app/ports.js';
import type { DatasetRecord } from '../../app/records.js';
import { DomainError } from '../../domain/errors.js';
import { ApiError, errorJson, toApiError } from '../errors.js';
import { openUpload, type UploadLimits } from '../multipart.js';
import { route } from '../route.js';
import { datasetUploadDoc, errorBody, listOf, orgParams, pageQuery } from '../schemas.js';
import { apiActor, requireOrg } from './orgs.js';

const NDJSON = 'application/x-ndjson';

const datasetBody = z.object({
  id: z.string(),
  version: z.number(),
  tables: z.record(z.string(), z.object({ rows: z.number(), uploadedIn: z.string() })),
  warnings: z.array(z.string()),
  createdAt: z.string(),
});

function datasetJson(d: DatasetRecord) {
  return {
    id: d.id,
    version: d.version,
    tables: Object.fromEntries(
      Object.entries(d.tables).map(([t, v]) => [
        t,
        { rows: v.rows, uploadedIn: v.source === d.id ? 'this version' : v.source },
      ]),
    ),
    warnings: d.warnings,
    createdBy: d.createdBy,
    createdAt: d.createdAt.toISOString(),
  };
}

/** How long a body left unread is still taken in (and dropped) after the answer. */
const LINGER_MS = 2000;

/**
 * A body left unread when the answer goes out (too large, too slow, refused early) is dropped for a
 * moment, so that the client reads the answer before its connection closes (closing on unread data
 * resets the connection, and the client may lose the answer), then the connection closes.
 */
function lingerThenClose(req: Request, res: Response) {
  res.once('finish', () => {
    if (req.complete) return;
    req.unpipe();
    req.resume();
    const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
  });
}

export function datasetRoutes(deps: Deps, limits: UploadLimits) {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/actuals',
      summary:
        'Upload weekly S&OE actuals (multipart: orders.csv with week, family, orders, shipments, on_hand; production.csv with week, resource, produced; or an XLSX workbook with those sheets); all or nothing; then checks them against the plan',
      tag: 's&oe',
      auth: 'org',
      params: orgParams,
      requestBody: {
        description:
          'A CSV file (or XLSX sheet) per table: orders, production. Any bad row and nothing is written; each week named is replaced whole.',
        content: { 'multipart/form-data': datasetUploadDoc },
      },
      responses: {
        201: { description: '{weeks, rows, raised}' },
        400: { description: 'rows that are not valid (table:line:column -> reason)', schema: errorBody },
        413: { description: 'larger than the upload limit', schema: errorBody },
        415: { description: 'not multipart/form-data', schema: errorBody },
      },
      handler: async ({ params, auth, req, res }) => {
        await requireOrg(deps, params.orgId);
        const upload = openUpload(req, limits);
        lingerThenClose(req, res);
        try {
          const out = await importActuals(deps, params.orgId, upload.parts, apiActor(auth));
          if (out.errors.length)
            throw new ApiError(
              400,
              'validation_failed',
              `the actuals were not imported: ${out.errors.length} ${out.errors.length === 1 ? 'problem' : 'problems'}`,
              Object.fromEntries(
                out.errors.slice(0, 100).map((e) => [`${e.table}:${e.line}:${e.column}`, e.reason]),
              ),
            );
          return { status: 201, body: { weeks: out.weeks, rows: out.rows, raised: out.raised } };
        } finally {
          await upload.close();
        }
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:orgId/datasets',
      summary:
        'Upload step-1 data (multipart: one CSV file per table, or an XLSX workbook with a sheet per table: families, history, inventory, resources, capacity, routing, alternates); all or nothing. With Accept: application/x-ndjson the answer streams progress lines, then the outcome with its status',
      tag: 'datasets',
      auth: 'org',
      params: orgParams,
      requestBody: {
        description:
          'One CSV file per table, or an XLSX workbook with a sheet per table (see the README, "Data tables"). All or nothing: any bad row and nothing is imported. Tables left out are carried over from the previous version.',
        content: { 'multipart/form-data': datasetUploadDoc },
      },
      responses: {
        201: { description: 'a new dataset version, with warnings', schema: datasetBody },
        400: {
          description: 'bad rows: every one is listed in error.rows (line, column, reason); nothing imported',
          schema: errorBody,
        },
        413: { description: 'a file over 512 MiB', schema: errorBody },
        200: {
          description:
            'Accept: application/x-ndjson: {"progress":{"table","rows"}} lines every 10,000 rows, then {"status":201,"dataset"} or {"status":4xx,"error"}',
        },
        415: {
          description: 'not multipart/form-data, or neither CSV nor a readable XLSX',
          schema: errorBody,
        },
      },
      handler: async ({ params, auth, req, res }) => {
        await requireOrg(deps, params.orgId);
        const rejected = (err: DatasetRejected) =>
          new ApiError(
            400,
            'validation_failed',
            err.message,
            Object.fromEntries(
              err.errors.slice(0, 100).map((e) => [`${e.table}:${e.line}:${e.column}`, e.reason]),
            ),
            { rows: err.errors, errorCount: err.errorCount },
          );
        const upload = openUpload(req, limits);
        lingerThenClose(req, res);
        const run = async (onProgress?: Parameters<typeof importDataset>[4]) => {
          try {
            const dataset = await importDataset(deps, params.orgId, upload.parts, apiActor(auth), onProgress);
            // Its forecasts fitted now, on the planning threads: the pack at pre-S&OP finds them ready.
            inBackground(() => warmForecasts(deps, params.orgId, dataset));
            return dataset;
          } finally {
            await upload.close();
          }
        };
        if (req.get('accept')?.includes(NDJSON)) {
          // Progress as it streams: one JSON line per 10,000 rows, then the outcome with its status,
          // always last.
          res.status(200).type(NDJSON);
          res.write(`${JSON.stringify({ started: true })}\n`);
          let outcome: unknown;
          try {
            const d = await run((p) => {
              if (outcome === undefined) res.write(`${JSON.stringify({ progress: p })}\n`);
            });
            outcome = { status: 201, dataset: datasetJson(d) };
          } catch (err) {
            const e = err instanceof DatasetRejected ? rejected(err) : toApiError(err);
            outcome = e
              ? { status: e.status, error: errorJson(e) }
              : {
                  status: 500,
                  error: { code: 'internal', message: 'the upload failed; nothing was imported' },
                };
            if (!e) {
              res.end(`${JSON.stringify(outcome)}\n`);
              throw err;
            }
          }
          res.end(`${JSON.stringify(outcome)}\n`);
          return null;
        }
        try {
          const d = await run();
          return { status: 201, body: datasetJson(d) };
        } catch (err) {
          if (err instanceof DatasetRejected) throw rejected(err);
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/datasets',
      summary: 'Dataset versions, oldest first',
      tag: 'datasets',
      auth: 'org',
      params: orgParams,
      query: pageQuery,
      responses: { 200: { description: 'a page', schema: listOf(datasetBody) } },
      handler: async ({ params, query }) => {
        await requireOrg(deps, params.orgId);
        const page = await deps.datasets.list(params.orgId, {
          limit: query.limit,
          after: query.cursor ?? null,
        });
        return { status: 200, body: { items: page.items.map(datasetJson), next: page.next } };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:orgId/datasets/:version',
      summary: 'One dataset version: its tables, row counts and warnings',
      tag: 'datasets',
      auth: 'org',
      params: orgParams.extend({ version: z.coerce.number().int().min(1) }),
      responses: { 200: { description: 'the version', schema: datasetBody } },
      handler: async ({ params }) => {
        const d = await deps.datasets.byVersion(params.orgId, params.version);
        if (!d) throw new DomainError('not_found', 'dataset version not found');
        return { status: 200, body: datasetJson(d) };
      },
    }),
  ];
}
