/**
 * Nelder-Mead over a box (every parameter in [lo, hi]): small, dependency-free, deterministic.
 * Used to fit smoothing parameters by minimising the in-sample one-step squared error. It runs
 * some 40 times per series, tens of evaluations each, so it allocates nothing per step: the
 * vertices live in one typed array, ordered through an index, and the objective is handed a
 * reused buffer (it must not keep it).
 */
export interface NelderMeadOptions {
  /** At most this many evaluations (default 120). */
  maxEvals?: number;
  /** Stop when the simplex spans no more than this in every parameter (default 0: never). */
  xtol?: number;
}

export function nelderMead(
  f: (x: readonly number[]) => number,
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
  // The vertices, best first once ordered (plain arrays of doubles: cheaper to make than typed
  // arrays, and a fit makes a few dozen).
  const simplex: number[][] = [];
  const values: number[] = [];
  for (let i = 0; i <= n; i++) {
    const p = start.slice();
    if (i > 0) p[i - 1] = p[i - 1]! + (p[i - 1]! < (lo + hi) / 2 ? step : -step);
    for (let j = 0; j < n; j++) p[j] = clamp(p[j]!);
    simplex.push(p);
  }
  let evals = 0;
  for (let i = 0; i <= n; i++) {
    evals++;
    const v = f(simplex[i]!);
    values.push(Number.isFinite(v) ? v : Number.MAX_VALUE);
  }
  const centroid = start.slice();
  let reflected = start.slice();
  let trial = start.slice();
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
    evals++;
    let fr = f(reflected);
    if (!Number.isFinite(fr)) fr = Number.MAX_VALUE;
    if (fr < values[0]!) {
      for (let j = 0; j < n; j++) trial[j] = clamp(centroid[j]! + 2 * (centroid[j]! - worst[j]!));
      evals++;
      let fe = f(trial);
      if (!Number.isFinite(fe)) fe = Number.MAX_VALUE;
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
      evals++;
      let fc = f(trial);
      if (!Number.isFinite(fc)) fc = Number.MAX_VALUE;
      if (fc < Math.min(fr, values[n]!)) {
        simplex[n] = trial;
        values[n] = fc;
        trial = worst;
      } else {
        const best = simplex[0]!;
        for (let i = 1; i <= n; i++) {
          const p = simplex[i]!;
          for (let j = 0; j < n; j++) p[j] = clamp(best[j]! + 0.5 * (p[j]! - best[j]!));
          evals++;
          const v = f(p);
          values[i] = Number.isFinite(v) ? v : Number.MAX_VALUE;
        }
      }
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { x: simplex[bestIndex]!, fx: values[bestIndex]!, evals };
}
