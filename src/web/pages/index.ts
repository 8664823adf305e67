/** Every page of the web app (src/web/app.ts mounts them). One module per area. */
import type { Deps } from '../../app/ports.js';
import type { WebRoute } from '../app.js';
import { actionPages } from './actions.js';
import { boardPages } from './board.js';
import { decisionPages } from './decisions.js';
import { followThroughPages } from './followThrough.js';

export function webPages(deps: Deps): WebRoute[] {
  return [...boardPages(deps), ...decisionPages(deps), ...actionPages(deps), ...followThroughPages(deps)];
}
