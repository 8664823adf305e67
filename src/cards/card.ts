/**
 * The platform-neutral message model. Presenters build these; the Slack and Teams renderers turn
 * them into Block Kit and Adaptive Cards, each enforcing its own platform's limits.
 * Text is plain (no markup); renderers escape it for their platform.
 */
export type CardBlock =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string }
  | { type: 'fields'; fields: { label: string; value: string }[] }
  // Rows are objects, not nested arrays: FerretDB (our dev/test store) cannot store arrays of arrays.
  | { type: 'table'; columns: string[]; rows: { cells: string[] }[] }
  | { type: 'image'; url: string; alt: string }
  | { type: 'divider' }
  | { type: 'actions'; buttons: CardButton[] }
  /** A short, optional free-text field sent back with the next button pressed on the card (e.g. a vote's "why"). */
  | { type: 'input'; id: string; label: string; placeholder?: string };

export interface CardButton {
  /** What the button does, e.g. `input.open`, `step.extend`. */
  action: string;
  label: string;
  /** Opaque value handed back to Accord when pressed. */
  value: string;
  style?: 'primary' | 'danger';
}

export interface Card {
  /** One line for notifications and clients that cannot show the card. */
  summary: string;
  blocks: CardBlock[];
}

/** A card's text blocks as one line, for surfaces that show only a sentence (a Teams dialog closing). */
export function cardText(card: Card): string {
  return card.blocks
    .map((b) => (b.type === 'text' || b.type === 'header' ? b.text : ''))
    .filter(Boolean)
    .join(' ');
}

/**
 * Where the web app is (ACCORD_PUBLIC_URL), for the "Open in Accord" link each card that shows an
 * object carries to that object's web page. Set once at start (buildAccord); one Accord per process.
 * Unset (presenters run alone, as in their snapshot tests), a link keeps its path.
 */
let webBase = '';

export function setWebBase(publicUrl: string): void {
  webBase = publicUrl.replace(/\/+$/, '');
}

/** The web app's URL of `path` (under /app). */
export function webUrl(path: string): string {
  return `${webBase}${path}`;
}

/** A card's last block: a button opening the object's page in the web app (`path` under /app). */
export function webLinkBlock(path: string, label = 'Open in Accord'): CardBlock {
  return { type: 'actions', buttons: [{ action: 'link.open', label, value: webUrl(path) }] };
}
