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
        text: `${a.moneyAtStake > 0 ? `About ${fmt(a.moneyAtStake)} of margin at stake. ` : ''}Owned by ${a.owner}. Decide now (a ballot among the executives), put it on the next pre-S&OP agenda, or acknowledge it with a note.`,
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
