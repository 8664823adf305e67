/**
 * Nelder-Mead over a box (every parameter in [lo, hi]): small, dependency-free, deterministic.
 * Used to fit smoothing parameters by minimising the in-sample one-step squared error. It runs
 * some 40 times per series, tens of evaluations each, so it allocates nothing per step: the
 * vertices live in one typed array, ordered through an index, and the objective is handed a
 * reused buffer (it must not keep it).
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  start: readonly number[],
  bounds: { lo: number; hi: number },
  maxEvals = 120,
): { x: number[]; fx: number } {
  const { lo, hi } = bounds;
  const n = start.length;
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  // Vertex i is row i of `points`; `order` lists the rows from best to worst.
  const points = new Float64Array((n + 1) * n);
  const values = new Float64Array(n + 1);
  const order = new Int32Array(n + 1);
  const centroid = new Float64Array(n);
  const reflected = new Float64Array(n);
  const trial = new Float64Array(n);
  let evals = 0;
  const score = (x: Float64Array) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  const rows = Array.from({ length: n + 1 }, (_, i) => points.subarray(i * n, i * n + n));
  const row = (i: number) => rows[i]!;
  for (let i = 0; i <= n; i++) {
    const p = row(i);
    for (let j = 0; j < n; j++) p[j] = start[j]!;
    if (i > 0) p[i - 1] = p[i - 1]! + (p[i - 1]! < (lo + hi) / 2 ? 0.15 : -0.15);
    for (let j = 0; j < n; j++) p[j] = clamp(p[j]!);
    order[i] = i;
  }
  for (let i = 0; i <= n; i++) values[i] = score(row(i));
  /** out = centroid + t (centroid - worst), clamped into the box. */
  const along = (t: number, worst: Float64Array, out: Float64Array) => {
    for (let j = 0; j < n; j++) out[j] = clamp(centroid[j]! + t * (centroid[j]! - worst[j]!));
    return out;
  };
  while (evals < maxEvals) {
    // Order the vertices by value (a stable insertion sort: ties keep their order).
    for (let i = 1; i <= n; i++) {
      const k = order[i]!;
      let j = i - 1;
      while (j >= 0 && values[order[j]!]! > values[k]!) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = k;
    }
    const bestRow = order[0]!;
    const worstRow = order[n]!;
    if (Math.abs(values[worstRow]! - values[bestRow]!) <= 1e-10 * (Math.abs(values[bestRow]!) + 1e-12)) break;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += points[order[i]! * n + j]!;
      centroid[j] = s / n;
    }
    const worst = row(worstRow);
    along(1, worst, reflected);
    const fr = score(reflected);
    if (fr < values[bestRow]!) {
      along(2, worst, trial);
      const fe = score(trial);
      if (fe < fr) {
        worst.set(trial);
        values[worstRow] = fe;
      } else {
        worst.set(reflected);
        values[worstRow] = fr;
      }
    } else if (fr < values[order[n - 1]!]!) {
      worst.set(reflected);
      values[worstRow] = fr;
    } else {
      along(fr < values[worstRow]! ? 0.5 : -0.5, worst, trial);
      const fc = score(trial);
      if (fc < Math.min(fr, values[worstRow]!)) {
        worst.set(trial);
        values[worstRow] = fc;
      } else {
        const best = row(bestRow);
        for (let i = 1; i <= n; i++) {
          const p = row(order[i]!);
          for (let j = 0; j < n; j++) p[j] = clamp(best[j]! + 0.5 * (p[j]! - best[j]!));
          values[order[i]!] = score(p);
        }
      }
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[order[i]!]! < values[order[bestIndex]!]!) bestIndex = i;
  const bestRow = order[bestIndex]!;
  return { x: Array.from(row(bestRow)), fx: values[bestRow]! };
}
