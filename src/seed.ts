/** The demo organisation a newcomer sees on a fresh `npm start`: members in three time zones and next month's cycle. */
import { addMember } from './app/members.js';
import { createCycle } from './app/cycles.js';
import { createOrg } from './app/orgs.js';
import type { Deps } from './app/ports.js';
import type { Actor } from './app/records.js';
import type { Role } from './domain/people.js';
import { localDate, nextMonth } from './domain/time.js';

const SEED_ACTOR: Actor = { type: 'system', id: 'seed' };

/** Germany's fixed-date public holidays (the demo org sits in Berlin). */
function berlinHolidays(year: number): string[] {
  return ['01-01', '05-01', '10-03', '12-24', '12-25', '12-26', '12-31'].flatMap((d) => [
    `${year}-${d}`,
    `${year + 1}-${d}`,
  ]);
}

export async function seedDemo(
  deps: Deps,
): Promise<{ orgId: string; apiToken: string; cycleId: string; month: string }> {
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
  return { orgId: org.id, apiToken, cycleId: cycle.id, month };
}
