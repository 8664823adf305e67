/**
 * A local fake of the Bot Framework connector (the Teams side of the outside world, at its
 * boundary), for tests, benches and local development: a real HTTP server at a `serviceUrl`.
 *
 * It answers the calls Accord makes the way the connector does: `POST /v3/conversations` (a 1:1
 * chat: the same person gets the same conversation back), `POST /v3/conversations/{id}/activities`,
 * `PUT /v3/conversations/{id}/activities/{activityId}`, `GET /v3/conversations/{id}/members` and
 * `.../members/{userId}` (from a member directory you fill). Every call needs `Authorization:
 * Bearer <a JWT>` and is recorded. Unknown conversations answer 404, bodies over 100 kB 413.
 *
 * With `enforceLimits`, it keeps Teams' published limits and answers 429 with Retry-After beyond
 * them: per conversation 7 requests in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an hour; per tenant 30
 * in 1 s (creating a conversation counts for both). `failNext(status, n)` makes the next n calls
 * answer 412, 429, 500, 502, 504, 403 ... instead.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorRoute =
  'createConversation' | 'sendActivity' | 'updateActivity' | 'getMember' | 'getMembers';

export interface ConnectorCall {
  route: ConnectorRoute | 'unknown';
  method: string;
  path: string;
  conversationId: string | null;
  body: unknown;
  /** The bearer token the call came with (null: none). */
  token: string | null;
  /** What the fake answered. */
  status: number;
  /** Date.now() when the call arrived. */
  at: number;
}

export interface ConnectorMember {
  /** The Teams user id (`29:...`). */
  id: string;
  name: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  /** False: Accord is not installed for them (creating a 1:1 chat with them answers 403). */
  installed?: boolean;
}

export interface ConnectorActivity {
  conversationId: string;
  activityId: string;
  activity: Record<string, unknown>;
  at: number;
  /** The thread's first message, for a reply in a channel thread. */
  replyTo?: string;
}

export interface FakeConnector {
  /** The service URL (with a trailing slash, like Teams' own). */
  url: string;
  calls: ConnectorCall[];
  /** Activities accepted (sent), in order; updates replace the activity in place. */
  activities: ConnectorActivity[];
  /** Calls answered 429 because a limit was reached (failNext's are not counted). */
  rateLimited: number;
  addMember(member: ConnectorMember): void;
  addConversation(c: { id: string; tenantId: string; members?: string[] }): void;
  /** The tenant a conversation belongs to (undefined: unknown to the connector). */
  tenantOf(conversationId: string): string | undefined;
  enforceLimits(on: boolean): void;
  /** The next `n` calls (to `route`, if given) answer `status`, with Retry-After if given (seconds). */
  failNext(status: number, n?: number, opts?: { retryAfter?: number; route?: ConnectorRoute }): void;
  /** From now on, answer every call after `ms` (a round trip to Teams). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** Teams' limits: [requests, window in ms]. */
export const CONVERSATION_LIMITS: readonly (readonly [number, number])[] = [
  [7, 1_000],
  [8, 2_000],
  [60, 30_000],
  [1_800, 3_600_000],
];
export const TENANT_LIMITS: readonly (readonly [number, number])[] = [[30, 1_000]];

const ERROR_CODES: Record<number, string> = {
  400: 'BadArgument',
  401: 'Unauthorized',
  403: 'BotNotInConversationRoster',
  404: 'ConversationNotFound',
  412: 'PreconditionFailed',
  413: 'MessageSizeTooBig',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};
const ERROR_MESSAGES: Record<number, string> = {
  403: 'The bot is not part of the conversation roster.',
  412: 'The conversation was updated concurrently; retry.',
  429: 'Too many requests.',
};

/** A sliding log of request times per key, checked against several windows at once. */
class Limits {
  private readonly logs = new Map<string, number[]>();
  constructor(private readonly windows: readonly (readonly [number, number])[]) {}
  /** 0 when a request may go now, else the ms until it may. */
  wait(key: string, now: number): number {
    const log = this.logs.get(key) ?? [];
    const longest = Math.max(...this.windows.map(([, w]) => w));
    while (log.length && now - log[0]! >= longest) log.shift();
    this.logs.set(key, log);
    let wait = 0;
    for (const [n, w] of this.windows) {
      // The n-th most recent request must have left the window.
      const nth = log[log.length - n];
      if (nth !== undefined && now - nth < w) wait = Math.max(wait, nth + w - now);
    }
    return wait;
  }
  record(key: string, now: number): void {
    this.logs.get(key)!.push(now);
  }
}

function isJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

export async function startFakeConnector(
  opts: {
    enforceLimits?: boolean;
    latencyMs?: number;
    /** The clock the limits are counted by (default Date.now). */
    now?: () => number;
  } = {},
): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const activities: ConnectorActivity[] = [];
  const directory = new Map<string, ConnectorMember>();
  const conversations = new Map<string, { tenantId: string; members: string[] }>();
  /** `tenant:user` -> the 1:1 conversation id. */
  const personal = new Map<string, string>();
  const failures: { status: number; retryAfter?: number | undefined; route?: ConnectorRoute | undefined }[] =
    [];
  const perConversation = new Limits(CONVERSATION_LIMITS);
  const perTenant = new Limits(TENANT_LIMITS);
  let enforce = opts.enforceLimits ?? false;
  let latencyMs = opts.latencyMs ?? 0;
  let seq = 0;
  const counters = { rateLimited: 0 };
  const clock = opts.now ?? Date.now;

  const account = (m: ConnectorMember, tenantId: string) => ({
    id: m.id,
    name: m.name,
    ...(m.aadObjectId ? { aadObjectId: m.aadObjectId, objectId: m.aadObjectId } : {}),
    ...(m.email ? { email: m.email } : {}),
    ...(m.userPrincipalName ? { userPrincipalName: m.userPrincipalName } : {}),
    tenantId: m.tenantId ?? tenantId,
    userRole: 'user',
  });

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const at = clock();
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.replace(/\/{2,}/g, '/');
      const method = req.method ?? 'GET';
      const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
      let route: ConnectorCall['route'] = 'unknown';
      let conversationId: string | null = null;
      if (segments[0] === 'v3' && segments[1] === 'conversations') {
        conversationId = segments[2] ?? null;
        if (segments.length === 2 && method === 'POST') route = 'createConversation';
        else if (segments[3] === 'activities' && segments.length === 4 && method === 'POST')
          route = 'sendActivity';
        else if (segments[3] === 'activities' && segments.length === 5 && method === 'PUT')
          route = 'updateActivity';
        else if (segments[3] === 'members' && segments.length === 5 && method === 'GET') route = 'getMember';
        else if (segments[3] === 'members' && segments.length === 4 && method === 'GET') route = 'getMembers';
      }
      let body: unknown = null;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        body = raw;
      }
      const auth = req.headers['authorization'];
      const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : null;
      const call: ConnectorCall = { route, method, path, conversationId, body, token, status: 0, at };
      calls.push(call);

      const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        call.status = status;
        const send = () => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(payload === undefined ? '' : JSON.stringify(payload));
        };
        if (latencyMs > 0) setTimeout(send, latencyMs);
        else send();
      };
      const fail = (status: number, message?: string, headers: Record<string, string> = {}) =>
        answer(
          status,
          {
            error: {
              code: ERROR_CODES[status] ?? 'Error',
              message: message ?? ERROR_MESSAGES[status] ?? `failed with ${status}`,
            },
          },
          headers,
        );

      if (!token || !isJwt(token))
        return answer(401, { message: 'Authorization has been denied for this request.' });
      if (route === 'unknown') return fail(404, `no such route: ${method} ${path}`);
      const i = failures.findIndex((f) => !f.route || f.route === route);
      if (i >= 0) {
        const [f] = failures.splice(i, 1);
        return fail(
          f!.status,
          undefined,
          f!.retryAfter !== undefined ? { 'retry-after': String(f!.retryAfter) } : {},
        );
      }
      if (raw.length * 2 > 100 * 1024)
        return fail(413, `the message is ${raw.length * 2} bytes (UTF-16); the limit is about 100 kB`);

      // Which conversation and tenant this call is about, for the limits and the answer.
      const b = (body ?? {}) as Record<string, unknown>;
      let tenantId: string | undefined;
      let userId: string | undefined;
      if (route === 'createConversation') {
        const members = (b['members'] as { id?: string }[] | undefined) ?? [];
        userId = members[0]?.id;
        tenantId =
          (b['tenantId'] as string | undefined) ??
          (b['channelData'] as { tenant?: { id?: string } } | undefined)?.tenant?.id;
        if (!userId || !tenantId || members.length !== 1 || b['isGroup'] === true)
          return fail(400, 'a 1:1 conversation needs one member and the tenant id');
        const m = directory.get(userId);
        if (m?.installed === false) return fail(403, 'The bot is not installed for this user.');
        conversationId = personal.get(`${tenantId}:${userId}`) ?? `a:fake-${tenantId}-${++seq}`;
      } else {
        // A reply in a channel thread names the thread's first message: `<channel>;messageid=<id>`.
        const [base, thread] = conversationId!.split(';messageid=');
        tenantId = conversations.get(base!)?.tenantId;
        if (!tenantId) return fail(404, `conversation ${conversationId} not found`);
        if (
          thread !== undefined &&
          !activities.some((a) => a.conversationId === base && a.activityId === thread)
        )
          return fail(404, `message ${thread} not found in ${base}`);
      }

      if (enforce) {
        const wait = Math.max(perConversation.wait(conversationId!, at), perTenant.wait(tenantId, at));
        if (wait > 0) {
          counters.rateLimited++;
          return fail(429, undefined, { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) });
        }
        perConversation.record(conversationId!, at);
        perTenant.record(tenantId, at);
      }

      switch (route) {
        case 'createConversation': {
          if (!conversations.has(conversationId!)) {
            conversations.set(conversationId!, { tenantId, members: [userId!] });
            personal.set(`${tenantId}:${userId}`, conversationId!);
          }
          return answer(201, { id: conversationId });
        }
        case 'sendActivity': {
          const activityId = `1:${++seq}`;
          const [base, thread] = conversationId!.split(';messageid=');
          activities.push({
            conversationId: base!,
            activityId,
            activity: b,
            at,
            ...(thread !== undefined ? { replyTo: thread } : {}),
          });
          return answer(201, { id: activityId });
        }
        case 'updateActivity': {
          const activityId = segments[4]!;
          const sent = activities.find(
            (a) => a.conversationId === conversationId && a.activityId === activityId,
          );
          if (!sent) return fail(404, `activity ${activityId} not found`);
          sent.activity = b;
          return answer(200, { id: activityId });
        }
        case 'getMember': {
          const conv = conversations.get(conversationId!)!;
          const m = directory.get(segments[4]!);
          if (!m || (conv.members.length && !conv.members.includes(m.id)))
            return fail(404, 'The member was not found in the conversation.');
          return answer(200, account(m, tenantId));
        }
        case 'getMembers': {
          const conv = conversations.get(conversationId!)!;
          const ids = conv.members.length ? conv.members : [...directory.keys()];
          return answer(
            200,
            ids.flatMap((id) => {
              const m = directory.get(id);
              return m ? [account(m, tenantId)] : [];
            }),
          );
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    calls,
    activities,
    get rateLimited() {
      return counters.rateLimited;
    },
    addMember: (m) => void directory.set(m.id, m),
    addConversation: (c) => {
      conversations.set(c.id, { tenantId: c.tenantId, members: c.members ?? [] });
      if (c.members?.length === 1) personal.set(`${c.tenantId}:${c.members[0]}`, c.id);
    },
    tenantOf: (id) => conversations.get(id)?.tenantId,
    enforceLimits: (on) => void (enforce = on),
    failNext: (status, n = 1, o = {}) => {
      for (let k = 0; k < n; k++) failures.push({ status, retryAfter: o.retryAfter, route: o.route });
    },
    setLatency: (ms) => void (latencyMs = ms),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
