/** Presenters for process health: the monthly summary card to the process owner. */
import { webLinkBlock, type Card } from '../card.js';
import type { HealthKpis, HealthTrend } from '../../domain/health.js';
import type { Maturity } from '../../domain/maturity.js';

const pct = (v: number | null) => (v === null ? 'not measured' : `${Math.round(v * 100)}%`);
const ARROW: Record<string, string> = { better: ' (better)', worse: ' (worse)', flat: ' (steady)' };

/** The last cycle's health, where it is heading, and the maturity stage with the next step up. */
export function presentHealthSummary(
  h: { cycles: HealthKpis[]; trend: HealthTrend; maturity: Maturity },
  month: string,
): Card {
  const last = h.cycles.at(-1)!;
  const d = h.trend.direction;
  const dir = (k: keyof typeof d) => ARROW[d[k] ?? ''] ?? '';
  return {
    summary: `S&OP health for ${month}: stage ${h.maturity.stage}, ${h.maturity.name}`,
    blocks: [
      { type: 'header', text: `S&OP health, cycle ${last.month}` },
      {
        type: 'fields',
        fields: [
          { label: 'Inputs on time', value: `${pct(last.inputsOnTime)}${dir('inputsOnTime')}` },
          {
            label: 'Executive attendance',
            value: `${pct(last.executiveAttendance)}${dir('executiveAttendance')}`,
          },
          { label: 'Items decided', value: `${pct(last.decisionsMadeShare)}${dir('decisionsMadeShare')}` },
          {
            label: 'Actions done on time',
            value: `${pct(last.followThroughOnTime)}${dir('followThroughOnTime')}`,
          },
          { label: 'Forecast error (wMAPE)', value: `${pct(last.forecastMape)}${dir('forecastMape')}` },
          { label: 'S&OE alerts answered', value: `${pct(last.soeAcknowledgedShare)} of ${last.soeRaised}` },
        ],
      },
      {
        type: 'text',
        text: `Maturity: stage ${h.maturity.stage} of 5, ${h.maturity.name} (from ${h.maturity.basedOnCycles} ${h.maturity.basedOnCycles === 1 ? 'cycle' : 'cycles'}).`,
      },
      ...h.maturity.nextSteps.map((s) => ({ type: 'text' as const, text: `Next step: ${s}` })),
      webLinkBlock('/app/health', 'Open the health page'),
    ],
  };
}
