/** Presenters for the cycle's steps: prompts, reminders, reopenings, escalations, the status. */
import { STEP_KEYS, STEP_TITLES, type StepKey } from '../../domain/calendar.js';
import { INPUT_TITLES } from '../../domain/inputs.js';
import type { InputKind } from '../../domain/obligations.js';
import type { ReminderKind } from '../../domain/manners.js';
import { formatLocal } from '../../domain/time.js';
import { webLinkBlock, webUrl, type Card, type CardBlock } from '../card.js';
import type { Copy } from '../copy.js';

export interface InputContext {
  cycleId: string;
  month: string;
  step: StepKey;
  requestId: string;
  kind: InputKind;
  function: string | null;
  dueAt: Date;
  /** The recipient's time zone: every date a person sees is in theirs. */
  timezone: string;
}

function inputCopyContext(c: InputContext) {
  return {
    stepTitle: STEP_TITLES[c.step],
    month: c.month,
    inputTitle: INPUT_TITLES[c.kind].toLowerCase(),
    function: c.function,
    due: formatLocal(c.dueAt, c.timezone),
  };
}

function inputFields(c: InputContext) {
  return {
    type: 'fields' as const,
    fields: [
      { label: 'Cycle', value: c.month },
      { label: 'Step', value: STEP_TITLES[c.step] },
      { label: 'Input', value: INPUT_TITLES[c.kind] + (c.function ? ` (${c.function})` : '') },
      { label: 'Due', value: formatLocal(c.dueAt, c.timezone) },
    ],
  };
}

function openFormButton(c: InputContext) {
  return {
    type: 'actions' as const,
    buttons: [
      { action: 'input.open', label: 'Open the form', value: c.requestId, style: 'primary' as const },
      { action: 'link.open', label: 'On the web', value: webUrl(`/app/inputs/${c.requestId}`) },
    ],
  };
}

export function presentStepPrompt(copy: Copy, c: InputContext): Card {
  const text = copy('step-prompt', inputCopyContext(c));
  return {
    summary: text,
    blocks: [
      { type: 'header', text: `${STEP_TITLES[c.step]}: ${INPUT_TITLES[c.kind]}` },
      { type: 'text', text },
      inputFields(c),
      openFormButton(c),
    ],
  };
}

export function presentStepReopened(copy: Copy, c: InputContext, reason: string): Card {
  const text = copy('step-reopened', { ...inputCopyContext(c), reason });
  return {
    summary: text,
    blocks: [
      { type: 'header', text: `${STEP_TITLES[c.step]} reopened` },
      { type: 'text', text },
      inputFields(c),
      openFormButton(c),
    ],
  };
}

export function presentReminder(copy: Copy, c: InputContext, kind: ReminderKind): Card {
  const text = copy(kind === 'before-due' ? 'reminder-before-due' : 'reminder-due-day', inputCopyContext(c));
  return { summary: text, blocks: [{ type: 'text', text }, inputFields(c), openFormButton(c)] };
}

export interface MissingInput {
  kind: InputKind;
  function: string | null;
  owners: string[];
}

export function presentEscalation(
  copy: Copy,
  e: {
    cycleId: string;
    month: string;
    step: StepKey;
    dueAt: Date;
    timezone: string;
    missing: MissingInput[];
  },
): Card {
  const text = copy('escalation', {
    stepTitle: STEP_TITLES[e.step],
    month: e.month,
    due: formatLocal(e.dueAt, e.timezone),
    missingCount: e.missing.length,
    single: e.missing.length === 1,
  });
  return {
    summary: text,
    blocks: [
      { type: 'header', text: `Overdue: ${STEP_TITLES[e.step]}` },
      { type: 'text', text },
      {
        type: 'table',
        columns: ['Input', 'Owed by'],
        rows: e.missing.map((m) => ({
          cells: [
            INPUT_TITLES[m.kind] + (m.function ? ` (${m.function})` : ''),
            m.owners.length ? m.owners.join(', ') : 'nobody assigned',
          ],
        })),
      },
      {
        type: 'actions',
        buttons: [
          { action: 'step.extend', label: 'Extend by a business day', value: `${e.cycleId}:${e.step}` },
          {
            action: 'step.close',
            label: 'Close without them',
            value: `${e.cycleId}:${e.step}`,
            style: 'danger',
          },
          {
            action: 'link.open',
            label: 'The cycle board',
            value: webUrl(`/app/cycles/${e.cycleId}#step-${e.step}`),
          },
        ],
      },
    ],
  };
}

/** The cycle's five steps: when each opens and is due (in `tz`) and its status. */
export function timelineTable(
  cycle: { steps: { key: StepKey; opensAt: Date; dueAt: Date; status: string }[] },
  tz: string,
): CardBlock {
  return {
    type: 'table',
    columns: ['Step', 'Opens', 'Due', 'Status'],
    rows: cycle.steps.map((s) => ({
      cells: [STEP_TITLES[s.key], formatLocal(s.opensAt, tz), formatLocal(s.dueAt, tz), s.status],
    })),
  };
}

/** The current cycle: its timeline, and who still owes what in each open step. */
export function presentStatus(
  s: {
    cycle: {
      month: string;
      status: string;
      steps: { key: StepKey; opensAt: Date; dueAt: Date; status: string }[];
    };
    owing: {
      step: { key: StepKey };
      owed: { kind: InputKind; function: string | null; owners: string[] }[];
    }[];
  } | null,
  tz: string,
): Card {
  if (!s)
    return {
      summary: 'No S&OP cycle is planned yet.',
      blocks: [{ type: 'text', text: 'No S&OP cycle is planned yet.' }],
    };
  const openTitles = s.owing.map((o) => STEP_TITLES[o.step.key]);
  return {
    summary: `S&OP cycle ${s.cycle.month}: ${openTitles.length ? `${openTitles.join(' and ')} ${openTitles.length > 1 ? 'are' : 'is'} open` : s.cycle.status}`,
    blocks: [
      { type: 'header', text: `S&OP cycle ${s.cycle.month}` },
      timelineTable(s.cycle, tz),
      ...(s.owing.length
        ? s.owing.map(({ step, owed }) => ({
            type: 'text' as const,
            text: owed.length
              ? `Still owed for ${STEP_TITLES[step.key]}: ${owed.map((r) => `${INPUT_TITLES[r.kind]}${r.function ? ` (${r.function})` : ''}: ${r.owners.join(', ')}`).join('; ')}`
              : `Everything for ${STEP_TITLES[step.key]} is in.`,
          }))
        : [{ type: 'text' as const, text: 'No step is open right now.' }]),
      webLinkBlock('/app/board', 'The cycle board in Accord'),
    ],
  };
}

/** The pre-S&OP step opened and no pack could be built: the process owner hears why. */
export function presentPackMissing(month: string, reason: string): Card {
  const text = `Pre-S&OP ${month} is open but there is no pack: ${reason}`;
  return { summary: text, blocks: [{ type: 'text', text }] };
}

/** The process owner's answer to "Extend by a business day" (one line). */
export function presentStepExtended(
  title: string,
  r: { dueAt: Date; reopened: boolean },
  tz: string,
): string {
  return `${title} is ${r.reopened ? 'open again and' : 'now'} due ${formatLocal(r.dueAt, tz)}; whoever still owes an input is told and reminded as usual.`;
}

/** The process owner's answer to "Close without them" (one line). */
export function presentStepClosed(title: string, r: { alreadyClosed: boolean }): string {
  return r.alreadyClosed
    ? `${title} is already closed; it stays as it is.`
    : `${title} is closed without the missing inputs.`;
}

/** The step an escalation's button names (`cycleId:step`, as presentEscalation writes it), or null. */
export function readStepButton(value: string): { cycleId: string; step: StepKey } | null {
  const [cycleId = '', step = ''] = value.split(':');
  return /^[a-f0-9]{24}$/.test(cycleId) && (STEP_KEYS as readonly string[]).includes(step)
    ? { cycleId, step: step as StepKey }
    : null;
}
