/**
 * Forms as Teams dialogs: task/fetch opens one (an input, an action to assign, a what-if), task/submit
 * checks it with the same use cases as Slack and REST. Problems come back in the dialog, beside their
 * fields, and nothing is written; a saved form closes with a line saying what happened.
 */
import type { App } from '@microsoft/teams.apps';
import { addAction } from '../../../src/app/ballots.js';
import { meetingButton, meetingFormFor, meetingFormSubmit } from '../../../src/app/meetingButtons.js';
import { disruptionFormFor, submitDisruption } from '../../../src/app/soeButtons.js';
import { submitInput } from '../../../src/app/inputs.js';
import { whatIfCard, type PackContent } from '../../../src/app/packs.js';
import { inputFormFor } from '../../../src/app/queries.js';
import type { OrgRecord, PackRecord } from '../../../src/app/records.js';
import {
  assignErrors,
  assignForm,
  errorsFor,
  inputForm,
  payloadFrom,
  refill,
  scenarioForm,
  whatIfFrom,
} from '../../../src/cards/forms.js';
import { cardText } from '../../../src/cards/card.js';
import type { Form } from '../../../src/cards/form.js';
import { presentActionAssigned } from '../../../src/cards/presenters/actions.js';
import { presentInputSaved, presentUnknownUser } from '../../../src/cards/presenters/people.js';
import { DomainError } from '../../../src/domain/errors.js';
import { cardActivity, dialogMessage, dialogResponse, readDialogValues } from '../adaptive.js';
import type { TeamsContext } from '../context.js';
import { NOT_CONNECTED } from './messages.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function register(app: App, ctx: TeamsContext): void {
  const { deps } = ctx;

  const packOf = async (org: OrgRecord, context: string) => {
    const [cycleId = '', version = ''] = context.split(':');
    const pack = /^[a-f0-9]{24}$/.test(cycleId)
      ? await deps.packs.byVersion(org.id, cycleId, Number(version))
      : null;
    return pack as PackRecord<PackContent> | null;
  };
  const people = async (orgId: string) =>
    (await deps.members.all(orgId))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({ value: m.id, label: m.name }));

  app.on('dialog.open', async (c) => {
    const data = (c.activity.value.data ?? {}) as Record<string, unknown>;
    const action = str(data['action']);
    const value = str(data['value']);
    const { org, member, owners } = await ctx.who(c);
    if (!org) return dialogMessage(NOT_CONNECTED);
    if (!member) return dialogMessage(presentUnknownUser('teams', org.name, owners).summary);
    switch (action) {
      case 'input.open': {
        const form = await inputFormFor(deps, org.id, value);
        return form ? dialogResponse(form) : dialogMessage('This input is no longer asked for.');
      }
      case 'decision.assign': {
        const decision = await deps.decisions.get(org.id, value);
        if (!decision) return dialogMessage('This decision no longer exists.');
        if (!member.roles.includes('process-owner'))
          return dialogMessage('Only the S&OP process owner assigns actions.');
        return dialogResponse(assignForm(decision, await people(org.id)));
      }
      case 'scenario.open': {
        const pack = await packOf(org, value);
        return pack ? dialogResponse(scenarioForm(pack)) : dialogMessage('This pack is no longer available.');
      }
      case 'soe.disruption.open': {
        const form = await disruptionFormFor(deps, org.id);
        return form
          ? dialogResponse(form)
          : dialogMessage('There is no data set yet: a disruption names one of its resources.');
      }
      case 'meeting.decide':
      case 'meeting.defer':
      case 'meeting.escalate': {
        const out = await meetingButton(deps, org, member, action, value);
        return out.kind === 'form'
          ? dialogResponse(out.form)
          : dialogMessage(out.kind === 'notice' ? out.text : out.card.summary);
      }
      default:
        return dialogMessage('Accord does not know this form.');
    }
  });

  app.on('dialog.submit', async (c) => {
    const data = (c.activity.value.data ?? {}) as Record<string, unknown>;
    const action = str(data['action']);
    const context = str(data['context']);
    const { org, member, owners } = await ctx.who(c);
    if (!org) return dialogMessage(NOT_CONNECTED);
    if (!member) return dialogMessage(presentUnknownUser('teams', org.name, owners).summary);
    const again = (form: Form, errors: Record<string, string>) =>
      dialogResponse(refill(form, readDialogValues(form, data)), errors);

    switch (action) {
      case 'input.submit': {
        const request = await deps.requests.get(org.id, context);
        if (!request) return dialogMessage('This input is no longer asked for.');
        const form = inputForm(request.kind, request.id, {});
        try {
          const out = await submitInput(
            deps,
            org.id,
            request.id,
            member.id,
            payloadFrom(request.kind, readDialogValues(form, data)),
          );
          return dialogMessage(
            cardText(
              presentInputSaved('teams', { version: out.submission.version, stepClosed: out.stepClosed }),
            ),
          );
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return again(
            form,
            Object.keys(err.fields).length
              ? errorsFor(request.kind, err.fields)
              : { [form.fields[0]!.id]: err.message },
          );
        }
      }
      case 'action.assign': {
        const decision = await deps.decisions.get(org.id, context);
        if (!decision) return dialogMessage('This decision no longer exists.');
        const form = assignForm(decision, await people(org.id));
        const values = readDialogValues(form, data);
        try {
          const created = await addAction(deps, org.id, decision.id, {
            actorId: member.id,
            ownerId: values['owner'] ?? '',
            dueDate: values['due'] ?? '',
            description: values['description'] ?? '',
          });
          const owner = await deps.members.get(org.id, created.ownerId);
          return dialogMessage(
            cardText(presentActionAssigned(owner?.name ?? 'The owner', created, 'their home card')),
          );
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return again(form, assignErrors(err.fields, err.message));
        }
      }
      case 'soe.disruption.submit': {
        const form = await disruptionFormFor(deps, org.id);
        if (!form) return dialogMessage('There is no data set yet: a disruption names one of its resources.');
        const out = await submitDisruption(deps, org, member, readDialogValues(form, data));
        return 'errors' in out ? again(form, out.errors) : dialogMessage(out.text);
      }
      case 'meeting.decide.submit':
      case 'meeting.defer.submit':
      case 'meeting.escalate.submit': {
        const form = await meetingFormFor(deps, org, action, context);
        if (!form) return dialogMessage('This item can no longer be closed from here.');
        const values = readDialogValues(form, data);
        const out = await meetingFormSubmit(deps, org, member, action, context, values);
        return 'errors' in out ? again(form, out.errors) : dialogMessage(out.text);
      }
      case 'scenario.submit': {
        const pack = await packOf(org, context);
        if (!pack) return dialogMessage('This pack is no longer available.');
        const form = scenarioForm(pack);
        const read = whatIfFrom(readDialogValues(form, data), pack);
        if ('errors' in read) return again(form, read.errors);
        // The re-plan may take longer than the invoke may wait: the comparison follows in the chat.
        void whatIfCard(deps, pack, read.whatIf)
          .then((card) => c.send(cardActivity(card)))
          .catch((err: unknown) => ctx.logger.error({ err }, 'a Teams what-if failed'));
        return dialogMessage(
          `Re-planning "${read.whatIf.name}"; the comparison appears in this chat in a moment.`,
        );
      }
      default:
        return dialogMessage('Accord does not know this form.');
    }
  });
}
