/** Use cases: createOrg, updateOrg, issueOrgToken, revokeOrgToken. */
import { DEFAULT_RULES, type BallotRules } from '../domain/voting.js';
import {
  DEFAULT_CALENDAR,
  DEFAULT_WEEKEND,
  calendarProblems,
  holidayProblems,
  holidayWindow,
  type CycleCalendar,
} from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from '../domain/manners.js';
import { DEFAULT_FUNCTIONS } from '../domain/people.js';
import type { Deps } from './ports.js';
import type { Actor, OrgRecord } from './records.js';
import { newApiToken } from './tokens.js';

export interface OrgInput {
  name: string;
  timezone: string;
  horizonMonths?: number;
  holidays?: string[];
  weekend?: number[];
  calendar?: CycleCalendar;
  functions?: string[];
  reminderPolicy?: Partial<ReminderPolicy>;
  votingRules?: Partial<BallotRules>;
}

function checkHolidays(holidays: readonly string[], now: Date, zone: string): void {
  const problems = holidayProblems(holidays, holidayWindow(now, zone));
  if (Object.keys(problems).length)
    throw new DomainError('validation_failed', 'some holidays are not usable', problems);
}

function checkCalendar(calendar: CycleCalendar): void {
  const problems = calendarProblems(calendar);
  if (Object.keys(problems).length) {
    throw new DomainError(
      'validation_failed',
      'the step calendar is not usable',
      Object.fromEntries(Object.entries(problems).map(([k, v]) => [`calendar.${k}`, v])),
    );
  }
}

export async function createOrg(
  deps: Pick<Deps, 'orgs' | 'audit' | 'clock'>,
  input: OrgInput,
  actor: Actor,
): Promise<{ org: OrgRecord; apiToken: string }> {
  const calendar = input.calendar ?? DEFAULT_CALENDAR;
  checkCalendar(calendar);
  const now = deps.clock.now();
  checkHolidays(input.holidays ?? [], now, input.timezone);
  const token = newApiToken();
  const org = await deps.orgs.insert(
    {
      name: input.name,
      timezone: input.timezone,
      horizonMonths: input.horizonMonths ?? 18,
      holidays: [...new Set(input.holidays ?? [])].sort(),
      weekend: input.weekend ?? DEFAULT_WEEKEND,
      calendar,
      functions: input.functions ?? [...DEFAULT_FUNCTIONS],
      reminderPolicy: { ...DEFAULT_REMINDER_POLICY, ...input.reminderPolicy },
      votingRules: { ...DEFAULT_RULES, ...input.votingRules },
    },
    token.hash,
    token.prefix,
    now,
  );
  await deps.audit.append(
    org.id,
    { actor, action: 'org.created', entity: { type: 'org', id: org.id }, after: org },
    now,
  );
  return { org, apiToken: token.token };
}

export async function updateOrg(
  deps: Pick<Deps, 'orgs' | 'audit' | 'clock'>,
  orgId: string,
  patch: Partial<OrgInput>,
  actor: Actor,
): Promise<OrgRecord> {
  const before = await deps.orgs.get(orgId);
  if (!before) throw new DomainError('not_found', 'org not found');
  if (patch.calendar) checkCalendar(patch.calendar);
  if (patch.holidays) checkHolidays(patch.holidays, deps.clock.now(), patch.timezone ?? before.timezone);
  const { reminderPolicy, votingRules, holidays, ...rest } = patch;
  const after = await deps.orgs.update(orgId, {
    ...rest,
    ...(holidays ? { holidays: [...new Set(holidays)].sort() } : {}),
    ...(reminderPolicy ? { reminderPolicy: { ...before.reminderPolicy, ...reminderPolicy } } : {}),
    ...(votingRules ? { votingRules: { ...before.votingRules, ...votingRules } } : {}),
  });
  if (!after) throw new DomainError('not_found', 'org not found');
  const now = deps.clock.now();
  await deps.audit.append(
    orgId,
    { actor, action: 'org.updated', entity: { type: 'org', id: orgId }, before, after },
    now,
  );
  return after;
}

/** A further API token for the org (shown once); earlier tokens keep working until revoked. */
export async function issueOrgToken(
  deps: Pick<Deps, 'orgs' | 'audit' | 'clock'>,
  orgId: string,
  actor: Actor,
): Promise<{ apiToken: string; prefix: string }> {
  const token = newApiToken();
  const now = deps.clock.now();
  await deps.orgs.addToken(orgId, token.hash, token.prefix, now);
  await deps.audit.append(
    orgId,
    {
      actor,
      action: 'org.token-issued',
      entity: { type: 'org', id: orgId },
      after: { prefix: token.prefix },
    },
    now,
  );
  return { apiToken: token.token, prefix: token.prefix };
}

/** Revokes one of the org's tokens (named by its prefix). The last token cannot be revoked: issue another first. */
export async function revokeOrgToken(
  deps: Pick<Deps, 'orgs' | 'audit' | 'clock'>,
  orgId: string,
  prefix: string,
  actor: Actor,
): Promise<void> {
  const tokens = await deps.orgs.tokens(orgId);
  if (!tokens.some((t) => t.prefix === prefix))
    throw new DomainError('not_found', 'no token with this prefix');
  if (tokens.length === 1) {
    throw new DomainError(
      'conflict',
      'this is the only token of the org; issue another one before revoking it',
    );
  }
  if (!(await deps.orgs.revokeToken(orgId, prefix)))
    throw new DomainError('not_found', 'no token with this prefix');
  await deps.audit.append(
    orgId,
    { actor, action: 'org.token-revoked', entity: { type: 'org', id: orgId }, after: { prefix } },
    deps.clock.now(),
  );
}
