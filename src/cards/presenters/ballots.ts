/** Presenters for ballots and decisions. */
import { webLinkBlock, type Card } from '../card.js';

/** A ballot: its options, the count (or only "N of M voted" while hidden), one button per option. */
export function presentBallot(v: {
  ballot: {
    id: string;
    title: string;
    options: { key: string; label: string; meaning: string }[];
    status: string;
    deadline: Date;
    source: { recommended: string } | null;
  };
  tally: { counts: Record<string, number>; voted: number; eligible: number; quorum: { met: boolean } };
  hidden: boolean;
}): Card {
  const b = v.ballot;
  const counts = v.hidden
    ? `${v.tally.voted} of ${v.tally.eligible} voted`
    : b.options.map((o) => `${o.label}: ${v.tally.counts[o.key] ?? 0}`).join(' · ');
  return {
    summary: `Ballot: ${b.title}`,
    blocks: [
      { type: 'header', text: b.title },
      ...b.options.map((o) => ({
        type: 'text' as const,
        text: `${o.label}${o.meaning ? `: ${o.meaning}` : ''}`,
      })),
      {
        type: 'text',
        text: `${counts}. Quorum ${v.tally.quorum.met ? 'met' : 'not met yet'}. ${b.status === 'open' ? `Closes ${b.deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC; you can change your vote until then.` : 'Closed.'}`,
      },
      ...(b.status === 'open'
        ? [
            {
              type: 'input' as const,
              id: `why:${b.id}`,
              label: 'Why (optional, kept with your vote)',
              placeholder: 'A sentence for the record',
            },
            {
              type: 'actions' as const,
              buttons: b.options.map((o) => ({
                action: 'ballot.vote',
                label: o.label,
                value: `${b.id}:${o.key}`,
                ...(o.key === b.source?.recommended ? { style: 'primary' as const } : {}),
              })),
            },
          ]
        : []),
      webLinkBlock(`/app/ballots/${b.id}`),
    ],
  };
}

/**
 * A recorded decision, for everyone who voted or runs the process. `assign` adds the process
 * owner's button that opens the form assigning an owner and a due date to an action.
 */
export function presentDecision(
  d: {
    id: string;
    title: string;
    status: string;
    optionLabel: string | null;
    rationale: string;
    tally: { counts: Record<string, number>; voted: number; eligible: number };
  },
  opts: { assign?: boolean; labels?: Record<string, string> } = {},
): Card {
  const outcome =
    d.status === 'decided'
      ? `Decided: ${d.optionLabel}`
      : d.status === 'no-quorum'
        ? 'Not decided: the quorum was missed'
        : d.status === 'objected'
          ? 'Not decided: there were objections'
          : 'Not decided: no majority';
  return {
    summary: `${d.title}: ${outcome}`,
    blocks: [
      { type: 'header', text: d.title },
      {
        type: 'text',
        text: `${outcome}. ${d.tally.voted} of ${d.tally.eligible} voted.${d.rationale ? ` ${d.rationale}` : ''}`,
      },
      {
        type: 'fields',
        fields: Object.entries(d.tally.counts).map(([key, n]) => ({
          label: opts.labels?.[key] ?? key,
          value: String(n),
        })),
      },
      ...(opts.assign
        ? [
            {
              type: 'actions' as const,
              buttons: [{ action: 'decision.assign', label: 'Assign an action', value: d.id }],
            },
          ]
        : []),
      webLinkBlock(`/app/decisions/${d.id}`),
    ],
  };
}

/** A ballot that closed without passing: the process owner hears why and what next. */
export function presentBallotUnresolved(title: string, why: string): Card {
  return {
    summary: `The ballot "${title}" ${why}: it is recorded as such, not passed.`,
    blocks: [
      {
        type: 'text',
        text: `The ballot "${title}" ${why}: it is recorded as such, not passed. Open a new ballot or decide in the meeting.`,
      },
    ],
  };
}

/** The decision register: the latest decisions, or those matching a search. */
export function presentDecisionList(
  found: { decidedAt: Date; title: string; optionLabel: string | null; status: string }[],
  q: string,
): Card {
  return {
    summary: `${found.length} decision(s)${q ? ` matching "${q}"` : ''}`,
    blocks: found.length
      ? [
          { type: 'header', text: q ? `Decisions matching "${q}"` : 'Latest decisions' },
          {
            type: 'table',
            columns: ['Decided', 'Decision', 'Outcome'],
            rows: found.map((d) => ({
              cells: [d.decidedAt.toISOString().slice(0, 10), d.title, d.optionLabel ?? d.status],
            })),
          },
          webLinkBlock(
            q ? `/app/decisions?q=${encodeURIComponent(q)}` : '/app/decisions',
            'The register in Accord',
          ),
        ]
      : [{ type: 'text', text: q ? `No decision matches "${q}".` : 'No decision is recorded yet.' }],
  };
}

/** A ballot as one voter sees it: the ballot, and their own vote (which they can change until it closes). */
export function presentBallotFor(v: Parameters<typeof presentBallot>[0], myOption: string | null): Card {
  const card = presentBallot(v);
  if (v.ballot.status !== 'open') return card;
  const mine = myOption ? (v.ballot.options.find((o) => o.key === myOption)?.label ?? myOption) : null;
  const line = mine
    ? `Your vote: ${mine}. You can change it until the ballot closes.`
    : 'You have not voted yet.';
  const at = card.blocks.findIndex((b) => b.type === 'input');
  const blocks = [...card.blocks];
  blocks.splice(at < 0 ? blocks.length : at, 0, { type: 'text', text: line });
  return { ...card, blocks };
}

/** The ballot and option a vote button names (`ballotId:option`, as presentBallot writes it). */
export function readVoteButton(value: string): { ballotId: string; option: string } {
  const at = value.indexOf(':');
  return at < 0
    ? { ballotId: value, option: '' }
    : { ballotId: value.slice(0, at), option: value.slice(at + 1) };
}
