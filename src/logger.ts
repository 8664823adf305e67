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
          'req.headers.cookie',
          'headers.authorization',
          'headers.Authorization',
          'authorization',
          'token',
          'apiToken',
          'adminToken',
          '*.apiToken',
          '*.token',
          'mongodbUri',
          // chat installations and Slack settings
          'botToken',
          '*.botToken',
          'appToken',
          '*.appToken',
          'clientSecret',
          '*.clientSecret',
          'signingSecret',
          '*.signingSecret',
          'stateSecret',
          '*.stateSecret',
          'secret',
          '*.secret',
          // link and encryption secrets
          'linkSecret',
          'linkKey',
          '*.linkKey',
          'keyring',
          'encryptionKey',
          'sig',
          'packUrl',
          '*.packUrl',
          // a failed Web API call carries the request it made (its Authorization header, an OAuth body)
          'err.config.headers.Authorization',
          'err.config.headers.authorization',
          'err.config.data',
          'err.original.config.headers.Authorization',
          'err.original.config.headers.authorization',
          'err.original.config.data',
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
