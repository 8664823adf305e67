/** Voting rules and quorum, table by table: majority, chair's tie-break, consent, share and named quorum, delegates. */
import { describe, expect, it } from '@jest/globals';
import type { MemberView } from '../../src/domain/people.js';
import {
  DEFAULT_RULES,
  OBJECT,
  eligibleVoters,
  normaliseOptions,
  tally,
  voteProblems,
  voterFor,
  type BallotRules,
  type VoteRecord,
} from '../../src/domain/voting.js';

const person = (id: string, over: Partial<MemberView> = {}): MemberView => ({
  id,
  name: id.toUpperCase(),
  timezone: 'Europe/Berlin',
  roles: ['executive'],
  functions: [],
  quietHours: { start: '19:00', end: '08:00' },
  delegation: null,
  ...over,
});

const members = [
  person('ceo'),
  person('cfo'),
  person('vps'),
  person('coo'),
  person('po', { roles: ['process-owner'] }),
  person('lead', { roles: ['functional-leader'], functions: ['sales'] }),
  person('dep', { delegation: { of: 'cfo', authority: true } }),
  person('aide', { delegation: { of: 'ceo', authority: false } }),
];
const eligible = eligibleVoters(members);
const options = normaliseOptions(['overtime', 'alternates', 'accept']);
const v = (voterId: string, option: string, reason: string | null = null): VoteRecord => ({
  voterId,
  castBy: voterId,
  option,
  reason,
});
const rules = (over: Partial<BallotRules> = {}): BallotRules => ({ ...DEFAULT_RULES, ...over });

describe('who votes', () => {
  it.each([
    ['ceo', { ok: true, voterId: 'ceo' }],
    ['dep', { ok: true, voterId: 'cfo' }],
    [
      'aide',
      { ok: false, reason: 'AIDE is a delegate of CEO without decision authority: may comment, not vote' },
    ],
    ['po', { ok: false, reason: 'PO is not an executive; only executives and their delegates vote' }],
    ['lead', { ok: false, reason: 'LEAD is not an executive; only executives and their delegates vote' }],
  ])('%s', (id, expected) => {
    expect(
      voterFor(
        members.find((m) => m.id === id)!,
        members,
      ),
    ).toEqual(expected);
  });

  it('counts executives once: delegates are not extra voters', () => {
    expect(eligible).toEqual(['ceo', 'cfo', 'vps', 'coo']);
  });
});

describe('tally', () => {
  const cases: [string, BallotRules, VoteRecord[], { outcome: string; option: string | null }][] = [
    [
      'a clear majority',
      rules(),
      [v('ceo', 'overtime'), v('cfo', 'overtime'), v('vps', 'accept')],
      { outcome: 'decided', option: 'overtime' },
    ],
    [
      'a plurality is not a majority',
      rules(),
      [v('ceo', 'overtime'), v('cfo', 'alternates'), v('vps', 'accept')],
      { outcome: 'no-majority', option: null },
    ],
    [
      'a tie without a chair',
      rules(),
      [v('ceo', 'overtime'), v('cfo', 'overtime'), v('vps', 'accept'), v('coo', 'accept')],
      { outcome: 'no-majority', option: null },
    ],
    [
      'a tie the chair decides',
      rules({ chairId: 'vps' }),
      [v('ceo', 'overtime'), v('cfo', 'overtime'), v('vps', 'accept'), v('coo', 'accept')],
      { outcome: 'decided', option: 'accept' },
    ],
    [
      'a chair who backed neither leader does not decide',
      rules({ chairId: 'vps' }),
      [v('ceo', 'overtime'), v('cfo', 'accept'), v('vps', 'alternates'), v('coo', 'overtime')],
      { outcome: 'no-majority', option: null },
    ],
    [
      'below the quorum share',
      rules({ quorumShare: 0.75 }),
      [v('ceo', 'overtime'), v('cfo', 'overtime')],
      { outcome: 'no-quorum', option: null },
    ],
    [
      'exactly the quorum share',
      rules({ quorumShare: 0.5 }),
      [v('ceo', 'overtime'), v('cfo', 'overtime')],
      { outcome: 'decided', option: 'overtime' },
    ],
    [
      'a required voter missing',
      rules({ quorumShare: 0, requiredVoters: ['cfo', 'vps'] }),
      [v('ceo', 'overtime'), v('cfo', 'overtime'), v('coo', 'overtime')],
      { outcome: 'no-quorum', option: null },
    ],
    [
      'the required voters voted',
      rules({ quorumShare: 0, requiredVoters: ['cfo', 'vps'] }),
      [v('cfo', 'alternates'), v('vps', 'alternates')],
      { outcome: 'decided', option: 'alternates' },
    ],
    [
      'consent without objection passes the proposal',
      rules({ rule: 'consent' }),
      [v('ceo', 'alternates'), v('cfo', 'alternates')],
      { outcome: 'decided', option: 'alternates' },
    ],
    [
      'one objection stops consent',
      rules({ rule: 'consent' }),
      [v('ceo', 'alternates'), v('cfo', OBJECT, 'too costly')],
      { outcome: 'objected', option: null },
    ],
    [
      'consent still needs its quorum',
      rules({ rule: 'consent', quorumShare: 1 }),
      [v('ceo', 'alternates')],
      { outcome: 'no-quorum', option: null },
    ],
    [
      'votes of non-voters are not counted',
      rules(),
      [v('po', 'accept'), v('lead', 'accept'), v('ceo', 'overtime'), v('cfo', 'overtime')],
      { outcome: 'decided', option: 'overtime' },
    ],
  ];
  it.each(cases)('%s', (_name, r, votes, expected) => {
    const t = tally(r, options, votes, eligible, 'alternates');
    expect({ outcome: t.outcome, option: t.option }).toEqual(expected);
  });

  it('reports counts, share and the required voters still missing', () => {
    const t = tally(
      rules({ requiredVoters: ['vps'] }),
      options,
      [v('ceo', 'overtime'), v('cfo', 'accept')],
      eligible,
    );
    expect(t.counts).toEqual({ overtime: 1, alternates: 0, accept: 1 });
    expect(t.quorum).toEqual({ met: false, share: 0.5, required: 0.5, missingRequired: ['vps'] });
    expect([t.voted, t.eligible]).toEqual([2, 4]);
  });
});

describe('what a vote may say', () => {
  it.each([
    [rules(), { option: 'overtime' }, {}],
    [rules(), { option: 'nope' }, { option: 'must be one of overtime, alternates, accept' }],
    [rules({ rule: 'consent' }), { option: OBJECT }, { reason: 'an objection needs a reason' }],
    [rules({ rule: 'consent' }), { option: OBJECT, reason: 'margin too thin' }, {}],
    [rules(), { option: OBJECT, reason: 'x' }, { option: 'must be one of overtime, alternates, accept' }],
  ])('%#', (r, vote, problems) => {
    expect(voteProblems(r, options, vote)).toEqual(problems);
  });

  it('takes options as objects or plain strings', () => {
    expect(normaliseOptions(['a', { key: 'b', label: 'Bee', meaning: 'the second' }])).toEqual([
      { key: 'a', label: 'a', meaning: '' },
      { key: 'b', label: 'Bee', meaning: 'the second' },
    ]);
  });
});
