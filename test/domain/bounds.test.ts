/**
 * Properties of the bounds on what comes in: whatever a schema or a row check accepts holds only
 * finite numbers within 1e12 and months inside their window, for any input fast-check can make
 * (NaN, infinities, 1e308, -0, hex and other strings included).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DATA_MONTHS, parseRow, TABLE_COLUMNS, TABLES } from '../../src/domain/dataset.js';
import { INPUT_PAYLOADS, inputMonthProblems } from '../../src/domain/inputs.js';
import {
  ANY_AMOUNT,
  boundedNumber,
  MAX_MAGNITUDE,
  NON_NEGATIVE,
  numberProblem,
  PERCENT_CHANGE,
  SERIAL,
} from '../../src/domain/numbers.js';
import { whatIfProblems, whatIfSchema } from '../../src/domain/whatif.js';

/** Every number anywhere in a value. */
function numbersIn(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.flatMap(numbersIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(numbersIn);
  return [];
}
const bounded = (v: unknown) => numbersIn(v).every((n) => Number.isFinite(n) && Math.abs(n) <= MAX_MAGNITUDE);

/** Numbers as they come: ordinary ones, edges of the bounds, and the hostile ones. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -2000, max: 2000 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, 1e12, -1e12, 1e12 + 1, -100, 1000, 1000.5),
);
const anyMonth = fc.oneof(
  fc.constantFrom('0000-01', '1900-01', '9999-12', '2027-13', '2027-00', '27-01', ''),
  fc
    .tuple(fc.integer({ min: 2025, max: 2030 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
);
const change = fc.record({ type: fc.constantFrom('percent', 'units'), value: anyNumber });

describe('numbers', () => {
  it('boundedNumber (zod) and numberProblem accept exactly the same values', () => {
    fc.assert(
      fc.property(anyNumber, fc.constantFrom(ANY_AMOUNT, NON_NEGATIVE, PERCENT_CHANGE, SERIAL), (v, b) => {
        expect(boundedNumber(b).safeParse(v).success).toBe(numberProblem(v, b) === null);
      }),
    );
  });
});

describe('input payloads', () => {
  const payloads = fc.oneof(
    fc.record({
      adjustments: fc.array(
        fc.record({
          family: fc.constant('F1'),
          from: anyMonth,
          to: anyMonth,
          change,
          reason: fc.constant('why not'),
        }),
        { maxLength: 3 },
      ),
    }),
    fc.record({
      constraints: fc.array(
        fc.record(
          {
            resource: fc.constant('L1'),
            from: anyMonth,
            to: anyMonth,
            capacityChange: change,
            supplierLimit: anyNumber,
            leadTimeChangeDays: anyNumber,
            reason: fc.constant('why not'),
          },
          { requiredKeys: ['resource', 'from', 'to', 'reason'] },
        ),
        { maxLength: 3 },
      ),
    }),
    fc.record({
      currency: fc.constant('EUR'),
      targets: fc.array(
        fc.record(
          { period: anyMonth, revenue: anyNumber, marginPercent: anyNumber },
          { requiredKeys: ['period'] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    fc.record({ datasetVersion: anyNumber }),
  );

  it('any payload a schema accepts holds only finite numbers within 1e12, and percent changes within -100..1000', () => {
    let accepted = 0;
    fc.assert(
      fc.property(payloads, (payload) => {
        for (const [kind, schema] of Object.entries(INPUT_PAYLOADS)) {
          const parsed = schema.safeParse(payload);
          if (!parsed.success) continue;
          accepted++;
          expect(bounded(parsed.data)).toBe(true);
          const changes = [
            ...(
              (parsed.data as { adjustments?: { change: { type: string; value: number } }[] }).adjustments ??
              []
            ).map((a) => a.change),
            ...(
              (parsed.data as { constraints?: { capacityChange?: { type: string; value: number } }[] })
                .constraints ?? []
            ).flatMap((c) => (c.capacityChange ? [c.capacityChange] : [])),
          ];
          for (const c of changes)
            if (c.type === 'percent') expect(numberProblem(c.value, PERCENT_CHANGE)).toBeNull();
          // A payload with no month problem has its months inside the window.
          const window = { from: '2027-03', to: '2028-08' };
          const problems = inputMonthProblems(kind as keyof typeof INPUT_PAYLOADS, parsed.data, window);
          const months = JSON.stringify(parsed.data).match(/\d{4}-\d{2}/g) ?? [];
          if (!Object.keys(problems).length)
            for (const m of months) expect(m >= window.from && m <= window.to).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    // The property is not vacuous: many generated payloads pass.
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('data set rows', () => {
  const numberCell = fc.oneof(
    anyNumber.map(String),
    fc.constantFrom('0x10', '1e400', '-1e400', '1,000', '1.5e3', '+7', '.5', 'lots', '  12  ', '1 000', ''),
  );
  const cellFor = (kind: string): fc.Arbitrary<string> =>
    kind === 'text'
      ? fc.constantFrom('F1', 'L1', 'x'.repeat(201))
      : kind === 'month'
        ? anyMonth
        : kind === 'resourceKind'
          ? fc.constantFrom('line', 'Plant', 'boat')
          : numberCell;
  const rows = fc
    .constantFrom(...TABLES)
    .chain((table) =>
      fc.tuple(fc.constant(table), fc.tuple(...TABLE_COLUMNS[table].map((c) => cellFor(c.kind)))),
    );

  it('any row parseRow accepts holds finite numbers within 1e12 and months from 1900-01 to 2199-12', () => {
    let accepted = 0;
    fc.assert(
      fc.property(rows, ([table, cells]) => {
        const columns = TABLE_COLUMNS[table];
        const out = parseRow(table, Object.fromEntries(columns.map((c, i) => [c.name, cells[i]])));
        if (!('row' in out)) return;
        accepted++;
        expect(bounded(out.row)).toBe(true);
        for (const c of columns) {
          const v = out.row[c.name];
          if (c.kind === 'month') expect(v! >= DATA_MONTHS.from && v! <= DATA_MONTHS.to).toBe(true);
          if (c.kind === 'nonNegative' || c.kind === 'wholeNonNegative')
            expect(v as number).toBeGreaterThanOrEqual(0);
          if (c.kind === 'positive') expect(v as number).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
    // The property is not vacuous: many generated rows pass.
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('what-ifs', () => {
  const scope = {
    horizon: { from: '2027-03', to: '2028-08' },
    families: new Set(['F1', 'F2']),
    resources: new Set(['L1']),
  };
  const range = {
    from: fc.option(anyMonth, { nil: undefined }),
    to: fc.option(anyMonth, { nil: undefined }),
  };
  const one = <T>(item: fc.Arbitrary<T>) =>
    fc.option(
      item.map((x) => [x]),
      { nil: undefined },
    );
  const whatIfs = fc.record(
    {
      name: fc.constant('x'),
      demand: one(fc.record({ ...range, families: fc.constant(['F1']), percent: anyNumber })),
      capacity: one(
        fc.record(
          { ...range, resource: fc.constantFrom('L1', 'NOPE'), percent: anyNumber, units: anyNumber },
          { requiredKeys: ['resource'] },
        ),
      ),
      costs: one(fc.record({ kind: fc.constant('overtime' as const), percent: anyNumber })),
    },
    { requiredKeys: ['name'] },
  );

  it('any what-if that passes the schema and the pack checks has bounded numbers and ranges in order inside the horizon', () => {
    let accepted = 0;
    fc.assert(
      fc.property(whatIfs, (w) => {
        const parsed = whatIfSchema.safeParse(w);
        if (!parsed.success || Object.keys(whatIfProblems(parsed.data, scope)).length) return;
        accepted++;
        expect(bounded(parsed.data)).toBe(true);
        for (const r of [...(parsed.data.demand ?? []), ...(parsed.data.capacity ?? [])]) {
          const from = r.from ?? scope.horizon.from;
          const to = r.to ?? scope.horizon.to;
          expect(from <= to && from >= scope.horizon.from && to <= scope.horizon.to).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
