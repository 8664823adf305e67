/**
 * What a what-if may say: its shape and bounds (one zod schema for REST and the chat form) and its
 * checks against the pack it runs on: month ranges ordered and inside the pack's horizon, families
 * and resources the pack has. A what-if that passes changes something the plan can see.
 */
import { z } from 'zod';
import { ANY_AMOUNT, boundedNumber, PERCENT_CHANGE } from './numbers.js';
import type { WhatIf } from './plan.js';
import { ISO_MONTH, monthProblem, type Window } from './time.js';

const month = z.string().regex(ISO_MONTH, 'must be a month as YYYY-MM (01-12)');
const percent = boundedNumber(PERCENT_CHANGE);

export const whatIfSchema = z
  .object({
    name: z.string().trim().min(1).max(120).default('What-if'),
    demand: z
      .array(
        z.object({
          families: z.array(z.string().min(1).max(100)).max(1000).optional(),
          from: month.optional(),
          to: month.optional(),
          percent,
        }),
      )
      .max(50)
      .optional(),
    capacity: z
      .array(
        z
          .object({
            resource: z.string().min(1).max(100),
            from: month.optional(),
            to: month.optional(),
            percent: percent.optional(),
            units: boundedNumber(ANY_AMOUNT)
              .describe('units per month, added to each month of the range')
              .optional(),
          })
          .refine((c) => c.percent !== undefined || c.units !== undefined, {
            message: 'give percent or units',
            path: ['percent'],
          }),
      )
      .max(50)
      .optional(),
    costs: z
      .array(z.object({ kind: z.enum(['overtime', 'alternates', 'holding', 'unit_cost']), percent }))
      .max(10)
      .optional(),
  })
  .refine((w) => (w.demand?.length ?? 0) + (w.capacity?.length ?? 0) + (w.costs?.length ?? 0) > 0, {
    message: 'change something: demand, capacity or costs',
    path: ['demand'],
  });

/** What a pack offers a what-if: its planning months and what it plans. */
export interface WhatIfScope {
  horizon: Window;
  families: ReadonlySet<string>;
  resources: ReadonlySet<string>;
}

/**
 * A range's problems as `from`/`to` -> message: each end a month inside the horizon, `to` not
 * before `from`. An end left out means the horizon's own end.
 */
export function rangeProblems(r: { from?: string | undefined; to?: string | undefined }, horizon: Window) {
  const problems: { from?: string; to?: string } = {};
  if (r.from !== undefined) {
    const p = monthProblem(r.from, horizon);
    if (p) problems.from = p;
  }
  if (r.to !== undefined) {
    const p = monthProblem(r.to, horizon);
    if (p) problems.to = p;
  }
  if (r.from !== undefined && r.to !== undefined && !problems.from && !problems.to && r.to < r.from)
    problems.to = `must be on or after from (${r.from})`;
  return problems;
}

/** The what-if's problems against its pack, as field path -> message (empty: it can run). */
export function whatIfProblems(w: WhatIf, scope: WhatIfScope): Record<string, string> {
  const fields: Record<string, string> = {};
  const range = (path: string, r: { from?: string | undefined; to?: string | undefined }) => {
    for (const [end, problem] of Object.entries(rangeProblems(r, scope.horizon)))
      fields[`${path}.${end}`] = problem;
  };
  (w.demand ?? []).forEach((d, i) => {
    range(`demand.${i}`, d);
    const unknown = [...new Set((d.families ?? []).filter((f) => !scope.families.has(f)))];
    if (unknown.length)
      fields[`demand.${i}.families`] = `not in this pack: ${unknown.slice(0, 10).join(', ')}`;
  });
  (w.capacity ?? []).forEach((c, i) => {
    range(`capacity.${i}`, c);
    if (!scope.resources.has(c.resource))
      fields[`capacity.${i}.resource`] = `not in this pack: ${c.resource}`;
  });
  return fields;
}
