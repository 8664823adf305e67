/**
 * Use cases: process health and maturity, from what Accord recorded (never a questionnaire): per
 * cycle, inputs on time, the meetings (held, executives present, items decided or deferred),
 * decisions and their latency, follow-through, forecast accuracy, bias and value added per
 * function, and S&OE alerts; the trend over cycles, the maturity stage with its evidence, and the
 * monthly summary card to the process owner.
 */
import { DomainError } from '../domain/errors.js';
import {
  followThroughFacts,
  forecastFacts,
  healthKpis,
  healthTrend,
  meetingFactsOf,
  type CycleFacts,
} from '../domain/health.js';
import { maturityStage } from '../domain/maturity.js';
import { nextAllowedTime } from '../domain/manners.js';
import { MEETING_STEPS } from '../domain/meetings.js';
import { localDate } from '../domain/time.js';
import { presentHealthSummary } from '../cards/presenters/health.js';
import type { PackTrackRecord } from './accuracy.js';
import { workCalendar } from './cycleEngine.js';
import { followThroughMetrics, inputTimeliness } from './followThrough.js';
import { meetingKpiInputs } from './meetings.js';
import type { PackContent } from './packs.js';
import type { Deps } from './ports.js';
import type { PackRecord } from './records.js';
import { alertList } from './soeHistory.js';

const median = (v: number[]) => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** What Accord recorded of each cycle of the org, oldest first (at most the latest 12). */
export async function cycleFacts(deps: Deps, orgId: string): Promise<CycleFacts[]> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  const page = await deps.cycles.list(orgId, { limit: 100, after: null });
  const cycles = [...page.items].sort((a, b) => a.month.localeCompare(b.month)).slice(-12);
  if (!cycles.length) return [];
  const [requests, follow, meetings, alerts] = await Promise.all([
    deps.requests.forCycles(cycles.map((c) => c.id)),
    followThroughMetrics(deps, orgId),
    meetingKpiInputs(deps, orgId),
    alertList(deps, orgId),
  ]);
  // Forecast accuracy of a cycle's pack is scored by a later pack's track record.
  const packs = new Map<string, PackRecord<PackContent> | null>();
  for (const c of cycles)
    packs.set(c.id, (await deps.packs.latest(orgId, c.id)) as PackRecord<PackContent> | null);
  const scored = new Map<string, PackTrackRecord>();
  for (const c of cycles)
    for (const r of packs.get(c.id)?.content.trackRecord ?? [])
      if (!scored.has(r.cycleId)) scored.set(r.cycleId, r);
  return cycles.map((c) => {
    const mine = requests.filter((r) => r.cycleId === c.id && r.orgId === orgId && !r.excused);
    const t = mine.map((r) => inputTimeliness(r, c, now));
    const ft = follow.cycles.find((x) => x.cycleId === c.id);
    const held = meetings.filter((m) => m.cycleMonth === c.month);
    const cycleAlerts = alerts.filter((a) => a.cycleId === c.id);
    const ackHours = cycleAlerts
      .filter((a) => a.outcome)
      .map((a) => (a.outcome!.at.getTime() - a.raisedAt.getTime()) / 3_600_000);
    const record = scored.get(c.id);
    const pack = packs.get(c.id);
    return {
      month: c.month,
      inputs: {
        onTime: t.filter((x) => x === 'on-time').length,
        late: t.filter((x) => x === 'late').length,
        missing: t.filter((x) => x === 'missing').length,
      },
      meetings: MEETING_STEPS.map((step) => {
        const m = held.find((x) => x.step === step);
        return m
          ? meetingFactsOf(m)
          : {
              step,
              held: false,
              executivesInvited: 0,
              executivesPresent: 0,
              itemsDecided: 0,
              itemsDeferred: 0,
              itemsEscalated: 0,
              itemsNotReached: 0,
            };
      }),
      ...(ft
        ? followThroughFacts(ft)
        : {
            decisions: { decided: 0, notDecided: 0, medianLatencyHours: null },
            actions: { owned: 0, doneOnTime: 0, doneLate: 0, overdue: 0 },
          }),
      forecast: forecastFacts(
        record ? { consensus: record.total.consensus } : null,
        record?.valueAdded ?? [],
      ),
      soe: {
        raised: cycleAlerts.length,
        // Answered in any of the three ways (acknowledged, decided, put on the agenda).
        acknowledged: cycleAlerts.filter((a) => a.outcome).length,
        decided: cycleAlerts.filter((a) => a.outcome?.outcome === 'decide').length,
        toAgenda: cycleAlerts.filter((a) => a.outcome?.outcome === 'agenda').length,
        escalated: cycleAlerts.filter((a) => a.escalated).length,
        medianHoursToAcknowledge: median(ackHours),
      },
      // A pack is built when pre-S&OP opens, before the executive meeting by construction.
      packBuiltBeforeMeeting: !!pack,
      dataFromOneSource: !!pack,
    } satisfies CycleFacts;
  });
}

/** Process-health KPIs per cycle and their trend, with the maturity stage. */
export async function processHealth(deps: Deps, orgId: string) {
  const facts = await cycleFacts(deps, orgId);
  return {
    cycles: facts.map(healthKpis),
    trend: healthTrend(facts),
    maturity: maturityStage(facts),
  };
}

/**
 * The sweep's part: on the first business day of a month, each process owner gets the health
 * summary of the cycles so far (once a month: the outbox key names the month).
 */
export async function sendHealthSummaries(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const orgIds = [...new Set((await deps.cycles.unfinished()).map((c) => c.orgId))];
  let queued = 0;
  for (const orgId of orgIds) {
    const org = await deps.orgs.get(orgId);
    if (!org) continue;
    const today = localDate(now, org.timezone);
    // Only in the month's first week: the rest of the month there is nothing to look up.
    if (Number(today.slice(8, 10)) > 7) continue;
    const month = today.slice(0, 7);
    const owners = (await deps.members.all(orgId)).filter((m) => m.roles.includes('process-owner'));
    const pending = [];
    for (const po of owners) {
      const key = `health:${month}:${po.id}`;
      if (await deps.outbox.byKey(orgId, key)) continue;
      pending.push({ po, key });
    }
    if (!pending.length) continue;
    const health = await processHealth(deps, orgId);
    if (!health.cycles.length) continue;
    queued += await deps.outbox.enqueue(
      pending.map(({ po, key }) => ({
        orgId,
        key,
        kind: 'reminder' as const,
        cycleId: null,
        recipient: { memberId: po.id, name: po.name },
        card: presentHealthSummary(health, month),
        notBefore: nextAllowedTime(now, po, workCalendar(org)),
      })),
      now,
    );
  }
  return queued;
}
