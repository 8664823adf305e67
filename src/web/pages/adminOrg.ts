/**
 * Admin: the organisation's calendar (time zone, holidays, the step calendar), its default voting
 * rules (both changed through `updateOrg` after the API's zod schema) and when its meetings take
 * place (`setMeetingSettings`), errors beside each field.
 */
import { meetingSetting, meetingTitle, setMeetingSettings } from '../../app/meetings.js';
import { updateOrg } from '../../app/orgs.js';
import type { Deps } from '../../app/ports.js';
import { STEP_KEYS, STEP_TITLES, type StepKey } from '../../domain/calendar.js';
import { DomainError } from '../../domain/errors.js';
import { MEETING_STEPS, type MeetingStep } from '../../domain/meetings.js';
import { BALLOT_DAYS_AHEAD, eligibleVoters, VOTING_RULES } from '../../domain/voting.js';
import { orgPatch } from '../../http/schemas.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';
import { actorOf, domainProblems, fieldErrors, problemCount, zodProblems } from './adminCommon.js';

type Problem = { path: string; message: string };

/** Runs `updateOrg` with a patch checked by the API's schema; the problems (paths) when refused. */
async function changeOrg(ctx: WebContext, patch: Record<string, unknown>): Promise<Problem[] | null> {
  const parsed = orgPatch.safeParse(patch);
  if (!parsed.success) return zodProblems(parsed.error.issues);
  try {
    await updateOrg(ctx.deps, ctx.session.org.id, parsed.data, actorOf(ctx));
    return null;
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    const problems = domainProblems(err.fields);
    return problems.length ? problems : [{ path: '', message: err.message }];
  }
}

// ---- Calendar ------------------------------------------------------------------------------

interface CalendarValues {
  timezone: string;
  holidays: string;
  openTime: string;
  dueTime: string;
  steps: Record<StepKey, { startDay: string; endDay: string }>;
}

function calendarPage(ctx: WebContext, values: CalendarValues, errors: Record<string, string>): WebResult {
  const problems = problemCount(errors);
  return {
    page: 'admin-calendar',
    title: 'Calendar',
    status: problems ? 400 : 200,
    data: {
      values,
      errors,
      problems,
      stepRows: STEP_KEYS.map((key, i) => ({
        key,
        number: i + 1,
        title: STEP_TITLES[key],
        startDay: values.steps[key].startDay,
        endDay: values.steps[key].endDay,
        startError: errors[`start.${key}`],
        endError: errors[`end.${key}`],
      })),
      weekend: ctx.session.org.weekend
        .map((d) => ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][d - 1])
        .join(', '),
    },
  };
}

function storedCalendar(ctx: WebContext): CalendarValues {
  const org = ctx.session.org;
  const steps = Object.fromEntries(
    STEP_KEYS.map((key) => {
      const s = org.calendar.steps.find((x) => x.key === key);
      return [key, { startDay: String(s?.startDay ?? ''), endDay: String(s?.endDay ?? '') }];
    }),
  ) as CalendarValues['steps'];
  return {
    timezone: org.timezone,
    holidays: org.holidays.join('\n'),
    openTime: org.calendar.openTime,
    dueTime: org.calendar.dueTime,
    steps,
  };
}

function calendarField(path: string, holidays: string[]): { field: string; prefix: string } {
  const [head, a, b] = path.split('.');
  if (head === 'timezone') return { field: 'timezone', prefix: '' };
  if (head === 'holidays') {
    const i = Number(a);
    return {
      field: 'holidays',
      prefix: Number.isInteger(i) && holidays[i] !== undefined ? `${holidays[i]}: ` : '',
    };
  }
  if (head === 'openTime' || head === 'dueTime') return { field: head, prefix: '' };
  if (head === 'calendar') {
    if (a === 'openTime' || a === 'dueTime') return { field: a, prefix: '' };
    if (a === 'steps' && b !== undefined) {
      const key = STEP_KEYS[Number(b)];
      const which = path.endsWith('startDay') ? 'start' : 'end';
      if (key) return { field: `${which}.${key}`, prefix: '' };
    }
    return { field: 'steps', prefix: '' };
  }
  return { field: 'steps', prefix: '' };
}

async function saveCalendar(ctx: WebContext): Promise<WebResult> {
  const { body } = ctx;
  const values: CalendarValues = {
    timezone: body['timezone'] ?? '',
    holidays: body['holidays'] ?? '',
    openTime: body['openTime'] ?? '',
    dueTime: body['dueTime'] ?? '',
    steps: Object.fromEntries(
      STEP_KEYS.map((key) => [
        key,
        { startDay: body[`start.${key}`] ?? '', endDay: body[`end.${key}`] ?? '' },
      ]),
    ) as CalendarValues['steps'],
  };
  const errors: Record<string, string> = {};
  const day = (v: string, field: string): number => {
    if (/^\d{1,2}$/.test(v)) return Number(v);
    errors[field] = 'give a business day of the month as a whole number, 1 to 23';
    return 0;
  };
  const steps = STEP_KEYS.map((key) => ({
    key,
    startDay: day(values.steps[key].startDay, `start.${key}`),
    endDay: day(values.steps[key].endDay, `end.${key}`),
  }));
  if (problemCount(errors)) return calendarPage(ctx, values, errors);
  const holidays = values.holidays
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const problems = await changeOrg(ctx, {
    timezone: values.timezone,
    holidays,
    calendar: { openTime: values.openTime, dueTime: values.dueTime, steps },
  });
  if (!problems)
    return {
      redirect: '/app/admin/calendar',
      notice: 'The calendar is saved. Cycles planned from now on follow it.',
    };
  const out: Record<string, string> = {};
  for (const p of problems) {
    const { field, prefix } = calendarField(p.path, holidays);
    out[field] ??= `${prefix}${p.message}`;
  }
  return calendarPage(ctx, values, out);
}

// ---- Voting rules --------------------------------------------------------------------------

interface VotingValues {
  rule: string;
  quorum: string;
  requiredVoters: string[];
  chairId: string;
  hideResults: boolean;
}

async function votingPage(
  ctx: WebContext,
  values: VotingValues,
  errors: Record<string, string>,
): Promise<WebResult> {
  const members = await ctx.deps.members.all(ctx.session.org.id);
  const eligible = new Set(eligibleVoters(members));
  const shown = members
    .filter((m) => eligible.has(m.id) || values.requiredVoters.includes(m.id) || values.chairId === m.id)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({
      id: m.id,
      name: m.name,
      eligible: eligible.has(m.id),
      required: values.requiredVoters.includes(m.id),
      chair: values.chairId === m.id,
    }));
  const problems = problemCount(errors);
  return {
    page: 'admin-voting',
    title: 'Voting rules',
    status: problems ? 400 : 200,
    data: {
      values,
      errors,
      problems,
      rules: VOTING_RULES.map((r) => ({
        value: r,
        checked: values.rule === r,
        label: r === 'majority' ? 'Majority' : 'Consent',
        hint:
          r === 'majority'
            ? 'The option with most votes wins; the chair decides a tie between the top options.'
            : 'The proposal passes unless someone objects, with a reason.',
      })),
      executives: shown,
      ballotDays: BALLOT_DAYS_AHEAD,
    },
  };
}

function storedVoting(ctx: WebContext): VotingValues {
  const r = ctx.session.org.votingRules;
  return {
    rule: r.rule,
    quorum: String(Math.round(r.quorumShare * 1000) / 10),
    requiredVoters: [...r.requiredVoters],
    chairId: r.chairId ?? '',
    hideResults: r.hideResults,
  };
}

async function saveVoting(ctx: WebContext): Promise<WebResult> {
  const values: VotingValues = {
    rule: ctx.body['rule'] ?? '',
    quorum: ctx.body['quorum'] ?? '',
    requiredVoters: ctx.lists['requiredVoters'] ?? [],
    chairId: ctx.body['chairId'] ?? '',
    hideResults: ctx.body['hideResults'] === 'yes',
  };
  const errors: Record<string, string> = {};
  const quorum = Number(values.quorum.replace('%', '').replace(',', '.'));
  if (!/^\d{1,3}([.,]\d+)?%?$/.test(values.quorum) || quorum > 100)
    errors['quorum'] = 'give a share of the voters from 0 to 100 (per cent)';
  // The ballots refuse a required voter or chair who is not an executive (src/app/ballots.ts): so do the defaults.
  const eligible = new Set(eligibleVoters(await ctx.deps.members.all(ctx.session.org.id)));
  if (values.requiredVoters.some((id) => !eligible.has(id)))
    errors['requiredVoters'] = 'only executives (not delegates) can be required to vote; untick the others';
  if (values.chairId && !eligible.has(values.chairId))
    errors['chairId'] = 'the chair must be an executive (not a delegate)';
  if (problemCount(errors)) return votingPage(ctx, values, errors);
  const problems = await changeOrg(ctx, {
    votingRules: {
      rule: values.rule,
      quorumShare: quorum / 100,
      requiredVoters: [...new Set(values.requiredVoters)],
      chairId: values.chairId || null,
      hideResults: values.hideResults,
    },
  });
  if (!problems)
    return {
      redirect: '/app/admin/voting',
      notice: 'The voting rules are saved. Ballots opened from now on follow them.',
    };
  const fieldOf = (path: string) => {
    const last = path.split('.')[1] ?? '';
    return (
      { rule: 'rule', quorumShare: 'quorum', requiredVoters: 'requiredVoters', chairId: 'chairId' }[last] ??
      'rule'
    );
  };
  return votingPage(ctx, values, fieldErrors(problems, fieldOf));
}

// ---- Meetings ------------------------------------------------------------------------------

interface MeetingValues {
  day: string;
  time: string;
  minutes: string;
  propose: boolean;
}

const MEETING_FIELDS = ['day', 'time', 'minutes'] as const;
const MEETING_FIELD_TEXT: Record<
  (typeof MEETING_FIELDS)[number],
  { label: string; hint: string; type: string; width: string | null }
> = {
  day: {
    label: 'Business day of the step',
    hint: '1 = the first, -1 = the due day',
    type: 'text',
    width: 'short',
  },
  time: { label: 'Local time', hint: 'HH:MM, 24-hour', type: 'time', width: null },
  minutes: { label: 'Length (minutes)', hint: '15 to 240, a multiple of 5', type: 'text', width: 'short' },
};

function meetingsPage(
  ctx: WebContext,
  values: Record<MeetingStep, MeetingValues>,
  errors: Record<string, string>,
): WebResult {
  const problems = problemCount(errors);
  return {
    page: 'admin-meetings',
    title: 'Meetings',
    status: problems ? 400 : 200,
    data: {
      problems,
      timezone: ctx.session.org.timezone,
      meetings: MEETING_STEPS.map((step) => ({
        step,
        // The title without its month: "Pre-S&OP reconciliation", "Executive S&OP".
        title: meetingTitle(step, '').trim(),
        fields: MEETING_FIELDS.map((f) => ({
          id: `ms-${step}-${f}`,
          name: `${step}.${f}`,
          value: values[step][f],
          error: errors[`${step}.${f}`] ?? null,
          ...MEETING_FIELD_TEXT[f],
        })),
        propose: values[step].propose,
        proposeError: errors[`${step}.propose`] ?? null,
      })),
    },
  };
}

function storedMeetings(ctx: WebContext): Record<MeetingStep, MeetingValues> {
  return Object.fromEntries(
    MEETING_STEPS.map((step) => {
      const s = meetingSetting(ctx.session.org, step);
      return [step, { day: String(s.day), time: s.time, minutes: String(s.minutes), propose: s.propose }];
    }),
  ) as Record<MeetingStep, MeetingValues>;
}

async function saveMeetings(ctx: WebContext): Promise<WebResult> {
  const { body } = ctx;
  const values = Object.fromEntries(
    MEETING_STEPS.map((step) => [
      step,
      {
        day: body[`${step}.day`] ?? '',
        time: body[`${step}.time`] ?? '',
        minutes: body[`${step}.minutes`] ?? '',
        propose: body[`${step}.propose`] === 'yes',
      },
    ]),
  ) as Record<MeetingStep, MeetingValues>;
  // A whole number as a number; anything else as sent (the schema says what is wrong with it).
  const whole = (v: string): number | string => (/^-?\d{1,4}$/.test(v) ? Number(v) : v);
  const meetings = Object.fromEntries(
    MEETING_STEPS.map((step) => {
      const v = values[step];
      return [step, { day: whole(v.day), time: v.time, minutes: whole(v.minutes), propose: v.propose }];
    }),
  );
  try {
    await setMeetingSettings(ctx.deps, ctx.session.org.id, { actorId: ctx.session.member.id, meetings });
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'validation_failed') throw err;
    // `meetings.pre-sop.day` -> `pre-sop.day`; a problem with no field of its own goes to the first.
    const fieldOf = (path: string) => {
      const [, step, field] = path.split('.');
      return MEETING_STEPS.includes(step as MeetingStep) &&
        [...MEETING_FIELDS, 'propose'].includes(field ?? '')
        ? `${step}.${field}`
        : `${MEETING_STEPS[0]}.day`;
    };
    const errors = fieldErrors(domainProblems(err.fields), fieldOf);
    if (!problemCount(errors)) errors[`${MEETING_STEPS[0]}.day`] = err.message;
    return meetingsPage(ctx, values, errors);
  }
  return {
    redirect: '/app/admin/meetings',
    notice: 'The meeting settings are saved. Meetings scheduled from now on follow them.',
  };
}

export function adminOrgPages(_deps: Deps): WebRoute[] {
  const base = { nav: 'admin', role: 'process-owner' } as const;
  return [
    webRoute({
      ...base,
      method: 'get',
      path: '/app/admin/calendar',
      handler: async (ctx) => calendarPage(ctx, storedCalendar(ctx), {}),
    }),
    webRoute({ ...base, method: 'post', path: '/app/admin/calendar', handler: saveCalendar }),
    webRoute({
      ...base,
      method: 'get',
      path: '/app/admin/voting',
      handler: (ctx) => votingPage(ctx, storedVoting(ctx), {}),
    }),
    webRoute({ ...base, method: 'post', path: '/app/admin/voting', handler: saveVoting }),
    webRoute({
      ...base,
      method: 'get',
      path: '/app/admin/meetings',
      handler: async (ctx) => meetingsPage(ctx, storedMeetings(ctx), {}),
    }),
    webRoute({ ...base, method: 'post', path: '/app/admin/meetings', handler: saveMeetings }),
  ];
}
