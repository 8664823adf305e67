/**
 * Nelder-Mead over a box (every parameter in [lo, hi]): small, dependency-free, deterministic.
 * Used to fit smoothing parameters by minimising the in-sample one-step squared error. It runs
 * some 20 times per series, tens of evaluations each, so it allocates nothing per evaluation: the
 * vertices are reused arrays (the objective must not keep the one it is handed) and the
 * objective writes its value into a reused cell.
 */
export interface NelderMeadOptions {
  /** At most this many evaluations (default 120). */
  maxEvals?: number;
  /** Stop when the simplex spans no more than this in every parameter (default 0: never). */
  xtol?: number;
}

export function nelderMead(
  /**
   * The objective at x, written to out[0] (a double returned from a call that is not inlined
   * would be boxed: a small allocation per evaluation, a thousand per series).
   */
  f: (x: readonly number[], out: Float64Array) => void,
  start: readonly number[],
  bounds: { lo: number; hi: number },
  options: NelderMeadOptions = {},
): { x: number[]; fx: number; evals: number } {
  const { lo, hi } = bounds;
  const maxEvals = options.maxEvals ?? 120;
  const xtol = options.xtol ?? 0;
  // the first simplex: each parameter moved this far from the start, towards the box's middle
  const step = 0.15;
  // stop when the vertices' values agree to this, relative to the best
  const tolerance = 1e-10;
  const n = start.length;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  const ws = workspace(n);
  const { simplex, values, centroid, out } = ws;
  let { reflected, trial } = ws;
  // The vertices, best first once ordered.
  for (let i = 0; i <= n; i++) {
    const p = simplex[i]!;
    for (let j = 0; j < n; j++) p[j] = start[j]!;
    if (i > 0) p[i - 1] = p[i - 1]! + (p[i - 1]! < (lo + hi) / 2 ? step : -step);
    for (let j = 0; j < n; j++) p[j] = clamp(p[j]!);
  }
  let evals = 0;
  const score = (x: readonly number[]) => {
    evals++;
    f(x, out);
    const v = out[0]!;
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  for (let i = 0; i <= n; i++) values[i] = score(simplex[i]!);
  while (evals < maxEvals) {
    // Order the vertices by value (a stable insertion sort: ties keep their order).
    for (let i = 1; i <= n; i++) {
      const v = values[i]!;
      const p = simplex[i]!;
      let j = i - 1;
      while (j >= 0 && values[j]! > v) {
        values[j + 1] = values[j]!;
        simplex[j + 1] = simplex[j]!;
        j--;
      }
      values[j + 1] = v;
      simplex[j + 1] = p;
    }
    if (Math.abs(values[n]! - values[0]!) <= tolerance * (Math.abs(values[0]!) + 1e-12)) break;
    if (xtol > 0) {
      let size = 0;
      const b = simplex[0]!;
      for (let i = 1; i <= n; i++) {
        const p = simplex[i]!;
        for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(p[j]! - b[j]!));
      }
      if (size <= xtol) break;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += simplex[i]![j]!;
      centroid[j] = s / n;
    }
    const worst = simplex[n]!;
    // reflected = centroid + (centroid - worst), clamped into the box
    for (let j = 0; j < n; j++) reflected[j] = clamp(centroid[j]! + 1 * (centroid[j]! - worst[j]!));
    const fr = score(reflected);
    if (fr < values[0]!) {
      for (let j = 0; j < n; j++) trial[j] = clamp(centroid[j]! + 2 * (centroid[j]! - worst[j]!));
      const fe = score(trial);
      // the accepted point becomes the vertex; the old vertex's array the next scratch
      if (fe < fr) {
        simplex[n] = trial;
        values[n] = fe;
        trial = worst;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
        reflected = worst;
      }
    } else if (fr < values[n - 1]!) {
      simplex[n] = reflected;
      values[n] = fr;
      reflected = worst;
    } else {
      const t = fr < values[n]! ? 0.5 : -0.5;
      for (let j = 0; j < n; j++) trial[j] = clamp(centroid[j]! + t * (centroid[j]! - worst[j]!));
      const fc = score(trial);
      if (fc < Math.min(fr, values[n]!)) {
        simplex[n] = trial;
        values[n] = fc;
        trial = worst;
      } else {
        const best = simplex[0]!;
        for (let i = 1; i <= n; i++) {
          const p = simplex[i]!;
          for (let j = 0; j < n; j++) p[j] = clamp(best[j]! + 0.5 * (p[j]! - best[j]!));
          values[i] = score(p);
        }
      }
    }
  }
  // the scratch arrays may have traded places with vertices
  ws.reflected = reflected;
  ws.trial = trial;
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { x: simplex[bestIndex]!.slice(), fx: values[bestIndex]!, evals };
}

/** The arrays of a search in n dimensions: the n + 1 vertices, their values, and scratch. */
interface Workspace {
  simplex: number[][];
  values: number[];
  centroid: number[];
  reflected: number[];
  trial: number[];
  /** Where the objective writes its value. */
  out: Float64Array;
}

/**
 * One workspace per dimension, reused by every search (a series runs a few dozen, each of
 * which would otherwise make its own arrays). Searches never nest: an objective does not search.
 */
const workspaces: Workspace[] = [];

function workspace(n: number): Workspace {
  const zeros = () => new Array<number>(n).fill(0);
  return (workspaces[n] ??= {
    simplex: Array.from({ length: n + 1 }, zeros),
    values: new Array<number>(n + 1).fill(0),
    centroid: zeros(),
    reflected: zeros(),
    trial: zeros(),
    out: new Float64Array(1),
  });
}
