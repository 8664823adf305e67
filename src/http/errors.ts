import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import type { Logger } from '../logger.js';

/** An error with its HTTP status, rendered as `{"error": {"code", "message", "fields"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    /** Extra members of the error object, e.g. every bad row of an upload. */
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with it, e.g. Retry-After on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  duplicate: 409,
  step_not_open: 409,
  step_not_closed: 409,
  step_closed: 409,
  earlier_step_open: 409,
  later_step_closed: 409,
  cycle_closed: 409,
  ballot_closed: 409,
};

export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) return new ApiError(STATUS[err.code], err.code, err.message, err.fields);
  const e = err as { type?: string; status?: number; statusCode?: number };
  // body-parser errors
  if (e?.type === 'entity.too.large')
    return new ApiError(413, 'payload_too_large', 'the request body is too large (limit 256 kB)');
  if (e?.type === 'entity.parse.failed')
    return new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  if (e?.type === 'charset.unsupported') {
    return new ApiError(415, 'unsupported_media_type', 'send the body as UTF-8 JSON');
  }
  if (e?.type === 'encoding.unsupported') {
    return new ApiError(
      415,
      'unsupported_media_type',
      'this Content-Encoding is not supported: send the body as is, or as gzip, deflate or br',
    );
  }
  // Any other client error of the body reader: a body that does not decompress, a wrong length.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose)
    return new ApiError(
      status,
      'unreadable_body',
      `the request body cannot be read (${(err as Error).message}); nothing was written`,
    );
  return null;
}

/** The `error` object of the convention. */
export function errorJson(api: ApiError) {
  return { code: api.code, message: api.message, fields: api.fields, ...api.extra };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const api = toApiError(err);
    if (res.headersSent) {
      // A streamed answer already said what went wrong; keep the cause for the operators.
      if (!api)
        logger.error({ err, method: req.method, path: req.path }, 'unhandled error after the response began');
      return;
    }
    if (api) {
      res
        .set(api.headers)
        .status(api.status)
        .json({ error: errorJson(api) });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'something went wrong on our side', fields: {} } });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}`, fields: {} } });
};
