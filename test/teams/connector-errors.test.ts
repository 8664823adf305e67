/** How the deliverer reads a failed connector call: status, Teams' error code, Retry-After. */
import { describe, expect, it } from '@jest/globals';
import { ConnectorError, connectorError, parseRetryAfter } from '../../bots/teams/deliver.js';

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2027-01-20T10:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 2.5 ', now)).toBe(2500);
    expect(parseRetryAfter(['3'], now)).toBe(3000);
    expect(parseRetryAfter('Wed, 20 Jan 2027 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 20 Jan 2027 09:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('connectorError', () => {
  it("keeps an HTTP failure's status, Teams' code and message, and its Retry-After", () => {
    const err = connectorError({
      message: 'Request failed with status code 429',
      response: {
        status: 429,
        headers: { 'retry-after': '2' },
        data: { error: { code: 'TooManyRequests', message: 'Slow down.' } },
      },
    });
    expect(err).toBeInstanceOf(ConnectorError);
    expect([err.status, err.code, err.retryAfterMs, err.message]).toEqual([
      429,
      'TooManyRequests',
      2000,
      '429 TooManyRequests: Slow down.',
    ]);
  });

  it('names a failure without an answer by its code, and passes a ConnectorError through', () => {
    const err = connectorError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    expect([err.status, err.code, err.message]).toEqual([null, 'ECONNREFUSED', 'ECONNREFUSED']);
    const same = new ConnectorError('403', 403, null, null);
    expect(connectorError(same)).toBe(same);
    expect(connectorError(new Error('boom')).message).toBe('boom');
    // A body that is not Teams' JSON still gives the status.
    expect(connectorError({ response: { status: 502, data: '<html>Bad gateway</html>' } }).message).toBe(
      '502',
    );
  });
});
