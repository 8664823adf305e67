/** The LP solver port, and its HiGHS (WebAssembly) adapter: loaded once per process, on first use. */
import highsImport from 'highs';
import { planMixPriced } from '../domain/aggregate.js';
import { buildMixModel, type MixInput, type MixLevers, type MixPlan } from '../domain/mix.js';

// highs ships CommonJS types for an ES module default export: take the loader from either shape.
type Loader = typeof highsImport.default;
const highsLoader: Loader =
  (highsImport as unknown as { default?: Loader }).default ?? (highsImport as unknown as Loader);

export interface LpResult {
  status: string;
  columns: Record<string, { Primal: number }>;
  /** The rows' duals, by name. */
  duals: Record<string, number>;
}

export interface LpSolver {
  solve(lp: string): Promise<LpResult>;
}

const encoder = new TextEncoder();

export function highsSolver(): LpSolver {
  let highs: ReturnType<typeof highsLoader> | null = null;
  return {
    async solve(lp) {
      highs ??= highsLoader();
      // As bytes: given a string, the WebAssembly file system converts it a character at a time
      // into a JavaScript array (it was a quarter of a pack's LP time); bytes it copies as they are.
      const bytes = encoder.encode(lp) as unknown as string;
      const result = (await highs).solve(bytes, {
        output_flag: false,
        // These LPs are small and sparse; presolve costs about five times the solve itself.
        presolve: 'off',
        simplex_strategy: 1, // dual simplex
      });
      // Only the primal values and the duals: the result crosses threads, and HiGHS gives eight
      // fields per column and row.
      const columns: Record<string, { Primal: number }> = {};
      if ('Columns' in result)
        for (const [name, c] of Object.entries(result.Columns as Record<string, { Primal: number }>))
          columns[name] = { Primal: c.Primal };
      const duals: Record<string, number> = {};
      if ('Rows' in result)
        for (const row of result.Rows as { Name: string; Dual?: number }[]) duals[row.Name] = row.Dual ?? 0;
      return { status: result.Status, columns, duals };
    },
  };
}

/** Solves the least-cost supply mix with the given levers. */
export async function planMix(solver: LpSolver, input: MixInput, levers?: MixLevers): Promise<MixPlan> {
  const model = buildMixModel(input, levers);
  const { status, columns } = await solver.solve(model.lp);
  if (status !== 'Optimal') throw new Error(`the supply-mix LP ended ${status}`);
  return model.decode(status, columns);
}

/**
 * From this many families, the LP is solved for the families that move only, the others fixed at
 * the no-lever plan and priced (src/domain/aggregate.ts): the same optimum, from LPs a few percent
 * of the size. Measured (bench/README.md, "LP aggregation"): faster from about 20 families on
 * (1,000: 66-254 ms against 1.5-2.1 s per solve); below, the full LP costs about what a round does.
 */
export const PRICED_FROM_FAMILIES = 20;

/**
 * Solves independent groups of families (sharing no capacity) as one LP, the per-solve overhead
 * being most of the cost for small ones, and returns one plan per group.
 */
export async function planMixGroups(
  solver: LpSolver,
  input: MixInput,
  levers: MixLevers,
  groups: ReadonlySet<string>[],
): Promise<MixPlan[]> {
  if (input.families.length >= PRICED_FROM_FAMILIES) {
    const priced = await planMixPriced((lp) => solver.solve(lp), input, levers);
    if (priced) return groups.map((g) => priced.plan(g));
  }
  const model = buildMixModel(input, levers);
  const { status, columns } = await solver.solve(model.lp);
  if (status !== 'Optimal') throw new Error(`the supply-mix LP ended ${status}`);
  return groups.map((g) => model.decode(status, columns, g));
}
