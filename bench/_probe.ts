import { startBenchAccord } from './boot.js';
import { syntheticCompany, uploadParts } from '../src/demo/synthetic.js';
import { createOrg } from '../src/app/orgs.js';
import { importDataset } from '../src/app/datasets.js';
import { planDataFrom } from '../src/app/packs.js';
const clock = { now: () => new Date('2026-11-02T08:00:00Z') };
const b = await startBenchAccord('probe', clock);
const deps = b.accord.deps;
const { org } = await createOrg(deps, { name: 'x', timezone: 'Europe/Berlin' }, { type: 'system', id: 'b' });
const tables = syntheticCompany({ families: Number(process.argv[2] ?? 1000), resources: 50, months: 36, lastMonth: '2026-10', horizon: 27 });
let t = performance.now();
const d = await importDataset(deps, org.id, uploadParts(tables), { type: 'system', id: 'b' });
console.log('import', Math.round(performance.now() - t));
const client = b.accord.db.conn.getClient();
const prof = new Map<string, { n: number; ms: number }>();
client.on('commandSucceeded', (e) => { const p = prof.get(e.commandName) ?? { n: 0, ms: 0 }; p.n++; p.ms += e.duration; prof.set(e.commandName, p); });
for (let k = 0; k < 2; k++) {
  t = performance.now();
  const data = await planDataFrom((table) => deps.datasets.rows(org.id, d, table));
  console.log('load', Math.round(performance.now() - t), data.history.length, [...prof.entries()]);
  prof.clear();
}
await b.close();
