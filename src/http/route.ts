/**
 * One route = one spec: its zod schemas validate the request and also generate the OpenAPI document.
 * Every route runs the same steps: verify (auth) -> parse (zod) -> run one use case -> render JSON.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { zodFields } from '../app/validation.js';
import { ApiError } from './errors.js';
import type { AuthContext } from './auth.js';

export type AuthRule = 'none' | 'admin' | 'org' | 'org-or-link';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/api/v1/orgs/:orgId/members`. */
  path: string;
  summary: string;
  tag: string;
  auth: AuthRule;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The request body as openapi.json shows it (media type -> schema), in place of the one generated
   * from `body`: for a body `body` does not parse (a multipart upload), or one a use case checks
   * more exactly than `body` does (an input's payload, by the request's kind). Documentation only.
   */
  requestBody?: { description?: string; content: Record<string, z.ZodType> };
  /** Status -> description (and schema of the body, when there is one). */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  // A method signature (bivariant) so that specific routes fit the registry type below.
  handler(input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    auth: AuthContext;
    req: Request;
    /** For the few routes that stream their answer; they return null once they have responded. */
    res: Response;
  }): Promise<{ status: number; body: unknown; contentType?: string } | null>;
}

export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export function route<
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUnknown,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec;
}

export function mount(
  router: Router,
  routes: AnyRoute[],
  authorize: (rule: AuthRule, req: Request) => Promise<AuthContext>,
): void {
  for (const spec of routes) {
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      const auth = await authorize(spec.auth, req);
      const params = spec.params
        ? spec.params.safeParse(req.params)
        : { success: true as const, data: req.params as unknown };
      // A malformed id names nothing that exists.
      if (!params.success) throw new ApiError(404, 'not_found', 'no such resource');
      if (
        (spec.auth === 'org' || spec.auth === 'org-or-link') &&
        auth.kind === 'org' &&
        auth.orgId !== (params.data as { orgId?: string }).orgId
      ) {
        throw new ApiError(403, 'forbidden', 'this token belongs to another organisation');
      }
      const query = spec.query
        ? spec.query.safeParse(req.query)
        : { success: true as const, data: {} as unknown };
      if (!query.success)
        throw new ApiError(400, 'validation_failed', 'the query string is not valid', zodFields(query.error));
      let body: unknown = undefined;
      if (spec.body) {
        if (!req.is('application/json')) {
          throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json');
        }
        const parsed = spec.body.safeParse(req.body);
        if (!parsed.success)
          throw new ApiError(
            400,
            'validation_failed',
            'the request body is not valid',
            zodFields(parsed.error),
          );
        body = parsed.data;
      }
      const out = await spec.handler({ params: params.data, query: query.data, body, auth, req, res });
      if (out === null) return;
      if (out.contentType) res.status(out.status).type(out.contentType).send(out.body);
      else res.status(out.status).json(out.body);
    });
  }
}
