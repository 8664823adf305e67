import { pino, type Logger } from 'pino';

/** Fields that hold a secret, wherever they are logged (top level or one level down). */
const SECRET_FIELDS = [
  'authorization',
  'token',
  'apiToken',
  'adminToken',
  'mongodbUri',
  'botToken',
  'appToken',
  'clientSecret',
  'signingSecret',
  'stateSecret',
  'secret',
  'linkSecret',
  'linkKey',
  'keyring',
  'encryptionKey',
  'sig',
  'packUrl',
];

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
          ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
          // a failed Web API call carries the request it made (its Authorization header, an OAuth body)
          ...['err', 'err.original'].flatMap((e) => [
            `${e}.config.headers.Authorization`,
            `${e}.config.headers.authorization`,
            `${e}.config.data`,
          ]),
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
