/**
 * bench/slack-ack: signed ballot vote clicks (Slack `block_actions`) at fixed rates against the real
 * Accord (Bolt on its express server, embedded FerretDB or MONGODB_URI, a local fake Slack Web API)
 * and against a no-op Bolt app that only acks: p50/p99 receive-to-ack at the client, errors, how
 * many votes were stored (and audited) and whether the work after the ack finished, the highest
 * sustained rate, and an autocannon max-throughput run for both.
 *
 *   npm run bench:slack-ack -- [rates=50,100,200,400,800] [seconds=10]
 *
 * Every app and the client run in processes of their own, so no event loop is shared with the app
 * measured: this one starts FerretDB and orchestrates; children run the fake Slack Web API, the
 * no-op Bolt app, the load client, and Accord. Accord is started afresh for each rate on the same
 * database (the clicks of one rate never wait behind the vote work left over from another), and
 * killed `DRAIN_CAP_S` (default 5) seconds after its last ack if its vote work is not done by then.
 * Above `TARGET_RATE` (200) a rate is skipped once a lower one had clicks time out. A last pair of
 * runs answers every fake Web API call after `SLACK_LATENCY_MS` (default 100), the round trip to
 * slack.com: does a Web API call sit before the ack? Env: MAX_SECONDS, CONNECTIONS (closed loop);
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ensureFerretDbBinary, repoRoot, startFerretDb } from '../tools/ferretdb.js';
import { slackSignature, startBenchSlack } from './fakeSlack.js';
import { hashToken } from '../src/app/tokens.js';

const SECRET = 'bench-signing-secret-0123';
const BOT_TOKEN = 'xoxb-bench';
const ADMIN_TOKEN = 'x'.repeat(32);
const EXECUTIVES = 60;
/** Executives who click: one never votes, so no ballot closes (a closed ballot refuses votes). */
const VOTERS = EXECUTIVES - 1;
const TARGET_P99_MS = 50;
const SLACK_TIMEOUT_MS = 3000;
const self = fileURLToPath(import.meta.url);
const role = process.env['SLACK_ACK_ROLE'] ?? 'main';

type Msg = { id?: number; type: string } & Record<string, unknown>;

/** Child side: answer the parent's requests by type. */
function serve(handlers: Record<string, (m: Msg) => Promise<Record<string, unknown>>>) {
  process.on('message', (m: Msg) => {
    void handlers[m.type]!(m).then((r) => process.send!({ id: m.id, ...r }));
  });
}

/** Parent side: fork this file in a role, wait for its `ready`, then call it. */
async function child(name: string, env: Record<string, string> = {}) {
  const proc = fork(self, [], {
    env: { ...process.env, SLACK_ACK_ROLE: name, ...env },
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
  });
  // Bolt logs every click it answered itself with a 404 after 3 s: counted, not printed.
  let unacked = 0;
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (/not acknowledged within 3 seconds/.test(line)) unacked++;
    else process.stderr.write(`${line}\n`);
  });
  const pending = new Map<number, (m: Msg) => void>();
  let ready!: (m: Msg) => void;
  const started = new Promise<Msg>((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
  proc.on('message', (m: Msg) => {
    if (m.type === 'ready') ready(m);
    else if (m.id !== undefined) pending.get(m.id)?.(m);
  });
  let n = 0;
  const info = await started;
  return {
    url: String(info['url']),
    pid: proc.pid,
    unacked: () => unacked,
    call<T>(type: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = ++n;
      return new Promise((resolve) => {
        pending.set(id, (m) => {
          pending.delete(id);
          resolve(m as T);
        });
        proc.send({ id, type, ...args });
      });
    },
    /** SIGKILL for Accord: whatever vote work is still queued is dropped, as in a crash. */
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}
type Child = Awaited<ReturnType<typeof child>>;

/** CPU ms a process has used so far (Linux /proc; 0 elsewhere or once it has ended). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in ticks of 10 ms
  } catch {
    return 0;
  }
}

/** CPU ms the whole machine has been busy (every core; steal included). */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * 10;
  } catch {
    return 0;
  }
}

/** The children of this process whose name matches. */
function childPids(name: RegExp): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const end = stat.lastIndexOf(')');
          return (
            Number(stat.slice(end + 2).split(' ')[1]) === process.pid &&
            name.test(stat.slice(stat.indexOf('(') + 1, end))
          );
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** Where an app's time goes when an ack is late: its event loop's delay. */
function loopStats() {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return {
    resetStats: async () => {
      loop.reset();
      return {};
    },
    stats: async () => ({ loopP99: loop.percentile(99) / 1e6 }),
  };
}

// ---------------------------------------------------------------------------------------------
// The clicks. Click j votes on ballot floor(p / VOTERS) as executive p % VOTERS, p = j modulo the
// pairs of the `planned` ballots: the clicks of the ladder are distinct votes (Accord opens the
// ballots a rate needs before it starts; the no-op app, which ignores them, gets stand-in ids of
// the same length). Past the last pair (the closed-loop run), a click flips that pair's option, so
// it still changes something (a write and an audit event) rather than repeating a vote. Warm-up
// clicks name a ballot that does not exist: Accord answers them with an ephemeral "not counted".

export interface ClickPlan {
  ballots: string[];
  users: string[];
  planned: number;
}
const NO_BALLOT = '000000000000000000000000';

const fixture = JSON.parse(
  readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'slack', 'slack-block_actions-button.json'), 'utf8'),
) as Record<string, unknown>;

/** The b-th ballot's id; for the no-op app, which ignores it, a stand-in of the same length. */
const ballotId = (plan: ClickPlan, b: number) => plan.ballots[b] ?? b.toString(16).padStart(24, 'f');

function clickBody(plan: ClickPlan, j: number): string {
  const warmup = j < 0;
  const pairs = plan.planned * VOTERS;
  const p = warmup ? -j : j % pairs;
  const pass = Math.floor(j / pairs);
  const option = (p + pass) % 2 ? 'no' : 'yes';
  const payload = {
    ...fixture,
    user: { ...(fixture['user'] as object), id: plan.users[p % VOTERS] },
    actions: [
      {
        ...(fixture['actions'] as object[])[0],
        action_id: 'ballot.vote',
        block_id: 'vote',
        value: `${warmup ? NO_BALLOT : ballotId(plan, Math.floor(p / VOTERS))}:${option}`,
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function signed(body: string, ts: number): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(SECRET, body, ts),
  };
}

// ---------------------------------------------------------------------------------------------
// The load client: an open loop at a fixed rate (each click leaves at its scheduled instant
// whatever the earlier ones are doing, and its latency counts from that instant, so a stalled
// server cannot hide behind a waiting client), and autocannon for the closed-loop maximum.

export interface OpenLoopResult {
  sent: number;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** Wall-clock ms of the last answer. */
  lastAckAt: number;
}

async function openLoop(target: string, plan: ClickPlan, from: number, rate: number, seconds: number) {
  const count = Math.round(rate * seconds);
  const ts = Math.floor(Date.now() / 1000); // valid for 5 minutes
  const bodies = Array.from({ length: count }, (_, i) => {
    const body = clickBody(plan, from < 0 ? from - i : from + i);
    return { body, headers: { ...signed(body, ts), 'content-length': String(Buffer.byteLength(body)) } };
  });
  const url = new URL('/slack/events', target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
  const latency: number[] = [];
  const errorKinds: Record<string, number> = {};
  let lastAck = 0;
  const interval = 1000 / rate;
  const t0 = performance.now() + 20;
  await new Promise<void>((resolve) => {
    let done = 0;
    const send = (i: number) => {
      const scheduled = t0 + i * interval;
      let settled = false;
      const settle = (kind: string | null) => {
        if (settled) return;
        settled = true;
        const now = performance.now();
        if (!kind && now - scheduled > SLACK_TIMEOUT_MS) kind = 'over 3 s';
        if (kind) errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        else latency.push(now - scheduled);
        lastAck = Math.max(lastAck, now);
        if (++done === count) resolve();
      };
      const req = http.request(
        {
          agent,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: bodies[i]!.headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => settle(res.statusCode === 200 ? null : `HTTP ${res.statusCode}`));
        },
      );
      req.setTimeout(SLACK_TIMEOUT_MS, () => req.destroy(new Error('over 3 s')));
      req.on('error', (err) => settle(err.message));
      req.end(bodies[i]!.body);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < count && t0 + next * interval <= now) send(next++);
      if (next < count) setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  latency.sort((a, b) => a - b);
  const q = (p: number) => latency[Math.min(latency.length - 1, Math.floor(p * latency.length))] ?? NaN;
  return {
    sent: count,
    ok: latency.length,
    errors: count - latency.length,
    errorKinds,
    p50: q(0.5),
    p99: q(0.99),
    max: latency[latency.length - 1] ?? NaN,
    lastAckAt: Date.now() - (performance.now() - lastAck),
  } satisfies OpenLoopResult;
}

export interface MaxResult {
  rps: number;
  total: number;
  errors: number;
  non2xx: number;
  p50: number;
  p99: number;
}

async function maxThroughput(
  target: string,
  plan: ClickPlan,
  from: number,
  connections: number,
  seconds: number,
): Promise<MaxResult> {
  const { default: autocannon } = await import('autocannon');
  // Pre-signed, more than any app here takes in `seconds` (autocannon adds the content-length).
  const ts = Math.floor(Date.now() / 1000);
  const pool = Array.from({ length: 5000 * seconds }, (_, i) => {
    const body = clickBody(plan, from + i);
    return { body, headers: signed(body, ts) };
  });
  let k = 0;
  const r = await autocannon({
    url: new URL('/slack/events', target).toString(),
    connections,
    duration: seconds,
    timeout: SLACK_TIMEOUT_MS / 1000,
    requests: [
      {
        setupRequest: (req) => {
          const b = pool[k++ % pool.length]!;
          return { ...req, method: 'POST', path: '/slack/events', headers: b.headers, body: b.body };
        },
      },
    ],
  });
  const total = Object.values(r.statusCodeStats).reduce((s, c) => s + Number(c.count), 0);
  return {
    rps: total / r.duration,
    total,
    errors: r.errors,
    non2xx: r.non2xx,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

// ---------------------------------------------------------------------------------------------
// The roles.

async function fakeSlackRole() {
  const slack = await startBenchSlack();
  serve({
    counts: async () => ({ counts: { ...slack.counts } }),
    latency: async (m) => {
      slack.setLatency(Number(m['ms']));
      return {};
    },
  });
  process.send!({ type: 'ready', url: slack.url });
}

/** A bare Bolt app the usual way: ExpressReceiver on an express server, auth.test once at start. */
async function noopRole() {
  const { default: bolt } = await import('@slack/bolt');
  const { default: express } = await import('express');
  const router = express.Router();
  const receiver = new bolt.ExpressReceiver({
    signingSecret: SECRET,
    endpoints: '/slack/events',
    router,
    logLevel: bolt.LogLevel.ERROR,
    processBeforeResponse: false,
  });
  const app = new bolt.App({
    token: BOT_TOKEN,
    receiver,
    logLevel: bolt.LogLevel.ERROR,
    clientOptions: { slackApiUrl: process.env['SLACK_API_URL']! },
  });
  app.action(/^ballot\.vote(:\d+)?$/, async ({ ack }) => {
    await ack();
  });
  const server = express().use(router).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  server.keepAliveTimeout = 60_000;
  serve(loopStats());
  process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

/** Accord as `accord start` builds it, with Slack; errors after the ack are counted, not printed. */
async function accordRole() {
  const [{ buildAccord }, { createLogger }] = await Promise.all([
    import('../src/accord.js'),
    import('../src/logger.js'),
  ]);
  const errors: string[] = [];
  const kinds: Record<string, number> = {};
  const logged = (line: string) => {
    errors.push(line);
    let kind = 'unparsed log line';
    try {
      const e = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      kind = (e.err?.message ?? e.msg ?? kind).slice(0, 80);
    } catch {
      // keep the generic kind
    }
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  };
  const accord = await buildAccord({
    mongodbUri: process.env['ACCORD_URI']!,
    dbName: process.env['ACCORD_DB']!,
    adminTokenHash: hashToken(ADMIN_TOKEN),
    logger: createLogger('error', { write: logged }),
    rootDir: repoRoot(),
    slack: { signingSecret: SECRET, botToken: BOT_TOKEN, apiUrl: process.env['SLACK_API_URL'] },
  });
  // What-if (not Accord's code): no OAuth installation is read before the ack, as if the single
  // workspace's authorize needed no database.
  const server = accord.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  server.keepAliveTimeout = 60_000;
  serve({
    errors: async () => ({ count: errors.length, first: errors[0] ?? null, kinds: { ...kinds } }),
    ...loopStats(),
  });
  process.send!({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

async function loadRole() {
  serve({
    openLoop: async (m) => ({
      result: await openLoop(
        String(m['target']),
        m['plan'] as ClickPlan,
        Number(m['from']),
        Number(m['rate']),
        Number(m['seconds']),
      ),
    }),
    max: async (m) => ({
      result: await maxThroughput(
        String(m['target']),
        m['plan'] as ClickPlan,
        Number(m['from']),
        Number(m['connections']),
        Number(m['seconds']),
      ),
    }),
  });
  process.send!({ type: 'ready', url: '' });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const rates = (process.argv[2] ?? '50,100,200,400,800').split(',').map(Number);
  const seconds = Number(process.argv[3] ?? 10);
  const targetRate = Number(process.env['TARGET_RATE'] ?? 200);
  const maxSeconds = Number(process.env['MAX_SECONDS'] ?? 10);
  const connections = Number(process.env['CONNECTIONS'] ?? 50);
  const drainCapS = Number(process.env['DRAIN_CAP_S'] ?? 5);
  const slackLatencyMs = Number(process.env['SLACK_LATENCY_MS'] ?? 100);
  const started = performance.now();
  const log = (line: string) =>
    process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}\n`);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms` : 'n/a');

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'accord-slack-ack-'));
  const embedded = process.env['MONGODB_URI']
    ? null
    : await startFerretDb({
        binary: await ensureFerretDbBinary({ cacheDir: path.join(repoRoot(), '.data') }),
        dataDir,
      });
  const uri = process.env['MONGODB_URI'] ?? embedded!.uri;
  const dbName = `bench_slack_ack_${Date.now()}`;
  const { MongoClient } = await import('mongodb');
  const mongo = await new MongoClient(uri).connect();
  const db = mongo.db(dbName);

  const slack = await child('slack');
  const slackCounts = async () => (await slack.call<{ counts: Record<string, number> }>('counts')).counts;
  const noop = await child('noop', { SLACK_API_URL: slack.url });
  const load = await child('load');
  const startAccord = () => child('accord', { ACCORD_URI: uri, ACCORD_DB: dbName, SLACK_API_URL: slack.url });
  let accord: Child = await startAccord();

  // The org, its executives (each linked to a Slack user id: no users.info while measuring) and a
  // cycle, through the REST API; ballots are opened the same way before each rate that needs them.
  const api = async (method: string, p: string, token: string, body?: unknown) => {
    const res = await fetch(new URL(p, accord.url), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const org = await api('POST', '/api/v1/orgs', ADMIN_TOKEN, { name: 'Bench Co', timezone: 'UTC' });
  const orgId = String(org['id']);
  const token = String(org['apiToken']);
  const po = await api('POST', `/api/v1/orgs/${orgId}/members`, token, {
    name: 'Petra PO',
    email: 'po@bench.example',
    roles: ['process-owner'],
  });
  const users: string[] = [];
  for (let i = 0; i < EXECUTIVES; i++) {
    const slackUserId = `U${String(i).padStart(6, '0')}`;
    await api('POST', `/api/v1/orgs/${orgId}/members`, token, {
      name: `Exec ${i}`,
      email: `exec${i}@bench.example`,
      roles: ['executive'],
      slackUserId,
    });
    users.push(slackUserId);
  }
  const cycle = await api('POST', `/api/v1/orgs/${orgId}/cycles`, token, { month: '2027-02' });
  await accord.stop();
  const ladderClicks = rates.reduce((s, r) => s + r * seconds, 0) + rates[0]! * 5;
  const plan: ClickPlan = { ballots: [], users, planned: Math.ceil(ladderClicks / VOTERS) };
  const deadline = new Date(Date.now() + 7 * 86_400_000).toISOString();
  /** Opens ballots (four at a time) until clicks [0, clicks) are distinct votes on open ballots. */
  const openBallotsFor = async (clicks: number) => {
    const want = Math.min(plan.planned, Math.ceil(clicks / VOTERS));
    let next = plan.ballots.length;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let b = next++; b < want; b = next++) {
          const ballot = await api(
            'POST',
            `/api/v1/orgs/${orgId}/cycles/${String(cycle['id'])}/ballots`,
            token,
            {
              actorId: po['id'],
              deadline,
              title: `Bench ballot ${b}`,
              options: ['yes', 'no'],
            },
          );
          plan.ballots[b] = String(ballot['id']);
        }
      }),
    );
  };
  log(`set up the org: ${EXECUTIVES} executives, one cycle`);

  const passes = (r: OpenLoopResult) => r.errors === 0 && r.p99 < TARGET_P99_MS;
  const errs = (r: OpenLoopResult) =>
    r.errors
      ? `${r.errors.toLocaleString('en')} (${Object.entries(r.errorKinds)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')})`
      : '0';
  const run = async (target: string, from: number, rate: number, secs: number, p: ClickPlan = plan) =>
    (await load.call<{ result: OpenLoopResult }>('openLoop', { target, plan: p, from, rate, seconds: secs }))
      .result;
  const max = async (target: string, from: number, p: ClickPlan) =>
    (
      await load.call<{ result: MaxResult }>('max', {
        target,
        plan: p,
        from,
        connections,
        seconds: maxSeconds,
      })
    ).result;
  const rows: string[] = [];
  const row = (cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);
  const sustained = { noop: 0, accord: 0, accordStored: 0 };

  // CPU while clicks arrive: the app, FerretDB, and everything outside this bench (the machine may
  // be shared: whatever else runs shows there, and makes the figures of that row suspect).
  const ferretPid = childPids(/ferretdb/)[0];
  const ownCpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const cpuNow = (app: Child) => ({
    t: performance.now(),
    machine: machineBusyMs(),
    app: cpuMsOf(app.pid),
    ferretdb: cpuMsOf(ferretPid),
    bench: ownCpuMs() + [slack, noop, load, accord].reduce((s, c) => s + cpuMsOf(c.pid), cpuMsOf(ferretPid)),
  });
  const measured = async <T>(app: Child, work: () => Promise<T>) => {
    await app.call('resetStats');
    const a = cpuNow(app);
    const result = await work();
    const b = cpuNow(app);
    const { loopP99 } = await app.call<{ loopP99: number }>('stats');
    const wall = b.t - a.t;
    const cores = (x: number) => (x / wall).toFixed(2);
    return {
      result,
      loop: ms(loopP99),
      cpu: `${cores(b.app - a.app)} / ${cores(b.ferretdb - a.ferretdb)} / ${cores(Math.max(0, b.machine - a.machine - (b.bench - a.bench)))}`,
    };
  };

  // 1. The no-op Bolt app: the same clicks at the same rates, then its closed-loop maximum.
  await run(noop.url, -1, 50, 2); // warm-up
  let from = 0;
  for (const rate of rates) {
    const { result: r, loop, cpu } = await measured(noop, () => run(noop.url, from, rate, seconds));
    from += r.sent;
    log(
      `no-op ${rate}/s: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, errors ${r.errors}; event loop p99 ${loop}, CPU ${cpu}`,
    );
    row([
      'no-op Bolt',
      rate,
      r.sent.toLocaleString('en'),
      errs(r),
      ms(r.p50),
      ms(r.p99),
      ms(r.max),
      '',
      '',
      '',
      loop,
      cpu,
    ]);
    if (passes(r)) sustained.noop = Math.max(sustained.noop, rate);
    await sleep(500);
  }
  const noopMax = await measured(noop, () => max(noop.url, 0, plan));
  log(
    `no-op max: ${noopMax.result.rps.toFixed(0)} acks/s, p99 ${ms(noopMax.result.p99)}, CPU ${noopMax.cpu}`,
  );

  // 2. Accord, afresh for each rate on the same database, with the same clicks. After the rate,
  // wait for the vote work (it runs after the ack): each click ends in a chat.update of its ballot
  // message, an ephemeral "not counted", or a handler error. Accord is stopped (SIGKILL: the rest
  // of its queue is dropped) when that is done or DRAIN_CAP_S after the last ack.
  const finished = async (a: Child) => {
    const c = await slackCounts();
    const e = await a.call<{ count: number }>('errors');
    return (c['chat.update'] ?? 0) + (c['chat.postEphemeral'] ?? 0) + e.count;
  };
  const untilFinished = async (a: Child, target: number, lastAckAt: number, capS: number) => {
    for (;;) {
      const n = await finished(a);
      const waited = (Date.now() - lastAckAt) / 1000;
      if (n >= target || waited > capS) return { waited, left: Math.max(0, target - n) };
      await sleep(100);
    }
  };
  const votes = () => db.collection('votes').countDocuments({});
  const voteEvents = () =>
    db.collection('auditEvents').countDocuments({ action: { $in: ['vote.cast', 'vote.changed'] } });
  const authTests = async () => (await slackCounts())['auth.test'] ?? 0;
  const firstErrors: string[] = [];
  const accordRun = async (rate: number, secs: number) => {
    const t = performance.now();
    const phase = () => `${((performance.now() - t) / 1000).toFixed(1)} s`;
    accord = await startAccord();
    const phases = [`started ${phase()}`];
    await openBallotsFor(from + rate * secs);
    phases.push(`${plan.ballots.length} ballots open ${phase()}`);
    const beforeWarm = await finished(accord);
    const warm = await run(accord.url, -1, 20, 1); // warm-up: the ack path, no vote stored
    await untilFinished(accord, beforeWarm + warm.sent, Date.now(), 10);
    phases.push(`warm ${phase()}`);
    type Errors = { count: number; first: string | null; kinds: Record<string, number> };
    const errorsNow = () => accord.call<Errors>('errors');
    const before = {
      votes: await votes(),
      audit: await voteEvents(),
      finished: await finished(accord),
      auth: await authTests(),
      errors: await errorsNow(),
      unacked: accord.unacked(),
    };
    const m = await measured(accord, () => run(accord.url, from, rate, secs));
    const r = m.result;
    from += r.sent;
    const auth = (await authTests()) - before.auth;
    phases.push(`clicked ${phase()}`);
    // Every click's handler ends somehow, the late ones too (their ack() throws).
    const d = await untilFinished(accord, before.finished + r.sent, r.lastAckAt, drainCapS);
    const after = await errorsNow();
    if (after.first) firstErrors.push(after.first);
    const failed = Object.entries(after.kinds)
      .map(([k, n]) => [k, n - (before.errors.kinds[k] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const unacked = accord.unacked() - before.unacked;
    await accord.stop('SIGKILL');
    const stored = (await votes()) - before.votes;
    const audited = (await voteEvents()) - before.audit;
    phases.push(`stopped and counted ${phase()}`);
    log(`  Accord ${rate}/s: ${phases.join(', ')}`);
    return { ...m, r, d, auth, stored, audited, failed, unacked };
  };
  let lastErrors = 0;
  from = 0;
  for (const rate of rates) {
    if (rate > targetRate && lastErrors) {
      row([
        '**Accord**',
        rate,
        'not run: clicks already timed out at a lower rate',
        ...Array<string>(9).fill(''),
      ]);
      continue;
    }
    const { r, d, stored, audited, failed, unacked, loop, cpu, auth } = await accordRun(rate, seconds);
    lastErrors = r.errors;
    const failures = failed.map(([k, n]) => `${n.toLocaleString('en')} "${k}"`).join(', ') || '0';
    log(
      `Accord ${rate}/s: p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, errors ${r.errors}; ${stored}/${r.sent} votes stored, ${audited} audited${d.left ? `, ${d.left} clicks unfinished ${drainCapS} s after the last ack` : `, done ${d.waited.toFixed(1)} s after the last ack`}; failed ${failures}; Bolt 404s ${unacked}; event loop p99 ${loop}, CPU ${cpu}; auth.test ${auth}`,
    );
    row([
      '**Accord**',
      rate,
      r.sent.toLocaleString('en'),
      errs(r),
      ms(r.p50),
      ms(r.p99),
      ms(r.max),
      `${stored.toLocaleString('en')} (${((stored / r.sent) * 100).toFixed(0)}%) / ${audited.toLocaleString('en')}`,
      failures,
      d.left ? `${d.left.toLocaleString('en')} clicks` : `none (${d.waited.toFixed(1)} s)`,
      loop,
      cpu,
    ]);
    if (passes(r)) sustained.accord = Math.max(sustained.accord, rate);
    if (passes(r) && stored === r.sent) sustained.accordStored = Math.max(sustained.accordStored, rate);
  }
  // The closed loop flips the votes of the ballots opened so far (a vote or a changed vote each).
  const opened: ClickPlan = { ...plan, planned: plan.ballots.length };
  accord = await startAccord();
  const accordMax = await measured(accord, () => max(accord.url, opened.planned * VOTERS, opened));
  await accord.stop('SIGKILL');
  log(
    `Accord max: ${accordMax.result.rps.toFixed(0)} acks/s, p99 ${ms(accordMax.result.p99)}, CPU ${accordMax.cpu}`,
  );

  // 3. Slack's Web API 100 ms away (as slack.com is): does any Web API call sit before the ack?
  await slack.call('latency', { ms: slackLatencyMs });
  const lowRate = rates[0]!;
  const authBefore = await authTests();
  const noopFar = await run(noop.url, from, lowRate, 5);
  const authNoop = (await authTests()) - authBefore;
  const { r: accordFar, auth: authAccord } = await accordRun(lowRate, 5);
  log(`Web API ${slackLatencyMs} ms away: no-op p50 ${ms(noopFar.p50)}, Accord p50 ${ms(accordFar.p50)}`);

  const calls = await slackCounts();
  const audit = db.collection('auditEvents');
  const totals = {
    votes: await votes(),
    cast: await audit.countDocuments({ action: 'vote.cast' }),
    changed: await audit.countDocuments({ action: 'vote.changed' }),
  };

  out('');
  out(
    `| app | rate (clicks/s) | clicks | errors at the client | p50 ack | p99 ack | max ack | votes stored / audited | handlers failed after the ack | vote work still running ${drainCapS} s after the last ack | app's event-loop delay p99 | CPU cores: app / FerretDB / outside the bench |`,
  );
  out('| --- | --: | --: | --- | --: | --: | --: | --: | --- | --- | --: | --: |');
  for (const r of rows) out(r);
  out('');
  out(
    `| closed loop (autocannon, ${maxSeconds} s) | connections | acks/s | p50 | p99 | errors / non-2xx | CPU cores: app / FerretDB / outside the bench |`,
  );
  out('| --- | --: | --: | --: | --: | --: | --: |');
  for (const [name, { result: m, cpu }] of [
    ['no-op Bolt', noopMax],
    ['Accord', accordMax],
  ] as const)
    out(
      `| ${name} | ${connections} | ${m.rps.toFixed(0)} | ${ms(m.p50)} | ${ms(m.p99)} | ${m.errors} / ${m.non2xx} | ${cpu} |`,
    );
  out('');
  out(
    `| Web API ${slackLatencyMs} ms away, ${lowRate} clicks/s for 5 s | p50 ack | p99 ack | errors | auth.test calls |`,
  );
  out('| --- | --: | --: | --: | --: |');
  out(`| no-op Bolt | ${ms(noopFar.p50)} | ${ms(noopFar.p99)} | ${errs(noopFar)} | ${authNoop} |`);
  out(`| Accord | ${ms(accordFar.p50)} | ${ms(accordFar.p99)} | ${errs(accordFar)} | ${authAccord} |`);
  out('');
  out(
    `Highest sustained rate (p99 < ${TARGET_P99_MS} ms, no errors): no-op ${sustained.noop || 'none'}/s; Accord ${sustained.accord || 'none'}/s for the ack, ${sustained.accordStored || 'none'}/s with every vote stored.`,
  );
  out(
    `Max throughput, Accord / no-op: ${((accordMax.result.rps / noopMax.result.rps) * 100).toFixed(0)}% (target 70%).`,
  );
  out(
    `Database at the end: ${plan.ballots.length} ballots, ${totals.votes.toLocaleString('en')} votes; audit events vote.cast ${totals.cast.toLocaleString('en')}, vote.changed ${totals.changed.toLocaleString('en')}. Fake Slack Web API calls: ${Object.entries(
      calls,
    )
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ')}.`,
  );
  if (firstErrors[0]) out(`First error logged by Accord: ${firstErrors[0].slice(0, 300)}`);
  log(`done`);

  await Promise.all([load.stop(), noop.stop(), slack.stop()]);
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

if (role === 'slack') await fakeSlackRole();
else if (role === 'noop') await noopRole();
else if (role === 'accord') await accordRole();
else if (role === 'load') await loadRole();
else await main();
