/**
 * Nelder-Mead over a box (every parameter in [lo, hi]): small, dependency-free, deterministic.
 * Used to fit smoothing parameters by minimising the in-sample one-step squared error.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  bounds: { lo: number; hi: number },
  maxEvals = 120,
): { x: number[]; fx: number } {
  const clamp = (x: number[]) => x.map((v) => Math.min(bounds.hi, Math.max(bounds.lo, v)));
  const n = start.length;
  let evals = 0;
  const score = (x: number[]) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  let simplex = [clamp(start)];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i] = p[i]! + (p[i]! < (bounds.lo + bounds.hi) / 2 ? 0.15 : -0.15);
    simplex.push(clamp(p));
  }
  let values = simplex.map(score);
  while (evals < maxEvals) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    simplex = order.map(([, i]) => simplex[i]!);
    values = order.map(([v]) => v);
    if (Math.abs(values[n]! - values[0]!) <= 1e-10 * (Math.abs(values[0]!) + 1e-12)) break;
    const centroid = Array.from(
      { length: n },
      (_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j]!, 0) / n,
    );
    const worst = simplex[n]!;
    const along = (t: number) => clamp(centroid.map((c, j) => c + t * (c - worst[j]!)));
    const reflected = along(1);
    const fr = score(reflected);
    if (fr < values[0]!) {
      const expanded = along(2);
      const fe = score(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = along(fr < values[n]! ? 0.5 : -0.5);
      const fc = score(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        const best = simplex[0]!;
        for (let i = 1; i <= n; i++) {
          simplex[i] = clamp(simplex[i]!.map((v, j) => best[j]! + 0.5 * (v - best[j]!)));
          values[i] = score(simplex[i]!);
        }
      }
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return { x: simplex[bestIndex]!, fx: values[bestIndex]! };
}
