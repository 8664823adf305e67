/**
 * Use cases: S&OE between the meetings. Weekly actuals come in (API), people report disruptions;
 * the check compares the actuals with the current plan (the latest pack, phased into weeks by
 * working days) and raises each variance once, in chat, to the function that owns it and the process
 * owner. One click settles an alert: decide now (an ad hoc ballot among the executives), put it on
 * the next pre-S&OP agenda, or acknowledge it with a note. An alert nobody settles is escalated once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { addBusinessDays } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { nextAllowedTime } from '../domain/manners.js';
import {
  addWeeks,
  detectVariances,
  disruptionImpact,
  disruptionProblems,
  isValidIsoWeek,
  isoWeekOf,
  phaseFamilyPlan,
  weeklyPlan,
  mondayOf,
  type Disruption,
  type FamilyPlanWeekly,
  type MonthlyFamilyPlan,
  type ResourcePlanWeekly,
  type SoeAlert,
  type WeeklyActuals,
} from '../domain/soe.js';
import { fmt, type WhatIf } from '../domain/plan.js';
import { atLocalTime, localDate } from '../domain/time.js';
import { presentAlert, presentAlertDigest, presentAlertEscalation } from '../cards/presenters/soe.js';
import { openBallot } from './ballots.js';
import { workCalendar } from './cycleEngine.js';
import { Memo } from './memo.js';
import { familyPage } from './packDetails.js';
import { resourceDetails, runWhatIf, type PackContent } from './packs.js';
import type { Deps, WeekActuals } from './ports.js';
import type {
  Actor,
  AlertOutcomeRecord,
  AlertReplan,
  AlertRecord,
  CycleRecord,
  MemberRecord,
  OrgRecord,
  PackRecord,
} from './records.js';
import { alertList, type AlertView } from './soeHistory.js';
import { zodFields } from './validation.js';

/** Weeks of actuals the check reads back from the last complete week (a year). */
const WEEKS_BACK = 52;
/** Alerts of the last this-many weeks reach chat (older ones, say from a year's backfill, are only listed). */
const CHAT_WEEKS = 2;
/** More new alerts than this for one person in one check come as one digest card. */
const MAX_CARDS_PER_CHECK = 3;
/** Business days an alert may wait for an outcome before the process owner hears of it. */
const ESCALATE_AFTER_BUSINESS_DAYS = 1;
/**
 * New alerts of one check re-planned with the pack's model for their money at stake (those reaching
 * chat, largest first by the rough estimate); the others keep the rough estimate.
 */
const MAX_REPLANS = 8;

const amount = z.number().finite().min(0, 'must be 0 or more').max(1e12, 'must be at most 1e12');
export const actualsInput = z
  .object({
    families: z
      .array(
        z
          .object({
            family: z.string().trim().min(1, 'name the family'),
            orders: amount.optional(),
            shipments: amount.optional(),
            onHand: amount.optional(),
          })
          .strict(),
      )
      .max(200_000, 'at most 200,000 rows')
      .default([]),
    resources: z
      .array(
        z
          .object({ resource: z.string().trim().min(1, 'name the resource'), produced: amount.optional() })
          .strict(),
      )
      .max(20_000, 'at most 20,000 rows')
      .default([]),
  })
  .strict();

/** The codes of the org's families and resources in its latest data set, with what the check needs of them. */
async function master(deps: Deps, orgId: string) {
  const dataset = await deps.datasets.latest(orgId);
  if (!dataset) throw new DomainError('conflict', 'there is no data set yet: upload one first');
  const families = new Map<string, { margin: number }>();
  const safety = new Map<string, number>();
  const resources = new Map<string, { kind: string; name: string }>();
  // A family's margin and safety stock are columns of the families table.
  for await (const rows of deps.datasets.rows(orgId, dataset, 'families'))
    for (const r of rows) {
      families.set(String(r['family']), {
        margin: Number(r['unit_price'] ?? 0) - Number(r['unit_cost'] ?? 0),
      });
      safety.set(String(r['family']), Number(r['safety_stock_units'] ?? 0));
    }
  for await (const rows of deps.datasets.rows(orgId, dataset, 'resources'))
    for (const r of rows)
      resources.set(String(r['resource']), {
        kind: String(r['kind']),
        name: String(r['name'] ?? r['resource']),
      });
  return { families, safety, resources };
}

/** The ISO week (`YYYY-Www`) of today in the org's zone. */
const thisWeek = (org: OrgRecord, now: Date) => isoWeekOf(localDate(now, org.timezone));

/**
 * Replaces one week's actuals (all or nothing): every row names a family or resource of the data
 * set, numbers are 0 or more, a family or resource appears once; the week is not in the future.
 */
export async function recordActuals(
  deps: Deps,
  orgId: string,
  week: string,
  raw: unknown,
  actor: Actor,
): Promise<{ week: string; families: number; resources: number }> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const fields: Record<string, string> = {};
  if (!isValidIsoWeek(week)) fields['week'] = 'must be an ISO week, e.g. 2027-W07';
  else if (week > thisWeek(org, now)) fields['week'] = `must not be after this week (${thisWeek(org, now)})`;
  const parsed = actualsInput.safeParse(raw);
  if (!parsed.success) Object.assign(fields, zodFields(parsed.error));
  const { families, resources } = await master(deps, orgId);
  // Unknown codes are named row by row even when other fields of the rows are wrong.
  const rows = (raw ?? {}) as { families?: unknown; resources?: unknown };
  if (Array.isArray(rows.families))
    rows.families.forEach((r: { family?: unknown }, i) => {
      if (typeof r?.family === 'string' && r.family.trim() && !families.has(r.family.trim()))
        fields[`families.${i}.family`] ??= 'not a family of the data set';
    });
  if (Array.isArray(rows.resources))
    rows.resources.forEach((r: { resource?: unknown }, i) => {
      if (typeof r?.resource === 'string' && r.resource.trim() && !resources.has(r.resource.trim()))
        fields[`resources.${i}.resource`] ??= 'not a resource of the data set';
    });
  if (Object.keys(fields).length || !parsed.success)
    throw new DomainError('validation_failed', 'the actuals are not valid', fields);
  const out: WeekActuals = { families: {}, resources: {} };
  parsed.data.families.forEach((r, i) => {
    if (!families.has(r.family)) fields[`families.${i}.family`] = 'not a family of the data set';
    else if (out.families[r.family]) fields[`families.${i}.family`] = 'this family is listed twice';
    else
      out.families[r.family] = {
        ...(r.orders !== undefined ? { orders: r.orders } : {}),
        ...(r.shipments !== undefined ? { shipments: r.shipments } : {}),
        ...(r.onHand !== undefined ? { onHand: r.onHand } : {}),
      };
  });
  parsed.data.resources.forEach((r, i) => {
    if (!resources.has(r.resource)) fields[`resources.${i}.resource`] = 'not a resource of the data set';
    else if (out.resources[r.resource]) fields[`resources.${i}.resource`] = 'this resource is listed twice';
    else out.resources[r.resource] = r.produced !== undefined ? { produced: r.produced } : {};
  });
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the actuals are not valid', fields);
  await deps.soe.putActuals(orgId, week, out, now);
  const counts = {
    week,
    families: Object.keys(out.families).length,
    resources: Object.keys(out.resources).length,
  };
  await deps.audit.append(
    orgId,
    {
      actor: actor.type === 'member' ? { type: 'member', id: actor.id } : actor,
      action: 'actuals.recorded',
      entity: { type: 'actuals', id: week },
      after: counts,
    },
    now,
  );
  return counts;
}

export async function weekActuals(deps: Deps, orgId: string, week: string): Promise<WeekActuals | null> {
  if (!isValidIsoWeek(week))
    throw new DomainError('validation_failed', 'not a week', { week: 'must be an ISO week, e.g. 2027-W07' });
  return (await deps.soe.actuals(orgId, [week])).get(week) ?? null;
}

export const disruptionInput = z.object({
  actorId: z.string().min(1, 'name the member'),
  resource: z.string().trim().min(1, 'name the resource'),
  from: z.string().trim().min(1, 'give the first day lost'),
  to: z.string().trim().min(1, 'give the last day lost'),
  capacityLostPercent: z.number().finite().optional(),
  unitsPerWeek: z.number().finite().optional(),
  note: z.string().trim().max(1000, 'at most 1,000 characters'),
});

/** Someone reports a disruption (a line down, a supplier short): it is checked at once and raises its alert. */
export async function reportDisruption(
  deps: Deps,
  orgId: string,
  raw: unknown,
): Promise<{ disruption: Disruption; raised: AlertRecord[] }> {
  // Every problem at once (a form shows each beside its field): the schema's, then the rest, read
  // from what was sent as far as it goes.
  const parsed = disruptionInput.safeParse(raw);
  const fields: Record<string, string> = parsed.success ? {} : zodFields(parsed.error);
  const sent = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const input = parsed.success
    ? parsed.data
    : {
        actorId: text(sent['actorId']),
        resource: text(sent['resource']),
        from: text(sent['from']),
        to: text(sent['to']),
        capacityLostPercent: num(sent['capacityLostPercent']),
        unitsPerWeek: num(sent['unitsPerWeek']),
        note: text(sent['note']),
      };
  const actor = input.actorId ? await deps.members.get(orgId, input.actorId) : null;
  if (!actor) fields['actorId'] ??= 'no member with this id in this org';
  const { resources } = await master(deps, orgId);
  const d: Disruption = {
    id: randomBytes(8).toString('hex'),
    resource: input.resource,
    from: input.from,
    to: input.to,
    capacityLost: {
      ...(input.capacityLostPercent !== undefined ? { share: input.capacityLostPercent / 100 } : {}),
      ...(input.unitsPerWeek !== undefined ? { unitsPerWeek: input.unitsPerWeek } : {}),
    },
    note: input.note,
  };
  for (const [k, v] of Object.entries(disruptionProblems(d))) {
    if (k === 'id') continue;
    // The share is given in percent here: its limits too.
    if (k === 'capacityLost.share') fields['capacityLostPercent'] ??= 'must be more than 0 and at most 100';
    else if (k === 'capacityLost.unitsPerWeek') fields['unitsPerWeek'] ??= v;
    else fields[k === 'capacityLost' ? 'capacityLostPercent' : k] ??= v;
  }
  if (d.resource && !resources.has(d.resource)) fields['resource'] ??= 'not a resource of the data set';
  if (d.note.length < 3) fields['note'] ??= 'say what happened (people see it)';
  if (Object.keys(fields).length || !actor)
    throw new DomainError('validation_failed', 'the disruption is not valid', fields);
  const now = deps.clock.now();
  await deps.soe.addDisruption({ ...d, orgId, reportedBy: actor.id, at: now });
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: actor.id },
      action: 'disruption.reported',
      entity: { type: 'disruption', id: d.id },
      after: d,
    },
    now,
  );
  const { raised } = await checkSoe(deps, orgId);
  return { disruption: d, raised };
}

/** The packs' monthly family plans as the check reads them, by pack id (a pack never changes once built). */
const familyPlanMemo = new Memo<{ family: string; name: string; months: MonthlyFamilyPlan[] }[]>(
  1_000_000,
  (plans) => plans.length * (plans[0]?.months.length ?? 1),
);

/** Each family's plan by month in the pack, read from its detail chunks once per pack. */
function familyPlans(deps: Deps, pack: PackRecord<PackContent>) {
  return familyPlanMemo.through(pack.id, async () =>
    (await familyPage(deps, pack, 0, Object.keys(pack.content.familyChunks).length)).items.map((f) => ({
      family: f.family,
      name: f.name,
      months: f.months.map((m) => ({
        period: m.period,
        p10: m.p10,
        p50: m.p50,
        p90: m.p90,
        consensus: m.consensus,
        production: m.production,
        supplied: m.supplied,
        inventory: m.inventory,
      })),
    })),
  );
}

/** The latest pack of the org's latest cycle that has one: the plan actuals are checked against. */
async function currentPlan(
  deps: Deps,
  orgId: string,
): Promise<{ cycle: CycleRecord; pack: PackRecord<PackContent> } | null> {
  const page = await deps.cycles.list(orgId, { limit: 100, after: null });
  for (const cycle of [...page.items].sort((a, b) => b.month.localeCompare(a.month))) {
    const pack = (await deps.packs.latest(orgId, cycle.id)) as PackRecord<PackContent> | null;
    if (pack) return { cycle, pack };
  }
  return null;
}

/** Weeks back the plans in force are read for (the bias's window: a quarter). */
const PLAN_WEEKS_BACK = 13;
/** At most this many packs make up the plans in force. */
const MAX_PLANS = 6;
/**
 * Days before the same variance of a kind that persists is raised again: a bias (same family and
 * direction) once a quarter; stock heading below safety (same family, whichever week it crosses
 * in, as the projection moves a little with each week's on hand) once a month.
 */
const REPEAT_DAYS: Partial<Record<SoeAlert['kind'], number>> = { bias: 91, 'inventory-below-safety': 28 };

/**
 * Whether the same persisting variance was raised within its REPEAT_DAYS. A bias's stored key
 * names the week it was raised for (`bias:<family>:+|-:<week>`); a stock alert's, the week it
 * crosses (`stock:<family>:<week>`).
 */
function raisedLately(a: SoeAlert, earlier: AlertRecord[], now: Date): boolean {
  const days = REPEAT_DAYS[a.kind];
  if (days === undefined) return false;
  const since = now.getTime() - days * 86_400_000;
  const prefix = a.kind === 'bias' ? `${a.key}:` : `stock:${a.subject.id}:`;
  return earlier.some((e) => e.kind === a.kind && e.key.startsWith(prefix) && e.raisedAt.getTime() > since);
}

interface PlanSource {
  cycle: CycleRecord;
  pack: PackRecord<PackContent>;
  /** Family -> its months as the pack plans them. */
  planned: Map<string, { period: string; consensus: number }[]>;
}

/**
 * The plans in force from `fromWeek` on: each week is compared with the newest pack whose horizon
 * holds all of it. A cycle plans from the month after its own (March's cycle plans April on), so
 * March's weeks are checked against February's pack until April, when March's pack takes over;
 * older packs fill the weeks the newer ones do not hold. Null when no cycle has a pack.
 */
async function plansInForce(
  deps: Deps,
  orgId: string,
  cal: Parameters<typeof phaseFamilyPlan>[1],
  { families, safety, resources }: Awaited<ReturnType<typeof master>>,
  fromWeek: string,
): Promise<{
  latest: { cycle: CycleRecord; pack: PackRecord<PackContent> };
  sources: PlanSource[];
  sourceOf: (week: string) => PlanSource | undefined;
  plans: FamilyPlanWeekly[];
  resourcePlans: ResourcePlanWeekly[];
} | null> {
  const page = await deps.cycles.list(orgId, { limit: 100, after: null });
  const sources: PlanSource[] = [];
  const byWeek = new Map<string, PlanSource>();
  const plans = new Map<string, FamilyPlanWeekly>();
  const resourcePlans = new Map<string, ResourcePlanWeekly>();
  for (const cycle of [...page.items].sort((a, b) => b.month.localeCompare(a.month))) {
    if (sources.length >= MAX_PLANS) break;
    const pack = (await deps.packs.latest(orgId, cycle.id)) as PackRecord<PackContent> | null;
    if (!pack) continue;
    const covered = Object.keys(
      weeklyPlan(Object.fromEntries(pack.content.horizon.periods.map((p) => [p, 0])), cal),
    );
    const adds = covered.filter((w) => !byWeek.has(w) && w >= fromWeek);
    if (sources.length && !adds.length) continue;
    const details = await familyPlans(deps, pack);
    const source: PlanSource = { cycle, pack, planned: new Map(details.map((f) => [f.family, f.months])) };
    sources.push(source);
    for (const w of covered) if (!byWeek.has(w)) byWeek.set(w, source);
    for (const f of details) {
      const weekly = phaseFamilyPlan(
        {
          family: f.family,
          name: f.name,
          owner: 'sales',
          unitMargin: families.get(f.family)?.margin ?? 0,
          safetyStock: safety.get(f.family) ?? 0,
          months: f.months,
        },
        cal,
      );
      const had = plans.get(f.family);
      // Newer packs first: an older pack only fills the weeks the newer ones leave.
      if (had) had.weeks = { ...weekly.weeks, ...had.weeks };
      else plans.set(f.family, weekly);
    }
    for (const r of await resourceDetails(deps, pack)) {
      const load = weeklyPlan(Object.fromEntries(r.periods.map((p, i) => [p, r.load[i] ?? 0])), cal);
      const capacity = weeklyPlan(Object.fromEntries(r.periods.map((p, i) => [p, r.capacity[i] ?? 0])), cal);
      const weeks = Object.fromEntries(
        Object.keys(load).map((w) => [w, { load: load[w] ?? 0, capacity: capacity[w] ?? 0 }]),
      );
      const had = resourcePlans.get(r.resource);
      if (had) had.weeks = { ...weeks, ...had.weeks };
      else
        resourcePlans.set(r.resource, {
          resource: r.resource,
          name: r.name,
          owner: (resources.get(r.resource)?.kind ?? r.kind) === 'supplier' ? 'procurement' : 'operations',
          weeks,
        });
    }
    if (covered.length && covered[0]! <= fromWeek) break;
  }
  const latest = sources[0];
  if (!latest) return null;
  return {
    latest: { cycle: latest.cycle, pack: latest.pack },
    sources,
    sourceOf: (week) => byWeek.get(week),
    plans: [...plans.values()],
    resourcePlans: [...resourcePlans.values()],
  };
}

/** The month an ISO week counts in: its Thursday's. */
const monthOfWeek = (week: string) => {
  const monday = new Date(`${mondayOf(week)}T00:00:00Z`);
  return new Date(monday.getTime() + 3 * 86_400_000).toISOString().slice(0, 7);
};

/**
 * The what-if that re-plans an alert's variance with the pack's model, or null when the model cannot
 * see it (its months are outside the pack's horizon, or the kind is not re-planned):
 * - demand-band: that month's demand for the family moved by the week's change (a share of the month's plan);
 * - bias: the family's demand moved by the bias's share from asOf's month to the horizon's end;
 * - disruption: the resource's capacity less the units lost, month by month.
 * A resource over plan and stock heading below safety keep the rough estimate (their cause is not a
 * change the model has a lever for).
 */
function whatIfOf(
  a: AlertRecord,
  ctx: {
    planned: Map<string, { period: string; consensus: number }[]>;
    resources: ResourcePlanWeekly[];
    disruptions: Map<string, Disruption>;
    horizon: { from: string; to: string };
    asOf: string;
    cal: Parameters<typeof disruptionImpact>[2];
  },
): WhatIf | null {
  const inHorizon = (m: string) => m >= ctx.horizon.from && m <= ctx.horizon.to;
  const pct = (v: number) => Math.max(-100, Math.min(1000, Math.round(v * 10) / 10));
  const name = `S&OE: ${a.kind} ${a.subject.id}`.slice(0, 120);
  if (a.kind === 'demand-band') {
    const month = monthOfWeek(a.week);
    const monthPlan = ctx.planned.get(a.subject.id)?.find((m) => m.period === month)?.consensus ?? 0;
    if (!inHorizon(month) || monthPlan <= 0 || a.change === 0) return null;
    return {
      name,
      demand: [
        { families: [a.subject.id], from: month, to: month, percent: pct((100 * a.change) / monthPlan) },
      ],
    };
  }
  if (a.kind === 'bias') {
    const from = monthOfWeek(a.week) < ctx.horizon.from ? ctx.horizon.from : monthOfWeek(a.week);
    if (!inHorizon(from) || a.changePct === null || a.changePct === 0) return null;
    return {
      name,
      demand: [{ families: [a.subject.id], from, to: ctx.horizon.to, percent: pct(a.changePct) }],
    };
  }
  if (a.kind === 'disruption') {
    const d = ctx.disruptions.get(a.key.slice('disruption:'.length));
    if (!d) return null;
    const plan = ctx.resources.find((r) => r.resource === d.resource);
    if (!plan) return null;
    const lost = new Map<string, number>();
    for (const w of disruptionImpact(d, plan, ctx.cal).weeks) {
      const month = monthOfWeek(w.week);
      if (inHorizon(month) && w.lost > 0) lost.set(month, (lost.get(month) ?? 0) + w.lost);
    }
    if (!lost.size) return null;
    return {
      name,
      capacity: [...lost].slice(0, 50).map(([month, units]) => ({
        resource: d.resource,
        from: month,
        to: month,
        units: -Math.round(units),
      })),
    };
  }
  return null;
}

/** A what-if run on the pack's model, as the alert keeps it; null when the pack cannot run it. */
async function replanned(
  deps: Deps,
  pack: PackRecord<PackContent>,
  whatIf: WhatIf,
): Promise<AlertReplan | null> {
  try {
    const r = await runWhatIf(deps, pack, whatIf);
    return {
      whatIf,
      margin: r.whatIf.margin - r.base.margin,
      leverSpend: r.whatIf.leverSpend - r.base.leverSpend,
      lostMargin: r.whatIf.lostMargin - r.base.lostMargin,
      shortfallUnits: r.whatIf.shortfallUnits - r.base.shortfallUnits,
    };
  } catch (err) {
    // A pack without a stored model, or a what-if it refuses: the alert keeps its rough estimate.
    if (!(err instanceof DomainError)) throw err;
    return null;
  }
}

/**
 * Checks the actuals up to the last complete week against the current plan and raises each new
 * variance once (its key), to the leaders of the function that owns it and the process owners.
 */
export async function checkSoe(
  deps: Deps,
  orgId: string,
): Promise<{ checked: boolean; raised: AlertRecord[] }> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const cal = { ...workCalendar(org), timezone: org.timezone };
  const asOf = addWeeks(thisWeek(org, now), -1);
  const masterData = await master(deps, orgId);
  const inForce = await plansInForce(deps, orgId, cal, masterData, addWeeks(asOf, -PLAN_WEEKS_BACK));
  if (!inForce) return { checked: false, raised: [] };
  const plan = inForce.latest;
  const { plans, resourcePlans } = inForce;
  const weeks = Array.from({ length: WEEKS_BACK }, (_, i) => addWeeks(asOf, -i));
  const stored = await deps.soe.actuals(orgId, weeks);
  const actuals: WeeklyActuals = { families: {}, resources: {} };
  for (const [week, a] of stored) {
    for (const [f, v] of Object.entries(a.families)) (actuals.families[f] ??= {})[week] = v;
    for (const [r, v] of Object.entries(a.resources)) (actuals.resources[r] ??= {})[week] = v;
  }
  const reported = await deps.soe.disruptions(orgId);
  const { families } = masterData;
  const margins = [...families.values()].map((f) => f.margin).filter((m) => m > 0);
  const averageMargin = margins.length ? margins.reduce((a, b) => a + b, 0) / margins.length : 0;
  const alerts = detectVariances({
    plans,
    resources: resourcePlans,
    actuals,
    disruptions: reported,
    asOf,
    calendar: cal,
    resourceMargin: Object.fromEntries(resourcePlans.map((r) => [r.resource, averageMargin])),
  });
  // Chat manners: only what is recent and worth a person's time reaches chat (and may be escalated),
  // one card per alert, or one digest when a check raises more than a few for the same person; the
  // rest (a year's backfill, an ordinary week outside the band) is listed in Accord.
  const recent = addWeeks(asOf, -(CHAT_WEEKS - 1));
  const earlier = await deps.soe.alerts(orgId);
  const known = new Set(earlier.map((a) => a.id));
  const fresh: AlertRecord[] = alerts
    .filter((a) => !raisedLately(a, earlier, now))
    .map((a) => ({ ...a, key: a.kind === 'bias' ? `${a.key}:${asOf}` : a.key }))
    .filter((a) => !known.has(`${orgId}:${a.key}`))
    .map((a) => ({
      ...a,
      id: `${orgId}:${a.key}`,
      orgId,
      cycleId: plan.cycle.id,
      raisedAt: now,
      notified: a.week >= recent && (a.kind !== 'demand-band' || a.severity === 'critical'),
      moneyBasis: 'rough' as const,
    }));
  // The money at stake of what reaches chat, re-planned with the pack's model (largest first, a few a check).
  const disruptions = new Map(reported.map((d) => [d.id, d]));
  // Among the alerts the model can re-plan (a stock or over-plan alert keeps its rough estimate).
  const replanning = fresh
    .filter((a) => a.notified)
    .map((a) => {
      // A past week's variance is re-planned on the plan in force then; a bias, on the latest plan (ahead).
      const disrupted =
        a.kind === 'disruption' ? disruptions.get(a.key.slice('disruption:'.length)) : undefined;
      const source =
        a.kind === 'bias'
          ? inForce.sources[0]!
          : (inForce.sourceOf(disrupted ? isoWeekOf(disrupted.from) : a.week) ?? inForce.sources[0]!);
      const whatIf = whatIfOf(a, {
        planned: source.planned,
        resources: resourcePlans,
        disruptions,
        horizon: source.pack.content.horizon,
        asOf,
        cal,
      });
      return { a, source, whatIf };
    })
    .filter((x): x is typeof x & { whatIf: WhatIf } => x.whatIf !== null)
    .sort((x, y) => y.a.moneyAtStake - x.a.moneyAtStake)
    .slice(0, MAX_REPLANS);
  for (const { a, source, whatIf } of replanning) {
    const replan = await replanned(deps, source.pack, whatIf);
    if (!replan) continue;
    a.replan = replan;
    a.moneyBasis = 'replan';
    a.moneyAtStake = Math.round(Math.max(0, replan.leverSpend + replan.lostMargin, -replan.margin));
  }
  const raisedIds = await deps.soe.raise(fresh);
  const raised = fresh.filter((a) => raisedIds.has(a.id));
  const worthSaying = raised.filter((a) => a.notified);
  if (worthSaying.length) {
    const members = await deps.members.all(orgId);
    const owners = members.filter((m) => m.roles.includes('process-owner'));
    const workCal = workCalendar(org);
    const perPerson = new Map<string, { member: MemberRecord; alerts: AlertRecord[] }>();
    for (const a of worthSaying) {
      const to = members.filter(
        (m) =>
          m.delegation === null &&
          (m.roles.includes('process-owner') ||
            (m.roles.includes('functional-leader') && m.functions.includes(a.owner))),
      );
      for (const m of to.length ? to : owners) {
        const x = perPerson.get(m.id) ?? { member: m, alerts: [] };
        x.alerts.push(a);
        perPerson.set(m.id, x);
      }
    }
    await deps.outbox.enqueue(
      [...perPerson.values()].flatMap(({ member: m, alerts }) =>
        alerts.length > MAX_CARDS_PER_CHECK
          ? [
              {
                orgId,
                key: `alert-digest:${createHash('sha256')
                  .update(alerts.map((a) => a.id).join('\n'))
                  .digest('hex')
                  .slice(0, 24)}:${m.id}`,
                kind: 'alert' as const,
                cycleId: plan.cycle.id,
                recipient: { memberId: m.id, name: m.name },
                card: presentAlertDigest(alerts, asOf),
                notBefore: nextAllowedTime(now, m, workCal),
              },
            ]
          : alerts.map((a) => ({
              orgId,
              key: `alert:${a.id}:${m.id}`,
              kind: 'alert' as const,
              cycleId: a.cycleId,
              recipient: { memberId: m.id, name: m.name },
              card: presentAlert(a, m.timezone),
              notBefore: nextAllowedTime(now, m, workCal),
            })),
      ),
      now,
    );
  }
  if (raised.length)
    await deps.audit.append(
      orgId,
      {
        actor: { type: 'system', id: 'soe' },
        action: 'soe.alerts-raised',
        entity: { type: 'org', id: orgId },
        after: raised.map((a) => a.key),
      },
      now,
    );
  return { checked: true, raised };
}

/**
 * What each option of a "decide now" ballot means, by the alert's kind, framed from the re-plan:
 * what the least-cost levers would spend, and what accepting the variance costs.
 */
function decisionOptions(a: AlertRecord) {
  const r = a.replan;
  const levers =
    r && r.leverSpend > 0.5
      ? ` (the re-plan: ${fmt(r.leverSpend)} more on levers${r.shortfallUnits > 0.5 ? `, ${fmt(r.shortfallUnits)} units still short` : ''})`
      : '';
  const accepting = a.moneyAtStake > 0 ? ` (about ${fmt(a.moneyAtStake)} of margin at stake)` : '';
  if (a.kind === 'bias')
    return [
      {
        key: 'adjust',
        label: 'Adjust the plan',
        meaning: `move the demand plan to the run-rate for the rest of the horizon${levers}`,
      },
      {
        key: 'keep',
        label: 'Keep the plan',
        meaning: `the bias is temporary: keep the plan and watch${accepting}`,
      },
    ];
  if (a.subject.type === 'resource')
    return [
      {
        key: 'overtime',
        label: 'Overtime',
        meaning: `recover the capacity with overtime or extra shifts${levers}`,
      },
      { key: 'reallocate', label: 'Reallocate', meaning: 'move volume to alternate resources or suppliers' },
      { key: 'accept', label: 'Accept', meaning: `accept the shortfall; serve by margin${accepting}` },
    ];
  return [
    { key: 'expedite', label: 'Expedite', meaning: `add production (overtime) or expedite supply${levers}` },
    { key: 'reallocate', label: 'Reallocate', meaning: 'reallocate stock and capacity from other families' },
    {
      key: 'accept',
      label: 'Accept',
      meaning: `accept the variance; safety stock absorbs it or sales are lost${accepting}`,
    },
  ];
}

export type AlertOutcome = AlertOutcomeRecord['outcome'];

/** Whether this member may settle the alert: the leader of the function that owns it, an executive or a process owner. */
export function maySettleAlert(
  m: Pick<MemberRecord, 'roles' | 'functions'>,
  alert: Pick<AlertRecord, 'owner'>,
): boolean {
  return (
    m.roles.includes('process-owner') ||
    m.roles.includes('executive') ||
    (m.roles.includes('functional-leader') && m.functions.includes(alert.owner))
  );
}

/**
 * One click on an alert: `decide` opens an ad hoc ballot among the executives, `agenda` puts it on
 * the next pre-S&OP agenda, `acknowledged` needs a note. The first outcome stands.
 */
export async function settleAlert(
  deps: Deps,
  orgId: string,
  alertId: string,
  input: { memberId: string; outcome: AlertOutcome; note?: string | undefined },
): Promise<AlertOutcomeRecord> {
  const alert = await deps.soe.alert(orgId, alertId);
  if (!alert) throw new DomainError('not_found', 'alert not found');
  const m = await deps.members.get(orgId, input.memberId);
  if (!m)
    throw new DomainError('validation_failed', 'unknown member', {
      memberId: 'no member with this id in this org',
    });
  if (!maySettleAlert(m, alert))
    throw new DomainError(
      'forbidden',
      `Only the ${alert.owner} lead, an executive or the process owner settles this alert.`,
    );
  const note = input.note?.trim() ? input.note.trim() : null;
  if (input.outcome === 'acknowledged' && (!note || note.length < 3))
    throw new DomainError('validation_failed', 'the acknowledgement is not valid', {
      note: 'write a note saying what you do about it',
    });
  const done = (await deps.soe.outcomes(orgId)).find((o) => o.alertId === alertId);
  if (done) throw new DomainError('conflict', `This alert is already settled (${done.outcome}).`);
  const now = deps.clock.now();
  let ballotId: string | null = null;
  if (input.outcome === 'decide') {
    const everyone = await deps.members.all(orgId);
    const po = everyone.find((x) => x.roles.includes('process-owner'));
    if (!po) throw new DomainError('conflict', 'the org has no process owner to open the ballot');
    // The executives who own the affected area must vote (the others may): e.g. the one leading
    // operations for a line down.
    const owners = everyone
      .filter(
        (x) => x.delegation === null && x.roles.includes('executive') && x.functions.includes(alert.owner),
      )
      .map((x) => x.id);
    const org = (await deps.orgs.get(orgId))!;
    const due = atLocalTime(
      addBusinessDays(localDate(now, org.timezone), 2, { ...workCalendar(org), timezone: org.timezone }),
      '17:00',
      org.timezone,
    );
    const ballot = await openBallot(deps, orgId, alert.cycleId, {
      actorId: po.id,
      deadline: due,
      title: `S&OE: ${alert.what}`.slice(0, 200),
      options: decisionOptions(alert),
      ...(owners.length ? { rules: { requiredVoters: owners } } : {}),
    });
    ballotId = ballot.id;
  }
  const record: AlertOutcomeRecord = {
    alertId,
    orgId,
    outcome: input.outcome,
    note,
    by: m.id,
    at: now,
    ballotId,
  };
  if (!(await deps.soe.settle(record))) throw new DomainError('conflict', 'This alert is already settled.');
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: m.id },
      action: `soe.alert-${input.outcome}`,
      entity: { type: 'alert', id: alertId },
      after: { note, ballotId },
    },
    now,
  );
  return record;
}

/**
 * The sweep's part: an alert left without an outcome for a business day goes once to the process
 * owners, in their working hours.
 */
export async function escalateAlerts(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const orgIds = [...new Set((await deps.cycles.unfinished()).map((c) => c.orgId))];
  let queued = 0;
  for (const orgId of orgIds) {
    const org = await deps.orgs.get(orgId);
    if (!org) continue;
    const open = (await alertList(deps, orgId)).filter((a) => a.notified && !a.outcome && !a.escalated);
    if (!open.length) continue;
    const cal = { ...workCalendar(org), timezone: org.timezone };
    const owners = (await deps.members.all(orgId)).filter((m) => m.roles.includes('process-owner'));
    for (const a of open) {
      const dueDay = addBusinessDays(localDate(a.raisedAt, org.timezone), ESCALATE_AFTER_BUSINESS_DAYS, cal);
      const due = atLocalTime(dueDay, DateTimeHHMM(a.raisedAt, org.timezone), org.timezone);
      if (now.getTime() < due.getTime()) continue;
      if (!(await deps.soe.markEscalated(orgId, a.id, now))) continue;
      queued += await deps.outbox.enqueue(
        owners.map((po) => ({
          orgId,
          key: `alert-escalation:${a.id}:${po.id}`,
          kind: 'escalation' as const,
          cycleId: a.cycleId,
          recipient: { memberId: po.id, name: po.name },
          card: presentAlertEscalation(a, po.timezone),
          notBefore: nextAllowedTime(now, po, workCalendar(org)),
        })),
        now,
      );
    }
  }
  return queued;
}

const DateTimeHHMM = (at: Date, zone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).format(at);

/** Alerts put on the next pre-S&OP agenda and not taken up by a meeting yet, as agenda alerts. */
export async function agendaAlerts(deps: Deps, orgId: string, taken: ReadonlySet<string>) {
  return (await alertList(deps, orgId))
    .filter((a) => a.outcome?.outcome === 'agenda' && !taken.has(a.id))
    .map((a) => ({ id: a.id, title: a.what, detail: a.outcome?.note ?? '', moneyAtStake: a.moneyAtStake }));
}

/** The check's figures for a person reading them: an alert as JSON for the API. */
export function alertJson(a: AlertView) {
  return {
    ...a,
    raisedAt: a.raisedAt.toISOString(),
    outcome: a.outcome ? { ...a.outcome, at: a.outcome.at.toISOString() } : null,
  };
}

/** The tables an actuals upload may hold, and their columns (a CSV file or an XLSX sheet each). */
export const ACTUALS_TABLES = {
  orders: ['week', 'family', 'orders', 'shipments', 'on_hand'],
  production: ['week', 'resource', 'produced'],
} as const;

export interface ActualsRowError {
  table: string;
  line: number;
  column: string;
  reason: string;
}

/**
 * Weekly actuals from files (CSV, or an XLSX sheet per table): `orders` (week, family, orders,
 * shipments, on_hand) and `production` (week, resource, produced). Every row is checked first;
 * one bad row and nothing is written (its table, line and column say why). Each week named is
 * replaced whole; then the check runs.
 */
export async function importActuals(
  deps: Deps,
  orgId: string,
  parts: AsyncIterable<import('./datasets.js').UploadPart>,
  actor: Actor,
): Promise<{ weeks: string[]; rows: number; raised: number; errors: ActualsRowError[] }> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const latest = thisWeek(org, now);
  const { families, resources } = await master(deps, orgId);
  const errors: ActualsRowError[] = [];
  const weeks = new Map<string, WeekActuals>();
  let rows = 0;
  const number = (v: string | undefined): number | null | undefined => {
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v.replace(/,/g, '').trim());
    return Number.isFinite(n) && n >= 0 && n <= 1e12 ? n : null;
  };
  for await (const part of parts) {
    const table = part.name.replace(/\.(csv|xlsx)$/i, '').toLowerCase();
    if (!(table in ACTUALS_TABLES)) {
      errors.push({
        table: part.name,
        line: 0,
        column: '',
        reason: `unknown table: send ${Object.keys(ACTUALS_TABLES).join(' and ')}`,
      });
      for await (const _ of part.rows) void _;
      continue;
    }
    if (part.problem) errors.push({ table, line: 0, column: '', reason: part.problem });
    for await (const row of part.rows) {
      if ('error' in row) {
        errors.push({ table, line: row.line, column: '', reason: row.error });
        continue;
      }
      rows++;
      const r = row.record;
      const bad = (column: string, reason: string) => errors.push({ table, line: row.line, column, reason });
      const week = (r['week'] ?? '').trim();
      if (!isValidIsoWeek(week)) bad('week', 'must be an ISO week, e.g. 2027-W07');
      else if (week > latest) bad('week', `must not be after this week (${latest})`);
      const w = weeks.get(week) ?? { families: {}, resources: {} };
      if (table === 'orders') {
        const family = (r['family'] ?? '').trim();
        if (!families.has(family)) bad('family', family ? 'not a family of the data set' : 'name the family');
        else if (w.families[family]) bad('family', `this family is listed twice for ${week}`);
        const values: WeekActuals['families'][string] = {};
        for (const [column, key] of [
          ['orders', 'orders'],
          ['shipments', 'shipments'],
          ['on_hand', 'onHand'],
        ] as const) {
          const n = number(r[column]);
          if (n === null) bad(column, 'must be a number, 0 or more');
          else if (n !== undefined) values[key] = n;
        }
        if (families.has(family)) w.families[family] = values;
      } else {
        const resource = (r['resource'] ?? '').trim();
        if (!resources.has(resource))
          bad('resource', resource ? 'not a resource of the data set' : 'name the resource');
        else if (w.resources[resource]) bad('resource', `this resource is listed twice for ${week}`);
        const n = number(r['produced']);
        if (n === null) bad('produced', 'must be a number, 0 or more');
        if (resources.has(resource))
          w.resources[resource] = n === undefined || n === null ? {} : { produced: n };
      }
      if (isValidIsoWeek(week)) weeks.set(week, w);
    }
  }
  if (!rows && !errors.length)
    errors.push({ table: '', line: 0, column: '', reason: 'no rows: send orders and/or production' });
  if (errors.length) return { weeks: [], rows, raised: 0, errors };
  for (const [week, a] of weeks) await deps.soe.putActuals(orgId, week, a, now);
  const list = [...weeks.keys()].sort();
  await deps.audit.append(
    orgId,
    {
      actor,
      action: 'actuals.imported',
      entity: { type: 'actuals', id: list.join(',') },
      after: { weeks: list, rows },
    },
    now,
  );
  const { raised } = await checkSoe(deps, orgId);
  return { weeks: list, rows, raised: raised.length, errors: [] };
}

/**
 * What the check is based on: the last `count` complete weeks (newest last), each with how many
 * families and resources have actuals (0 and 0: none received), and the plan they are compared with.
 */
export async function soeBasis(
  deps: Deps,
  orgId: string,
  count = 8,
): Promise<{
  asOf: string;
  plan: { cycleId: string; month: string; version: number } | null;
  weeks: { week: string; families: number; resources: number }[];
}> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const asOf = addWeeks(thisWeek(org, deps.clock.now()), -1);
  const weeks = Array.from({ length: count }, (_, i) => addWeeks(asOf, i - count + 1));
  const [stored, plan] = await Promise.all([deps.soe.actuals(orgId, weeks), currentPlan(deps, orgId)]);
  return {
    asOf,
    plan: plan ? { cycleId: plan.cycle.id, month: plan.cycle.month, version: plan.pack.version } : null,
    weeks: weeks.map((week) => {
      const a = stored.get(week);
      return {
        week,
        families: a ? Object.keys(a.families).length : 0,
        resources: a ? Object.keys(a.resources).length : 0,
      };
    }),
  };
}

/** The resources of the latest data set a disruption may name (its code and name), by name; none without a data set. */
export async function disruptionResources(
  deps: Deps,
  orgId: string,
): Promise<{ resource: string; name: string }[]> {
  const dataset = await deps.datasets.latest(orgId);
  if (!dataset) return [];
  const out: { resource: string; name: string }[] = [];
  for await (const rows of deps.datasets.rows(orgId, dataset, 'resources'))
    for (const r of rows)
      out.push({ resource: String(r['resource']), name: String(r['name'] ?? r['resource']) });
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.resource.localeCompare(b.resource));
}
