/** Presenters: the only place that decides what a message says. Domain values in, cards out. */
import { STEP_TITLES, type StepKey } from '../domain/calendar.js';
import { INPUT_TITLES } from '../domain/inputs.js';
import type { InputKind } from '../domain/obligations.js';
import type { ReminderKind } from '../domain/manners.js';
import { formatLocal } from '../domain/time.js';
import type { Card } from './card.js';
import type { Copy } from './copy.js';

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
        ],
      },
    ],
  };
}

/** The pack summary for the S&OP channel: the top gaps, the trade-offs with their recommendation, a chart, the links. */
export function presentPack(p: {
  month: string;
  version: number;
  datasetVersion: number;
  summary: {
    revenue: number;
    margin: number;
    marginPercent: number;
    gapUnits: number;
    marginAtRisk: number;
    fillRate: number;
  };
  gaps: {
    familyName: string;
    resource: string | null;
    period: string;
    shortfallUnits: number;
    marginAtRisk: number;
  }[];
  tradeoffs: {
    question: string;
    recommended: string;
    options: { key: string; label: string; cost: number; lostMargin: number }[];
  }[];
  chart: { url: string; alt: string } | null;
  htmlUrl: string;
}): Card {
  const n = (v: number) => fmtUnits(v);
  const blocks: Card['blocks'] = [
    { type: 'header', text: `Pre-S&OP pack ${p.month} (v${p.version})` },
    {
      type: 'fields',
      fields: [
        { label: 'Revenue', value: n(p.summary.revenue) },
        { label: 'Margin', value: `${n(p.summary.margin)} (${p.summary.marginPercent.toFixed(1)}%)` },
        {
          label: 'Gap before levers',
          value: `${n(p.summary.gapUnits)} units, ${n(p.summary.marginAtRisk)} margin at risk`,
        },
        { label: 'Fill rate, recommended plan', value: `${(p.summary.fillRate * 100).toFixed(1)}%` },
      ],
    },
  ];
  if (p.gaps.length)
    blocks.push({
      type: 'table',
      columns: ['Family', 'Resource', 'Month', 'Units short', 'Margin at risk'],
      rows: p.gaps.slice(0, 5).map((g) => ({
        cells: [g.familyName, g.resource ?? '-', g.period, n(g.shortfallUnits), n(g.marginAtRisk)],
      })),
    });
  for (const t of p.tradeoffs.slice(0, 3)) {
    const rec = t.options.find((o) => o.key === t.recommended);
    blocks.push({
      type: 'text',
      text: `${t.question} Options: ${t.options.map((o) => `${o.label} (cost ${n(o.cost)}, margin lost ${n(o.lostMargin)})`).join('; ')}. Recommended: ${rec?.label ?? t.recommended}.`,
    });
  }
  if (p.tradeoffs.length > 3)
    blocks.push({ type: 'text', text: `${p.tradeoffs.length - 3} more trade-off(s) in the full pack.` });
  if (p.chart) blocks.push({ type: 'image', url: p.chart.url, alt: p.chart.alt });
  blocks.push({
    type: 'actions',
    buttons: [{ action: 'link.open', label: 'Open the full pack', value: p.htmlUrl, style: 'primary' }],
  });
  return {
    summary: `Pre-S&OP pack ${p.month} is ready: ${p.tradeoffs.length} trade-off(s) to decide, ${n(p.summary.gapUnits)} units short before levers.`,
    blocks,
  };
}

function fmtUnits(v: number): string {
  const r = Math.round(v);
  return (r < 0 ? '-' : '') + String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A ballot: its options, the count (or only "N of M voted" while hidden), one button per option. */
export function presentBallot(v: {
  ballot: {
    id: string;
    title: string;
    options: { key: string; label: string; meaning: string }[];
    status: string;
    deadline: Date;
    source: { recommended: string } | null;
  };
  tally: { counts: Record<string, number>; voted: number; eligible: number; quorum: { met: boolean } };
  hidden: boolean;
}): Card {
  const b = v.ballot;
  const counts = v.hidden
    ? `${v.tally.voted} of ${v.tally.eligible} voted`
    : b.options.map((o) => `${o.label}: ${v.tally.counts[o.key] ?? 0}`).join(' · ');
  return {
    summary: `Ballot: ${b.title}`,
    blocks: [
      { type: 'header', text: b.title },
      ...b.options.map((o) => ({
        type: 'text' as const,
        text: `${o.label}${o.meaning ? `: ${o.meaning}` : ''}`,
      })),
      {
        type: 'text',
        text: `${counts}. Quorum ${v.tally.quorum.met ? 'met' : 'not met yet'}. ${b.status === 'open' ? `Closes ${b.deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC; you can change your vote until then.` : 'Closed.'}`,
      },
      ...(b.status === 'open'
        ? [
            {
              type: 'input' as const,
              id: `why:${b.id}`,
              label: 'Why (optional, kept with your vote)',
              placeholder: 'A sentence for the record',
            },
            {
              type: 'actions' as const,
              buttons: b.options.map((o) => ({
                action: 'ballot.vote',
                label: o.label,
                value: `${b.id}:${o.key}`,
                ...(o.key === b.source?.recommended ? { style: 'primary' as const } : {}),
              })),
            },
          ]
        : []),
    ],
  };
}

/**
 * A recorded decision, for everyone who voted or runs the process. `assign` adds the process
 * owner's button that opens the form assigning an owner and a due date to an action.
 */
export function presentDecision(
  d: {
    id: string;
    title: string;
    status: string;
    optionLabel: string | null;
    rationale: string;
    tally: { counts: Record<string, number>; voted: number; eligible: number };
  },
  opts: { assign?: boolean } = {},
): Card {
  const outcome =
    d.status === 'decided'
      ? `Decided: ${d.optionLabel}`
      : d.status === 'no-quorum'
        ? 'Not decided: the quorum was missed'
        : d.status === 'objected'
          ? 'Not decided: there were objections'
          : 'Not decided: no majority';
  return {
    summary: `${d.title}: ${outcome}`,
    blocks: [
      { type: 'header', text: d.title },
      {
        type: 'text',
        text: `${outcome}. ${d.tally.voted} of ${d.tally.eligible} voted.${d.rationale ? ` ${d.rationale}` : ''}`,
      },
      {
        type: 'fields',
        fields: Object.entries(d.tally.counts).map(([label, n]) => ({ label, value: String(n) })),
      },
      ...(opts.assign
        ? [
            {
              type: 'actions' as const,
              buttons: [{ action: 'decision.assign', label: 'Assign an action', value: d.id }],
            },
          ]
        : []),
    ],
  };
}

/** An action item for its owner: what, why (the decision), when, and the button that closes it. */
export function presentAction(a: {
  id: string;
  description: string;
  dueDate: string;
  decisionTitle: string;
  assignedBy: string;
}): Card {
  return {
    summary: `New action for you: ${a.description} (due ${a.dueDate})`,
    blocks: [
      { type: 'header', text: 'A new S&OP action for you' },
      { type: 'text', text: a.description },
      {
        type: 'fields',
        fields: [
          { label: 'Due', value: a.dueDate },
          { label: 'Decision', value: a.decisionTitle },
          { label: 'Assigned by', value: a.assignedBy },
        ],
      },
      {
        type: 'actions',
        buttons: [{ action: 'action.done', label: 'Mark done', value: a.id, style: 'primary' }],
      },
    ],
  };
}
