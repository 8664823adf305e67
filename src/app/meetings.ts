/**
 * Use cases: the cycle's two meetings as they are run. Scheduling (the org's fixed slot, or a time
 * Accord proposes inside every invitee's working hours, or a time poll when none fits everyone),
 * invitations and their updates (.ics with the same UID and a higher SEQUENCE), reminders 24 h and
 * 15 min before, the agenda from the pack (edited by the process owner until the meeting starts),
 * and the live meeting in chat: the chair starts it, takes the items one by one (each with its
 * ballot among the executives present), closes each as decided (with an owner), deferred or
 * escalated, and ends it; Accord writes the minutes. Every change is an audit event.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  agendaEditProblems,
  agendaFromPack,
  agendaOverrun,
  applyAgendaEdits,
  type AgendaEdit,
  type AgendaItem,
  type CarriedItem,
} from '../domain/agenda.js';
import {
  composeMinutes,
  meetingKpis,
  minutesSearchText,
  type MeetingKpiInput,
  type MinutesInput,
} from '../domain/minutes.js';
import { addBusinessDays, isBusinessDay } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { nextAllowedTime } from '../domain/manners.js';
import {
  DEFAULT_MEETING_SLOT,
  fitsEveryone,
  fixedSlot,
  meetingSlotSchema,
  pollOptions,
  pollResult,
  proposeSlot,
  type MeetingSlotSetting,
  type Slot,
} from '../domain/meetingTime.js';
import {
  MEETING_STEPS,
  icsFor,
  meetingInvitees,
  type Meeting,
  type MeetingStep,
} from '../domain/meetings.js';
import { commitmentWindow, eligibleVoters } from '../domain/voting.js';
import { dateProblem, localDate } from '../domain/time.js';
import {
  presentAgenda,
  presentDeferredBack,
  presentInvitation,
  presentItemClosed,
  presentMeetingEnded,
  presentMeetingItem,
  presentMeetingLive,
  presentMeetingReminder,
  presentMinutes,
  presentPoll,
  presentPollTie,
  presentTimeUp,
  type MeetingFacts,
} from '../cards/presenters/meetings.js';
import { webUrl, type Card } from '../cards/card.js';
import { addAction, ballotView, openBallot, recordDecision, type BallotView } from './ballots.js';
import { workCalendar } from './cycleEngine.js';
import { requireProcessOwner } from './cycles.js';
import { agendaAlerts } from './soe.js';
import { zodFields } from './validation.js';
import type { PackContent } from './packs.js';
import type { Deps } from './ports.js';
import type {
  Actor,
  CycleRecord,
  LiveItem,
  MeetingRecord,
  MemberRecord,
  MinutesRecord,
  OrgRecord,
  OutboxRecord,
  PackRecord,
} from './records.js';

export const MEETING_ID = /^([a-f0-9]{24})-(pre-sop|executive-sop)$/;
/** Minutes after the start within which someone marking themselves present is not late. */
export const LATE_AFTER_MINUTES = 5;
/** How long a time poll stays open (business days), unless everyone answers sooner. */
const POLL_BUSINESS_DAYS = 2;
const HOUR = 3_600_000;
const MINUTE = 60_000;

type Message = Omit<OutboxRecord, 'id' | 'createdAt' | 'status' | 'attempts'>;

export interface MeetingContext {
  org: OrgRecord;
  cycle: CycleRecord;
  members: MemberRecord[];
  byId: Map<string, MemberRecord>;
  step: MeetingStep;
  window: { opensAt: Date; dueAt: Date };
  setting: MeetingSlotSetting;
  invitees: MemberRecord[];
  chair: MemberRecord | null;
  record: MeetingRecord;
}

export const meetingTitle = (step: MeetingStep, month: string): string =>
  `${step === 'pre-sop' ? 'Pre-S&OP reconciliation' : 'Executive S&OP'} ${month}`;

/** The org's slot setting for a meeting (its own, else the default). */
export function meetingSetting(org: OrgRecord, step: MeetingStep): MeetingSlotSetting {
  return { ...DEFAULT_MEETING_SLOT, ...org.meetings?.[step] };
}

/** Who chairs: the executive meeting's chair from the voting rules, else the (first) process owner. */
export function chairOf(org: OrgRecord, members: MemberRecord[], step: MeetingStep): MemberRecord | null {
  const chairId = step === 'executive-sop' ? org.votingRules.chairId : null;
  return (
    (chairId ? members.find((m) => m.id === chairId) : undefined) ??
    members.find((m) => m.roles.includes('process-owner')) ??
    null
  );
}

const workCal = (org: OrgRecord) => ({ ...workCalendar(org), timezone: org.timezone });

function defaultRecord(
  org: OrgRecord,
  cycle: CycleRecord,
  step: MeetingStep,
  window: MeetingContext['window'],
): MeetingRecord {
  return {
    id: `${cycle.id}-${step}`,
    orgId: org.id,
    cycleId: cycle.id,
    step,
    version: 0,
    sequence: 0,
    slot: fixedSlot(window, meetingSetting(org, step), org.timezone, workCal(org)),
    how: 'fixed',
    cancelled: null,
    poll: null,
    agendaEdits: [],
    sent: [],
    live: null,
    changes: [],
  };
}

/** Everything a meeting use case reads, with the meeting as stored (or its defaults, never written). */
export async function meetingContext(
  deps: Deps,
  orgId: string,
  meetingId: string,
  preloaded?: { org: OrgRecord; cycle: CycleRecord; members: MemberRecord[] },
): Promise<MeetingContext> {
  const match = MEETING_ID.exec(meetingId);
  if (!match) throw new DomainError('not_found', 'meeting not found');
  const step = match[2] as MeetingStep;
  const [org, cycle, members, stored] = await Promise.all([
    preloaded?.org ?? deps.orgs.get(orgId),
    preloaded?.cycle ?? deps.cycles.get(orgId, match[1]!),
    preloaded?.members ?? deps.members.all(orgId),
    deps.meetings.get(orgId, meetingId),
  ]);
  if (!org || !cycle || cycle.orgId !== orgId) throw new DomainError('not_found', 'meeting not found');
  const s = cycle.steps.find((x) => x.key === step)!;
  const window = { opensAt: s.opensAt, dueAt: s.dueAt };
  const invitedIds = new Set(meetingInvitees(step, members));
  return {
    org,
    cycle,
    members,
    byId: new Map(members.map((m) => [m.id, m])),
    step,
    window,
    setting: meetingSetting(org, step),
    invitees: members.filter((m) => invitedIds.has(m.id)),
    chair: chairOf(org, members, step),
    record: stored ?? defaultRecord(org, cycle, step, window),
  };
}

/**
 * Applies `change` to the latest version of a meeting and writes it as the next version; when
 * another writer got there first, reads again and re-applies (so a change sees every earlier one).
 */
async function changeMeeting(
  deps: Deps,
  orgId: string,
  meetingId: string,
  /** The next state, or null when there is nothing to change (nothing is written). */
  change: (rec: MeetingRecord, ctx: MeetingContext) => MeetingRecord | null | Promise<MeetingRecord | null>,
): Promise<{ before: MeetingRecord; after: MeetingRecord; ctx: MeetingContext }> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const ctx = await meetingContext(deps, orgId, meetingId);
    const before = ctx.record;
    const after = await change(structuredClone(before), ctx);
    if (!after) return { before, after: before, ctx };
    after.version = before.version + 1;
    if (await deps.meetings.save(after, deps.clock.now())) {
      await withdrawStale(deps, ctx, before, after);
      return { before, after, ctx: { ...ctx, record: after } };
    }
  }
  throw new DomainError('conflict', 'the meeting is changing too fast; try again');
}

/**
 * What a change made untrue and is still waiting to go out: the invitation, agenda and reminders of
 * an earlier time (a new SEQUENCE), and the cards of a time poll that closed or was replaced.
 */
async function withdrawStale(deps: Deps, ctx: MeetingContext, before: MeetingRecord, after: MeetingRecord) {
  const keys: string[] = [];
  if (after.sequence !== before.sequence)
    for (const kind of ['invite', 'agenda', 'remind-24h', 'remind-15m'])
      for (const m of ctx.invitees) keys.push(`meeting-${kind}:${before.id}:s${before.sequence}:${m.id}`);
  const poll = before.poll;
  if (poll?.status === 'open' && (after.poll?.round !== poll.round || after.poll.status !== 'open'))
    for (const m of ctx.invitees) keys.push(`meeting-poll:${before.id}:r${poll.round}:${m.id}`);
  if (keys.length) await deps.outbox.withdraw(ctx.org.id, keys, 'the meeting changed before this went out');
}

function asMeeting(ctx: MeetingContext, rec: MeetingRecord = ctx.record): Meeting {
  const slot = rec.slot ?? fixedSlot(ctx.window, ctx.setting, ctx.org.timezone, workCal(ctx.org));
  return {
    id: rec.id,
    step: rec.step,
    title: meetingTitle(rec.step, ctx.cycle.month),
    start: slot.start,
    end: slot.end,
    timezone: ctx.org.timezone,
    invitees: ctx.invitees.map((m) => m.id),
  };
}

/** The facts a meeting card shows (the title, its time, whether it is cancelled or waiting for a poll). */
export function facts(ctx: MeetingContext, rec: MeetingRecord = ctx.record): MeetingFacts {
  return {
    id: rec.id,
    title: meetingTitle(rec.step, ctx.cycle.month),
    slot: rec.slot,
    cancelled: rec.cancelled ? rec.cancelled.reason : null,
    sequence: rec.sequence,
    chairName: ctx.chair?.name ?? null,
  };
}

async function icsLink(deps: Deps, orgId: string, meetingId: string, sequence: number): Promise<string> {
  const links = await deps.links.forOrg(orgId);
  // The sequence in the query makes each update's link its own (calendars cache by URL).
  return links.signed(`/api/v1/orgs/${orgId}/meetings/${meetingId}.ics?s=${sequence}`, deps.clock.now(), 60);
}

async function audit(
  deps: Deps,
  orgId: string,
  actor: Actor,
  action: string,
  meetingId: string,
  after: unknown,
) {
  await deps.audit.append(
    orgId,
    { actor, action, entity: { type: 'meeting', id: meetingId }, after },
    deps.clock.now(),
  );
}

const member = (id: string): Actor => ({ type: 'member', id });
const SYSTEM: Actor = { type: 'system', id: 'scheduler' };

/** Whether `m` may run this meeting (start, close items, end): its chair or a process owner. */
export function mayRun(ctx: MeetingContext, m: MemberRecord): boolean {
  return m.roles.includes('process-owner') || ctx.chair?.id === m.id;
}

function requireRunner(ctx: MeetingContext, actorId: string): MemberRecord {
  const m = ctx.byId.get(actorId);
  if (!m)
    throw new DomainError('validation_failed', 'unknown member', {
      actorId: 'no member with this id in this org',
    });
  if (!mayRun(ctx, m))
    throw new DomainError(
      'forbidden',
      `Only the chair (${ctx.chair?.name ?? 'the process owner'}) or a process owner runs this meeting.`,
    );
  return m;
}

// ---------------------------------------------------------------------------------------------
// Settings and scheduling

export const meetingSettingsSchema = z
  .object({
    'pre-sop': meetingSlotSchema.optional(),
    'executive-sop': meetingSlotSchema.optional(),
  })
  .strict();

export async function setMeetingSettings(
  deps: Deps,
  orgId: string,
  input: { actorId: string; meetings: unknown },
): Promise<Record<MeetingStep, MeetingSlotSetting>> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  const parsed = meetingSettingsSchema.safeParse(input.meetings);
  if (!parsed.success)
    throw new DomainError(
      'validation_failed',
      'the meeting settings are not valid',
      zodFields(parsed.error, 'meetings'),
    );
  const org = await deps.orgs.get(orgId);
  if (!org) throw new DomainError('not_found', 'org not found');
  const meetings = { ...org.meetings, ...parsed.data };
  await deps.orgs.update(orgId, { meetings });
  await deps.audit.append(
    orgId,
    {
      actor: member(actor.id),
      action: 'meetings.settings-changed',
      entity: { type: 'org', id: orgId },
      before: org.meetings ?? null,
      after: meetings,
    },
    deps.clock.now(),
  );
  return Object.fromEntries(
    MEETING_STEPS.map((s) => [s, { ...DEFAULT_MEETING_SLOT, ...meetings[s] }]),
  ) as Record<MeetingStep, MeetingSlotSetting>;
}

const inviteeOf = (m: MemberRecord) => ({ id: m.id, timezone: m.timezone, quietHours: m.quietHours });

/** The invitation cards of the meeting's current sequence (new time, moved, or cancelled), once each. */
async function invitationMessages(
  deps: Deps,
  ctx: MeetingContext,
  rec: MeetingRecord,
  change: 'new' | 'moved' | 'cancelled',
  reason: string | null,
): Promise<Message[]> {
  const now = deps.clock.now();
  const link = await icsLink(deps, ctx.org.id, rec.id, rec.sequence);
  const cal = workCalendar(ctx.org);
  return ctx.invitees.map((m) => ({
    orgId: ctx.org.id,
    key: `meeting-invite:${rec.id}:s${rec.sequence}:${m.id}`,
    kind: 'meeting' as const,
    cycleId: rec.cycleId,
    recipient: { memberId: m.id, name: m.name },
    card: presentInvitation(facts(ctx, rec), { change, reason, icsUrl: link, timezone: m.timezone }),
    notBefore: nextAllowedTime(now, m, cal),
  }));
}

/** The time poll's cards to every invitee (one per poll round). */
function pollMessages(deps: Deps, ctx: MeetingContext, rec: MeetingRecord): Message[] {
  const now = deps.clock.now();
  const cal = workCalendar(ctx.org);
  return ctx.invitees.map((m) => ({
    orgId: ctx.org.id,
    key: `meeting-poll:${rec.id}:r${rec.poll!.round}:${m.id}`,
    kind: 'meeting' as const,
    cycleId: rec.cycleId,
    recipient: { memberId: m.id, name: m.name },
    card: presentPoll(facts(ctx, rec), rec.poll!, {
      timezone: m.timezone,
      myChoice: null,
      invited: ctx.invitees.length,
    }),
    notBefore: nextAllowedTime(now, m, cal),
  }));
}

/** Opens a time poll among the invitees: the slots that suit the most of them. */
function withPoll(ctx: MeetingContext, rec: MeetingRecord, now: Date): MeetingRecord {
  const options = pollOptions(
    ctx.window,
    ctx.setting.minutes,
    ctx.invitees.map(inviteeOf),
    workCalendar(ctx.org),
    {
      notBefore: now,
      zone: ctx.org.timezone,
    },
  );
  if (!options.length)
    throw new DomainError('conflict', 'there is no time left in the step window for this meeting');
  const cal = workCal(ctx.org);
  const closeDate = addBusinessDays(localDate(now, ctx.org.timezone), POLL_BUSINESS_DAYS, cal);
  let deadline = DateTime.fromISO(closeDate, { zone: ctx.org.timezone }).set({ hour: 12 }).toJSDate();
  // Closes at least two hours before its first option starts.
  const first = Math.min(...options.map((o) => o.start.getTime()));
  if (deadline.getTime() > first - 2 * HOUR)
    deadline = new Date(Math.max(now.getTime() + HOUR, first - 2 * HOUR));
  rec.poll = {
    round: (rec.poll?.round ?? 0) + 1,
    options,
    deadline,
    votes: [],
    status: 'open',
    tied: [],
    chosen: null,
  };
  // Invitees may hold an earlier time in their calendars: the poll's time will be an update of it
  // (a new SEQUENCE, and invitation keys of its own rather than the ones already queued).
  if (rec.sent.includes(`invite:s${rec.sequence}`)) rec.sequence += 1;
  rec.slot = null;
  rec.how = 'poll';
  return rec;
}

/**
 * The sweep's part for one cycle's meetings: schedules each meeting once the cycle is under way
 * (the fixed slot, a proposed time, or a poll), settles time polls, queues the agenda card one
 * business day before, the reminders 24 h and 15 min before, and a live meeting's time-up notices.
 */
export async function runMeetings(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  let queued = 0;
  const cycles = (await deps.cycles.unfinished()).filter((c) => c.status === 'active');
  const orgs = new Map<string, { org: OrgRecord; members: MemberRecord[] } | null>();
  for (const cycle of cycles) {
    if (!orgs.has(cycle.orgId)) {
      const org = await deps.orgs.get(cycle.orgId);
      orgs.set(cycle.orgId, org ? { org, members: await deps.members.all(cycle.orgId) } : null);
    }
    const o = orgs.get(cycle.orgId);
    if (!o) continue;
    for (const step of MEETING_STEPS) {
      const ctx = await meetingContext(deps, cycle.orgId, `${cycle.id}-${step}`, { ...o, cycle });
      queued += await runOne(deps, ctx, now);
    }
  }
  return queued;
}

async function runOne(deps: Deps, ctx: MeetingContext, now: Date): Promise<number> {
  const rec = ctx.record;
  const stepState = ctx.cycle.steps.find((s) => s.key === ctx.step)!;
  if (rec.cancelled || rec.live?.endedAt) return 0;
  // Schedule: once, while the step's window is still ahead.
  if (rec.version === 0) {
    if (stepState.status === 'closed' || now.getTime() >= ctx.window.dueAt.getTime()) return 0;
    return scheduleFirst(deps, ctx, now);
  }
  if (rec.poll && rec.poll.status === 'open') {
    const everyone = ctx.invitees.every((m) => rec.poll!.votes.some((v) => v.memberId === m.id));
    if (everyone || now.getTime() >= rec.poll.deadline.getTime())
      return settlePoll(deps, ctx.org.id, rec.id, null, null);
    return 0;
  }
  if (rec.live && !rec.live.endedAt) return timeUpNotices(deps, ctx, now);
  if (!rec.slot || rec.live) return 0;
  return remind(deps, ctx, now);
}

async function scheduleFirst(deps: Deps, ctx: MeetingContext, now: Date): Promise<number> {
  let messages: Message[] = [];
  const { after } = await changeMeeting(deps, ctx.org.id, ctx.record.id, async (rec, c) => {
    messages = []; // a retry starts again
    if (rec.version > 0) return null; // someone scheduled it meanwhile: nothing to add
    if (c.setting.propose) {
      const slot = proposeSlot(c.window, c.setting.minutes, c.invitees.map(inviteeOf), workCalendar(c.org), {
        notBefore: now,
      });
      if (slot) {
        rec.slot = slot;
        rec.how = 'proposed';
      } else {
        try {
          withPoll(c, rec, now);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          rec.how = 'fixed'; // no time left to poll over: the fixed slot stands
        }
      }
    }
    rec.sent.push(rec.poll ? `poll:r${rec.poll.round}` : `invite:s${rec.sequence}`);
    messages = rec.poll ? pollMessages(deps, c, rec) : await invitationMessages(deps, c, rec, 'new', null);
    return rec;
  });
  if (after.version !== ctx.record.version + 1 || !messages.length) return 0;
  await audit(deps, ctx.org.id, SYSTEM, after.poll ? 'meeting.poll-opened' : 'meeting.scheduled', after.id, {
    slot: after.slot,
    how: after.how,
    poll: after.poll?.options.map((o) => ({ key: o.key, start: o.start, misses: o.misses.length })) ?? null,
  });
  return deps.outbox.enqueue(messages, now);
}

/** Business day before the meeting, 09:00 in the org's zone: when the agenda card goes out. */
function agendaTime(ctx: MeetingContext, start: Date): Date {
  const cal = workCal(ctx.org);
  let day = localDate(start, ctx.org.timezone);
  do day = DateTime.fromISO(day).minus({ days: 1 }).toISODate()!;
  while (!isBusinessDay(day, cal));
  return DateTime.fromISO(day, { zone: ctx.org.timezone }).set({ hour: 9 }).toJSDate();
}

async function remind(deps: Deps, ctx: MeetingContext, now: Date): Promise<number> {
  const rec = ctx.record;
  const start = rec.slot!.start.getTime();
  if (now.getTime() >= start) return 0;
  const s = `s${rec.sequence}`;
  const due: { mark: string; build: () => Promise<Message[]> }[] = [];
  const cal = workCalendar(ctx.org);
  if (!rec.sent.includes(`agenda:${s}`) && now.getTime() >= agendaTime(ctx, rec.slot!.start).getTime())
    due.push({
      mark: `agenda:${s}`,
      build: async () => {
        const view = await agendaOf(deps, ctx);
        return ctx.invitees.map((m) => ({
          orgId: ctx.org.id,
          key: `meeting-agenda:${rec.id}:${s}:${m.id}`,
          kind: 'meeting' as const,
          cycleId: rec.cycleId,
          recipient: { memberId: m.id, name: m.name },
          card: presentAgenda(facts(ctx), view, { timezone: m.timezone, packUrl: view.packUrl }),
          // Within their working hours, and never after the meeting has begun.
          notBefore: new Date(Math.min(nextAllowedTime(now, m, cal).getTime(), start - 15 * MINUTE)),
        }));
      },
    });
  for (const [mark, before] of [
    ['remind-24h', 24 * 60],
    ['remind-15m', 15],
  ] as const) {
    if (rec.sent.includes(`${mark}:${s}`) || now.getTime() < start - before * MINUTE) continue;
    // A 24 h reminder due within the last 15 minutes is dropped: the 15-minute one follows.
    if (mark === 'remind-24h' && now.getTime() >= start - 15 * MINUTE) continue;
    due.push({
      mark: `${mark}:${s}`,
      build: async () =>
        ctx.invitees.map((m) => ({
          orgId: ctx.org.id,
          key: `meeting-${mark}:${rec.id}:${s}:${m.id}`,
          kind: 'reminder' as const,
          cycleId: rec.cycleId,
          recipient: { memberId: m.id, name: m.name },
          card: presentMeetingReminder(facts(ctx), {
            timezone: m.timezone,
            soon: mark === 'remind-15m',
            mayStart: mayRun(ctx, m),
          }),
          notBefore:
            mark === 'remind-15m' ? now : new Date(Math.min(nextAllowedTime(now, m, cal).getTime(), start)),
        })),
    });
  }
  if (!due.length) return 0;
  const messages = (await Promise.all(due.map((d) => d.build()))).flat();
  const { after } = await changeMeeting(deps, ctx.org.id, rec.id, (r) => {
    for (const d of due) if (!r.sent.includes(d.mark)) r.sent.push(d.mark);
    return r;
  });
  // The outbox keys make a second sweep's copy harmless; the marks spare it the work.
  return after.sequence === rec.sequence ? deps.outbox.enqueue(messages, now) : 0;
}

// ---------------------------------------------------------------------------------------------
// Changing the time, cancelling, the time poll

export async function rescheduleMeeting(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: { actorId: string; start: string; minutes?: number | undefined; reason: string },
): Promise<MeetingRecord> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  const fields: Record<string, string> = {};
  const start = new Date(input.start);
  if (
    !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(input.start) ||
    Number.isNaN(start.getTime())
  )
    fields['start'] = 'give a date and time with its offset, e.g. 2027-01-12T15:00:00+01:00';
  else if (start.getTime() <= deps.clock.now().getTime()) fields['start'] = 'must be in the future';
  if (
    input.minutes !== undefined &&
    (!Number.isInteger(input.minutes) || input.minutes < 15 || input.minutes > 240)
  )
    fields['minutes'] = 'a whole number of minutes, 15 to 240';
  if (input.reason.trim().length < 3) fields['reason'] = 'say why the time changes (people see it)';
  if (Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the new time is not valid', fields);
  let messages: Message[] = [];
  let misses: string[] = [];
  const { before, after, ctx } = await changeMeeting(deps, orgId, meetingId, async (rec, c) => {
    messages = []; // a retry starts again
    if (rec.live) throw new DomainError('conflict', 'the meeting has started; its time cannot change');
    const minutes =
      input.minutes ??
      (rec.slot ? (rec.slot.end.getTime() - rec.slot.start.getTime()) / MINUTE : c.setting.minutes);
    const slot: Slot = { start, end: new Date(start.getTime() + minutes * MINUTE) };
    const first = rec.version === 0 || (rec.poll !== null && rec.slot === null);
    rec.sequence += first ? 0 : 1;
    rec.slot = slot;
    rec.how = 'set';
    rec.cancelled = null;
    if (rec.poll && rec.poll.status !== 'closed') rec.poll = { ...rec.poll, status: 'closed', chosen: null };
    rec.changes.push({
      at: deps.clock.now(),
      by: actor.id,
      what: `moved to ${slot.start.toISOString()}`,
      reason: input.reason.trim(),
    });
    rec.sent = rec.sent.filter((x) => !x.endsWith(`:s${rec.sequence}`));
    rec.sent.push(`invite:s${rec.sequence}`);
    misses = fitsEveryone(slot, c.invitees.map(inviteeOf), workCalendar(c.org));
    messages = await invitationMessages(deps, c, rec, first ? 'new' : 'moved', input.reason.trim());
    return rec;
  });
  await deps.outbox.enqueue(messages, deps.clock.now());
  await audit(deps, orgId, member(actor.id), 'meeting.rescheduled', meetingId, {
    from: before.slot,
    to: after.slot,
    sequence: after.sequence,
    reason: input.reason.trim(),
    outsideWorkingHours: misses.map((id) => ctx.byId.get(id)?.name ?? id),
  });
  return after;
}

export async function cancelMeeting(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: { actorId: string; reason: string },
): Promise<MeetingRecord> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  if (input.reason.trim().length < 3)
    throw new DomainError('validation_failed', 'the cancellation is not valid', {
      reason: 'say why it is cancelled (people see it)',
    });
  let messages: Message[] = [];
  const { after } = await changeMeeting(deps, orgId, meetingId, async (rec, c) => {
    messages = []; // a retry starts again
    if (rec.live) throw new DomainError('conflict', 'the meeting has started; end it instead');
    if (rec.cancelled) throw new DomainError('conflict', 'the meeting is already cancelled');
    rec.sequence += 1;
    rec.cancelled = { by: actor.id, reason: input.reason.trim(), at: deps.clock.now() };
    rec.changes.push({ at: deps.clock.now(), by: actor.id, what: 'cancelled', reason: input.reason.trim() });
    if (rec.poll && rec.poll.status !== 'closed') rec.poll = { ...rec.poll, status: 'closed' };
    rec.sent.push(`invite:s${rec.sequence}`);
    messages = await invitationMessages(deps, c, rec, 'cancelled', input.reason.trim());
    return rec;
  });
  await deps.outbox.enqueue(messages, deps.clock.now());
  await audit(deps, orgId, member(actor.id), 'meeting.cancelled', meetingId, {
    reason: input.reason.trim(),
    sequence: after.sequence,
  });
  return after;
}

/** The process owner asks the invitees for a time (a new poll round). */
export async function openTimePoll(
  deps: Deps,
  orgId: string,
  meetingId: string,
  actorId: string,
): Promise<MeetingRecord> {
  const actor = await requireProcessOwner(deps, orgId, actorId);
  let messages: Message[] = [];
  const { after } = await changeMeeting(deps, orgId, meetingId, (rec, c) => {
    messages = []; // a retry starts again
    if (rec.live) throw new DomainError('conflict', 'the meeting has started');
    withPoll(c, rec, deps.clock.now());
    rec.cancelled = null;
    rec.sent.push(`poll:r${rec.poll!.round}`);
    messages = pollMessages(deps, c, rec);
    return rec;
  });
  await deps.outbox.enqueue(messages, deps.clock.now());
  await audit(deps, orgId, member(actor.id), 'meeting.poll-opened', meetingId, { round: after.poll!.round });
  return after;
}

/** An invitee's answer to the time poll (the same answer again changes nothing; a new one replaces it). */
export async function answerPoll(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: { memberId: string; round: number; option: string },
): Promise<{ record: MeetingRecord; ctx: MeetingContext }> {
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, (rec, c) => {
    if (!c.invitees.some((m) => m.id === input.memberId))
      throw new DomainError('forbidden', 'You are not invited to this meeting.');
    if (!rec.poll || rec.poll.round !== input.round || rec.poll.status !== 'open')
      throw new DomainError('conflict', 'This time poll is closed.');
    if (!rec.poll.options.some((o) => o.key === input.option))
      throw new DomainError('validation_failed', 'no such option', { option: 'not an option of this poll' });
    rec.poll.votes = [
      ...rec.poll.votes.filter((v) => v.memberId !== input.memberId),
      { memberId: input.memberId, option: input.option },
    ];
    return rec;
  });
  await audit(deps, orgId, member(input.memberId), 'meeting.poll-answered', meetingId, {
    round: input.round,
    option: input.option,
  });
  // The last answer settles the poll at once.
  if (ctx.invitees.every((m) => after.poll!.votes.some((v) => v.memberId === m.id)))
    await settlePoll(deps, orgId, meetingId, null, null);
  return { record: (await deps.meetings.get(orgId, meetingId)) ?? after, ctx };
}

/**
 * Closes a time poll: the most chosen option becomes the meeting's time; a tie goes to the chair,
 * whose pick (`chairChoice`) settles it. Returns the messages queued.
 */
export async function settlePoll(
  deps: Deps,
  orgId: string,
  meetingId: string,
  chairChoice: string | null,
  chairId: string | null,
): Promise<number> {
  let messages: Message[] = [];
  const { before, after, ctx } = await changeMeeting(deps, orgId, meetingId, async (rec, c) => {
    messages = []; // a retry starts again
    const poll = rec.poll;
    if (!poll || poll.status === 'closed') throw new DomainError('conflict', 'This time poll is closed.');
    if (chairChoice !== null && (poll.status !== 'tied' || !poll.tied.includes(chairChoice)))
      throw new DomainError('conflict', 'The chair picks only between tied options of a closed poll.');
    if (chairChoice === null && poll.status === 'tied') return null; // waiting for the chair
    const result = pollResult(poll.options, poll.votes, chairChoice);
    if (!result.winner) {
      rec.poll = { ...poll, status: 'tied', tied: result.tied };
      messages = c.chair
        ? [
            {
              orgId,
              key: `meeting-poll-tie:${rec.id}:r${poll.round}`,
              kind: 'meeting' as const,
              cycleId: rec.cycleId,
              recipient: { memberId: c.chair.id, name: c.chair.name },
              card: presentPollTie(facts(c, rec), rec.poll, c.chair.timezone),
              notBefore: deps.clock.now(),
            },
          ]
        : [];
      return rec;
    }
    const chosen = poll.options.find((o) => o.key === result.winner)!;
    rec.poll = { ...poll, status: 'closed', chosen: chosen.key };
    rec.slot = { start: chosen.start, end: chosen.end };
    rec.how = 'poll';
    rec.sent.push(`invite:s${rec.sequence}`);
    messages = await invitationMessages(deps, c, rec, 'new', null);
    return rec;
  });
  if (after.poll?.status === before.poll?.status) return 0;
  await audit(
    deps,
    orgId,
    chairId ? member(chairId) : SYSTEM,
    after.poll!.status === 'tied' ? 'meeting.poll-tied' : 'meeting.poll-closed',
    meetingId,
    {
      round: after.poll!.round,
      counts: pollResult(after.poll!.options, after.poll!.votes, chairChoice).counts,
      chosen: after.poll!.chosen,
      tied: after.poll!.tied,
    },
  );
  void ctx;
  return deps.outbox.enqueue(messages, deps.clock.now());
}

/** The chair breaks a poll's tie. */
export async function breakPollTie(
  deps: Deps,
  orgId: string,
  meetingId: string,
  actorId: string,
  option: string,
) {
  const ctx = await meetingContext(deps, orgId, meetingId);
  if (ctx.chair?.id !== actorId && !ctx.byId.get(actorId)?.roles.includes('process-owner'))
    throw new DomainError('forbidden', 'Only the chair (or a process owner) breaks a tie.');
  await settlePoll(deps, orgId, meetingId, option, actorId);
  return (await deps.meetings.get(orgId, meetingId))!;
}

// ---------------------------------------------------------------------------------------------
// The agenda

export interface AgendaView {
  items: AgendaItem[];
  dropped: { item: AgendaItem; reason: string }[];
  /** Minutes the timeboxes run over the meeting's length (0: it fits). */
  overrun: number;
  minutes: number;
  packVersion: number | null;
  packUrl: string | null;
  /** The meeting has started: the agenda is fixed. */
  fixed: boolean;
}

/**
 * Items the same meeting of an earlier cycle deferred to a date on or before this meeting's: they
 * come back on its agenda (the last three cycles are looked at).
 */
async function carriedItems(deps: Deps, ctx: MeetingContext): Promise<CarriedItem[]> {
  const day = ctx.record.slot ? localDate(ctx.record.slot.start, ctx.org.timezone) : null;
  if (!day) return [];
  const page = await deps.cycles.list(ctx.org.id, { limit: 100, after: null });
  const earlier = page.items
    .filter((c) => c.month < ctx.cycle.month)
    .sort((a, b) => b.month.localeCompare(a.month))
    .slice(0, 3);
  const out: CarriedItem[] = [];
  for (const c of earlier) {
    const rec = await deps.meetings.get(ctx.org.id, `${c.id}-${ctx.step}`);
    rec?.live?.items.forEach((x, i) => {
      const item = rec.live!.agenda[i];
      if (item && x.outcome === 'deferred' && x.deferral && x.deferral.until <= day)
        out.push({ item, from: c.month, reason: x.deferral.reason, until: x.deferral.until });
    });
  }
  return out;
}

/** Alerts already on the agenda of an earlier cycle's meeting of this kind (the last three). */
async function alertsTaken(deps: Deps, ctx: MeetingContext): Promise<Set<string>> {
  const page = await deps.cycles.list(ctx.org.id, { limit: 100, after: null });
  const taken = new Set<string>();
  for (const c of page.items.filter((x) => x.month < ctx.cycle.month))
    for (const i of (await deps.meetings.get(ctx.org.id, `${c.id}-${ctx.step}`))?.live?.agenda ?? [])
      if (i.alertId) taken.add(i.alertId);
  return taken;
}

async function agendaBase(
  deps: Deps,
  ctx: MeetingContext,
): Promise<{ base: AgendaItem[]; pack: PackRecord<PackContent> | null; minutes: number }> {
  const pack = (await deps.packs.latest(ctx.org.id, ctx.cycle.id)) as PackRecord<PackContent> | null;
  const rec = ctx.record;
  const minutes = rec.slot
    ? (rec.slot.end.getTime() - rec.slot.start.getTime()) / MINUTE
    : ctx.setting.minutes;
  // S&OE alerts someone put on the next pre-S&OP agenda, until a meeting has taken them up.
  const alerts =
    ctx.step === 'pre-sop' ? await agendaAlerts(deps, ctx.org.id, await alertsTaken(deps, ctx)) : [];
  return {
    base: agendaFromPack(pack?.content.tradeoffs ?? [], alerts, minutes, await carriedItems(deps, ctx)),
    pack,
    minutes,
  };
}

export async function agendaOf(deps: Deps, ctx: MeetingContext): Promise<AgendaView> {
  const rec = ctx.record;
  if (rec.live) {
    const pack = await deps.packs.latest(ctx.org.id, ctx.cycle.id);
    const minutes = rec.slot
      ? (rec.slot.end.getTime() - rec.slot.start.getTime()) / MINUTE
      : ctx.setting.minutes;
    return {
      items: rec.live.agenda,
      dropped: rec.live.dropped,
      overrun: agendaOverrun(rec.live.agenda, minutes),
      minutes,
      packVersion: pack?.version ?? null,
      packUrl: pack ? webPath(`/app/pack?cycle=${ctx.cycle.month}`) : null,
      fixed: true,
    };
  }
  const { base, pack, minutes } = await agendaBase(deps, ctx);
  const { items, dropped } = applyAgendaEdits(base, rec.agendaEdits);
  return {
    items,
    dropped,
    overrun: agendaOverrun(items, minutes),
    minutes,
    packVersion: pack?.version ?? null,
    packUrl: pack ? webPath(`/app/pack?cycle=${ctx.cycle.month}`) : null,
    fixed: false,
  };
}

const webPath = webUrl;

export async function meetingAgenda(deps: Deps, orgId: string, meetingId: string): Promise<AgendaView> {
  return agendaOf(deps, await meetingContext(deps, orgId, meetingId));
}

/** The process owner reorders, adds, drops (with a reason) or re-times agenda items until the meeting starts. */
export async function editAgenda(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: { actorId: string; edit: AgendaEdit },
): Promise<AgendaView> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, async (rec, c) => {
    if (rec.live) throw new DomainError('conflict', 'the meeting has started: its agenda is fixed');
    if (rec.cancelled) throw new DomainError('conflict', 'the meeting is cancelled');
    const { base } = await agendaBase(deps, { ...c, record: rec });
    const problems = agendaEditProblems(base, rec.agendaEdits, input.edit);
    if (Object.keys(problems).length)
      throw new DomainError(
        'validation_failed',
        'the agenda change is not valid',
        Object.fromEntries(Object.entries(problems).map(([k, v]) => [`edit.${k}`, v])),
      );
    rec.agendaEdits.push({ ...input.edit, by: actor.id, at: deps.clock.now() });
    return rec;
  });
  await audit(deps, orgId, member(actor.id), 'meeting.agenda-edited', meetingId, input.edit);
  return agendaOf(deps, { ...ctx, record: after });
}

// ---------------------------------------------------------------------------------------------
// The live meeting

const emptyItem = (key: string): LiveItem => ({
  key,
  startedAt: null,
  closedAt: null,
  extraMinutes: 0,
  outcome: null,
  ballotId: null,
  decisionId: null,
  actionIds: [],
  deferral: null,
  escalation: null,
  timeUp: 0,
});

const threadKey = (meetingId: string) => `meeting-live:${meetingId}`;

/** A post in the meeting's thread in the S&OP channel (to the chair directly when the org has none). */
function threadPost(ctx: MeetingContext, key: string, card: Card, now: Date): Message {
  const to = ctx.chair ?? ctx.invitees[0]!;
  return {
    orgId: ctx.org.id,
    key,
    kind: 'meeting',
    cycleId: ctx.cycle.id,
    recipient: { memberId: to.id, name: to.name },
    channel: 'sop',
    thread: threadKey(ctx.record.id),
    card,
    notBefore: now,
  };
}

export interface LiveItemView {
  index: number;
  total: number;
  item: AgendaItem;
  live: LiveItem;
  ballot: BallotView | null;
  /** Names by member id (voters, owners). */
  names: Record<string, string>;
  endsAt: Date | null;
}

export async function liveItemView(deps: Deps, ctx: MeetingContext, index: number): Promise<LiveItemView> {
  const live = ctx.record.live!;
  const item = live.agenda[index]!;
  const li = live.items[index]!;
  const ballot = li.ballotId ? await ballotView(deps, ctx.org.id, li.ballotId) : null;
  return {
    index,
    total: live.agenda.length,
    item,
    live: li,
    ballot,
    names: Object.fromEntries(ctx.members.map((m) => [m.id, m.name])),
    endsAt: li.startedAt
      ? new Date(li.startedAt.getTime() + (item.timeboxMinutes + li.extraMinutes) * MINUTE)
      : null,
  };
}

/** The card of item `index` of a live meeting, as it stands now. */
export async function meetingItemCard(
  deps: Deps,
  orgId: string,
  meetingId: string,
  index: number,
): Promise<Card> {
  const ctx = await meetingContext(deps, orgId, meetingId);
  if (!ctx.record.live || !ctx.record.live.agenda[index])
    throw new DomainError('not_found', 'no such item in this meeting');
  return presentMeetingItem(facts(ctx), await liveItemView(deps, ctx, index), ctx.org.timezone);
}

/** Opens the ballot of a trade-off item (among the executives at the meeting); null for other items. */
async function openItemBallot(
  deps: Deps,
  ctx: MeetingContext,
  index: number,
  runner: MemberRecord,
): Promise<string | null> {
  const item = ctx.record.live!.agenda[index]!;
  if (item.kind !== 'tradeoff' || !item.tradeoffKey || ctx.step !== 'executive-sop') return null;
  const owner = ctx.members.find((m) => m.roles.includes('process-owner')) ?? runner;
  const end = ctx.record.slot?.end ?? new Date(deps.clock.now().getTime() + 2 * HOUR);
  try {
    const ballot = await openBallot(deps, ctx.org.id, ctx.cycle.id, {
      actorId: owner.id,
      deadline: new Date(Math.max(end.getTime(), deps.clock.now().getTime()) + 24 * HOUR),
      tradeoffKey: item.tradeoffKey,
      meeting: { id: ctx.record.id, itemKey: item.key },
    });
    return ballot.id;
  } catch (err) {
    // The pack was rebuilt without this trade-off since the agenda was fixed: decided in words.
    if (err instanceof DomainError && err.code === 'validation_failed') return null;
    throw err;
  }
}

/** Takes up item `index`: its start time, its ballot, its card in the thread. */
async function takeUpItem(
  deps: Deps,
  orgId: string,
  meetingId: string,
  index: number,
  runner: MemberRecord,
): Promise<number> {
  const now = deps.clock.now();
  const ctx0 = await meetingContext(deps, orgId, meetingId);
  if (!ctx0.record.live || index >= ctx0.record.live.agenda.length) return 0;
  if (ctx0.record.live.items[index]!.startedAt) return 0;
  const ballotId = await openItemBallot(deps, ctx0, index, runner);
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, (rec) => {
    const li = rec.live!.items[index]!;
    if (li.startedAt) return null;
    li.startedAt = now;
    li.ballotId = ballotId;
    rec.live!.current = index;
    return rec;
  });
  const view = await liveItemView(deps, { ...ctx, record: after }, index);
  return deps.outbox.enqueue(
    [
      threadPost(
        ctx,
        `meeting-item:${meetingId}:${index}`,
        presentMeetingItem(facts(ctx, after), view, ctx.org.timezone),
        now,
      ),
    ],
    now,
  );
}

/** The chair (or a process owner) starts the meeting: the agenda is fixed, the thread opens, item 1 is taken up. */
export async function startMeeting(
  deps: Deps,
  orgId: string,
  meetingId: string,
  actorId: string,
): Promise<MeetingRecord> {
  const now = deps.clock.now();
  let runner: MemberRecord | null = null;
  let started = false;
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, async (rec, c) => {
    runner = requireRunner(c, actorId);
    if (rec.cancelled) throw new DomainError('conflict', 'This meeting is cancelled.');
    if (rec.live?.endedAt) throw new DomainError('conflict', 'This meeting has ended.');
    if (rec.live) return null; // already under way: a second click changes nothing
    if (!rec.slot)
      throw new DomainError('conflict', 'This meeting has no time yet: its time poll is still open.');
    const view = await agendaOf(deps, { ...c, record: rec });
    rec.live = {
      startedAt: now,
      startedBy: actorId,
      agenda: view.items,
      dropped: view.dropped,
      items: view.items.map((i) => emptyItem(i.key)),
      current: 0,
      endedAt: null,
      endedBy: null,
    };
    started = true;
    return rec;
  });
  if (!started) return after;
  await audit(deps, orgId, member(actorId), 'meeting.started', meetingId, {
    items: after.live!.agenda.map((i) => i.key),
  });
  await markPresent(deps, orgId, meetingId, actorId);
  await deps.outbox.enqueue(
    [
      {
        ...threadPost(
          ctx,
          threadKey(meetingId),
          presentMeetingLive(facts(ctx, after), after.live!, ctx.org.timezone),
          now,
        ),
        thread: undefined,
      },
    ],
    now,
  );
  if (after.live!.agenda.length) await takeUpItem(deps, orgId, meetingId, 0, runner!);
  return (await deps.meetings.get(orgId, meetingId))!;
}

/**
 * Someone marks themselves present (one click): an invitee is present, a delegate represents the
 * one they stand in for; after the grace minutes it is recorded as a late arrival. Says what was recorded.
 */
export async function markPresent(
  deps: Deps,
  orgId: string,
  meetingId: string,
  memberId: string,
): Promise<string> {
  const ctx = await meetingContext(deps, orgId, meetingId);
  const m = ctx.byId.get(memberId);
  if (!m) throw new DomainError('forbidden', 'You are not a member of this organisation in Accord.');
  const live = ctx.record.live;
  if (!live) throw new DomainError('conflict', 'This meeting has not started yet.');
  if (live.endedAt) throw new DomainError('conflict', 'This meeting has ended.');
  const invited = new Set(ctx.invitees.map((x) => x.id));
  const now = deps.clock.now();
  const late = now.getTime() > live.startedAt.getTime() + LATE_AFTER_MINUTES * MINUTE;
  let whom = m.id;
  let status: 'present' | 'represented' = 'present';
  if (!invited.has(m.id)) {
    if (m.delegation && invited.has(m.delegation.of)) {
      whom = m.delegation.of;
      status = 'represented';
    } else
      throw new DomainError(
        'forbidden',
        `You are not invited to ${meetingTitle(ctx.step, ctx.cycle.month)}.`,
      );
  }
  const existing = (await deps.attendance.forMeetings(orgId, [meetingId])).find((a) => a.memberId === whom);
  if (existing && existing.status === 'present') return 'You are already marked present.';
  if (
    existing &&
    existing.status === status &&
    existing.delegateId === (status === 'represented' ? m.id : null)
  )
    return status === 'represented'
      ? `You already stand in for ${ctx.byId.get(whom)?.name}.`
      : 'You are already marked present.';
  await deps.attendance.put({
    orgId,
    meetingId,
    memberId: whom,
    status,
    delegateId: status === 'represented' ? m.id : null,
    recordedBy: member(m.id),
    at: now,
    late,
  });
  await audit(deps, orgId, member(m.id), 'attendance.marked', meetingId, { memberId: whom, status, late });
  const lateText = late ? ' (recorded as a late arrival)' : '';
  return status === 'represented'
    ? `You are marked as standing in for ${ctx.byId.get(whom)?.name}${lateText}.`
    : `You are marked present${lateText}.`;
}

export const closeItemSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('decided'),
    /** For an item without a ballot: what was decided. */
    decision: z.string().trim().max(500, 'at most 500 characters').optional(),
    ownerId: z.string().trim().min(1, 'name an owner: an item is not closed as decided without one'),
    action: z.string().trim().min(3, 'say what the owner is to do').max(1000, 'at most 1,000 characters'),
    dueDate: z.string().trim().min(1, 'choose a due date'),
    rationale: z.string().trim().max(2000, 'at most 2,000 characters').optional(),
  }),
  z.object({
    outcome: z.literal('deferred'),
    reason: z.string().trim().min(3, 'say why it waits'),
    until: z.string().trim().min(1, 'choose the date it comes back'),
  }),
  z.object({
    outcome: z.literal('escalated'),
    reason: z.string().trim().min(3, 'say why it goes up'),
    to: z.string().trim().optional(),
  }),
]);
export type CloseItemInput = z.infer<typeof closeItemSchema>;

/**
 * The chair closes the item under discussion: decided (the ballot's outcome, or what was decided for
 * an item without one, with an owner, an action and a due date), deferred (a reason and the date it
 * comes back) or escalated (a reason, to whom). The next item is taken up.
 */
export async function closeItem(
  deps: Deps,
  orgId: string,
  meetingId: string,
  index: number,
  actorId: string,
  raw: unknown,
): Promise<{ text: string; next: number | null }> {
  const ctx = await meetingContext(deps, orgId, meetingId);
  const runner = requireRunner(ctx, actorId);
  const live = ctx.record.live;
  if (!live) throw new DomainError('conflict', 'This meeting has not started.');
  if (live.endedAt) throw new DomainError('conflict', 'This meeting has ended.');
  const li = live.items[index];
  const item = live.agenda[index];
  if (!li || !item) throw new DomainError('not_found', 'no such item in this meeting');
  if (li.closedAt) throw new DomainError('conflict', `"${item.title}" is already closed (${li.outcome}).`);
  const parsed = closeItemSchema.safeParse(raw);
  const fields: Record<string, string> = parsed.success ? {} : zodFields(parsed.error);
  const input = parsed.success ? parsed.data : null;
  const now = deps.clock.now();
  const window = commitmentWindow(now, ctx.org.timezone);
  let view: BallotView | null = null;
  if (input?.outcome === 'decided') {
    if (!ctx.byId.has(input.ownerId)) fields['ownerId'] ??= 'no member with this id in this org';
    const due = dateProblem(input.dueDate, window);
    if (due) fields['dueDate'] ??= due;
    if (li.ballotId) {
      view = await ballotView(deps, orgId, li.ballotId);
      if (view.tally.outcome !== 'decided')
        fields['decision'] =
          `no decision yet: ${view.tally.voted} of ${view.tally.eligible} present executives voted and ${
            view.tally.outcome === 'no-quorum' ? 'the quorum is not met' : 'no option has a majority'
          }; vote, defer or escalate`;
    } else if (!input.decision || input.decision.length < 3) fields['decision'] = 'say what was decided';
  }
  if (input?.outcome === 'deferred') {
    const p = dateProblem(input.until, window);
    if (p) fields['until'] ??= p;
    else if (input.until <= localDate(now, ctx.org.timezone)) fields['until'] = 'must be after today';
  }
  if (input?.outcome === 'escalated' && input.to && !ctx.byId.has(input.to))
    fields['to'] = 'no member with this id in this org';
  if (!input || Object.keys(fields).length)
    throw new DomainError('validation_failed', 'the item cannot be closed like this', fields);

  let decisionId: string | null = null;
  const actionIds: string[] = [];
  if (input.outcome === 'decided') {
    if (view) {
      const d = await recordDecision(deps, view, member(runner.id), input.rationale ?? '', undefined, [], {
        notify: false,
      });
      decisionId = d.id;
    } else {
      decisionId = randomBytes(12).toString('hex');
      const { decision } = await deps.decisions.insert({
        id: decisionId,
        orgId,
        cycleId: ctx.cycle.id,
        ballotId: decisionId,
        title: item.title,
        status: 'decided',
        option: null,
        optionLabel: input.decision!,
        tally: {
          counts: {},
          voted: 0,
          eligible: 0,
          quorum: { met: true, share: 0, required: 0, missingRequired: [] },
          objections: [],
          outcome: 'decided',
          option: null,
        },
        rationale: input.rationale ?? '',
        decidedBy: member(runner.id),
        decidedAt: now,
        source: null,
        previous: [],
        reviewDate: null,
        commitments: [],
      });
      await audit(deps, orgId, member(runner.id), 'decision.recorded', decision.id, {
        meetingId,
        item: item.key,
        decision: input.decision,
      });
    }
    const action = await addAction(
      deps,
      orgId,
      decisionId,
      { actorId: runner.id, ownerId: input.ownerId, dueDate: input.dueDate, description: input.action },
      { authorised: runner },
    );
    actionIds.push(action.id);
  } else if (li.ballotId) {
    // A deferred or escalated item's ballot closes without a decision.
    await deps.ballots.markClosed(orgId, li.ballotId);
  }
  const { after } = await changeMeeting(deps, orgId, meetingId, (rec) => {
    const x = rec.live!.items[index]!;
    if (x.closedAt) throw new DomainError('conflict', `"${item.title}" is already closed (${x.outcome}).`);
    x.closedAt = now;
    x.outcome = input.outcome;
    x.decisionId = decisionId;
    x.actionIds = actionIds;
    if (input.outcome === 'deferred') x.deferral = { reason: input.reason, until: input.until };
    if (input.outcome === 'escalated') x.escalation = { reason: input.reason, to: input.to || null };
    return rec;
  });
  await audit(deps, orgId, member(runner.id), `meeting.item-${input.outcome}`, meetingId, {
    item: item.key,
    decisionId,
    actionIds,
    ...(input.outcome === 'decided' ? {} : input),
  });
  const facts1 = facts({ ...ctx, record: after });
  const closedView = {
    ...(await liveItemView(deps, { ...ctx, record: after }, index)),
    actions:
      input.outcome === 'decided'
        ? [
            {
              ownerName: ctx.byId.get(input.ownerId)!.name,
              description: input.action,
              dueDate: input.dueDate,
            },
          ]
        : [],
    decisionText: input.outcome === 'decided' && !view ? input.decision! : null,
  };
  const messages: Message[] = [
    threadPost(
      ctx,
      `meeting-item-closed:${meetingId}:${index}`,
      presentItemClosed(facts1, closedView, ctx.org.timezone),
      now,
    ),
  ];
  if (input.outcome === 'deferred') {
    // On the day it comes back, the process owners hear of it (in their working hours).
    const back = DateTime.fromISO(input.until, { zone: ctx.org.timezone }).set({ hour: 9 }).toJSDate();
    for (const po of ctx.members.filter((m) => m.roles.includes('process-owner')))
      messages.push({
        orgId,
        key: `meeting-deferred-back:${meetingId}:${index}:${po.id}`,
        kind: 'reminder',
        cycleId: ctx.cycle.id,
        recipient: { memberId: po.id, name: po.name },
        card: presentDeferredBack(facts1, item, input),
        notBefore: nextAllowedTime(back, po, workCalendar(ctx.org)),
      });
  }
  if (input.outcome === 'escalated' && input.to) {
    const to = ctx.byId.get(input.to)!;
    messages.push({
      orgId,
      key: `meeting-escalated:${meetingId}:${index}:${to.id}`,
      kind: 'escalation',
      cycleId: ctx.cycle.id,
      recipient: { memberId: to.id, name: to.name },
      card: presentItemClosed(facts1, closedView, to.timezone),
      notBefore: nextAllowedTime(now, to, workCalendar(ctx.org)),
    });
  }
  await deps.outbox.enqueue(messages, now);
  const text = presentItemClosed(facts1, closedView, ctx.org.timezone).summary;
  const next = after.live!.items.findIndex((x) => !x.closedAt);
  if (next >= 0) await takeUpItem(deps, orgId, meetingId, next, runner);
  return { text, next: next >= 0 ? next : null };
}

/** The chair gives the item under discussion more time. */
export async function extendItem(
  deps: Deps,
  orgId: string,
  meetingId: string,
  index: number,
  actorId: string,
  minutes = 5,
): Promise<string> {
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, (rec, c) => {
    requireRunner(c, actorId);
    const x = rec.live?.items[index];
    if (!rec.live || rec.live.endedAt || !x || x.closedAt)
      throw new DomainError('conflict', 'This item is not under discussion.');
    x.extraMinutes += minutes;
    return rec;
  });
  const view = await liveItemView(deps, { ...ctx, record: after }, index);
  await audit(deps, orgId, member(actorId), 'meeting.item-extended', meetingId, {
    item: view.item.key,
    minutes,
  });
  // The chair reads it in their own zone.
  const zone = ctx.byId.get(actorId)?.timezone ?? ctx.org.timezone;
  return `${minutes} more minutes for "${view.item.title}": until ${DateTime.fromJSDate(view.endsAt!, { zone }).toFormat('HH:mm')} (${zone}).`;
}

async function timeUpNotices(deps: Deps, ctx: MeetingContext, now: Date): Promise<number> {
  const live = ctx.record.live!;
  const index = live.items.findIndex((x) => x.startedAt && !x.closedAt);
  if (index < 0) return 0;
  const view = await liveItemView(deps, ctx, index);
  if (!view.endsAt || now.getTime() < view.endsAt.getTime()) return 0;
  const round = view.live.extraMinutes + 1; // one notice per timebox (each extension makes a new one)
  if (view.live.timeUp >= round) return 0;
  await changeMeeting(deps, ctx.org.id, ctx.record.id, (rec) => {
    rec.live!.items[index]!.timeUp = round;
    return rec;
  });
  return deps.outbox.enqueue(
    [
      threadPost(
        ctx,
        `meeting-time-up:${ctx.record.id}:${index}:${round}`,
        presentTimeUp(facts(ctx), view, ctx.org.timezone),
        now,
      ),
    ],
    now,
  );
}

/**
 * The chair ends the meeting: items not reached are recorded as such (their ballots close without a
 * decision), invitees who never marked themselves present are absent, and the minutes are written and posted.
 */
export async function endMeeting(
  deps: Deps,
  orgId: string,
  meetingId: string,
  actorId: string,
): Promise<MinutesRecord> {
  const now = deps.clock.now();
  let ended = false;
  const { after, ctx } = await changeMeeting(deps, orgId, meetingId, (rec, c) => {
    requireRunner(c, actorId);
    if (!rec.live) throw new DomainError('conflict', 'This meeting has not started.');
    if (rec.live.endedAt) return null;
    for (const x of rec.live.items) if (!x.closedAt) x.outcome = 'not-reached';
    rec.live.endedAt = now;
    rec.live.endedBy = actorId;
    ended = true;
    return rec;
  });
  if (!ended) {
    const existing = await deps.meetings.minutes(orgId, meetingId);
    if (existing.length) return existing[existing.length - 1]!;
  }
  for (const x of after.live!.items)
    if (x.outcome === 'not-reached' && x.ballotId) await deps.ballots.markClosed(orgId, x.ballotId);
  const recorded = await deps.attendance.forMeetings(orgId, [meetingId]);
  for (const m of ctx.invitees)
    if (!recorded.some((a) => a.memberId === m.id))
      await deps.attendance.put({
        orgId,
        meetingId,
        memberId: m.id,
        status: 'absent',
        delegateId: null,
        recordedBy: SYSTEM,
        at: now,
        late: false,
      });
  await audit(deps, orgId, member(actorId), 'meeting.ended', meetingId, {
    outcomes: after.live!.items.map((x) => ({ item: x.key, outcome: x.outcome })),
  });
  const minutes = await writeMinutes(deps, { ...ctx, record: after }, member(actorId), 'the meeting ended');
  await deps.outbox.enqueue(
    [
      threadPost(ctx, `meeting-ended:${meetingId}`, presentMeetingEnded(facts(ctx, after)), now),
      {
        ...threadPost(ctx, `meeting-minutes:${meetingId}:v${minutes.version}`, presentMinutes(minutes), now),
        thread: undefined,
      },
    ],
    now,
  );
  return minutes;
}

/** The minutes' input: the meeting as run, each item's decision with its votes, actions, deferrals. */
async function minutesInput(deps: Deps, ctx: MeetingContext): Promise<MinutesInput> {
  const rec = ctx.record;
  const live = rec.live!;
  const name = (id: string) => ctx.byId.get(id)?.name ?? id;
  const attendance = await deps.attendance.forMeetings(ctx.org.id, [rec.id]);
  const items: MinutesInput['items'] = [];
  for (let i = 0; i < live.agenda.length; i++) {
    const item = live.agenda[i]!;
    const li = live.items[i]!;
    let decision: MinutesInput['items'][number]['decision'] = null;
    if (li.decisionId) {
      const d = await deps.decisions.get(ctx.org.id, li.decisionId);
      const votes = li.ballotId ? await deps.ballots.votes(ctx.org.id, li.ballotId) : [];
      const label = (k: string) => item.options.find((o) => o.key === k)?.label ?? k;
      decision = d
        ? {
            optionKey: d.option ?? '',
            optionLabel: d.optionLabel ?? '',
            rationale: d.rationale,
            votes: votes.map((v) => ({
              voterName: name(v.voterId),
              optionKey: v.option,
              optionLabel: label(v.option),
              reason: v.reason,
            })),
          }
        : null;
    }
    const actions = [];
    for (const id of li.actionIds) {
      const a = await deps.actions.get(ctx.org.id, id);
      if (a) actions.push({ ownerName: name(a.ownerId), description: a.description, dueDate: a.dueDate });
    }
    items.push({
      item,
      startedAt: li.startedAt,
      closedAt: li.closedAt,
      outcome: li.outcome ?? 'not-reached',
      decision,
      deferral: li.deferral,
      escalation: li.escalation
        ? { reason: li.escalation.reason, to: li.escalation.to ? name(li.escalation.to) : null }
        : null,
      actions,
    });
  }
  const slot = rec.slot!;
  return {
    meeting: {
      id: rec.id,
      title: meetingTitle(rec.step, ctx.cycle.month),
      start: slot.start,
      end: slot.end,
      startedAt: live.startedAt,
      endedAt: live.endedAt ?? deps.clock.now(),
      timezone: ctx.org.timezone,
    },
    chair: { id: ctx.chair?.id ?? live.startedBy, name: name(ctx.chair?.id ?? live.startedBy) },
    invitees: ctx.invitees.map((m) => ({
      id: m.id,
      name: m.name,
      role: m.roles.includes('executive')
        ? 'executive'
        : m.roles.includes('functional-leader')
          ? 'functional-leader'
          : 'process-owner',
    })),
    attendance: ctx.invitees.map((m) => {
      const a = attendance.find((x) => x.memberId === m.id);
      return {
        memberId: m.id,
        status: a?.status ?? 'absent',
        delegateName: a?.delegateId ? name(a.delegateId) : null,
        late: a?.late ?? false,
        arrivedAt: a && a.status !== 'absent' ? a.at : null,
      };
    }),
    items,
    dropped: live.dropped,
  };
}

async function writeMinutes(
  deps: Deps,
  ctx: MeetingContext,
  by: Actor,
  note: string,
): Promise<MinutesRecord> {
  const minutes = composeMinutes(await minutesInput(deps, ctx));
  for (let attempt = 0; attempt < 5; attempt++) {
    const versions = await deps.meetings.minutes(ctx.org.id, ctx.record.id);
    const version = versions.length + 1;
    const record: MinutesRecord = {
      id: `${ctx.record.id}:${version}`,
      orgId: ctx.org.id,
      cycleId: ctx.cycle.id,
      meetingId: ctx.record.id,
      version,
      minutes,
      markdown: deps.minutesMarkdown(minutes, { orgName: ctx.org.name, version }),
      searchText: minutesSearchText(minutes),
      createdBy: by,
      createdAt: deps.clock.now(),
      note,
    };
    if (await deps.meetings.putMinutes(record)) {
      await audit(deps, ctx.org.id, by, 'minutes.written', ctx.record.id, { version, note });
      return record;
    }
  }
  throw new DomainError('conflict', 'the minutes are being written by someone else; try again');
}

/** A new version of the minutes (after actions were added or corrected), by a process owner. */
export async function rewriteMinutes(
  deps: Deps,
  orgId: string,
  meetingId: string,
  input: { actorId: string; note: string },
): Promise<MinutesRecord> {
  const actor = await requireProcessOwner(deps, orgId, input.actorId);
  if (input.note.trim().length < 3)
    throw new DomainError('validation_failed', 'the new version is not valid', { note: 'say what changed' });
  const ctx = await meetingContext(deps, orgId, meetingId);
  if (!ctx.record.live?.endedAt)
    throw new DomainError('conflict', 'the meeting has not ended: it has no minutes yet');
  return writeMinutes(deps, ctx, member(actor.id), input.note.trim());
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface MeetingView {
  id: string;
  cycleId: string;
  month: string;
  step: MeetingStep;
  title: string;
  timezone: string;
  start: Date | null;
  end: Date | null;
  how: MeetingRecord['how'];
  sequence: number;
  status: 'scheduled' | 'polling' | 'cancelled' | 'live' | 'ended';
  cancelled: MeetingRecord['cancelled'];
  chair: { id: string; name: string } | null;
  invitees: { id: string; name: string; timezone: string; fits: boolean }[];
  poll: MeetingRecord['poll'];
  live: MeetingRecord['live'];
  changes: MeetingRecord['changes'];
}

export function viewOf(ctx: MeetingContext): MeetingView {
  const rec = ctx.record;
  const misses = rec.slot
    ? new Set(fitsEveryone(rec.slot, ctx.invitees.map(inviteeOf), workCalendar(ctx.org)))
    : new Set<string>();
  return {
    id: rec.id,
    cycleId: rec.cycleId,
    month: ctx.cycle.month,
    step: rec.step,
    title: meetingTitle(rec.step, ctx.cycle.month),
    timezone: ctx.org.timezone,
    start: rec.slot?.start ?? null,
    end: rec.slot?.end ?? null,
    how: rec.how,
    sequence: rec.sequence,
    status: rec.cancelled
      ? 'cancelled'
      : rec.live?.endedAt
        ? 'ended'
        : rec.live
          ? 'live'
          : rec.slot
            ? 'scheduled'
            : 'polling',
    cancelled: rec.cancelled,
    chair: ctx.chair ? { id: ctx.chair.id, name: ctx.chair.name } : null,
    invitees: ctx.invitees.map((m) => ({
      id: m.id,
      name: m.name,
      timezone: m.timezone,
      fits: !misses.has(m.id),
    })),
    poll: rec.poll,
    live: rec.live,
    changes: rec.changes,
  };
}

export async function meetingView(deps: Deps, orgId: string, meetingId: string): Promise<MeetingView> {
  return viewOf(await meetingContext(deps, orgId, meetingId));
}

/** The cycle's meetings as the domain sees them (times, invitees); a meeting waiting for its poll shows its fixed slot. */
export async function cycleMeetingList(
  deps: Deps,
  orgId: string,
  cycleId: string,
): Promise<{ meeting: Meeting; view: MeetingView }[]> {
  const [org, cycle, members] = await Promise.all([
    deps.orgs.get(orgId),
    deps.cycles.get(orgId, cycleId),
    deps.members.all(orgId),
  ]);
  if (!org || !cycle) throw new DomainError('not_found', 'cycle not found');
  const out = [];
  for (const step of MEETING_STEPS) {
    const ctx = await meetingContext(deps, orgId, `${cycleId}-${step}`, { org, cycle, members });
    out.push({ meeting: asMeeting(ctx), view: viewOf(ctx) });
  }
  return out;
}

/** The invitation as iCalendar: the current time and SEQUENCE, or a cancellation (METHOD:CANCEL). */
export async function meetingIcs(deps: Deps, orgId: string, meetingId: string): Promise<string> {
  const ctx = await meetingContext(deps, orgId, meetingId);
  const rec = ctx.record;
  if (!rec.slot && !rec.cancelled)
    throw new DomainError('conflict', 'this meeting has no time yet: its time poll is open');
  const owner = ctx.members.find((m) => m.roles.includes('process-owner'));
  return icsFor(
    asMeeting(ctx),
    ctx.invitees.map((m) => ({ name: m.name, email: m.email })),
    owner ? { name: owner.name, email: owner.email } : null,
    deps.clock.now(),
    {
      description: `${ctx.org.name}: ${meetingTitle(rec.step, ctx.cycle.month)}. Times are set in ${ctx.org.timezone}.${
        rec.cancelled ? ` Cancelled: ${rec.cancelled.reason}` : ''
      }`,
      sequence: rec.sequence,
      method: rec.cancelled ? 'CANCEL' : 'REQUEST',
      url: webPath(`/app/meetings/${rec.id}`),
    },
  );
}

export async function meetingMinutes(deps: Deps, orgId: string, meetingId: string): Promise<MinutesRecord[]> {
  await meetingContext(deps, orgId, meetingId);
  return deps.meetings.minutes(orgId, meetingId);
}

/** The latest minutes of every meeting whose text has every word of `q`, newest first. */
export async function searchMinutes(deps: Deps, orgId: string, q: string): Promise<MinutesRecord[]> {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  return (await deps.meetings.allMinutes(orgId))
    .filter((m) => words.every((w) => m.searchText.includes(w)))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/** Meeting KPIs over every meeting that was run: time per item vs timebox, decided vs deferred, executive attendance. */
export async function meetingKpisOf(deps: Deps, orgId: string) {
  return meetingKpis(await meetingKpiInputs(deps, orgId));
}

/** Every meeting that was run, as the meeting KPIs (and the process-health facts) read it; by cycle month. */
export async function meetingKpiInputs(deps: Deps, orgId: string): Promise<MeetingKpiInput[]> {
  const page = await deps.cycles.list(orgId, { limit: 100, after: null });
  const members = await deps.members.all(orgId);
  const executives = new Set(eligibleVoters(members));
  const inputs: MeetingKpiInput[] = [];
  for (const cycle of [...page.items].sort((a, b) => a.month.localeCompare(b.month)))
    for (const step of MEETING_STEPS) {
      const rec = await deps.meetings.get(orgId, `${cycle.id}-${step}`);
      if (!rec?.live) continue;
      const attendance = await deps.attendance.forMeetings(orgId, [rec.id]);
      inputs.push({
        meetingId: rec.id,
        cycleMonth: cycle.month,
        step,
        items: rec.live.items.map((x, i) => ({
          timeboxMinutes: rec.live!.agenda[i]!.timeboxMinutes + x.extraMinutes,
          startedAt: x.startedAt,
          closedAt: x.closedAt,
          outcome: x.outcome ?? 'not-reached',
        })),
        executives: meetingInvitees(step, members).filter((id) => executives.has(id)),
        attendance: attendance.map((a) => ({
          memberId: a.memberId,
          status: a.status,
          late: a.late ?? false,
        })),
      });
    }
  return inputs;
}

/** The next meeting of the org that has not ended (for `/sop meeting`), with what the asker may do. */
export async function nextMeeting(
  deps: Deps,
  org: OrgRecord,
  asker: MemberRecord,
): Promise<{ ctx: MeetingContext; agenda: AgendaView; mayRun: boolean } | null> {
  const cycles = (await deps.cycles.unfinished())
    .filter((c) => c.orgId === org.id)
    .sort((a, b) => a.month.localeCompare(b.month));
  const members = await deps.members.all(org.id);
  for (const cycle of cycles)
    for (const step of MEETING_STEPS) {
      const ctx = await meetingContext(deps, org.id, `${cycle.id}-${step}`, { org, cycle, members });
      const rec = ctx.record;
      if (rec.cancelled || rec.live?.endedAt) continue;
      if (rec.slot && !rec.live && rec.slot.end.getTime() < deps.clock.now().getTime()) continue;
      return { ctx, agenda: await agendaOf(deps, ctx), mayRun: mayRun(ctx, asker) };
    }
  return null;
}
