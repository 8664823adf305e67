/**
 * A local fake of Slack's Web API for benches (bench code does not import test/): answers like
 * Slack, optionally after a latency (a real round trip to slack.com), and counts calls per
 * method instead of recording them, so it can take thousands of calls. Also signs requests the
 * way Slack does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';

export interface BenchSlack {
  url: string;
  /** Calls per Web API method since the start. */
  counts: Record<string, number>;
  /** From now on, answer every call after `ms`. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startBenchSlack(opts: { latencyMs?: number } = {}): Promise<BenchSlack> {
  const counts: Record<string, number> = {};
  let latencyMs = opts.latencyMs ?? 0;
  let ts = 1000;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/+/, '').split('?')[0]!;
      counts[method] = (counts[method] ?? 0) + 1;
      const args = (req.headers['content-type'] ?? '').includes('application/json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      const body =
        method === 'auth.test'
          ? { user_id: 'UBOT', team_id: 'T111', bot_id: 'BBOT' }
          : method === 'chat.postMessage'
            ? { channel: args['channel'], ts: `${++ts}.000100` }
            : method === 'chat.update'
              ? { channel: args['channel'], ts: args['ts'] }
              : method === 'chat.postEphemeral'
                ? { message_ts: `${++ts}.000200` }
                : method === 'conversations.open'
                  ? { channel: { id: `D${String(args['users'])}` } }
                  : {};
      const reply = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ...body }));
      };
      if (latencyMs) setTimeout(reply, latencyMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    counts,
    setLatency: (ms) => (latencyMs = ms),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Slack's request signature over `v0:{timestamp}:{raw body}`. */
export function slackSignature(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
