/** Every page of the web app (src/web/app.ts mounts them). One module per area. */
import type { Deps } from '../../app/ports.js';
import type { WebRoute } from '../app.js';
import { adminPages, type ChatSetup } from './admin.js';
import { boardPages } from './board.js';
import { inputPages } from './inputs.js';
import { ballotPages } from './ballots.js';
import { packPages } from './pack.js';

export function webPages(deps: Deps, chat: ChatSetup = {}): WebRoute[] {
  return [
    ...boardPages(deps),
    ...inputPages(deps),
    ...ballotPages(deps),
    ...packPages(deps),
    ...adminPages(deps, chat),
  ];
}
