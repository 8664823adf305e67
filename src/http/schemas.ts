/** Request and response schemas of API v1 (zod). The same objects validate requests and feed openapi.json. */
import { VOTING_RULES } from '../domain/voting.js';
import { z } from 'zod';
import { STEP_KEYS } from '../domain/calendar.js';
import { TABLES } from '../domain/dataset.js';
import { tableSummary } from '../domain/datasetGuide.js';
import { INPUT_PAYLOADS, INPUT_TITLES } from '../domain/inputs.js';
import { INPUT_KINDS } from '../domain/obligations.js';
import { ROLES } from '../domain/people.js';
import { boundedNumber, SERIAL } from '../domain/numbers.js';
import { HHMM, ISO_MONTH, isValidIsoDate, isValidTimeZone } from '../domain/time.js';

export const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be an id');
export const timezone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin');
export const isoDate = z.string().refine(isValidIsoDate, 'must be a real date as YYYY-MM-DD');
export const month = z.string().regex(ISO_MONTH, 'must be a month as YYYY-MM (01-12)');
/** A version or page number (1 to 1e9). */
export const SERIAL_NUMBER = boundedNumber(SERIAL);
export const hhmm = z.string().regex(HHMM, 'must be HH:MM (24-hour)');
export const instant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with a zone, e.g. 2027-01-12T17:00:00Z',
});

export const calendarInput = z.strictObject({
  openTime: hhmm.default('09:00'),
  dueTime: hhmm.default('17:00'),
  steps: z
    .array(
      z.strictObject({
        key: z.enum(STEP_KEYS),
        startDay: z.number().int().min(1, 'business days count from 1').max(23, 'at most business day 23'),
        endDay: z.number().int().min(1, 'business days count from 1').max(23, 'at most business day 23'),
      }),
    )
    .length(5, 'give a window for each of the five steps'),
});

const functionName = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes');

export const reminderPolicyInput = z.strictObject({
  hoursBefore: z.number().int().min(0).max(168).optional(),
  dueDay: z.boolean().optional(),
  dueDayTime: hhmm.optional(),
  quietAfterOpenHours: z.number().min(0).max(48).optional(),
  minGapHours: z.number().min(0).max(48).optional(),
});

export const votingRulesInput = z.strictObject({
  rule: z.enum(VOTING_RULES).optional(),
  quorumShare: z.number().min(0).max(1).optional(),
  requiredVoters: z.array(z.string()).max(20).optional(),
  chairId: z.string().nullable().optional(),
  hideResults: z.boolean().optional(),
});

export const orgInput = z.strictObject({
  name: z.string().trim().min(1, 'give the organisation a name').max(200),
  timezone,
  horizonMonths: z.number().int().min(12, 'at least 12 months').max(24, 'at most 24 months').optional(),
  holidays: z.array(isoDate).max(400).optional(),
  weekend: z.array(z.number().int().min(1).max(7)).max(6).optional(),
  calendar: calendarInput.optional(),
  functions: z.array(functionName).min(1).max(30).optional(),
  reminderPolicy: reminderPolicyInput.optional(),
  votingRules: votingRulesInput.optional(),
});

export const orgPatch = orgInput.partial();

export const quietHours = z.strictObject({ start: hhmm, end: hhmm });

export const memberInput = z.strictObject({
  name: z.string().trim().min(1, 'give a name').max(200),
  email: z.email('must be an email address').max(320),
  timezone: timezone.optional(),
  roles: z
    .array(z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }))
    .min(1, 'give at least one role'),
  functions: z.array(z.string()).max(10).optional(),
  quietHours: quietHours.optional(),
  delegation: z.strictObject({ of: objectId, authority: z.boolean() }).nullable().optional(),
  slackUserId: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U0123ABCD')
    .nullable()
    .optional(),
  teamsUserId: z.string().min(3).max(200).nullable().optional(),
  preferredChat: z
    .enum(['slack', 'teams'])
    .nullable()
    .optional()
    .describe('for someone on both Slack and Teams: where their messages go (unset: Slack)'),
});

export const memberPatch = memberInput.partial();

export const cycleInput = z.strictObject({ month });

export const actorInput = { actorId: objectId.describe('the process owner acting') };
export const closeInput = z.strictObject({ ...actorInput, reason: z.string().trim().max(500).optional() });
/** A process owner excuses an input (a reason), or withdraws the excuse (null). */
export const excuseInputBody = z.strictObject({
  ...actorInput,
  reason: z.string().trim().min(1, 'say why this input is not needed').max(500).nullable(),
});
export const extendInput = z.strictObject({
  ...actorInput,
  dueAt: instant,
  reason: z.string().trim().min(3, 'say why the date moves').max(500),
});
export const reopenInput = extendInput;

export const submissionInput = z.strictObject({
  memberId: objectId.describe('who submits (an owner, their delegate, or a process owner)'),
  payload: z.unknown().describe('the input itself; its shape depends on the request kind'),
});

/**
 * The submission as openapi.json shows it: the payload is exactly one kind's (each closed to other
 * keys, which makes the kinds exclusive); the server checks it against the request's own kind.
 */
export const submissionDoc = submissionInput.extend({
  payload: z
    .xor(
      INPUT_KINDS.map((kind) =>
        INPUT_PAYLOADS[kind].strict().meta({
          title: kind,
          description: `${INPUT_TITLES[kind]}: the payload of a ${kind} request`,
        }),
      ),
    )
    .describe(
      "the input itself, in the schema of the request's kind (GET .../inputs gives each request's kind)",
    ),
});

/** The step-1 upload as openapi.json shows it (multipart/form-data; the route reads it as it streams). */
export const datasetUploadDoc = z.object({
  ...Object.fromEntries(
    TABLES.map((table) => [
      table,
      z
        .file()
        .optional()
        .describe(
          `${table}.csv (the field, or the file name when the field is "file"): ${tableSummary(table)} GET /api/v1/templates/${table}.csv is a template.`,
        ),
    ]),
  ),
  workbook: z
    .file()
    .optional()
    .describe(
      'An XLSX workbook instead of (or beside) CSV files: any field name, a file name ending in .xlsx or a spreadsheetml type; one sheet per table, named after the table, header in the first row. GET /api/v1/templates/dataset.xlsx is a template.',
    ),
});

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

export const outboxQuery = pageQuery.extend({
  status: z.enum(['pending', 'delivered', 'dead', 'withdrawn']).optional(),
  kind: z
    .enum([
      'step-prompt',
      'step-reopened',
      'reminder',
      'escalation',
      'pack',
      'ballot',
      'decision',
      'action',
      'meeting',
      'alert',
    ])
    .optional(),
  memberId: objectId.optional(),
  cycleId: objectId.optional(),
});

export const auditQuery = pageQuery.extend({
  entityId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
});

export const orgParams = z.object({ orgId: objectId });
export const memberParams = orgParams.extend({ memberId: objectId });
export const cycleParams = orgParams.extend({ cycleId: objectId });
export const stepParams = cycleParams.extend({ step: z.enum(STEP_KEYS) });
export const requestParams = cycleParams.extend({ requestId: objectId });

// Responses (documentation only; handlers build them through the presenters in present.ts).
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()) }),
});
const step = z.object({
  key: z.enum(STEP_KEYS),
  title: z.string(),
  opensAt: z.string(),
  dueAt: z.string(),
  status: z.enum(['pending', 'open', 'closed']),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedReason: z.enum(['due', 'complete', 'manual']).nullable(),
  changes: z.array(
    z.object({
      kind: z.string(),
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      by: z.string(),
      at: z.string(),
    }),
  ),
});
export const inputRequestBody = z.object({
  id: z.string(),
  key: z.string(),
  step: z.enum(STEP_KEYS),
  kind: z.enum(INPUT_KINDS),
  function: z.string().nullable(),
  owners: z.array(z.object({ id: z.string(), name: z.string() })),
  submitted: z.boolean(),
  latestVersion: z.number(),
  lastSubmittedAt: z.string().nullable(),
  excused: z.object({ by: z.string(), reason: z.string(), at: z.string() }).nullable(),
});
export const cycleBody = z.object({
  id: z.string(),
  orgId: z.string(),
  month: z.string(),
  status: z.enum(['planned', 'active', 'closed']),
  steps: z.array(step),
  inputs: z.array(inputRequestBody),
  createdAt: z.string(),
});
export const orgBody = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  horizonMonths: z.number(),
  holidays: z.array(z.string()),
  weekend: z.array(z.number()),
  calendar: calendarInput,
  functions: z.array(z.string()),
  votingRules: z.object({}).passthrough().optional(),
  createdAt: z.string(),
});
export const memberBody = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  timezone: z.string(),
  roles: z.array(z.enum(ROLES)),
  functions: z.array(z.string()),
  quietHours: quietHours,
  delegation: z.object({ of: z.string(), authority: z.boolean() }).nullable(),
  slackUserId: z.string().nullable(),
  teamsUserId: z.string().nullable(),
  preferredChat: z.enum(['slack', 'teams']).nullable(),
  createdAt: z.string(),
});
export const listOf = (item: z.ZodType) => z.object({ items: z.array(item), next: z.string().nullable() });
