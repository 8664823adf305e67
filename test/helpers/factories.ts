/** Factories over the real API: build what a test needs with overrides, the way a client would. */
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import type { TestAccord } from './accord.js';

export interface OrgHandle {
  id: string;
  token: string;
  auth: { Authorization: string };
}

export async function buildOrg(t: TestAccord, overrides: Record<string, unknown> = {}): Promise<OrgHandle> {
  const res = await t.http
    .post('/api/v1/orgs')
    .set('Authorization', `Bearer ${t.adminToken}`)
    .send({ name: 'Acme Foods', timezone: 'Europe/Berlin', ...overrides });
  if (res.status !== 201) throw new Error(`buildOrg: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.id,
    token: res.body.apiToken,
    auth: { Authorization: `Bearer ${res.body.apiToken}` },
  };
}

let n = 0;
export async function buildMember(t: TestAccord, org: OrgHandle, overrides: Record<string, unknown> = {}) {
  n++;
  const res = await t.http
    .post(`/api/v1/orgs/${org.id}/members`)
    .set(org.auth)
    .send({
      name: `Person ${n}`,
      email: `person${n}-${Date.now()}@example.com`,
      roles: ['executive'],
      ...overrides,
    });
  if (res.status !== 201) throw new Error(`buildMember: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; timezone: string };
}

/** A full team: a process owner, a leader for each default function, two executives. */
export async function buildTeam(t: TestAccord, org: OrgHandle, timezones: Record<string, string> = {}) {
  const po = await buildMember(t, org, {
    name: 'Petra PO',
    roles: ['process-owner'],
    timezone: timezones['po'],
  });
  const leaders: Record<string, { id: string; name: string }> = {};
  for (const fn of ['sales', 'marketing', 'operations', 'procurement', 'logistics', 'finance']) {
    leaders[fn] = await buildMember(t, org, {
      name: `Lead ${fn}`,
      roles: ['functional-leader'],
      functions: [fn],
      ...(timezones[fn] ? { timezone: timezones[fn] } : {}),
    });
  }
  const ceo = await buildMember(t, org, { name: 'Cee Exec', roles: ['executive'] });
  const cfo = await buildMember(t, org, { name: 'Cfo Exec', roles: ['executive'] });
  return { po, leaders, ceo, cfo };
}

/** A small company (8 families, 4 resources, 36 months to 2027-01) tight enough for trade-offs. */
export const TIGHT_COMPANY = {
  families: 8,
  resources: 4,
  months: 36,
  lastMonth: '2027-01',
  horizon: 24,
  tightShare: 0.5,
  seed: 4,
} as const;

/** A company with three separate capacity problems: its pack has exactly three trade-offs. */
export const THREE_TRADEOFFS = {
  families: 6,
  resources: 3,
  months: 36,
  lastMonth: '2027-01',
  horizon: 24,
  tightShare: 1,
  seed: 4,
} as const;

/** Uploads a synthetic company's tables (one CSV per table) as the org's next data set. */
export async function uploadCompany(
  t: TestAccord,
  org: OrgHandle,
  options: Parameters<typeof syntheticCompany>[0],
): Promise<void> {
  let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(syntheticCompany(options)))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  const res = await upload;
  if (res.status !== 201) throw new Error(`uploadCompany: ${res.status} ${JSON.stringify(res.body)}`);
}
