/**
 * Use cases: the cycle's meetings and their invitations, attendance (recorded by the process owner,
 * beside each invitee's answer to the attendance request), response rates, follow-through
 * measures, and the sweep's reminders for action items (owner before the due date, the process
 * owner once an action is overdue), in the owner's working hours.
 */
import { DomainError } from '../domain/errors.js';
import { nextAllowedTime } from '../domain/manners.js';
import {
  followThrough,
  icsFor,
  meetingOf,
  MEETING_STEPS,
  type Meeting,
  type MeetingStep,
} from '../domain/meetings.js';
import { atLocalTime } from '../domain/time.js';
import { presentActionOverdue, presentActionReminder } from '../cards/presenters/actions.js';
import { requireProcessOwner } from './cycles.js';
import { workCalendar } from './cycleEngine.js';
import type { Deps } from './ports.js';
import type { AttendanceStatus, CycleRecord, InputRequestRecord, MemberRecord } from './records.js';

export async function cycleMeetings(deps: Deps, orgId: string, cycleId: string): Promise<Meeting[]> {
  const [org, cycle, members] = await Promise.all([
    deps.orgs.get(orgId),
    deps.cycles.get(orgId, cycleId),
    deps.members.all(orgId),
  ]);
  if (!org || !cycle) throw new DomainError('not_found', 'cycle not found');
  return MEETING_STEPS.map((step) => meetingOf(cycle, step, members, org.timezone));
}

/** `meetingId` is `<cycleId>-pre-sop` or `<cycleId>-executive-sop`. */
export async function findMeeting(deps: Deps, orgId: string, meetingId: string): Promise<Meeting> {
  const match = /^([a-f0-9]{24})-(pre-sop|executive-sop)$/.exec(meetingId);
  if (!match) throw new DomainError('not_found', 'meeting not found');
  const meetings = await cycleMeetings(deps, orgId, match[1]!);
  return meetings.find((m) => m.step === (match[2] as MeetingStep))!;
}

export async function meetingInvitation(deps: Deps, orgId: string, meetingId: string): Promise<string> {
  const meeting = await findMeeting(deps, orgId, meetingId);
  const members = await deps.members.all(orgId);
  const byId = new Map(members.map((m) => [m.id, m]));
  const owner = members.find((m) => m.roles.includes('process-owner'));
  const org = (await deps.orgs.get(orgId))!;
  return icsFor(
    meeting,
    meeting.invitees.map((id) => byId.get(id)!).map((m) => ({ name: m.name, email: m.email })),
    owner ? { name: owner.name, email: owner.email } : null,
    deps.clock.now(),
    { description: `${org.name}: ${meeting.title}. Times are set in ${org.timezone}.` },
  );
}

export async function recordAttendance(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: {
    actorId: string;
    records: { memberId: string; status: AttendanceStatus; delegateId?: string | undefined }[];
  },
): Promise<void> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  const meeting = await findMeeting(deps, orgId, meetingId);
  const members = new Map((await deps.members.all(orgId)).map((m) => [m.id, m]));
  const fields: Record<string, string> = {};
  input.records.forEach((r, i) => {
    if (!meeting.invitees.includes(r.memberId))
      fields[`records.${i}.memberId`] = 'not invited to this meeting';
    if (r.status === 'represented') {
      const d = r.delegateId ? members.get(r.delegateId) : undefined;
      if (!d || d.delegation?.of !== r.memberId)
        fields[`records.${i}.delegateId`] = 'name a delegate of this member';
    }
  });
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the attendance is not valid', fields);
  const now = deps.clock.now();
  for (const r of input.records)
    await deps.attendance.put({
      orgId,
      meetingId,
      memberId: r.memberId,
      status: r.status,
      delegateId: r.status === 'represented' ? r.delegateId! : null,
      recordedBy: { type: 'member', id: actor.id },
      at: now,
    });
  await deps.audit.append(
    orgId,
    {
      actor: { type: 'member', id: actor.id },
      action: 'attendance.recorded',
      entity: { type: 'meeting', id: meetingId },
      after: input.records,
    },
    now,
  );
}

/** Each meeting's invitees (their answer to the attendance request, what was recorded) and response rates. */
export async function attendanceView(deps: Deps, orgId: string, cycleId: string) {
  const meetings = await cycleMeetings(deps, orgId, cycleId);
  const [members, requests, recorded] = await Promise.all([
    deps.members.all(orgId),
    deps.requests.forCycle(orgId, cycleId),
    deps.attendance.forMeetings(
      orgId,
      meetings.map((m) => m.id),
    ),
  ]);
  const byId = new Map(members.map((m) => [m.id, m]));
  const rsvp = new Map<string, { response: string; delegateId: string | null }>();
  for (const r of requests.filter((x) => x.kind === 'attendance' && x.latestVersion > 0)) {
    const versions = await deps.submissions.list(orgId, r.id);
    const p = versions[versions.length - 1]?.payload as { response: string; delegateId?: string } | undefined;
    if (p) rsvp.set(`${r.step}:${r.owners[0]}`, { response: p.response, delegateId: p.delegateId ?? null });
  }
  const delegateAuthority = (id: string | null) =>
    id ? (byId.get(id)?.delegation?.authority ?? false) : null;
  const meetingsOut = meetings.map((m) => ({
    id: m.id,
    step: m.step,
    title: m.title,
    start: m.start.toISOString(),
    end: m.end.toISOString(),
    timezone: m.timezone,
    invitees: m.invitees.map((id) => {
      const rec = recorded.find((r) => r.meetingId === m.id && r.memberId === id);
      return {
        memberId: id,
        name: byId.get(id)?.name ?? id,
        answered: rsvp.get(`${m.step}:${id}`)?.response ?? null,
        attendance: rec?.status ?? null,
        delegateId: rec?.delegateId ?? null,
        delegateHasAuthority: delegateAuthority(rec?.delegateId ?? null),
      };
    }),
    present: recorded.filter((r) => r.meetingId === m.id && r.status !== 'absent').length,
  }));
  // Response rates: of the inputs each member owed this cycle, how many were given.
  const owed = new Map<string, { owed: number; given: number }>();
  for (const r of requests)
    for (const id of r.owners) {
      const x = owed.get(id) ?? { owed: 0, given: 0 };
      x.owed++;
      if (r.latestVersion > 0) x.given++;
      owed.set(id, x);
    }
  const perMember = [...owed.entries()].map(([id, x]) => ({
    memberId: id,
    name: byId.get(id)?.name ?? id,
    functions: byId.get(id)?.functions ?? [],
    owed: x.owed,
    given: x.given,
    rate: x.owed ? x.given / x.owed : null,
  }));
  const fnRates = new Map<string, { owed: number; given: number }>();
  for (const r of requests.filter((x) => x.function)) {
    const x = fnRates.get(r.function!) ?? { owed: 0, given: 0 };
    x.owed++;
    if (r.latestVersion > 0) x.given++;
    fnRates.set(r.function!, x);
  }
  return {
    meetings: meetingsOut,
    responseRates: {
      members: perMember,
      functions: [...fnRates.entries()].map(([fn, x]) => ({ function: fn, ...x, rate: x.given / x.owed })),
    },
  };
}

export async function followThroughMetrics(deps: Deps, orgId: string) {
  const [org, decisions, actions] = await Promise.all([
    deps.orgs.get(orgId),
    deps.decisions.all(orgId),
    deps.actions.list(orgId, {}),
  ]);
  if (!org) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  // Due at 17:00 of the due date in the org's zone, as the escalation counts it.
  const dueAt = (dueDate: string) => actionDueAt(dueDate, org.timezone);
  // When each decision's trade-off was framed: its pack's build time (each pack read once).
  const builtAt = new Map<string, Date | null>();
  const framed = new Map<string, Date | null>();
  for (const d of decisions) {
    if (!d.source) {
      framed.set(d.id, null);
      continue;
    }
    const key = `${d.cycleId}:${d.source.packVersion}`;
    if (!builtAt.has(key))
      builtAt.set(
        key,
        (await deps.packs.byVersion(orgId, d.cycleId, d.source.packVersion))?.createdAt ?? null,
      );
    framed.set(d.id, builtAt.get(key)!);
  }
  const input = (cycleId?: string) => ({
    decisions: decisions
      .filter((d) => !cycleId || d.cycleId === cycleId)
      .map((d) => ({
        id: d.id,
        cycleId: d.cycleId,
        status: d.status,
        decidedAt: d.decidedAt,
        framedAt: framed.get(d.id) ?? null,
      })),
    actions: actions.filter((a) => !cycleId || a.cycleId === cycleId),
    dueAt,
    now,
  });
  const cycles = [...new Set(decisions.map((d) => d.cycleId))];
  const months = new Map<string, string>();
  for (const id of cycles) months.set(id, (await deps.cycles.get(orgId, id))?.month ?? '');
  return {
    overall: followThrough(input()),
    cycles: cycles
      .map((id) => ({ cycleId: id, month: months.get(id)!, ...followThrough(input(id)) }))
      .sort((a, b) => a.month.localeCompare(b.month)),
  };
}

const HOURS_BEFORE = 48;
const DUE_TIME = '17:00';

/** When an action due on this date falls due: 17:00 of that day in the zone (as the metrics count it). */
export function actionDueAt(dueDate: string, timezone: string): Date {
  return atLocalTime(dueDate, DUE_TIME, timezone);
}

/** Whether an action still to do (open or blocked) is past its due time. */
export function actionOverdue(
  action: { status: string; dueDate: string },
  timezone: string,
  now: Date,
): boolean {
  return (
    (action.status === 'open' || action.status === 'blocked') &&
    now.getTime() >= actionDueAt(action.dueDate, timezone).getTime()
  );
}

/** How an input request stands against its step's due time. */
export type InputTimeliness = 'on-time' | 'late' | 'missing' | 'not-due';

/**
 * On time: submitted by the step's due time; late: last submitted after it (as the cycle board
 * counts it); missing: not submitted and the step is closed or past due; not-due: still to come.
 */
export function inputTimeliness(
  request: Pick<InputRequestRecord, 'step' | 'latestVersion' | 'lastSubmittedAt'>,
  cycle: Pick<CycleRecord, 'steps'>,
  now: Date,
): InputTimeliness {
  const step = cycle.steps.find((s) => s.key === request.step);
  if (request.latestVersion > 0)
    return step && request.lastSubmittedAt && request.lastSubmittedAt > step.dueAt ? 'late' : 'on-time';
  if (!step) return 'missing';
  return step.status === 'closed' || now.getTime() > step.dueAt.getTime() ? 'missing' : 'not-due';
}

export interface ResponseCounts {
  onTime: number;
  late: number;
  missing: number;
  notDue: number;
  /** Every input owed (all four above). */
  owed: number;
  /** Of the inputs that were due: on time / (on time + late + missing); null when none was due. */
  onTimeRate: number | null;
  /** Of the inputs that were due: (on time + late) / (on time + late + missing). */
  givenRate: number | null;
}

function counted(list: InputTimeliness[]): ResponseCounts {
  const n = (k: InputTimeliness) => list.filter((x) => x === k).length;
  const [onTime, late, missing, notDue] = [n('on-time'), n('late'), n('missing'), n('not-due')];
  const due = onTime + late + missing;
  return {
    onTime,
    late,
    missing,
    notDue,
    owed: list.length,
    onTimeRate: due ? onTime / due : null,
    givenRate: due ? (onTime + late) / due : null,
  };
}

/**
 * Response rates across cycles: the inputs each member (an owner of the request) and each function
 * owed, submitted on time, late, missing or not yet due. `upTo` (a month, YYYY-MM) takes that cycle
 * and the `cycles - 1` before it (default: the latest 12).
 */
export async function responseRates(
  deps: Deps,
  orgId: string,
  opts: { upTo?: string | undefined; cycles?: number } = {},
) {
  const [cyclesPage, members] = await Promise.all([
    deps.cycles.list(orgId, { limit: 100, after: null }),
    deps.members.all(orgId),
  ]);
  const cycles = cyclesPage.items
    .filter((c) => !opts.upTo || c.month <= opts.upTo)
    .sort((a, b) => b.month.localeCompare(a.month))
    .slice(0, opts.cycles ?? 12)
    .reverse();
  const requests = cycles.length ? await deps.requests.forCycles(cycles.map((c) => c.id)) : [];
  const now = deps.clock.now();
  const byCycle = new Map(cycles.map((c) => [c.id, c]));
  const byId = new Map(members.map((m) => [m.id, m]));
  const perMember = new Map<string, InputTimeliness[]>();
  const perFunction = new Map<string, InputTimeliness[]>();
  for (const r of requests) {
    const cycle = byCycle.get(r.cycleId);
    if (!cycle || r.orgId !== orgId) continue;
    const t = inputTimeliness(r, cycle, now);
    for (const id of r.owners) perMember.set(id, [...(perMember.get(id) ?? []), t]);
    if (r.function) perFunction.set(r.function, [...(perFunction.get(r.function) ?? []), t]);
  }
  return {
    cycles: cycles.map((c) => ({ id: c.id, month: c.month })),
    members: [...perMember.entries()]
      .map(([id, list]) => ({
        memberId: id,
        name: byId.get(id)?.name ?? id,
        functions: byId.get(id)?.functions ?? [],
        ...counted(list),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    functions: [...perFunction.entries()]
      .map(([fn, list]) => ({ function: fn, ...counted(list) }))
      .sort((a, b) => a.function.localeCompare(b.function)),
  };
}

/** The sweep's part: remind owners before an action is due, escalate once it is overdue. */
export async function remindActions(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const pending = await deps.actions.pending();
  if (!pending.length) return 0;
  let queued = 0;
  const orgs = new Map<
    string,
    { org: NonNullable<Awaited<ReturnType<Deps['orgs']['get']>>>; members: Map<string, MemberRecord> }
  >();
  for (const a of pending) {
    let ctx = orgs.get(a.orgId);
    if (!ctx) {
      const org = await deps.orgs.get(a.orgId);
      if (!org) continue;
      ctx = { org, members: new Map((await deps.members.all(a.orgId)).map((m) => [m.id, m])) };
      orgs.set(a.orgId, ctx);
    }
    const owner = ctx.members.get(a.ownerId);
    if (!owner) continue;
    const cal = workCalendar(ctx.org);
    // Due at the end of the working day of its due date, in the owner's time zone.
    const due = atLocalTime(a.dueDate, DUE_TIME, owner.timezone);
    const soon = `reminder:${a.dueDate}`;
    const late = `overdue:${a.dueDate}`;
    if (
      a.status === 'open' &&
      !a.reminded.includes(soon) &&
      now.getTime() >= due.getTime() - HOURS_BEFORE * 3_600_000 &&
      now < due
    ) {
      queued += await deps.outbox.enqueue(
        [
          {
            orgId: a.orgId,
            key: `action-${soon}:${a.id}`,
            kind: 'reminder',
            cycleId: a.cycleId,
            recipient: { memberId: owner.id, name: owner.name },
            card: presentActionReminder(a),
            notBefore: nextAllowedTime(now, owner, cal),
          },
        ],
        now,
      );
      await deps.actions.markReminded(a.orgId, a.id, soon);
    }
    if (!a.reminded.includes(late) && now >= due) {
      const owners = [...ctx.members.values()].filter((m) => m.roles.includes('process-owner'));
      queued += await deps.outbox.enqueue(
        owners.map((po) => ({
          orgId: a.orgId,
          key: `action-${late}:${a.id}:${po.id}`,
          kind: 'escalation' as const,
          cycleId: a.cycleId,
          recipient: { memberId: po.id, name: po.name },
          card: presentActionOverdue(a, owner.name),
          notBefore: nextAllowedTime(now, po, cal),
        })),
        now,
      );
      await deps.actions.markReminded(a.orgId, a.id, late);
    }
  }
  return queued;
}
