/**
 * Forecast accuracy tracked over cycles: each pack keeps its P10/P50/P90 and consensus per family
 * and month (its family chunks); when a later dataset brings the actuals, the earlier packs are
 * scored against them (src/domain/trackRecord.ts), per family, in total, and per function's
 * adjustments (FVA). Read on demand: nothing is stored twice.
 */
import {
  scoreFamily,
  valueAdded,
  type Score,
  type ScoredMonth,
  type ValueAdded,
} from '../domain/trackRecord.js';
import { familyPage } from './packDetails.js';
import type { Deps } from './ports.js';
import type { DatasetRecord, PackRecord } from './records.js';

export interface PackTrackRecord {
  cycleId: string;
  month: string;
  packVersion: number;
  /** The dataset the pack planned with, and the one whose actuals scored it. */
  datasetVersion: number;
  scoredWith: number;
  /** The months scored (after the pack's own history ended, with an actual). */
  from: string | null;
  to: string | null;
  total: { statistical: Score; consensus: Score };
  valueAdded: ValueAdded[];
  familiesScored: number;
  /** The families furthest off (consensus wMAPE), at most `limit`. */
  families: { family: string; name: string; statistical: Score; consensus: Score }[];
}

const PAGE = 250;

/** Shipments by family and period, from one dataset version's history table. */
async function actualsOf(deps: Pick<Deps, 'datasets'>, orgId: string, dataset: DatasetRecord) {
  const out = new Map<string, Map<string, number>>();
  for await (const chunk of deps.datasets.rows(orgId, dataset, 'history'))
    for (const r of chunk) {
      const family = String(r['family']);
      const value = Number(r['shipments']);
      if (!Number.isFinite(value)) continue;
      let byPeriod = out.get(family);
      if (!byPeriod) out.set(family, (byPeriod = new Map<string, number>()));
      byPeriod.set(String(r['period']), value);
    }
  return out;
}

const mean = (xs: number[]) => {
  const ok = xs.filter(Number.isFinite);
  return ok.length ? ok.reduce((s, x) => s + x, 0) / ok.length : Number.NaN;
};

/** Scores one pack against the actuals; null when none of its months has an actual yet. */
async function scorePack(
  deps: Pick<Deps, 'packs'>,
  pack: PackRecord<{ month: string; familyChunks: Record<string, number> }>,
  actuals: Map<string, Map<string, number>>,
  scoredWith: number,
  limit: number,
): Promise<PackTrackRecord | null> {
  const all: ScoredMonth[] = [];
  const families: PackTrackRecord['families'] = [];
  const familyMase = { statistical: [] as number[], consensus: [] as number[] };
  for (let start: number | null = 0; start !== null;) {
    const page = await familyPage(deps, pack, start, PAGE);
    for (const d of page.items) {
      const shipped = actuals.get(d.family);
      const lastKnown = d.history.at(-1)?.period ?? '';
      const months: ScoredMonth[] = [];
      for (const m of d.months) {
        const actual = shipped?.get(m.period);
        if (actual === undefined || m.period <= lastKnown) continue;
        months.push({
          period: m.period,
          actual,
          p10: m.p10,
          p50: m.p50,
          p90: m.p90,
          consensus: m.consensus,
          steps: m.steps.map((s) => ({ function: s.function, delta: s.delta })),
        });
      }
      if (!months.length) continue;
      const s = scoreFamily(
        months,
        d.history.map((h) => h.value),
      );
      families.push({ family: d.family, name: d.name, ...s });
      familyMase.statistical.push(s.statistical.mase);
      familyMase.consensus.push(s.consensus.mase);
      all.push(...months);
    }
    start = page.next;
  }
  if (!all.length) return null;
  // Pooled over families; MASE (scale-free per family) as the mean of the families'.
  const pooled = scoreFamily(all, []);
  const periods = all.map((x) => x.period).sort();
  families.sort((a, b) => (b.consensus.wmape || 0) - (a.consensus.wmape || 0));
  return {
    cycleId: pack.cycleId,
    month: pack.content.month,
    packVersion: pack.version,
    datasetVersion: pack.datasetVersion,
    scoredWith,
    from: periods[0] ?? null,
    to: periods.at(-1) ?? null,
    total: {
      statistical: { ...pooled.statistical, mase: mean(familyMase.statistical) },
      consensus: { ...pooled.consensus, mase: mean(familyMase.consensus) },
    },
    valueAdded: valueAdded(all),
    familiesScored: families.length,
    families: families.slice(0, limit),
  };
}

/**
 * The track record of the org's packs (the latest of each cycle) against the actuals of a dataset
 * version (the latest unless given): only packs built on an earlier version are scored.
 */
export async function trackRecord(
  deps: Pick<Deps, 'datasets' | 'packs' | 'cycles'>,
  orgId: string,
  opts: { datasetVersion?: number | undefined; limit?: number; exceptCycle?: string } = {},
): Promise<{ scoredWith: number | null; packs: PackTrackRecord[] }> {
  const dataset = opts.datasetVersion
    ? await deps.datasets.byVersion(orgId, opts.datasetVersion)
    : await deps.datasets.latest(orgId);
  if (!dataset) return { scoredWith: null, packs: [] };
  const cycles = (await deps.cycles.list(orgId, { limit: 100, after: null })).items
    .filter((c) => c.id !== opts.exceptCycle)
    .sort((a, b) => b.month.localeCompare(a.month));
  const packs: PackTrackRecord[] = [];
  let actuals: Map<string, Map<string, number>> | null = null;
  for (const c of cycles) {
    const pack = (await deps.packs.latest(orgId, c.id)) as PackRecord<{
      month: string;
      familyChunks: Record<string, number>;
    }> | null;
    if (!pack || pack.datasetVersion >= dataset.version) continue;
    actuals ??= await actualsOf(deps, orgId, dataset);
    const scored = await scorePack(deps, pack, actuals, dataset.version, opts.limit ?? 20);
    if (scored) packs.push(scored);
  }
  return { scoredWith: dataset.version, packs };
}
