/**
 * bench/teams-fanout: a step opening for N people (default 1,000) delivered to Teams through a
 * local fake Bot Framework connector that enforces Teams' limits (per conversation 7/1 s, 8/2 s,
 * 60/30 s; per tenant 30 requests a second; 429 with Retry-After beyond them), against the least
 * time those limits allow: messages / 30 per second (one tenant). Everyone has a stored 1:1 chat.
 * Counts 429s, what was lost and what was sent twice (both must be zero), and the peak RSS.
 *
 * The deliverer goes through the Teams SDK's own client (an App whose token is a fixed JWT), as
 * in production; the connector answers after `latency` ms (a round trip to Teams; default 0).
 *
 * `memory` as the third argument keeps the outbox's delivery state in this process instead of the
 * database (claims and outcomes in maps; everything else still on the database): the deliverer's
 * own pace, without the development store's cost of updating an outbox message.
 *
 * npm run bench:teams-fanout -- [people=1000] [latency ms=0] [memory]
 */
import os from 'node:os';
import { App } from '@microsoft/teams.apps';
import { sdkConnector, teamsDeliverer } from '../bots/teams/deliver.js';
import { advanceAllCycles } from '../src/app/cycleEngine.js';
import { createCycle } from '../src/app/cycles.js';
import { addMember } from '../src/app/members.js';
import { createOrg } from '../src/app/orgs.js';
import type { Clock, Deps, Outbox } from '../src/app/ports.js';
import type { OutboxRecord } from '../src/app/records.js';
import type { Card } from '../src/cards/card.js';
import { createLogger } from '../src/logger.js';
import { startFakeConnector } from '../tools/fakeConnector.js';
import { startBenchAccord } from './boot.js';

const PEOPLE = Number(process.argv[2] ?? 1000);
const LATENCY_MS = Number(process.argv[3] ?? 0);
const MEMORY = process.argv[4] === 'memory';
const TENANT_PER_SECOND = 30;
const TENANT = 'bench-tenant';
const out = (line: string) => process.stdout.write(`${line}\n`);

// Peak RSS of this whole process (server, client, database driver), sampled.
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const teams = await startFakeConnector({ enforceLimits: true, latencyMs: LATENCY_MS });

// ---------------------------------------------------------------------------------------------
// Accord on the embedded FerretDB, an org of PEOPLE (a process owner and functional leaders), each
// with a stored 1:1 chat with Accord, and a step about to open.

let now = new Date('2027-02-01T08:00:00Z');
const clock: Clock = { now: () => now };
const bench = await startBenchAccord('teams-fanout', clock);
const accord = bench.accord;
const deps = accord.deps;
// PROFILE=1: where the database time of the delivery goes (command and collection).
const profile = new Map<string, { n: number; ms: number }>();
let profiling = false;
const started = new Map<number, string>();
if (process.env['PROFILE']) {
  const client = accord.db.conn.getClient();
  client.on('commandStarted', (e) => {
    const coll = (e.command as Record<string, unknown>)[e.commandName];
    started.set(e.requestId, `${e.commandName} ${typeof coll === 'string' ? coll : ''}`);
  });
  client.on('commandSucceeded', (e) => {
    const key = started.get(e.requestId) ?? e.commandName;
    started.delete(e.requestId);
    if (!profiling) return;
    const p = profile.get(key) ?? { n: 0, ms: 0 };
    p.n++;
    p.ms += e.duration;
    profile.set(key, p);
  });
}
const actor = { type: 'system' as const, id: 'bench' };
const setupStarted = Date.now();
const { org } = await createOrg(deps, { name: 'Teams Fanout Co', timezone: 'Europe/Berlin' }, actor);
await deps.teams.connectTenant(TENANT, org.id, now);
const functions = ['sales', 'marketing'];
const people = [];
people.push(
  await addMember(
    deps,
    org.id,
    {
      name: 'Owner',
      email: 'owner@teams-fanout.example',
      roles: ['process-owner'],
      timezone: 'Europe/Berlin',
      teamsUserId: '29:owner',
    },
    actor,
  ),
);
for (let i = 1; i < PEOPLE; i++)
  people.push(
    await addMember(
      deps,
      org.id,
      {
        name: `Leader ${i}`,
        email: `leader${i}@teams-fanout.example`,
        roles: ['functional-leader'],
        functions: [functions[i % 2]!],
        timezone: 'Europe/Berlin',
        teamsUserId: `29:leader-${i}`,
      },
      actor,
    ),
  );
for (let i = 0; i < people.length; i += 8)
  await Promise.all(
    people.slice(i, i + 8).map(async (m) => {
      const conversationId = `a:chat-${m.id}`;
      teams.addConversation({ id: conversationId, tenantId: TENANT, members: [m.teamsUserId!] });
      await deps.teams.saveConversation(
        {
          orgId: org.id,
          tenantId: TENANT,
          kind: 'personal',
          conversationId,
          serviceUrl: teams.url,
          teamsUserId: m.teamsUserId,
          aadObjectId: null,
          memberId: m.id,
          teamId: null,
          name: m.name,
        },
        now,
      );
    }),
  );
await createCycle(deps, org.id, '2027-02', actor);
await advanceAllCycles(deps, (_id, err) => {
  throw err;
});
now = new Date('2027-02-03T08:00:00Z'); // 09:00 in Berlin: demand planning opens
await advanceAllCycles(deps, (_id, err) => {
  throw err;
});
const queued = await accord.db.models.OutboxMessage.countDocuments({ status: 'pending' });
out(
  `set up ${PEOPLE} people with 1:1 chats in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s; queued ${queued} messages (the step opening)`,
);

// ---------------------------------------------------------------------------------------------
// Deliver everything, as the scheduler would (drain after drain), through the SDK's client.

/** The bot's token as the SDK holds it: a decodable JWT (MSAL cannot be pointed at a fake). */
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const botToken = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ aud: 'https://api.botframework.com', exp: 4_102_444_800 })}.c2ln`;
const app = new App({ clientId: 'accord-bench-bot', token: () => botToken });
const render = (card: Card) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: card.blocks.map((b) => ({ type: 'TextBlock', text: 'text' in b ? b.text : b.type, wrap: true })),
});
/**
 * The outbox's delivery state in maps (bench only): the messages due when it starts, their claims
 * and outcomes; a unique claim is a Set insert, as it is a unique insert in the database.
 */
async function memoryOutbox(db: Outbox): Promise<Outbox & { count(status: string): number }> {
  const messages = new Map<string, OutboxRecord>(
    (await db.due(new Date('2100-01-01T00:00:00Z'), 1_000_000)).map((m) => [m.id, { ...m }]),
  );
  const claims = new Map<string, Date>();
  return {
    ...db,
    async due(at, limit) {
      return [...messages.values()]
        .filter((m) => m.status === 'pending' && m.notBefore <= at)
        .sort((a, b) => a.notBefore.getTime() - b.notBefore.getTime())
        .slice(0, limit)
        .map((m) => ({ ...m }));
    },
    async claim(id, attempt, at) {
      if (claims.has(`${id}:${attempt}`)) return false;
      claims.set(`${id}:${attempt}`, at);
      return true;
    },
    async claimedAt(id, attempt) {
      return claims.get(`${id}:${attempt}`) ?? null;
    },
    async settle(id, outcome) {
      Object.assign(messages.get(id)!, outcome);
    },
    count: (status) => [...messages.values()].filter((m) => m.status === status).length,
  };
}
const memory = MEMORY ? await memoryOutbox(deps.outbox) : null;
const deliveryDeps: Deps = memory ? { ...deps, outbox: memory } : deps;
const count = async (status: string) =>
  memory ? memory.count(status) : accord.db.models.OutboxMessage.countDocuments({ status });

const deliverer = teamsDeliverer(deliveryDeps, {
  render,
  connectorFor: sdkConnector(app.api.http, { botId: app.id! }),
  connected: async () => ({ slack: false, teams: true }),
  logger: createLogger('silent'),
  perTenantPerSecond: TENANT_PER_SECOND,
  writeConcurrency: Number(process.env['WRITES'] ?? 1),
});

profiling = true;
const loadBefore = os.loadavg()[0]!;
const cpuBefore = process.cpuUsage();
const began = Date.now();
const rssBefore = process.memoryUsage().rss;
let drains = 0;
for (;;) {
  await deliverer.drain();
  drains++;
  const pending = await count('pending');
  if (!pending) break;
  if (Date.now() - began > 10 * 60_000) throw new Error(`still ${pending} pending after 10 minutes`);
  await new Promise((r) => setTimeout(r, 200)); // what waits for a Retry-After is due a little later
  now = new Date(now.getTime() + 200);
}
const elapsed = (Date.now() - began) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const load = `${loadBefore.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}`;
const delivered = await count('delivered');
const dead = await count('dead');
const seen = new Map<string, number>();
for (const a of teams.activities) {
  const k = `${a.conversationId}\n${JSON.stringify(a.activity['attachments'])}`;
  seen.set(k, (seen.get(k) ?? 0) + 1);
}
const twice = [...seen.values()].reduce((s, n) => s + n - 1, 0);
const minimum = queued / TENANT_PER_SECOND;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

out('');
out(
  '| people | messages | delivered | dead | lost | sent twice | 429s | latency | outbox state | drains | time | minimum (messages / 30 per s) | over the minimum | peak RSS |',
);
out(
  '| -----: | -------: | --------: | ---: | ---: | ---------: | ---: | ------: | -----------: | -----: | ---: | ----------------------------: | ---------------: | -------: |',
);
out(
  `| ${PEOPLE} | ${queued} | ${delivered} | ${dead} | ${queued - delivered - dead} | ${twice} | ${teams.rateLimited} | ${LATENCY_MS} ms | ${MEMORY ? 'in memory' : 'database'} | ${drains} | ${elapsed.toFixed(1)} s | ${minimum.toFixed(1)} s | ${(((elapsed - minimum) / minimum) * 100).toFixed(1)}% | ${(peakRss / 2 ** 20).toFixed(0)} MiB |`,
);
out(
  `\n(RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB when delivery began; this process's CPU while delivering ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load average ${load}; ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''})`,
);

if (process.env['PROFILE'])
  for (const [k, p] of [...profile].sort((a, b) => b[1].ms - a[1].ms))
    out(`${k.padEnd(32)} ${String(p.n).padStart(6)} calls ${p.ms.toFixed(0).padStart(8)} ms`);

await bench.close();
await teams.close();
