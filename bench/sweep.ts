/**
 * bench/sweep: how long the scheduler's sweep takes for many orgs, on the embedded FerretDB
 * (or MONGODB_URI). Builds N orgs of 10 members with one cycle each, then times three sweeps:
 * the moment two steps open (prompts), the same moment again (the idempotent no-op), and the
 * morning reminders are due.
 *
 *   npm run bench:sweep -- [orgs=100]
 */
import { startBenchAccord } from './boot.js';
import { addMember } from '../src/app/members.js';
import { createCycle } from '../src/app/cycles.js';
import { advanceAllCycles } from '../src/app/cycleEngine.js';
import { createOrg } from '../src/app/orgs.js';
import type { Clock } from '../src/app/ports.js';
import type { Role } from '../src/domain/people.js';

const orgCount = Number(process.argv[2] ?? 100);
let now = new Date('2027-01-20T10:00:00Z');
const clock: Clock = { now: () => now };
const out = (line: string) => process.stdout.write(`${line}\n`);

const bench = await startBenchAccord('sweep', clock);
const accord = bench.accord;
const deps = accord.deps;
const actor = { type: 'system' as const, id: 'bench' };
const people: { roles: Role[]; functions?: string[]; timezone: string }[] = [
  { roles: ['process-owner'], timezone: 'Europe/Berlin' },
  ...['sales', 'marketing', 'operations', 'procurement', 'logistics', 'finance'].map((f, i) => ({
    roles: ['functional-leader'] as Role[],
    functions: [f],
    timezone: ['America/New_York', 'Europe/Berlin', 'Asia/Singapore'][i % 3]!,
  })),
  { roles: ['executive'], timezone: 'Europe/Berlin' },
  { roles: ['executive'], timezone: 'America/New_York' },
  { roles: ['executive'], timezone: 'Asia/Singapore' },
];

const setupStart = performance.now();
for (let o = 0; o < orgCount; o++) {
  const { org } = await createOrg(deps, { name: `Org ${o}`, timezone: 'Europe/Berlin' }, actor);
  for (const [i, p] of people.entries()) {
    await addMember(deps, org.id, { name: `P${i}`, email: `p${i}@org${o}.example`, ...p }, actor);
  }
  await createCycle(deps, org.id, '2027-02', actor);
}
out(
  `set up ${orgCount} orgs x ${people.length} members in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`,
);

// PROFILE=1 prints where the database time of each sweep goes (command, collection, count, total ms).
const profile = new Map<string, { n: number; ms: number }>();
if (process.env['PROFILE']) {
  const client = accord.db.conn.getClient();
  client.on('commandSucceeded', (e) => {
    const cmd = e.commandName;
    const k = cmd;
    const p = profile.get(k) ?? { n: 0, ms: 0 };
    p.n++;
    p.ms += e.duration;
    profile.set(k, p);
  });
}

async function timedSweep(label: string, at: string) {
  profile.clear();
  now = new Date(at);
  const before = await accord.db.models.OutboxMessage.collection.countDocuments({});
  const t0 = performance.now();
  const cycles = await advanceAllCycles(deps, (id, err) => {
    throw err;
  });
  const ms = performance.now() - t0;
  const after = await accord.db.models.OutboxMessage.collection.countDocuments({});
  out(
    `| ${label} | ${cycles} | ${ms.toFixed(0)} ms | ${(ms / cycles).toFixed(1)} ms | ${after - before} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB |`,
  );
  if (profile.size) {
    const top = [...profile.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
    out(`    db: ${top.map(([k, v]) => `${k} x${v.n} ${v.ms.toFixed(0)} ms`).join(', ')}`);
  }
}

out('| sweep | cycles | total | per cycle | messages queued | RSS |');
out('|---|---|---|---|---|---|');
await timedSweep('two steps open (prompts)', '2027-02-03T08:00:00Z');
await timedSweep('same moment again (no-op)', '2027-02-03T08:00:30Z');
await timedSweep('due-day reminders', '2027-02-03T09:00:00Z');
await timedSweep('quiet minute', '2027-02-04T10:00:00Z');

await accord.db.conn.db!.dropDatabase();
await bench.close();
