/**
 * An S&OE alert's buttons, once for both chats: decide now, add to the next agenda, acknowledge
 * (with the note typed above the buttons). The answer replaces the pressed card, or is a line.
 */
import { DomainError } from '../domain/errors.js';
import { presentAlertSettled } from '../cards/presenters/soe.js';
import type { ButtonResult } from './meetingButtons.js';
import type { Deps } from './ports.js';
import type { MemberRecord, OrgRecord } from './records.js';
import { settleAlert, type AlertOutcome } from './soe.js';

export const SOE_BUTTONS = ['soe.decide', 'soe.agenda', 'soe.ack'] as const;
const OUTCOMES: Record<string, AlertOutcome> = {
  'soe.decide': 'decide',
  'soe.agenda': 'agenda',
  'soe.ack': 'acknowledged',
};

export async function soeButton(
  deps: Deps,
  org: OrgRecord,
  member: MemberRecord,
  action: string,
  alertId: string,
  note: string | undefined,
): Promise<ButtonResult> {
  const outcome = OUTCOMES[action];
  if (!outcome) return { kind: 'notice', text: 'Accord does not know this button.' };
  try {
    const settled = await settleAlert(deps, org.id, alertId, { memberId: member.id, outcome, note });
    const alert = (await deps.soe.alert(org.id, alertId))!;
    return { kind: 'card', card: presentAlertSettled(alert, settled) };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return {
      kind: 'notice',
      text: err.fields['note'] ? `Not acknowledged: ${err.fields['note']}.` : err.message,
    };
  }
}
