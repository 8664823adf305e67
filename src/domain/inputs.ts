/** What each kind of input says, validated field by field (the same schemas serve REST and chat forms). */
import { z } from 'zod';
import type { InputKind } from './obligations.js';
import { ISO_MONTH } from './time.js';

const month = z.string().regex(ISO_MONTH, 'must be a month as YYYY-MM');
const reason = z.string().trim().min(3, 'say why in a few words').max(500, 'at most 500 characters');
const change = z.object({
  type: z.enum(['percent', 'units']),
  value: z.number().finite(),
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
          change: change.refine((c) => c.type !== 'percent' || c.value >= -100, {
            message: 'a percentage cut cannot exceed -100%',
            path: ['value'],
          }),
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
          supplierLimit: z.number().nonnegative('must be zero or more').optional(),
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
        revenue: z.number().nonnegative('must be zero or more').optional(),
        marginPercent: z.number().min(-100).max(100).optional(),
      }),
    )
    .min(1, 'give at least one target')
    .max(400),
  comment: z.string().max(2000).optional(),
});

export const dataConfirmationPayload = z.object({
  /** The dataset version this cycle plans with; the latest one when left out. */
  datasetVersion: z.number().int('a whole version number').min(1).optional(),
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

export const INPUT_TITLES: Record<InputKind, string> = {
  'data-confirmation': 'Confirm the data set',
  'demand-adjustments': 'Demand adjustments',
  'supply-constraints': 'Supply constraints',
  'finance-targets': 'Finance targets',
  attendance: 'Meeting attendance',
};
