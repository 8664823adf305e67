/**
 * The S&OE script of test/api/soe.test.ts, for the web and chat tests: the February 2027 cycle's
 * pack (THREE_TRADEOFFS), then on Monday 12 April 2027 six weeks of actuals (2027-W09..W14) from
 * the plan phased into weeks, with a demand spike on the first family in W13 and a slow +12 % bias
 * on the second. The check raises two alerts for sales: the spike (critical) and the bias.
 */
import { expect } from '@jest/globals';
import { familyPage } from '../../src/app/packDetails.js';
import type { PackRecord } from '../../src/app/records.js';
import { phaseFamilyPlan } from '../../src/domain/soe.js';
import type { TestAccord } from './accord.js';
import type { OrgHandle } from './factories.js';

export const SOE_WEEKS = ['2027-W09', '2027-W10', '2027-W11', '2027-W12', '2027-W13', '2027-W14'];
/** When the actuals come in (a Monday, 10:00 in London). */
export const SOE_DAY = '2027-04-12T09:00:00Z';

/** An alert as the API lists it. */
export interface ApiAlert {
  id: string;
  cycleId: string;
  key: string;
  kind: string;
  severity: string;
  owner: string;
  what: string;
  week: string;
  notified: boolean;
  moneyAtStake: number;
  moneyBasis: 'replan' | 'rough';
  unitsAtRisk: number;
  replan?: {
    whatIf: {
      demand?: { families?: string[]; from?: string; to?: string; percent: number }[];
      capacity?: { resource: string; from?: string; to?: string; units?: number }[];
    };
    margin: number;
    leverSpend: number;
    lostMargin: number;
    shortfallUnits: number;
  };
  outcome: { outcome: string; note: string | null; ballotId: string | null; by: string } | null;
  escalated: boolean;
}

export const apiAlerts = async (t: TestAccord, org: OrgHandle): Promise<ApiAlert[]> =>
  (await t.http.get(`/api/v1/orgs/${org.id}/alerts?limit=100`).set(org.auth)).body.items;

/** The latest pack of a cycle, its families' plans phased into weeks (Monday to Friday, London). */
export async function weeklyFamilyPlans(t: TestAccord, org: OrgHandle, cycleId: string) {
  const pack = (await t.accord.deps.packs.latest(org.id, cycleId)) as PackRecord<{
    familyChunks: Record<string, number>;
  }>;
  const cal = { timezone: 'Europe/London', holidays: new Set<string>(), weekend: [6, 7] };
  return (await familyPage(t.accord.deps, pack, 0, 100)).items.map((f) =>
    phaseFamilyPlan(
      { family: f.family, owner: 'sales', unitMargin: 1, safetyStock: 0, months: f.months },
      cal,
    ),
  );
}

/**
 * Creates the February cycle and its pack (the clock must be in February), then moves the clock to
 * SOE_DAY and sends the six weeks of actuals. Returns the cycle and the two families that move.
 */
export async function soeScript(
  t: TestAccord,
  org: OrgHandle,
): Promise<{ cycleId: string; spiked: string; biased: string; others: string[]; resources: string[] }> {
  const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
  const cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body
    .id as string;
  const built = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  expect(built.status).toBe(201);
  const plans = await weeklyFamilyPlans(t, org, cycleId);
  const [spiked, biased] = [plans[0]!, plans[1]!];
  t.clock.set(SOE_DAY);
  for (const week of SOE_WEEKS) {
    const families = plans.map((p) => {
      const w = p.weeks[week]!;
      const orders =
        p === spiked && week === '2027-W13' ? w.p90 * 1.6 + 50 : p === biased ? w.plan * 1.12 : w.plan;
      return { family: p.family, orders: Math.round(orders * 1000) / 1000 };
    });
    const res = await t.http
      .put(api(`/actuals/${week}`))
      .set(org.auth)
      .send({ families, resources: [] });
    expect(res.status).toBe(200);
  }
  const resources = (
    (await t.http.get(api(`/cycles/${cycleId}/pack`)).set(org.auth)).body.resources as { resource: string }[]
  ).map((r) => r.resource);
  return {
    cycleId,
    spiked: spiked.family,
    biased: biased.family,
    others: plans.slice(2).map((p) => p.family),
    resources,
  };
}
