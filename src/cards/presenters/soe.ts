/** Presenters for S&OE: an alert with its one-click outcomes, its escalation, what became of it. */
import { fmt } from '../../domain/plan.js';
import { webLinkBlock, type Card } from '../card.js';

interface AlertFacts {
  id: string;
  kind: string;
  what: string;
  week: string;
  owner: string;
  severity: string;
  moneyAtStake: number;
  moneyBasis?: 'replan' | 'rough' | undefined;
  replan?: { margin: number; leverSpend: number; lostMargin: number; shortfallUnits: number } | undefined;
}

/**
 * The money at stake as a sentence: re-planned with the pack's model (what serving the variance
 * costs in levers and margin still lost, or the margin the plan loses), or a rough units-times-margin
 * estimate; empty when there is none.
 */
export function moneyAtStakeText(a: Pick<AlertFacts, 'moneyAtStake' | 'moneyBasis' | 'replan'>): string {
  if (!(a.moneyAtStake > 0)) return '';
  const r = a.replan;
  if (a.moneyBasis === 'replan' && r) {
    const parts = [
      r.leverSpend > 0.5 ? `${fmt(r.leverSpend)} more on levers` : '',
      r.lostMargin > 0.5 ? `${fmt(r.lostMargin)} more margin lost` : '',
      r.shortfallUnits > 0.5 ? `${fmt(r.shortfallUnits)} more units short` : '',
      r.margin < -0.5 ? `the plan's margin ${fmt(-r.margin)} lower` : '',
    ].filter(Boolean);
    return `About ${fmt(a.moneyAtStake)} at stake, re-planned with the pack's model${parts.length ? `: ${parts.join(', ')}` : ''}.`;
  }
  return `About ${fmt(a.moneyAtStake)} of margin at stake (units at risk times unit margin).`;
}

/** How a severity reads to a person. */
export const ALERT_SEVERITY_LABELS: Record<string, string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Note',
};
/** What kind of variance an alert is, as a person reads it. */
export const ALERT_KIND_LABELS: Record<string, string> = {
  'demand-band': 'Demand outside its forecast range',
  bias: 'A forecast bias',
  'resource-over-plan': 'A resource running above plan',
  'inventory-below-safety': 'Stock heading below safety stock',
  disruption: 'A reported disruption',
};

/** An alert to its owners: what moved, the money at stake, and the three outcomes (with a note). */
export function presentAlert(a: AlertFacts, timezone: string): Card {
  void timezone;
  return {
    summary: `${ALERT_SEVERITY_LABELS[a.severity] ?? 'Alert'}: ${a.what}`,
    blocks: [
      {
        type: 'header',
        text: `${ALERT_SEVERITY_LABELS[a.severity] ?? 'Alert'}: ${ALERT_KIND_LABELS[a.kind] ?? 'A variance'} (${a.week})`,
      },
      { type: 'text', text: a.what },
      {
        type: 'text',
        text: `${moneyAtStakeText(a) ? `${moneyAtStakeText(a)} ` : ''}Owned by ${a.owner}. Decide now (a ballot among the executives), put it on the next pre-S&OP agenda, or acknowledge it with a note.`,
      },
      {
        type: 'input',
        id: `note:${a.id}`,
        label: 'Note (needed to acknowledge)',
        placeholder: 'What you do about it',
      },
      {
        type: 'actions',
        buttons: [
          { action: 'soe.decide', label: 'Decide now', value: a.id, style: 'primary' },
          { action: 'soe.agenda', label: 'Add to the next agenda', value: a.id },
          { action: 'soe.ack', label: 'Acknowledge', value: a.id },
        ],
      },
      webLinkBlock('/app/soe'),
    ],
  };
}

/** An alert nobody settled for a business day, to the process owner. */
export function presentAlertEscalation(a: AlertFacts, timezone: string): Card {
  const card = presentAlert(a, timezone);
  return {
    summary: `Not settled for a business day: ${a.what}`,
    blocks: [
      {
        type: 'text',
        text: `Nobody has settled this alert for a business day; it goes to you as the process owner.`,
      },
      ...card.blocks,
    ],
  };
}

/** What the click did, for the person who pressed. */
export function presentAlertSettled(
  a: { what: string },
  o: { outcome: string; note: string | null; ballotId: string | null },
): Card {
  const text =
    o.outcome === 'decide'
      ? `A ballot is open to the executives: ${a.what}`
      : o.outcome === 'agenda'
        ? `On the next pre-S&OP agenda: ${a.what}`
        : `Acknowledged (${o.note}): ${a.what}`;
  return { summary: text, blocks: [{ type: 'text', text }] };
}

/** Many new alerts for one person from one check: the largest few, and the way to the rest. */
export function presentAlertDigest(alerts: AlertFacts[], week: string): Card {
  const top = [...alerts].sort((a, b) => b.moneyAtStake - a.moneyAtStake).slice(0, 5);
  return {
    summary: `${alerts.length} new S&OE alerts up to ${week}`,
    blocks: [
      { type: 'header', text: `${alerts.length} new S&OE alerts up to ${week}` },
      {
        type: 'text',
        text: 'The largest by money at stake; all of them, with their buttons, are in Accord.',
      },
      ...top.map((a) => ({
        type: 'text' as const,
        text: `${ALERT_SEVERITY_LABELS[a.severity] ?? 'Alert'}: ${a.what}${a.moneyAtStake > 0 ? ` About ${fmt(a.moneyAtStake)} at stake.` : ''}`,
      })),
      webLinkBlock('/app/soe', 'Open the alerts in Accord'),
    ],
  };
}

/** Teams' `disruption`: a dialog opens from a button only, so the form is one click away. */
export function presentDisruptionInvite(): Card {
  return {
    summary: 'Report a disruption',
    blocks: [
      {
        type: 'text',
        text: 'A line down or a supplier short? Report it here: Accord checks it against the plan at once and tells the owners.',
      },
      {
        type: 'actions',
        buttons: [{ action: 'soe.disruption.open', label: 'Report a disruption', value: '' }],
      },
    ],
  };
}

/** The pack's "S&OE since the last cycle" as its templates (document and web page) read it. */
export function packSoeView(soe: {
  since: string | null;
  raised: number;
  decided: number;
  onAgenda: number;
  acknowledged: number;
  open: number;
  listedOnly: number;
  items: (AlertFacts & { status: string; onAgenda: boolean; history: string[] })[];
}) {
  const status: Record<string, string> = {
    decide: 'Decided now',
    agenda: 'On this agenda',
    acknowledged: 'Acknowledged',
    open: 'Open',
  };
  return {
    summary:
      `${soe.raised} ${soe.raised === 1 ? 'alert' : 'alerts'} raised since ` +
      `${soe.since ? `the last cycle's plan (${soe.since.slice(0, 10)})` : 'S&OE began'}: ` +
      `${soe.decided} decided now, ${soe.onAgenda} on this agenda, ${soe.acknowledged} acknowledged, ${soe.open} open` +
      (soe.listedOnly ? `; ${soe.listedOnly} only listed in Accord.` : '.'),
    items: soe.items.map((i) => ({
      ...i,
      label: `${ALERT_SEVERITY_LABELS[i.severity] ?? 'Alert'}: ${ALERT_KIND_LABELS[i.kind] ?? 'A variance'}`,
      statusLabel: status[i.status] ?? i.status,
      money: moneyAtStakeText(i) || 'None estimated',
    })),
  };
}
