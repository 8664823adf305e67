/**
 * Ballots: the open ones (with my vote), the recently closed ones (with their decision), and one
 * ballot: its question, options (with the pack's costs when it came from a trade-off), deadline,
 * who has voted, the count only when the ballot shows it (hidden results: "N of M voted", never
 * how), and the vote: `castVote`, the same rules as chat and the API.
 */
import { DomainError } from '../../domain/errors.js';
import { OBJECT, voterFor } from '../../domain/voting.js';
import { castVote } from '../../app/ballots.js';
import { sourceTradeoff } from '../../app/packs.js';
import { ballotFor } from '../../app/queries.js';
import type { Deps } from '../../app/ports.js';
import type { BallotRecord, DecisionRecord } from '../../app/records.js';
import { webRoute, type WebContext, type WebResult, type WebRoute } from '../app.js';

const ID = /^[a-f0-9]{24}$/;
const RECENT = 10;
const WHY_MAX = 1000;

const OUTCOME: Record<string, string> = {
  decided: 'Decided',
  'no-quorum': 'Not decided: the quorum was missed',
  'no-majority': 'Not decided: no majority',
  objected: 'Not decided: there were objections',
};

function outcomeOf(d: DecisionRecord): string {
  return d.status === 'decided'
    ? `Decided: ${d.optionLabel ?? d.option ?? ''}`
    : (OUTCOME[d.status] ?? d.status);
}

async function list(ctx: WebContext): Promise<WebResult> {
  const { deps, session } = ctx;
  const [open, members, decisions] = await Promise.all([
    deps.ballots.openFor(session.org.id),
    deps.members.all(session.org.id),
    deps.decisions.all(session.org.id),
  ]);
  const voter = voterFor(session.member, members);
  const ballots = [];
  for (const b of open.sort((x, y) => x.deadline.getTime() - y.deadline.getTime())) {
    const { view, myOption } = await ballotFor(deps, session.org, b.id, session.member);
    ballots.push({
      id: b.id,
      title: b.title,
      deadline: b.deadline,
      voted: view.tally.voted,
      eligible: view.tally.eligible,
      myOption: myOption ? labelOf(b, myOption) : null,
    });
  }
  const recent = decisions
    .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
    .slice(0, RECENT)
    .map((d) => ({
      id: d.ballotId,
      title: d.title,
      decidedAt: d.decidedAt,
      status: d.status,
      outcome: outcomeOf(d),
    }));
  return {
    page: 'ballots',
    title: 'Ballots',
    data: { ballots, recent, votes: voter.ok, whyNot: voter.ok ? null : voter.reason },
  };
}

function labelOf(b: BallotRecord, key: string): string {
  if (key === OBJECT && b.rules.rule === 'consent') return 'Object';
  return b.options.find((o) => o.key === key)?.label ?? key;
}

interface VoteForm {
  option: string;
  why: string;
  errors: Record<string, string>;
  /** Why the vote was refused as a whole (the ballot closed meanwhile). */
  refused: string | null;
  status: number;
}

async function ballotOf(ctx: WebContext): Promise<BallotRecord> {
  const id = ctx.params['ballotId'] ?? '';
  const b = ID.test(id) ? await ctx.deps.ballots.get(ctx.session.org.id, id) : null;
  if (!b) throw new DomainError('not_found', 'There is no such ballot in your organisation.');
  return b;
}

async function detail(ctx: WebContext, ballotId: string, sent: VoteForm | null): Promise<WebResult> {
  const { deps, session } = ctx;
  const [{ view, myOption }, members] = await Promise.all([
    ballotFor(deps, session.org, ballotId, session.member),
    deps.members.all(session.org.id),
  ]);
  const b = view.ballot;
  const names = new Map(members.map((m) => [m.id, m.name]));
  const voter = voterFor(session.member, members);
  // The pack's figures for a ballot from a trade-off (the pack version it was opened on).
  const framed = await sourceTradeoff(deps, session.org.id, b.cycleId, b.source);
  const costs = new Map(framed?.tradeoff.options.map((o) => [o.key, o]) ?? []);
  const now = deps.clock.now();
  const open = b.status === 'open' && b.deadline.getTime() > now.getTime();
  const decision = b.status === 'closed' ? await deps.decisions.get(session.org.id, b.id) : null;
  const hidden = view.hidden;
  const mine = voter.ok ? view.votes.find((v) => v.voterId === voter.voterId) : undefined;
  const choices = [
    ...b.options.map((o) => ({ key: o.key, label: o.label })),
    ...(b.rules.rule === 'consent' ? [{ key: OBJECT, label: 'Object (give your reason below)' }] : []),
  ];
  const picked = sent ? sent.option : (myOption ?? '');
  return {
    page: 'ballot',
    title: b.title,
    status: sent?.status ?? 200,
    data: {
      ballot: {
        id: b.id,
        title: b.title,
        status: b.status,
        open,
        deadline: b.deadline,
        rule: b.rules.rule,
        consent: b.rules.rule === 'consent',
        hideResults: b.rules.hideResults,
        fromPack: b.source ? { version: b.source.packVersion, cycleId: b.cycleId } : null,
      },
      options: b.options.map((o) => {
        const c = costs.get(o.key);
        return {
          key: o.key,
          label: o.label,
          meaning: c ? null : o.meaning || null,
          recommended: b.source?.recommended === o.key,
          cost: c
            ? {
                cost: c.cost,
                lostMargin: c.lostMargin,
                shortfallUnits: c.shortfallUnits,
                fillRate: c.fillRate,
                feasibility: c.feasibility,
              }
            : null,
          count: hidden ? null : (view.tally.counts[o.key] ?? 0),
        };
      }),
      withCosts: costs.size > 0,
      hidden,
      tally: {
        voted: view.tally.voted,
        eligible: view.tally.eligible,
        quorumMet: view.tally.quorum.met,
        objections: hidden ? null : (view.tally.counts[OBJECT] ?? null),
        leading: hidden || !open ? null : view.tally.option ? labelOf(b, view.tally.option) : null,
        outcome: hidden || !open ? null : (OUTCOME[view.tally.outcome] ?? view.tally.outcome),
      },
      // Who has voted: always; how and why only when the count shows.
      voters: view.votes.map((v) => ({
        name: names.get(v.voterId) ?? v.voterId,
        by: v.castBy !== v.voterId ? (names.get(v.castBy) ?? v.castBy) : null,
        option: hidden ? null : labelOf(b, v.option),
        why: hidden ? null : v.reason,
        at: v.at,
      })),
      mine: mine ? { option: labelOf(b, mine.option), why: mine.reason, at: mine.at } : null,
      canVote: open && voter.ok,
      whyNot: voter.ok ? null : voter.reason,
      forExecutive:
        voter.ok && voter.voterId !== session.member.id ? (names.get(voter.voterId) ?? null) : null,
      form: {
        choices: choices.map((c) => ({ ...c, checked: c.key === picked })),
        why: sent ? sent.why : (mine?.reason ?? ''),
        errors: sent?.errors ?? {},
        problems: Object.keys(sent?.errors ?? {}).length,
        refused: sent?.refused ?? null,
      },
      decision: decision
        ? {
            outcome: outcomeOf(decision),
            status: decision.status,
            decidedAt: decision.decidedAt,
            rationale: decision.rationale,
          }
        : null,
    },
  };
}

async function vote(ctx: WebContext): Promise<WebResult> {
  const { deps, session, body } = ctx;
  const b = await ballotOf(ctx);
  const option = body['option'] ?? '';
  const why = body['why'] ?? '';
  const back = (errors: Record<string, string>, refused: string | null, status: number) =>
    detail(ctx, b.id, { option, why, errors, refused, status });
  if (!option) return back({ option: 'Choose an option.' }, null, 400);
  if (why.length > WHY_MAX) return back({ why: `Keep the reason under ${WHY_MAX} characters.` }, null, 400);
  try {
    const out = await castVote(
      deps,
      session.org.id,
      b.id,
      { memberId: session.member.id, option, reason: why || undefined },
      { type: 'member', id: session.member.id },
    );
    const label = labelOf(b, option);
    const notice = out.decision
      ? `Your vote for ${label} is counted. Everyone has voted: the ballot is closed (${outcomeOf(out.decision)}).`
      : out.changed
        ? `Your vote for ${label} is counted. You can change it until the ballot closes.`
        : `Your vote for ${label} was already counted: nothing changed.`;
    return { redirect: `/app/ballots/${b.id}`, notice };
  } catch (err) {
    if (!(err instanceof DomainError) || err.code === 'forbidden' || err.code === 'not_found') throw err;
    if (err.code === 'ballot_closed')
      return back({}, 'This ballot is closed: your vote was not counted.', 409);
    const errors: Record<string, string> = {};
    for (const [k, v] of Object.entries(err.fields)) errors[k === 'reason' ? 'why' : 'option'] = v;
    return back(Object.keys(errors).length ? errors : { option: err.message }, null, 400);
  }
}

export function ballotPages(_deps: Deps): WebRoute[] {
  return [
    webRoute({ method: 'get', path: '/app/ballots', nav: 'ballots', handler: list }),
    webRoute({
      method: 'get',
      path: '/app/ballots/:ballotId',
      nav: 'ballots',
      handler: async (ctx) => detail(ctx, (await ballotOf(ctx)).id, null),
    }),
    webRoute({ method: 'post', path: '/app/ballots/:ballotId/vote', nav: 'ballots', handler: vote }),
  ];
}
