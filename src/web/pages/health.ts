/**
 * Process health and maturity: the S&OP maturity stage estimated from what the company did (stage N
 * of 5, each stage's description, each criterion grouped by its stage with met or not and its
 * evidence sentence, the next steps), the process-health KPIs of each cycle in a table with the last
 * cycle's direction per measure, and each function's forecast value added in the last cycle. Anyone
 * signed in may read it (the monthly health card links here).
 */
import { processHealth } from '../../app/health.js';
import type { Deps } from '../../app/ports.js';
import {
  HEALTH_MEASURES,
  type HealthDirection,
  type HealthKpis,
  type HealthMeasure,
} from '../../domain/health.js';
import { MATURITY_STAGES, type MaturityStageNumber } from '../../domain/maturity.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';

/** What a measure's column is called and how its values read. */
const MEASURES: Record<HealthMeasure, { label: string; format: (v: number) => string }> = {
  inputsOnTime: { label: 'Inputs on time', format: (v) => pct(v) },
  executiveAttendance: { label: 'Executive attendance', format: (v) => pct(v) },
  decisionsMadeShare: { label: 'Items decided', format: (v) => pct(v) },
  deferredShare: { label: 'Items deferred', format: (v) => pct(v) },
  decisionLatencyHours: { label: 'Decision latency (hours, median)', format: (v) => v.toFixed(1) },
  followThroughOnTime: { label: 'Actions done on time', format: (v) => pct(v) },
  forecastMape: { label: 'Forecast error (MAPE)', format: (v) => pct(v) },
  forecastBias: { label: 'Forecast bias', format: (v) => signedPct(v) },
  soeRaised: { label: 'S&OE alerts raised', format: (v) => String(v) },
  soeAcknowledgedShare: { label: 'S&OE alerts answered', format: (v) => pct(v) },
  soeDecidedShare: { label: 'S&OE alerts decided', format: (v) => pct(v) },
};

/** A short name for each maturity criterion (the evidence sentence says the rest). */
const CRITERIA: Record<string, string> = {
  'statistical-baseline': 'One dataset with a statistical baseline',
  'inputs-on-time': 'Inputs arrive on time',
  'executive-meeting-held': 'The executive meeting is held',
  'executives-attend': 'Executives attend',
  'decisions-made': 'Items are decided',
  'follow-through': 'Actions are done on time',
  'decision-latency': 'Decisions come within a week',
  'soe-acknowledged': 'S&OE alerts are answered',
  'soe-acted-on': 'S&OE alerts are acted on',
  'forecast-bias': 'The forecast is unbiased',
  'fva-positive': "Every function's adjustments add value",
  'soe-fast': 'S&OE alerts are answered within a day',
  consistency: 'Every cycle runs in full',
};

const DIRECTIONS: Record<Exclude<HealthDirection, null>, string> = {
  better: 'Better',
  worse: 'Worse',
  flat: 'Steady',
};

const NOT_MEASURED = 'not measured';

function pct(v: number): string {
  return `${Math.round(v * 100)}%`;
}

function signedPct(v: number): string {
  const p = Math.round(v * 1000) / 10;
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p)}%`;
}

/** A KPI cell: its text, and whether it was measured. */
function cell(kpis: HealthKpis, measure: HealthMeasure): { text: string; measured: boolean } {
  const v = kpis[measure];
  return v === null
    ? { text: NOT_MEASURED, measured: false }
    : { text: MEASURES[measure].format(v), measured: true };
}

/** Forecast value added in points of MAPE, signed: positive = the function's adjustments helped. */
function fvaPoints(delta: number): string {
  const p = Math.round(delta * 1000) / 10;
  const n = Math.abs(p);
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${n} point${n === 1 ? '' : 's'}`;
}

async function page(ctx: WebContext): Promise<WebResult> {
  const { maturity, cycles, trend } = await processHealth(ctx.deps, ctx.session.org.id);
  const stages = ([1, 2, 3, 4, 5] as MaturityStageNumber[]).map((n) => ({
    number: n,
    name: MATURITY_STAGES[n].name,
    description: MATURITY_STAGES[n].description,
    current: n === maturity.stage,
    reached: n <= maturity.stage,
    criteria: maturity.criteria
      .filter((c) => c.stage === n)
      .map((c) => ({ key: c.key, label: CRITERIA[c.key] ?? c.key, met: c.met, evidence: c.evidence })),
  }));
  const last = cycles.at(-1) ?? null;
  return {
    page: 'health',
    title: 'Process health',
    data: {
      maturity: {
        stage: maturity.stage,
        name: maturity.name,
        description: MATURITY_STAGES[maturity.stage].description,
        basedOnCycles: maturity.basedOnCycles,
        nextSteps: maturity.nextSteps,
      },
      stages,
      measures: HEALTH_MEASURES.map((m) => ({ key: m, label: MEASURES[m].label })),
      rows: cycles.map((k) => ({
        month: k.month,
        cells: HEALTH_MEASURES.map((m) => cell(k, m)),
      })),
      directions: HEALTH_MEASURES.map((m) => {
        const d = trend.direction[m];
        return { text: d ? DIRECTIONS[d] : 'nothing to compare', known: d !== null, direction: d };
      }),
      last: last
        ? {
            month: last.month,
            fva: [...last.fva]
              .sort((a, b) => a.function.localeCompare(b.function))
              .map((f) => ({
                function: f.function,
                points: fvaPoints(f.mapeDelta),
                effect:
                  f.mapeDelta > 0
                    ? 'Improved the forecast'
                    : f.mapeDelta < 0
                      ? 'Worsened the forecast'
                      : 'No change',
              })),
          }
        : null,
    },
  };
}

export function healthPages(_deps: Deps): WebRoute[] {
  return [webRoute({ method: 'get', path: '/app/health', nav: 'health', handler: page })];
}
