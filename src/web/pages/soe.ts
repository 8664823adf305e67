/**
 * S&OE between the meetings (the page the alert cards link to): the alerts, newest first, each with
 * what moved, the money at stake, its owner and what became of it; the three outcomes of the chat
 * card (decide now, the next pre-S&OP agenda, acknowledge with a note) for those who may settle it
 * (settleAlert's rule); the weeks of actuals the check is based on; and, for a process owner, the
 * "report a disruption" form (reportDisruption). The same use cases as chat and the API.
 */
import { createHash } from 'node:crypto';
import { disruptionForm, disruptionFromForm } from '../../cards/forms.js';
import type { FieldErrors, FormValues } from '../../cards/form.js';
import { ALERT_KIND_LABELS, ALERT_SEVERITY_LABELS, moneyAtStakeText } from '../../cards/presenters/soe.js';
import {
  disruptionResources,
  maySettleAlert,
  reportDisruption,
  settleAlert,
  soeBasis,
  type AlertOutcome,
} from '../../app/soe.js';
import { alertList, type AlertView } from '../../app/soeHistory.js';
import type { Deps } from '../../app/ports.js';
import { DomainError } from '../../domain/errors.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { formValues, formView } from '../forms.js';

/** Which alerts the page lists. */
type Show = 'open' | 'settled' | 'all';
const SHOWS: { value: Show; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'settled', label: 'Settled' },
  { value: 'all', label: 'All' },
];
const OUTCOMES: AlertOutcome[] = ['decide', 'agenda', 'acknowledged'];
const OUTCOME_LABELS: Record<AlertOutcome, string> = {
  acknowledged: 'Acknowledged',
  agenda: 'On the next pre-S&OP agenda',
  decide: 'Put to a decision',
};
const NOTE_MAX = 1000;
/** Weeks of actuals shown (up to the last complete week). */
const BASIS_WEEKS = 8;

/** An alert's place on the page: its id may hold any character of a family or resource code. */
const anchorOf = (alertId: string) => createHash('sha256').update(alertId).digest('hex').slice(0, 12);
const alertUrl = (alertId: string) => `/app/soe/alerts/${encodeURIComponent(alertId)}`;
const showOf = (v: string | undefined): Show => (SHOWS.some((s) => s.value === v) ? (v as Show) : 'open');
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A settle form sent back with its problems. */
interface SettleSent {
  alertId: string;
  note: string;
  errors: Record<string, string>;
}
/** The disruption form sent back with its problems. */
interface DisruptionSent {
  values: FormValues;
  errors: FieldErrors;
}

async function soePage(
  ctx: WebContext,
  show: Show,
  settle: SettleSent | null,
  disruption: DisruptionSent | null,
): Promise<WebResult> {
  const { deps, session } = ctx;
  const orgId = session.org.id;
  const [alerts, basis, members, decisions] = await Promise.all([
    alertList(deps, orgId),
    soeBasis(deps, orgId, BASIS_WEEKS),
    deps.members.all(orgId),
    deps.decisions.all(orgId),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const decided = new Map(decisions.map((d) => [d.ballotId, d]));
  const view = (a: AlertView) => {
    const sent = settle && settle.alertId === a.id ? settle : null;
    const anchor = anchorOf(a.id);
    const d = a.outcome?.ballotId ? decided.get(a.outcome.ballotId) : undefined;
    return {
      anchor,
      url: alertUrl(a.id),
      severity: a.severity,
      severityLabel: ALERT_SEVERITY_LABELS[a.severity] ?? 'Alert',
      kindLabel: ALERT_KIND_LABELS[a.kind] ?? 'A variance',
      what: a.what,
      week: a.week,
      owner: capitalised(a.owner),
      money: moneyAtStakeText(a) || null,
      raisedAt: a.raisedAt,
      notified: a.notified,
      escalated: a.escalated,
      outcome: a.outcome
        ? {
            label: OUTCOME_LABELS[a.outcome.outcome],
            by: names.get(a.outcome.by) ?? 'a former member',
            at: a.outcome.at,
            note: a.outcome.note,
            ballotId: a.outcome.ballotId,
            decision: d
              ? d.status === 'decided'
                ? `decided: ${d.optionLabel ?? d.option ?? ''}`
                : 'closed without a decision'
              : a.outcome.ballotId
                ? 'the executives are voting'
                : null,
          }
        : null,
      form:
        !a.outcome && maySettleAlert(session.member, a)
          ? {
              note: sent?.note ?? '',
              errors: sent?.errors ?? {},
              problems: sent ? Object.keys(sent.errors).length : 0,
            }
          : null,
    };
  };
  const open = alerts.filter((a) => !a.outcome).length;
  const shown = alerts.filter((a) =>
    show === 'open' ? !a.outcome : show === 'settled' ? !!a.outcome : true,
  );
  const isOwner = session.member.roles.includes('process-owner');
  const form = isOwner ? disruptionForm(await disruptionResources(deps, orgId)) : null;
  return {
    page: 'soe',
    title: 'S&OE alerts',
    status: settle || disruption ? 400 : 200,
    data: {
      show,
      shows: SHOWS.map((s) => ({ ...s, selected: s.value === show })),
      alerts: shown.map(view),
      counts: { all: alerts.length, open, settled: alerts.length - open },
      basis: {
        asOf: basis.asOf,
        plan: basis.plan,
        weeks: basis.weeks.map((w) => ({ ...w, received: w.families + w.resources > 0 })),
        received: basis.weeks.filter((w) => w.families + w.resources > 0).length,
      },
      disruption: form
        ? formView(form, '/app/soe/disruptions', disruption?.values ?? null, disruption?.errors ?? {})
        : null,
    },
  };
}

async function settleFromWeb(ctx: WebContext): Promise<WebResult> {
  const { deps, session, params, body } = ctx;
  const alertId = params['alertId'] ?? '';
  const alert = alertId ? await deps.soe.alert(session.org.id, alertId) : null;
  if (!alert) throw new DomainError('not_found', 'There is no such alert in your organisation.');
  const show = showOf(body['show']);
  const note = body['note'] ?? '';
  const outcome = body['outcome'] as AlertOutcome;
  const refused = (errors: Record<string, string>) => soePage(ctx, show, { alertId, note, errors }, null);
  if (!OUTCOMES.includes(outcome))
    return refused({ outcome: 'Choose what to do: decide now, the next agenda, or acknowledge.' });
  if (note.length > NOTE_MAX)
    return refused({ note: `Keep the note under ${NOTE_MAX.toLocaleString('en')} characters.` });
  let ballotId: string | null;
  try {
    ({ ballotId } = await settleAlert(deps, session.org.id, alertId, {
      memberId: session.member.id,
      outcome,
      ...(note ? { note } : {}),
    }));
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    return refused(
      err.fields['note'] ? { note: capitalised(`${err.fields['note']}.`) } : { outcome: err.message },
    );
  }
  if (ballotId)
    return {
      redirect: `/app/ballots/${ballotId}`,
      notice: 'A ballot is open to the executives: the alert is decided there.',
    };
  return {
    redirect: `/app/soe?show=all#alert-${anchorOf(alertId)}`,
    notice: outcome === 'agenda' ? 'On the next pre-S&OP agenda.' : 'Acknowledged, with your note.',
  };
}

async function reportFromWeb(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const orgId = session.org.id;
  const form = disruptionForm(await disruptionResources(deps, orgId));
  const values = formValues(form, body);
  const { input, errors } = disruptionFromForm(values);
  if (Object.keys(errors).length) return soePage(ctx, 'open', null, { values, errors });
  let out: Awaited<ReturnType<typeof reportDisruption>>;
  try {
    out = await reportDisruption(deps, orgId, { ...input, actorId: session.member.id });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    const { actorId: _actor, ...fields } = err.fields;
    return soePage(ctx, 'open', null, {
      values,
      errors: Object.keys(fields).length ? fields : { resource: err.message },
    });
  }
  const alertId = `${orgId}:disruption:${out.disruption.id}`;
  const raised = out.raised.some((a) => a.id === alertId);
  return raised
    ? {
        redirect: `/app/soe?show=open#alert-${anchorOf(alertId)}`,
        notice: 'Disruption reported: its alert is below, and its owners have been told.',
      }
    : {
        redirect: '/app/soe',
        notice:
          'Disruption reported. There is no plan to check it against yet: it raises its alert once a pack exists.',
      };
}

export function soePages(_deps: Deps): WebRoute[] {
  return [
    webRoute({
      method: 'get',
      path: '/app/soe',
      nav: 'soe',
      handler: (ctx) => soePage(ctx, showOf(ctx.query['show']), null, null),
    }),
    webRoute({ method: 'post', path: '/app/soe/alerts/:alertId', nav: 'soe', handler: settleFromWeb }),
    webRoute({
      method: 'post',
      path: '/app/soe/disruptions',
      nav: 'soe',
      role: 'process-owner',
      handler: reportFromWeb,
    }),
  ];
}
