/** How a card is rendered for Teams beyond its content: a ballot card keeps itself current. */
import type { Card } from '../../src/cards/card.js';
import { readVoteButton } from '../../src/cards/presenters/ballots.js';
import { renderAdaptiveCard, type AdaptiveCard, type RenderOptions } from './adaptive.js';

/**
 * A ballot card refreshes itself: Teams asks Accord for a fresh one (an adaptiveCard/action invoke
 * with verb ballot.refresh) when it is shown. Without user ids this applies to everyone in chats of
 * 60 people or fewer (a personal chat among them): each voter sees their own vote and the count,
 * or "N of M voted" while results are hidden.
 */
export function ballotRefresh(ballotId: string): RenderOptions['refresh'] {
  return { verb: 'ballot.refresh', data: { value: ballotId } };
}

/** A card as the Teams deliverer sends it. */
export function renderForTeams(card: Card): AdaptiveCard {
  for (const b of card.blocks)
    if (b.type === 'actions')
      for (const button of b.buttons)
        if (button.action === 'ballot.vote')
          return renderAdaptiveCard(card, {
            refresh: ballotRefresh(readVoteButton(button.value).ballotId),
          });
  return renderAdaptiveCard(card);
}
