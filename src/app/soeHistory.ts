/**
 * What S&OE raised and what became of it: the alert list (each alert with its outcome and
 * escalation) and, for the next pre-S&OP pack, the "S&OE since the last cycle" section: every alert
 * raised since the previous cycle's plan, and every alert put on this agenda, with its history.
 * Kept apart from src/app/soe.ts, which reads the pack's plan, so that the pack may read this.
 */
import type { Deps } from './ports.js';
import type { AlertOutcomeRecord, AlertRecord } from './records.js';

export interface AlertView extends AlertRecord {
  outcome: AlertOutcomeRecord | null;
  escalated: boolean;
}

/** Every alert of the org with its outcome and whether it was escalated, newest first. */
export async function alertList(deps: Pick<Deps, 'soe'>, orgId: string): Promise<AlertView[]> {
  const [alerts, outcomes, escalated] = await Promise.all([
    deps.soe.alerts(orgId),
    deps.soe.outcomes(orgId),
    deps.soe.escalated(orgId),
  ]);
  const byId = new Map(outcomes.map((o) => [o.alertId, o]));
  return alerts
    .map((a) => ({ ...a, outcome: byId.get(a.id) ?? null, escalated: escalated.has(a.id) }))
    .sort((a, b) => b.raisedAt.getTime() - a.raisedAt.getTime() || a.key.localeCompare(b.key));
}

/** One alert as the pack tells it: what moved, the money at stake, and what happened to it since. */
export interface SoeHistoryItem {
  id: string;
  kind: AlertRecord['kind'];
  severity: AlertRecord['severity'];
  owner: string;
  week: string;
  what: string;
  moneyAtStake: number;
  /** How the money at stake was counted: re-planned with the pack's model, or units times margin. */
  moneyBasis: 'replan' | 'rough';
  raisedAt: string;
  /** decided / agenda / acknowledged, or open when nobody settled it yet. */
  status: AlertOutcomeRecord['outcome'] | 'open';
  /** Put on this pre-S&OP's agenda: the meeting takes it up. */
  onAgenda: boolean;
  /** In order: raised, escalated, settled, and for a "decide now" the ballot's decision and its actions. */
  history: string[];
}

/** The pack's "S&OE since the last cycle" section. */
export interface PackSoe {
  /** When the previous cycle's plan was built (alerts since then are told), or null when there was none. */
  since: string | null;
  raised: number;
  decided: number;
  onAgenda: number;
  acknowledged: number;
  open: number;
  /** The alerts worth reading (those that reached chat, and those on the agenda), on the agenda first. */
  items: SoeHistoryItem[];
  /** Alerts raised since and only listed in Accord (an ordinary week outside the band, a backfill). */
  listedOnly: number;
}

/** At most this many alerts are told in the pack (the rest are on the S&OE page). */
const MAX_ITEMS = 40;
const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * S&OE since the last cycle, for the pack of `cycleId` (month `month`): the alerts raised since the
 * latest pack of an earlier cycle was built, and those put on the agenda since, each with its history.
 */
export async function soeSinceLastCycle(
  deps: Pick<Deps, 'soe' | 'cycles' | 'packs' | 'members' | 'decisions' | 'actions'>,
  orgId: string,
  cycle: { id: string; month: string },
): Promise<PackSoe> {
  const page = await deps.cycles.list(orgId, { limit: 100, after: null });
  let since: Date | null = null;
  for (const c of [...page.items]
    .filter((x) => x.month < cycle.month)
    .sort((a, b) => b.month.localeCompare(a.month))) {
    const pack = await deps.packs.latest(orgId, c.id);
    if (pack) {
      since = pack.createdAt;
      break;
    }
  }
  const all = await alertList(deps, orgId);
  const after = (d: Date) => since === null || d.getTime() >= since.getTime();
  const told = all.filter(
    (a) => after(a.raisedAt) || (a.outcome?.outcome === 'agenda' && after(a.outcome.at)),
  );
  const raisedSince = told.filter((a) => after(a.raisedAt));
  const worth = told.filter((a) => a.notified || a.outcome?.outcome === 'agenda');
  worth.sort(
    (a, b) =>
      Number(b.outcome?.outcome === 'agenda') - Number(a.outcome?.outcome === 'agenda') ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.moneyAtStake - a.moneyAtStake ||
      a.key.localeCompare(b.key),
  );
  const members = new Map((await deps.members.all(orgId)).map((m) => [m.id, m.name]));
  const nameOf = (id: string) => members.get(id) ?? id;
  const items: SoeHistoryItem[] = [];
  for (const a of worth.slice(0, MAX_ITEMS)) {
    const history = [`${day(a.raisedAt)}: raised for ${a.owner} (week ${a.week})`];
    if (a.escalated) history.push('escalated to the process owner: nobody settled it within a business day');
    const o = a.outcome;
    if (o) {
      const note = o.note ? `: "${o.note}"` : '';
      if (o.outcome === 'acknowledged') history.push(`${day(o.at)}: acknowledged by ${nameOf(o.by)}${note}`);
      if (o.outcome === 'agenda')
        history.push(`${day(o.at)}: put on the next pre-S&OP agenda by ${nameOf(o.by)}${note}`);
      if (o.outcome === 'decide') {
        history.push(`${day(o.at)}: ${nameOf(o.by)} asked the executives to decide now`);
        const decision = o.ballotId ? await deps.decisions.get(orgId, o.ballotId) : null;
        if (!decision) history.push('the ballot is still open');
        else {
          history.push(
            `${day(decision.decidedAt)}: ${decision.status}${decision.optionLabel ? `: ${decision.optionLabel}` : ''}`,
          );
          for (const x of await deps.actions.list(orgId, { decisionId: decision.id }))
            history.push(`action: ${x.description} (${nameOf(x.ownerId)}, due ${x.dueDate}, ${x.status})`);
        }
      }
    }
    items.push({
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      owner: a.owner,
      week: a.week,
      what: a.what,
      moneyAtStake: a.moneyAtStake,
      moneyBasis: a.moneyBasis ?? 'rough',
      raisedAt: a.raisedAt.toISOString(),
      status: o?.outcome ?? 'open',
      onAgenda: o?.outcome === 'agenda',
      history,
    });
  }
  const count = (s: SoeHistoryItem['status']) =>
    told.filter((a) => (a.outcome?.outcome ?? 'open') === s).length;
  return {
    since: since?.toISOString() ?? null,
    raised: raisedSince.length,
    decided: count('decide'),
    onAgenda: count('agenda'),
    acknowledged: count('acknowledged'),
    open: count('open'),
    items,
    listedOnly: raisedSince.filter((a) => !a.notified && a.outcome?.outcome !== 'agenda').length,
  };
}
