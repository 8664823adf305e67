/**
 * Modal submissions. Each is checked field by field by its use case (the same rules as REST and
 * Teams); problems go back beside their fields (`response_action: 'errors'`) and nothing is written.
 */
import type { App } from '@slack/bolt';
import { addAction } from '../../../src/app/ballots.js';
import { identifyChatUser } from '../../../src/app/chatUsers.js';
import { meetingFormFor, meetingFormSubmit } from '../../../src/app/meetingButtons.js';
import { disruptionFormFor, submitDisruption } from '../../../src/app/soeButtons.js';
import { submitInput } from '../../../src/app/inputs.js';
import { whatIfCard, type PackContent } from '../../../src/app/packs.js';
import type { PackRecord } from '../../../src/app/records.js';
import {
  assignErrors,
  assignForm,
  errorsFor,
  inputForm,
  payloadFrom,
  scenarioForm,
  whatIfFrom,
} from '../../../src/cards/forms.js';
import { presentActionAssigned } from '../../../src/cards/presenters/actions.js';
import { presentInputSaved, presentNotice } from '../../../src/cards/presenters/people.js';
import { DomainError } from '../../../src/domain/errors.js';
import type { SlackContext } from '../context.js';
import { cardModal, readModalValues } from '../views.js';

export function register(app: App, ctx: SlackContext): void {
  const { deps } = ctx;

  app.view('input.submit', async ({ ack, body, view, client }) => {
    const { org, member } = await ctx.who(client, body);
    const request = org ? await deps.requests.get(org.id, view.private_metadata) : null;
    if (!org || !member || !request) {
      const first = (view.blocks as { block_id?: string }[])[0]?.block_id ?? 'value';
      await ack({
        response_action: 'errors',
        errors: { [first]: 'You are not set up in Accord for this input.' },
      });
      return;
    }
    const form = inputForm(request.kind, request.id, {});
    const payload = payloadFrom(request.kind, readModalValues(form, view.state.values));
    try {
      const out = await submitInput(deps, org.id, request.id, member.id, payload);
      await ack({
        response_action: 'update',
        view: cardModal(
          'Saved',
          presentInputSaved('slack', { version: out.submission.version, stepClosed: out.stepClosed }),
        ) as never,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const errors = Object.keys(err.fields).length
        ? errorsFor(request.kind, err.fields)
        : { [form.fields[0]!.id]: err.message };
      await ack({ response_action: 'errors', errors });
    }
  });

  app.view('action.assign', async ({ ack, body, view, client }) => {
    const { org, member } = await ctx.who(client, body);
    if (!org || !member) {
      await ack({ response_action: 'errors', errors: { owner: 'You are not set up in Accord.' } });
      return;
    }
    const values = readModalValues(
      assignForm({ id: view.private_metadata, title: '' }, []),
      view.state.values,
    );
    // The picked Slack user, as a member (linked by their Slack email on first use).
    const picked = values['owner'];
    const owner = picked
      ? (
          await identifyChatUser(deps, org.id, 'slack', picked, async () => {
            const info = await client.users.info({ user: picked });
            return info.user?.profile?.email;
          })
        ).member
      : null;
    try {
      const created = await addAction(deps, org.id, view.private_metadata, {
        actorId: member.id,
        ownerId: owner?.id ?? '',
        dueDate: values['due'] ?? '',
        description: values['description'] ?? '',
      });
      await ack({
        response_action: 'update',
        view: cardModal(
          'Action assigned',
          presentActionAssigned(owner!.name, created, 'their Home tab'),
        ) as never,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const errors = assignErrors(err.fields, err.message);
      if (picked && !owner)
        errors['owner'] = 'this person is not in Accord: add them first (with their Slack email)';
      await ack({ response_action: 'errors', errors });
    }
  });

  // A live meeting's item closed by its chair: decided (with an owner), deferred or escalated.
  app.view(/^meeting\.(decide|defer|escalate)\.submit$/, async ({ ack, body, view, client }) => {
    const { org, member } = await ctx.who(client, body);
    const form = org ? await meetingFormFor(deps, org, view.callback_id, view.private_metadata) : null;
    const first = (view.blocks as { block_id?: string }[]).find((b) => b.block_id)?.block_id ?? 'reason';
    if (!org || !member || !form) {
      await ack({
        response_action: 'errors',
        errors: { [first]: 'This item can no longer be closed from here.' },
      });
      return;
    }
    const out = await meetingFormSubmit(
      deps,
      org,
      member,
      view.callback_id,
      view.private_metadata,
      readModalValues(form, view.state.values),
    );
    if ('errors' in out) await ack({ response_action: 'errors', errors: out.errors });
    else
      await ack({ response_action: 'update', view: cardModal('Recorded', presentNotice(out.text)) as never });
  });

  // `/sop disruption`: checked field by field; what it raised is said in the modal.
  app.view('soe.disruption.submit', async ({ ack, body, view, client }) => {
    const { org, member } = await ctx.who(client, body);
    const form = org ? await disruptionFormFor(deps, org.id) : null;
    if (!org || !member || !form) {
      await ack({ response_action: 'errors', errors: { note: 'You are not set up in Accord for this.' } });
      return;
    }
    const out = await submitDisruption(deps, org, member, readModalValues(form, view.state.values));
    if ('errors' in out) await ack({ response_action: 'errors', errors: out.errors });
    else
      await ack({ response_action: 'update', view: cardModal('Reported', presentNotice(out.text)) as never });
  });

  // `/sop scenario`: checked field by field, then acked with a "working" view; the comparison
  // replaces it when the re-plan is done (which may take longer than Slack's 3 s).
  app.view('scenario.submit', async ({ ack, body, view, client }) => {
    const { org, member } = await ctx.who(client, body);
    const [cycleId = '', version = ''] = view.private_metadata.split(':');
    const pack =
      org && member && /^[a-f0-9]{24}$/.test(cycleId)
        ? await deps.packs.byVersion(org.id, cycleId, Number(version))
        : null;
    if (!org || !member || !pack) {
      await ack({
        response_action: 'errors',
        errors: { demandPercent: 'This pack is no longer available.' },
      });
      return;
    }
    const typed = pack as PackRecord<PackContent>;
    const read = whatIfFrom(readModalValues(scenarioForm(typed), view.state.values), typed);
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack({
      response_action: 'update',
      view: cardModal(
        'What-if',
        presentNotice(`Re-planning "${read.whatIf.name}"; the comparison appears here in a moment.`),
      ) as never,
    });
    const card = await whatIfCard(deps, typed, read.whatIf);
    await client.views.update({ view_id: view.id, view: cardModal('What-if', card) as never });
  });
}
