/**
 * bench/slack-fanout: a step opening for N people (default 1,000) delivered to Slack through a
 * local fake Web API that enforces Slack's limits, against the theoretical minimum those limits
 * allow. Counts what was lost and what was sent twice (both must be zero).
 *
 * The fake's limits: chat.postMessage one per second per channel and a workspace-wide token
 * bucket (RATE per second, a burst of BURST); users.list tier 2 (20 calls in any minute, 200
 * people a page); users.lookupByEmail tier 3 (50 a minute). Beyond a limit it answers 429 with
 * Retry-After, as Slack does. Slack does not publish its workspace-wide figure for
 * chat.postMessage; the default here, 20 per second, is an assumption, and the deliverer is told
 * the same figure (SLACK_POSTS_PER_MINUTE) as an operator would.
 *
 * npm run bench:slack-fanout -- [people] [rate per second]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildAccord } from '../src/accord.js';
import { advanceAllCycles } from '../src/app/cycleEngine.js';
import { createCycle } from '../src/app/cycles.js';
import { addMember } from '../src/app/members.js';
import { createOrg } from '../src/app/orgs.js';
import type { Clock } from '../src/app/ports.js';
import { createLogger } from '../src/logger.js';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
import { hashToken } from '../src/app/tokens.js';

const PEOPLE = Number(process.argv[2] ?? 1000);
const RATE = Number(process.argv[3] ?? 20);
const BURST = 5;
const PAGE = 200;
const out = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// The fake Slack Web API with Slack's limits.

const users = new Map<string, string>(); // email -> id
const posts: { channel: string; text: string; at: number }[] = [];
const counts = { rateLimited: 0, listCalls: 0, lookups: 0 };
let bucket = BURST;
let refilledAt = Date.now();
const channelLast = new Map<string, number>();
const tierCalls = new Map<string, number[]>();

function tierOk(method: string, perMinute: number): number {
  const now = Date.now();
  const times = (tierCalls.get(method) ?? []).filter((t) => now - t < 60_000);
  tierCalls.set(method, times);
  if (times.length >= perMinute) return Math.ceil((times[0]! + 60_000 - now) / 1000);
  times.push(now);
  return 0;
}

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
  req.on('end', () => {
    const method = (req.url ?? '').replace(/^\/+/, '').split('?')[0]!;
    const args: Record<string, string> = Object.fromEntries(new URLSearchParams(raw));
    const reply = (status: number, body: Record<string, unknown>, retryAfter?: number) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
      });
      res.end(JSON.stringify(body));
    };
    const limited = (seconds: number) => {
      counts.rateLimited++;
      reply(429, { ok: false, error: 'ratelimited' }, Math.max(1, seconds));
    };
    if (method === 'users.list') {
      const wait = tierOk(method, 20);
      if (wait) return limited(wait);
      counts.listCalls++;
      const all = [...users.entries()];
      const start = Number(args['cursor'] || 0);
      const next = start + PAGE < all.length ? String(start + PAGE) : '';
      return reply(200, {
        ok: true,
        members: all.slice(start, start + PAGE).map(([email, id]) => ({ id, profile: { email } })),
        response_metadata: { next_cursor: next },
      });
    }
    if (method === 'users.lookupByEmail') {
      const wait = tierOk(method, 50);
      if (wait) return limited(wait);
      counts.lookups++;
      const id = users.get(String(args['email']).toLowerCase());
      return reply(200, id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' });
    }
    if (method === 'chat.postMessage') {
      const now = Date.now();
      bucket = Math.min(BURST, bucket + ((now - refilledAt) / 1000) * RATE);
      refilledAt = now;
      const channel = String(args['channel']);
      const last = channelLast.get(channel) ?? 0;
      if (now - last < 1000) return limited(1);
      if (bucket < 1) return limited(1);
      bucket -= 1;
      channelLast.set(channel, now);
      posts.push({ channel, text: String(args['text']), at: now });
      return reply(200, { ok: true, channel: `D${channel}`, ts: `${now}.${posts.length}` });
    }
    reply(200, { ok: true });
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

// ---------------------------------------------------------------------------------------------
// Accord on the embedded FerretDB, an org of PEOPLE functional leaders, a step about to open.

let now = new Date('2027-02-03T08:00:00Z'); // 09:00 in Berlin: demand planning opens
const clock: Clock = { now: () => now };
const embedded = process.env['MONGODB_URI']
  ? null
  : await startFerretDb({
      binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'accord-fanout-')),
    });
const accord = await buildAccord({
  mongodbUri: process.env['MONGODB_URI'] ?? embedded!.uri,
  dbName: `bench_fanout_${Date.now()}`,
  adminTokenHash: hashToken('x'.repeat(32)),
  logger: createLogger('silent'),
  rootDir: repoRoot(),
  clock,
  slack: { signingSecret: 'bench-secret', botToken: 'xoxb-bench', apiUrl, postsPerMinute: RATE * 60 },
  monitorCommands: !!process.env['PROFILE'],
});
// PROFILE=1: where the database time of the delivery goes (command and collection).
const profile = new Map<string, { n: number; ms: number }>();
let profiling = false;
const started = new Map<number, string>();
if (process.env['PROFILE'])
  accord.db.conn.getClient().on('commandStarted', (e) => {
    const coll = (e.command as Record<string, unknown>)[e.commandName];
    started.set(e.requestId, `${e.commandName} ${typeof coll === 'string' ? coll : ''}`);
  });
if (process.env['PROFILE'])
  accord.db.conn.getClient().on('commandSucceeded', (e) => {
    if (!profiling) return;
    const key = started.get(e.requestId) ?? e.commandName;
    started.delete(e.requestId);
    const p = profile.get(key) ?? { n: 0, ms: 0 };
    p.n++;
    p.ms += e.duration;
    profile.set(key, p);
  });
const deps = accord.deps;
const actor = { type: 'system' as const, id: 'bench' };
const { org } = await createOrg(deps, { name: 'Fanout Co', timezone: 'Europe/Berlin' }, actor);
await addMember(
  deps,
  org.id,
  { name: 'Owner', email: 'owner@fanout.example', roles: ['process-owner'], timezone: 'Europe/Berlin' },
  actor,
);
const functions = ['sales', 'marketing'];
for (let i = 0; i < PEOPLE; i++) {
  const email = `leader${i}@fanout.example`;
  await addMember(
    deps,
    org.id,
    {
      name: `Leader ${i}`,
      email,
      roles: ['functional-leader'],
      functions: [functions[i % 2]!],
      timezone: 'Europe/Berlin',
    },
    actor,
  );
  users.set(email, `U${String(i).padStart(6, '0')}`);
}
users.set('owner@fanout.example', 'UOWNER');
await createCycle(deps, org.id, '2027-02', actor);
now = new Date('2027-02-01T08:00:00Z');
await advanceAllCycles(deps, (id, err) => {
  throw err;
});
now = new Date('2027-02-03T08:00:00Z');
await advanceAllCycles(deps, (id, err) => {
  throw err;
});
const queued = await accord.db.models.OutboxMessage.countDocuments({ status: 'pending' });
out(`queued ${queued} messages for ${PEOPLE} people (the step opening)`);

// ---------------------------------------------------------------------------------------------
// Deliver everything, as the scheduler would (drain after drain), and time it.

const rss0 = process.memoryUsage().rss;
profiling = true;
out('');
out(
  '| wave | people | messages | delivered | dead | lost | sent twice | 429s | users.list calls | lookups | time | theoretical minimum | over the minimum | RSS growth |',
);
out(
  '| ---- | ------ | -------- | --------- | ---- | ---- | ---------- | ---- | ---------------- | ------- | ---- | ------------------- | ---------------- | ---------- |',
);

/** Delivers everything pending, as the scheduler would (drain after drain), and reports it. */
async function wave(name: string, queued: number): Promise<void> {
  const before = {
    posts: posts.length,
    limited: counts.rateLimited,
    lists: counts.listCalls,
    lookups: counts.lookups,
  };
  const deliveredBefore = await accord.db.models.OutboxMessage.countDocuments({ status: 'delivered' });
  const began = Date.now();
  for (;;) {
    await accord.slackDeliverer!.drain();
    const pending = await accord.db.models.OutboxMessage.countDocuments({ status: 'pending' });
    if (!pending) break;
    await new Promise((r) => setTimeout(r, 200)); // rate-limited ones wait for their Retry-After
    now = new Date(now.getTime() + 200);
  }
  const elapsed = (Date.now() - began) / 1000;
  const delivered =
    (await accord.db.models.OutboxMessage.countDocuments({ status: 'delivered' })) - deliveredBefore;
  const dead = await accord.db.models.OutboxMessage.countDocuments({ status: 'dead' });
  // Sent twice: the same message (channel and text) posted more than once.
  const seen = new Map<string, number>();
  for (const p of posts.slice(before.posts))
    seen.set(`${p.channel}\n${p.text}`, (seen.get(`${p.channel}\n${p.text}`) ?? 0) + 1);
  const twice = [...seen.values()].reduce((s, n) => s + n - 1, 0);
  // The least time Slack's limits allow: the workspace bucket (a burst, then RATE a second); the
  // directory's pages all fit in the tier's minute.
  const minimum = Math.max(0, queued - BURST) / RATE;
  out(
    `| ${name} | ${PEOPLE} | ${queued} | ${delivered} | ${dead} | ${queued - delivered - dead} | ${twice} | ${counts.rateLimited - before.limited} | ${counts.listCalls - before.lists} | ${counts.lookups - before.lookups} | ${elapsed.toFixed(1)} s | ${minimum.toFixed(1)} s | ${(((elapsed - minimum) / minimum) * 100).toFixed(1)}% | ${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB |`,
  );
}

await wave('step opens (nobody linked yet)', queued);

// A second message to the same people, now linked (the next reminder, say): no directory read.
now = new Date(now.getTime() + 60_000);
const members = (await deps.members.all(org.id)).filter((m) => m.roles.includes('functional-leader'));
await deps.outbox.enqueue(
  members.map((m) => ({
    orgId: org.id,
    key: `bench-second:${m.id}`,
    kind: 'reminder' as const,
    cycleId: null,
    recipient: { memberId: m.id, name: m.name },
    card: {
      summary: `Reminder for ${m.name}`,
      blocks: [{ type: 'text' as const, text: `Reminder for ${m.name}` }],
    },
    notBefore: now,
  })),
  now,
);
await wave('second message (all linked)', members.length);

if (process.env['PROFILE'])
  for (const [k, p] of [...profile].sort((a, b) => b[1].ms - a[1].ms))
    out(`${k.padEnd(24)} ${String(p.n).padStart(6)} calls ${p.ms.toFixed(0).padStart(8)} ms`);
out(
  `\n(workspace rate ${RATE}/s, burst ${BURST}; ${new Date().toISOString().slice(0, 10)}, Node ${process.version})`,
);

await accord.close();
await embedded?.stop();
server.close();
