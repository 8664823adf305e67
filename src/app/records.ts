/** The records use cases read and write. Repositories (models/) map them to and from MongoDB. */
import type { CycleCalendar } from '../domain/calendar.js';
import type { CycleState, StepStatus } from '../domain/cycle.js';
import type { ReminderPolicy } from '../domain/manners.js';
import type { InputKind } from '../domain/obligations.js';
import type { MemberView } from '../domain/people.js';
import type { StepKey } from '../domain/calendar.js';
import type { Card } from '../cards/card.js';
import type { VoteRecord } from '../domain/voting.js';
import type { Disruption, SoeAlert } from '../domain/soe.js';

export interface OrgRecord {
  /** Each meeting's slot (business day of the step, local time, length) or "propose one"; unset: the defaults. */
  meetings?: Partial<
    Record<import('../domain/meetings.js').MeetingStep, import('../domain/meetingTime.js').MeetingSlotSetting>
  >;
  id: string;
  name: string;
  timezone: string;
  horizonMonths: number;
  holidays: string[];
  weekend: number[];
  calendar: CycleCalendar;
  functions: string[];
  reminderPolicy: ReminderPolicy;
  /** The org's default voting rules; a ballot may override any of them. */
  votingRules: import('../domain/voting.js').BallotRules;
  createdAt: Date;
}

export interface MemberRecord extends MemberView {
  orgId: string;
  email: string;
  slackUserId: string | null;
  teamsUserId: string | null;
  createdAt: Date;
  /** Where a person linked on both Slack and Teams gets their messages (unset: Slack). */
  preferredChat?: 'slack' | 'teams' | null;
}

export interface CycleRecord extends CycleState {
  id: string;
  orgId: string;
  /** Optimistic concurrency: every write must name the version it read. */
  version: number;
  /** `step@dueAtISO` for each overdue step already escalated. */
  escalated: string[];
  createdAt: Date;
}

export interface InputRequestRecord {
  id: string;
  orgId: string;
  cycleId: string;
  key: string;
  step: StepKey;
  kind: InputKind;
  function: string | null;
  owners: string[];
  latestVersion: number;
  lastSubmittedAt: Date | null;
  /** Reminders already queued: `memberId:kind:dueAt`. */
  reminded: string[];
  /** The process owner excused this input (on leave, not relevant this month): not owed, not reminded. */
  excused: { by: string; reason: string; at: Date } | null;
  createdAt: Date;
}

export interface SubmissionRecord {
  id: string;
  orgId: string;
  cycleId: string;
  requestId: string;
  version: number;
  /** Who submitted it. */
  authorId: string;
  payload: unknown;
  createdAt: Date;
}

/** `withdrawn`: no longer to be sent (what it said changed before it went out, e.g. a meeting moved). */
export type OutboxStatus = 'pending' | 'delivered' | 'dead' | 'withdrawn';

export interface OutboxRecord {
  id: string;
  orgId: string;
  /** Idempotency key: one message per key per org, whatever retries or reruns happen. */
  key: string;
  kind:
    | 'step-prompt'
    | 'step-reopened'
    | 'reminder'
    | 'escalation'
    | 'pack'
    | 'ballot'
    | 'decision'
    | 'action'
    | 'meeting'
    | 'alert';
  cycleId: string | null;
  recipient: { memberId: string; name: string };
  /** Set for a post to one of the org's channels (`sop`: its S&OP channel); the recipient is then
   * who gets it directly when the org has no such channel. */
  channel?: string;
  /** The key of an earlier message of the same org this one answers in its thread (a live meeting's items). */
  thread?: string;
  card: Card;
  status: OutboxStatus;
  /** Not to be delivered before this instant (the recipient's working hours). */
  notBefore: Date;
  attempts: number;
  /** Why the last attempt failed (pending: it will be retried; dead: it will not). */
  lastError?: string;
  /** Where it landed (`channel`, `ts`), once delivered. */
  delivery?: Record<string, string>;
  createdAt: Date;
}

export type Actor =
  { type: 'member'; id: string } | { type: 'api'; id: string } | { type: 'system'; id: string };

export interface AuditRecord {
  id: string;
  orgId: string;
  seq: number;
  at: Date;
  actor: Actor;
  action: string;
  entity: { type: string; id: string };
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export type { StepStatus };

export interface DatasetRecord {
  id: string;
  orgId: string;
  /** 1, 2, 3 ... per org; immutable once committed. */
  version: number;
  /** Each table of this version: where its rows live (this or an earlier upload) and how many. */
  tables: Partial<Record<import('../domain/dataset.js').TableName, { source: string; rows: number }>>;
  warnings: string[];
  createdBy: Actor;
  createdAt: Date;
}

/**
 * A request to build a cycle's pack and share it (pre-S&OP opened, round `round`), worked by the
 * pack build job (src/app/packJobs.ts). `id` = `cycleId:r<round>`: one request per opening.
 */
export interface PackBuildRecord {
  id: string;
  orgId: string;
  cycleId: string;
  round: number;
  /** pending: to build (or being built); done: shared, or told why not; failed: out of attempts. */
  status: 'pending' | 'done' | 'failed';
  /** The highest attempt claimed so far (0: none yet). */
  attempts: number;
  /** Not tried again before this (after an attempt that failed). */
  notBefore: Date;
  /**
   * How it ended: `shared` (the card is queued), `missing` (no dataset: the process owners are
   * told), `nobody` (the org has no process owner to address), `gone` (the cycle no longer exists).
   */
  outcome: 'shared' | 'missing' | 'nobody' | 'gone' | null;
  lastError: string | null;
  requestedAt: Date;
  settledAt: Date | null;
}

export interface PackRecord<C = unknown> {
  /** `cycleId:version`. */
  id: string;
  orgId: string;
  cycleId: string;
  version: number;
  datasetVersion: number;
  content: C;
  createdBy: Actor;
  createdAt: Date;
}

export interface BallotRecord {
  id: string;
  orgId: string;
  cycleId: string;
  title: string;
  options: import('../domain/voting.js').BallotOption[];
  rules: import('../domain/voting.js').BallotRules;
  /** The trade-off it came from (null: ad hoc). */
  source: {
    tradeoffKey: string;
    packVersion: number;
    recommended: string;
    families: string[];
    resources: string[];
  } | null;
  deadline: Date;
  status: 'open' | 'closed';
  createdBy: Actor;
  createdAt: Date;
  /** A ballot opened on an item of a live meeting: only executives at the meeting vote, the chair closes it. */
  meeting?: { id: string; itemKey: string } | null;
}

export interface VoteDoc extends VoteRecord {
  ballotId: string;
  orgId: string;
  at: Date;
}

export type DecisionStatus = import('../domain/voting.js').Outcome;

export interface DecisionRecord {
  /** The ballot's id: one decision per ballot. */
  id: string;
  orgId: string;
  cycleId: string;
  ballotId: string;
  title: string;
  status: DecisionStatus;
  option: string | null;
  optionLabel: string | null;
  tally: import('../domain/voting.js').Tally;
  rationale: string;
  decidedBy: Actor;
  decidedAt: Date;
  source: BallotRecord['source'];
  /** Earlier decisions on the same trade-off (recurring decisions), newest first. */
  previous: string[];
  reviewDate: string | null;
  /** What the decision commits: resources, money, capacity (free text, one line each). */
  commitments: string[];
}

export type ActionStatus = 'open' | 'done' | 'blocked' | 'cancelled';

export interface ActionRecord {
  id: string;
  orgId: string;
  decisionId: string;
  cycleId: string;
  ownerId: string;
  dueDate: string;
  description: string;
  status: ActionStatus;
  history: { status: ActionStatus; note: string | null; by: Actor; at: Date }[];
  createdAt: Date;
  doneAt: Date | null;
  /** Reminders and escalations already queued: `kind:dueDate`. */
  reminded: string[];
}

export type AttendanceStatus = 'present' | 'absent' | 'represented';

export interface AttendanceRecord {
  orgId: string;
  meetingId: string;
  memberId: string;
  status: AttendanceStatus;
  /** Who stood in, when represented; whether that delegate holds decision authority. */
  delegateId: string | null;
  recordedBy: Actor;
  at: Date;
  /** Marked present after the meeting started (its grace minutes passed). */
  late?: boolean;
}

/** A chat workspace's installation of Accord (Slack: one per workspace), and the org it serves. */
export interface InstallationRecord {
  /** `slack:{enterpriseId or -}:{teamId}`. */
  id: string;
  platform: 'slack';
  teamId: string | null;
  enterpriseId: string | null;
  teamName: string;
  /** The org this workspace belongs to; null until someone maps it. */
  orgId: string | null;
  botToken: string;
  botUserId: string;
  /** The platform's whole installation object (JSON), handed back to it as it was. */
  data: string;
  installedAt: Date;
}

/**
 * A Teams conversation Accord can post into (a person's 1:1 chat with the bot, or a team channel),
 * with the service URL it came from: each conversation is answered through its own serviceUrl.
 */
export interface TeamsConversationRecord {
  /** `orgId:conversationId`. */
  id: string;
  orgId: string;
  tenantId: string;
  kind: 'personal' | 'channel';
  conversationId: string;
  serviceUrl: string;
  /** The person's Teams user id (`29:...`), for a personal conversation. */
  teamsUserId: string | null;
  aadObjectId: string | null;
  /** The Accord member this 1:1 chat is with, once known. */
  memberId: string | null;
  teamId: string | null;
  name: string | null;
  updatedAt: Date;
}

/** A Microsoft 365 tenant that installed Accord, and the org it serves. */
export interface TeamsTenantRecord {
  tenantId: string;
  orgId: string;
  /** The channel conversation S&OP posts (`channel: 'sop'`) go to; null: to the recipient directly. */
  sopConversationId: string | null;
  createdAt: Date;
}

/** A live meeting's item as it was taken: when, what became of it, the ballot and decision it led to. */
export interface LiveItem {
  key: string;
  startedAt: Date | null;
  closedAt: Date | null;
  /** Minutes the chair added to the timebox. */
  extraMinutes: number;
  outcome: 'decided' | 'deferred' | 'escalated' | 'not-reached' | null;
  ballotId: string | null;
  decisionId: string | null;
  actionIds: string[];
  deferral: { reason: string; until: string } | null;
  escalation: { reason: string; to: string | null } | null;
  /** Time-up notices already posted (one per timebox extension). */
  timeUp: number;
}

export interface LiveMeeting {
  startedAt: Date;
  startedBy: string;
  /** The agenda as it stood when the meeting started (edits end there). */
  agenda: import('../domain/agenda.js').AgendaItem[];
  dropped: { item: import('../domain/agenda.js').AgendaItem; reason: string }[];
  items: LiveItem[];
  /** Index of the item under discussion; items.length once every item is closed. */
  current: number;
  endedAt: Date | null;
  endedBy: string | null;
}

export interface MeetingPoll {
  round: number;
  options: import('../domain/meetingTime.js').PollOption[];
  deadline: Date;
  votes: import('../domain/meetingTime.js').PollVote[];
  /** open: taking votes; tied: waiting for the chair; closed: `chosen` won. */
  status: 'open' | 'tied' | 'closed';
  tied: string[];
  chosen: string | null;
}

/**
 * One meeting of a cycle (pre-S&OP or executive S&OP) as it stands: its time and invitation
 * sequence, a time poll, the agenda's edits, the live meeting. Versioned append-only (each change
 * is a new version; a writer that cannot insert the next version lost the race and retries).
 */
export interface MeetingRecord {
  /** `<cycleId>-<step>`. */
  id: string;
  orgId: string;
  cycleId: string;
  step: import('../domain/meetings.js').MeetingStep;
  /** 0: never written (the defaults). */
  version: number;
  /** The invitation's SEQUENCE (RFC 5545): +1 on each change of time or a cancellation. */
  sequence: number;
  /** When it takes place; null while a time poll is open. */
  slot: { start: Date; end: Date } | null;
  how: 'fixed' | 'proposed' | 'poll' | 'set';
  cancelled: { by: string; reason: string; at: Date } | null;
  poll: MeetingPoll | null;
  agendaEdits: import('../domain/agenda.js').StoredAgendaEdit[];
  /** Messages already queued for this meeting: `invite:s2`, `agenda:s2`, `remind-24h:s2`, ... */
  sent: string[];
  live: LiveMeeting | null;
  /** Changes of time and cancellations, oldest first. */
  changes: { at: Date; by: string; what: string; reason: string }[];
}

/** The minutes of a meeting: one document per version (`meetingId:version`). */
export interface MinutesRecord {
  id: string;
  orgId: string;
  cycleId: string;
  meetingId: string;
  version: number;
  minutes: import('../domain/minutes.js').Minutes;
  markdown: string;
  searchText: string;
  createdBy: Actor;
  createdAt: Date;
  /** Why this version was written (the meeting ended; a correction). */
  note: string;
}

/** An S&OE alert as raised (`orgId:key`: the same variance is raised once), with what became of it. */
export interface AlertRecord extends SoeAlert {
  id: string;
  orgId: string;
  /** The cycle whose plan it was checked against. */
  cycleId: string;
  raisedAt: Date;
  /** It reached chat (recent, and worth a person's time); only those are escalated. */
  notified: boolean;
  /**
   * How moneyAtStake was counted: `replan` when the pack's model was re-planned with the variance
   * (then `replan` says how), else `rough` (units at risk times unit margin). Absent in older alerts: rough.
   */
  moneyBasis?: 'replan' | 'rough';
  replan?: AlertReplan;
}

/** An alert's variance re-planned with its pack's model (runWhatIf): the what-if and how the plan moves. */
export interface AlertReplan {
  whatIf: import('../domain/plan.js').WhatIf;
  /** What-if minus base: margin, spend on levers, margin the levers still lose, units short. */
  margin: number;
  leverSpend: number;
  lostMargin: number;
  shortfallUnits: number;
}

/** The one outcome of an alert (the first click wins): acknowledged with a note, on the next agenda, or decided. */
export interface AlertOutcomeRecord {
  alertId: string;
  orgId: string;
  outcome: 'acknowledged' | 'agenda' | 'decide';
  note: string | null;
  by: string;
  at: Date;
  /** For `decide`: the ballot opened. */
  ballotId: string | null;
}

export interface DisruptionRecord extends Disruption {
  orgId: string;
  reportedBy: string;
  at: Date;
}
