/**
 * The step-1 upload templates: an XLSX workbook with a sheet per table, or a CSV file per table,
 * each with its header and example rows. They hold no data of anyone's, so they need no token.
 */
import { z } from 'zod';
import { TABLES } from '../../domain/dataset.js';
import { datasetWorkbook, tableCsv } from '../../render/template.js';
import { route } from '../route.js';
import { errorBody } from '../schemas.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function templateRoutes() {
  return [
    route({
      method: 'get',
      path: '/api/v1/templates/dataset.xlsx',
      summary: `The step-1 upload template as one XLSX workbook: a sheet per table (${TABLES.join(', ')}), each with its header row (a note on each column) and example rows; upload it as it is or filled in`,
      tag: 'datasets',
      auth: 'none',
      responses: { 200: { description: XLSX } },
      handler: async ({ res }) => {
        res.attachment('accord-dataset.xlsx');
        return { status: 200, body: await datasetWorkbook(), contentType: XLSX };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/templates/:file',
      summary: `One table's upload template as CSV: <table>.csv for ${TABLES.join(', ')}; its header row and example rows`,
      tag: 'datasets',
      auth: 'none',
      params: z.object({ file: z.enum(TABLES.map((t) => `${t}.csv`) as [string, ...string[]]) }),
      responses: {
        200: { description: 'text/csv' },
        404: { description: 'no such table', schema: errorBody },
      },
      handler: async ({ params, res }) => {
        const table = params.file.slice(0, -'.csv'.length) as (typeof TABLES)[number];
        res.attachment(params.file);
        return { status: 200, body: await tableCsv(table), contentType: 'text/csv; charset=utf-8' };
      },
    }),
  ];
}
