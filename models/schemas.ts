/** Mongoose schemas. Every document carries its tenant (`orgId`) and every index leads with it. */
import { Schema, type Connection } from 'mongoose';

const opts = { versionKey: false as const, minimize: false };

const calendarSchema = new Schema(
  {
    openTime: String,
    dueTime: String,
    steps: [{ _id: false, key: String, startDay: Number, endDay: Number }],
  },
  { _id: false },
);

export const orgSchema = new Schema(
  {
    name: { type: String, required: true },
    timezone: { type: String, required: true },
    horizonMonths: { type: Number, required: true },
    holidays: [String],
    weekend: [Number],
    calendar: calendarSchema,
    functions: [String],
    reminderPolicy: { type: Schema.Types.Mixed, required: true },
    votingRules: { type: Schema.Types.Mixed, default: null },
    /** Each meeting's slot setting by step (src/domain/meetingTime.ts); unset: the defaults. */
    meetings: { type: Schema.Types.Mixed, default: null },
    apiTokens: [{ _id: false, hash: String, prefix: String, createdAt: Date }],
    /** Signs the org's links with the server secret; replaced to end them all (never returned by the API). */
    linkKey: { type: String },
    createdAt: { type: Date, required: true },
  },
  opts,
);
orgSchema.index({ 'apiTokens.hash': 1 });

export const memberSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    email: { type: String, required: true },
    timezone: { type: String, required: true },
    roles: [String],
    functions: [String],
    quietHours: { _id: false, start: String, end: String },
    delegation: { type: { _id: false, of: String, authority: Boolean }, default: null },
    slackUserId: { type: String, default: null },
    teamsUserId: { type: String, default: null },
    /** Where someone linked on both Slack and Teams gets their messages (null: Slack). */
    preferredChat: { type: String, default: null },
    // Single-field keys so that uniqueness holds on MongoDB and FerretDB alike (a sparse compound
    // index would still index `{orgId, null}` on MongoDB).
    emailKey: { type: String, required: true },
    slackKey: { type: String },
    teamsKey: { type: String },
    createdAt: { type: Date, required: true },
  },
  opts,
);
memberSchema.index({ emailKey: 1 }, { unique: true });
memberSchema.index({ slackKey: 1 }, { unique: true, sparse: true });
memberSchema.index({ teamsKey: 1 }, { unique: true, sparse: true });
memberSchema.index({ orgId: 1, _id: 1 });

const changeSchema = new Schema(
  { from: Date, to: Date, reason: String, by: String, at: Date, kind: String },
  { _id: false },
);

const stepSchema = new Schema(
  {
    key: String,
    opensAt: Date,
    dueAt: Date,
    status: String,
    openedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    closedReason: { type: String, default: null },
    round: Number,
    changes: [changeSchema],
  },
  { _id: false },
);

export const cycleSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    month: { type: String, required: true },
    status: { type: String, required: true },
    steps: [stepSchema],
    version: { type: Number, required: true },
    escalated: [String],
    createdAt: { type: Date, required: true },
  },
  opts,
);
cycleSchema.index({ orgId: 1, month: 1 }, { unique: true });
cycleSchema.index({ status: 1 });

/** Every version of a cycle's state, append-only; `_id` is `cycleId:version` (see cycleRepo). */
export const cycleStateSchema = new Schema(
  {
    _id: { type: String },
    orgId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    steps: [stepSchema],
    escalated: [String],
    at: { type: Date, required: true },
  },
  opts,
);

export const inputRequestSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    step: String,
    kind: String,
    function: { type: String, default: null },
    owners: [String],
    latestVersion: { type: Number, default: 0 },
    lastSubmittedAt: { type: Date, default: null },
    reminded: [String],
    excused: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
  },
  opts,
);
inputRequestSchema.index({ orgId: 1, cycleId: 1, key: 1 }, { unique: true });
inputRequestSchema.index({ cycleId: 1 });

export const submissionSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    requestId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    authorId: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
  },
  opts,
);
submissionSchema.index({ orgId: 1, requestId: 1, version: 1 }, { unique: true });

export const outboxSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    kind: { type: String, required: true },
    cycleId: { type: Schema.Types.ObjectId, default: null },
    recipient: { _id: false, memberId: String, name: String },
    channel: { type: String, default: null },
    thread: { type: String, default: null },
    card: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    notBefore: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    delivery: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
  },
  opts,
);
outboxSchema.index({ orgId: 1, key: 1 }, { unique: true });

/** One document per delivery attempt of an outbox message (`_id` = `messageId:attempt`). */
export const outboxClaimSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  opts,
);
outboxSchema.index({ status: 1, notBefore: 1 });

export const auditSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { _id: false, type: { type: String }, id: String },
    action: { type: String, required: true },
    entity: { _id: false, type: { type: String }, id: String },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  opts,
);
auditSchema.index({ orgId: 1, seq: 1 }, { unique: true });

/** The latest audit event of each org (`_id` = orgId): appends read it by _id instead of sorting the log. */
export const auditHeadSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
  },
  opts,
);

/** A dataset version (or an upload being staged: `status: 'staging'`, no version yet). */
export const datasetSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true },
    version: { type: Number, default: null },
    // `orgId:version`, set on commit: a single-field unique key (see DEVELOPERS.md).
    versionKey: { type: String },
    tables: { type: Schema.Types.Mixed, default: {} },
    warnings: [String],
    createdBy: { _id: false, type: { type: String }, id: String },
    createdAt: { type: Date, required: true },
  },
  opts,
);
datasetSchema.index({ versionKey: 1 }, { unique: true, sparse: true });
datasetSchema.index({ orgId: 1, status: 1 });

/**
 * Rows of one table of one upload, a chunk at a time (rows are objects: no nested arrays);
 * `_id` = `datasetId:table:seq`, read by _id alone (older versions' chunks have ObjectIds).
 */
export const datasetChunkSchema = new Schema(
  {
    _id: { type: String },
    orgId: { type: Schema.Types.ObjectId, required: true },
    datasetId: { type: Schema.Types.ObjectId, required: true },
    table: { type: String, required: true },
    seq: { type: Number, required: true },
    /** The rows as JSON text (chunks stored before it was kept this way hold `rows`). */
    data: { type: String },
    rows: { type: [Schema.Types.Mixed], default: undefined },
  },
  opts,
);
datasetChunkSchema.index({ datasetId: 1, table: 1, seq: 1 }, { unique: true });

/**
 * Pre-S&OP packs: immutable versions, `_id` = `cycleId:version` (unique by construction, and the
 * only filter FerretDB pushes down). The content is JSON text: it holds arrays of arrays, which
 * FerretDB cannot store as documents, and it is only ever read whole.
 */
export const packSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    datasetVersion: { type: Number, required: true },
    content: { type: String, required: true },
    createdBy: { _id: false, type: { type: String }, id: String },
    createdAt: { type: Date, required: true },
  },
  opts,
);
packSchema.index({ orgId: 1, cycleId: 1, version: 1 });

/** A pack's detail (per family, per resource, the model for what-ifs), `_id` = `packId:kind:seq`. */
export const packChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    data: { type: String, required: true },
    createdAt: { type: Date },
  },
  opts,
);

/**
 * An org's cached forecasts (src/app/forecasts.ts), as JSON text in pieces read by _id
 * (`orgId:piece`); piece 0 also says how many pieces the generation has.
 */
export const forecastPieceSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    generation: { type: String, required: true },
    pieces: { type: Number },
    data: { type: String, required: true },
    createdAt: { type: Date },
  },
  opts,
);

/**
 * A request to build a cycle's pack and share it, `_id` = `cycleId:r<round>` (one per opening of
 * pre-S&OP, whoever asks twice). The pack build job reads the pending ones across orgs.
 */
export const packBuildSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    round: { type: Number, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    notBefore: { type: Date, required: true },
    outcome: { type: String, default: null },
    lastError: { type: String, default: null },
    requestedAt: { type: Date, required: true },
    settledAt: { type: Date, default: null },
  },
  opts,
);
packBuildSchema.index({ status: 1, notBefore: 1 });

/** One document per attempt of a pack build (`_id` = `buildId:attempt`), kept alive by its worker. */
export const packBuildClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    aliveAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
  },
  opts,
);

/** Executive S&OP ballots. Options and rules are small objects; votes live in their own collection. */
export const ballotSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    options: [{ _id: false, key: String, label: String, meaning: String }],
    rules: { type: Schema.Types.Mixed, required: true },
    source: { type: Schema.Types.Mixed, default: null },
    deadline: { type: Date, required: true },
    status: { type: String, required: true },
    createdBy: { _id: false, type: { type: String }, id: String },
    createdAt: { type: Date, required: true },
    meeting: { type: Schema.Types.Mixed, default: null },
  },
  opts,
);
ballotSchema.index({ status: 1 });
ballotSchema.index({ orgId: 1, cycleId: 1 });

/** One vote per voter per ballot: `_id` = `ballotId:voterId` (unique by construction). */
export const voteSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    ballotId: { type: String, required: true },
    voterId: { type: String, required: true },
    castBy: { type: String, required: true },
    option: { type: String, required: true },
    reason: { type: String, default: null },
    at: { type: Date, required: true },
  },
  opts,
);
voteSchema.index({ orgId: 1, ballotId: 1 });

/** The decision register: `_id` = the ballot's id (one decision per ballot). The tally is JSON text. */
export const decisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true },
  },
  opts,
);
decisionSchema.index({ orgId: 1 });

export const actionSchema = new Schema(
  {
    orgId: { type: Schema.Types.ObjectId, required: true },
    decisionId: { type: String, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    ownerId: { type: String, required: true },
    dueDate: { type: String, required: true },
    description: { type: String, required: true },
    status: { type: String, required: true },
    history: [
      {
        _id: false,
        status: String,
        note: String,
        by: { _id: false, type: { type: String }, id: String },
        at: Date,
      },
    ],
    createdAt: { type: Date, required: true },
    doneAt: { type: Date, default: null },
    reminded: [String],
  },
  opts,
);
actionSchema.index({ orgId: 1, ownerId: 1 });
actionSchema.index({ status: 1 });

/** Who was at a meeting: `_id` = `meetingId:memberId`. */
export const attendanceSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    meetingId: { type: String, required: true },
    memberId: { type: String, required: true },
    status: { type: String, required: true },
    delegateId: { type: String, default: null },
    recordedBy: { _id: false, type: { type: String }, id: String },
    at: { type: Date, required: true },
    late: { type: Boolean, default: false },
  },
  opts,
);
attendanceSchema.index({ orgId: 1, meetingId: 1 });

/**
 * A meeting's versions: `_id` = `meetingId:version`, each immutable (a unique insert is the only
 * compare-and-set FerretDB makes atomic). The state is JSON text: agenda items carry arrays of
 * objects and user text, and the state is only ever read whole.
 */
export const meetingStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    meetingId: { type: String, required: true },
    version: { type: Number, required: true },
    state: { type: String, required: true },
    at: { type: Date, required: true },
  },
  opts,
);

/** The latest version of each meeting (`_id` = meetingId), moved forward after each write; readers walk on by `_id`. */
export const meetingHeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
  },
  opts,
);

/** Minutes, one document per version: `_id` = `meetingId:version`; the minutes themselves as JSON text. */
export const minutesSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    cycleId: { type: Schema.Types.ObjectId, required: true },
    meetingId: { type: String, required: true },
    version: { type: Number, required: true },
    body: { type: String, required: true },
    markdown: { type: String, required: true },
    searchText: { type: String, required: true },
    createdBy: { _id: false, type: { type: String }, id: String },
    createdAt: { type: Date, required: true },
    note: { type: String, default: '' },
  },
  opts,
);
minutesSchema.index({ orgId: 1 });

/** S&OE actuals, one document per org and ISO week (`orgId:week`); the week's rows as JSON text. */
export const actualsSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    week: { type: String, required: true },
    body: { type: String, required: true },
    at: { type: Date, required: true },
  },
  opts,
);

/** Reported disruptions (`_id` = their id), and alerts and their outcomes, each as JSON text. */
export const soeDocSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true },
  },
  opts,
);
soeDocSchema.index({ orgId: 1 });

/**
 * A chat workspace's installation: `_id` = `slack:{enterprise or -}:{team}`. Its bot token and the
 * platform's installation object are sealed together in `secret` (AES-256-GCM, src/app/sealing.ts);
 * records from before encryption carry them in clear (`botToken`, `data`) until the start seals them.
 */
export const installationSchema = new Schema(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    teamId: { type: String, default: null },
    enterpriseId: { type: String, default: null },
    teamName: { type: String, default: '' },
    orgId: { type: String, default: null },
    botUserId: { type: String, default: '' },
    /** `enc:v1:<keyId>:...` of `{botToken, data}`. */
    secret: { type: String },
    /** The id of the key that sealed `secret`. */
    keyId: { type: String },
    installedAt: { type: Date, required: true },
  },
  opts,
);
installationSchema.index({ orgId: 1 });

/** A Microsoft 365 tenant that installed Accord: `_id` = the tenant id (one org per tenant). */
export const teamsTenantSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    sopConversationId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  opts,
);
teamsTenantSchema.index({ orgId: 1 });

/**
 * A Teams conversation Accord can post into: `_id` = `orgId:conversationId` (unique by
 * construction, and read by _id, the filter FerretDB pushes down).
 */
export const teamsConversationSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    tenantId: { type: String, required: true },
    kind: { type: String, required: true },
    conversationId: { type: String, required: true },
    serviceUrl: { type: String, required: true },
    teamsUserId: { type: String, default: null },
    aadObjectId: { type: String, default: null },
    memberId: { type: String, default: null },
    teamId: { type: String, default: null },
    name: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  opts,
);
teamsConversationSchema.index({ orgId: 1, conversationId: 1 }, { unique: true });
teamsConversationSchema.index({ orgId: 1, kind: 1, memberId: 1 });

/**
 * The web app's sign-in links and sessions, kept by the SHA-256 of their secret (`_id` =
 * `signin:<hash>` / `session:<hash>`; `used:<hash>` is the one-time claim of a sign-in link, a unique
 * insert). Never the secret itself. Expiry is checked in code and swept by housekeeping (FerretDB
 * has no TTL indexes).
 */
export const webTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    orgId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: String, required: true },
    csrf: { type: String, default: null },
    returnTo: { type: String, default: null },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  opts,
);
webTokenSchema.index({ expiresAt: 1 });

export function registerModels(conn: Connection) {
  return {
    Org: conn.model('Org', orgSchema, 'orgs'),
    Member: conn.model('Member', memberSchema, 'members'),
    Cycle: conn.model('Cycle', cycleSchema, 'cycles'),
    CycleState: conn.model('CycleState', cycleStateSchema, 'cycleStates'),
    InputRequest: conn.model('InputRequest', inputRequestSchema, 'inputRequests'),
    Submission: conn.model('Submission', submissionSchema, 'submissions'),
    OutboxMessage: conn.model('OutboxMessage', outboxSchema, 'outbox'),
    OutboxClaim: conn.model('OutboxClaim', outboxClaimSchema, 'outboxClaims'),
    AuditEvent: conn.model('AuditEvent', auditSchema, 'auditEvents'),
    AuditHead: conn.model('AuditHead', auditHeadSchema, 'auditHeads'),
    Dataset: conn.model('Dataset', datasetSchema, 'datasets'),
    DatasetChunk: conn.model('DatasetChunk', datasetChunkSchema, 'datasetChunks'),
    Pack: conn.model('Pack', packSchema, 'packs'),
    PackChunk: conn.model('PackChunk', packChunkSchema, 'packChunks'),
    ForecastPiece: conn.model('ForecastPiece', forecastPieceSchema, 'forecastCache'),
    PackBuild: conn.model('PackBuild', packBuildSchema, 'packBuilds'),
    PackBuildClaim: conn.model('PackBuildClaim', packBuildClaimSchema, 'packBuildClaims'),
    Ballot: conn.model('Ballot', ballotSchema, 'ballots'),
    Vote: conn.model('Vote', voteSchema, 'votes'),
    Decision: conn.model('Decision', decisionSchema, 'decisions'),
    Action: conn.model('Action', actionSchema, 'actions'),
    Attendance: conn.model('Attendance', attendanceSchema, 'attendance'),
    MeetingState: conn.model('MeetingState', meetingStateSchema, 'meetingStates'),
    MeetingHead: conn.model('MeetingHead', meetingHeadSchema, 'meetingHeads'),
    Minutes: conn.model('Minutes', minutesSchema, 'minutes'),
    Actuals: conn.model('Actuals', actualsSchema, 'actuals'),
    Disruption: conn.model('Disruption', soeDocSchema, 'disruptions'),
    Alert: conn.model('Alert', soeDocSchema, 'soeAlerts'),
    AlertOutcome: conn.model('AlertOutcome', soeDocSchema, 'soeOutcomes'),
    AlertEscalation: conn.model('AlertEscalation', soeDocSchema, 'soeEscalations'),
    Installation: conn.model('Installation', installationSchema, 'installations'),
    TeamsTenant: conn.model('TeamsTenant', teamsTenantSchema, 'teamsTenants'),
    TeamsConversation: conn.model('TeamsConversation', teamsConversationSchema, 'teamsConversations'),
    WebToken: conn.model('WebToken', webTokenSchema, 'webTokens'),
  };
}

export type Models = ReturnType<typeof registerModels>;

/** Builds every index (unique indexes are what make writes idempotent, so they must exist first). */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch(() => undefined);
    await model.createIndexes();
  }
}
