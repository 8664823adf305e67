import { pino, type Logger } from 'pino';

/** Structured logs. Secrets never reach a line: auth headers, tokens and URIs with credentials are redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'accord' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          'token',
          'apiToken',
          'adminToken',
          '*.apiToken',
          '*.token',
          'mongodbUri',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** `mongodb://user:secret@host` -> `mongodb://user:***@host`, for messages that name a URI. */
export function redactUri(uri: string): string {
  return uri.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

export type { Logger };
