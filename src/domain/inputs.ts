/** What each kind of input says, validated field by field (the same schemas serve REST and chat forms). */
import { z } from 'zod';
import { ANY_AMOUNT, boundedNumber, NON_NEGATIVE, PERCENT_CHANGE, SERIAL } from './numbers.js';
import type { InputKind } from './obligations.js';
import { ISO_MONTH, monthProblem, type Window } from './time.js';

const month = z.string().regex(ISO_MONTH, 'must be a month as YYYY-MM');
const reason = z.string().trim().min(3, 'say why in a few words').max(500, 'at most 500 characters');
/** A change in percent of the baseline (-100 to 1000) or in units per month (at most 1e12 either way). */
const change = z
  .object({
    type: z.enum(['percent', 'units']),
    value: boundedNumber(ANY_AMOUNT),
  })
  .superRefine((c, ctx) => {
    if (c.type !== 'percent') return;
    if (c.value < PERCENT_CHANGE.min)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage cut cannot exceed -100%' });
    if (c.value > PERCENT_CHANGE.max)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage rise cannot exceed 1000%' });
  });

function orderedRange<T extends { from: string; to: string }>(v: T, ctx: z.RefinementCtx): void {
  if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
}

export const demandAdjustmentsPayload = z.object({
  adjustments: z
    .array(
      z
        .object({
          family: z.string().trim().min(1, 'name the product family').max(100),
          from: month,
          to: month,
          change,
          reason,
          confidence: z.enum(['low', 'medium', 'high']).default('medium'),
        })
        .superRefine(orderedRange),
    )
    .max(200, 'at most 200 adjustments per submission'),
  comment: z.string().max(2000).optional(),
});

export const supplyConstraintsPayload = z.object({
  constraints: z
    .array(
      z
        .object({
          resource: z.string().trim().min(1, 'name the resource').max(100),
          from: month,
          to: month,
          capacityChange: change.optional(),
          supplierLimit: boundedNumber(NON_NEGATIVE).optional(),
          leadTimeChangeDays: z.number().int('whole days').min(-365).max(365).optional(),
          reason,
        })
        .superRefine(orderedRange)
        .refine(
          (c) => c.capacityChange || c.supplierLimit !== undefined || c.leadTimeChangeDays !== undefined,
          {
            message: 'give a capacity change, a supplier limit or a lead-time change',
            path: ['capacityChange'],
          },
        ),
    )
    .max(200, 'at most 200 constraints per submission'),
  comment: z.string().max(2000).optional(),
});

export const financeTargetsPayload = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  targets: z
    .array(
      z.object({
        period: month,
        family: z.string().trim().min(1).max(100).optional(),
        revenue: boundedNumber(NON_NEGATIVE).optional(),
        marginPercent: z.number().min(-100).max(100).optional(),
      }),
    )
    .min(1, 'give at least one target')
    .max(400),
  comment: z.string().max(2000).optional(),
});

export const dataConfirmationPayload = z.object({
  /** The dataset version this cycle plans with; the latest one when left out. */
  datasetVersion: boundedNumber(SERIAL).optional(),
  notes: z.string().max(2000).optional(),
});

export const attendancePayload = z
  .object({
    response: z.enum(['attending', 'declined', 'delegate']),
    delegateId: z.string().optional(),
    note: z.string().max(500).optional(),
  })
  .refine((a) => a.response !== 'delegate' || !!a.delegateId, {
    message: 'name the delegate who attends for you',
    path: ['delegateId'],
  });

export const INPUT_PAYLOADS = {
  'data-confirmation': dataConfirmationPayload,
  'demand-adjustments': demandAdjustmentsPayload,
  'supply-constraints': supplyConstraintsPayload,
  'finance-targets': financeTargetsPayload,
  attendance: attendancePayload,
} satisfies Record<InputKind, z.ZodType>;

/**
 * Months of a payload outside the plan's horizon (the months the cycle plans), as field path ->
 * message: an adjustment, constraint or target for a month the plan does not have would be stored
 * and silently ignored. Reads any payload (checked or not), so its problems join the schema's.
 */
export function inputMonthProblems(kind: InputKind, data: unknown, horizon: Window): Record<string, string> {
  const problems: Record<string, string> = {};
  const check = (path: string, value: unknown) => {
    const problem = typeof value === 'string' ? monthProblem(value, horizon) : null;
    if (problem) problems[path] = problem;
  };
  const rows = (key: string): Record<string, unknown>[] => {
    const list = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : null;
    return Array.isArray(list)
      ? list.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
      : [];
  };
  if (kind === 'demand-adjustments' || kind === 'supply-constraints') {
    const key = kind === 'demand-adjustments' ? 'adjustments' : 'constraints';
    rows(key).forEach((r, i) => {
      check(`${key}.${i}.from`, r['from']);
      check(`${key}.${i}.to`, r['to']);
    });
  }
  if (kind === 'finance-targets')
    rows('targets').forEach((r, i) => check(`targets.${i}.period`, r['period']));
  return problems;
}

export const INPUT_TITLES: Record<InputKind, string> = {
  'data-confirmation': 'Confirm the data set',
  'demand-adjustments': 'Demand adjustments',
  'supply-constraints': 'Supply constraints',
  'finance-targets': 'Finance targets',
  attendance: 'Meeting attendance',
};
