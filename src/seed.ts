/**
 * The demo organisation a newcomer sees on a fresh `npm start`: members in three time zones and next
 * month's cycle. Its API token and pack link are returned to be shown once; nothing keeps them.
 */
import { addMember } from './app/members.js';
import { createCycle } from './app/cycles.js';
import { createOrg } from './app/orgs.js';
import type { Deps } from './app/ports.js';
import type { Actor } from './app/records.js';
import type { Role } from './domain/people.js';
import { localDate, monthName, monthNumber, nextMonth } from './domain/time.js';
import { importDataset } from './app/datasets.js';
import { buildPack } from './app/packs.js';
import { syntheticCompany, uploadParts } from './demo/synthetic.js';

const DEMO_FAMILIES = [
  'Sparkling water 0.5 l',
  'Still water 1.5 l',
  'Apple spritzer 0.33 l',
  'Orange juice 1 l',
  'Iced tea peach 0.5 l',
  'Cola zero 0.33 l',
  'Energy drink 0.25 l',
  'Ginger ale 0.2 l',
  'Tonic water 0.2 l',
  'Lemonade classic 0.5 l',
  'Cold brew coffee 0.25 l',
  'Oat drink barista 1 l',
];
const DEMO_RESOURCES = [
  { name: 'PET bottling line 1 (Berlin)', kind: 'line' as const },
  { name: 'PET bottling line 2 (Berlin)', kind: 'line' as const },
  { name: 'Can line (Leipzig)', kind: 'line' as const },
  { name: 'Carton line (Leipzig)', kind: 'line' as const },
  { name: 'PET preform supplier', kind: 'supplier' as const },
  { name: 'Closures supplier', kind: 'supplier' as const },
];

const SEED_ACTOR: Actor = { type: 'system', id: 'seed' };

/** Germany's fixed-date public holidays (the demo org sits in Berlin). */
function berlinHolidays(year: number): string[] {
  return ['01-01', '05-01', '10-03', '12-24', '12-25', '12-26', '12-31'].flatMap((d) => [
    `${year}-${d}`,
    `${year + 1}-${d}`,
  ]);
}

export async function seedDemo(deps: Deps): Promise<{
  orgId: string;
  apiToken: string;
  cycleId: string;
  month: string;
  packVersion: number;
  packUrl: string;
}> {
  const now = deps.clock.now();
  const { org, apiToken } = await createOrg(
    deps,
    {
      name: 'Demo Manufacturing GmbH',
      timezone: 'Europe/Berlin',
      holidays: berlinHolidays(now.getUTCFullYear()),
    },
    SEED_ACTOR,
  );
  const people: { name: string; email: string; timezone: string; roles: Role[]; functions?: string[] }[] = [
    { name: 'Petra Weber', email: 'petra@demo.example', timezone: 'Europe/Berlin', roles: ['process-owner'] },
    {
      name: 'Sam Carter',
      email: 'sam@demo.example',
      timezone: 'America/New_York',
      roles: ['functional-leader'],
      functions: ['sales'],
    },
    {
      name: 'Lea Fischer',
      email: 'lea@demo.example',
      timezone: 'Europe/Berlin',
      roles: ['functional-leader'],
      functions: ['marketing'],
    },
    {
      name: 'Wei Lin',
      email: 'wei@demo.example',
      timezone: 'Asia/Singapore',
      roles: ['functional-leader'],
      functions: ['operations', 'logistics'],
    },
    {
      name: 'Priya Nair',
      email: 'priya@demo.example',
      timezone: 'Asia/Singapore',
      roles: ['functional-leader'],
      functions: ['procurement'],
    },
    {
      name: 'Dan Brooks',
      email: 'dan@demo.example',
      timezone: 'America/New_York',
      roles: ['functional-leader'],
      functions: ['finance'],
    },
    { name: 'Anna Schulz', email: 'anna@demo.example', timezone: 'Europe/Berlin', roles: ['executive'] },
    { name: 'Mark Ellis', email: 'mark@demo.example', timezone: 'America/New_York', roles: ['executive'] },
  ];
  const ids: string[] = [];
  for (const p of people) ids.push((await addMember(deps, org.id, p, SEED_ACTOR)).id);
  await addMember(
    deps,
    org.id,
    {
      name: 'Jonas Becker',
      email: 'jonas@demo.example',
      roles: ['executive'],
      delegation: { of: ids[6]!, authority: true },
    },
    SEED_ACTOR,
  );
  const month = nextMonth(localDate(now, org.timezone).slice(0, 7));
  const cycle = await createCycle(deps, org.id, month, SEED_ACTOR);
  // Three years of history up to last month, capacity for the horizon, and a first pack.
  const lastMonth = monthName(monthNumber(localDate(now, org.timezone).slice(0, 7)) - 1);
  const tables = syntheticCompany({
    families: DEMO_FAMILIES.length,
    familyNames: DEMO_FAMILIES,
    resources: DEMO_RESOURCES.length,
    resourceNames: DEMO_RESOURCES,
    tightShare: 0.25,
    months: 36,
    lastMonth,
    horizon: org.horizonMonths + 3,
    seed: 7,
  });
  await importDataset(deps, org.id, uploadParts(tables), SEED_ACTOR);
  const pack = await buildPack(deps, org.id, cycle.id, SEED_ACTOR);
  const packUrl = (await deps.links.forOrg(org.id)).signed(
    `/api/v1/orgs/${org.id}/cycles/${cycle.id}/pack.html`,
    now,
  );
  return { orgId: org.id, apiToken, cycleId: cycle.id, month, packVersion: pack.version, packUrl };
}
