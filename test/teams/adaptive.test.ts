/**
 * The Teams Adaptive Card renderer: every neutral block kind, Markdown escaping, Teams' limits (text
 * lengths, 6 buttons per set, 60 refresh users, the 80 kB budget), dialogs with initial values and
 * server errors, and the values read back from a dialog submit. Every rendered card is checked by
 * Microsoft's own Adaptive Cards parser (the `adaptivecards` package, with Teams' 6 actions per set)
 * and by a structural check of the properties each element type requires.
 */
import { describe, expect, it } from '@jest/globals';
import type { IMessageActivityInput, TaskModuleResponse } from '@microsoft/teams.api';
import type { IAdaptiveCard } from '@microsoft/teams.cards';
import type { Card, CardBlock, CardButton } from '../../src/cards/card.js';
import type { Form, FormField } from '../../src/cards/form.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  TEAMS_LIMITS,
  cardActivity,
  dialogMessage,
  dialogResponse,
  escapeMarkdown,
  readDialogValues,
  renderAdaptiveCard,
  renderCardAttachment,
  renderDialogCard,
  type AdaptiveCard,
  type CardElement,
  type RenderOptions,
} from '../../bots/teams/adaptive.js';
import { parserProblems } from '../helpers/adaptiveCards.js';

// ---------------------------------------------------------------------------------------------------
// Validation: Microsoft's parser, then the properties each element type must have

const isText = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The properties the Adaptive Card 1.5 schema requires (and Teams needs) for each type we render. */
function structuralProblems(card: unknown): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const fail = (path: string, what: string): void => {
    problems.push(`${path}: ${what}`);
  };

  const action = (a: unknown, path: string) => {
    if (!isObject(a)) return fail(path, 'not an object');
    if (!isText(a['title']) || !a['title']) fail(path, 'no title');
    switch (a['type']) {
      case 'Action.Execute': {
        const data = a['data'];
        if (!isText(a['verb']) || !a['verb']) fail(path, 'no verb');
        if (!isObject(data) || !isText(data['action']) || !isText(data['value']))
          fail(path, 'data must carry action and value');
        break;
      }
      case 'Action.OpenUrl':
        if (!isText(a['url']) || !/^https?:\/\//.test(a['url'])) fail(path, 'no http(s) url');
        break;
      case 'Action.Submit':
        if (!isObject(a['data'])) fail(path, 'no data object');
        break;
      default:
        fail(path, `unexpected action type ${String(a['type'])}`);
    }
    const style = a['style'];
    if (style !== undefined && !(isText(style) && ['default', 'positive', 'destructive'].includes(style)))
      fail(path, 'bad style');
  };

  const input = (e: Record<string, unknown>, path: string) => {
    if (!isText(e['id']) || !e['id']) return fail(path, 'input without id');
    if (ids.has(e['id'])) fail(path, `duplicate input id ${e['id']}`);
    ids.add(e['id']);
    if (!isText(e['label']) || !e['label']) fail(path, 'input without label');
    if (e['isRequired'] === true && !isText(e['errorMessage']))
      fail(path, 'required input without errorMessage');
  };

  const element = (e: unknown, path: string): void => {
    if (!isObject(e)) return fail(path, 'not an object');
    switch (e['type']) {
      case 'TextBlock':
        if (!isText(e['text'])) fail(path, 'no text');
        break;
      case 'FactSet': {
        const facts = e['facts'];
        if (!Array.isArray(facts) || facts.length === 0) fail(path, 'no facts');
        else
          facts.forEach((f, i) => {
            if (!isObject(f) || !isText(f['title']) || !isText(f['value']))
              fail(`${path}.facts[${i}]`, 'bad fact');
          });
        break;
      }
      case 'Table': {
        const columns = e['columns'];
        const rows = e['rows'];
        if (!Array.isArray(columns) || columns.length === 0) return fail(path, 'no columns');
        if (!Array.isArray(rows)) return fail(path, 'no rows');
        rows.forEach((r, i) => {
          const p = `${path}.rows[${i}]`;
          if (!isObject(r) || r['type'] !== 'TableRow' || !Array.isArray(r['cells']))
            return fail(p, 'bad row');
          if (r['cells'].length > columns.length) fail(p, 'more cells than columns');
          r['cells'].forEach((c, j) => {
            if (!isObject(c) || c['type'] !== 'TableCell' || !Array.isArray(c['items']))
              return fail(`${p}.cells[${j}]`, 'bad cell');
            c['items'].forEach((item, k) => element(item, `${p}.cells[${j}].items[${k}]`));
          });
        });
        break;
      }
      case 'Image':
        if (!isText(e['url']) || !/^https:\/\//.test(e['url'])) fail(path, 'no https url');
        if (!isText(e['altText']) || !e['altText']) fail(path, 'no altText');
        break;
      case 'ActionSet': {
        const actions = e['actions'];
        if (!Array.isArray(actions) || actions.length === 0) return fail(path, 'no actions');
        if (actions.length > TEAMS_LIMITS.actionsPerSet) fail(path, 'more actions than Teams shows');
        actions.forEach((a, i) => action(a, `${path}.actions[${i}]`));
        break;
      }
      case 'Input.Text':
      case 'Input.Number':
      case 'Input.Date':
        input(e, path);
        break;
      case 'Input.ChoiceSet': {
        input(e, path);
        const choices = e['choices'];
        if (!Array.isArray(choices) || choices.length === 0) fail(path, 'no choices');
        else
          choices.forEach((c, i) => {
            if (!isObject(c) || !isText(c['title']) || !isText(c['value']))
              fail(`${path}.choices[${i}]`, 'bad choice');
          });
        if (
          e['value'] !== undefined &&
          !(Array.isArray(choices) && choices.some((c) => isObject(c) && c['value'] === e['value']))
        )
          fail(path, 'value is not one of the choices');
        break;
      }
      default:
        fail(path, `unexpected element type ${String(e['type'])}`);
    }
  };

  if (!isObject(card)) return ['card: not an object'];
  if (card['type'] !== 'AdaptiveCard') fail('card', 'type');
  if (card['version'] !== '1.5') fail('card', 'version');
  if (!isText(card['$schema'])) fail('card', '$schema');
  if (!isObject(card['msteams']) || card['msteams']['width'] !== 'full') fail('card', 'msteams.width');
  if (!Array.isArray(card['body'])) fail('card', 'body');
  else card['body'].forEach((e, i) => element(e, `body[${i}]`));
  const actions = card['actions'];
  if (actions !== undefined)
    if (!Array.isArray(actions)) fail('card', 'actions');
    else actions.forEach((a, i) => action(a, `actions[${i}]`));
  const refresh = card['refresh'];
  if (refresh !== undefined) {
    if (!isObject(refresh) || !isObject(refresh['action'])) fail('refresh', 'no action');
    else {
      const a = refresh['action'];
      if (a['type'] !== 'Action.Execute' || !isText(a['verb']) || !isObject(a['data']))
        fail('refresh', 'bad action');
      const users = refresh['userIds'];
      if (users !== undefined && (!Array.isArray(users) || users.length > TEAMS_LIMITS.refreshUserIds))
        fail('refresh', 'userIds');
    }
  }
  return problems;
}

function sizeInBytes(card: unknown): number {
  return 2 * JSON.stringify(card).length;
}

/** Renders, and proves the result is a valid Adaptive Card within Teams' size budget. */
function render(card: Card, opts?: RenderOptions): AdaptiveCard {
  const out = renderAdaptiveCard(card, opts);
  expect(structuralProblems(out)).toEqual([]);
  expect(parserProblems(out)).toEqual([]);
  expect(sizeInBytes(out)).toBeLessThanOrEqual(TEAMS_LIMITS.messageBytes);
  return out;
}

function dialog(form: Form, errors?: Record<string, string>): AdaptiveCard {
  const out = renderDialogCard(form, errors);
  expect(structuralProblems(out)).toEqual([]);
  expect(parserProblems(out)).toEqual([]);
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const card = (...blocks: CardBlock[]): Card => ({ summary: 'Summary', blocks });
const text = (t: string): CardBlock => ({ type: 'text', text: t });
const buttons = (...b: CardButton[]): CardBlock => ({ type: 'actions', buttons: b });

function only(out: AdaptiveCard): CardElement {
  expect(out.body).toHaveLength(1);
  return out.body[0]!;
}

function textsOf(out: AdaptiveCard): string[] {
  return out.body.flatMap((e) => (e.type === 'TextBlock' ? [e.text] : []));
}

function actionsOf(out: AdaptiveCard) {
  return out.body.flatMap((e) => (e.type === 'ActionSet' ? [e.actions] : []));
}

// ---------------------------------------------------------------------------------------------------

describe('the validators themselves', () => {
  it('catch what Teams would refuse or mis-render', () => {
    const bad = {
      type: 'AdaptiveCard',
      version: '1.5',
      $schema: 'x',
      msteams: { width: 'full' },
      body: [
        { type: 'Input.ChoiceSet', id: 'a', label: 'A', choices: [] },
        { type: 'Image', url: 'http://x/y.png' },
        {
          type: 'ActionSet',
          actions: Array.from({ length: 7 }, () => ({ type: 'Action.Execute', title: 't' })),
        },
        { type: 'Bogus' },
      ],
    };
    expect(parserProblems(bad)).toEqual(
      expect.arrayContaining([
        'Unknown element type "Bogus". Fallback will be used if present.',
        'An Input.ChoiceSet must have at least one choice defined.',
        'Maximum number of actions exceeded (6).',
      ]),
    );
    expect(structuralProblems(bad)).toEqual(
      expect.arrayContaining([
        'body[0]: no choices',
        'body[1]: no https url',
        'body[1]: no altText',
        'body[2]: more actions than Teams shows',
        'body[2].actions[0]: no verb',
        'body[2].actions[0]: data must carry action and value',
        'body[3]: unexpected element type Bogus',
      ]),
    );
  });
});

describe('renderAdaptiveCard: one element per block kind', () => {
  it('sets the card properties Teams needs', () => {
    const out = render(card(text('Hello')));
    expect(out).toEqual({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      msteams: { width: 'full' },
      body: [{ type: 'TextBlock', text: 'Hello', wrap: true }],
    });
    // The SDK accepts it as it is (app.send, cardAttachment('adaptive', ...), invoke responses).
    const sdk: IAdaptiveCard = out;
    expect(sdk.type).toBe('AdaptiveCard');
  });

  it('header: a large, bold, wrapping heading on one line', () => {
    expect(only(render(card({ type: 'header', text: '  Pre-S&OP pack\n2027-03 * draft ' })))).toEqual({
      type: 'TextBlock',
      text: 'Pre-S&OP pack 2027-03 \\* draft',
      size: 'Large',
      weight: 'Bolder',
      style: 'heading',
      wrap: true,
    });
  });

  it('text: a wrapping TextBlock; empty text gives nothing', () => {
    expect(only(render(card(text('Plain words.'), text('  \n '))))).toEqual({
      type: 'TextBlock',
      text: 'Plain words.',
      wrap: true,
    });
  });

  it('fields: a FactSet, escaped, empty pairs left out', () => {
    expect(
      only(
        render(
          card({
            type: 'fields',
            fields: [
              { label: 'Margin', value: '234,567 (19.0%)' },
              { label: ' ', value: '' },
              { label: 'Owner_name', value: '*Ann*' },
            ],
          }),
        ),
      ),
    ).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Margin', value: '234,567 (19.0%)' },
        { title: 'Owner\\_name', value: '\\*Ann\\*' },
      ],
    });
    expect(render(card({ type: 'fields', fields: [] })).body).toEqual([]);
  });

  it('table: a Table with the column names as its bold header row, ragged rows padded', () => {
    const out = render(
      card({
        type: 'table',
        columns: ['Family', 'Units short'],
        rows: [{ cells: ['Bikes_XL', '1,200'] }, { cells: ['Helmets'] }],
      }),
    );
    const cell = (t: string, bold = false) => ({
      type: 'TableCell',
      items: [{ type: 'TextBlock', text: t, wrap: true, ...(bold ? { weight: 'Bolder' } : {}) }],
    });
    expect(only(out)).toEqual({
      type: 'Table',
      columns: [{ width: 1 }, { width: 1 }],
      rows: [
        { type: 'TableRow', cells: [cell('Family', true), cell('Units short', true)] },
        { type: 'TableRow', cells: [cell('Bikes\\_XL'), cell('1,200')] },
        { type: 'TableRow', cells: [cell('Helmets'), cell('')] },
      ],
    });
    expect(render(card({ type: 'table', columns: [], rows: [] })).body).toEqual([]);
  });

  it('table: at most 6 columns and 30 rows, with a line saying how many more there were', () => {
    const columns = Array.from({ length: 9 }, (_, c) => `C${c}`);
    const rows = Array.from({ length: 40 }, (_, r) => ({ cells: columns.map((_, c) => `r${r}c${c}`) }));
    const out = render(card({ type: 'table', columns, rows }));
    const [table, note] = out.body;
    if (table?.type !== 'Table') throw new Error('no table');
    expect(table.columns).toHaveLength(TEAMS_LIMITS.tableColumns);
    expect(table.rows).toHaveLength(TEAMS_LIMITS.tableRows + 1);
    expect(table.rows?.every((r) => r.cells?.length === 6)).toBe(true);
    expect(table.rows?.at(-1)?.cells?.at(-1)?.items).toEqual([
      { type: 'TextBlock', text: 'r29c5', wrap: true },
    ]);
    expect(note).toEqual({
      type: 'TextBlock',
      text: '…10 more rows and 3 more columns not shown.',
      wrap: true,
      isSubtle: true,
    });
    const one = render(
      card({ type: 'table', columns: ['A'], rows: Array.from({ length: 31 }, () => ({ cells: ['x'] })) }),
    );
    expect(textsOf(one)).toEqual(['…1 more row not shown.']);
  });

  it('image: an expandable Image with its alt text; anything but an https URL becomes a line of text', () => {
    expect(
      only(render(card({ type: 'image', url: 'https://accord.example/c/1.png', alt: 'Gap by month' }))),
    ).toEqual({
      type: 'Image',
      url: 'https://accord.example/c/1.png',
      altText: 'Gap by month',
      msteams: { allowExpand: true },
    });
    expect(
      only(render(card({ type: 'image', url: 'https://accord.example/c/1.png', alt: ' ' }))),
    ).toMatchObject({
      altText: 'Image',
    });
    for (const url of ['http://accord.example/c.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA'])
      expect(only(render(card({ type: 'image', url, alt: 'Gap_chart' })))).toEqual({
        type: 'TextBlock',
        text: 'Image: Gap\\_chart',
        wrap: true,
      });
  });

  it('divider: separator on the next element; several collapse, a trailing one is dropped', () => {
    const out = render(
      card(text('a'), { type: 'divider' }, { type: 'divider' }, text('b'), text('c'), { type: 'divider' }),
    );
    expect(out.body).toEqual([
      { type: 'TextBlock', text: 'a', wrap: true },
      { type: 'TextBlock', text: 'b', wrap: true, separator: true },
      { type: 'TextBlock', text: 'c', wrap: true },
    ]);
    // A divider before a block that renders nothing waits for the next element.
    const skipped = render(
      card(text('a'), { type: 'divider' }, text(' '), buttons({ action: 'x', label: 'X', value: '1' })),
    );
    expect(skipped.body[1]).toMatchObject({ type: 'ActionSet', separator: true });
  });

  it('input: an Input.Text with its id, label, placeholder and maxLength', () => {
    expect(
      only(
        render(
          card({
            type: 'input',
            id: 'why:b1',
            label: 'Why (optional)',
            placeholder: 'A sentence for the record',
          }),
        ),
      ),
    ).toEqual({
      type: 'Input.Text',
      id: 'why:b1',
      label: 'Why (optional)',
      maxLength: TEAMS_LIMITS.inputText,
      placeholder: 'A sentence for the record',
    });
    expect(only(render(card({ type: 'input', id: 'note', label: '' })))).toEqual({
      type: 'Input.Text',
      id: 'note',
      label: 'note',
      maxLength: TEAMS_LIMITS.inputText,
    });
  });

  it('actions: Action.Execute with verb = action and data = { action, value }, styles mapped; form buttons open a dialog', () => {
    const out = render(
      card(
        buttons(
          { action: 'ballot.vote', label: 'Option A', value: 'b1:a', style: 'primary' },
          { action: 'step.close', label: 'Close without them', value: 'cyc1:pre-sop', style: 'danger' },
          { action: 'input.open', label: '', value: '' },
        ),
      ),
    );
    expect(only(out)).toEqual({
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.Execute',
          title: 'Option A',
          verb: 'ballot.vote',
          data: { action: 'ballot.vote', value: 'b1:a' },
          style: 'positive',
        },
        {
          type: 'Action.Execute',
          title: 'Close without them',
          verb: 'step.close',
          data: { action: 'step.close', value: 'cyc1:pre-sop' },
          style: 'destructive',
        },
        {
          type: 'Action.Submit',
          title: 'input.open',
          data: { msteams: { type: 'task/fetch' }, action: 'input.open', value: '' },
        },
      ],
    });
    expect(render(card(buttons())).body).toEqual([]);
    // Extra data (the home card's surface) rides on every button.
    const home = renderAdaptiveCard(
      card(buttons({ action: 'action.done', label: 'Mark done', value: 'a1' })),
      {
        data: { surface: 'home' },
      },
    );
    expect(home.body[0]).toMatchObject({
      actions: [{ data: { surface: 'home', action: 'action.done', value: 'a1' } }],
    });
  });

  it('actions: a link.open button with an http(s) value opens the URL, as on Slack; otherwise it is left out (it could open nothing)', () => {
    const out = render(
      card(
        buttons(
          {
            action: 'link.open',
            label: 'Open the full pack',
            value: 'https://accord.example/p/1',
            style: 'primary',
          },
          { action: 'link.open', label: 'Not a link', value: 'javascript:alert(1)' },
          { action: 'pack.open', label: 'Other action', value: 'https://accord.example/p/2' },
        ),
      ),
    );
    expect(actionsOf(out)).toEqual([
      [
        {
          type: 'Action.OpenUrl',
          title: 'Open the full pack',
          url: 'https://accord.example/p/1',
          style: 'positive',
        },
        {
          type: 'Action.Execute',
          title: 'Other action',
          verb: 'pack.open',
          data: { action: 'pack.open', value: 'https://accord.example/p/2' },
        },
      ],
    ]);
  });

  it('actions: more than 6 buttons are split over several ActionSets, in order, each Execute carrying its value', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      action: 'ballot.vote',
      label: `Option ${i}`,
      value: `b1:${i}`,
    }));
    const sets = actionsOf(render(card(buttons(...many))));
    expect(sets.map((s) => s.length)).toEqual([6, 6, 2]);
    expect(sets.flat().map((a) => (a.type === 'Action.Execute' ? a.data : undefined))).toEqual(
      many.map((b) => ({ action: b.action, value: b.value })),
    );
  });

  it('cuts button titles, labels and placeholders to their limits', () => {
    const long = 'x'.repeat(500);
    const out = render(
      card(buttons({ action: 'a', label: long, value: 'v' }), {
        type: 'input',
        id: 'i',
        label: long,
        placeholder: long,
      }),
    );
    const [set, input] = out.body;
    if (set?.type !== 'ActionSet' || input?.type !== 'Input.Text') throw new Error('unexpected body');
    expect(set.actions[0]?.title).toHaveLength(TEAMS_LIMITS.buttonTitle);
    expect(set.actions[0]?.title?.endsWith('…')).toBe(true);
    expect(input.label).toHaveLength(TEAMS_LIMITS.inputLabel);
    expect(input.placeholder).toHaveLength(TEAMS_LIMITS.placeholder);
  });
});

describe('escaping: plain text shows as typed', () => {
  it('escapes emphasis, links, code, strikethrough and backslashes everywhere', () => {
    expect(escapeMarkdown('*bold* _it_ [link](https://x.io) `code` ~~gone~~ C:\\dir')).toBe(
      '\\*bold\\* \\_it\\_ \\[link\\](https://x.io) \\`code\\` \\~\\~gone\\~\\~ C:\\\\dir',
    );
  });

  it('escapes block markers only at the start of a line', () => {
    expect(escapeMarkdown('# Not a heading\n- not a list\n+ nor this\n> no quote\n1. no list\n2) none')).toBe(
      '\\# Not a heading\n\n\\- not a list\n\n\\+ nor this\n\n\\> no quote\n\n1\\. no list\n\n2\\) none',
    );
    expect(escapeMarkdown('a - b + c > d # e 1. f')).toBe('a - b + c > d # e 1. f');
    expect(escapeMarkdown('---')).toBe('\\---');
    expect(escapeMarkdown('- - -\n-5%\n96.3%\n2027-03\n#hashtag\n1.5 units\n12.\n-\n#')).toBe(
      '\\- - -\n\n-5%\n\n96.3%\n\n2027-03\n\n#hashtag\n\n1.5 units\n\n12\\.\n\n\\-\n\n\\#',
    );
  });

  it('keeps entities from being decoded and indentation from starting a code block', () => {
    expect(escapeMarkdown('R&D &amp; &#169; & co')).toBe('R&D \\&amp; \\&#169; & co');
    expect(escapeMarkdown('    indented\n  - item')).toBe(
      '\u00a0\u00a0\u00a0\u00a0indented\n\n\u00a0\u00a0\\- item',
    );
  });

  it('makes each line a paragraph (Teams joins single newlines) and drops blank lines', () => {
    expect(escapeMarkdown('line one\r\nline two\n\n\n  \nline three  ')).toBe(
      'line one\n\nline two\n\nline three',
    );
  });

  it('escapes user text in every markdown property: text, header, facts, table cells', () => {
    const out = render(
      card(
        { type: 'header', text: '_x_' },
        text('_x_'),
        { type: 'fields', fields: [{ label: '_x_', value: '_x_' }] },
        { type: 'table', columns: ['_x_'], rows: [{ cells: ['_x_'] }] },
      ),
    );
    const json = JSON.stringify(out);
    expect(json.match(/\\\\_x\\\\_/g)).toHaveLength(6);
    expect(json).not.toMatch(/[^\\]_x/);
  });

  it('leaves plain-text properties alone: button titles, labels, placeholders, alt text, values', () => {
    const out = render(
      card(
        { type: 'image', url: 'https://x.io/a.png', alt: '*a*' },
        { type: 'input', id: 'i_1', label: '*L*', placeholder: '_p_' },
        buttons({ action: 'a_b', label: '*B*', value: '*v*' }),
      ),
    );
    expect(out.body).toMatchObject([
      { altText: '*a*' },
      { id: 'i_1', label: '*L*', placeholder: '_p_' },
      { actions: [{ title: '*B*', verb: 'a_b', data: { action: 'a_b', value: '*v*' } }] },
    ]);
  });
});

describe('long text', () => {
  it('is cut to TEAMS_LIMITS.text with an ellipsis', () => {
    const words = 'lorem ipsum dolor '.repeat(2000);
    const [block] = render(card(text(words))).body;
    if (block?.type !== 'TextBlock') throw new Error('no text');
    expect(block.text.length).toBeLessThanOrEqual(TEAMS_LIMITS.text);
    expect(block.text.length).toBeGreaterThan(TEAMS_LIMITS.text - 10);
    expect(block.text.endsWith('…')).toBe(true);
    expect(words.startsWith(block.text.slice(0, -1))).toBe(true);
  });

  it('is cut after escaping, never between a backslash and what it escapes', () => {
    for (const prefix of ['', 'a']) {
      const [block] = render(card(text(prefix + '*'.repeat(20_000)))).body;
      if (block?.type !== 'TextBlock') throw new Error('no text');
      expect(block.text.length).toBeLessThanOrEqual(TEAMS_LIMITS.text);
      const body = block.text.slice(prefix.length, -1);
      expect(body).toMatch(/^(\\\*)+$/);
    }
  });

  it('is never cut inside a surrogate pair', () => {
    for (const prefix of ['', 'a']) {
      const [block] = render(card(text(prefix + '😀'.repeat(10_000)))).body;
      if (block?.type !== 'TextBlock') throw new Error('no text');
      expect(block.text.length).toBeLessThanOrEqual(TEAMS_LIMITS.text);
      expect(block.text).not.toMatch(LONE_SURROGATE);
    }
  });

  it('cuts headers, fact titles and values, table cells', () => {
    const long = 'y'.repeat(5000);
    const out = render(
      card(
        { type: 'header', text: long },
        { type: 'fields', fields: [{ label: long, value: long }] },
        { type: 'table', columns: [long], rows: [{ cells: [long] }] },
      ),
    );
    const [header, facts, table] = out.body;
    expect(header).toMatchObject({ text: `${'y'.repeat(TEAMS_LIMITS.headerText - 1)}…` });
    expect(facts).toMatchObject({
      facts: [
        {
          title: `${'y'.repeat(TEAMS_LIMITS.factTitle - 1)}…`,
          value: `${'y'.repeat(TEAMS_LIMITS.factValue - 1)}…`,
        },
      ],
    });
    const cellText = JSON.stringify(table).match(/y+…/g) ?? [];
    expect(cellText.map((t) => t.length)).toEqual([TEAMS_LIMITS.tableCell, TEAMS_LIMITS.tableCell]);
  });
});

describe('the size budget', () => {
  const big = (i: number) => text(`Paragraph ${i}: ${'word '.repeat(600)}`);

  it('drops blocks from the end, keeping the header, inputs and buttons, and says how many were left out', () => {
    const blocks: CardBlock[] = [
      { type: 'header', text: 'A long pack' },
      big(0),
      buttons({ action: 'ballot.vote', label: 'Yes', value: 'b1:yes' }),
      ...Array.from({ length: 29 }, (_, i) => big(i + 1)),
      { type: 'divider' },
      { type: 'input', id: 'why', label: 'Why' },
      buttons({ action: 'link.open', label: 'Open the full pack', value: 'https://accord.example/p/1' }),
    ];
    const full = JSON.stringify(blocks).length * 2;
    expect(full).toBeGreaterThan(TEAMS_LIMITS.messageBytes); // the neutral card alone is too big

    const out = render(card(...blocks));
    expect(sizeInBytes(out)).toBeGreaterThan(TEAMS_LIMITS.messageBytes * 0.9); // it drops no more than it must
    const kinds = out.body.map((e) => (e.type === 'TextBlock' ? (e.text.split(':')[0] ?? '') : e.type));
    const kept = kinds.filter((k) => k.startsWith('Paragraph')).length;
    expect(kept).toBeGreaterThan(10);
    expect(kinds).toEqual([
      'A long pack',
      'Paragraph 0',
      'ActionSet',
      ...Array.from({ length: kept - 1 }, (_, i) => `Paragraph ${i + 1}`),
      '…This message was shortened',
      'Input.Text',
      'ActionSet',
    ]);
    const notice = out.body.find((e) => e.type === 'TextBlock' && e.text.startsWith('…'));
    expect(notice).toEqual({
      type: 'TextBlock',
      text: `…This message was shortened: ${30 - kept} more parts left out.`,
      wrap: true,
      isSubtle: true,
    });
    // The divider before the input stays with it.
    expect(out.body.at(-2)).toMatchObject({ type: 'Input.Text', separator: true });
  });

  it('counts the refresh too, and says "1 more part" in the singular', () => {
    const blocks: CardBlock[] = [
      { type: 'header', text: 'H' },
      ...Array.from({ length: 12 }, (_, i) => big(i)),
    ];
    const plain = render(card(...blocks));
    expect(textsOf(plain).some((t) => t.startsWith('…'))).toBe(false);
    const refresh = { verb: 'card.refresh', data: { pad: 'z'.repeat(4_000) } };
    const withRefresh = render(card(...blocks), { refresh });
    expect(textsOf(withRefresh).at(-1)).toBe('…This message was shortened: 1 more part left out.');
  });

  it('drops inputs and buttons too when nothing else is left to drop, but never the header', () => {
    const fat = (i: number) => ({ action: 'a', label: `B${i}`, value: 'v'.repeat(9_000) });
    const out = render(
      card(
        { type: 'header', text: 'Too many fat buttons' },
        text('Some text'),
        buttons(...Array.from({ length: 8 }, (_, i) => fat(i))),
      ),
    );
    expect(out.body[0]).toMatchObject({ type: 'TextBlock', text: 'Too many fat buttons', style: 'heading' });
    expect(textsOf(out).at(-1)).toBe('…This message was shortened: 2 more parts left out.');
    expect(out.body).toHaveLength(2);
  });
});

describe('refresh', () => {
  it('adds an Action.Execute refresh with the verb and data (and the verb as data.action)', () => {
    const out = render(card(text('Ballot')), {
      refresh: { verb: 'ballot.refresh', data: { ballotId: 'b1' }, userIds: ['29:a', '29:b'] },
    });
    expect(out.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        verb: 'ballot.refresh',
        data: { action: 'ballot.refresh', ballotId: 'b1' },
      },
      userIds: ['29:a', '29:b'],
    });
    expect(render(card(text('x'))).refresh).toBeUndefined();
    expect(render(card(text('x')), { refresh: { verb: 'v', data: { action: 'mine' } } }).refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'v', data: { action: 'mine' } },
    });
  });

  it('keeps the first 60 of more user ids', () => {
    const userIds = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
    const out = render(card(text('x')), { refresh: { verb: 'v', data: {}, userIds } });
    expect(out.refresh?.userIds).toEqual(userIds.slice(0, 60));
    expect(userIds).toHaveLength(75); // the caller's array is not changed
  });
});

describe('attachments and activities', () => {
  const ballot = card(
    { type: 'header', text: 'Which plan?' },
    buttons({ action: 'ballot.vote', label: 'A', value: 'b:a' }),
  );

  it('wraps the card as an Adaptive Card attachment', () => {
    const attachment = renderCardAttachment(ballot, { refresh: { verb: 'r', data: {} } });
    expect(attachment).toEqual({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: renderAdaptiveCard(ballot, { refresh: { verb: 'r', data: {} } }),
    });
    expect(ADAPTIVE_CARD_CONTENT_TYPE).toBe('application/vnd.microsoft.card.adaptive');
  });

  it('builds a message activity with the summary (what notifications show) and no duplicate text', () => {
    const activity = cardActivity({ ...ballot, summary: '  Ballot:\nWhich plan?  ' });
    expect(activity).toEqual({
      type: 'message',
      summary: 'Ballot: Which plan?',
      attachments: [renderCardAttachment(ballot)],
    });
    // What app.send / api.conversations.activities accept.
    const input: IMessageActivityInput = activity;
    expect(input.attachments).toHaveLength(1);
  });

  it('falls back to the first header or text for an empty summary, cut to its limit', () => {
    expect(cardActivity({ summary: ' ', blocks: [{ type: 'divider' }, text('First words')] }).summary).toBe(
      'First words',
    );
    expect(cardActivity({ summary: 's'.repeat(2000), blocks: [] }).summary).toHaveLength(
      TEAMS_LIMITS.summary,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Dialogs

const members = [
  { value: 'm-1', label: 'Ann Lee' },
  { value: 'm-2', label: 'Bo Chen' },
];

const adjustmentForm: Form = {
  action: 'input.submit',
  context: 'req-42',
  title: 'Demand adjustments',
  submitLabel: 'Submit',
  intro: 'Your adjustments for 2027-03 (sales). *Negative* values cut the forecast.',
  fields: [
    { id: 'family', label: 'Product family (code)', type: 'text', initial: 'BIKES', maxLength: 40 },
    { id: 'from', label: 'From month', type: 'date', initial: '2027-03-01' },
    {
      id: 'changeType',
      label: 'Change in',
      type: 'select',
      options: [
        { value: 'percent', label: '% of the baseline' },
        { value: 'units', label: 'units per month' },
      ],
      initial: 'units',
    },
    { id: 'changeValue', label: 'Change', type: 'number', initial: '-120.5', hint: 'Negative for a cut' },
    {
      id: 'reason',
      label: 'Why',
      type: 'long',
      placeholder: 'What changed',
      hint: 'One sentence for the record',
      initial: 'Promo',
    },
    { id: 'owner', label: 'Owner', type: 'person', optional: true, options: members, initial: 'm-2' },
  ],
};

describe('renderDialogCard', () => {
  it('renders every field type with its initial value, required flag, placeholder and maxLength', () => {
    const out = dialog(adjustmentForm);
    expect(out).toEqual({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      msteams: { width: 'full' },
      body: [
        {
          type: 'TextBlock',
          text: 'Your adjustments for 2027-03 (sales). \\*Negative\\* values cut the forecast.',
          wrap: true,
        },
        {
          type: 'Input.Text',
          id: 'family',
          label: 'Product family (code)',
          isRequired: true,
          errorMessage: 'This field is required.',
          maxLength: 40,
          value: 'BIKES',
        },
        {
          type: 'Input.Date',
          id: 'from',
          label: 'From month',
          isRequired: true,
          errorMessage: 'Choose a date.',
          value: '2027-03-01',
        },
        {
          type: 'Input.ChoiceSet',
          id: 'changeType',
          label: 'Change in',
          isRequired: true,
          errorMessage: 'Choose one.',
          style: 'compact',
          choices: [
            { title: '% of the baseline', value: 'percent' },
            { title: 'units per month', value: 'units' },
          ],
          value: 'units',
        },
        {
          type: 'Input.Number',
          id: 'changeValue',
          label: 'Change',
          isRequired: true,
          placeholder: 'Negative for a cut',
          errorMessage: 'Enter a number.',
          value: -120.5,
        },
        {
          type: 'Input.Text',
          id: 'reason',
          label: 'Why',
          isRequired: true,
          placeholder: 'What changed',
          errorMessage: 'This field is required.',
          isMultiline: true,
          maxLength: TEAMS_LIMITS.longInputText,
          value: 'Promo',
        },
        // Its hint stays readable under the field (the placeholder goes once something is typed).
        {
          type: 'TextBlock',
          text: 'One sentence for the record',
          wrap: true,
          isSubtle: true,
          size: 'Small',
          spacing: 'None',
        },
        {
          type: 'Input.ChoiceSet',
          id: 'owner',
          label: 'Owner',
          isRequired: false,
          style: 'filtered',
          choices: [
            { title: 'Ann Lee', value: 'm-1' },
            { title: 'Bo Chen', value: 'm-2' },
          ],
          value: 'm-2',
        },
      ],
      actions: [
        { type: 'Action.Submit', title: 'Submit', data: { action: 'input.submit', context: 'req-42' } },
      ],
    });
  });

  it('leaves out initial values the input could not show, and blank placeholders', () => {
    const form: Form = {
      ...adjustmentForm,
      intro: undefined,
      fields: [
        { id: 'n', label: 'N', type: 'number', initial: 'twelve', optional: true },
        { id: 'd', label: 'D', type: 'date', initial: '2027-03', optional: true },
        { id: 's', label: 'S', type: 'select', options: members, initial: 'm-9', placeholder: ' ' },
        { id: 't', label: 'T', type: 'text', initial: '   ', hint: ' ' },
        { id: 'l', label: 'L', type: 'text', initial: 'x'.repeat(600) },
      ],
    };
    const body = dialog(form).body;
    expect(body.map((e) => ('value' in e ? e.value : undefined))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'x'.repeat(TEAMS_LIMITS.inputText),
    ]);
    expect(body.some((e) => 'placeholder' in e)).toBe(false);
    expect(body[0]).toMatchObject({ isRequired: false, errorMessage: 'Enter a number.' });
  });

  it('offers a typed input where there is nothing to choose from (a person without options)', () => {
    const body = dialog({
      ...adjustmentForm,
      fields: [{ id: 'delegateId', label: 'Delegate (member id)', type: 'person', optional: true }],
    }).body;
    expect(body.at(-1)).toEqual({
      type: 'Input.Text',
      id: 'delegateId',
      label: 'Delegate (member id)',
      isRequired: false,
      maxLength: TEAMS_LIMITS.inputText,
    });
  });

  it('offers at most 100 choices, keeping the pre-selected one', () => {
    const options = Array.from({ length: 150 }, (_, i) => ({ value: `m-${i}`, label: `Member ${i}` }));
    const field: FormField = { id: 'who', label: 'Who', type: 'person', options, initial: 'm-120' };
    const [input] = dialog({ ...adjustmentForm, intro: undefined, fields: [field] }).body;
    if (input?.type !== 'Input.ChoiceSet') throw new Error('no choice set');
    expect(input.choices).toHaveLength(TEAMS_LIMITS.choices);
    expect(input.choices.at(-2)?.value).toBe('m-98');
    expect(input.choices.at(-1)).toEqual({ title: 'Member 120', value: 'm-120' });
    expect(input.value).toBe('m-120');
  });

  it('shows a server-side error right under its field; errors for unknown ids go under the first field', () => {
    const out = dialog(adjustmentForm, {
      changeValue: 'Must be between -100 and 100 for a *percent* change.',
      reason: '  ',
      nope: 'The request was already closed.',
    });
    const ids = out.body.map((e) =>
      'id' in e && e.id
        ? e.id
        : e.type === 'TextBlock'
          ? e.color === 'Attention'
            ? `error: ${e.text}`
            : e.isSubtle
              ? 'hint'
              : 'intro'
          : e.type,
    );
    expect(ids).toEqual([
      'intro',
      'family',
      'error: The request was already closed.',
      'from',
      'changeType',
      'changeValue',
      'error: Must be between -100 and 100 for a \\*percent\\* change.',
      'reason',
      'hint',
      'owner',
    ]);
    expect(out.body[2]).toEqual({
      type: 'TextBlock',
      text: 'The request was already closed.',
      wrap: true,
      color: 'Attention',
      spacing: 'Small',
    });
  });

  it('shows errors even on a form without fields', () => {
    const out = dialog({ ...adjustmentForm, intro: undefined, fields: [] }, { x: 'Closed.' });
    expect(textsOf(out)).toEqual(['Closed.']);
  });
});

describe('dialog responses', () => {
  it('opens the form with the task module continue response', () => {
    const response = dialogResponse(adjustmentForm, { family: 'Unknown family.' });
    expect(response).toEqual({
      task: {
        type: 'continue',
        value: {
          title: 'Demand adjustments',
          card: {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: renderDialogCard(adjustmentForm, { family: 'Unknown family.' }),
          },
        },
      },
    });
    const sdk: TaskModuleResponse = response;
    expect(sdk.task?.type).toBe('continue');
  });

  it('closes the dialog with a message', () => {
    const response = dialogMessage('Thanks, your adjustments are in.');
    expect(response).toEqual({ task: { type: 'message', value: 'Thanks, your adjustments are in.' } });
    const sdk: TaskModuleResponse = response;
    expect(sdk.task?.value).toBe('Thanks, your adjustments are in.');
  });
});

describe('readDialogValues', () => {
  it("reads each field's trimmed value and nothing else", () => {
    const data = {
      action: 'input.submit',
      context: 'req-42',
      family: '  BIKES ',
      from: '2027-03-01',
      changeType: 'units',
      changeValue: -120.5,
      reason: '   ',
      owner: '',
      injected: 'x',
      msteams: { type: 'task/submit' },
    };
    expect(readDialogValues(adjustmentForm, data)).toEqual({
      family: 'BIKES',
      from: '2027-03-01',
      changeType: 'units',
      changeValue: '-120.5',
    });
  });

  it('ignores values of the wrong type, inherited keys and data that is not an object', () => {
    const form: Form = {
      ...adjustmentForm,
      fields: [
        { id: 'a', label: 'A', type: 'text' },
        { id: 'b', label: 'B', type: 'number' },
        { id: 'constructor', label: 'C', type: 'text' },
        { id: 'toString', label: 'D', type: 'text' },
      ],
    };
    expect(readDialogValues(form, { a: ['x'], b: Number.NaN })).toEqual({});
    for (const data of [undefined, null, 'a=1', 42, ['a']]) expect(readDialogValues(form, data)).toEqual({});
  });

  it('reads back what the dialog it rendered pre-filled', () => {
    const out = renderDialogCard(adjustmentForm);
    const submitted = Object.fromEntries(
      out.body.flatMap((e) => ('id' in e && e.id && 'value' in e ? [[e.id, String(e.value)]] : [])),
    );
    expect(
      readDialogValues(adjustmentForm, { ...submitted, action: 'input.submit', context: 'req-42' }),
    ).toEqual({
      family: 'BIKES',
      from: '2027-03-01',
      changeType: 'units',
      changeValue: '-120.5',
      reason: 'Promo',
      owner: 'm-2',
    });
  });

  it('keeps fields called action or context apart from the submit data Teams merges them into', () => {
    const form: Form = {
      action: 'meeting.decide.submit',
      context: 'm-1:0',
      title: 'Close as decided',
      submitLabel: 'Record',
      fields: [
        { id: 'action', label: 'What they do', type: 'long' },
        { id: 'context', label: 'Context', type: 'text' },
      ],
    };
    const out = dialog(form);
    const submit = out.actions?.[0] as { data: Record<string, unknown> };
    // As Microsoft's renderer prepares a submit: each input's value under its id, over the data.
    const data: Record<string, unknown> = { ...submit.data };
    for (const e of out.body) if ('id' in e && e.id) data[e.id] = `typed into ${e.id}`;
    expect(data).toMatchObject({ action: 'meeting.decide.submit', context: 'm-1:0' });
    expect(readDialogValues(form, data)).toEqual({
      action: 'typed into field.action',
      context: 'typed into field.context',
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Snapshots of representative cards (shaped like the presenters' output)

describe('snapshots', () => {
  it('a pre-S&OP pack', () => {
    const pack: Card = {
      summary: 'Pre-S&OP pack 2027-03 is ready: 2 trade-off(s) to decide, 4,200 units short before levers.',
      blocks: [
        { type: 'header', text: 'Pre-S&OP pack 2027-03 (v2)' },
        {
          type: 'fields',
          fields: [
            { label: 'Revenue', value: '1,234,567' },
            { label: 'Margin', value: '234,567 (19.0%)' },
            { label: 'Gap before levers', value: '4,200 units, 51,000 margin at risk' },
            { label: 'Fill rate, recommended plan', value: '96.3%' },
          ],
        },
        {
          type: 'table',
          columns: ['Family', 'Resource', 'Month', 'Units short', 'Margin at risk'],
          rows: [
            { cells: ['City bikes', 'Line_2', '2027-04', '2,500', '30,000'] },
            { cells: ['E-bikes', '-', '2027-05', '1,700', '21,000'] },
          ],
        },
        {
          type: 'text',
          text: 'Cover the April gap? Options: Overtime (cost 1,200, margin lost 300); Backorder (cost 0, margin lost 9,000). Recommended: Overtime.',
        },
        { type: 'divider' },
        { type: 'image', url: 'https://accord.example/charts/2027-03.png', alt: 'Demand vs supply by month' },
        {
          type: 'actions',
          buttons: [
            {
              action: 'link.open',
              label: 'Open the full pack',
              value: 'https://accord.example/p/7',
              style: 'primary',
            },
          ],
        },
      ],
    };
    expect(cardActivity(pack)).toMatchSnapshot();
    render(pack);
  });

  it('an open ballot with its why input, vote buttons and a per-user refresh', () => {
    const ballot: Card = {
      summary: 'Ballot: Cover the April gap with overtime?',
      blocks: [
        { type: 'header', text: 'Cover the April gap with overtime?' },
        { type: 'text', text: 'Overtime: 1,200 cost, keeps 9,000 margin' },
        { type: 'text', text: 'Backorder: no cost, 9,000 margin at risk' },
        {
          type: 'text',
          text: '3 of 7 voted. Quorum not met yet. Closes 2027-03-20 16:00 UTC; you can change your vote until then.',
        },
        {
          type: 'input',
          id: 'why:b1',
          label: 'Why (optional, kept with your vote)',
          placeholder: 'A sentence for the record',
        },
        {
          type: 'actions',
          buttons: [
            { action: 'ballot.vote', label: 'Overtime', value: 'b1:overtime', style: 'primary' },
            { action: 'ballot.vote', label: 'Backorder', value: 'b1:backorder' },
          ],
        },
      ],
    };
    const opts = {
      refresh: { verb: 'ballot.refresh', data: { ballotId: 'b1' }, userIds: ['29:voter-1', '29:voter-2'] },
    };
    expect(render(ballot, opts)).toMatchSnapshot();
  });

  it('a step prompt and an escalation with a danger button', () => {
    const prompt: Card = {
      summary: 'Demand planning is open for the 2027-02 S&OP cycle.',
      blocks: [
        { type: 'header', text: 'Demand planning: Demand adjustments' },
        {
          type: 'text',
          text: 'Please give your demand adjustments for sales by Mon 8 Feb, 17:00 (Europe/Berlin).',
        },
        {
          type: 'fields',
          fields: [
            { label: 'Cycle', value: '2027-02' },
            { label: 'Due', value: 'Mon 8 Feb, 17:00 (Europe/Berlin)' },
          ],
        },
        {
          type: 'actions',
          buttons: [
            { action: 'input.open', label: 'Open the form', value: 'req-42', style: 'primary' },
            { action: 'step.close', label: 'Close without them', value: 'cyc1:pre-sop', style: 'danger' },
          ],
        },
      ],
    };
    expect(render(prompt)).toMatchSnapshot();
  });

  it('a dialog re-shown with a server error', () => {
    expect(
      dialogResponse(adjustmentForm, { changeValue: 'Must be between -100 and 100.' }),
    ).toMatchSnapshot();
  });
});
