/** The LP solver port, and its HiGHS (WebAssembly) adapter: loaded once per process, on first use. */
import highsImport from 'highs';
import { buildMixModel, type MixInput, type MixLevers, type MixPlan } from '../domain/mix.js';

// highs ships CommonJS types for an ES module default export: take the loader from either shape.
type Loader = typeof highsImport.default;
const highsLoader: Loader =
  (highsImport as unknown as { default?: Loader }).default ?? (highsImport as unknown as Loader);

export interface LpResult {
  status: string;
  columns: Record<string, { Primal: number }>;
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
      // Only the primal values: the result crosses threads, and HiGHS gives eight fields per column.
      const columns: Record<string, { Primal: number }> = {};
      if ('Columns' in result)
        for (const [name, c] of Object.entries(result.Columns as Record<string, { Primal: number }>))
          columns[name] = { Primal: c.Primal };
      return { status: result.Status, columns };
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
 * Solves independent groups of families (sharing no capacity) as one LP, the per-solve overhead
 * being most of the cost for small ones, and returns one plan per group.
 */
export async function planMixGroups(
  solver: LpSolver,
  input: MixInput,
  levers: MixLevers,
  groups: ReadonlySet<string>[],
): Promise<MixPlan[]> {
  const model = buildMixModel(input, levers);
  const { status, columns } = await solver.solve(model.lp);
  if (status !== 'Optimal') throw new Error(`the supply-mix LP ended ${status}`);
  return groups.map((g) => model.decode(status, columns, g));
}
