/**
 * Nelder-Mead over a box (every parameter in [lo, hi]): small, dependency-free, deterministic.
 * Used to fit smoothing parameters by minimising the in-sample one-step squared error. Written
 * with plain loops (it runs some 40 times per series, tens of evaluations each).
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  bounds: { lo: number; hi: number },
  maxEvals = 120,
): { x: number[]; fx: number } {
  const { lo, hi } = bounds;
  const clampInto = (out: number[]) => {
    for (let j = 0; j < out.length; j++) out[j] = Math.min(hi, Math.max(lo, out[j]!));
    return out;
  };
  const n = start.length;
  let evals = 0;
  const score = (x: number[]) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  let simplex: number[][] = [clampInto([...start])];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i] = p[i]! + (p[i]! < (lo + hi) / 2 ? 0.15 : -0.15);
    simplex.push(clampInto(p));
  }
  let values = simplex.map(score);
  const centroid = new Array<number>(n);
  const along = (t: number, worst: number[]) => {
    const out = new Array<number>(n);
    for (let j = 0; j < n; j++) out[j] = centroid[j]! + t * (centroid[j]! - worst[j]!);
    return clampInto(out);
  };
  while (evals < maxEvals) {
    // Order the vertices by value (a stable insertion sort: ties keep their order).
    const order = values.map((_, i) => i);
    for (let i = 1; i <= n; i++) {
      const k = order[i]!;
      let j = i - 1;
      while (j >= 0 && values[order[j]!]! > values[k]!) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = k;
    }
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[n]! - values[0]!) <= 1e-10 * (Math.abs(values[0]!) + 1e-12)) break;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += simplex[i]![j]!;
      centroid[j] = s / n;
    }
    const worst = simplex[n]!;
    const reflected = along(1, worst);
    const fr = score(reflected);
    if (fr < values[0]!) {
      const expanded = along(2, worst);
      const fe = score(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = along(fr < values[n]! ? 0.5 : -0.5, worst);
      const fc = score(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        const best = simplex[0]!;
        for (let i = 1; i <= n; i++) {
          simplex[i] = clampInto(simplex[i]!.map((v, j) => best[j]! + 0.5 * (v - best[j]!)));
          values[i] = score(simplex[i]!);
        }
      }
    }
  }
  let bestIndex = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { x: simplex[bestIndex]!, fx: values[bestIndex]! };
}
