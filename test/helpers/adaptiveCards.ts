/** Microsoft's Adaptive Cards parser, to check what the Teams renderer writes. */
import { createRequire } from 'node:module';
import { TEAMS_LIMITS } from '../../bots/teams/adaptive.js';

interface AcEvent {
  message: string;
}
interface AcLib {
  AdaptiveCard: new () => {
    hostConfig: unknown;
    parse(json: unknown, context: unknown): void;
    validateProperties(): { validationEvents: AcEvent[] };
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): AcEvent };
  HostConfig: new (config: unknown) => unknown;
}
// The package's ESM build has extensionless imports Node cannot resolve; its UMD bundle loads fine.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AcLib;

/** What Microsoft's Adaptive Cards parser reports for the card, with Teams' 6 actions per set. */
export function parserProblems(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  ac.hostConfig = new AC.HostConfig({ actions: { maxActions: TEAMS_LIMITS.actionsPerSet } });
  const context = new AC.SerializationContext();
  ac.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  return [...problems, ...ac.validateProperties().validationEvents.map((e) => e.message)];
}
