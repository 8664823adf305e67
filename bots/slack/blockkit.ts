/**
 * Slack Block Kit renderer for the platform-neutral cards (src/cards/card.ts).
 *
 * Every string a person will read is escaped for Slack's three control characters (`&`, `<`, `>`), so
 * nobody can inject a mention, a channel link or a disguised link through user text; every length and
 * count is kept within Slack's limits so that Slack never rejects a message: long text is split over
 * several sections, tables are paged into code blocks, and a message with too many blocks ends with a
 * notice (and a link to the full view) instead of failing. Lengths are counted in UTF-16 code units,
 * which is never fewer than the characters Slack counts.
 */
import type { Card, CardBlock, CardButton } from '../../src/cards/card.js';

/** Slack's limits (docs.slack.dev Block Kit reference; the same numbers are in @slack/types' docs). */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100,
  /** Also the limit for `text` in a context block's mrkdwn element and for the message fallback we send. */
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  actionsElements: 25,
  imageUrl: 3000,
  imageAltText: 2000,
  inputLabel: 2000,
  placeholder: 150,
  blockId: 255,
  inputLength: 500,
  selectOptions: 100,
  modalTitle: 24,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export interface SlackButton {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}

/** A section carries either `text` or `fields`. */
export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}

export interface ImageBlock {
  type: 'image';
  image_url: string;
  alt_text: string;
}

export interface DividerBlock {
  type: 'divider';
}

export interface ActionsBlock {
  type: 'actions';
  elements: SlackButton[];
}

export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}

/** An optional text field; its value comes back in `state.values[block_id].value`. */
export interface InputBlock {
  type: 'input';
  block_id: string;
  optional: true;
  label: PlainText;
  element: { type: 'plain_text_input'; action_id: 'value'; max_length: number; placeholder?: PlainText };
}

export type SlackBlock =
  HeaderBlock | SectionBlock | ImageBlock | DividerBlock | ActionsBlock | ContextBlock | InputBlock;

export interface SlackMessage {
  /** The notification fallback (chat.postMessage `text`). */
  text: string;
  blocks: SlackBlock[];
}

const ELLIPSIS = '…';
/** The action whose value, when it is a URL, becomes a link button. */
const LINK_ACTION = 'link.open';

/** Escapes Slack's control characters. `&` first, so the entities it writes are not escaped twice. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Renders a card as a chat.postMessage payload: `text` is the escaped summary (the notification
 * fallback), `blocks` at most `maxBlocks` (default 50, Slack's limit for a message).
 */
export function renderMessage(card: Card, opts: { moreUrl?: string; maxBlocks?: number } = {}): SlackMessage {
  const blocks = renderBlocks(card, opts.maxBlocks ?? SLACK_LIMITS.messageBlocks, { moreUrl: opts.moreUrl });
  return { text: fallbackText(card), blocks };
}

/**
 * The card's blocks in Block Kit, at most `maxBlocks` of them: when there are more, the first
 * maxBlocks-1 are kept and a context block says how many were cut (linking to `moreUrl` if given).
 * A Home tab or modal passes 100.
 */
export function renderBlocks(
  card: Card,
  maxBlocks: number = SLACK_LIMITS.messageBlocks,
  opts: { moreUrl?: string | undefined } = {},
): SlackBlock[] {
  const blocks = card.blocks.flatMap(renderBlock);
  const max = Math.max(1, Math.floor(maxBlocks));
  if (blocks.length <= max) return blocks;
  const kept = blocks.slice(0, max - 1);
  return [...kept, cutNotice(blocks.length - kept.length, opts.moreUrl)];
}

function renderBlock(block: CardBlock): SlackBlock[] {
  switch (block.type) {
    case 'header': {
      const text = fit(block.text.trim(), SLACK_LIMITS.headerText);
      return text ? [{ type: 'header', text: { type: 'plain_text', text } }] : [];
    }
    case 'text':
      return splitText(escapeMrkdwn(block.text), SLACK_LIMITS.sectionText).map(section);
    case 'fields':
      return renderFields(block.fields);
    case 'table':
      return renderTable(
        block.columns,
        block.rows.map((r) => r.cells),
      ).map(section);
    case 'image':
      return [renderImage(block.url, block.alt)];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions':
      return renderActions(block.buttons);
    case 'input':
      return [renderInput(block.id, block.label, block.placeholder)];
  }
}

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function fallbackText(card: Card): string {
  let summary = card.summary.trim();
  if (!summary) {
    const first = card.blocks.find((b) => b.type === 'header' || b.type === 'text');
    summary = first && 'text' in first ? first.text.trim() : '';
  }
  return fit(summary, SLACK_LIMITS.sectionText);
}

// ---------------------------------------------------------------------------------------------------
// Cutting and splitting escaped text

/** Escapes `raw` and cuts the result to `max`. */
function fit(raw: string, max: number): string {
  return cutEscaped(escapeMrkdwn(raw), max);
}

/** Cuts escaped text to at most `max` code units, ending with an ellipsis; never inside an entity or a surrogate pair. */
function cutEscaped(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, safeEnd(s, max - ELLIPSIS.length)).trimEnd() + ELLIPSIS;
}

/** The largest end <= `end` at which `s` can be cut without splitting an entity (`&amp;` ...) or a surrogate pair. */
function safeEnd(s: string, end: number): number {
  let e = Math.max(0, Math.min(end, s.length));
  const amp = s.lastIndexOf('&', e - 1);
  if (amp >= 0 && amp > e - 5) {
    const semi = s.indexOf(';', amp);
    if (semi >= e && semi - amp <= 4) e = amp;
  }
  const code = s.charCodeAt(e - 1);
  if (e > 0 && code >= 0xd800 && code <= 0xdbff) e--;
  return e;
}

/**
 * Splits escaped text into pieces of at most `max` code units: at a paragraph break, else a line
 * break, else a sentence end, else a space; only a single word longer than `max` is cut. The
 * whitespace at each split is dropped. Empty text gives no pieces (Slack rejects empty text).
 */
export function splitText(s: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = s.trim();
  while (rest.length > max) {
    const cut = breakAt(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    if (head) pieces.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

function breakAt(s: string, max: number): number {
  // A break in the first half would make short pieces: prefer a weaker boundary later on.
  const min = Math.floor(max / 2);
  const window = s.slice(0, max + 1);
  const paragraph = window.lastIndexOf('\n\n');
  if (paragraph >= min) return paragraph;
  const line = window.lastIndexOf('\n');
  if (line >= min) return line;
  let sentence = -1;
  for (const m of window.matchAll(/[.!?…]["'”’)\]]*(?=\s)/g)) sentence = m.index + m[0].length;
  if (sentence >= min) return sentence;
  for (let i = Math.min(max, window.length - 1); i > 0; i--) if (/\s/.test(window.charAt(i))) return i;
  const hard = safeEnd(s, max);
  return hard > 0 ? hard : max;
}

// ---------------------------------------------------------------------------------------------------
// Fields

function renderFields(fields: { label: string; value: string }[]): SectionBlock[] {
  const texts = fields
    .map(({ label, value }) => {
      const l = label.trim();
      const v = value.trim();
      const text = l ? `*${escapeMrkdwn(l)}*\n${escapeMrkdwn(v)}` : escapeMrkdwn(v);
      return cutEscaped(text, SLACK_LIMITS.fieldText);
    })
    .filter((t) => t.trim() !== '');
  const out: SectionBlock[] = [];
  for (let i = 0; i < texts.length; i += SLACK_LIMITS.sectionFields)
    out.push({
      type: 'section',
      fields: texts.slice(i, i + SLACK_LIMITS.sectionFields).map((text) => ({ type: 'mrkdwn', text })),
    });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Tables: monospace code blocks, paged by rows

/** A cell wider than this wraps onto further lines of its row. */
const TABLE_COLUMN_WIDTH = 40;
const TABLE_GAP = '  ';
const FENCE = '```';
/** What is left for the table's lines inside "```\n" ... "\n```". */
const TABLE_BUDGET = SLACK_LIMITS.sectionText - 2 * (FENCE.length + 1);
/** The repeated header (and its rule) never takes more than this, so rows always have room. */
const TABLE_HEADER_BUDGET = 1000;

/**
 * Renders a table as the texts of one or more sections, each a code block under Slack's 3000
 * characters, each starting with the header. A row is never split across sections; only a row that
 * could not fit in a section on its own is cut.
 */
function renderTable(columns: string[], rows: string[][]): string[] {
  const n = Math.max(columns.length, ...rows.map((r) => r.length));
  if (n === 0) return [];
  const clean = (cells: string[]) => Array.from({ length: n }, (_, c) => cleanCell(cells[c] ?? ''));
  const head = clean(columns);
  const body = rows.map(clean);
  const widths = Array.from({ length: n }, (_, c) =>
    Math.max(1, Math.min(TABLE_COLUMN_WIDTH, maxWidth([head, ...body], c))),
  );
  const header = cutEscaped(escapeMrkdwn(tableRow(head, widths)), TABLE_HEADER_BUDGET);
  const rule = cutEscaped(widths.map((w) => '-'.repeat(w)).join(TABLE_GAP), TABLE_HEADER_BUDGET);
  const prefix = `${header}\n${rule}`;
  const rowBudget = TABLE_BUDGET - prefix.length - 1;
  const lines = body.map((r) => cutEscaped(escapeMrkdwn(tableRow(r, widths)), rowBudget));

  const texts: string[] = [];
  let chunk: string[] = [];
  let size = prefix.length;
  const flush = () => {
    texts.push(`${FENCE}\n${[prefix, ...chunk].join('\n')}\n${FENCE}`);
    chunk = [];
    size = prefix.length;
  };
  for (const line of lines) {
    if (chunk.length && size + 1 + line.length > TABLE_BUDGET) flush();
    chunk.push(line);
    size += 1 + line.length;
  }
  if (chunk.length || texts.length === 0) flush();
  return texts;
}

/** One line per cell; backticks become a look-alike so no cell can close the code block. */
function cleanCell(s: string): string {
  return s.replace(/\s+/g, ' ').trim().replace(/`/g, 'ˋ');
}

function maxWidth(rows: string[][], c: number): number {
  return Math.max(0, ...rows.map((r) => width(r[c] ?? '')));
}

/** Display width: code points, so an emoji or accented letter counts once. */
function width(s: string): number {
  return [...s].length;
}

/** The (unescaped) lines of one row: cells padded to their column, long cells wrapped. */
function tableRow(cells: string[], widths: number[]): string {
  const wrapped = cells.map((cell, c) => wrap(cell, widths[c] ?? 1));
  const height = Math.max(1, ...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let i = 0; i < height; i++)
    lines.push(
      wrapped
        .map((w, c) => padEnd(w[i] ?? '', widths[c] ?? 1))
        .join(TABLE_GAP)
        .trimEnd(),
    );
  return lines.join('\n');
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

/** Wraps at spaces to lines of at most `w` code points; a word longer than `w` is broken. */
function wrap(s: string, w: number): string[] {
  if (width(s) <= w) return [s];
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    let rest = [...word];
    while (rest.length > w) {
      if (line) lines.push(line);
      line = '';
      lines.push(rest.slice(0, w).join(''));
      rest = rest.slice(w);
    }
    const piece = rest.join('');
    if (!line) line = piece;
    else if (width(line) + 1 + rest.length <= w) line += ` ${piece}`;
    else {
      lines.push(line);
      line = piece;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// Images, buttons, the cut notice

function renderImage(url: string, alt: string): SlackBlock {
  const altText = fit(alt.trim() || 'Image', SLACK_LIMITS.imageAltText);
  // Slack rejects the whole message for an image it cannot use: say what it was instead.
  if (!isHttpUrl(url) || url.length > SLACK_LIMITS.imageUrl)
    return section(`${escapeMrkdwn('Image:')} ${altText}`);
  return { type: 'image', image_url: url, alt_text: altText };
}

function renderInput(id: string, label: string, placeholder: string | undefined): InputBlock {
  return {
    type: 'input',
    // The block id is Accord's own and comes back as sent: kept within the limit, not escaped.
    block_id: id.slice(0, safeSurrogateEnd(id, SLACK_LIMITS.blockId)),
    optional: true,
    label: { type: 'plain_text', text: fit(label.trim() || id, SLACK_LIMITS.inputLabel) },
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      max_length: SLACK_LIMITS.inputLength,
      ...(placeholder
        ? { placeholder: { type: 'plain_text', text: fit(placeholder, SLACK_LIMITS.placeholder) } }
        : {}),
    },
  };
}

function renderActions(all: CardButton[]): ActionsBlock[] {
  // A link that cannot open (a web path with no public URL known) would be a button doing nothing.
  const buttons = all.filter((b) => b.action !== LINK_ACTION || isHttpUrl(b.value));
  const out: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsElements) {
    const taken = new Set<string>();
    const elements = buttons.slice(i, i + SLACK_LIMITS.actionsElements).map((b) => renderButton(b, taken));
    out.push({ type: 'actions', elements });
  }
  return out;
}

function renderButton(b: CardButton, taken: Set<string>): SlackButton {
  const text = fit(b.label.trim() || b.action, SLACK_LIMITS.buttonText);
  const action_id = distinctActionId(b.action || 'button', taken);
  const style = b.style ? { style: b.style } : {};
  if (b.action === LINK_ACTION && isHttpUrl(b.value) && b.value.length <= SLACK_LIMITS.buttonUrl)
    return { type: 'button', text: { type: 'plain_text', text }, action_id, url: b.value, ...style };
  // The value is opaque and comes back to Accord as sent: it is not escaped, only kept within the limit.
  const value = b.value
    ? { value: b.value.slice(0, safeSurrogateEnd(b.value, SLACK_LIMITS.buttonValue)) }
    : {};
  return { type: 'button', text: { type: 'plain_text', text }, action_id, ...value, ...style };
}

/** `action`, then `action:1`, `action:2` ... for repeats within one actions block; at most 255 characters. */
function distinctActionId(action: string, taken: Set<string>): string {
  for (let n = 0; ; n++) {
    const suffix = n === 0 ? '' : `:${n}`;
    const base = action.slice(0, safeSurrogateEnd(action, SLACK_LIMITS.actionId - suffix.length));
    const id = base + suffix;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

function safeSurrogateEnd(s: string, end: number): number {
  if (s.length <= end) return s.length;
  const code = s.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\/\S+$/i.test(s);
}

function cutNotice(cut: number, moreUrl: string | undefined): ContextBlock {
  const notice = escapeMrkdwn(`${ELLIPSIS}cut: ${cut} more block${cut === 1 ? '' : 's'}.`);
  const link =
    moreUrl && isHttpUrl(moreUrl)
      ? // In <url|label> the URL may not hold `|` or `>`: entities for & < >, percent-encoding for |.
        ` <${escapeMrkdwn(moreUrl).replace(/\|/g, '%7C')}|${escapeMrkdwn('Open the full view')}>`
      : '';
  const text = notice.length + link.length <= SLACK_LIMITS.sectionText ? notice + link : notice;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}
