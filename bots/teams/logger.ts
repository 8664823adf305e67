/** The Teams SDK's logger interface on Accord's pino logger (structured, and nothing from the SDK reaches stdout). */
import type { ILogger } from '@microsoft/teams.common';
import type { Logger } from '../../src/logger.js';

const text = (msg: unknown[]) =>
  msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');

export function sdkLogger(log: Logger, name = 'teams'): ILogger {
  const child = log.child({ component: name });
  const logger: ILogger = {
    error: (...msg: unknown[]) => child.error({ sdk: true }, text(msg)),
    warn: (...msg: unknown[]) => child.warn({ sdk: true }, text(msg)),
    info: (...msg: unknown[]) => child.debug({ sdk: true }, text(msg)),
    debug: (...msg: unknown[]) => child.debug({ sdk: true }, text(msg)),
    trace: (...msg: unknown[]) => child.trace({ sdk: true }, text(msg)),
    log: (level, ...msg: unknown[]) => {
      if (level === 'error' || level === 'warn') child[level]({ sdk: true }, text(msg));
      else child.debug({ sdk: true }, text(msg));
    },
    child: (sub: string) => sdkLogger(log, `${name}/${sub}`),
  };
  return logger;
}
