/**
 * Microsoft Teams renderer for the platform-neutral cards (src/cards/card.ts) and forms
 * (src/cards/form.ts): Adaptive Cards 1.5 for messages (with `Action.Execute` universal actions)
 * and for dialogs (task/fetch, task/submit). Pure functions: no I/O, no SDK calls.
 *
 * Teams' limits live here and nowhere else (TEAMS_LIMITS), as Slack's live in its renderer: every
 * text is cut to a length we chose, buttons are split into sets Teams shows in full, and a card whose
 * JSON would pass the size budget loses blocks from its end (never its header or its buttons) and
 * says so, instead of being refused with 413 MessageSizeTooBig.
 *
 * Text is plain in the neutral model, but TextBlock and Fact texts go through Teams' Markdown subset.
 * escapeMarkdown() backslash-escapes what that subset would act on, so text shows as typed.
 *
 * Types come from @microsoft/teams.cards (type-only imports), so a rendered card can be handed to the
 * SDK (`app.send`, `cardAttachment('adaptive', ...)`, a `card.action` invoke response) as it is. The SDK
 * spells some enum values differently from Microsoft's Teams docs (`width: 'full'`, `color: 'Attention'`,
 * `size: 'Large'`); Adaptive Card hosts read these values case-insensitively.
 */
import type {
  CardElementArray,
  IActionSet,
  IAdaptiveCard,
  IChoice,
  IChoiceSetInput,
  IDateInput,
  IExecuteAction,
  IFact,
  INumberInput,
  IOpenUrlAction,
  ISubmitAction,
  ITableCell,
  ITableRow,
  ITextBlock,
  ITextInput,
} from '@microsoft/teams.cards';
import type { Card, CardBlock, CardButton } from '../../src/cards/card.js';
import type { FieldErrors, Form, FormField, FormValues } from '../../src/cards/form.js';

/**
 * Teams' limits, and the lengths we chose where Teams has none. Lengths are UTF-16 code units of the
 * text as sent (after escaping), which is also how Teams counts the message size.
 */
export const TEAMS_LIMITS = {
  /**
   * A bot message may be about 100 kB counted in UTF-16 (over it: 413 MessageSizeTooBig). The card's
   * JSON is kept under 80 kB (2 bytes per UTF-16 code unit of JSON.stringify), leaving 20 kB for the
   * activity around it (summary, ids, conversation, channelData).
   */
  messageBytes: 80_000,
  /** Teams shows at most 6 actions in one set (the rest are hidden in an overflow): longer lists become several sets. */
  actionsPerSet: 6,
  /** `refresh.userIds`: Teams refreshes automatically for at most 60 listed users. */
  refreshUserIds: 60,
  /** One line or two in a large font; the same as Slack's header limit, so one presenter's copy fits both. */
  headerText: 150,
  /**
   * One text block. Adaptive Cards set no limit; the message size is what binds. 10,000 units are at
   * most 20 kB of UTF-16 (40 kB if every character needed a backslash), so one text block alone can
   * never push a card past the budget, and a card keeps room for its header and buttons.
   */
  text: 10_000,
  /** FactSet titles are a narrow column: a label, not a paragraph. */
  factTitle: 200,
  /** The same as Slack's field text limit. */
  factValue: 2_000,
  /**
   * Table: more than 6 columns are unreadable on a Teams card (about 600-900 px wide on desktop, less
   * on mobile); 30 rows of 6 cells are about 16,000 characters of JSON (32 kB), under half the budget.
   * Leftover rows and columns are counted in a line under the table.
   */
  tableColumns: 6,
  tableRows: 30,
  tableCell: 200,
  /** The same as Slack's alt text limit. */
  imageAltText: 2_000,
  /** Teams cuts long button titles visually; the same as Slack's button text limit. */
  buttonTitle: 75,
  inputLabel: 200,
  placeholder: 150,
  /** Input.Text maxLength for a card's input and for single-line form fields without their own maxLength (Slack's card input limit). */
  inputText: 500,
  /** Input.Text maxLength for multi-line form fields without their own (Slack's plain_text_input maximum, so a value fits both). */
  longInputText: 3_000,
  /** Input.ChoiceSet choices: a dropdown longer than this is not usable (Slack's select limit is the same). */
  choices: 100,
  choiceTitle: 200,
  /** The activity summary: the line shown in notifications and the activity feed. */
  summary: 500,
  /** A dialog's title sits on one line in its header. */
  dialogTitle: 100,
  /** A server-side error shown under a dialog field. */
  errorText: 500,
} as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const ELLIPSIS = '…';
/** The action whose value, when it is a URL, becomes a link button (the same rule as src/slack/blockkit.ts). */
const LINK_ACTION = 'link.open';

/** One element of a card's body. */
export type CardElement = CardElementArray[number];

/** An Adaptive Card 1.5 as rendered here: the SDK's IAdaptiveCard with the fields we always set. */
export type AdaptiveCard = IAdaptiveCard & {
  $schema: string;
  version: '1.5';
  msteams: NonNullable<IAdaptiveCard['msteams']>;
};

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: AdaptiveCard;
}

/**
 * A message activity carrying one card (assignable to the SDK's IMessageActivityInput for `app.send`,
 * which sends the object as it is). `summary` is what notifications and the activity feed show; there
 * is no `text`, which Teams would show above the card as a second copy of it.
 */
export interface CardActivity {
  type: 'message';
  summary: string;
  attachments: [CardAttachment];
}

export interface RenderOptions {
  /**
   * Makes Teams ask Accord for a fresh card (an `adaptiveCard/action` invoke with this verb) when the
   * card is shown: `userIds` (Teams user ids, `29:...`) get it automatically; others in chats of more
   * than 60 people get a refresh button.
   */
  refresh?: { verb: string; data: Record<string, string>; userIds?: string[] };
  /** Added to every button's data (e.g. `surface: 'home'`, so a press on the home card re-renders it). */
  data?: Record<string, string>;
}

/**
 * Buttons that open a form: in Teams a dialog (task/fetch), which only an `Action.Submit` with
 * `msteams.type: 'task/fetch'` can open (an `Action.Execute` cannot).
 */
export const DIALOG_ACTIONS: ReadonlySet<string> = new Set([
  'input.open',
  'decision.assign',
  'scenario.open',
  'meeting.decide',
  'meeting.defer',
  'meeting.escalate',
  'soe.disruption.open',
]);

// ---------------------------------------------------------------------------------------------------
// Escaping and cutting

/**
 * Escapes plain text for a TextBlock or a Fact, which Teams reads as Markdown (bold, italic, lists,
 * links; CommonMark backslash escapes). Backslash-escaped everywhere: `\` `*` `_` `` ` `` `[` `]` `~`,
 * and `&` where it would start an entity; at the start of a line only what would start a block there:
 * `# ` (heading), `- ` and `+ ` (list), `---` (rule), `>` (quote), `1. ` and `1) ` (numbered list).
 * Leading spaces become no-break spaces (four spaces would start a code block). Teams joins lines
 * separated by a single newline, so each line becomes its own paragraph; blank lines are dropped.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .map(escapeLine)
    .join('\n\n');
}

/** One line: whitespace runs become one space. For headers, fact titles and table cells. */
function escapeOneLine(text: string): string {
  return escapeLine(text.replace(/\s+/g, ' ').trim());
}

function escapeLine(line: string): string {
  const escaped = line.replace(/[\\*_`[\]~]/g, '\\$&').replace(/&(?=#?[0-9A-Za-z]+;)/g, '\\&');
  const indent = /^[ \t]*/.exec(escaped)?.[0] ?? '';
  let rest = escaped.slice(indent.length);
  // CommonMark block starts: a list item (`-`/`+` then a space), a thematic break (`---`), a quote
  // (`>`), a heading (`#` to `######` then a space), an ordered item (`1.`/`1)` then a space).
  if (/^([-+](\s|$)|(-[ \t]*){3,}$|>|#{1,6}(\s|$))/.test(rest)) rest = `\\${rest}`;
  else rest = rest.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
  return indent.replace(/\t/g, '    ').replace(/ /g, '\u00a0') + rest;
}

/** Cuts escaped text to at most `max` code units, ending with an ellipsis; never inside an escape or a surrogate pair. */
function cutEscaped(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - ELLIPSIS.length);
  // An odd run of backslashes before the cut means its last one escapes the character being cut off.
  let slashes = 0;
  while (end - slashes > 0 && s.charCodeAt(end - slashes - 1) === 0x5c) slashes++;
  if (slashes % 2 === 1) end--;
  const code = s.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end).trimEnd() + ELLIPSIS;
}

/** Cuts plain (unescaped) text, for titles, labels and other properties Teams shows as typed. */
function cutPlain(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - ELLIPSIS.length);
  const code = s.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end).trimEnd() + ELLIPSIS;
}

const markdown = (raw: string, max: number) => cutEscaped(escapeMarkdown(raw), max);
const markdownLine = (raw: string, max: number) => cutEscaped(escapeOneLine(raw), max);
const plainLine = (raw: string, max: number) => cutPlain(raw.replace(/\s+/g, ' ').trim(), max);

function isHttpUrl(s: string): boolean {
  return /^https?:\/\/\S+$/i.test(s);
}

/** Teams loads card images over HTTPS only. */
function isHttpsUrl(s: string): boolean {
  return /^https:\/\/\S+$/i.test(s);
}

// ---------------------------------------------------------------------------------------------------
// Messages

/**
 * Renders a card as an Adaptive Card 1.5 for a Teams message. Buttons become `Action.Execute` (verb =
 * the button's action, `data: { action, value }`) or, for `link.open` with an http(s) value,
 * `Action.OpenUrl`. A card whose JSON would pass TEAMS_LIMITS.messageBytes loses blocks from its end
 * (its headers, inputs and buttons are kept) and a line says how many were left out.
 */
export function renderAdaptiveCard(card: Card, opts: RenderOptions = {}): AdaptiveCard {
  const shell: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    msteams: { width: 'full' },
    ...(opts.refresh ? { refresh: renderRefresh(opts.refresh) } : {}),
    body: [],
  };
  return { ...shell, body: fitBody(shell, renderUnits(card.blocks, opts.data ?? {})) };
}

/** The card as a message attachment. */
export function renderCardAttachment(card: Card, opts: RenderOptions = {}): CardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderAdaptiveCard(card, opts) };
}

/** A message activity with the card, ready for `app.send(conversationId, activity)` or a reply. */
export function cardActivity(card: Card, opts: RenderOptions = {}): CardActivity {
  return { type: 'message', summary: cardSummary(card), attachments: [renderCardAttachment(card, opts)] };
}

/** The card's summary (or, when it has none, its first header or text), on one line, cut to fit notifications. */
export function cardSummary(card: Card): string {
  let summary = card.summary.trim();
  if (!summary) {
    const first = card.blocks.find((b) => b.type === 'header' || b.type === 'text');
    summary = first && 'text' in first ? first.text : '';
  }
  return plainLine(summary, TEAMS_LIMITS.summary);
}

function renderRefresh(r: NonNullable<RenderOptions['refresh']>): NonNullable<IAdaptiveCard['refresh']> {
  return {
    action: {
      type: 'Action.Execute',
      verb: r.verb,
      // `action` too, so the SDK's `card.action.<x>` route (it matches data.action) sees the verb; the caller's data wins.
      data: { action: r.verb, ...r.data },
    },
    // Teams refreshes automatically only for the ids listed, and for at most 60 of them: the first 60
    // are kept; the others see the card as sent and can refresh it by hand.
    ...(r.userIds ? { userIds: r.userIds.slice(0, TEAMS_LIMITS.refreshUserIds) } : {}),
  };
}

/** The elements one neutral block became; `keep` units (headers, inputs, buttons) are dropped last. */
interface Unit {
  elements: CardElement[];
  keep: boolean;
}

function renderUnits(blocks: CardBlock[], extra: Record<string, string>): Unit[] {
  const units: Unit[] = [];
  let separator = false;
  for (const block of blocks) {
    if (block.type === 'divider') {
      separator = true;
      continue;
    }
    const elements = renderBlock(block, extra);
    const first = elements[0];
    if (!first) continue;
    if (separator) first.separator = true;
    separator = false;
    units.push({
      elements,
      keep: block.type === 'header' || block.type === 'input' || block.type === 'actions',
    });
  }
  return units;
}

function renderBlock(
  block: Exclude<CardBlock, { type: 'divider' }>,
  extra: Record<string, string>,
): CardElement[] {
  switch (block.type) {
    case 'header': {
      const text = markdownLine(block.text, TEAMS_LIMITS.headerText);
      return text
        ? [{ type: 'TextBlock', text, size: 'Large', weight: 'Bolder', style: 'heading', wrap: true }]
        : [];
    }
    case 'text': {
      const text = markdown(block.text, TEAMS_LIMITS.text);
      return text ? [textBlock(text)] : [];
    }
    case 'fields':
      return renderFacts(block.fields);
    case 'table':
      return renderTable(
        block.columns,
        block.rows.map((r) => r.cells),
      );
    case 'image':
      return [renderImage(block.url, block.alt)];
    case 'actions':
      return renderActionSets(block.buttons, extra);
    case 'input':
      return [
        {
          type: 'Input.Text',
          id: block.id,
          label: plainLine(block.label, TEAMS_LIMITS.inputLabel) || block.id,
          maxLength: TEAMS_LIMITS.inputText,
          ...(block.placeholder?.trim()
            ? { placeholder: plainLine(block.placeholder, TEAMS_LIMITS.placeholder) }
            : {}),
        },
      ];
  }
}

function textBlock(text: string, extra: Partial<ITextBlock> = {}): ITextBlock {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

function renderFacts(fields: { label: string; value: string }[]): CardElement[] {
  const facts: IFact[] = fields
    .map(({ label, value }) => ({
      title: markdownLine(label, TEAMS_LIMITS.factTitle),
      value: markdown(value, TEAMS_LIMITS.factValue),
    }))
    .filter((f) => f.title !== '' || f.value !== '');
  return facts.length ? [{ type: 'FactSet', facts }] : [];
}

/** A 1.5 Table with the column names as its header row, at most tableColumns x tableRows; a line says what was left out. */
function renderTable(columns: string[], rows: string[][]): CardElement[] {
  const width = Math.max(columns.length, ...rows.map((r) => r.length));
  if (width === 0) return [];
  const shown = Math.min(width, TEAMS_LIMITS.tableColumns);
  const bodyRows = rows.slice(0, TEAMS_LIMITS.tableRows);
  const row = (cells: string[], header: boolean): ITableRow => ({
    type: 'TableRow',
    cells: Array.from({ length: shown }, (_, c): ITableCell => ({
      type: 'TableCell',
      items: [
        textBlock(markdownLine(cells[c] ?? '', TEAMS_LIMITS.tableCell), header ? { weight: 'Bolder' } : {}),
      ],
    })),
  });
  const out: CardElement[] = [
    {
      type: 'Table',
      columns: Array.from({ length: shown }, () => ({ width: 1 })),
      rows: [row(columns, true), ...bodyRows.map((r) => row(r, false))],
    },
  ];
  const moreRows = rows.length - bodyRows.length;
  const moreColumns = width - shown;
  if (moreRows > 0 || moreColumns > 0) {
    const parts = [
      ...(moreRows > 0 ? [`${moreRows} more row${moreRows === 1 ? '' : 's'}`] : []),
      ...(moreColumns > 0 ? [`${moreColumns} more column${moreColumns === 1 ? '' : 's'}`] : []),
    ];
    out.push(textBlock(escapeOneLine(`${ELLIPSIS}${parts.join(' and ')} not shown.`), { isSubtle: true }));
  }
  return out;
}

function renderImage(url: string, alt: string): CardElement {
  const altText = plainLine(alt, TEAMS_LIMITS.imageAltText) || 'Image';
  // Teams shows a broken image for a URL it cannot load over HTTPS: say what it was instead.
  if (!isHttpsUrl(url)) return textBlock(markdownLine(`Image: ${altText}`, TEAMS_LIMITS.text));
  return { type: 'Image', url, altText, msteams: { allowExpand: true } };
}

function renderActionSets(all: CardButton[], extra: Record<string, string>): IActionSet[] {
  // A link that cannot open (a web path with no public URL known) would be a button doing nothing.
  const buttons = all.filter((b) => b.action !== LINK_ACTION || isHttpUrl(b.value));
  const sets: IActionSet[] = [];
  for (let i = 0; i < buttons.length; i += TEAMS_LIMITS.actionsPerSet)
    sets.push({
      type: 'ActionSet',
      actions: buttons.slice(i, i + TEAMS_LIMITS.actionsPerSet).map((b) => renderButton(b, extra)),
    });
  return sets;
}

function renderButton(
  b: CardButton,
  extra: Record<string, string>,
): IExecuteAction | IOpenUrlAction | ISubmitAction {
  const title = plainLine(b.label, TEAMS_LIMITS.buttonTitle) || b.action;
  const style = b.style
    ? { style: b.style === 'primary' ? ('positive' as const) : ('destructive' as const) }
    : {};
  if (b.action === LINK_ACTION && isHttpUrl(b.value))
    return { type: 'Action.OpenUrl', title, url: b.value, ...style };
  if (DIALOG_ACTIONS.has(b.action))
    return {
      type: 'Action.Submit',
      title,
      data: { ...extra, msteams: { type: 'task/fetch' }, action: b.action, value: b.value },
      ...style,
    };
  // Teams hands `data` back as value.action.data in the adaptiveCard/action invoke, with the card's
  // input values merged into it (an input's id becomes a key beside `action` and `value`).
  return {
    type: 'Action.Execute',
    title,
    verb: b.action,
    data: { ...extra, action: b.action, value: b.value },
    ...style,
  };
}

// ---------------------------------------------------------------------------------------------------
// The size budget

/** JSON length in UTF-16 code units; twice this is the size Teams counts. */
function jsonLength(v: unknown): number {
  return JSON.stringify(v).length;
}

function shortenedNotice(dropped: number): ITextBlock {
  return textBlock(
    escapeOneLine(
      `${ELLIPSIS}This message was shortened: ${dropped} more part${dropped === 1 ? '' : 's'} left out.`,
    ),
    { isSubtle: true },
  );
}

/**
 * The body within the size budget. Blocks are dropped from the end, first those that are not headers,
 * inputs or buttons, then (should that not be enough) all but the headers; a notice takes the place of
 * the first block dropped. The JSON of each element is measured once (plus one for its comma).
 */
function fitBody(shell: AdaptiveCard, units: Unit[]): CardElement[] {
  const budget = Math.floor(TEAMS_LIMITS.messageBytes / 2);
  const sizes = units.map((u) => u.elements.reduce((n, e) => n + jsonLength(e) + 1, 0));
  let total = jsonLength(shell) + sizes.reduce((a, b) => a + b, 0);
  if (total <= budget) return units.flatMap((u) => u.elements);

  const noticeSize = jsonLength({ ...shortenedNotice(units.length), separator: true }) + 1;
  const dropped = new Set<number>();
  const passes: ((u: Unit) => boolean)[] = [(u) => !u.keep, (u) => !isHeaderUnit(u)];
  for (const droppable of passes)
    for (let i = units.length - 1; i >= 0 && total + noticeSize > budget; i--) {
      const unit = units[i];
      if (!unit || dropped.has(i) || !droppable(unit)) continue;
      dropped.add(i);
      total -= sizes[i] ?? 0;
    }
  // Only a refresh with an absurd amount of data can still be over here; the headers are all that is left.

  const body: CardElement[] = [];
  const firstDropped = Math.min(...dropped);
  units.forEach((unit, i) => {
    if (i === firstDropped) {
      const notice = shortenedNotice(dropped.size);
      body.push(unit.elements[0]?.separator ? { ...notice, separator: true } : notice);
    }
    if (!dropped.has(i)) body.push(...unit.elements);
  });
  return body;
}

function isHeaderUnit(u: Unit): boolean {
  const first = u.elements[0];
  return u.elements.length === 1 && first?.type === 'TextBlock' && first.style === 'heading';
}

// ---------------------------------------------------------------------------------------------------
// Dialogs (task modules)

type DialogInput = ITextInput | INumberInput | IDateInput | IChoiceSetInput;

/**
 * Renders a form as the Adaptive Card of a Teams dialog: the intro, one input per field (id: see
 * dialogInputId), a server-side error in red right under its field (errors for ids the form does not
 * have go under the first field), and one `Action.Submit` whose data is `{ action, context }`. Teams
 * merges the input values into that data on task/submit, an input's value replacing a key of the
 * same name: a field called `action` or `context` gets an input id of its own (see dialogInputId).
 */
export function renderDialogCard(form: Form, errors: FieldErrors = {}): AdaptiveCard {
  const body: CardElement[] = [];
  const intro = form.intro ? markdown(form.intro, TEAMS_LIMITS.text) : '';
  if (intro) body.push(textBlock(intro));

  const ids = new Set(form.fields.map((f) => f.id));
  const stray = Object.entries(errors)
    .filter(([id, message]) => !ids.has(id) && message.trim())
    .map(([, message]) => message);
  form.fields.forEach((field, i) => {
    body.push(renderField(field));
    // A hint shown as the placeholder disappears once something is typed: with a placeholder of
    // its own, the hint goes under the field (as Slack shows it).
    if (field.hint?.trim() && field.placeholder?.trim())
      body.push(
        textBlock(markdown(field.hint, TEAMS_LIMITS.placeholder), {
          isSubtle: true,
          size: 'Small',
          spacing: 'None',
        }),
      );
    const own = Object.hasOwn(errors, field.id) ? errors[field.id]?.trim() : undefined;
    for (const message of [...(own ? [own] : []), ...(i === 0 ? stray : [])]) body.push(errorText(message));
  });
  if (form.fields.length === 0) body.push(...stray.map(errorText));

  const submit: ISubmitAction = {
    type: 'Action.Submit',
    title: plainLine(form.submitLabel, TEAMS_LIMITS.buttonTitle) || 'Submit',
    data: { action: form.action, context: form.context },
  };
  return {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    msteams: { width: 'full' },
    body,
    actions: [submit],
  };
}

function errorText(message: string): ITextBlock {
  return textBlock(markdown(message, TEAMS_LIMITS.errorText), { color: 'Attention', spacing: 'Small' });
}

/** The keys of a dialog submit's own data, which an input of the same id would replace. */
const SUBMIT_KEYS: ReadonlySet<string> = new Set(['action', 'context']);

/** The id of a field's input in a dialog: the field's id, unless that is one of the submit's own keys. */
export function dialogInputId(fieldId: string): string {
  return SUBMIT_KEYS.has(fieldId) ? `field.${fieldId}` : fieldId;
}

function renderField(f: FormField): DialogInput {
  const label = plainLine(f.label, TEAMS_LIMITS.inputLabel) || f.id;
  const hint = f.placeholder?.trim() ? f.placeholder : f.hint;
  const common = {
    id: dialogInputId(f.id),
    label,
    isRequired: !f.optional,
    ...(hint?.trim() ? { placeholder: plainLine(hint, TEAMS_LIMITS.placeholder) } : {}),
  };
  const initial = f.initial?.trim() ? f.initial : undefined;
  const required = f.optional ? {} : { errorMessage: 'This field is required.' };
  const options = (f.options ?? []).filter((o) => o.value !== '');

  switch (f.type) {
    case 'number': {
      const value = initial === undefined ? Number.NaN : Number(initial);
      return {
        type: 'Input.Number',
        ...common,
        errorMessage: 'Enter a number.',
        ...(Number.isFinite(value) ? { value } : {}),
      };
    }
    case 'date':
      return {
        type: 'Input.Date',
        ...common,
        errorMessage: 'Choose a date.',
        ...(initial && /^\d{4}-\d{2}-\d{2}$/.test(initial.trim()) ? { value: initial.trim() } : {}),
      };
    case 'select':
    case 'person':
      // A person is chosen from the members given as options (Teams bots have no people picker
      // without Microsoft Graph); the filtered style lets a long member list be searched by typing.
      if (options.length)
        return {
          type: 'Input.ChoiceSet',
          ...common,
          ...(f.optional ? {} : { errorMessage: 'Choose one.' }),
          style: f.type === 'person' ? 'filtered' : 'compact',
          choices: renderChoices(options, initial),
          ...(initial && options.some((o) => o.value === initial) ? { value: initial } : {}),
        };
      // Nothing to choose from: the value (a code or a member id) is typed in.
      return textInput(f, common, required, initial);
    case 'text':
    case 'long':
      return textInput(f, common, required, initial);
  }
}

function textInput(
  f: FormField,
  common: Pick<ITextInput, 'id' | 'label' | 'isRequired' | 'placeholder'>,
  required: { errorMessage?: string },
  initial: string | undefined,
): ITextInput {
  const multiline = f.type === 'long';
  const maxLength =
    f.maxLength && f.maxLength > 0
      ? Math.floor(f.maxLength)
      : multiline
        ? TEAMS_LIMITS.longInputText
        : TEAMS_LIMITS.inputText;
  return {
    type: 'Input.Text',
    ...common,
    ...required,
    ...(multiline ? { isMultiline: true } : {}),
    maxLength,
    // Teams refuses nothing here, but the person could not submit a pre-filled value longer than maxLength.
    ...(initial ? { value: initial.slice(0, maxLength) } : {}),
  };
}

/** At most TEAMS_LIMITS.choices; the pre-selected option is kept even when it is past the cut. */
function renderChoices(options: { value: string; label: string }[], initial: string | undefined): IChoice[] {
  let kept = options.slice(0, TEAMS_LIMITS.choices);
  const selected = options.find((o) => o.value === initial);
  if (selected && !kept.includes(selected)) kept = [...kept.slice(0, TEAMS_LIMITS.choices - 1), selected];
  return kept.map((o) => ({
    title: plainLine(o.label, TEAMS_LIMITS.choiceTitle) || o.value,
    value: o.value,
  }));
}

/** The task/fetch (or task/submit) response that opens the form in a dialog (the SDK's TaskModuleResponse shape). */
export interface DialogContinueResponse {
  task: {
    type: 'continue';
    value: { title: string; card: { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; content: AdaptiveCard } };
  };
}

/** The task/submit response that closes the dialog with a message (the SDK's TaskModuleResponse shape). */
export interface DialogMessageResponse {
  task: { type: 'message'; value: string };
}

/** Opens (or, after a submit with errors, re-shows) the form as a dialog. */
export function dialogResponse(form: Form, errors?: FieldErrors): DialogContinueResponse {
  return {
    task: {
      type: 'continue',
      value: {
        title: plainLine(form.title, TEAMS_LIMITS.dialogTitle),
        card: { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderDialogCard(form, errors) },
      },
    },
  };
}

/** Closes the dialog; Teams shows `text` in a small message box. */
export function dialogMessage(text: string): DialogMessageResponse {
  return { task: { type: 'message', value: text } };
}

/**
 * The values of a task/submit's `data` (Teams puts each input's value under its id, beside the
 * submit's `action` and `context`), by field id: for each field of the form, its trimmed value;
 * blanks, values that are not strings or numbers, and keys the form does not have are left out.
 */
export function readDialogValues(form: Form, data: unknown): FormValues {
  const values: FormValues = {};
  if (!data || typeof data !== 'object' || Array.isArray(data)) return values;
  const record = data as Record<string, unknown>;
  for (const field of form.fields) {
    const id = dialogInputId(field.id);
    if (!Object.hasOwn(record, id)) continue;
    const raw = record[id];
    const text =
      typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
    const value = text.trim();
    if (value) values[field.id] = value;
  }
  return values;
}
