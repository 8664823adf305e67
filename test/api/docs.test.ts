/**
 * The documentation says what the code does: the README's data tables are the importer's columns,
 * and openapi.json has real request bodies for the upload (a file per table, or a workbook) and for
 * each input kind's payload.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TABLES, TABLE_COLUMNS } from '../../src/domain/dataset.js';
import { TABLE_GUIDE, dataTablesMarkdown } from '../../src/domain/datasetGuide.js';
import { INPUT_PAYLOADS } from '../../src/domain/inputs.js';
import { INPUT_KINDS } from '../../src/domain/obligations.js';
import { submissionDoc } from '../../src/http/schemas.js';
import { repoRoot } from '../../tools/ferretdb.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';

const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');

/** Markdown as its content: table cells trimmed (Prettier pads them), separator rows and blank lines dropped. */
const normalise = (md: string) =>
  md
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) =>
      l.startsWith('|')
        ? l
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim())
            .join(' | ')
        : l,
    );

describe('README, "Data tables"', () => {
  const start = readme.indexOf('<!-- data-tables:');
  const end = readme.indexOf('<!-- /data-tables -->');
  const section = readme.slice(readme.indexOf('\n', start) + 1, end);

  it('is the importer\'s tables and columns (regenerate: print dataTablesMarkdown() and run "npm run format")', () => {
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(normalise(section)).toEqual(normalise(dataTablesMarkdown()));
  });

  it('lists every column of every table, with whether it is required', () => {
    for (const table of TABLES) {
      const part = section.split(/^### /m).find((p) => p.startsWith(`\`${table}\``));
      expect(part).toBeDefined();
      for (const c of TABLE_COLUMNS[table]) {
        const row = normalise(part!).find((l) => l.startsWith(`\`${c.name}\` |`));
        expect(row).toBeDefined();
        expect(row).toContain(c.optional ? '| no |' : '| yes |');
      }
      // Every column has words, and the guide names no column the importer does not know.
      expect(Object.keys(TABLE_GUIDE[table].columns).sort()).toEqual(
        TABLE_COLUMNS[table].map((c) => c.name).sort(),
      );
    }
  });
});

/** The requests the README's "Your first cycle" makes: method and path, variables as `X`. */
function walkThroughRequests(): { method: string; path: string }[] {
  const start = readme.indexOf('## Your first cycle');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const code = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
  const clean = (p: string) => p.split('?')[0]!.replace(/\$[A-Z_]+/g, 'X');
  const org = '/api/v1/orgs/X';
  const out: { method: string; path: string }[] = [];
  for (const m of code.matchAll(/\b(get|post) '?(\/[^\s'"]*)/g))
    out.push({ method: m[1]!, path: clean(org + m[2]!) });
  // Plain curl: one command may span lines (a trailing backslash).
  for (const command of code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /\bcurl\b/.test(l) && !l.includes('() {'))) {
    const url = /"\$ACCORD(\/api\/v1\/[^"]*)"/.exec(command);
    if (!url) continue;
    const method = /-X PATCH/.test(command) ? 'patch' : /-X POST| -F /.test(command) ? 'post' : 'get';
    out.push({ method, path: clean(url[1]!) });
  }
  return out;
}

describe('openapi.json request bodies', () => {
  let t: TestAccord;
  let doc: {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  };
  interface Schema {
    type?: string;
    format?: string;
    description?: string;
    title?: string;
    properties?: Record<string, Schema>;
    required?: string[];
    oneOf?: Schema[];
    additionalProperties?: boolean;
  }
  beforeAll(async () => {
    t = await startTestAccord();
    doc = (await t.http.get('/api/v1/openapi.json')).body;
  });
  afterAll(() => t.close());

  it('every request of the README\'s "Your first cycle" is a route (the walk-through was run against a live server)', () => {
    const requests = walkThroughRequests();
    expect(requests.length).toBeGreaterThan(15);
    const routes = Object.entries(doc.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((method) => ({
        method,
        pattern: new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
      })),
    );
    for (const r of requests)
      expect([r.method, r.path, routes.some((x) => x.method === r.method && x.pattern.test(r.path))]).toEqual(
        [r.method, r.path, true],
      );
  });

  it('the upload is multipart/form-data: a file per table, each with its columns, or a workbook', () => {
    const body = doc.paths['/api/v1/orgs/{orgId}/datasets']!['post']!.requestBody!;
    const schema = body.content['multipart/form-data']!.schema;
    expect(Object.keys(schema.properties!)).toEqual([...TABLES, 'workbook']);
    for (const table of TABLES) {
      const field = schema.properties![table]!;
      expect(field).toMatchObject({ type: 'string', format: 'binary' });
      for (const c of TABLE_COLUMNS[table]) expect(field.description).toContain(c.name);
      expect(field.description).toContain(`/api/v1/templates/${table}.csv`);
    }
    expect(schema.properties!['workbook']).toMatchObject({ type: 'string', format: 'binary' });
  });

  it('a submission payload is one of the input kinds, each with its schema', () => {
    const body =
      doc.paths['/api/v1/orgs/{orgId}/cycles/{cycleId}/inputs/{requestId}/submissions']!['post']!
        .requestBody!;
    const schema = body.content['application/json']!.schema;
    expect(schema.required).toEqual(['memberId', 'payload']);
    const kinds = schema.properties!['payload']!.oneOf!;
    expect(kinds.map((k) => k.title)).toEqual([...INPUT_KINDS]);
    const byKind = Object.fromEntries(kinds.map((k) => [k.title, k]));
    expect(byKind['demand-adjustments']!.required).toEqual(['adjustments']);
    expect(
      Object.keys(
        (byKind['demand-adjustments']!.properties!['adjustments'] as { items: Schema }).items.properties!,
      ),
    ).toEqual(['family', 'from', 'to', 'change', 'reason', 'confidence']);
    expect(byKind['finance-targets']!.required).toEqual(['currency', 'targets']);
    expect(byKind['attendance']!.properties!['response']).toMatchObject({
      enum: ['attending', 'declined', 'delegate'],
    });
    expect(Object.keys(byKind['data-confirmation']!.properties)).toEqual(['datasetVersion', 'notes']);
    for (const k of kinds) expect(k.additionalProperties).toBe(false);
  });

  it('the kinds exclude one another: a valid payload of each kind is exactly one of them', () => {
    const examples: Record<(typeof INPUT_KINDS)[number], unknown> = {
      'data-confirmation': { datasetVersion: 1 },
      'demand-adjustments': {
        adjustments: [
          {
            family: 'SW-050',
            from: '2027-01',
            to: '2027-03',
            change: { type: 'percent', value: 5 },
            reason: 'summer promotion',
          },
        ],
      },
      'supply-constraints': {
        constraints: [
          {
            resource: 'L01',
            from: '2027-01',
            to: '2027-02',
            supplierLimit: 9000,
            reason: 'line maintenance',
          },
        ],
      },
      'finance-targets': { currency: 'EUR', targets: [{ period: '2027-01', revenue: 40000 }] },
      attendance: { response: 'attending' },
    };
    for (const kind of INPUT_KINDS) {
      expect(INPUT_PAYLOADS[kind].safeParse(examples[kind]).success).toBe(true);
      // z.xor (oneOf) fails when no kind or more than one kind matches.
      expect(submissionDoc.shape.payload.safeParse(examples[kind]).success).toBe(true);
    }
  });
});
