/** MongoDB implementations of the app ports. Every query filters by `orgId`. */
import { createHash, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type {
  DatasetRepo,
  NewMember,
  AuditLog,
  CycleRepo,
  InputRequestRepo,
  MemberRepo,
  OrgRepo,
  Outbox,
  PackBuildRepo,
  PackRepo,
  SubmissionRepo,
  BallotRepo,
  DecisionRepo,
  ActionRepo,
  AttendanceRepo,
  MeetingRepo,
  SoeRepo,
  WeekActuals,
  WebTokenRecord,
  WebTokenRepo,
  InstallationRepo,
  TeamsRepo,
  ForecastCacheRepo,
} from '../src/app/ports.js';
import type { CachedForecast } from '../src/domain/forecast/pooled.js';
import type {
  AuditRecord,
  DatasetRecord,
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
  MeetingRecord,
  MinutesRecord,
  AlertRecord,
  AlertOutcomeRecord,
  DisruptionRecord,
  InstallationRecord,
  TeamsConversationRecord,
  TeamsTenantRecord,
} from '../src/app/records.js';
import type { Models } from './schemas.js';
import { oid, pageBy } from './pagination.js';
import { isDuplicateKeyError as isDuplicateKey } from '../src/app/errors.js';
import { DEFAULT_RULES } from '../src/domain/voting.js';
import { newLinkKey } from '../src/app/links.js';
import { isSealed, open, seal, sealedWith, SealError, type Keyring } from '../src/app/sealing.js';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
 * lean documents are untyped; each mapper below turns one into a typed record, field by field. */
type Doc = Record<string, any>;

const idOf = (d: Doc): string => String(d['_id']);
const afterFilter = (after: Types.ObjectId | null) => (after ? { _id: { $gt: after } } : {});

function toOrg(d: Doc): OrgRecord {
  return {
    id: idOf(d),
    name: d['name'],
    timezone: d['timezone'],
    horizonMonths: d['horizonMonths'],
    holidays: [...(d['holidays'] ?? [])],
    weekend: [...(d['weekend'] ?? [])],
    calendar: {
      openTime: d['calendar'].openTime,
      dueTime: d['calendar'].dueTime,
      steps: d['calendar'].steps.map((s: Doc) => ({
        key: s['key'],
        startDay: s['startDay'],
        endDay: s['endDay'],
      })),
    },
    functions: [...(d['functions'] ?? [])],
    reminderPolicy: d['reminderPolicy'],
    votingRules: { ...DEFAULT_RULES, ...(d['votingRules'] ?? {}) },
    ...(d['meetings'] ? { meetings: d['meetings'] } : {}),
    createdAt: d['createdAt'],
  };
}

export function orgRepo(m: Models): OrgRepo {
  return {
    async insert(org, tokenHash, tokenPrefix, now) {
      const doc = await m.Org.create({
        ...org,
        apiTokens: [{ hash: tokenHash, prefix: tokenPrefix, createdAt: now }],
        linkKey: newLinkKey(),
        createdAt: now,
      });
      return toOrg(doc.toObject());
    },
    async get(id) {
      const _id = oid(id);
      const d = _id ? await m.Org.findById(_id).lean() : null;
      return d ? toOrg(d) : null;
    },
    async getMany(ids) {
      const _ids = ids.map(oid).filter((x): x is Types.ObjectId => x !== null);
      return (await m.Org.find({ _id: { $in: _ids } }).lean()).map(toOrg);
    },
    list(page) {
      return pageBy(page, async (after, limit) =>
        (await m.Org.find(afterFilter(after)).sort({ _id: 1 }).limit(limit).lean()).map(toOrg),
      );
    },
    async update(id, patch) {
      const _id = oid(id);
      if (!_id) return null;
      await m.Org.updateOne({ _id }, { $set: patch });
      return this.get(id);
    },
    async findIdByTokenHash(hash) {
      const d = await m.Org.findOne({ 'apiTokens.hash': hash }, { _id: 1 }).lean();
      return d ? idOf(d) : null;
    },
    async addToken(id, hash, prefix, now) {
      await m.Org.updateOne({ _id: oid(id) }, { $push: { apiTokens: { hash, prefix, createdAt: now } } });
    },
    async tokens(id) {
      const d = await m.Org.findById(oid(id), { apiTokens: 1 }).lean();
      return (d?.['apiTokens'] ?? []).map((t: Doc) => ({ prefix: t['prefix'], createdAt: t['createdAt'] }));
    },
    async revokeToken(id, prefix) {
      // FerretDB 1.24 has no $pull with a condition, so the remaining tokens are written back.
      const d = await m.Org.findById(oid(id), { apiTokens: 1 }).lean();
      const tokens = (d?.['apiTokens'] ?? []) as Doc[];
      const kept = tokens.filter((t) => t['prefix'] !== prefix);
      if (kept.length === tokens.length) return false;
      await m.Org.updateOne({ _id: oid(id) }, { $set: { apiTokens: kept } });
      return true;
    },
    async linkKey(id) {
      const _id = oid(id);
      if (!_id) return null;
      const d = await m.Org.findById(_id, { linkKey: 1 }).lean();
      if (!d) return null;
      if (d['linkKey']) return d['linkKey'];
      // An org from before link keys: give it one, unless another process just did (then read theirs).
      await m.Org.updateOne({ _id, linkKey: { $exists: false } }, { $set: { linkKey: newLinkKey() } });
      return ((await m.Org.findById(_id, { linkKey: 1 }).lean())?.['linkKey'] as string | undefined) ?? null;
    },
    async setLinkKey(id, key) {
      const _id = oid(id);
      if (!_id) return false;
      return (await m.Org.updateOne({ _id }, { $set: { linkKey: key } })).matchedCount === 1;
    },
    count() {
      return m.Org.countDocuments({});
    },
  };
}

function toMember(d: Doc): MemberRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    name: d['name'],
    email: d['email'],
    timezone: d['timezone'],
    roles: [...(d['roles'] ?? [])],
    functions: [...(d['functions'] ?? [])],
    quietHours: { start: d['quietHours'].start, end: d['quietHours'].end },
    delegation: d['delegation'] ? { of: d['delegation'].of, authority: !!d['delegation'].authority } : null,
    slackUserId: d['slackUserId'] ?? null,
    teamsUserId: d['teamsUserId'] ?? null,
    createdAt: d['createdAt'],
    ...(d['preferredChat'] ? { preferredChat: d['preferredChat'] } : {}),
  };
}

/** The unique keys of a member (see DEVELOPERS.md: single-field keys, correct on MongoDB and FerretDB). */
function memberKeys(member: NewMember) {
  return {
    emailKey: `${member.orgId}:${member.email.toLowerCase()}`,
    slackKey: member.slackUserId ? `${member.orgId}:${member.slackUserId}` : undefined,
    teamsKey: member.teamsUserId ? `${member.orgId}:${member.teamsUserId}` : undefined,
  };
}

export function memberRepo(m: Models): MemberRepo {
  return {
    async insert(member, now) {
      const keys = memberKeys(member);
      const doc = await m.Member.create({
        ...member,
        orgId: new Types.ObjectId(member.orgId),
        emailKey: keys.emailKey,
        ...(keys.slackKey ? { slackKey: keys.slackKey } : {}),
        ...(keys.teamsKey ? { teamsKey: keys.teamsKey } : {}),
        createdAt: now,
      });
      return toMember(doc.toObject());
    },
    async update(orgId, id, member) {
      const _id = oid(id);
      if (!_id) return null;
      const { orgId: _ignored, ...fields } = member;
      const keys = memberKeys(member);
      const unset: Record<string, ''> = {};
      if (!keys.slackKey) unset['slackKey'] = '';
      if (!keys.teamsKey) unset['teamsKey'] = '';
      // Filtered by `_id` alone (FerretDB uses an index only for exactly that), after checking the
      // org: a member's org never changes, so the check cannot go stale.
      const owner = await m.Member.findOne({ _id }, { orgId: 1 }).lean();
      if (!owner || String(owner['orgId']) !== orgId) return null;
      const res = await m.Member.collection.updateOne(
        { _id },
        {
          $set: {
            ...fields,
            emailKey: keys.emailKey,
            ...(keys.slackKey ? { slackKey: keys.slackKey } : {}),
            ...(keys.teamsKey ? { teamsKey: keys.teamsKey } : {}),
          },
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
      );
      return res.matchedCount ? this.get(orgId, id) : null;
    },
    async linkChatUser(orgId, id, platform, userId) {
      const _id = oid(id);
      if (!_id) return false;
      const owner = await m.Member.findOne({ _id }, { orgId: 1 }).lean();
      if (!owner || String(owner['orgId']) !== orgId) return false;
      const field = platform === 'slack' ? 'slackUserId' : 'teamsUserId';
      const key = platform === 'slack' ? 'slackKey' : 'teamsKey';
      try {
        await m.Member.collection.updateOne(
          { _id },
          { $set: { [field]: userId, [key]: `${orgId}:${userId}` } },
        );
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false; // another member of this org already has this chat id
        throw err;
      }
    },
    async get(orgId, id) {
      const _id = oid(id);
      // By `_id` alone (indexed on FerretDB too), then the org checked here.
      const d = _id ? await m.Member.findOne({ _id }).lean() : null;
      return d && String(d['orgId']) === orgId ? toMember(d) : null;
    },
    list(orgId, page) {
      return pageBy(page, async (after, limit) =>
        (
          await m.Member.find({ orgId: oid(orgId), ...afterFilter(after) })
            .sort({ _id: 1 })
            .limit(limit)
            .lean()
        ).map(toMember),
      );
    },
    async all(orgId) {
      return (
        await m.Member.find({ orgId: oid(orgId) })
          .sort({ _id: 1 })
          .lean()
      ).map(toMember);
    },
    async allOf(orgIds) {
      return (
        await m.Member.find({ orgId: { $in: orgIds.map(oid) } })
          .sort({ _id: 1 })
          .lean()
      ).map(toMember);
    },
  };
}

function toCycle(d: Doc): CycleRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    month: d['month'],
    status: d['status'],
    steps: d['steps'].map((s: Doc) => ({
      key: s['key'],
      opensAt: s['opensAt'],
      dueAt: s['dueAt'],
      status: s['status'],
      openedAt: s['openedAt'] ?? null,
      closedAt: s['closedAt'] ?? null,
      closedReason: s['closedReason'] ?? null,
      round: s['round'] ?? 0,
      changes: (s['changes'] ?? []).map((c: Doc) => ({
        from: c['from'],
        to: c['to'],
        reason: c['reason'],
        by: c['by'],
        at: c['at'],
        kind: c['kind'],
      })),
    })),
    version: d['version'],
    escalated: [...(d['escalated'] ?? [])],
    createdAt: d['createdAt'],
  };
}

/**
 * Cycles are versioned append-only: every state is an immutable `cycleStates` document whose _id is
 * `cycleId:version`, so exactly one writer can create each version (an insert on _id is atomic on
 * MongoDB and on FerretDB, whose conditional updates are not). The `cycles` document is a projection
 * of the latest state for listing; a reader that finds it behind walks forward by _id.
 */
export function cycleRepo(m: Models): CycleRepo {
  const stateId = (cycleId: string, version: number) => `${cycleId}:${version}`;
  const stateOf = (c: Pick<CycleRecord, 'status' | 'steps' | 'escalated'>) => ({
    status: c.status,
    steps: c.steps,
    escalated: c.escalated,
  });

  async function latest(d: Doc): Promise<CycleRecord> {
    let cycle = toCycle(d);
    for (;;) {
      const next = await m.CycleState.findById(stateId(cycle.id, cycle.version + 1)).lean();
      if (!next) return cycle;
      cycle = toCycle({ ...d, ...next, _id: d['_id'], version: cycle.version + 1 });
    }
  }

  return {
    async insert(cycle, now) {
      const doc = await m.Cycle.create({
        ...cycle,
        orgId: new Types.ObjectId(cycle.orgId),
        version: 1,
        createdAt: now,
      });
      const record = toCycle(doc.toObject());
      await m.CycleState.create({
        _id: stateId(record.id, 1),
        orgId: doc.orgId,
        ...stateOf(record),
        at: now,
      });
      return record;
    },
    async get(orgId, id) {
      const _id = oid(id);
      // By `_id` alone (FerretDB's only indexed filter), then the org checked here.
      const d = _id ? await m.Cycle.findOne({ _id }).lean() : null;
      return d && String(d['orgId']) === orgId ? latest(d) : null;
    },
    list(orgId, page) {
      return pageBy(page, async (after, limit) => {
        const docs = await m.Cycle.find({ orgId: oid(orgId), ...afterFilter(after) })
          .sort({ _id: 1 })
          .limit(limit)
          .lean();
        return Promise.all(docs.map(latest));
      });
    },
    async save(cycle) {
      const version = cycle.version + 1;
      try {
        await m.CycleState.create({
          _id: stateId(cycle.id, version),
          orgId: new Types.ObjectId(cycle.orgId),
          ...stateOf(cycle),
          at: new Date(),
        });
      } catch (err) {
        if (isDuplicateKey(err)) return false; // someone else wrote this version first
        throw err;
      }
      await m.Cycle.updateOne(
        { _id: oid(cycle.id), orgId: oid(cycle.orgId), version: { $lt: version } },
        { $set: { ...stateOf(cycle), version } },
      );
      return true;
    },
    async unfinished() {
      const docs = await m.Cycle.find({ status: { $in: ['planned', 'active'] } })
        .sort({ _id: 1 })
        .lean();
      return Promise.all(docs.map(latest));
    },
  };
}

function toRequest(d: Doc): InputRequestRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    key: d['key'],
    step: d['step'],
    kind: d['kind'],
    function: d['function'] ?? null,
    owners: [...(d['owners'] ?? [])],
    latestVersion: d['latestVersion'] ?? 0,
    lastSubmittedAt: d['lastSubmittedAt'] ?? null,
    reminded: [...(d['reminded'] ?? [])],
    excused: d['excused'] ?? null,
    createdAt: d['createdAt'],
  };
}

export function inputRequestRepo(m: Models): InputRequestRepo {
  return {
    async sync(wanted, existing, now) {
      // Inserts for new keys and _id updates for changed owners only: no query beyond the caller's.
      const byKey = new Map(existing.map((r) => [r.key, r]));
      const fresh = wanted.filter((r) => !byKey.has(r.key));
      const result = new Map(byKey);
      if (fresh.length) {
        try {
          const docs = await m.InputRequest.insertMany(
            fresh.map((r) => ({
              ...r,
              orgId: new Types.ObjectId(r.orgId),
              cycleId: new Types.ObjectId(r.cycleId),
              latestVersion: 0,
              lastSubmittedAt: null,
              reminded: [],
              excused: null,
              createdAt: now,
            })),
            { ordered: false },
          );
          for (const d of docs) result.set(d.key, toRequest(d.toObject()));
        } catch (err) {
          // Another writer created some of them first: the unique index kept theirs; read the truth.
          const errors = (err as { writeErrors?: unknown[] }).writeErrors ?? [err];
          if (!errors.every((e) => isDuplicateKey((e as { err?: unknown }).err ?? e))) throw err;
          const first = wanted[0]!;
          return this.sync(wanted, await this.forCycle(first.orgId, first.cycleId), now);
        }
      }
      for (const r of wanted) {
        const row = byKey.get(r.key);
        if (row && JSON.stringify(row.owners) !== JSON.stringify(r.owners)) {
          await m.InputRequest.updateOne({ _id: oid(row.id) }, { $set: { owners: r.owners } });
          result.set(r.key, { ...row, owners: r.owners });
        }
      }
      return [...result.values()];
    },
    async forCycle(orgId, cycleId) {
      return (
        await m.InputRequest.find({ orgId: oid(orgId), cycleId: oid(cycleId) })
          .sort({ _id: 1 })
          .lean()
      ).map(toRequest);
    },
    async get(orgId, id) {
      const _id = oid(id);
      const d = _id ? await m.InputRequest.findOne({ _id }).lean() : null;
      return d && String(d['orgId']) === orgId ? toRequest(d) : null;
    },
    async forCycles(cycleIds) {
      return (
        await m.InputRequest.find({ cycleId: { $in: cycleIds.map(oid) } })
          .sort({ _id: 1 })
          .lean()
      ).map(toRequest);
    },
    async markReminded(orgId, id, marks) {
      await m.InputRequest.updateOne(
        { _id: oid(id), orgId: oid(orgId) },
        { $addToSet: { reminded: { $each: marks } } },
      );
    },
    async excuse(orgId, id, excused) {
      await m.InputRequest.updateOne({ _id: oid(id), orgId: oid(orgId) }, { $set: { excused } });
    },
    async markSubmitted(orgId, id, version, at) {
      await m.InputRequest.updateOne(
        { _id: oid(id), orgId: oid(orgId), latestVersion: { $lt: version } },
        { $set: { latestVersion: version, lastSubmittedAt: at } },
      );
    },
  };
}

function toSubmission(d: Doc): SubmissionRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    requestId: String(d['requestId']),
    version: d['version'],
    authorId: d['authorId'],
    payload: d['payload'],
    createdAt: d['createdAt'],
  };
}

export function submissionRepo(m: Models): SubmissionRepo {
  return {
    async append(s, now) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const last = await m.Submission.findOne({ orgId: oid(s.orgId), requestId: oid(s.requestId) })
          .sort({ version: -1 })
          .lean();
        const version = (last?.['version'] ?? 0) + 1;
        try {
          const doc = await m.Submission.create({
            ...s,
            orgId: new Types.ObjectId(s.orgId),
            cycleId: new Types.ObjectId(s.cycleId),
            requestId: new Types.ObjectId(s.requestId),
            version,
            createdAt: now,
          });
          return toSubmission(doc.toObject());
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      throw new Error('could not append a submission version after 20 attempts');
    },
    async latestVersions(orgId, cycleId) {
      const rows = await m.Submission.find(
        { orgId: oid(orgId), cycleId: oid(cycleId) },
        { requestId: 1, version: 1 },
      ).lean();
      const out = new Map<string, number>();
      for (const r of rows) {
        const id = String(r['requestId']);
        out.set(id, Math.max(out.get(id) ?? 0, r['version']));
      }
      return out;
    },
    async list(orgId, requestId) {
      return (
        await m.Submission.find({ orgId: oid(orgId), requestId: oid(requestId) })
          .sort({ version: 1 })
          .lean()
      ).map(toSubmission);
    },
  };
}

function toOutbox(d: Doc): OutboxRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    key: d['key'],
    kind: d['kind'],
    cycleId: d['cycleId'] ? String(d['cycleId']) : null,
    recipient: { memberId: d['recipient'].memberId, name: d['recipient'].name },
    ...(d['channel'] ? { channel: String(d['channel']) } : {}),
    ...(d['thread'] ? { thread: String(d['thread']) } : {}),
    card: d['card'],
    status: d['status'],
    notBefore: d['notBefore'],
    attempts: d['attempts'] ?? 0,
    ...(d['lastError'] ? { lastError: String(d['lastError']) } : {}),
    ...(d['delivery'] ? { delivery: d['delivery'] } : {}),
    createdAt: d['createdAt'],
  };
}

export function outboxRepo(m: Models): Outbox {
  return {
    async enqueue(messages, now) {
      let added = 0;
      for (const msg of messages) {
        try {
          await m.OutboxMessage.create({
            ...msg,
            orgId: new Types.ObjectId(msg.orgId),
            cycleId: msg.cycleId ? new Types.ObjectId(msg.cycleId) : null,
            status: 'pending',
            attempts: 0,
            createdAt: now,
          });
          added++;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      }
      return added;
    },
    async due(now, limit) {
      return (
        await m.OutboxMessage.find({ status: 'pending', notBefore: { $lte: now } })
          .sort({ notBefore: 1 })
          .limit(limit)
          .lean()
      ).map(toOutbox);
    },
    async withdraw(orgId, keys, why) {
      if (!keys.length) return 0;
      const r = await m.OutboxMessage.updateMany(
        { orgId: oid(orgId), key: { $in: keys }, status: 'pending' },
        { $set: { status: 'withdrawn', lastError: why } },
      );
      return r.modifiedCount;
    },
    async byKey(orgId, key) {
      const d = await m.OutboxMessage.findOne({ orgId: oid(orgId), key }).lean();
      return d ? toOutbox(d) : null;
    },
    async claim(id, attempt, now) {
      try {
        await m.OutboxClaim.collection.insertOne({ _id: `${id}:${attempt}`, at: now } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async claimedAt(id, attempt) {
      const d = await m.OutboxClaim.findOne({ _id: `${id}:${attempt}` }).lean();
      return d ? d['at'] : null;
    },
    async settle(id, outcome) {
      await m.OutboxMessage.updateOne({ _id: oid(id) }, { $set: outcome });
    },
    list(orgId, filter, page) {
      const q: Doc = { orgId: oid(orgId) };
      if (filter.status) q['status'] = filter.status;
      if (filter.kind) q['kind'] = filter.kind;
      if (filter.memberId) q['recipient.memberId'] = filter.memberId;
      if (filter.cycleId) q['cycleId'] = oid(filter.cycleId);
      return pageBy(page, async (after, limit) =>
        (
          await m.OutboxMessage.find({ ...q, ...afterFilter(after) })
            .sort({ _id: 1 })
            .limit(limit)
            .lean()
        ).map(toOutbox),
      );
    },
  };
}

/** Canonical JSON: keys sorted, dates as ISO strings, so a hash never depends on field order. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export const GENESIS_HASH = '0'.repeat(64);

function toAudit(d: Doc): AuditRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    seq: d['seq'],
    at: d['at'],
    actor: { type: d['actor'].type, id: d['actor'].id },
    action: d['action'],
    entity: { type: d['entity'].type, id: d['entity'].id },
    before: d['before'] ?? null,
    after: d['after'] ?? null,
    prevHash: d['prevHash'],
    hash: d['hash'],
  };
}

export function auditHash(e: Omit<AuditRecord, 'id' | 'hash'>): string {
  const body = canonical({ ...e, at: e.at });
  return createHash('sha256').update(`${e.prevHash}\n${body}`).digest('hex');
}

export function auditLog(m: Models): AuditLog {
  return {
    async append(orgId, event, now) {
      // Each event names the previous one's hash. The head document (read by _id) says which event
      // is last; the unique (orgId, seq) index settles two writers that read the same head: the
      // loser re-reads the log's true end and tries again. A head left behind by a crash between the
      // insert and the head update is repaired the same way.
      const orgOid = new Types.ObjectId(orgId);
      const stored = await m.AuditHead.findById(orgOid).lean();
      let head: { seq: number; hash: string } | null = stored ? { seq: stored.seq, hash: stored.hash } : null;
      for (let attempt = 0; attempt < 50; attempt++) {
        const base = {
          orgId,
          seq: (head?.seq ?? 0) + 1,
          at: now,
          actor: event.actor,
          action: event.action,
          entity: event.entity,
          before: JSON.parse(JSON.stringify(event.before ?? null)) as unknown,
          after: JSON.parse(JSON.stringify(event.after ?? null)) as unknown,
          prevHash: head?.hash ?? GENESIS_HASH,
        };
        const hash = auditHash(base);
        try {
          const doc = await m.AuditEvent.create({ ...base, orgId: orgOid, hash });
          await m.AuditHead.updateOne(
            { _id: orgOid, seq: { $lt: base.seq } },
            { $set: { seq: base.seq, hash } },
            { upsert: true },
          ).catch((err: unknown) => {
            // A later event already moved the head past this one.
            if (!isDuplicateKey(err)) throw err;
          });
          return toAudit(doc.toObject());
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          const last = await m.AuditEvent.findOne({ orgId: orgOid }).sort({ seq: -1 }).lean();
          head = last ? { seq: last['seq'], hash: last['hash'] } : null;
        }
      }
      throw new Error('could not append an audit event after 50 attempts');
    },
    async verify(orgId) {
      const orgOid = new Types.ObjectId(orgId);
      let prev = GENESIS_HASH;
      let seq = 0;
      for (;;) {
        const page = await m.AuditEvent.find({ orgId: orgOid, seq: { $gt: seq } })
          .sort({ seq: 1 })
          .limit(1000)
          .lean();
        for (const d of page) {
          const e = toAudit(d);
          const at = { seq: e.seq, id: e.id };
          if (e.seq !== seq + 1)
            return { ok: false, events: seq, broken: { ...at, reason: `event ${seq + 1} is missing` } };
          if (e.prevHash !== prev)
            return {
              ok: false,
              events: seq,
              broken: { ...at, reason: 'does not link to the event before it' },
            };
          const { id: _id, hash, ...rest } = e;
          void _id;
          if (auditHash(rest) !== hash)
            return {
              ok: false,
              events: seq,
              broken: { ...at, reason: 'its content does not match its hash' },
            };
          prev = hash;
          seq = e.seq;
        }
        if (page.length < 1000) break;
      }
      const head = await m.AuditHead.findById(orgOid).lean();
      if (head && head.seq > seq)
        return {
          ok: false,
          events: seq,
          broken: { seq: seq + 1, id: '', reason: `events ${seq + 1}-${head.seq} are missing` },
        };
      return { ok: true, events: seq };
    },
    list(orgId, filter, page) {
      const q: Doc = { orgId: oid(orgId) };
      if (filter.entityId) q['entity.id'] = filter.entityId;
      if (filter.action) q['action'] = filter.action;
      return pageBy(page, async (after, limit) =>
        (
          await m.AuditEvent.find({ ...q, ...afterFilter(after) })
            .sort({ _id: 1 })
            .limit(limit)
            .lean()
        ).map(toAudit),
      );
    },
  };
}

function toDataset(d: Doc): DatasetRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    version: d['version'],
    tables: d['tables'] ?? {},
    warnings: [...(d['warnings'] ?? [])],
    createdBy: { type: d['createdBy']?.type, id: d['createdBy']?.id },
    createdAt: d['createdAt'],
  };
}

export function datasetRepo(m: Models): DatasetRepo {
  const ready = (orgId: string) => ({ orgId: oid(orgId), status: 'ready' });
  return {
    async createStaging(orgId, now) {
      const doc = await m.Dataset.create({
        orgId: new Types.ObjectId(orgId),
        status: 'staging',
        createdBy: { type: 'system', id: 'staging' },
        createdAt: now,
      });
      return idOf(doc.toObject());
    },
    async stageChunk(orgId, stagingId, table, seq, rows) {
      await m.DatasetChunk.collection.insertOne({
        _id: datasetChunkId(stagingId, table, seq) as unknown as Types.ObjectId,
        orgId: new Types.ObjectId(orgId),
        datasetId: new Types.ObjectId(stagingId),
        table,
        seq,
        // JSON text: FerretDB converts one string many times faster than 2,000 small documents.
        data: JSON.stringify(rows),
      });
    },
    async discard(orgId, stagingId, staged) {
      // By _id, the one filter FerretDB pushes down: a failed upload is cleaned up at once,
      // however large the collection. The sweep catches anything a crash left behind.
      for (let i = 0; i < staged.length; i += 16)
        await Promise.all(
          staged.slice(i, i + 16).map((c) =>
            m.DatasetChunk.collection.deleteOne({
              _id: datasetChunkId(stagingId, c.table, c.seq) as unknown as Types.ObjectId,
            }),
          ),
        );
      await m.Dataset.deleteOne({ _id: oid(stagingId), orgId: oid(orgId), status: 'staging' });
    },
    async sweepStaging(before) {
      const stale = await m.Dataset.find(
        { status: 'staging', createdAt: { $lt: before } },
        { _id: 1 },
      ).lean();
      let chunks = 0;
      for (const d of stale) {
        chunks += (await m.DatasetChunk.collection.deleteMany({ datasetId: d._id })).deletedCount;
        await m.Dataset.deleteOne({ _id: d._id, status: 'staging' });
      }
      // Chunks of an upload whose record is gone (a crash between the two deletes above).
      const known = new Set((await m.Dataset.find({}, { _id: 1 }).lean()).map((d) => String(d._id)));
      const owners = (await m.DatasetChunk.collection.distinct('datasetId')) as Types.ObjectId[];
      for (const owner of owners.filter((o) => !known.has(String(o))))
        chunks += (await m.DatasetChunk.collection.deleteMany({ datasetId: owner })).deletedCount;
      return { uploads: stale.length, chunks };
    },
    async commit(orgId, stagingId, meta, now) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const version = ((await this.latest(orgId))?.version ?? 0) + 1;
        try {
          await m.Dataset.updateOne(
            { _id: oid(stagingId) },
            {
              $set: {
                status: 'ready',
                version,
                versionKey: `${orgId}:${version}`,
                tables: meta.tables,
                warnings: meta.warnings,
                createdBy: meta.createdBy,
                createdAt: now,
              },
            },
          );
          const d = await m.Dataset.findById(oid(stagingId)).lean();
          return toDataset(d!);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // another upload took this version number: take the next
        }
      }
      throw new Error('could not number the dataset version after 20 attempts');
    },
    async latest(orgId) {
      const d = await m.Dataset.find(ready(orgId)).sort({ version: -1 }).limit(1).lean();
      return d[0] ? toDataset(d[0]) : null;
    },
    async byVersion(orgId, version) {
      const d = await m.Dataset.findOne({ versionKey: `${orgId}:${version}` }).lean();
      return d && String(d['orgId']) === orgId ? toDataset(d) : null;
    },
    list(orgId, page) {
      return pageBy(page, async (after, limit) =>
        (
          await m.Dataset.find({ ...ready(orgId), ...afterFilter(after) })
            .sort({ _id: 1 })
            .limit(limit)
            .lean()
        ).map(toDataset),
      );
    },
    async *rows(orgId, dataset, table) {
      const stored = dataset.tables[table as keyof DatasetRecord['tables']];
      const source = stored?.source;
      if (!source || !stored.rows) return;
      for (let seq = 0; ; seq++) {
        const chunk = await m.DatasetChunk.findById(datasetChunkId(source, table, seq)).lean();
        if (!chunk || String(chunk['orgId']) !== orgId) {
          // Versions stored before chunks had these ids are found by their fields.
          if (seq === 0) yield* legacyRows(m, orgId, source, table);
          return;
        }
        yield chunkRows(chunk);
      }
    },
  };
}

/** A chunk's rows: JSON text, or (chunks stored before) an array of documents. */
const chunkRows = (chunk: Doc): Record<string, unknown>[] =>
  typeof chunk['data'] === 'string'
    ? (JSON.parse(chunk['data']) as Record<string, unknown>[])
    : (chunk['rows'] as Record<string, unknown>[]);

/** A dataset chunk's id: `datasetId:table:seq` (read by _id, the filter FerretDB pushes down). */
const datasetChunkId = (datasetId: string, table: string, seq: number) => `${datasetId}:${table}:${seq}`;

async function* legacyRows(m: Models, orgId: string, source: string, table: string) {
  for (let seq = 0; ; seq++) {
    const chunk = await m.DatasetChunk.findOne({
      datasetId: oid(source),
      table,
      seq,
      orgId: oid(orgId),
    }).lean();
    if (!chunk) return;
    yield chunkRows(chunk);
  }
}

function toPack(d: Doc): PackRecord {
  return {
    id: String(d['_id']),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    version: d['version'],
    datasetVersion: d['datasetVersion'],
    content: JSON.parse(String(d['content'])) as unknown,
    createdBy: { type: d['createdBy']?.type, id: d['createdBy']?.id },
    createdAt: d['createdAt'],
  };
}

/** JSON text is cut into pieces under MongoDB's 16 MiB document limit. */
const PIECE = 4 * 2 ** 20;

export function packRepo(m: Models): PackRepo {
  const get = async (orgId: string, id: string) => {
    const d = await m.Pack.findById(id).lean();
    return d && String(d['orgId']) === orgId ? toPack(d) : null;
  };
  /** The highest version stored: probe upwards from the count (packs are never deleted). */
  const highest = async (orgId: string, cycleId: string) => {
    let v = await m.Pack.countDocuments({ orgId: oid(orgId), cycleId: oid(cycleId) });
    while (await m.Pack.exists({ _id: `${cycleId}:${v + 1}` })) v++;
    return v;
  };
  return {
    async insert(pack, content, chunks, now) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const version = (await highest(pack.orgId, pack.cycleId)) + 1;
        const id = `${pack.cycleId}:${version}`;
        // Chunks first: a reader never sees a pack whose detail is missing. A lost race leaves them
        // to be overwritten by the winner's (same ids, same version).
        for (const c of chunks) {
          const text = JSON.stringify(c.data);
          for (let piece = 0; piece * PIECE < text.length || piece === 0; piece++) {
            await m.PackChunk.collection.replaceOne(
              { _id: `${id}:${c.kind}:${c.seq}:${piece}` as unknown as Types.ObjectId },
              {
                orgId: new Types.ObjectId(pack.orgId),
                data: text.slice(piece * PIECE, (piece + 1) * PIECE),
                createdAt: now,
              },
              { upsert: true },
            );
          }
        }
        try {
          const doc = {
            _id: id,
            orgId: new Types.ObjectId(pack.orgId),
            cycleId: new Types.ObjectId(pack.cycleId),
            version,
            datasetVersion: pack.datasetVersion,
            content: JSON.stringify(content(version)),
            createdBy: pack.createdBy,
            createdAt: now,
          };
          await m.Pack.collection.insertOne(doc as never);
          return toPack(doc);
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // another build took this version: take the next
        }
      }
      throw new Error('could not number the pack version after 20 attempts');
    },
    async latest(orgId, cycleId) {
      const v = await highest(orgId, cycleId);
      return v ? get(orgId, `${cycleId}:${v}`) : null;
    },
    byVersion: (orgId, cycleId, version) => get(orgId, `${cycleId}:${version}`),
    async chunk(orgId, packId, kind, seq) {
      let text = '';
      for (let piece = 0; ; piece++) {
        const d = await m.PackChunk.findById(`${packId}:${kind}:${seq}:${piece}`).lean();
        if (!d || String(d['orgId']) !== orgId) break;
        text += d['data'];
      }
      return text ? (JSON.parse(text) as unknown) : null;
    },
    async sweepOrphanChunks(before) {
      // A chunk's id starts with its pack's (`cycleId:version:`); a build that died, or lost the
      // race for its version number, leaves chunks no pack names. Chunks from before chunks had a
      // date count as old.
      const packs = new Set((await m.Pack.find({}, { _id: 1 }).lean()).map((p) => String(p._id)));
      const chunks = await m.PackChunk.find({}, { _id: 1, createdAt: 1 }).lean();
      let removed = 0;
      for (const c of chunks) {
        const id = String(c._id);
        const packId = id.split(':').slice(0, 2).join(':');
        const at = (c as { createdAt?: Date }).createdAt;
        if (packs.has(packId) || (at && at >= before)) continue;
        await m.PackChunk.deleteOne({ _id: id });
        removed++;
      }
      return removed;
    },
  };
}

/**
 * The forecast cache: one generation of JSON pieces per org. A save writes its pieces, each
 * stamped with a new generation, then piece 0 (the commit); a load that meets pieces of another
 * generation (a save racing it) reads nothing: a cache miss, never a mix of two saves.
 */
export function forecastCacheRepo(m: Models): ForecastCacheRepo {
  const id = (orgId: string, piece: number) => `${orgId}:${piece}`;
  return {
    async load(orgId) {
      const head = await m.ForecastPiece.findById(id(orgId, 0)).lean();
      if (!head || String(head['orgId']) !== orgId) return new Map();
      let text = String(head['data']);
      for (let piece = 1; piece < Number(head['pieces'] ?? 1); piece++) {
        const d = await m.ForecastPiece.findById(id(orgId, piece)).lean();
        if (!d || d['generation'] !== head['generation']) return new Map();
        text += d['data'];
      }
      return new Map(JSON.parse(text) as [string, CachedForecast][]);
    },
    async save(orgId, entries, now) {
      const text = JSON.stringify([...entries]);
      const generation = randomUUID();
      const pieces = Math.max(1, Math.ceil(text.length / PIECE));
      const write = (piece: number) =>
        m.ForecastPiece.collection.replaceOne(
          { _id: id(orgId, piece) as unknown as Types.ObjectId },
          {
            orgId: new Types.ObjectId(orgId),
            generation,
            pieces,
            data: text.slice(piece * PIECE, (piece + 1) * PIECE),
            createdAt: now,
          },
          { upsert: true },
        );
      for (let piece = 1; piece < pieces; piece++) await write(piece);
      await write(0);
      // Pieces beyond this generation's are left from a larger one: removed by _id.
      for (let piece = pieces; ; piece++) {
        const gone = await m.ForecastPiece.collection.deleteOne({
          _id: id(orgId, piece) as unknown as Types.ObjectId,
        });
        if (!gone.deletedCount) break;
      }
    },
  };
}

function toPackBuild(d: Doc): PackBuildRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    round: d['round'],
    status: d['status'],
    attempts: d['attempts'] ?? 0,
    notBefore: d['notBefore'],
    outcome: d['outcome'] ?? null,
    lastError: d['lastError'] ?? null,
    requestedAt: d['requestedAt'],
    settledAt: d['settledAt'] ?? null,
  };
}

export function packBuildRepo(m: Models): PackBuildRepo {
  const claimId = (id: string, attempt: number) => `${id}:${attempt}`;
  return {
    async request(r, now) {
      try {
        await m.PackBuild.collection.insertOne({
          _id: `${r.cycleId}:r${r.round}`,
          orgId: new Types.ObjectId(r.orgId),
          cycleId: new Types.ObjectId(r.cycleId),
          round: r.round,
          status: 'pending',
          attempts: 0,
          notBefore: now,
          outcome: null,
          lastError: null,
          requestedAt: now,
          settledAt: null,
        } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async due(now, limit) {
      return (
        await m.PackBuild.find({ status: 'pending', notBefore: { $lte: now } })
          .sort({ requestedAt: 1, _id: 1 })
          .limit(limit)
          .lean()
      ).map(toPackBuild);
    },
    async get(orgId, id) {
      const d = await m.PackBuild.findById(id).lean();
      return d && String(d['orgId']) === orgId ? toPackBuild(d) : null;
    },
    async claim(id, attempt, now) {
      try {
        await m.PackBuildClaim.collection.insertOne({
          _id: claimId(id, attempt),
          at: now,
          aliveAt: now,
          endedAt: null,
        } as never);
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
      // Only the claim's winner writes this; $max keeps a late writer from lowering it.
      await m.PackBuild.updateOne({ _id: id }, { $max: { attempts: attempt } });
      return true;
    },
    async attempt(id, attempt) {
      const d = await m.PackBuildClaim.findById(claimId(id, attempt)).lean();
      return d ? { aliveAt: d['aliveAt'] ?? d['at'], ended: !!d['endedAt'] } : null;
    },
    async heartbeat(id, attempt, now) {
      await m.PackBuildClaim.updateOne({ _id: claimId(id, attempt) }, { $set: { aliveAt: now } });
    },
    async settle(id, attempt, outcome, now) {
      await m.PackBuildClaim.updateOne({ _id: claimId(id, attempt) }, { $set: { endedAt: now } });
      // Read, then write by _id (the filter FerretDB pushes down). Only a worker that outlived its
      // lease can find the request settled by a later attempt; it then leaves it as it is.
      const d = await m.PackBuild.findById(id, { status: 1 }).lean();
      if (!d || d['status'] !== 'pending') return;
      const settledAt = outcome.status === 'pending' ? null : now;
      await m.PackBuild.updateOne({ _id: id }, { $set: { ...outcome, settledAt } });
    },
  };
}

function toBallot(d: Doc): BallotRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    title: d['title'],
    options: (d['options'] ?? []).map((o: Doc) => ({
      key: o['key'],
      label: o['label'],
      meaning: o['meaning'] ?? '',
    })),
    rules: d['rules'],
    source: d['source'] ?? null,
    deadline: d['deadline'],
    status: d['status'],
    createdBy: { type: d['createdBy']?.type, id: d['createdBy']?.id },
    createdAt: d['createdAt'],
    meeting: d['meeting'] ?? null,
  };
}

function toVote(d: Doc): VoteDoc {
  return {
    ballotId: d['ballotId'],
    orgId: String(d['orgId']),
    voterId: d['voterId'],
    castBy: d['castBy'],
    option: d['option'],
    reason: d['reason'] ?? null,
    at: d['at'],
  };
}

export function ballotRepo(m: Models): BallotRepo {
  return {
    async insert(b, now) {
      const doc = await m.Ballot.create({
        ...b,
        orgId: new Types.ObjectId(b.orgId),
        cycleId: new Types.ObjectId(b.cycleId),
        status: 'open',
        createdAt: now,
      });
      return toBallot(doc.toObject());
    },
    async get(orgId, id) {
      const d = await m.Ballot.findById(oid(id)).lean();
      return d && String(d['orgId']) === orgId ? toBallot(d) : null;
    },
    async openOnes() {
      return (await m.Ballot.find({ status: 'open' }).lean()).map(toBallot);
    },
    async openFor(orgId) {
      return (await m.Ballot.find({ orgId: oid(orgId), status: 'open' }).lean()).map(toBallot);
    },
    async markClosed(orgId, id) {
      await m.Ballot.updateOne({ _id: oid(id), orgId: oid(orgId) }, { $set: { status: 'closed' } });
    },
    async votes(orgId, ballotId) {
      return (await m.Vote.find({ orgId: oid(orgId), ballotId }).lean()).map(toVote);
    },
    async putVote(v) {
      const _id = `${v.ballotId}:${v.voterId}`;
      const doc = { ...v, orgId: new Types.ObjectId(v.orgId) };
      const existing = await m.Vote.findById(_id).lean();
      if (!existing) {
        try {
          await m.Vote.collection.insertOne({ _id, ...doc } as never);
          return { created: true, previous: null };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err; // the same voter at the same instant: replace below
        }
      }
      const before = existing ?? (await m.Vote.findById(_id).lean());
      await m.Vote.collection.replaceOne({ _id } as never, doc);
      return { created: false, previous: before ? toVote(before) : null };
    },
  };
}

export function decisionRepo(m: Models): DecisionRepo {
  const parse = (d: Doc): DecisionRecord => {
    const body = JSON.parse(String(d['body'])) as DecisionRecord & { decidedAt: string };
    return { ...body, decidedAt: new Date(body.decidedAt) };
  };
  return {
    async insert(decision) {
      try {
        await m.Decision.collection.insertOne({
          _id: decision.id,
          orgId: new Types.ObjectId(decision.orgId),
          cycleId: new Types.ObjectId(decision.cycleId),
          body: JSON.stringify(decision),
        } as never);
        return { decision, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const d = await m.Decision.findById(decision.id).lean();
        return { decision: parse(d!), created: false };
      }
    },
    async get(orgId, id) {
      const d = await m.Decision.findById(id).lean();
      return d && String(d['orgId']) === orgId ? parse(d) : null;
    },
    async all(orgId) {
      return (await m.Decision.find({ orgId: oid(orgId) }).lean()).map(parse);
    },
  };
}

function toAction(d: Doc): ActionRecord {
  return {
    id: idOf(d),
    orgId: String(d['orgId']),
    decisionId: d['decisionId'],
    cycleId: String(d['cycleId']),
    ownerId: d['ownerId'],
    dueDate: d['dueDate'],
    description: d['description'],
    status: d['status'],
    history: (d['history'] ?? []).map((h: Doc) => ({
      status: h['status'],
      note: h['note'] ?? null,
      by: { type: h['by']?.type, id: h['by']?.id },
      at: h['at'],
    })),
    createdAt: d['createdAt'],
    doneAt: d['doneAt'] ?? null,
    reminded: [...(d['reminded'] ?? [])],
  };
}

function actionQuery(orgId: string, filter: { ownerId?: string; status?: string; decisionId?: string }): Doc {
  const q: Doc = { orgId: oid(orgId) };
  if (filter.ownerId) q['ownerId'] = filter.ownerId;
  if (filter.status) q['status'] = filter.status;
  if (filter.decisionId) q['decisionId'] = filter.decisionId;
  return q;
}

export function actionRepo(m: Models): ActionRepo {
  return {
    async insert(a) {
      const doc = await m.Action.create({
        ...a,
        orgId: new Types.ObjectId(a.orgId),
        cycleId: new Types.ObjectId(a.cycleId),
      });
      return toAction(doc.toObject());
    },
    async get(orgId, id) {
      const d = await m.Action.findById(oid(id)).lean();
      return d && String(d['orgId']) === orgId ? toAction(d) : null;
    },
    async save(a, expectedChanges) {
      const r = await m.Action.updateOne(
        { _id: oid(a.id), orgId: oid(a.orgId), history: { $size: expectedChanges } },
        {
          $set: {
            status: a.status,
            history: a.history,
            doneAt: a.doneAt,
            ownerId: a.ownerId,
            dueDate: a.dueDate,
          },
        },
      );
      return r.modifiedCount === 1;
    },
    async pending() {
      return (await m.Action.find({ status: { $in: ['open', 'blocked'] } }).lean()).map(toAction);
    },
    async markReminded(orgId, id, mark) {
      await m.Action.updateOne({ _id: oid(id), orgId: oid(orgId) }, { $addToSet: { reminded: mark } });
    },
    async list(orgId, filter) {
      return (await m.Action.find(actionQuery(orgId, filter)).sort({ _id: 1 }).limit(500).lean()).map(
        toAction,
      );
    },
    async page(orgId, filter, page) {
      return pageBy(page, async (after, limit) =>
        (
          await m.Action.find({ ...actionQuery(orgId, filter), ...afterFilter(after) })
            .sort({ _id: 1 })
            .limit(limit)
            .lean()
        ).map(toAction),
      );
    },
  };
}

export function attendanceRepo(m: Models): AttendanceRepo {
  return {
    async put(r) {
      const _id = `${r.meetingId}:${r.memberId}`;
      await m.Attendance.collection.replaceOne(
        { _id } as never,
        { ...r, orgId: new Types.ObjectId(r.orgId) },
        { upsert: true },
      );
    },
    async forMeetings(orgId, meetingIds) {
      const docs: Doc[] = await m.Attendance.find({
        orgId: oid(orgId),
        meetingId: { $in: meetingIds },
      }).lean();
      return docs.map((d) => ({
        orgId: String(d['orgId']),
        meetingId: d['meetingId'],
        memberId: d['memberId'],
        status: d['status'],
        delegateId: d['delegateId'] ?? null,
        recordedBy: { type: d['recordedBy']?.type, id: d['recordedBy']?.id },
        at: d['at'],
        late: d['late'] ?? false,
      }));
    },
  };
}

/** Keys of a meeting's state (and the minutes) that hold instants: revived as Dates from the JSON text. */
const INSTANT_KEYS = new Set([
  'start',
  'end',
  'at',
  'deadline',
  'startedAt',
  'closedAt',
  'endedAt',
  'arrivedAt',
]);
const reviveInstants = (key: string, value: unknown) =>
  INSTANT_KEYS.has(key) && typeof value === 'string' && !Number.isNaN(Date.parse(value))
    ? new Date(value)
    : value;

export function meetingRepo(m: Models): MeetingRepo {
  const stateId = (meetingId: string, version: number) => `${meetingId}:${version}`;
  const toMinutes = (d: Doc): MinutesRecord => ({
    id: String(d['_id']),
    orgId: String(d['orgId']),
    cycleId: String(d['cycleId']),
    meetingId: d['meetingId'],
    version: d['version'],
    minutes: JSON.parse(String(d['body']), reviveInstants),
    markdown: d['markdown'],
    searchText: d['searchText'],
    createdBy: { type: d['createdBy']?.type, id: d['createdBy']?.id },
    createdAt: d['createdAt'],
    note: d['note'] ?? '',
  });
  return {
    async get(orgId, meetingId) {
      const head = await m.MeetingHead.findOne({ _id: meetingId }).lean();
      if (head && String(head['orgId']) !== orgId) return null;
      let version = head ? Number(head['version']) : 0;
      let doc: Doc | null = version
        ? await m.MeetingState.findOne({ _id: stateId(meetingId, version) }).lean()
        : null;
      // The head may lag a write that has not moved it yet: walk forward by _id.
      for (;;) {
        const next: Doc | null = await m.MeetingState.findOne({
          _id: stateId(meetingId, version + 1),
        }).lean();
        if (!next) break;
        doc = next;
        version++;
      }
      if (!doc || String(doc['orgId']) !== orgId) return null;
      return { ...(JSON.parse(String(doc['state']), reviveInstants) as MeetingRecord), version };
    },
    async save(rec, now) {
      try {
        await m.MeetingState.collection.insertOne({
          _id: stateId(rec.id, rec.version),
          orgId: new Types.ObjectId(rec.orgId),
          meetingId: rec.id,
          version: rec.version,
          state: JSON.stringify(rec),
          at: now,
        } as never);
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
      await m.MeetingHead.collection.replaceOne(
        { _id: rec.id } as never,
        { orgId: new Types.ObjectId(rec.orgId), version: rec.version },
        { upsert: true },
      );
      return true;
    },
    async putMinutes(r) {
      try {
        await m.Minutes.collection.insertOne({
          _id: stateId(r.meetingId, r.version),
          orgId: new Types.ObjectId(r.orgId),
          cycleId: new Types.ObjectId(r.cycleId),
          meetingId: r.meetingId,
          version: r.version,
          body: JSON.stringify(r.minutes),
          markdown: r.markdown,
          searchText: r.searchText,
          createdBy: r.createdBy,
          createdAt: r.createdAt,
          note: r.note,
        } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async minutes(orgId, meetingId) {
      const out: MinutesRecord[] = [];
      for (let v = 1; ; v++) {
        const d: Doc | null = await m.Minutes.findOne({ _id: stateId(meetingId, v) }).lean();
        if (!d || String(d['orgId']) !== orgId) break;
        out.push(toMinutes(d));
      }
      return out;
    },
    async allMinutes(orgId) {
      const docs: Doc[] = await m.Minutes.find({ orgId: oid(orgId) }).lean();
      const latest = new Map<string, Doc>();
      for (const d of docs)
        if (Number(latest.get(String(d['meetingId']))?.['version'] ?? 0) < Number(d['version']))
          latest.set(String(d['meetingId']), d);
      return [...latest.values()].map(toMinutes);
    },
  };
}

/** The secret part of an installation, sealed as one value bound to the record's id. */
interface InstallationSecret {
  botToken: string;
  data: string;
}

export function installationRepo(m: Models, ring: Keyring): InstallationRepo {
  const secretOf = (d: Doc): InstallationSecret =>
    isSealed(d['secret'])
      ? (JSON.parse(open(ring, d['secret'], String(d['_id']))) as InstallationSecret)
      : // Stored before encryption, not yet sealed by a start.
        { botToken: d['botToken'], data: d['data'] };
  const to = (d: Doc): InstallationRecord => ({
    id: d['_id'],
    platform: d['platform'],
    teamId: d['teamId'] ?? null,
    enterpriseId: d['enterpriseId'] ?? null,
    teamName: d['teamName'] ?? '',
    orgId: d['orgId'] ?? null,
    ...secretOf(d),
    botUserId: d['botUserId'] ?? '',
    installedAt: d['installedAt'],
  });
  const sealedDoc = (r: InstallationRecord) => {
    const { id, botToken, data, ...rest } = r;
    const secret: InstallationSecret = { botToken, data };
    return { ...rest, secret: seal(ring, JSON.stringify(secret), id), keyId: ring.current.id };
  };
  return {
    async put(r) {
      await m.Installation.collection.replaceOne({ _id: r.id } as never, sealedDoc(r), { upsert: true });
    },
    async get(id) {
      const d = await m.Installation.findOne({ _id: id }).lean();
      return d ? to(d) : null;
    },
    async forOrg(orgId) {
      return ((await m.Installation.find({ orgId }).lean()) as Doc[]).map(to);
    },
    async remove(id) {
      await m.Installation.deleteOne({ _id: id });
    },
    async reseal() {
      let resealed = 0;
      const unreadable: { id: string; reason: string }[] = [];
      for (const d of (await m.Installation.find({}).lean()) as Doc[]) {
        if (isSealed(d['secret']) && sealedWith(d['secret']) === ring.current.id) continue;
        let record: InstallationRecord;
        try {
          record = to(d);
        } catch (err) {
          if (!(err instanceof SealError)) throw err;
          unreadable.push({ id: String(d['_id']), reason: err.message });
          continue;
        }
        // Only if nobody replaced it meanwhile (a reinstall is sealed with the current key anyway).
        const filter = { _id: d['_id'], secret: isSealed(d['secret']) ? d['secret'] : { $exists: false } };
        const done = await m.Installation.collection.replaceOne(filter, sealedDoc(record));
        resealed += done.modifiedCount;
      }
      return { resealed, unreadable };
    },
  };
}

function toTeamsTenant(d: Doc): TeamsTenantRecord {
  return {
    tenantId: String(d['_id']),
    orgId: String(d['orgId']),
    sopConversationId: d['sopConversationId'] ?? null,
    createdAt: d['createdAt'],
  };
}

function toTeamsConversation(d: Doc): TeamsConversationRecord {
  return {
    id: String(d['_id']),
    orgId: String(d['orgId']),
    tenantId: d['tenantId'],
    kind: d['kind'],
    conversationId: d['conversationId'],
    serviceUrl: d['serviceUrl'],
    teamsUserId: d['teamsUserId'] ?? null,
    aadObjectId: d['aadObjectId'] ?? null,
    memberId: d['memberId'] ?? null,
    teamId: d['teamId'] ?? null,
    name: d['name'] ?? null,
    updatedAt: d['updatedAt'],
  };
}

/**
 * Teams tenants (`_id` = tenant id) and conversation references (`_id` = `orgId:conversationId`):
 * both read by _id, the one filter FerretDB pushes down; a conversation's key carries its org.
 */
export function teamsRepo(m: Models): TeamsRepo {
  return {
    async connectTenant(tenantId, orgId, now) {
      const doc = {
        _id: tenantId,
        orgId: new Types.ObjectId(orgId),
        sopConversationId: null,
        createdAt: now,
      };
      try {
        await m.TeamsTenant.collection.insertOne(doc as never);
        return toTeamsTenant(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await m.TeamsTenant.findById(tenantId).lean();
        if (!existing) throw err;
        return toTeamsTenant(existing);
      }
    },
    async tenant(tenantId) {
      const d = await m.TeamsTenant.findById(tenantId).lean();
      return d ? toTeamsTenant(d) : null;
    },
    async tenantOf(orgId) {
      const _id = oid(orgId);
      if (!_id) return null;
      const d = await m.TeamsTenant.findOne({ orgId: _id }).sort({ createdAt: 1, _id: 1 }).lean();
      return d ? toTeamsTenant(d) : null;
    },
    async setSopChannel(orgId, conversationId) {
      const _id = oid(orgId);
      if (!_id) return;
      await m.TeamsTenant.updateMany({ orgId: _id }, { $set: { sopConversationId: conversationId } });
    },
    async saveConversation(ref, now) {
      const _id = `${ref.orgId}:${ref.conversationId}`;
      // Always refreshed: where to send and what it is. An id given as null keeps the stored one
      // (an activity that does not say who the member is does not unlink them).
      const set: Doc = {
        orgId: new Types.ObjectId(ref.orgId),
        conversationId: ref.conversationId,
        tenantId: ref.tenantId,
        kind: ref.kind,
        serviceUrl: ref.serviceUrl,
        updatedAt: now,
      };
      const onInsert: Doc = {};
      for (const k of ['teamsUserId', 'aadObjectId', 'memberId', 'teamId', 'name'] as const) {
        if (ref[k] !== null) set[k] = ref[k];
        else onInsert[k] = null;
      }
      const update = { $set: set, ...(Object.keys(onInsert).length ? { $setOnInsert: onInsert } : {}) };
      for (let attempt = 0; ; attempt++) {
        try {
          // FerretDB's upsert is a read then a write: two first saves at once both insert, and the
          // loser's duplicate key says the document now exists; its update then applies.
          await m.TeamsConversation.collection.updateOne({ _id } as never, update, { upsert: true });
          break;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 3) throw err;
        }
      }
      const d = await m.TeamsConversation.findById(_id).lean();
      return toTeamsConversation(d!);
    },
    async conversation(orgId, conversationId) {
      const d = await m.TeamsConversation.findById(`${orgId}:${conversationId}`).lean();
      return d && String(d['orgId']) === orgId ? toTeamsConversation(d) : null;
    },
    async personalFor(orgId, memberId) {
      const _id = oid(orgId);
      if (!_id) return null;
      const d = await m.TeamsConversation.findOne({ orgId: _id, kind: 'personal', memberId })
        .sort({ updatedAt: -1 })
        .lean();
      return d ? toTeamsConversation(d) : null;
    },
    async personalForAll(orgId) {
      const _id = oid(orgId);
      if (!_id) return [];
      // Oldest first: folded into a map by member, the latest chat wins.
      return (
        await m.TeamsConversation.find({ orgId: _id, kind: 'personal' }).sort({ updatedAt: 1, _id: 1 }).lean()
      ).map(toTeamsConversation);
    },
  };
}

function toWebToken(d: Doc): WebTokenRecord {
  return {
    orgId: String(d['orgId']),
    memberId: d['memberId'],
    csrf: d['csrf'] ?? null,
    returnTo: d['returnTo'] ?? null,
    expiresAt: d['expiresAt'],
    createdAt: d['createdAt'],
  };
}

export function webTokenRepo(m: Models): WebTokenRepo {
  const put = async (id: string, r: WebTokenRecord) => {
    await m.WebToken.collection.insertOne({ ...r, _id: id, orgId: new Types.ObjectId(r.orgId) } as never);
  };
  const byId = async (id: string) => {
    const d = (await m.WebToken.collection.findOne({ _id: id } as never)) as Doc | null;
    return d ? toWebToken(d) : null;
  };
  return {
    putSignIn: (hash, r) => put(`signin:${hash}`, r),
    async useSignIn(hash, now) {
      const link = await byId(`signin:${hash}`);
      if (!link) return null;
      try {
        await put(`used:${hash}`, { ...link, createdAt: now });
      } catch (err) {
        if (isDuplicateKey(err)) return null;
        throw err;
      }
      return link;
    },
    putSession: (hash, r) => put(`session:${hash}`, r),
    session: (hash) => byId(`session:${hash}`),
    async endSession(hash) {
      await m.WebToken.collection.deleteOne({ _id: `session:${hash}` } as never);
    },
    async endSessionsOf(orgId, memberId) {
      const docs = await m.WebToken.collection
        .find({ orgId: new Types.ObjectId(orgId), memberId } as never, { projection: { _id: 1 } })
        .toArray();
      const ids = docs.map((d) => String(d._id)).filter((id) => id.startsWith('session:'));
      for (const id of ids) await m.WebToken.collection.deleteOne({ _id: id } as never);
      return ids.length;
    },
    async sweep(before) {
      // A used link's claim stays as long as the link (so it cannot be used again), then both go.
      const out = await m.WebToken.collection.deleteMany({ expiresAt: { $lt: before } });
      return out.deletedCount;
    },
  };
}

/** Keys of S&OE documents that hold instants, revived from their JSON text. */
const SOE_INSTANTS = new Set(['raisedAt', 'at']);
const reviveSoe = (key: string, value: unknown) =>
  SOE_INSTANTS.has(key) && typeof value === 'string' ? new Date(value) : value;

export function soeRepo(m: Models): SoeRepo {
  const put = async (model: Models['Alert'], _id: string, orgId: string, body: unknown) => {
    try {
      await model.collection.insertOne({
        _id,
        orgId: new Types.ObjectId(orgId),
        body: JSON.stringify(body),
      } as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  };
  const all = async <T>(model: Models['Alert'], orgId: string): Promise<T[]> =>
    ((await model.find({ orgId: oid(orgId) }).lean()) as Doc[]).map(
      (d) => JSON.parse(String(d['body']), reviveSoe) as T,
    );
  return {
    async putActuals(orgId, week, actuals, now) {
      await m.Actuals.collection.replaceOne(
        { _id: `${orgId}:${week}` } as never,
        { orgId: new Types.ObjectId(orgId), week, body: JSON.stringify(actuals), at: now },
        { upsert: true },
      );
    },
    async actuals(orgId, weeks) {
      const out = new Map<string, WeekActuals>();
      // By `_id`, the only lookup FerretDB's SQLite backend pushes down; all the weeks at once.
      const docs = await Promise.all(
        weeks.map((week) => m.Actuals.findOne({ _id: `${orgId}:${week}` }).lean() as Promise<Doc | null>),
      );
      docs.forEach((d, i) => {
        if (d) out.set(weeks[i]!, JSON.parse(String(d['body'])) as WeekActuals);
      });
      return out;
    },
    async addDisruption(d) {
      await put(m.Disruption, d.id, d.orgId, d);
    },
    disruptions: (orgId) => all<DisruptionRecord>(m.Disruption, orgId),
    async raise(alerts) {
      const raised = new Set<string>();
      // A check may raise thousands (a year's backfill): in batches, unordered, so that an alert
      // raised before (by a check running at the same time) fails alone.
      for (let i = 0; i < alerts.length; i += 1000) {
        const batch = alerts.slice(i, i + 1000);
        let failed = new Set<number>();
        try {
          await m.Alert.collection.insertMany(
            batch.map((a) => ({
              _id: a.id,
              orgId: new Types.ObjectId(a.orgId),
              body: JSON.stringify(a),
            })) as never[],
            { ordered: false },
          );
        } catch (err) {
          const errors = (err as { writeErrors?: { index: number; code?: number; errmsg?: string }[] })
            .writeErrors;
          if (!errors?.length || !errors.every((w) => isDuplicateKey({ code: w.code, message: w.errmsg })))
            throw err;
          failed = new Set(errors.map((w) => w.index));
        }
        batch.forEach((a, j) => {
          if (!failed.has(j)) raised.add(a.id);
        });
      }
      return raised;
    },
    alerts: (orgId) => all<AlertRecord>(m.Alert, orgId),
    async alert(orgId, id) {
      const d: Doc | null = await m.Alert.findOne({ _id: id }).lean();
      return d && String(d['orgId']) === orgId
        ? (JSON.parse(String(d['body']), reviveSoe) as AlertRecord)
        : null;
    },
    settle: (o) => put(m.AlertOutcome, o.alertId, o.orgId, o),
    outcomes: (orgId) => all<AlertOutcomeRecord>(m.AlertOutcome, orgId),
    markEscalated: (orgId, alertId, now) => put(m.AlertEscalation, alertId, orgId, { alertId, at: now }),
    async escalated(orgId) {
      return new Set((await all<{ alertId: string }>(m.AlertEscalation, orgId)).map((x) => x.alertId));
    },
  };
}
