/**
 * An S&OE alert's buttons, once for both chats: decide now, add to the next agenda, acknowledge
 * (with the note typed above the buttons). The answer replaces the pressed card, or is a line.
 */
import { DomainError } from '../domain/errors.js';
import { presentAlertSettled } from '../cards/presenters/soe.js';
import type { ButtonResult } from './meetingButtons.js';
import type { Deps } from './ports.js';
import type { MemberRecord, OrgRecord } from './records.js';
import { disruptionResources, reportDisruption, settleAlert, type AlertOutcome } from './soe.js';
import { disruptionErrors, disruptionForm, disruptionFromForm } from '../cards/forms.js';
import type { FieldErrors, FormValues } from '../cards/form.js';

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

/** The disruption form for chat, with the data set's resources (null when there is no data set). */
export async function disruptionFormFor(deps: Deps, orgId: string) {
  const resources = (await disruptionResources(deps, orgId)).slice(0, 100);
  return resources.length ? disruptionForm(resources) : null;
}

/** A submitted disruption form: field errors (nothing written) or what was raised. */
export async function submitDisruption(
  deps: Deps,
  org: OrgRecord,
  member: MemberRecord,
  values: FormValues,
): Promise<{ errors: FieldErrors } | { text: string }> {
  const read = disruptionFromForm(values);
  if (Object.keys(read.errors).length) return { errors: read.errors };
  try {
    const { raised } = await reportDisruption(deps, org.id, { ...read.input, actorId: member.id });
    return {
      text: raised.length
        ? `Reported. ${raised.map((a) => a.what).join(' ')} The owners have been told.`
        : 'Reported. It raises no new alert: the plan has room for it, or it was reported already.',
    };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === 'validation_failed') return { errors: disruptionErrors(err.fields, err.message) };
    return { text: err.message };
  }
}
