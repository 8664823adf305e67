/**
 * The Slack Block Kit renderer: real cards from the presenters become the blocks Slack expects, user
 * text is escaped, and oversized content is split or cut so that Slack never rejects a message.
 */
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Card } from '../../src/cards/card.js';
import { loadCopy } from '../../src/cards/copy.js';
import { presentAction } from '../../src/cards/presenters/actions.js';
import { presentBallot, presentDecision } from '../../src/cards/presenters/ballots.js';
import { presentPack, presentWhatIf } from '../../src/cards/presenters/packs.js';
import {
  presentEscalation,
  presentReminder,
  presentStepPrompt,
  presentStepReopened,
  type InputContext,
} from '../../src/cards/presenters/steps.js';
import {
  escapeMrkdwn,
  renderBlocks,
  renderMessage,
  type InputBlock,
  type SlackBlock,
  type SlackButton,
} from '../../bots/slack/blockkit.js';
import { cardModal } from '../../bots/slack/views.js';
import { repoRoot } from '../../tools/ferretdb.js';

const copy = loadCopy(path.join(repoRoot(), 'templates', 'copy'));

const input: InputContext = {
  cycleId: 'cyc1',
  month: '2027-02',
  step: 'demand-planning',
  requestId: 'req-42',
  kind: 'demand-adjustments',
  function: 'sales',
  dueAt: new Date('2027-02-08T16:00:00Z'),
  timezone: 'Europe/Berlin',
};
const due = 'Mon 8 Feb, 17:00 (Europe/Berlin)';

const inputFields = {
  type: 'section',
  fields: [
    { type: 'mrkdwn', text: '*Cycle*\n2027-02' },
    { type: 'mrkdwn', text: '*Step*\nDemand planning' },
    { type: 'mrkdwn', text: '*Input*\nDemand adjustments (sales)' },
    { type: 'mrkdwn', text: `*Due*\n${due}` },
  ],
};
const openForm = {
  type: 'actions',
  elements: [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Open the form' },
      action_id: 'input.open',
      value: 'req-42',
      style: 'primary',
    },
  ],
};

function textOf(block: SlackBlock | undefined): string {
  if (block?.type !== 'section' || !block.text)
    throw new Error(`not a text section: ${JSON.stringify(block)}`);
  return block.text.text;
}

function buttonsOf(block: SlackBlock | undefined): SlackButton[] {
  if (block?.type !== 'actions') throw new Error(`not an actions block: ${JSON.stringify(block)}`);
  return block.elements;
}

function textCard(...texts: string[]): Card {
  return { summary: 'Summary', blocks: texts.map((text) => ({ type: 'text' as const, text })) };
}

describe('escapeMrkdwn', () => {
  it('escapes exactly the three control characters, & first', () => {
    expect(escapeMrkdwn('a & b < c > d &amp; *e* _f_')).toBe('a &amp; b &lt; c &gt; d &amp;amp; *e* _f_');
  });
});

describe('cards from the presenters', () => {
  it('renders a step prompt: header, escaped text, fields, the primary form button', () => {
    const text =
      'Demand planning is open for the 2027-02 S&amp;OP cycle. ' +
      `Please give your demand adjustments for sales by ${due}.`;
    expect(renderMessage(presentStepPrompt(copy, input))).toEqual({
      text,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Demand planning: Demand adjustments' } },
        { type: 'section', text: { type: 'mrkdwn', text } },
        inputFields,
        openForm,
      ],
    });
  });

  it('renders a reopened step, escaping the reason', () => {
    const message = renderMessage(presentStepReopened(copy, input, 'figures from <@U123> were wrong'));
    const text =
      'Demand planning of the 2027-02 cycle has been reopened (figures from &lt;@U123&gt; were wrong). ' +
      `Your demand adjustments for sales is now due ${due}.`;
    expect(message.text).toBe(text);
    expect(message.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Demand planning reopened' } },
      { type: 'section', text: { type: 'mrkdwn', text } },
      inputFields,
      openForm,
    ]);
  });

  it('renders both reminders without a header', () => {
    const before = renderMessage(presentReminder(copy, input, 'before-due'));
    const text = `Reminder: your demand adjustments for sales for the 2027-02 cycle (Demand planning) is due ${due}.`;
    expect(before).toEqual({
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, inputFields, openForm],
    });
    const dueDay = renderMessage(presentReminder(copy, { ...input, function: null }, 'due-day'));
    expect(dueDay.text).toBe(
      `Due today: your demand adjustments for the 2027-02 cycle (Demand planning), by ${due}.`,
    );
    expect(dueDay.blocks.map((b) => b.type)).toEqual(['section', 'section', 'actions']);
  });

  it('renders an escalation: the missing inputs as a padded monospace table, extend and close buttons', () => {
    const card = presentEscalation(copy, {
      cycleId: 'cyc1',
      month: '2027-02',
      step: 'pre-sop',
      dueAt: new Date('2027-02-16T16:00:00Z'),
      timezone: 'Europe/Berlin',
      missing: [
        { kind: 'demand-adjustments', function: 'sales', owners: ['Lead sales', 'Ann <ann@x.io>'] },
        { kind: 'finance-targets', function: null, owners: [] },
      ],
    });
    const message = renderMessage(card);
    expect(message.text).toBe(
      'Pre-S&amp;OP reconciliation of the 2027-02 cycle was due Tue 16 Feb, 17:00 (Europe/Berlin) ' +
        'and 2 inputs are still missing. Extend the step or close it without them.',
    );
    expect(message.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: 'Overdue: Pre-S&amp;OP reconciliation' } },
      { type: 'section', text: { type: 'mrkdwn', text: message.text } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            '```',
            'Input                       Owed by',
            '--------------------------  --------------------------',
            'Demand adjustments (sales)  Lead sales, Ann &lt;ann@x.io&gt;',
            'Finance targets             nobody assigned',
            '```',
          ].join('\n'),
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Extend by a business day' },
            action_id: 'step.extend',
            value: 'cyc1:pre-sop',
          },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Close without them' },
            action_id: 'step.close',
            value: 'cyc1:pre-sop',
            style: 'danger',
          },
        ],
      },
    ]);
  });

  it('renders the pre-S&OP pack: figures, top gaps, three trade-offs, the chart and a link button', () => {
    const option = (key: string, label: string) => ({ key, label, cost: 1200.4, lostMargin: 300 });
    const card = presentPack({
      month: '2027-03',
      version: 2,
      datasetVersion: 7,
      summary: {
        revenue: 1234567,
        margin: 234567,
        marginPercent: 19,
        gapUnits: 4200,
        marginAtRisk: 51000,
        fillRate: 0.963,
      },
      gaps: Array.from({ length: 6 }, (_, i) => ({
        familyName: `Family ${i + 1}`,
        resource: i === 0 ? null : `Line ${i}`,
        period: '2027-04',
        shortfallUnits: 1000 * (6 - i),
        marginAtRisk: 2500 * (6 - i),
      })),
      tradeoffs: Array.from({ length: 4 }, (_, i) => ({
        question: `Question ${i + 1} for <!here>?`,
        recommended: 'b',
        options: [option('a', 'Overtime'), option('b', 'Build ahead')],
      })),
      chart: { url: 'https://accord.example/chart.png?sig=a&b=c', alt: 'Demand vs capacity' },
      htmlUrl: 'https://accord.example/pack.html?version=2&sig=x',
    });
    const { text, blocks } = renderMessage(card);
    expect(text).toBe(
      'Pre-S&amp;OP pack 2027-03 is ready: 4 trade-off(s) to decide, 4,200 units short before levers.',
    );
    expect(blocks.map((b) => b.type)).toEqual([
      'header',
      'section', // figures
      'section', // top gaps
      'section', // trade-off 1
      'section',
      'section',
      'section', // "1 more trade-off(s)"
      'image',
      'actions',
    ]);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Pre-S&amp;OP pack 2027-03 (v2)' },
    });
    expect(blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Revenue*\n1,234,567' },
        { type: 'mrkdwn', text: '*Margin*\n234,567 (19.0%)' },
        { type: 'mrkdwn', text: '*Gap before levers*\n4,200 units short of demand, 51,000 margin at risk' },
        { type: 'mrkdwn', text: '*Fill rate, recommended plan*\n96.3%' },
      ],
    });
    expect(textOf(blocks[2]).split('\n')).toEqual([
      '```',
      'Family    Resource  Month    Units short  Margin at risk',
      '--------  --------  -------  -----------  --------------',
      'Family 1  -         2027-04  6,000        15,000',
      'Family 2  Line 1    2027-04  5,000        12,500',
      'Family 3  Line 2    2027-04  4,000        10,000',
      'Family 4  Line 3    2027-04  3,000        7,500',
      'Family 5  Line 4    2027-04  2,000        5,000',
      '```',
    ]);
    expect(textOf(blocks[3])).toBe(
      'Question 1 for &lt;!here&gt;? Options: Overtime (cost 1,200, margin lost 300); ' +
        'Build ahead (cost 1,200, margin lost 300). Recommended: Build ahead.',
    );
    expect(textOf(blocks[6])).toBe('1 more trade-off(s) in the full pack.');
    expect(blocks[7]).toEqual({
      type: 'image',
      image_url: 'https://accord.example/chart.png?sig=a&b=c',
      alt_text: 'Demand vs capacity',
    });
    expect(buttonsOf(blocks[8])).toEqual([
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open the full pack' },
        action_id: 'link.open',
        url: 'https://accord.example/pack.html?version=2&sig=x',
        style: 'primary',
      },
    ]);
  });
});

describe('oversized content', () => {
  it('cuts 200 text blocks to exactly 50, ending with the notice and the link', () => {
    const card = textCard(...Array.from({ length: 200 }, (_, i) => `Paragraph ${i + 1}`));
    const { blocks } = renderMessage(card, { moreUrl: 'https://accord.example/full?a=1&b=2' });
    expect(blocks).toHaveLength(50);
    expect(textOf(blocks[48])).toBe('Paragraph 49');
    expect(blocks[49]).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '…cut: 151 more blocks. <https://accord.example/full?a=1&amp;b=2|Open the full view>',
        },
      ],
    });
    // Without a link, and with a Home tab's 100 blocks.
    const home = renderBlocks(card, 100);
    expect(home).toHaveLength(100);
    expect(home[99]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '…cut: 101 more blocks.' }],
    });
    // Exactly at the limit nothing is cut.
    expect(
      renderMessage(textCard(...Array.from({ length: 50 }, () => 'x'))).blocks.map((b) => b.type),
    ).toEqual(Array.from({ length: 50 }, () => 'section'));
  });

  it('splits a 10,000-character text into sections of at most 3000, at boundaries, losing nothing', () => {
    const words = ['supply', 'demand', 'R&D', '<forecast>', 'margin', 'capacity', 'S&OP', 'plan'];
    let text = '';
    for (let i = 0; text.length < 10000; i++) {
      text += words[i % words.length]!;
      text += i % 97 === 96 ? '.\n\n' : i % 13 === 12 ? '. ' : ' ';
    }
    text = text.slice(0, 10000);
    expect(text).toHaveLength(10000);
    const escaped = escapeMrkdwn(text);

    const { blocks } = renderMessage(textCard(text));
    const pieces = blocks.map(textOf);
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(3000);
      expect(p).toBe(p.trim());
      expect(escaped).toContain(p);
    }
    // Nothing lost, nothing cut mid-word: the same words in the same order.
    expect(pieces.join('\n').split(/\s+/)).toEqual(escaped.trim().split(/\s+/));
    expect(pieces.join(' ').replace(/\s+/g, ' ')).toBe(escaped.trim().replace(/\s+/g, ' '));
    // Paragraph breaks are preferred: every piece but the last ends a sentence.
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('.')).toBe(true);
  });

  it('cuts a word longer than a section only where it must, never inside an entity', () => {
    // 'x' then 1000 '&amp;': the 3000th character falls inside an entity, so the cut comes before it.
    const pieces = renderMessage(textCard(`x${'&'.repeat(1000)}`)).blocks.map(textOf);
    expect(pieces.map((p) => p.length)).toEqual([2996, 2005]);
    expect(pieces[0]).toMatch(/^x(&amp;)+$/);
    expect(pieces[1]).toMatch(/^(&amp;)+$/);
  });

  it('pages a 300-row table into code blocks under 3000 characters, each row exactly once', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      cells: [`F${String(i).padStart(3, '0')}`, `Line <${i % 7}>`, '2027-04', String(i * 37)],
    }));
    const card: Card = {
      summary: 'Gaps',
      blocks: [{ type: 'table', columns: ['Family', 'Resource', 'Month', 'Units'], rows }],
    };
    const sections = renderMessage(card).blocks.map(textOf);
    expect(sections.length).toBeGreaterThan(1);
    const lines: string[] = [];
    for (const s of sections) {
      expect(s.length).toBeLessThanOrEqual(3000);
      const [open, header, rule, ...rest] = s.split('\n');
      expect(open).toBe('```');
      expect(rest.pop()).toBe('```');
      // Columns are padded by what people see (`<`), not by the entity Slack receives (`&lt;`).
      expect(header).toBe('Family  Resource  Month    Units');
      expect(rule).toBe('------  --------  -------  -----');
      lines.push(...rest);
    }
    expect(lines).toHaveLength(300);
    rows.forEach((r, i) =>
      expect(lines[i]).toBe(
        `${r.cells[0]}    Line &lt;${i % 7}&gt;  2027-04  ${r.cells[3]}`.replace(/\s+$/, ''),
      ),
    );
  });

  it('wraps a wide cell onto further lines of its row; cuts only a row too big for a section', () => {
    const owners = 'Ann Able, Bob Best, Cid Cole, Dee Dunn, Eve East, Fay Fox';
    const table = (cells: string[]): Card => ({
      summary: 's',
      blocks: [
        { type: 'table', columns: ['Input', 'Owed by'], rows: [{ cells }, { cells: ['Last', 'row'] }] },
      ],
    });
    expect(textOf(renderMessage(table(['Finance targets', owners])).blocks[0]).split('\n')).toEqual([
      '```',
      'Input            Owed by',
      `---------------  ${'-'.repeat(40)}`,
      'Finance targets  Ann Able, Bob Best, Cid Cole, Dee Dunn,',
      '                 Eve East, Fay Fox',
      'Last             row',
      '```',
    ]);
    const huge = renderMessage(table(['Huge', 'y'.repeat(10000)])).blocks.map(textOf);
    expect(huge).toHaveLength(2);
    expect(huge[0]!.length).toBeLessThanOrEqual(3000);
    expect(huge[0]).toMatch(/y…\n```$/);
    expect(huge[1]!.split('\n').slice(3)).toEqual(['Last   row', '```']);
  });

  it('puts 12 fields into two sections of 10 and 2, each field cut to 2000', () => {
    const fields = Array.from({ length: 12 }, (_, i) => ({ label: `F${i + 1}`, value: `v${i + 1}` }));
    fields[11] = { label: 'Long', value: 'x'.repeat(5000) };
    const { blocks } = renderMessage({ summary: 's', blocks: [{ type: 'fields', fields }] });
    expect(blocks).toHaveLength(2);
    const [first, second] = blocks.map((b) => (b.type === 'section' ? (b.fields ?? []) : []));
    expect(first!.map((f) => f.text)).toEqual(Array.from({ length: 10 }, (_, i) => `*F${i + 1}*\nv${i + 1}`));
    expect(second!.map((f) => f.text.slice(0, 12))).toEqual(['*F11*\nv11', '*Long*\nxxxxx']);
    expect(second![1]!.text).toHaveLength(2000);
    expect(second![1]!.text.endsWith('x…')).toBe(true);
  });
});

describe('escaping and limits', () => {
  const evil = '<!channel> & <https://evil|click>';
  const escaped = '&lt;!channel&gt; &amp; &lt;https://evil|click&gt;';

  it('escapes user text everywhere it is shown', () => {
    const message = renderMessage({
      summary: evil,
      blocks: [
        { type: 'header', text: evil },
        { type: 'text', text: evil },
        { type: 'fields', fields: [{ label: evil, value: evil }] },
        { type: 'table', columns: ['Who'], rows: [{ cells: [evil] }] },
        { type: 'image', url: 'https://accord.example/c.png', alt: evil },
        { type: 'actions', buttons: [{ action: 'x.y', label: evil, value: evil }] },
      ],
    });
    expect(message.text).toBe(escaped);
    expect(message.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: escaped } },
      { type: 'section', text: { type: 'mrkdwn', text: escaped } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: `*${escaped}*\n${escaped}` }] },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `\`\`\`\nWho\n${'-'.repeat(33)}\n${escaped}\n\`\`\`` },
      },
      { type: 'image', image_url: 'https://accord.example/c.png', alt_text: escaped },
      {
        type: 'actions',
        // The value is opaque (it comes back to Accord as sent), so it is not escaped.
        elements: [
          { type: 'button', text: { type: 'plain_text', text: escaped }, action_id: 'x.y', value: evil },
        ],
      },
    ]);
  });

  it('cuts a 100-character button label to 75 and a value to 2000', () => {
    const [button] = buttonsOf(
      renderMessage({
        summary: 's',
        blocks: [
          { type: 'actions', buttons: [{ action: 'a', label: 'L'.repeat(100), value: 'v'.repeat(2500) }] },
        ],
      }).blocks[0],
    );
    expect(button!.text.text).toBe(`${'L'.repeat(74)}…`);
    expect(button!.text.text).toHaveLength(75);
    expect(button!.value).toBe('v'.repeat(2000));
  });

  it('gives repeated actions distinct ids and puts at most 25 buttons in an actions block', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({
      action: i < 3 ? 'vote.cast' : `opt.${i}`,
      label: `Option ${i}`,
      value: String(i),
    }));
    buttons.push({ action: 'link.open', label: 'Docs', value: 'not a url' });
    const blocks = renderMessage({ summary: 's', blocks: [{ type: 'actions', buttons }] }).blocks;
    expect(blocks.map((b) => buttonsOf(b).length)).toEqual([25, 5]);
    expect(
      buttonsOf(blocks[0])
        .slice(0, 4)
        .map((b) => b.action_id),
    ).toEqual(['vote.cast', 'vote.cast:1', 'vote.cast:2', 'opt.3']);
    // A link.open whose value is not a URL cannot open anything: it is left out, not a dead button.
    expect(blocks.flatMap(buttonsOf).map((b) => b.text.text)).not.toContain('Docs');
  });

  it('cuts the header to 150 and the fallback text to 3000, each with an ellipsis', () => {
    const message = renderMessage({
      summary: 'S&P '.repeat(1000),
      blocks: [{ type: 'header', text: 'H'.repeat(200) }],
    });
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `${'H'.repeat(149)}…` },
    });
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.text).toMatch(/^(S&amp;P )+S&amp;P…$/);
  });
});

describe('ballots, decisions, actions and the what-if', () => {
  const ballot = {
    ballot: {
      id: 'b1',
      title: 'Overtime <in> March?',
      options: [
        { key: 'yes', label: 'Yes', meaning: 'book 2 Saturday shifts' },
        { key: 'no', label: 'No', meaning: '' },
      ],
      status: 'open',
      deadline: new Date('2027-02-17T16:00:00Z'),
      source: { recommended: 'yes' },
    },
    tally: { counts: { yes: 1, no: 0 }, voted: 1, eligible: 3, quorum: { met: false } },
    hidden: false,
  };

  it('renders a ballot with a why field above one button per option', () => {
    const blocks = renderBlocks(presentBallot(ballot));
    const why = blocks.find((b) => b.type === 'input') as InputBlock;
    expect(why).toEqual({
      type: 'input',
      block_id: 'why:b1',
      optional: true,
      label: { type: 'plain_text', text: 'Why (optional, kept with your vote)' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        max_length: 500,
        placeholder: { type: 'plain_text', text: 'A sentence for the record' },
      },
    });
    const buttons = (blocks.at(-1) as { elements: SlackButton[] }).elements;
    expect(buttons.map((b) => [b.action_id, b.value, b.style])).toEqual([
      ['ballot.vote', 'b1:yes', 'primary'],
      ['ballot.vote:1', 'b1:no', undefined],
    ]);
    // Closed: no field, no buttons.
    const closed = renderBlocks(presentBallot({ ...ballot, ballot: { ...ballot.ballot, status: 'closed' } }));
    expect(closed.some((b) => b.type === 'input' || b.type === 'actions')).toBe(false);
  });

  it("cuts an input's label and placeholder to Slack's limits, escaped, and keeps the block id", () => {
    const [block] = renderBlocks({
      summary: 'x',
      blocks: [{ type: 'input', id: 'why:x', label: '<b>'.repeat(1000), placeholder: 'p'.repeat(400) }],
    }) as InputBlock[];
    expect(block!.block_id).toBe('why:x');
    expect(block!.label.text.length).toBeLessThanOrEqual(2000);
    expect(block!.label.text.startsWith('&lt;b&gt;')).toBe(true);
    expect(block!.element.placeholder!.text.length).toBeLessThanOrEqual(150);
  });

  it("gives only the process owner's decision copy the assign button; an action DM carries Mark done", () => {
    const d = {
      id: 'd1',
      title: 'Overtime in March?',
      status: 'decided',
      optionLabel: 'Yes',
      rationale: '',
      tally: { counts: { Yes: 2, No: 1 }, voted: 3, eligible: 3 },
    };
    const assign = (c: Card) =>
      renderBlocks(c).flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(assign(presentDecision(d, { assign: true }))).toEqual(['decision.assign']);
    expect(assign(presentDecision(d))).toEqual([]);
    const dm = renderMessage(
      presentAction({
        id: 'a1',
        description: 'Book <overtime>',
        dueDate: '2027-03-01',
        decisionTitle: 'Overtime in March?',
        assignedBy: 'Petra',
      }),
    );
    expect(dm.text).toBe('New action for you: Book &lt;overtime&gt; (due 2027-03-01)');
    expect(JSON.stringify(dm.blocks)).toContain('"action_id":"action.done"');
  });

  it('keeps a Home tab of 200 actions within 100 blocks', () => {
    const card: Card = {
      summary: 'Home',
      blocks: Array.from({ length: 200 }, (_, i) => [
        { type: 'text' as const, text: `Action ${i}` },
        {
          type: 'actions' as const,
          buttons: [{ action: 'action.done', label: 'Mark done', value: `a${i}` }],
        },
      ]).flat(),
    };
    const blocks = renderBlocks(card, 100);
    expect(blocks).toHaveLength(100);
    expect(blocks.at(-1)!.type).toBe('context');
  });

  it('shows a what-if comparison as a table with signed changes, in a modal within its limits', () => {
    const base = {
      revenue: 1_000_000,
      margin: 300_000,
      marginPercent: 0.3,
      fillRate: 0.95,
      shortfallUnits: 500,
      gapUnits: 800,
      marginAtRisk: 40_000,
      leverSpend: 10_000,
      lostMargin: 5_000,
      tightResources: 2,
      peakUtilization: 1.1,
    };
    const card = presentWhatIf(
      {
        pack: { version: 2, datasetVersion: 1 },
        scenario: { name: 'A very long what-if name that goes on', demand: [{ percent: 10 }] },
        base,
        whatIf: { ...base, revenue: 1_080_000, fillRate: 0.93 },
        delta: {},
        gaps: [],
        elapsedMs: 5,
      },
      null,
    );
    const modal = cardModal('A very long what-if name that goes on', card);
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    const text = JSON.stringify(modal.blocks);
    expect(text).toMatch(/Revenue +1,000,000 +1,080,000 +\+80,000/);
    expect(text).toMatch(/Fill rate +95\.0% +93\.0% +-2\.0%/);
    expect(text).toMatch(/Units short +500 +500 +=/);
  });
});
