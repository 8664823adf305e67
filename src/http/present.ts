/** JSON views of records for API v1. Dates as ISO strings; internal fields never leave. */
import { STEP_TITLES } from '../domain/calendar.js';
import type {
  AuditRecord,
  CycleRecord,
  InputRequestRecord,
  MemberRecord,
  OrgRecord,
  OutboxRecord,
  SubmissionRecord,
} from '../app/records.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function orgJson(o: OrgRecord) {
  return {
    id: o.id,
    name: o.name,
    timezone: o.timezone,
    horizonMonths: o.horizonMonths,
    holidays: o.holidays,
    weekend: o.weekend,
    calendar: o.calendar,
    functions: o.functions,
    reminderPolicy: o.reminderPolicy,
    votingRules: o.votingRules,
    createdAt: o.createdAt.toISOString(),
  };
}

export function memberJson(m: MemberRecord) {
  return {
    id: m.id,
    name: m.name,
    email: m.email,
    timezone: m.timezone,
    roles: m.roles,
    functions: m.functions,
    quietHours: m.quietHours,
    delegation: m.delegation,
    slackUserId: m.slackUserId,
    teamsUserId: m.teamsUserId,
    preferredChat: m.preferredChat ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** `versions`: request id -> latest version, counted from the submissions (see SubmissionRepo). */
export function inputRequestJson(
  r: InputRequestRecord,
  names: Map<string, string>,
  versions: Map<string, number>,
) {
  const latestVersion = versions.get(r.id) ?? 0;
  return {
    id: r.id,
    key: r.key,
    step: r.step,
    kind: r.kind,
    function: r.function,
    owners: r.owners.map((id) => ({ id, name: names.get(id) ?? '(removed member)' })),
    submitted: latestVersion > 0,
    latestVersion,
    lastSubmittedAt: iso(r.lastSubmittedAt),
    excused: r.excused ? { ...r.excused, at: r.excused.at.toISOString() } : null,
  };
}

export function cycleJson(
  c: CycleRecord,
  requests: InputRequestRecord[],
  names: Map<string, string>,
  versions: Map<string, number>,
) {
  return {
    id: c.id,
    orgId: c.orgId,
    month: c.month,
    status: c.status,
    steps: c.steps.map((s) => ({
      key: s.key,
      title: STEP_TITLES[s.key],
      opensAt: s.opensAt.toISOString(),
      dueAt: s.dueAt.toISOString(),
      status: s.status,
      openedAt: iso(s.openedAt),
      closedAt: iso(s.closedAt),
      closedReason: s.closedReason,
      changes: s.changes.map((ch) => ({
        kind: ch.kind,
        from: ch.from.toISOString(),
        to: ch.to.toISOString(),
        reason: ch.reason,
        by: ch.by,
        at: ch.at.toISOString(),
      })),
    })),
    inputs: requests.map((r) => inputRequestJson(r, names, versions)),
    createdAt: c.createdAt.toISOString(),
  };
}

export function submissionJson(s: SubmissionRecord) {
  return {
    id: s.id,
    requestId: s.requestId,
    version: s.version,
    authorId: s.authorId,
    payload: s.payload,
    createdAt: s.createdAt.toISOString(),
  };
}

export function outboxJson(o: OutboxRecord) {
  return {
    id: o.id,
    key: o.key,
    kind: o.kind,
    cycleId: o.cycleId,
    recipient: o.recipient,
    channel: o.channel ?? null,
    card: o.card,
    status: o.status,
    notBefore: o.notBefore.toISOString(),
    attempts: o.attempts,
    lastError: o.lastError ?? null,
    delivery: o.delivery ?? null,
    createdAt: o.createdAt.toISOString(),
  };
}

export function auditJson(a: AuditRecord) {
  return {
    id: a.id,
    seq: a.seq,
    at: a.at.toISOString(),
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    before: a.before,
    after: a.after,
    prevHash: a.prevHash,
    hash: a.hash,
  };
}
