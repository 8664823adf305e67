/**
 * The statistical baseline of a pack, fitted once: each family's forecast is kept by a hash of
 * what it was fitted on (its history, the horizon, the forecasting code's version), so a rebuild, a
 * later cycle on the same data, or a new dataset version where a family's history did not change
 * reuses it. Misses are forecast on the worker threads. The org's cache lives in the store and, for
 * the orgs planned most recently, in this process.
 */
import { createHash } from 'node:crypto';
import type { Accuracy } from '../domain/forecast/forecast.js';
import { cachedForecast, fromCache, pooledAccuracy, type CachedForecast } from '../domain/forecast/pooled.js';
import { baselineOf, baselineSeries, horizonPeriods, type Baseline, type PlanData } from '../domain/plan.js';
import { monthName, monthNumber } from '../domain/time.js';
import { loadPlanData } from './planData.js';
import type { Deps, ForecastCacheRepo } from './ports.js';
import { currentCycle } from './queries.js';
import type { DatasetRecord } from './records.js';

/** Change it whenever the forecasting code changes its results: older entries then miss. */
export const FORECAST_VERSION = 'issue-13.3';

export function forecastKey(values: number[], horizon: number): string {
  return createHash('sha256')
    .update(`${FORECAST_VERSION}|${horizon}|${values.join(',')}`)
    .digest('base64url');
}

export interface ForecastedBaselines {
  base: Baseline[];
  /** Pooled backtest accuracy over every family (from the per-family sums, cached or not). */
  accuracy: Accuracy;
  methods: Record<string, number>;
  /** Families whose forecast came from the cache. */
  cached: number;
}

export async function forecastBaselines(
  deps: Pick<Deps, 'compute' | 'forecasts' | 'clock'>,
  orgId: string,
  data: PlanData,
  periods: string[],
): Promise<ForecastedBaselines> {
  // A warm-up still fitting this org's forecasts: wait for it rather than fit them twice.
  await warmingFor.get(orgId);
  return fitBaselines(deps, orgId, data, periods);
}

async function fitBaselines(
  deps: Pick<Deps, 'compute' | 'forecasts' | 'clock'>,
  orgId: string,
  data: PlanData,
  periods: string[],
): Promise<ForecastedBaselines> {
  const series = baselineSeries(data, periods);
  const values = series.map((s) => s.history.map((h) => h.value));
  const keys = series.map((s, i) => forecastKey(values[i]!, s.horizon));
  const cache = await deps.forecasts.load(orgId);
  const missing = keys.flatMap((k, i) => (cache.has(k) ? [] : [i]));
  const fitted = await deps.compute.forecast(
    missing.map((i) => ({ history: values[i]!, horizon: series[i]!.horizon })),
  );
  const fresh = new Map(missing.map((i, n) => [keys[i]!, cachedForecast(fitted[n]!)]));
  const entries = new Map<string, CachedForecast>();
  for (const k of keys) entries.set(k, fresh.get(k) ?? cache.get(k)!);
  // Kept: this build's entries only (a cache the size of the company, not of its history).
  if (missing.length || entries.size !== cache.size)
    await deps.forecasts.save(orgId, entries, deps.clock.now());
  const methods: Record<string, number> = {};
  const base = series.map((s, i) => {
    const f = entries.get(keys[i]!)!;
    methods[f.method] = (methods[f.method] ?? 0) + 1;
    return baselineOf(s, fromCache(f), periods.length);
  });
  return {
    base,
    accuracy: pooledAccuracy(
      keys.map((k) => entries.get(k)!.sums),
      values,
      12,
    ),
    methods,
    cached: series.length - missing.length,
  };
}

/**
 * The store's cache with the orgs planned most recently kept in this process too (up to
 * `maxEntries` forecasts in all): a rebuild or what-if reads nothing from the store.
 */
export function rememberedForecasts(store: ForecastCacheRepo, maxEntries = 50_000): ForecastCacheRepo {
  const kept = new Map<string, Map<string, CachedForecast>>();
  const remember = (orgId: string, entries: Map<string, CachedForecast>) => {
    kept.delete(orgId);
    kept.set(orgId, entries);
    let total = [...kept.values()].reduce((s, e) => s + e.size, 0);
    for (const [org, e] of kept) {
      if (total <= maxEntries || org === orgId) break;
      kept.delete(org);
      total -= e.size;
    }
  };
  return {
    async load(orgId) {
      const mine = kept.get(orgId) ?? (await store.load(orgId));
      remember(orgId, mine);
      return mine;
    },
    async save(orgId, entries, now) {
      await store.save(orgId, entries, now);
      remember(orgId, entries);
    },
  };
}

/**
 * A new dataset version's forecasts, fitted as soon as it is stored (step 1), for the horizon the
 * org's open cycle plans (or, with none open, the cycle of the month after the data ends): the
 * pack built when pre-S&OP opens finds them in the cache. Returns the families fitted.
 */
export function warmForecasts(deps: Deps, orgId: string, dataset: DatasetRecord): Promise<number> {
  const run = fitAhead(deps, orgId, dataset).finally(() => {
    if (warmingFor.get(orgId) === run) warmingFor.delete(orgId);
  });
  warmingFor.set(
    orgId,
    run.catch(() => 0),
  );
  return run;
}

/** The warm-ups running, by org. */
const warmingFor = new Map<string, Promise<number>>();

async function fitAhead(deps: Deps, orgId: string, dataset: DatasetRecord): Promise<number> {
  const org = await deps.orgs.get(orgId);
  if (!org) return 0;
  const data = await loadPlanData(deps, orgId, dataset);
  if (!data.families.length || !data.history.length) return 0;
  const cycle = await currentCycle(deps, org);
  const last = data.history.reduce((m, h) => (h.period > m ? h.period : m), data.history[0]!.period);
  const month = cycle && cycle.status !== 'closed' ? cycle.month : monthName(monthNumber(last) + 1);
  const warmed = await fitBaselines(deps, orgId, data, horizonPeriods(month, org.horizonMonths));
  return data.families.length - warmed.cached;
}

const warming = new Set<Promise<unknown>>();

/**
 * Runs `work` after the answer has gone (a warm-up: if it fails, the first pack fits the forecasts
 * itself); `warmedUp` waits for what is still running (a closing service, the tests).
 */
export function inBackground(work: () => Promise<unknown>): void {
  const p: Promise<unknown> = work()
    .catch(() => undefined)
    .finally(() => warming.delete(p));
  warming.add(p);
}

export async function warmedUp(): Promise<void> {
  while (warming.size) await Promise.all([...warming]);
}
