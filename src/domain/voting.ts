/**
 * Executive S&OP ballots: who may vote (executives; a delegate with decision authority votes for
 * its executive, never as a second voter), the rules (simple majority with the chair deciding a
 * tie; consent: passes unless someone objects, with a reason), quorum (a share of the eligible
 * voters and named people who must vote), and the tally. Pure.
 */
import type { MemberView } from './people.js';
import { localDate, localDatePlus, type Window } from './time.js';

export const VOTING_RULES = ['majority', 'consent'] as const;
export type VotingRule = (typeof VOTING_RULES)[number];

/** In a consent ballot, the key of an objection (every other key consents to the proposal). */
export const OBJECT = 'object';

export interface BallotOption {
  key: string;
  label: string;
  meaning: string;
}

export interface BallotRules {
  rule: VotingRule;
  /** Share of eligible voters who must vote (0-1). */
  quorumShare: number;
  /** Members (executives) who must vote for the quorum to be met, e.g. the CFO and the VP Sales. */
  requiredVoters: string[];
  /** Decides a tie between the top options (majority rule), when the chair voted for one of them. */
  chairId: string | null;
  /** Counts stay hidden until the ballot closes; only "N of M voted" shows. */
  hideResults: boolean;
}

export const DEFAULT_RULES: BallotRules = {
  rule: 'majority',
  quorumShare: 0.5,
  requiredVoters: [],
  chairId: null,
  hideResults: false,
};

/** How far ahead a ballot's deadline may be, in days. */
export const BALLOT_DAYS_AHEAD = 90;
/** How far ahead an action's due date or a decision's review date may be, in years. */
export const COMMITMENT_YEARS_AHEAD = 5;

/** What is wrong with a ballot's deadline (null: nothing): it must be in the future, within 90 days. */
export function deadlineProblem(deadline: Date, now: Date): string | null {
  if (deadline.getTime() <= now.getTime()) return 'must be in the future';
  const latest = new Date(now.getTime() + BALLOT_DAYS_AHEAD * 86_400_000);
  if (deadline.getTime() > latest.getTime())
    return `must be at most ${BALLOT_DAYS_AHEAD} days ahead, by ${latest.toISOString()}`;
  return null;
}

/** The dates an action may be due or a decision reviewed on: today (in `zone`) to 5 years ahead. */
export function commitmentWindow(now: Date, zone: string): Window {
  return {
    from: localDate(now, zone),
    to: localDatePlus(now, zone, { years: COMMITMENT_YEARS_AHEAD }),
    why: `today in ${zone} to ${COMMITMENT_YEARS_AHEAD} years ahead`,
  };
}

export interface VoteRecord {
  /** The executive the vote counts for. */
  voterId: string;
  /** Who cast it: the executive, or a delegate with authority. */
  castBy: string;
  option: string;
  reason: string | null;
}

/** Executives who vote in their own name (delegates vote for them, not besides them). */
export function eligibleVoters(members: MemberView[]): string[] {
  return members.filter((m) => m.roles.includes('executive') && m.delegation === null).map((m) => m.id);
}

export type VoterOutcome = { ok: true; voterId: string } | { ok: false; reason: string };

/** For whom `actor`'s vote counts, or why they may not vote. */
export function voterFor(actor: MemberView, members: MemberView[]): VoterOutcome {
  const eligible = new Set(eligibleVoters(members));
  if (eligible.has(actor.id)) return { ok: true, voterId: actor.id };
  if (actor.delegation) {
    const of = members.find((m) => m.id === actor.delegation!.of);
    if (!of || !eligible.has(of.id))
      return { ok: false, reason: `${actor.name} is a delegate of someone who does not vote` };
    if (!actor.delegation.authority)
      return {
        ok: false,
        reason: `${actor.name} is a delegate of ${of.name} without decision authority: may comment, not vote`,
      };
    return { ok: true, voterId: of.id };
  }
  return { ok: false, reason: `${actor.name} is not an executive; only executives and their delegates vote` };
}

/** What is wrong with a vote's content, field by field (empty: nothing). */
export function voteProblems(
  rules: BallotRules,
  options: BallotOption[],
  vote: { option: string; reason?: string | null },
): Record<string, string> {
  const keys = options.map((o) => o.key);
  if (rules.rule === 'consent' && vote.option === OBJECT) {
    return (vote.reason ?? '').trim().length >= 3 ? {} : { reason: 'an objection needs a reason' };
  }
  if (!keys.includes(vote.option))
    return {
      option: `must be one of ${[...keys, ...(rules.rule === 'consent' ? [OBJECT] : [])].join(', ')}`,
    };
  return {};
}

export type Outcome = 'decided' | 'no-quorum' | 'no-majority' | 'objected';

export interface Tally {
  counts: Record<string, number>;
  voted: number;
  eligible: number;
  quorum: { met: boolean; share: number; required: number; missingRequired: string[] };
  /** What the ballot comes to if it closed now. */
  outcome: Outcome;
  option: string | null;
  objections: { voterId: string; reason: string }[];
}

export function tally(
  rules: BallotRules,
  options: BallotOption[],
  votes: VoteRecord[],
  eligible: string[],
  /** The option a consent ballot proposes (the recommended one, else the first). */
  proposal?: string,
): Tally {
  const allowed = new Set(eligible);
  const counted = votes.filter((v) => allowed.has(v.voterId));
  const counts: Record<string, number> = Object.fromEntries(options.map((o) => [o.key, 0]));
  if (rules.rule === 'consent') counts[OBJECT] = 0;
  for (const v of counted) counts[v.option] = (counts[v.option] ?? 0) + 1;
  const voters = new Set(counted.map((v) => v.voterId));
  const share = eligible.length ? voters.size / eligible.length : 0;
  const missingRequired = rules.requiredVoters.filter((id) => !voters.has(id));
  const met = eligible.length > 0 && share + 1e-9 >= rules.quorumShare && missingRequired.length === 0;
  const objections = counted
    .filter((v) => rules.rule === 'consent' && v.option === OBJECT)
    .map((v) => ({ voterId: v.voterId, reason: v.reason ?? '' }));
  const base = {
    counts,
    voted: voters.size,
    eligible: eligible.length,
    quorum: { met, share, required: rules.quorumShare, missingRequired },
    objections,
  };
  if (!met) return { ...base, outcome: 'no-quorum', option: null };
  if (rules.rule === 'consent') {
    const proposed = proposal ?? options[0]!.key;
    return objections.length
      ? { ...base, outcome: 'objected', option: null }
      : { ...base, outcome: 'decided', option: proposed };
  }
  const ranked = options.map((o) => [o.key, counts[o.key] ?? 0] as const).sort((a, b) => b[1] - a[1]);
  const top = ranked[0]!;
  if (top[1] * 2 > voters.size) return { ...base, outcome: 'decided', option: top[0] };
  const tied = ranked.filter(([, n]) => n === top[1]).map(([k]) => k);
  const chairVote = rules.chairId ? counted.find((v) => v.voterId === rules.chairId)?.option : undefined;
  if (tied.length > 1 && chairVote && tied.includes(chairVote))
    return { ...base, outcome: 'decided', option: chairVote };
  return { ...base, outcome: 'no-majority', option: null };
}

/** Options as given: `{key, label, meaning}` or a plain string that is key and label. */
export function normaliseOptions(
  options: (string | { key: string; label?: string; meaning?: string })[],
): BallotOption[] {
  return options.map((o) =>
    typeof o === 'string'
      ? { key: o, label: o, meaning: '' }
      : { key: o.key, label: o.label ?? o.key, meaning: o.meaning ?? '' },
  );
}
