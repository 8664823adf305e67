/** Use case: submitInput (each submission a new version, editable until the step closes). */
import { DomainError } from '../domain/errors.js';
import { INPUT_PAYLOADS, inputMonthProblems } from '../domain/inputs.js';
import { horizonPeriods } from '../domain/plan.js';
import { maySubmit } from '../domain/obligations.js';
import type { Deps } from './ports.js';
import type { SubmissionRecord } from './records.js';
import { advanceCycle } from './cycleEngine.js';
import { requireProcessOwner } from './cycles.js';
import { zodFields } from './validation.js';

export async function submitInput(
  deps: Deps,
  orgId: string,
  requestId: string,
  actorId: string,
  payload: unknown,
): Promise<{ submission: SubmissionRecord; stepClosed: boolean }> {
  const request = await deps.requests.get(orgId, requestId);
  if (!request) throw new DomainError('not_found', 'input request not found');
  const actor = await deps.members.get(orgId, actorId);
  if (!actor)
    throw new DomainError('validation_failed', 'unknown member', {
      memberId: 'no member with this id in this org',
    });
  if (!maySubmit(actor, request.owners)) {
    throw new DomainError(
      'forbidden',
      `${actor.name} does not owe this input and is not a delegate of someone who does`,
    );
  }
  const [cycle, org] = await Promise.all([deps.cycles.get(orgId, request.cycleId), deps.orgs.get(orgId)]);
  const step = cycle?.steps.find((s) => s.key === request.step);
  if (!cycle || !step || !org) throw new DomainError('not_found', 'cycle not found');
  // The shape and bounds (zod), and the months against those the cycle plans: every problem at once.
  const periods = horizonPeriods(cycle.month, org.horizonMonths);
  const outside = inputMonthProblems(request.kind, payload, {
    from: periods[0]!,
    to: periods.at(-1)!,
    why: `the months the ${cycle.month} cycle plans`,
  });
  const parsed = INPUT_PAYLOADS[request.kind].safeParse(payload);
  const problems = {
    ...Object.fromEntries(Object.entries(outside).map(([k, v]) => [`payload.${k}`, v])),
    ...(parsed.success ? {} : zodFields(parsed.error, 'payload')),
  };
  if (!parsed.success || Object.keys(problems).length)
    throw new DomainError('validation_failed', 'the input is not valid', problems);
  let data: unknown = parsed.data;
  if (request.kind === 'data-confirmation') {
    // Confirming the data pins the dataset version the cycle plans with.
    const wanted = (parsed.data as { datasetVersion?: number }).datasetVersion;
    const dataset = wanted ? await deps.datasets.byVersion(orgId, wanted) : await deps.datasets.latest(orgId);
    if (!dataset) {
      throw new DomainError(
        'validation_failed',
        'the input is not valid',
        wanted
          ? { 'payload.datasetVersion': `there is no dataset version ${wanted}` }
          : {
              'payload.datasetVersion':
                'no data set has been uploaded yet: upload it first (POST .../datasets)',
            },
      );
    }
    data = { ...parsed.data, datasetVersion: dataset.version };
  }
  if (step.status !== 'open') {
    throw new DomainError(
      'step_not_open',
      `${request.step} is ${step.status}; inputs can be given only while it is open`,
    );
  }
  const now = deps.clock.now();
  const submission = await deps.submissions.append(
    { orgId, cycleId: cycle.id, requestId, authorId: actor.id, payload: data },
    now,
  );
  await deps.requests.markSubmitted(orgId, requestId, submission.version, now);
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: actor.id },
      action: 'input.submitted',
      entity: { type: 'input-request', id: requestId },
      after: {
        version: submission.version,
        step: request.step,
        kind: request.kind,
        function: request.function,
        payload: data,
      },
    },
    now,
  );
  const after = await advanceCycle(deps, cycle.id, orgId);
  const stepClosed = after.steps.find((s) => s.key === request.step)?.status === 'closed';
  return { submission, stepClosed };
}

/**
 * Use case: excuseInput. The process owner excuses an input that is not coming this cycle (its
 * owner is on leave, the function has nothing to change) with a reason: it is no longer owed,
 * reminded or escalated, and a step whose other inputs are in closes as complete. `reason` null
 * withdraws the excuse. Not on a closed step (reopen it first) nor on an input already submitted.
 */
export async function excuseInput(
  deps: Deps,
  orgId: string,
  requestId: string,
  actorId: string,
  reason: string | null,
): Promise<{ excused: boolean; stepClosed: boolean }> {
  await requireProcessOwner(deps, orgId, actorId);
  const request = await deps.requests.get(orgId, requestId);
  if (!request) throw new DomainError('not_found', 'input request not found');
  const cycle = await deps.cycles.get(orgId, request.cycleId);
  const step = cycle?.steps.find((s) => s.key === request.step);
  if (!cycle || !step) throw new DomainError('not_found', 'cycle not found');
  if (step.status === 'closed' || cycle.status === 'closed')
    throw new DomainError('step_closed', `${request.step} is closed: reopen it to change who owes what`);
  const text = reason?.trim() ?? null;
  if (text !== null) {
    if (request.latestVersion > 0)
      throw new DomainError('conflict', 'this input has been submitted: there is nothing to excuse');
    if (!text || text.length > 500)
      throw new DomainError('validation_failed', 'the excuse is not valid', {
        reason: 'say why this input is not needed (up to 500 characters): its owners see it',
      });
  }
  const now = deps.clock.now();
  const excused = text === null ? null : { by: actorId, reason: text, at: now };
  await deps.requests.excuse(orgId, requestId, excused);
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: actorId },
      action: text === null ? 'input.excuse-withdrawn' : 'input.excused',
      entity: { type: 'input-request', id: requestId },
      before: request.excused,
      after: excused,
    },
    now,
  );
  const after = await advanceCycle(deps, cycle.id, orgId);
  return {
    excused: excused !== null,
    stepClosed: after.steps.find((s) => s.key === request.step)?.status === 'closed',
  };
}
