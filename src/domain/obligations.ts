/**
 * Who owes which input at which step. Step 1: the process owner confirms the data set; step 2: sales
 * and marketing adjust demand; step 3: operations, procurement and logistics give constraints;
 * step 4: finance gives targets and every functional leader confirms attendance; step 5: every
 * executive confirms attendance (their votes come with ballots).
 */
import type { StepKey } from './calendar.js';
import type { MemberView } from './people.js';

export const INPUT_KINDS = [
  'data-confirmation',
  'demand-adjustments',
  'supply-constraints',
  'finance-targets',
  'attendance',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export interface Obligation {
  /** Stable within a cycle: `step:kind[:function|:memberId]`. */
  key: string;
  step: StepKey;
  kind: InputKind;
  function: string | null;
  /** Members who owe it; any one of them (or a delegate, or a process owner) fulfils it. */
  owners: string[];
}

const STEP_FUNCTIONS: { step: StepKey; kind: InputKind; functions: string[] }[] = [
  { step: 'demand-planning', kind: 'demand-adjustments', functions: ['sales', 'marketing'] },
  {
    step: 'supply-planning',
    kind: 'supply-constraints',
    functions: ['operations', 'procurement', 'logistics'],
  },
  { step: 'pre-sop', kind: 'finance-targets', functions: ['finance'] },
];

function leadersOf(members: MemberView[], fn: string): string[] {
  return members
    .filter((m) => m.roles.includes('functional-leader') && m.functions.includes(fn))
    .map((m) => m.id);
}

export function obligationsFor(orgFunctions: readonly string[], members: MemberView[]): Obligation[] {
  const out: Obligation[] = [];
  out.push({
    key: 'data-gathering:data-confirmation',
    step: 'data-gathering',
    kind: 'data-confirmation',
    function: null,
    owners: members.filter((m) => m.roles.includes('process-owner')).map((m) => m.id),
  });
  for (const group of STEP_FUNCTIONS) {
    for (const fn of group.functions.filter((f) => orgFunctions.includes(f))) {
      out.push({
        key: `${group.step}:${group.kind}:${fn}`,
        step: group.step,
        kind: group.kind,
        function: fn,
        owners: leadersOf(members, fn),
      });
    }
  }
  for (const m of members.filter((x) => x.roles.includes('functional-leader') && x.delegation === null)) {
    out.push({
      key: `pre-sop:attendance:${m.id}`,
      step: 'pre-sop',
      kind: 'attendance',
      function: null,
      owners: [m.id],
    });
  }
  for (const m of members.filter((x) => x.roles.includes('executive') && x.delegation === null)) {
    out.push({
      key: `executive-sop:attendance:${m.id}`,
      step: 'executive-sop',
      kind: 'attendance',
      function: null,
      owners: [m.id],
    });
  }
  return out;
}

/**
 * May `actor` submit for an obligation owed by `owners`? Owners, their delegates and process owners may.
 */
export function maySubmit(actor: MemberView, owners: readonly string[]): boolean {
  if (owners.includes(actor.id)) return true;
  if (actor.delegation && owners.includes(actor.delegation.of)) return true;
  return actor.roles.includes('process-owner');
}
