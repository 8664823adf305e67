/**
 * Consensus demand: the statistical baseline plus each function's adjustments, with provenance
 * kept per family and month (a waterfall), and forecast value added once actuals arrive.
 * Percent changes are taken on the baseline, so adjustments add up whatever their order.
 */
export interface Adjustment {
  /** Who made it: the function and the author (member id or name). */
  function: string;
  author: string;
  family: string;
  from: string;
  to: string;
  change: { type: 'percent' | 'units'; value: number };
  reason: string;
}

export interface ConsensusCell {
  period: string;
  baseline: number;
  /** Each adjustment's effect on this month, in the order given. */
  steps: { function: string; author: string; delta: number; reason: string }[];
  consensus: number;
}

export interface ConsensusFamily {
  family: string;
  cells: ConsensusCell[];
  /** Totals over the horizon: baseline -> each function's total change -> consensus. */
  waterfall: { label: string; value: number }[];
}

/** A percent change is taken on the month's baseline; a units change applies to each month of its range. */
function deltaFor(a: Adjustment, baseline: number): number {
  return a.change.type === 'percent' ? (baseline * a.change.value) / 100 : a.change.value;
}

export function consensusDemand(
  baseline: Map<string, { period: string; value: number }[]>,
  adjustments: Adjustment[],
): ConsensusFamily[] {
  const out: ConsensusFamily[] = [];
  for (const [family, series] of baseline) {
    const mine = adjustments.filter((a) => a.family === family);
    const cells = series.map(({ period, value }) => {
      const steps = mine
        .filter((a) => a.from <= period && period <= a.to)
        .map((a) => ({
          function: a.function,
          author: a.author,
          delta: deltaFor(a, value),
          reason: a.reason,
        }));
      const raw = value + steps.reduce((s, x) => s + x.delta, 0);
      return { period, baseline: value, steps, consensus: Math.max(0, raw) };
    });
    const total = (f: (c: ConsensusCell) => number) => cells.reduce((s, c) => s + f(c), 0);
    const functions = [...new Set(mine.map((a) => a.function))];
    const waterfall = [
      { label: 'baseline', value: total((c) => c.baseline) },
      ...functions.map((fn) => ({
        label: fn,
        value: total((c) => c.steps.filter((s) => s.function === fn).reduce((s, x) => s + x.delta, 0)),
      })),
    ];
    // A cut below zero is floored; the floor shows as its own bar so the waterfall still adds up.
    const floored = total((c) => c.consensus) - waterfall.reduce((s, w) => s + w.value, 0);
    if (Math.abs(floored) > 1e-9) waterfall.push({ label: 'floor at zero', value: floored });
    waterfall.push({ label: 'consensus', value: total((c) => c.consensus) });
    out.push({ family, cells, waterfall });
  }
  return out;
}

export interface ValueAdded {
  function: string;
  /** Mean absolute error of the baseline, and of the baseline plus this function's changes. */
  baselineMae: number;
  adjustedMae: number;
  /** Positive: the function's adjustments made the forecast better. */
  valueAdded: number;
  months: number;
}

/** Forecast value added per function, over the months that have actuals. */
export function forecastValueAdded(
  families: ConsensusFamily[],
  actuals: Map<string, Map<string, number>>,
): ValueAdded[] {
  const byFunction = new Map<string, { base: number; adjusted: number; n: number }>();
  for (const f of families) {
    const real = actuals.get(f.family);
    if (!real) continue;
    for (const c of f.cells) {
      const actual = real.get(c.period);
      if (actual === undefined) continue;
      for (const fn of new Set(c.steps.map((s) => s.function))) {
        const delta = c.steps.filter((s) => s.function === fn).reduce((s, x) => s + x.delta, 0);
        const acc = byFunction.get(fn) ?? { base: 0, adjusted: 0, n: 0 };
        acc.base += Math.abs(actual - c.baseline);
        acc.adjusted += Math.abs(actual - Math.max(0, c.baseline + delta));
        acc.n++;
        byFunction.set(fn, acc);
      }
    }
  }
  return [...byFunction.entries()].map(([fn, a]) => ({
    function: fn,
    baselineMae: a.base / a.n,
    adjustedMae: a.adjusted / a.n,
    valueAdded: (a.base - a.adjusted) / a.n,
    months: a.n,
  }));
}
