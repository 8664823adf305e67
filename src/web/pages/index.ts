/** Every page of the web app (src/web/app.ts mounts them). One module per area. */
import type { Deps } from '../../app/ports.js';
import type { WebRoute } from '../app.js';
import { actionPages } from './actions.js';
import { adminPages, type ChatSetup } from './admin.js';
import { ballotPages } from './ballots.js';
import { boardPages } from './board.js';
import { decisionPages } from './decisions.js';
import { followThroughPages } from './followThrough.js';
import { healthPages } from './health.js';
import { inputPages } from './inputs.js';
import { meetingPages } from './meetings.js';
import { packPages } from './pack.js';
import { soePages } from './soe.js';

export function webPages(deps: Deps, chat: ChatSetup = {}): WebRoute[] {
  return [
    ...boardPages(deps),
    ...inputPages(deps),
    ...packPages(deps),
    ...ballotPages(deps),
    ...decisionPages(deps),
    ...actionPages(deps),
    ...followThroughPages(deps),
    ...meetingPages(deps),
    ...healthPages(deps),
    ...soePages(deps),
    ...adminPages(deps, chat),
  ];
}
