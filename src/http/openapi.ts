/** openapi.json, generated from the same zod schemas that validate requests. */
import { z } from 'zod';
import type { AnyRoute } from './route.js';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });
}

/** The route's documented body when it has one, else the one its `body` schema parses. */
function requestBody(r: AnyRoute) {
  if (r.requestBody)
    return {
      required: true,
      ...(r.requestBody.description ? { description: r.requestBody.description } : {}),
      content: Object.fromEntries(
        Object.entries(r.requestBody.content).map(([type, schema]) => [
          type,
          { schema: jsonSchema(schema, 'input') },
        ]),
      ),
    };
  if (r.body)
    return { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
  return null;
}

export function openApiDocument(routes: AnyRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    const paramShape = (r.params as z.ZodObject | undefined)?.shape ?? {};
    for (const name of Object.keys(paramShape)) {
      parameters.push({
        name,
        in: 'path',
        required: true,
        schema: jsonSchema(paramShape[name] as z.ZodType, 'input'),
      });
    }
    const queryShape = (r.query as z.ZodObject | undefined)?.shape ?? {};
    for (const name of Object.keys(queryShape)) {
      const s = queryShape[name] as z.ZodType;
      parameters.push({
        name,
        in: 'query',
        required: !s.safeParse(undefined).success,
        schema: jsonSchema(s, 'input'),
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, resp] of Object.entries(r.responses)) {
      responses[status] = {
        description: resp.description,
        ...(resp.schema
          ? { content: { 'application/json': { schema: jsonSchema(resp.schema, 'output') } } }
          : {}),
      };
    }
    if (r.auth !== 'none') {
      responses['401'] ??= { description: 'missing or invalid token' };
      responses['403'] ??= { description: 'the token may not do this' };
    }
    const body = requestBody(r);
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(r.auth === 'none' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Accord API',
      version,
      description:
        'Accord runs the monthly S&OP cycle. Authenticate with `Authorization: Bearer <token>`: the admin token creates organisations; each organisation has its own API token. Errors are `{"error": {"code", "message", "fields"}}`; lists are `{"items": [...], "next": <cursor or null>}`.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
