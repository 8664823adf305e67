/**
 * A local fake of Slack's Web API (the outside world at its boundary): records every call with its
 * arguments and answers like Slack; `failNext(method, status, retryAfter?)` makes the next call to
 * a method answer 429 or 5xx. Users for users.info are registered with `addUser`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** The bearer token the call was made with. */
  token: string | null;
}

export interface FakeSlack {
  url: string;
  calls: SlackCall[];
  /** The calls answered with a failure (429, 5xx), and when. */
  failed: { method: string; status: number; at: number }[];
  addUser(id: string, email: string): void;
  failNext(method: string, status: number, retryAfter?: number): void;
  close(): Promise<void>;
}

export async function startFakeSlack(opts: { socketUrl?: string } = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const failed: { method: string; status: number; at: number }[] = [];
  const users = new Map<string, string>();
  const failures = new Map<string, { status: number; retryAfter?: number | undefined }[]>();
  let ts = 1000;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/+/, '').split('?')[0]!;
      const type = req.headers['content-type'] ?? '';
      let args: Record<string, unknown> = {};
      if (type.includes('application/json')) args = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      else
        for (const [k, v] of new URLSearchParams(raw)) {
          try {
            args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
          } catch {
            args[k] = v;
          }
        }
      const fail = failures.get(method)?.shift();
      if (fail) {
        failed.push({ method, status: fail.status, at: Date.now() });
        res.writeHead(fail.status, {
          'content-type': 'application/json',
          ...(fail.retryAfter !== undefined ? { 'retry-after': String(fail.retryAfter) } : {}),
        });
        res.end(JSON.stringify({ ok: false, error: fail.status === 429 ? 'ratelimited' : 'internal_error' }));
        return;
      }
      const auth = req.headers['authorization'];
      const token = auth?.startsWith('Bearer ')
        ? auth.slice(7)
        : typeof args['token'] === 'string'
          ? args['token']
          : null;
      calls.push({ method, args, at: Date.now(), token });
      const reply = (body: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ...body }));
      };
      switch (method) {
        case 'users.info': {
          const email = users.get(String(args['user']));
          if (!email) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: false, error: 'user_not_found' }));
            return;
          }
          reply({ user: { id: args['user'], profile: { email } } });
          return;
        }
        case 'users.lookupByEmail': {
          const id = [...users.entries()].find(
            ([, e]) => e.toLowerCase() === String(args['email']).toLowerCase(),
          )?.[0];
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' }));
          return;
        }
        case 'conversations.open':
          reply({ channel: { id: `D${String(args['users'])}` } });
          return;
        case 'chat.postMessage': {
          // A user id as the channel posts to the app's DM with them (Slack answers with the DM's id).
          const channel = String(args['channel']);
          reply({ channel: /^[UW]/.test(channel) ? `D${channel}` : channel, ts: `${++ts}.000100` });
          return;
        }
        case 'users.list': {
          const all = [...users.entries()].map(([id, email]) => ({
            id,
            deleted: false,
            is_bot: false,
            profile: { email },
          }));
          const start = Number(args['cursor'] ?? 0);
          const limit = Number(args['limit'] ?? 200);
          const next = start + limit < all.length ? String(start + limit) : '';
          reply({ members: all.slice(start, start + limit), response_metadata: { next_cursor: next } });
          return;
        }
        case 'views.open':
        case 'views.publish':
        case 'views.update':
          reply({ view: { id: `V${++ts}`, ...(args['view'] as object) } });
          return;
        case 'oauth.v2.access':
          if (args['code'] !== 'good-code') {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ok: false, error: 'invalid_code' }));
            return;
          }
          reply({
            app_id: 'A0ACCORD',
            authed_user: { id: 'U0INSTALLER' },
            scope: 'chat:write,commands,users:read,users:read.email',
            token_type: 'bot',
            access_token: 'xoxb-installed-T222',
            bot_user_id: 'U0BOT222',
            team: { id: 'T222', name: 'Second Workspace' },
            enterprise: null,
            is_enterprise_install: false,
          });
          return;
        case 'chat.postEphemeral':
          reply({ message_ts: `${++ts}.000200` });
          return;
        case 'apps.connections.open':
          reply({ url: opts.socketUrl ?? 'ws://127.0.0.1:9/none' });
          return;
        case 'auth.test':
          reply({ user_id: 'UBOT', team_id: 'T111', bot_id: 'BBOT', url: 'https://example.slack.com/' });
          return;
        default:
          reply({});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    failed,
    addUser: (id, email) => users.set(id, email),
    failNext: (method, status, retryAfter) =>
      failures.set(method, [...(failures.get(method) ?? []), { status, retryAfter }]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Slack's request signature over `v0:{timestamp}:{raw body}`. */
export function slackHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const sig = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': `v0=${sig}`,
    'Content-Type': 'application/x-www-form-urlencoded',
  };
}
