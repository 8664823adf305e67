/** The ports use cases need. models/ implements the repositories; main.ts wires them. */
import type {
  Actor,
  DatasetRecord,
  AuditRecord,
  CycleRecord,
  InputRequestRecord,
  MemberRecord,
  OrgRecord,
  OutboxRecord,
  PackBuildRecord,
  PackRecord,
  SubmissionRecord,
  BallotRecord,
  VoteDoc,
  DecisionRecord,
  ActionRecord,
  AttendanceRecord,
  MeetingRecord,
  MinutesRecord,
  AlertRecord,
  AlertOutcomeRecord,
  DisruptionRecord,
  InstallationRecord,
  TeamsConversationRecord,
  TeamsTenantRecord,
} from './records.js';
import type { LpSolver } from './solver.js';
import type { PlanCompute } from './planPool.js';
import type { CachedForecast } from '../domain/forecast/pooled.js';
import type { Links } from './links.js';
import type { Copy } from '../cards/copy.js';

/** Renders a named document (the pack as HTML) from its context; src/render implements it. */
export type DocumentRenderer = (name: 'pack', context: object) => string;

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface PageRequest {
  limit: number;
  after: string | null;
}

export interface OrgRepo {
  insert(
    org: Omit<OrgRecord, 'id' | 'createdAt'>,
    tokenHash: string,
    tokenPrefix: string,
    now: Date,
  ): Promise<OrgRecord>;
  get(id: string): Promise<OrgRecord | null>;
  getMany(ids: string[]): Promise<OrgRecord[]>;
  list(page: PageRequest): Promise<Page<OrgRecord>>;
  update(id: string, patch: Partial<Omit<OrgRecord, 'id' | 'createdAt'>>): Promise<OrgRecord | null>;
  findIdByTokenHash(hash: string): Promise<string | null>;
  addToken(id: string, hash: string, prefix: string, now: Date): Promise<void>;
  tokens(id: string): Promise<{ prefix: string; createdAt: Date }[]>;
  /** Removes the token with this prefix; false when there is none. */
  revokeToken(id: string, prefix: string): Promise<boolean>;
  /** The org's link key (given to orgs from before link keys on first use); null when there is no org. */
  linkKey(id: string): Promise<string | null>;
  /** Replaces the org's link key; false when there is no org. */
  setLinkKey(id: string, key: string): Promise<boolean>;
  count(): Promise<number>;
}

export type NewMember = Omit<MemberRecord, 'id' | 'createdAt'>;

export interface MemberRepo {
  insert(member: NewMember, now: Date): Promise<MemberRecord>;
  get(orgId: string, id: string): Promise<MemberRecord | null>;
  list(orgId: string, page: PageRequest): Promise<Page<MemberRecord>>;
  all(orgId: string): Promise<MemberRecord[]>;
  /** Every member of these orgs, in one query (the sweep). */
  allOf(orgIds: string[]): Promise<MemberRecord[]>;
  /** Replaces the member's editable fields; null when it does not exist in this org. */
  update(orgId: string, id: string, member: NewMember): Promise<MemberRecord | null>;
  /** Records a member's chat user id (only that); false when another member of the org has it. */
  linkChatUser(orgId: string, id: string, platform: 'slack' | 'teams', userId: string): Promise<boolean>;
}

export interface CycleRepo {
  insert(cycle: Omit<CycleRecord, 'id' | 'createdAt' | 'version'>, now: Date): Promise<CycleRecord>;
  get(orgId: string, id: string): Promise<CycleRecord | null>;
  list(orgId: string, page: PageRequest): Promise<Page<CycleRecord>>;
  /** Writes the new state if the stored version is still `cycle.version`; false when someone else won. */
  save(cycle: CycleRecord): Promise<boolean>;
  /** Cycles not yet closed, across every org (the scheduler's sweep). */
  unfinished(): Promise<CycleRecord[]>;
}

export interface InputRequestRepo {
  /**
   * Makes the cycle's requests match `wanted` (by key): creates the missing ones and refreshes the
   * owners of the others. `existing` is what the caller just read; returns the requests after.
   */
  sync(
    wanted: Omit<
      InputRequestRecord,
      'id' | 'createdAt' | 'latestVersion' | 'lastSubmittedAt' | 'reminded' | 'excused'
    >[],
    existing: InputRequestRecord[],
    now: Date,
  ): Promise<InputRequestRecord[]>;
  forCycle(orgId: string, cycleId: string): Promise<InputRequestRecord[]>;
  /** Every request of these cycles, in one query (the sweep). */
  forCycles(cycleIds: string[]): Promise<InputRequestRecord[]>;
  /** Records reminders queued for this request (`memberId:kind:dueAt`). */
  markReminded(orgId: string, id: string, marks: string[]): Promise<void>;
  get(orgId: string, id: string): Promise<InputRequestRecord | null>;
  markSubmitted(orgId: string, id: string, version: number, at: Date): Promise<void>;
  /** Records (or, with null, withdraws) the process owner's excuse for this input. */
  excuse(orgId: string, id: string, excused: InputRequestRecord['excused']): Promise<void>;
}

export interface SubmissionRepo {
  /** Appends the next version; the unique (request, version) index settles concurrent writers. */
  append(s: Omit<SubmissionRecord, 'id' | 'version' | 'createdAt'>, now: Date): Promise<SubmissionRecord>;
  list(orgId: string, requestId: string): Promise<SubmissionRecord[]>;
  /** Request id -> highest version, counted from the submissions themselves. */
  latestVersions(orgId: string, cycleId: string): Promise<Map<string, number>>;
}

export interface OutboxFilter {
  status?: OutboxRecord['status'];
  memberId?: string;
  kind?: OutboxRecord['kind'];
  cycleId?: string;
}

export interface Outbox {
  /** Adds messages whose keys are new; existing keys are left untouched. Returns how many were added. */
  enqueue(
    messages: Omit<OutboxRecord, 'id' | 'createdAt' | 'status' | 'attempts'>[],
    now: Date,
  ): Promise<number>;
  list(orgId: string, filter: OutboxFilter, page: PageRequest): Promise<Page<OutboxRecord>>;
  /** Pending messages whose time has come, oldest first, across every org (the deliverers). */
  due(now: Date, limit: number): Promise<OutboxRecord[]>;
  /**
   * Claims one delivery attempt (a unique insert of `id:attempt`): only one deliverer, in any
   * process, ever makes attempt N of a message; false when another one has it.
   */
  claim(id: string, attempt: number, now: Date): Promise<boolean>;
  /** When attempt N of a message was claimed, or null when it was not. */
  claimedAt(id: string, attempt: number): Promise<Date | null>;
  /**
   * Withdraws the org's messages with these keys that are still pending (what they said is no
   * longer true); how many. A deliverer that already holds one may still send it.
   */
  withdraw(orgId: string, keys: string[], why: string): Promise<number>;
  /** The message with this key (a thread's first message, to answer under it). */
  byKey(orgId: string, key: string): Promise<OutboxRecord | null>;
  /** Records the outcome of an attempt. */
  settle(
    id: string,
    outcome:
      | { status: 'delivered'; attempts: number; delivery: Record<string, string> }
      | { status: 'pending'; attempts: number; notBefore: Date; lastError: string }
      | { status: 'dead'; attempts: number; lastError: string },
  ): Promise<void>;
}

export interface AuditLog {
  append(
    orgId: string,
    event: {
      actor: Actor;
      action: string;
      entity: { type: string; id: string };
      before?: unknown;
      after?: unknown;
    },
    now: Date,
  ): Promise<AuditRecord>;
  list(
    orgId: string,
    filter: { entityId?: string; action?: string },
    page: PageRequest,
  ): Promise<Page<AuditRecord>>;
  /** Walks the org's chain from the first event: every hash recomputed, every link and seq checked. */
  verify(
    orgId: string,
  ): Promise<{ ok: boolean; events: number; broken?: { seq: number; id: string; reason: string } }>;
}

export interface DatasetRepo {
  /** A staging area for an upload's rows; invisible until committed. */
  createStaging(orgId: string, now: Date): Promise<string>;
  stageChunk(
    orgId: string,
    stagingId: string,
    table: string,
    seq: number,
    rows: Record<string, unknown>[],
  ): Promise<void>;
  /** Removes a failed upload: the chunks it staged (by their keys, which it names), then the rest. */
  discard(orgId: string, stagingId: string, staged: { table: string; seq: number }[]): Promise<void>;
  /**
   * Housekeeping: removes uploads still staging that started before `before` (their process died
   * or lost its request) with their chunks, and chunks whose upload no longer exists.
   */
  sweepStaging(before: Date): Promise<{ uploads: number; chunks: number }>;
  /** Makes the staged upload the org's next version. */
  commit(
    orgId: string,
    stagingId: string,
    meta: Pick<DatasetRecord, 'tables' | 'warnings' | 'createdBy'>,
    now: Date,
  ): Promise<DatasetRecord>;
  latest(orgId: string): Promise<DatasetRecord | null>;
  byVersion(orgId: string, version: number): Promise<DatasetRecord | null>;
  list(orgId: string, page: PageRequest): Promise<Page<DatasetRecord>>;
  /** The rows of one table of a version, chunk by chunk (bounded memory). */
  rows(orgId: string, dataset: DatasetRecord, table: string): AsyncIterable<Record<string, unknown>[]>;
}

/** Forecasts kept by a hash of what they were fitted on (src/app/forecasts.ts), per org. */
export interface ForecastCacheRepo {
  /** The org's cached forecasts by key (empty when there are none). */
  load(orgId: string): Promise<Map<string, CachedForecast>>;
  /** Replaces the org's cache with these entries. */
  save(orgId: string, entries: Map<string, CachedForecast>, now: Date): Promise<void>;
}

export interface PackRepo {
  /**
   * Stores the next version of a cycle's pack: its detail chunks first, then the pack itself (the
   * commit); `content(version)` is called with the version number it gets.
   */
  insert(
    pack: { orgId: string; cycleId: string; datasetVersion: number; createdBy: Actor },
    content: (version: number) => unknown,
    chunks: { kind: string; seq: number; data: unknown }[],
    now: Date,
  ): Promise<PackRecord>;
  latest(orgId: string, cycleId: string): Promise<PackRecord | null>;
  byVersion(orgId: string, cycleId: string, version: number): Promise<PackRecord | null>;
  chunk(orgId: string, packId: string, kind: string, seq: number): Promise<unknown>;
  /** Housekeeping: removes detail chunks written before `before` whose pack was never stored. */
  sweepOrphanChunks(before: Date): Promise<number>;
}

/** Pack build requests and their attempts (the pack build job, src/app/packJobs.ts). */
export interface PackBuildRepo {
  /** Records a request (`cycleId:r<round>`); one already there is left as it is. True when new. */
  request(r: { orgId: string; cycleId: string; round: number }, now: Date): Promise<boolean>;
  /** Pending requests whose time has come, oldest first, across every org (the build job). */
  due(now: Date, limit: number): Promise<PackBuildRecord[]>;
  get(orgId: string, id: string): Promise<PackBuildRecord | null>;
  /**
   * Claims attempt N of a request (a unique insert of `id:N`): only one worker, in any process,
   * ever makes attempt N; false when another one has it.
   */
  claim(id: string, attempt: number, now: Date): Promise<boolean>;
  /** When attempt N last showed life (its claim or latest heartbeat) and whether it ended; null when never claimed. */
  attempt(id: string, attempt: number): Promise<{ aliveAt: Date; ended: boolean } | null>;
  /** The worker of attempt N is still at it. */
  heartbeat(id: string, attempt: number, now: Date): Promise<void>;
  /**
   * Ends attempt N and records where the request stands. A request that is no longer pending (a
   * later attempt settled it) is left as it is.
   */
  settle(
    id: string,
    attempt: number,
    outcome:
      | { status: 'done'; outcome: NonNullable<PackBuildRecord['outcome']> }
      | { status: 'pending'; notBefore: Date; lastError: string }
      | { status: 'failed'; lastError: string },
    now: Date,
  ): Promise<void>;
}

export interface BallotRepo {
  insert(b: Omit<BallotRecord, 'id' | 'createdAt' | 'status'>, now: Date): Promise<BallotRecord>;
  get(orgId: string, id: string): Promise<BallotRecord | null>;
  /** Ballots still open, across every org (the sweep closes those past their deadline). */
  openOnes(): Promise<BallotRecord[]>;
  /** One org's open ballots. */
  openFor(orgId: string): Promise<BallotRecord[]>;
  markClosed(orgId: string, id: string): Promise<void>;
  votes(orgId: string, ballotId: string): Promise<VoteDoc[]>;
  /** One vote per voter per ballot (`_id` = ballot:voter); `created` false when it replaced one. */
  putVote(v: VoteDoc): Promise<{ created: boolean; previous: VoteDoc | null }>;
}

export interface DecisionRepo {
  /** One decision per ballot: a second close gets the first decision back (`created: false`). */
  insert(d: DecisionRecord): Promise<{ decision: DecisionRecord; created: boolean }>;
  get(orgId: string, id: string): Promise<DecisionRecord | null>;
  all(orgId: string): Promise<DecisionRecord[]>;
}

export interface ActionRepo {
  insert(a: Omit<ActionRecord, 'id'>): Promise<ActionRecord>;
  get(orgId: string, id: string): Promise<ActionRecord | null>;
  /** Replaces an action if it is still at `expectedChanges` history entries (optimistic). */
  save(a: ActionRecord, expectedChanges: number): Promise<boolean>;
  list(
    orgId: string,
    filter: { ownerId?: string; status?: string; decisionId?: string },
  ): Promise<ActionRecord[]>;
  /** One page of `list`, oldest first. */
  page(
    orgId: string,
    filter: { ownerId?: string; status?: string; decisionId?: string },
    page: PageRequest,
  ): Promise<Page<ActionRecord>>;
  /** Open and blocked actions across every org (the sweep's reminders). */
  pending(): Promise<ActionRecord[]>;
  markReminded(orgId: string, id: string, mark: string): Promise<void>;
}

export interface AttendanceRepo {
  /** One record per member per meeting (`_id` = meeting:member); a later one replaces it. */
  put(r: AttendanceRecord): Promise<void>;
  forMeetings(orgId: string, meetingIds: string[]): Promise<AttendanceRecord[]>;
}

export interface InstallationRepo {
  /** Stores (or replaces) a workspace's installation. */
  put(r: InstallationRecord): Promise<void>;
  get(id: string): Promise<InstallationRecord | null>;
  /** The installations serving an org (normally one workspace). */
  forOrg(orgId: string): Promise<InstallationRecord[]>;
  remove(id: string): Promise<void>;
  /**
   * Seals with the current key every installation stored in clear (before encryption) or under a
   * previous key; those no configured key opens are named in `unreadable` and left as they are.
   */
  reseal(): Promise<{ resealed: number; unreadable: { id: string; reason: string }[] }>;
}

export interface TeamsRepo {
  /** Maps a tenant to an org (unique by tenant); returns the existing mapping when there is one. */
  connectTenant(tenantId: string, orgId: string, now: Date): Promise<TeamsTenantRecord>;
  tenant(tenantId: string): Promise<TeamsTenantRecord | null>;
  tenantOf(orgId: string): Promise<TeamsTenantRecord | null>;
  setSopChannel(orgId: string, conversationId: string | null): Promise<void>;
  /** Upsert by (orgId, conversationId): the serviceUrl and ids are refreshed each time. */
  saveConversation(
    ref: Omit<TeamsConversationRecord, 'id' | 'updatedAt'>,
    now: Date,
  ): Promise<TeamsConversationRecord>;
  conversation(orgId: string, conversationId: string): Promise<TeamsConversationRecord | null>;
  /** The 1:1 chat with this member (the latest), if any. */
  personalFor(orgId: string, memberId: string): Promise<TeamsConversationRecord | null>;
  personalForAll(orgId: string): Promise<TeamsConversationRecord[]>;
}

/** A web sign-in link or session as stored (by the hash of its secret, never the secret). */
export interface WebTokenRecord {
  orgId: string;
  memberId: string;
  /** Sessions: the token every form must carry (CSRF). */
  csrf: string | null;
  /** Sign-in links: the page to open after signing in. */
  returnTo: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** The web app's sign-in links and sessions (src/app/web.ts). */
export interface WebTokenRepo {
  putSignIn(hash: string, r: WebTokenRecord): Promise<void>;
  /**
   * Uses a sign-in link once: a unique insert claims it, so of two clicks in any process only one
   * gets the record; null when the link is unknown or was used already.
   */
  useSignIn(hash: string, now: Date): Promise<WebTokenRecord | null>;
  putSession(hash: string, r: WebTokenRecord): Promise<void>;
  session(hash: string): Promise<WebTokenRecord | null>;
  endSession(hash: string): Promise<void>;
  /** Ends every session of a member (removed from the org, or signed out everywhere). */
  endSessionsOf(orgId: string, memberId: string): Promise<number>;
  /** Housekeeping: removes links and sessions that expired before `before`; how many. */
  sweep(before: Date): Promise<number>;
}

export interface MeetingRepo {
  /** The latest version of a meeting, or null when it was never written. */
  get(orgId: string, meetingId: string): Promise<MeetingRecord | null>;
  /** Writes `m` as version `m.version` (the read version + 1); false when another writer got there first. */
  save(m: MeetingRecord, now: Date): Promise<boolean>;
  /** Adds minutes as version `r.version`; false when that version exists. */
  putMinutes(r: MinutesRecord): Promise<boolean>;
  /** Every version of a meeting's minutes, oldest first. */
  minutes(orgId: string, meetingId: string): Promise<MinutesRecord[]>;
  /** The latest minutes of every meeting of the org. */
  allMinutes(orgId: string): Promise<MinutesRecord[]>;
}

/** S&OE: weekly actuals, reported disruptions, alerts and their outcomes. */
export interface SoeRepo {
  /** Replaces the actuals of one ISO week (`YYYY-Www`). */
  putActuals(orgId: string, week: string, actuals: WeekActuals, now: Date): Promise<void>;
  /** The stored actuals of these weeks (weeks without any are left out). */
  actuals(orgId: string, weeks: string[]): Promise<Map<string, WeekActuals>>;
  addDisruption(d: DisruptionRecord): Promise<void>;
  disruptions(orgId: string): Promise<DisruptionRecord[]>;
  /** Raises each alert once: the ids of those raised now (one whose key was raised before is left out). */
  raise(alerts: AlertRecord[]): Promise<Set<string>>;
  alerts(orgId: string): Promise<AlertRecord[]>;
  alert(orgId: string, id: string): Promise<AlertRecord | null>;
  /** Records an alert's outcome once: false when it already has one. */
  settle(o: AlertOutcomeRecord): Promise<boolean>;
  outcomes(orgId: string): Promise<AlertOutcomeRecord[]>;
  /** Marks an alert escalated once: false when it was before. */
  markEscalated(orgId: string, alertId: string, now: Date): Promise<boolean>;
  escalated(orgId: string): Promise<Set<string>>;
}

/** One week's actuals: per family and per resource. */
export interface WeekActuals {
  families: Record<string, { orders?: number; shipments?: number; onHand?: number }>;
  resources: Record<string, { produced?: number }>;
}

export interface Deps {
  clock: Clock;
  orgs: OrgRepo;
  members: MemberRepo;
  cycles: CycleRepo;
  requests: InputRequestRepo;
  submissions: SubmissionRepo;
  outbox: Outbox;
  audit: AuditLog;
  datasets: DatasetRepo;
  packs: PackRepo;
  packBuilds: PackBuildRepo;
  ballots: BallotRepo;
  decisions: DecisionRepo;
  actions: ActionRepo;
  attendance: AttendanceRepo;
  meetings: MeetingRepo;
  soe: SoeRepo;
  installations: InstallationRepo;
  forecasts: ForecastCacheRepo;
  /** LP solves, forecasts and Monte Carlo samples, on worker threads (src/app/planPool.ts). */
  compute: PlanCompute;
  solver: LpSolver;
  links: Links;
  copy: Copy;
  documents: DocumentRenderer;
  /** The minutes of a meeting as Markdown (src/render/minutes.ts). */
  minutesMarkdown: (
    m: import('../domain/minutes.js').Minutes,
    opts: { orgName: string; version: number },
  ) => string;
  teams: TeamsRepo;
  web: WebTokenRepo;
}
