/**
 * Snapshots of every presenter (src/cards/presenters/*.ts) and every chat form (src/cards/forms.ts)
 * through both chat renderers: Slack Block Kit (renderMessage, renderModal) and Teams Adaptive Cards
 * (cardActivity, renderForTeams for ballots, the dialog of a form). A change to what a message says,
 * or to how a platform shows it, changes a snapshot and is seen in review.
 *
 * The inputs are fixed and realistic (one S&OP cycle of a food manufacturer, people in Berlin and
 * New York). Besides the snapshot, every output is checked against the platforms' rules: a Slack
 * message has at most 50 blocks and every button an action_id (unique in its block); a Teams card
 * passes Microsoft's Adaptive Cards parser and its JSON stays under TEAMS_LIMITS.messageBytes; and
 * with these realistic inputs neither renderer had to cut anything.
 *
 * Where a presenter takes the chat (`'slack' | 'teams'`), each case renders the Slack-worded card with
 * the Slack renderer and the Teams-worded card with the Teams renderer, as the bots do.
 */
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { PackContent, WhatIfResult } from '../../src/app/packs.js';
import type { PackRecord } from '../../src/app/records.js';
import { zodFields } from '../../src/app/validation.js';
import { setWebBase, type Card } from '../../src/cards/card.js';
import { loadCopy } from '../../src/cards/copy.js';
import type { FieldErrors, Form } from '../../src/cards/form.js';
import {
  assignErrors,
  assignForm,
  errorsFor,
  initialFrom,
  inputForm,
  payloadFrom,
  refill,
  scenarioForm,
  whatIfFrom,
} from '../../src/cards/forms.js';
import {
  presentAction,
  presentActionAssigned,
  presentActionList,
  presentActionOverdue,
  presentActionReminder,
} from '../../src/cards/presenters/actions.js';
import {
  presentBallot,
  presentBallotFor,
  presentBallotUnresolved,
  presentDecision,
  presentDecisionList,
} from '../../src/cards/presenters/ballots.js';
import {
  presentAgenda,
  presentInvitation,
  presentItemClosed,
  presentMeetingEnded,
  presentMeetingItem,
  presentMeetingLive,
  presentMeetingReminder,
  presentMinutes,
  presentNextMeeting,
  presentPoll,
  presentPollTie,
  presentTimeUp,
  type ItemCardView,
  type MeetingFacts,
} from '../../src/cards/presenters/meetings.js';
import { presentPack, presentWhatIf, presentWhatIfInvite } from '../../src/cards/presenters/packs.js';
import {
  presentHelp,
  presentHome,
  presentInputSaved,
  presentNotice,
  presentUnknownUser,
} from '../../src/cards/presenters/people.js';
import {
  presentEscalation,
  presentPackMissing,
  presentReminder,
  presentStatus,
  presentStepClosed,
  presentStepExtended,
  presentStepPrompt,
  presentStepReopened,
  type InputContext,
} from '../../src/cards/presenters/steps.js';
import type { AgendaItem } from '../../src/domain/agenda.js';
import { INPUT_PAYLOADS, inputMonthProblems } from '../../src/domain/inputs.js';
import { composeMinutes } from '../../src/domain/minutes.js';
import type { InputKind } from '../../src/domain/obligations.js';
import { dateProblem } from '../../src/domain/time.js';
import { commitmentWindow } from '../../src/domain/voting.js';
import { SLACK_LIMITS, escapeMrkdwn, renderMessage, type SlackMessage } from '../../bots/slack/blockkit.js';
import { renderModal } from '../../bots/slack/views.js';
import {
  TEAMS_LIMITS,
  cardActivity,
  dialogResponse,
  renderAdaptiveCard,
  type AdaptiveCard,
  type CardActivity,
  type DialogContinueResponse,
  type RenderOptions,
} from '../../bots/teams/adaptive.js';
import { renderForTeams } from '../../bots/teams/refresh.js';
import { repoRoot } from '../../tools/ferretdb.js';
import { parserProblems } from '../helpers/adaptiveCards.js';
import { expectComplete } from '../helpers/sentences.js';

// The cards' links to their web pages, as a running Accord resolves them.
setWebBase('https://accord.example');

// ---------------------------------------------------------------------------------------------------
// Microsoft's Adaptive Cards parser, as test/teams/adaptive.test.ts uses it

// ---------------------------------------------------------------------------------------------------
// Rendering, with the invariants every output must keep

/** At most 50 blocks, every button with an action_id unique in its block, nothing cut. */
function checkSlackMessage(m: SlackMessage): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.messageBlocks);
  for (const block of m.blocks) {
    expect(block.type).not.toBe('context'); // the renderer's "…cut: N more blocks" notice
    if (block.type !== 'actions') continue;
    const ids = block.elements.map((b) => b.action_id);
    for (const id of ids) expect(id).toMatch(/^\S{1,255}$/);
    expect(new Set(ids).size).toBe(ids.length);
  }
}

/** Microsoft's parser finds nothing, the JSON is under Teams' budget, and nothing was left out. */
function checkTeamsCard(card: AdaptiveCard): void {
  expect(parserProblems(card)).toEqual([]);
  const json = JSON.stringify(card);
  expect(2 * json.length).toBeLessThan(TEAMS_LIMITS.messageBytes);
  expect(json).not.toContain('This message was shortened');
  expect(json).not.toContain('not shown.'); // the table's "…N more rows not shown."
}

function slack(card: Card): SlackMessage {
  const m = renderMessage(card);
  checkSlackMessage(m);
  return m;
}

function teams(card: Card, opts?: RenderOptions): CardActivity {
  const a = cardActivity(card, opts);
  expect(a.summary.length).toBeGreaterThan(0);
  checkTeamsCard(a.attachments[0].content);
  return a;
}

/** One card (or the card each chat gets, when the presenter takes the chat) through both renderers. */
function both(
  slackCard: Card,
  teamsCard: Card = slackCard,
  teamsOpts?: RenderOptions,
): { slack: SlackMessage; teams: CardActivity } {
  return { slack: slack(slackCard), teams: teams(teamsCard, teamsOpts) };
}

/** A ballot card: Teams gets it the way the deliverer renders it (renderForTeams adds the refresh). */
function ballot(card: Card): { slack: SlackMessage; teams: AdaptiveCard } {
  const out = renderForTeams(card);
  checkTeamsCard(out);
  return { slack: slack(card), teams: out };
}

/** One line the bots send as plain text: Slack escaped (ctx.tell), Teams as it is (a message response). */
function line(text: string): { slack: string; teams: string } {
  expect(text).not.toContain('\n');
  expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  return { slack: escapeMrkdwn(text), teams: text };
}

type SlackModal = ReturnType<typeof renderModal>;

function checkSlackModal(view: SlackModal): void {
  expect(view.title.text.length).toBeGreaterThan(0);
  expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
  expect(view.submit.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
  expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.surfaceBlocks);
  const ids = view.blocks.flatMap((b) => ('block_id' in b ? [b.block_id] : []));
  expect(new Set(ids).size).toBe(ids.length);
  for (const b of view.blocks) if ('element' in b) expect(b.element.action_id).toBe('value');
}

function checkDialog(d: DialogContinueResponse): void {
  expect(d.task.value.title.length).toBeGreaterThan(0);
  checkTeamsCard(d.task.value.card.content);
}

/** A form as each chat opens it: a Slack modal, a Teams dialog (task/fetch response). */
function form(f: Form): { slack: SlackModal; teams: DialogContinueResponse } {
  const view = renderModal(f);
  checkSlackModal(view);
  const dialog = dialogResponse(f);
  checkDialog(dialog);
  return { slack: view, teams: dialog };
}

/**
 * A refused submit, as each chat shows it: Slack keeps the modal open and gets the errors by block id
 * (`response_action: 'errors'`); Teams re-opens the dialog with what was typed and the errors under
 * their fields.
 */
function refused(
  f: Form,
  typed: Record<string, string>,
  errors: FieldErrors,
): { slack: { response_action: 'errors'; errors: FieldErrors }; teams: DialogContinueResponse } {
  const blockIds = new Set(f.fields.map((x) => x.id));
  expect(Object.keys(errors).length).toBeGreaterThan(0);
  for (const id of Object.keys(errors)) expect(blockIds.has(id)).toBe(true);
  const dialog = dialogResponse(refill(f, typed), errors);
  checkDialog(dialog);
  return { slack: { response_action: 'errors', errors }, teams: dialog };
}

// ---------------------------------------------------------------------------------------------------
// Fixtures: the February 2027 cycle of Nordwind Foods (Berlin), with an executive in New York

const copy = loadCopy(path.join(repoRoot(), 'templates', 'copy'));
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const ORG = 'Nordwind Foods';
const CYCLE_ID = '67a1c0de5f3b2a0012c4e801';
const PACK_URL = 'https://accord.nordwind.example/api/v1/orgs/nordwind/cycles/67a1c0de5f3b2a0012c4e801';

const steps = [
  {
    key: 'data-gathering' as const,
    opensAt: new Date('2027-02-01T08:00:00Z'),
    dueAt: new Date('2027-02-03T16:00:00Z'),
    status: 'closed',
  },
  {
    key: 'demand-planning' as const,
    opensAt: new Date('2027-02-04T08:00:00Z'),
    dueAt: new Date('2027-02-08T16:00:00Z'),
    status: 'open',
  },
  {
    key: 'supply-planning' as const,
    opensAt: new Date('2027-02-09T08:00:00Z'),
    dueAt: new Date('2027-02-11T16:00:00Z'),
    status: 'pending',
  },
  {
    key: 'pre-sop' as const,
    opensAt: new Date('2027-02-12T08:00:00Z'),
    dueAt: new Date('2027-02-16T16:00:00Z'),
    status: 'pending',
  },
  {
    key: 'executive-sop' as const,
    opensAt: new Date('2027-02-17T08:00:00Z'),
    dueAt: new Date('2027-02-18T16:00:00Z'),
    status: 'pending',
  },
];
const cycle = { month: '2027-02', status: 'active', steps };

const demandInput: InputContext = {
  cycleId: CYCLE_ID,
  month: '2027-02',
  step: 'demand-planning',
  requestId: '67a1c0de5f3b2a0012c4e8a1',
  kind: 'demand-adjustments',
  function: 'sales',
  dueAt: new Date('2027-02-08T16:00:00Z'),
  timezone: BERLIN,
};
const supplyInput: InputContext = {
  cycleId: CYCLE_ID,
  month: '2027-02',
  step: 'supply-planning',
  requestId: '67a1c0de5f3b2a0012c4e8b4',
  kind: 'supply-constraints',
  function: 'procurement',
  dueAt: new Date('2027-02-12T16:00:00Z'),
  timezone: NEW_YORK,
};

const hiddenBallot = {
  ballot: {
    id: '67a9e2f04b1c7d0013a5f201',
    title: 'Filling line 2 is short in March and April: how do we close the gap?',
    options: [
      {
        key: 'accept-shortfall',
        label: 'Accept the shortfall',
        meaning: '3,400 cases of Oat Drink 1L not delivered; 61,200 margin lost',
      },
      {
        key: 'overtime',
        label: 'Overtime',
        meaning: 'two Saturday shifts a month on filling line 2; 18,500',
      },
      {
        key: 'prebuild',
        label: 'Build ahead in February',
        meaning: '2,900 cases pre-built and stored for 6 weeks; 9,800',
      },
    ],
    status: 'open',
    deadline: new Date('2027-02-17T16:00:00Z'),
    source: { recommended: 'prebuild' },
  },
  tally: {
    counts: { 'accept-shortfall': 0, overtime: 1, prebuild: 2 },
    voted: 3,
    eligible: 5,
    quorum: { met: true },
  },
  hidden: true,
};
const closedBallot = {
  ballot: {
    id: '67a9e2f04b1c7d0013a5f202',
    title: 'Air freight for the Easter promotion (Oat Barista 1L) in March?',
    options: [
      { key: 'yes', label: 'Yes', meaning: 'air freight 12 pallets from the Gdańsk co-packer; 14,300' },
      { key: 'no', label: 'No', meaning: 'the promotion starts a week later' },
    ],
    status: 'closed',
    deadline: new Date('2027-02-05T16:00:00Z'),
    source: null,
  },
  tally: { counts: { yes: 4, no: 1 }, voted: 5, eligible: 5, quorum: { met: true } },
  hidden: false,
};
const openVisibleBallot = {
  ballot: {
    id: '67a9e2f04b1c7d0013a5f203',
    title: 'Raise the safety stock of Oat Drink 1L to 3 weeks from April?',
    options: [
      { key: 'yes', label: 'Yes', meaning: 'about 6,000 more cases in stock; holding cost 2,100 a month' },
      { key: 'no', label: 'No', meaning: '' },
    ],
    status: 'open',
    deadline: new Date('2027-02-18T11:00:00Z'),
    source: null,
  },
  tally: { counts: { yes: 1, no: 1 }, voted: 2, eligible: 5, quorum: { met: false } },
  hidden: false,
};

const petra = {
  name: 'Petra Hoffmann',
  roles: ['process-owner', 'executive'],
  delegation: null,
  timezone: BERLIN,
};
const anna = { name: 'Anna Schmidt', roles: ['functional-leader'], delegation: null, timezone: BERLIN };
const david = { name: 'David Chen', roles: ['executive'], delegation: null, timezone: NEW_YORK };
const luca = {
  name: 'Luca Romano',
  roles: ['functional-leader'],
  delegation: { authority: true },
  timezone: BERLIN,
};

/**
 * A plan's outcome as the domain computes it (outcomeOf in src/domain/plan.ts): fill rate and peak
 * utilisation are fractions, but marginPercent is already a percentage (financials() multiplies by 100).
 */
const outcome = {
  revenue: 4_812_400,
  margin: 1_203_100,
  marginPercent: 25,
  fillRate: 0.968,
  shortfallUnits: 6_300,
  gapUnits: 9_700,
  marginAtRisk: 112_800,
  leverSpend: 28_300,
  lostMargin: 41_600,
  tightResources: 2,
  peakUtilization: 1.14,
};

const whatIf: WhatIfResult = {
  pack: { version: 3, datasetVersion: 12 },
  scenario: {
    name: 'Easter promotion lands',
    demand: [{ families: ['F001', 'F004'], from: '2027-03', to: '2027-04', percent: 15 }],
  },
  base: outcome,
  whatIf: {
    ...outcome,
    revenue: 5_021_900,
    margin: 1_236_700,
    marginPercent: 24.63,
    fillRate: 0.951,
    shortfallUnits: 10_400,
    gapUnits: 14_900,
    marginAtRisk: 168_300,
    leverSpend: 36_900,
    lostMargin: 58_200,
    tightResources: 3,
    peakUtilization: 1.27,
  },
  delta: { revenue: 209_500, margin: 33_600 },
  gaps: [
    {
      family: 'F001',
      resource: 'FILL2',
      period: '2027-04',
      shortfallUnits: 4_100,
      revenueAtRisk: 36_900,
      marginAtRisk: 24_800,
    },
    {
      family: 'F004',
      resource: 'FILL2',
      period: '2027-03',
      shortfallUnits: 3_200,
      revenueAtRisk: 30_400,
      marginAtRisk: 19_100,
    },
    {
      family: 'F004',
      resource: null,
      period: '2027-04',
      shortfallUnits: 3_100,
      revenueAtRisk: 29_500,
      marginAtRisk: 14_300,
    },
  ],
  elapsedMs: 840,
};

const months = [
  '2027-03',
  '2027-04',
  '2027-05',
  '2027-06',
  '2027-07',
  '2027-08',
  '2027-09',
  '2027-10',
  '2027-11',
  '2027-12',
  '2028-01',
  '2028-02',
];

/** The pack the what-if form is built on: only its month, horizon, resources and families matter. */
const pack: PackRecord<PackContent> = {
  id: `${CYCLE_ID}:3`,
  orgId: '67a0aa115f3b2a0012c4e000',
  cycleId: CYCLE_ID,
  version: 3,
  datasetVersion: 12,
  createdBy: { type: 'system', id: 'scheduler' },
  createdAt: new Date('2027-02-12T08:05:00Z'),
  content: {
    version: 3,
    cycleId: CYCLE_ID,
    month: '2027-02',
    datasetVersion: 12,
    builtAt: '2027-02-12T08:05:00.000Z',
    builtBy: { type: 'system', id: 'scheduler' },
    horizon: { from: '2027-03', to: '2028-02', months: 12, periods: months },
    inputs: { submissions: [], adjustments: 4, constraints: 2, targets: 12 },
    warnings: [],
    summary: {
      families: 6,
      resources: 4,
      baselineUnits: 412_000,
      demandUnits: 428_500,
      revenue: 4_812_400,
      cost: 3_609_300,
      margin: 1_203_100,
      marginPercent: 25,
      leverSpend: 28_300,
      fillRate: 0.968,
      gapUnits: 9_700,
      revenueAtRisk: 171_900,
      marginAtRisk: 112_800,
      tightResources: 2,
      target: { revenue: 5_000_000, revenueGap: -187_600, marginPercent: 26 },
    },
    forecast: {
      accuracy: { mape: 0.142, wmape: 0.118, smape: 0.131, mase: 0.84, bias: -0.021 },
      methods: { ets: 4, croston: 2 },
      reusedFrom: null,
    },
    gaps: [],
    gapsTotal: 0,
    tradeoffs: [],
    scenarios: [],
    financials: {
      revenue: 4_812_400,
      cost: 3_609_300,
      margin: 1_203_100,
      marginPercent: 25,
      leverSpend: 28_300,
      lostRevenue: 171_900,
      byPeriod: [],
      target: { revenue: 5_000_000, revenueGap: -187_600, marginPercent: 26 },
    },
    capacityChanges: [],
    resources: [
      {
        resource: 'MIX1',
        name: 'Mixing tank 1',
        kind: 'production',
        peakUtilization: 0.82,
        overloadedMonths: 0,
      },
      {
        resource: 'FILL2',
        name: 'Filling line 2',
        kind: 'production',
        peakUtilization: 1.14,
        overloadedMonths: 2,
      },
      {
        resource: 'FILL1',
        name: 'Filling line 1',
        kind: 'production',
        peakUtilization: 0.97,
        overloadedMonths: 0,
      },
      {
        resource: 'COPACK',
        name: 'Co-packer Gdańsk',
        kind: 'supplier',
        peakUtilization: 0.64,
        overloadedMonths: 0,
      },
    ],
    charts: [{ id: 'capacity-FILL2', kind: 'capacity', title: 'Filling line 2: load against capacity' }],
    familyChunks: { F001: 0, F002: 0, F003: 0, F004: 1, F005: 1, F006: 1 },
  },
};

// ---------------------------------------------------------------------------------------------------
// steps.ts

describe('presentStepPrompt', () => {
  it('asks a functional leader for an input (Berlin)', () => {
    expect(both(presentStepPrompt(copy, demandInput))).toMatchSnapshot();
  });

  it('asks for an input of no function (New York)', () => {
    const card = presentStepPrompt(copy, {
      ...supplyInput,
      step: 'data-gathering',
      kind: 'data-confirmation',
      function: null,
      dueAt: new Date('2027-02-03T16:00:00Z'),
    });
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentStepReopened', () => {
  it('tells the owner why the step reopened and the new due date', () => {
    const card = presentStepReopened(
      copy,
      { ...supplyInput, dueAt: new Date('2027-02-15T16:00:00Z') },
      'the February capacity file for Filling line 2 had the wrong shift pattern',
    );
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentReminder', () => {
  it('before the due day', () => {
    expect(both(presentReminder(copy, demandInput, 'before-due'))).toMatchSnapshot();
  });

  it('on the due day, for an input of no function', () => {
    const card = presentReminder(copy, { ...demandInput, kind: 'attendance', function: null }, 'due-day');
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentEscalation', () => {
  it('lists the missing inputs and who owes them, one of them owed by nobody', () => {
    const card = presentEscalation(copy, {
      cycleId: CYCLE_ID,
      month: '2027-02',
      step: 'demand-planning',
      dueAt: new Date('2027-02-08T16:00:00Z'),
      timezone: BERLIN,
      missing: [
        { kind: 'demand-adjustments', function: 'sales', owners: ['Anna Schmidt', 'Tobias Wagner'] },
        { kind: 'demand-adjustments', function: 'marketing', owners: [] },
        { kind: 'attendance', function: null, owners: ['David Chen'] },
      ],
    });
    expect(both(card)).toMatchSnapshot();
  });

  it('one missing input', () => {
    const card = presentEscalation(copy, {
      cycleId: CYCLE_ID,
      month: '2027-02',
      step: 'supply-planning',
      dueAt: new Date('2027-02-11T16:00:00Z'),
      timezone: NEW_YORK,
      missing: [{ kind: 'supply-constraints', function: 'logistics', owners: ['Jonas Weber'] }],
    });
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentStatus', () => {
  it('the timeline and who still owes what (New York)', () => {
    const card = presentStatus(
      {
        cycle,
        owing: [
          {
            step: { key: 'demand-planning' },
            owed: [
              { kind: 'demand-adjustments', function: 'marketing', owners: ['Luca Romano'] },
              { kind: 'attendance', function: null, owners: ['David Chen', 'Sarah Miller'] },
            ],
          },
        ],
      },
      NEW_YORK,
    );
    expect(both(card)).toMatchSnapshot();
  });

  it('an open step with everything in', () => {
    const card = presentStatus({ cycle, owing: [{ step: { key: 'demand-planning' }, owed: [] }] }, BERLIN);
    expect(both(card)).toMatchSnapshot();
  });

  it('no cycle planned', () => {
    expect(both(presentStatus(null, BERLIN))).toMatchSnapshot();
  });
});

describe('presentPackMissing', () => {
  it('tells the process owner why there is no pack', () => {
    const card = presentPackMissing('2027-02', 'no dataset has been uploaded for Nordwind Foods yet.');
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentStepExtended (one line)', () => {
  it('a step still open, now due a business day later', () => {
    const text = presentStepExtended(
      'Demand planning',
      { dueAt: new Date('2027-02-09T16:00:00Z'), reopened: false },
      BERLIN,
    );
    expect(line(text)).toMatchSnapshot();
  });

  it('a closed step, open again (New York)', () => {
    const text = presentStepExtended(
      'Pre-S&OP reconciliation',
      { dueAt: new Date('2027-02-17T16:00:00Z'), reopened: true },
      NEW_YORK,
    );
    expect(line(text)).toMatchSnapshot();
  });
});

describe('presentStepClosed (one line)', () => {
  it('closed without the missing inputs', () => {
    expect(line(presentStepClosed('Demand planning', { alreadyClosed: false }))).toMatchSnapshot();
  });

  it('already closed', () => {
    expect(line(presentStepClosed('Pre-S&OP reconciliation', { alreadyClosed: true }))).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// packs.ts

describe('presentPack', () => {
  it('the summary with its gaps, two trade-offs, the chart and the link', () => {
    const card = presentPack({
      month: '2027-02',
      version: 3,
      datasetVersion: 12,
      summary: {
        revenue: 4_812_400,
        margin: 1_203_100,
        marginPercent: 25,
        gapUnits: 9_700,
        marginAtRisk: 112_800,
        fillRate: 0.968,
      },
      gaps: [
        {
          familyName: 'Oat Drink 1L',
          resource: 'Filling line 2',
          period: '2027-03',
          shortfallUnits: 3_400,
          marginAtRisk: 61_200,
        },
        {
          familyName: 'Oat Barista 1L',
          resource: 'Filling line 2',
          period: '2027-04',
          shortfallUnits: 2_800,
          marginAtRisk: 30_100,
        },
        {
          familyName: 'Almond Drink 750ml',
          resource: null,
          period: '2027-04',
          shortfallUnits: 1_900,
          marginAtRisk: 14_700,
        },
        {
          familyName: 'Oat Cuisine 200ml',
          resource: 'Mixing tank 1',
          period: '2027-05',
          shortfallUnits: 1_600,
          marginAtRisk: 6_800,
        },
      ],
      tradeoffs: [
        {
          question: 'Filling line 2 is short in March and April: how do we close the gap?',
          recommended: 'prebuild',
          options: [
            { key: 'accept-shortfall', label: 'Accept the shortfall', cost: 0, lostMargin: 61_200 },
            { key: 'overtime', label: 'Overtime', cost: 18_500, lostMargin: 4_300 },
            { key: 'prebuild', label: 'Build ahead in February', cost: 9_800, lostMargin: 5_100 },
          ],
        },
        {
          question: 'Mixing tank 1 is short in May: Oat Cuisine 200ml or Almond Drink 750ml first?',
          recommended: 'alternates',
          options: [
            { key: 'accept-shortfall', label: 'Accept the shortfall', cost: 0, lostMargin: 6_800 },
            { key: 'alternates', label: 'Co-packer Gdańsk', cost: 3_900, lostMargin: 0 },
          ],
        },
      ],
      chart: {
        url: `${PACK_URL}/pack/charts/capacity-FILL2.png?version=3&exp=1802592000&sig=Zm9vYmFy`,
        alt: 'Filling line 2: load against capacity',
      },
      htmlUrl: `${PACK_URL}/pack.html?version=3&exp=1802592000&sig=YmFyYmF6`,
    });
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentWhatIf', () => {
  it('the comparison with the base plan, its gaps and the link', () => {
    const card = presentWhatIf(whatIf, `${PACK_URL}/pack.html?exp=1802592000&sig=cXV4`);
    expect(both(card)).toMatchSnapshot();
  });

  it('a what-if with no gaps and no link', () => {
    const card = presentWhatIf(
      {
        ...whatIf,
        scenario: {
          name: 'Filling line 2 outage in May',
          capacity: [{ resource: 'FILL2', from: '2027-05', to: '2027-05', percent: -20 }],
        },
        whatIf: { ...outcome, leverSpend: 41_700, margin: 1_189_700, marginPercent: 24.72 },
        gaps: [],
      },
      null,
    );
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentWhatIfInvite', () => {
  it('the button that opens the what-if', () => {
    expect(both(presentWhatIfInvite({ cycleId: CYCLE_ID, version: 3 }))).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// ballots.ts

describe('presentBallot', () => {
  it('an open ballot with hidden results', () => {
    expect(ballot(presentBallot(hiddenBallot))).toMatchSnapshot();
  });

  it('an open ballot with the count shown, quorum not met yet', () => {
    expect(ballot(presentBallot(openVisibleBallot))).toMatchSnapshot();
  });

  it('a closed ballot', () => {
    expect(ballot(presentBallot(closedBallot))).toMatchSnapshot();
  });
});

describe('presentBallotFor', () => {
  it('a voter who voted', () => {
    expect(ballot(presentBallotFor(hiddenBallot, 'overtime'))).toMatchSnapshot();
  });

  it('a voter who has not voted yet', () => {
    expect(ballot(presentBallotFor(openVisibleBallot, null))).toMatchSnapshot();
  });

  it('a closed ballot (no vote line)', () => {
    expect(ballot(presentBallotFor(closedBallot, 'yes'))).toMatchSnapshot();
  });
});

describe('presentDecision', () => {
  // As recorded (src/app/ballots.ts): the tally's counts are keyed by option key.
  it("decided, the process owner's copy with the assign button", () => {
    const card = presentDecision(
      {
        id: '67a9e2f04b1c7d0013a5f201',
        title: 'Filling line 2 is short in March and April: how do we close the gap?',
        status: 'decided',
        optionLabel: 'Build ahead in February',
        rationale: 'Cheapest option that keeps Oat Drink 1L in stock for the Easter promotion.',
        tally: { counts: { 'accept-shortfall': 0, overtime: 1, prebuild: 4 }, voted: 5, eligible: 5 },
      },
      { assign: true },
    );
    expect(both(card)).toMatchSnapshot();
  });

  it("without quorum, an executive's copy", () => {
    const card = presentDecision({
      id: '67a9e2f04b1c7d0013a5f203',
      title: 'Raise the safety stock of Oat Drink 1L to 3 weeks from April?',
      status: 'no-quorum',
      optionLabel: null,
      rationale: '',
      tally: { counts: { yes: 1, no: 1 }, voted: 2, eligible: 5 },
    });
    expect(both(card)).toMatchSnapshot();
  });

  it('objected', () => {
    const card = presentDecision({
      id: '67a9e2f04b1c7d0013a5f204',
      title: 'Delist Oat Cuisine 200ml from June?',
      status: 'objected',
      optionLabel: null,
      rationale: 'Marketing objected: two retail listings depend on it until September.',
      tally: { counts: { yes: 3, object: 1 }, voted: 4, eligible: 5 },
    });
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentBallotUnresolved', () => {
  it('a ballot that missed its quorum', () => {
    const card = presentBallotUnresolved(
      'Raise the safety stock of Oat Drink 1L to 3 weeks from April?',
      'missed its quorum (2 of 5 voted; required voters missing)',
    );
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentDecisionList', () => {
  const found = [
    {
      decidedAt: new Date('2027-02-17T16:00:00Z'),
      title: 'Filling line 2 is short in March and April: how do we close the gap?',
      optionLabel: 'Build ahead in February',
      status: 'decided',
    },
    {
      decidedAt: new Date('2027-01-19T15:30:00Z'),
      title: 'Overtime on Mixing tank 1 in February?',
      optionLabel: null,
      status: 'no-quorum',
    },
    {
      decidedAt: new Date('2026-12-16T10:00:00Z'),
      title: 'Weekend overtime on Filling line 1 over Christmas?',
      optionLabel: 'Yes',
      status: 'decided',
    },
  ];

  it('decisions matching a search', () => {
    expect(both(presentDecisionList(found, 'overtime'))).toMatchSnapshot();
  });

  it('the latest decisions', () => {
    expect(both(presentDecisionList(found, ''))).toMatchSnapshot();
  });

  it('no match', () => {
    expect(both(presentDecisionList([], 'air freight'))).toMatchSnapshot();
  });

  it('none recorded yet', () => {
    expect(both(presentDecisionList([], ''))).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// actions.ts

const actions = [
  {
    id: '67b20c4e1a2b3c0014d6e301',
    description: 'Book 2,900 cases of Oat Drink 1L into the February build plan of Filling line 2',
    dueDate: '2027-02-22',
    status: 'open',
  },
  {
    id: '67b20c4e1a2b3c0014d6e302',
    description: 'Confirm 6 weeks of extra storage at the Hamburg warehouse',
    dueDate: '2027-02-24',
    status: 'blocked',
  },
];

describe('presentAction', () => {
  it('a new action for its owner', () => {
    const card = presentAction({
      id: '67b20c4e1a2b3c0014d6e301',
      description: 'Book 2,900 cases of Oat Drink 1L into the February build plan of Filling line 2',
      dueDate: '2027-02-22',
      decisionTitle: 'Filling line 2 is short in March and April: how do we close the gap?',
      assignedBy: 'Petra Hoffmann',
    });
    expect(both(card)).toMatchSnapshot();
  });
});

describe('presentActionReminder', () => {
  it('the day before it is due', () => {
    expect(both(presentActionReminder(actions[0]!))).toMatchSnapshot();
  });
});

describe('presentActionOverdue', () => {
  it("the process owner's escalation", () => {
    expect(both(presentActionOverdue(actions[1]!, 'Jonas Weber'))).toMatchSnapshot();
  });
});

describe('presentActionList', () => {
  it('open actions, one blocked', () => {
    expect(both(presentActionList(actions))).toMatchSnapshot();
  });

  it('no open actions', () => {
    expect(both(presentActionList([]))).toMatchSnapshot();
  });
});

describe('presentActionAssigned', () => {
  it('confirms the assignment, naming where each chat marks it done', () => {
    const a = { description: actions[1]!.description, dueDate: '2027-02-24' };
    expect(
      both(
        presentActionAssigned('Jonas Weber', a, 'their Home tab'),
        presentActionAssigned('Jonas Weber', a, 'their home card'),
      ),
    ).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// people.ts (these take the chat)

describe('presentUnknownUser', () => {
  it('names the process owners to ask', () => {
    const owners = [{ name: 'Petra Hoffmann' }, { name: 'Markus Braun' }];
    expect(
      both(presentUnknownUser('slack', ORG, owners), presentUnknownUser('teams', ORG, owners)),
    ).toMatchSnapshot();
  });

  it('no process owner yet', () => {
    expect(
      both(presentUnknownUser('slack', ORG, []), presentUnknownUser('teams', ORG, [])),
    ).toMatchSnapshot();
  });
});

describe('presentHelp', () => {
  it('a process owner who is also an executive', () => {
    expect(both(presentHelp('slack', petra), presentHelp('teams', petra))).toMatchSnapshot();
  });

  it('a functional leader', () => {
    expect(both(presentHelp('slack', anna), presentHelp('teams', anna))).toMatchSnapshot();
  });

  it('a delegate with voting authority', () => {
    expect(both(presentHelp('slack', luca), presentHelp('teams', luca))).toMatchSnapshot();
  });
});

describe('presentHome', () => {
  const inputs = [
    {
      request: {
        id: '67a1c0de5f3b2a0012c4e8a1',
        kind: 'demand-adjustments' as const,
        function: 'sales',
        step: 'demand-planning' as const,
        latestVersion: 2,
      },
      step: { dueAt: new Date('2027-02-08T16:00:00Z') },
    },
    {
      request: {
        id: '67a1c0de5f3b2a0012c4e8a7',
        kind: 'attendance' as const,
        function: null,
        step: 'demand-planning' as const,
        latestVersion: 0,
      },
      step: { dueAt: new Date('2027-02-08T16:00:00Z') },
    },
  ];
  const full = {
    org: { name: ORG },
    member: { ...petra, timezone: NEW_YORK },
    cycle,
    inputs,
    actions,
    ballots: {
      shown: [
        { view: hiddenBallot, myOption: 'prebuild' },
        { view: openVisibleBallot, myOption: null },
      ],
      total: 3,
    },
    undeliverable: {
      items: [
        {
          recipient: { name: 'Sarah Miller' },
          kind: 'reminder',
          lastError: 'Sarah Miller is not in Slack (no Slack id, and no Slack user has their email)',
        },
        {
          recipient: { name: 'Jonas Weber' },
          kind: 'step-prompt',
          lastError:
            'Jonas Weber is not reachable in Teams: they have not installed Accord (ask them to open Accord in Teams once)',
        },
        { recipient: { name: 'Luca Romano' }, kind: 'action' },
      ],
      more: true,
    },
  };

  it('a process owner and executive (New York): inputs, actions, ballots, undeliverable messages', () => {
    expect(
      both(presentHome('slack', full), presentHome('teams', full), { data: { surface: 'home' } }),
    ).toMatchSnapshot();
  });

  it('a functional leader with nothing due and no actions', () => {
    const h = { ...full, member: anna, inputs: [], actions: [], ballots: null, undeliverable: null };
    expect(
      both(presentHome('slack', h), presentHome('teams', h), { data: { surface: 'home' } }),
    ).toMatchSnapshot();
  });

  it('no cycle planned, an executive with no ballot open', () => {
    const h = {
      ...full,
      member: david,
      cycle: undefined,
      inputs: [],
      actions: [],
      ballots: { shown: [], total: 0 },
      undeliverable: null,
    };
    expect(
      both(presentHome('slack', h), presentHome('teams', h), { data: { surface: 'home' } }),
    ).toMatchSnapshot();
  });
});

describe('presentInputSaved', () => {
  it('a new version, the step still open', () => {
    const out = { version: 2, stepClosed: false };
    expect(both(presentInputSaved('slack', out), presentInputSaved('teams', out))).toMatchSnapshot();
  });

  it('the last input in: the step closed', () => {
    const out = { version: 1, stepClosed: true };
    expect(both(presentInputSaved('slack', out), presentInputSaved('teams', out))).toMatchSnapshot();
  });
});

describe('presentNotice', () => {
  it('one sentence', () => {
    expect(both(presentNotice(`Done: ${actions[0]!.description}`))).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// meetings.ts: the February executive S&OP (Wed 17 Feb, 14:00-15:30 Berlin) and its Pre-S&OP

/** Every sentence a meeting card shows (header, text, fields, button labels) is complete. */
function complete(card: Card): Card {
  const texts = card.blocks.flatMap((b) =>
    b.type === 'header' || b.type === 'text'
      ? [b.text]
      : b.type === 'fields'
        ? b.fields.flatMap((f) => [f.label, f.value])
        : b.type === 'actions'
          ? b.buttons.map((x) => x.label)
          : [],
  );
  expectComplete([card.summary, ...texts]);
  for (const t of texts)
    expect(t).not.toMatch(/\b1 (items|minutes|times|actions)\b|\b(0|[2-9]\d*) (item|action)\b/);
  return card;
}

const EXEC_ID = `${CYCLE_ID}-executive-sop`;
const PRE_ID = `${CYCLE_ID}-pre-sop`;
const ICS_URL = `https://accord.example/api/v1/orgs/67a0aa115f3b2a0012c4e000/meetings/${EXEC_ID}.ics?s=1&sig=9f2c`;
const execSop: MeetingFacts = {
  id: EXEC_ID,
  title: 'Executive S&OP 2027-02',
  slot: { start: new Date('2027-02-17T13:00:00Z'), end: new Date('2027-02-17T14:30:00Z') },
  cancelled: null,
  sequence: 0,
  chairName: 'Petra Hoffmann',
};
const preSop: MeetingFacts = {
  id: PRE_ID,
  title: 'Pre-S&OP reconciliation 2027-02',
  slot: null,
  cancelled: null,
  sequence: 0,
  chairName: 'Petra Hoffmann',
};

const fillingLine2: AgendaItem = {
  key: 't:FILL2-2027-03',
  kind: 'tradeoff',
  title: 'Filling line 2 is short in March and April',
  question: 'Filling line 2 is short in March and April: how do we close the gap?',
  moneyAtStake: 61_200,
  timeboxMinutes: 35,
  tradeoffKey: 'FILL2-2027-03',
  alertId: null,
  recommendation: 'Build ahead in February',
  rationale: 'The least total cost: 9,800 of storage against 61,200 of margin lost.',
  options: [
    {
      key: 'accept-shortfall',
      label: 'Accept the shortfall',
      summary: 'costs 0; margin still lost 61,200; 3,400 units short; leaves the gap open',
      recommended: false,
    },
    {
      key: 'overtime',
      label: 'Overtime',
      summary: 'costs 18,500; margin still lost 0; no units short; closes the gap',
      recommended: false,
    },
    {
      key: 'prebuild',
      label: 'Build ahead in February',
      summary: 'costs 9,800; margin still lost 0; no units short; closes the gap',
      recommended: true,
    },
  ],
};
const copackerAlert: AgendaItem = {
  key: 'a:al-31',
  kind: 'alert',
  title: 'Co-packer Gdańsk delays the Oat Barista launch',
  question: 'The co-packer ships the first 12 pallets two weeks late and asks whether to air-freight them.',
  moneyAtStake: 14_300,
  timeboxMinutes: 20,
  tradeoffKey: null,
  alertId: 'al-31',
  recommendation: null,
  rationale: '',
  options: [],
};
const oatMillVisit: AgendaItem = {
  key: 'oat-mill-visit',
  kind: 'added',
  title: 'Oat mill visit report',
  question: 'What we learnt at the oat mill in Kiel about the 2027 harvest.',
  moneyAtStake: 0,
  timeboxMinutes: 10,
  tradeoffKey: null,
  alertId: null,
  recommendation: null,
  rationale: '',
  options: [],
};
const safetyStock: AgendaItem = {
  ...fillingLine2,
  key: 't:SS-F001',
  title: 'Safety stock of Oat Drink 1L below target in April',
  question: 'Safety stock of Oat Drink 1L is below target in April: do we rebuild it?',
  moneyAtStake: 8_400,
  timeboxMinutes: 15,
  tradeoffKey: 'SS-F001',
};
const execAgenda = [fillingLine2, copackerAlert, oatMillVisit];
const names: Record<string, string> = {
  m1: 'Petra Hoffmann',
  m2: 'David Chen',
  m3: 'Sarah Miller',
  m4: 'Luca Romano',
};
const itemBallot = {
  ballot: {
    id: '67a9e2f04b1c7d0013a5f210',
    status: 'open',
    options: fillingLine2.options.map((o) => ({ key: o.key, label: o.label })),
  },
  tally: {
    counts: { 'accept-shortfall': 0, overtime: 1, prebuild: 2 },
    voted: 3,
    eligible: 4,
    outcome: 'decided',
    option: 'prebuild',
  },
  hidden: false,
  votes: [
    { voterId: 'm2', option: 'prebuild' },
    { voterId: 'm3', option: 'overtime' },
    { voterId: 'm1', option: 'prebuild' },
  ],
};
/** Item 1 under discussion since 14:05 Berlin, given five more minutes. */
const itemView: ItemCardView = {
  index: 0,
  total: 3,
  item: fillingLine2,
  live: { startedAt: new Date('2027-02-17T13:05:00Z'), closedAt: null, outcome: null, extraMinutes: 5 },
  ballot: itemBallot,
  names,
  endsAt: new Date('2027-02-17T13:45:00Z'),
};
const closedLive = {
  ...itemView.live,
  closedAt: new Date('2027-02-17T13:42:00Z'),
  deferral: null,
  escalation: null,
};

describe('presentInvitation', () => {
  it('a new invitation (Berlin)', () => {
    const card = presentInvitation(execSop, {
      change: 'new',
      reason: null,
      icsUrl: ICS_URL,
      timezone: BERLIN,
    });
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('a new time, with the reason (New York)', () => {
    const card = presentInvitation(
      {
        ...execSop,
        sequence: 1,
        slot: { start: new Date('2027-02-17T14:00:00Z'), end: new Date('2027-02-17T15:30:00Z') },
      },
      { change: 'moved', reason: 'the CFO lands at 13:00', icsUrl: ICS_URL, timezone: NEW_YORK },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('cancelled, with the reason (Berlin)', () => {
    const card = presentInvitation(
      { ...execSop, sequence: 2, cancelled: 'the board meets that day instead' },
      { change: 'cancelled', reason: 'the board meets that day instead', icsUrl: ICS_URL, timezone: BERLIN },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });
});

const pollOptions = [
  {
    key: 'a',
    start: new Date('2027-02-12T13:00:00Z'),
    end: new Date('2027-02-12T14:30:00Z'),
    fits: ['m1', 'm2', 'm4'],
    misses: ['m5'],
  },
  {
    key: 'b',
    start: new Date('2027-02-15T08:00:00Z'),
    end: new Date('2027-02-15T09:30:00Z'),
    fits: ['m1', 'm4', 'm5'],
    misses: ['m2'],
  },
];
const openPoll = {
  round: 1,
  options: pollOptions,
  deadline: new Date('2027-02-03T11:00:00Z'),
  votes: [
    { memberId: 'm1', option: 'a' },
    { memberId: 'm4', option: 'b' },
  ],
  status: 'open',
};

describe('presentPoll', () => {
  it('an open poll, not answered yet (New York)', () => {
    const card = presentPoll(preSop, openPoll, { timezone: NEW_YORK, myChoice: null, invited: 4 });
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('answered: the choice marked (Berlin)', () => {
    const card = presentPoll(preSop, openPoll, { timezone: BERLIN, myChoice: 'a', invited: 4 });
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('closed with a tie by the last answer', () => {
    const tied = {
      ...openPoll,
      votes: [...openPoll.votes, { memberId: 'm2', option: 'a' }, { memberId: 'm5', option: 'b' }],
      status: 'tied',
      tied: ['a', 'b'],
      chosen: null,
    };
    const card = presentPoll(preSop, tied, { timezone: BERLIN, myChoice: 'b', invited: 4 });
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentPollTie', () => {
  const tie = { round: 1, options: pollOptions, tied: ['a', 'b'] };

  it("the chair's buttons, one per tied time (Berlin)", () => {
    expect(both(complete(presentPollTie(preSop, tie, BERLIN)))).toMatchSnapshot();
  });

  it('the tie broken: the time taken, no buttons', () => {
    const picked = { ...preSop, slot: { start: pollOptions[1]!.start, end: pollOptions[1]!.end } };
    expect(both(complete(presentPollTie(picked, { ...tie, chosen: 'b' }, BERLIN)))).toMatchSnapshot();
  });
});

describe('presentMeetingReminder', () => {
  it("15 minutes before, the chair's copy with Start (Berlin)", () => {
    const card = presentMeetingReminder(execSop, { timezone: BERLIN, soon: true, mayStart: true });
    expect(both(complete(card))).toMatchSnapshot();
  });

  it("24 hours before, an executive's copy (New York)", () => {
    const card = presentMeetingReminder(execSop, { timezone: NEW_YORK, soon: false, mayStart: false });
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentAgenda', () => {
  it('three items, one dropped with its reason, the timeboxes over the meeting', () => {
    const card = presentAgenda(
      execSop,
      {
        items: [
          { ...fillingLine2, timeboxMinutes: 45 },
          { ...copackerAlert, timeboxMinutes: 35 },
          oatMillVisit,
        ],
        dropped: [{ item: safetyStock, reason: 'settled by email last week' }],
        overrun: 10,
        minutes: 90,
      },
      { timezone: BERLIN, packUrl: PACK_URL },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('one item, no pack yet (New York)', () => {
    const card = presentAgenda(
      execSop,
      { items: [oatMillVisit], dropped: [], overrun: 0, minutes: 90 },
      { timezone: NEW_YORK, packUrl: null },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentNextMeeting', () => {
  it("scheduled, the chair's card with Start (Berlin)", () => {
    const card = presentNextMeeting(
      execSop,
      { items: execAgenda, overrun: 0, minutes: 90 },
      { timezone: BERLIN, status: 'scheduled', mayRun: true },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('its time poll open, for an invitee', () => {
    const card = presentNextMeeting(
      preSop,
      { items: [fillingLine2], overrun: 0, minutes: 90 },
      { timezone: NEW_YORK, status: 'polling', mayRun: false },
    );
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentMeetingLive', () => {
  it('the first post in the S&OP channel, with the agenda', () => {
    const card = presentMeetingLive(
      execSop,
      { startedAt: new Date('2027-02-17T13:02:00Z'), agenda: execAgenda },
      BERLIN,
    );
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentMeetingItem', () => {
  it('open, three of four present executives voted, the count shown', () => {
    expect(both(complete(presentMeetingItem(execSop, itemView, BERLIN)))).toMatchSnapshot();
  });

  it('open, the counts hidden until the ballot closes', () => {
    const hidden = { ...itemView, ballot: { ...itemBallot, hidden: true } };
    expect(both(complete(presentMeetingItem(execSop, hidden, BERLIN)))).toMatchSnapshot();
  });

  it('an item without a ballot (an S&OE alert)', () => {
    const view = {
      ...itemView,
      index: 1,
      item: copackerAlert,
      ballot: null,
      live: { ...itemView.live, extraMinutes: 0 },
    };
    expect(both(complete(presentMeetingItem(execSop, view, BERLIN)))).toMatchSnapshot();
  });

  it('closed as decided: no more buttons', () => {
    const closed = {
      ...itemView,
      live: { ...itemView.live, closedAt: new Date('2027-02-17T13:42:00Z'), outcome: 'decided' },
      ballot: { ...itemBallot, ballot: { ...itemBallot.ballot, status: 'closed' } },
    };
    expect(both(complete(presentMeetingItem(execSop, closed, BERLIN)))).toMatchSnapshot();
  });
});

describe('presentTimeUp', () => {
  it("the item's timebox and its five more minutes have run out", () => {
    expect(both(complete(presentTimeUp(execSop, itemView, BERLIN)))).toMatchSnapshot();
  });
});

describe('presentItemClosed', () => {
  it('decided by the vote, with an action', () => {
    const card = presentItemClosed(
      execSop,
      {
        ...itemView,
        live: { ...closedLive, outcome: 'decided' },
        actions: [
          {
            ownerName: 'Sarah Miller',
            description: 'Book 6 weeks of extra storage at the Hamburg warehouse',
            dueDate: '2027-02-24',
          },
        ],
      },
      BERLIN,
    );
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('deferred to a date, with the reason', () => {
    const card = presentItemClosed(
      execSop,
      {
        ...itemView,
        index: 1,
        item: copackerAlert,
        ballot: null,
        live: {
          ...closedLive,
          outcome: 'deferred',
          deferral: { reason: "waiting for the co-packer's new dates", until: '2027-03-03' },
        },
      },
      BERLIN,
    );
    expect(both(complete(card))).toMatchSnapshot();
  });

  it('escalated to a named person, as that person gets it (New York)', () => {
    const card = presentItemClosed(
      execSop,
      {
        ...itemView,
        live: {
          ...closedLive,
          outcome: 'escalated',
          escalation: { reason: 'the margin at stake is above what this meeting may commit', to: 'm2' },
        },
      },
      NEW_YORK,
    );
    expect(both(complete(card))).toMatchSnapshot();
  });
});

describe('presentMeetingEnded', () => {
  it('the last post in the thread', () => {
    expect(both(complete(presentMeetingEnded(execSop)))).toMatchSnapshot();
  });
});

describe('presentMinutes', () => {
  const at = (hhmm: string) => new Date(`2027-02-17T${hhmm}:00Z`);
  const minutes = composeMinutes({
    meeting: {
      id: EXEC_ID,
      title: 'Executive S&OP 2027-02',
      start: at('13:00'),
      end: at('14:30'),
      startedAt: at('13:02'),
      endedAt: at('14:35'),
      timezone: BERLIN,
    },
    chair: { id: 'm1', name: 'Petra Hoffmann' },
    invitees: [
      { id: 'm1', name: 'Petra Hoffmann', role: 'process-owner' },
      { id: 'm2', name: 'David Chen', role: 'executive' },
      { id: 'm3', name: 'Sarah Miller', role: 'executive' },
      { id: 'm6', name: 'Jonas Weber', role: 'executive' },
      { id: 'm7', name: 'Maria Keller', role: 'executive' },
    ],
    attendance: [
      { memberId: 'm1', status: 'present', delegateName: null, late: false, arrivedAt: at('12:58') },
      { memberId: 'm2', status: 'present', delegateName: null, late: true, arrivedAt: at('13:12') },
      { memberId: 'm3', status: 'present', delegateName: null, late: false, arrivedAt: at('13:00') },
      {
        memberId: 'm6',
        status: 'represented',
        delegateName: 'Luca Romano',
        late: false,
        arrivedAt: at('13:01'),
      },
    ],
    items: [
      {
        item: fillingLine2,
        startedAt: at('13:05'),
        closedAt: at('13:42'),
        outcome: 'decided',
        decision: {
          optionKey: 'prebuild',
          optionLabel: 'Build ahead in February',
          rationale: 'The least total cost.',
          votes: [
            {
              voterName: 'David Chen',
              optionKey: 'prebuild',
              optionLabel: 'Build ahead in February',
              reason: null,
            },
            {
              voterName: 'Sarah Miller',
              optionKey: 'overtime',
              optionLabel: 'Overtime',
              reason: 'the crew has the hours',
            },
            {
              voterName: 'Luca Romano',
              optionKey: 'prebuild',
              optionLabel: 'Build ahead in February',
              reason: null,
            },
          ],
        },
        deferral: null,
        escalation: null,
        actions: [
          {
            ownerName: 'Sarah Miller',
            description: 'Book 6 weeks of extra storage at the Hamburg warehouse',
            dueDate: '2027-02-24',
          },
        ],
      },
      {
        item: copackerAlert,
        startedAt: at('13:42'),
        closedAt: at('14:05'),
        outcome: 'deferred',
        decision: null,
        deferral: { reason: "waiting for the co-packer's new dates", until: '2027-03-03' },
        escalation: null,
        actions: [],
      },
      {
        item: safetyStock,
        startedAt: at('14:05'),
        closedAt: at('14:30'),
        outcome: 'escalated',
        decision: null,
        deferral: null,
        escalation: { reason: 'the board sets the stock policy', to: 'Maria Keller' },
        actions: [],
      },
      {
        item: oatMillVisit,
        startedAt: null,
        closedAt: null,
        outcome: 'not-reached',
        decision: null,
        deferral: null,
        escalation: null,
        actions: [],
      },
    ],
    dropped: [],
  });

  it('version 1: attendance, one item of each outcome, one action', () => {
    expect(both(complete(presentMinutes({ meetingId: EXEC_ID, version: 1, minutes })))).toMatchSnapshot();
  });

  it('version 2', () => {
    expect(both(complete(presentMinutes({ meetingId: EXEC_ID, version: 2, minutes })))).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------
// forms.ts

/** The domain's answer to a submit: the payload schema and the months the cycle plans (src/app/inputs.ts). */
function domainErrors(kind: InputKind, values: Record<string, string>): FieldErrors {
  const payload = payloadFrom(kind, values);
  const parsed = INPUT_PAYLOADS[kind].safeParse(payload);
  const outside = inputMonthProblems(kind, payload, {
    from: '2027-03',
    to: '2028-02',
    why: 'the months the 2027-02 cycle plans',
  });
  return errorsFor(kind, {
    ...Object.fromEntries(Object.entries(outside).map(([k, v]) => [`payload.${k}`, v])),
    ...(parsed.success ? {} : zodFields(parsed.error, 'payload')),
  });
}

describe('inputForm', () => {
  it('demand adjustments, pre-filled with the latest submission', () => {
    const latest = {
      adjustments: [
        {
          family: 'F001',
          from: '2027-03',
          to: '2027-04',
          change: { type: 'percent', value: 15 },
          reason: 'Easter promotion at two national retailers confirmed on 2 Feb',
          confidence: 'high',
        },
      ],
    };
    const f = inputForm(
      'demand-adjustments',
      demandInput.requestId,
      initialFrom('demand-adjustments', latest),
    );
    expect(form(f)).toMatchSnapshot();
  });

  it('demand adjustments, refused: every problem under its field', () => {
    const f = inputForm('demand-adjustments', demandInput.requestId, {});
    const typed = {
      family: 'F001',
      from: '2027-05',
      to: '2027-04',
      changeType: 'percent',
      changeValue: '1500',
      reason: 'Easter promotion',
    };
    const errors = domainErrors('demand-adjustments', typed);
    expect(refused(f, typed, errors)).toMatchSnapshot();
  });

  it('supply constraints, empty', () => {
    expect(form(inputForm('supply-constraints', supplyInput.requestId, {}))).toMatchSnapshot();
  });

  it('finance targets, pre-filled', () => {
    const latest = {
      currency: 'EUR',
      targets: [{ period: '2027-03', revenue: 5_000_000, marginPercent: 26 }],
    };
    const f = inputForm(
      'finance-targets',
      '67a1c0de5f3b2a0012c4e8c2',
      initialFrom('finance-targets', latest),
    );
    expect(form(f)).toMatchSnapshot();
  });

  it('data confirmation, empty', () => {
    expect(form(inputForm('data-confirmation', '67a1c0de5f3b2a0012c4e89f', {}))).toMatchSnapshot();
  });

  it('attendance, pre-filled with a delegate', () => {
    const latest = { response: 'delegate', delegateId: '67a0aa115f3b2a0012c4e0a9' };
    const f = inputForm('attendance', '67a1c0de5f3b2a0012c4e8a7', initialFrom('attendance', latest));
    expect(form(f)).toMatchSnapshot();
  });
});

describe('scenarioForm', () => {
  it('the what-if on the current pack, the most loaded resource first', () => {
    expect(form(scenarioForm(pack))).toMatchSnapshot();
  });

  it('refused: the problems the form and the domain find', () => {
    const f = scenarioForm(pack);
    const typed = {
      name: 'Easter promotion lands',
      demandPercent: 'fifteen',
      families: 'F001, F009',
      from: '2027-01',
      resource: 'FILL2',
    };
    const read = whatIfFrom(typed, pack);
    if (!('errors' in read)) throw new Error('the what-if should have been refused');
    expect(refused(f, typed, read.errors)).toMatchSnapshot();
  });
});

describe('assignForm', () => {
  const decision = {
    id: '67a9e2f04b1c7d0013a5f201',
    title: 'Filling line 2 is short in March and April: how do we close the gap?',
  };
  const people = [
    { value: '67a0aa115f3b2a0012c4e0a1', label: 'Anna Schmidt' },
    { value: '67a0aa115f3b2a0012c4e0a2', label: 'Jonas Weber' },
    { value: '67a0aa115f3b2a0012c4e0a3', label: 'Maria Keller' },
    { value: '67a0aa115f3b2a0012c4e0a9', label: 'Luca Romano' },
  ];

  it('owner, due date, what is to be done', () => {
    expect(form(assignForm(decision, people))).toMatchSnapshot();
  });

  it('refused: a due date in the past', () => {
    const f = assignForm(decision, people);
    const typed = {
      owner: '67a0aa115f3b2a0012c4e0a2',
      due: '2027-02-10',
      description: 'Confirm 6 weeks of extra storage at the Hamburg warehouse',
    };
    // addAction's check (src/app/ballots.ts) on 2027-02-18 in Berlin.
    const due = dateProblem(typed.due, commitmentWindow(new Date('2027-02-18T16:30:00Z'), BERLIN));
    expect(due).not.toBeNull();
    const errors = assignErrors({ dueDate: due! }, 'the action is not valid');
    expect(refused(f, typed, errors)).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------------

describe('the checks themselves', () => {
  const lines = (n: number, text = 'A line'): Card => ({
    summary: 'Long',
    blocks: Array.from({ length: n }, (_, i) => ({ type: 'text' as const, text: `${text} ${i}` })),
  });

  it('refuse a Slack message that was cut, or a button without an action_id', () => {
    expect(() => checkSlackMessage(renderMessage(lines(60)))).toThrow();
    const noId = renderMessage(presentActionReminder(actions[0]!));
    const [, buttons] = noId.blocks;
    if (buttons?.type !== 'actions') throw new Error('expected the Mark done button');
    buttons.elements[0]!.action_id = '';
    expect(() => checkSlackMessage(noId)).toThrow();
  });

  it('refuse a Teams card the parser rejects, one that was shortened, or a table with rows left out', () => {
    const bogus = { ...renderAdaptiveCard(lines(1)), body: [{ type: 'Bogus' }] } as unknown as AdaptiveCard;
    expect(() => checkTeamsCard(bogus)).toThrow();
    expect(() => checkTeamsCard(renderAdaptiveCard(lines(40, 'x'.repeat(2_000))))).toThrow();
    const table: Card = {
      summary: 'Table',
      blocks: [
        {
          type: 'table',
          columns: ['#'],
          rows: Array.from({ length: 31 }, (_, i) => ({ cells: [String(i)] })),
        },
      ],
    };
    expect(() => checkTeamsCard(renderAdaptiveCard(table))).toThrow();
  });
});
