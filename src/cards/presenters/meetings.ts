/**
 * Presenters for the cycle's meetings: invitations and their updates, the time poll, reminders,
 * the agenda, the live meeting in its thread (the opening card, each item with its ballot and the
 * chair's buttons, time-up notices, closed items) and the minutes.
 */
import { DateTime } from 'luxon';
import type { AgendaItem } from '../../domain/agenda.js';
import type { Minutes, MinutesItem } from '../../domain/minutes.js';
import { fmt } from '../../domain/plan.js';
import { formatLocal } from '../../domain/time.js';
import { webLinkBlock, type Card, type CardBlock, type CardButton } from '../card.js';

/** What every meeting card says about the meeting itself. */
export interface MeetingFacts {
  id: string;
  title: string;
  slot: { start: Date; end: Date } | null;
  /** The reason, when cancelled. */
  cancelled: string | null;
  sequence: number;
  chairName: string | null;
}

/** `Tue 12 Jan, 15:00-16:30 (Europe/London)` in the reader's zone. */
export function slotText(slot: { start: Date; end: Date }, zone: string): string {
  const end = DateTime.fromJSDate(slot.end, { zone }).toFormat('HH:mm');
  return formatLocal(slot.start, zone).replace(/ \(/, `-${end} (`);
}

const hhmm = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
const money = (n: number) => fmt(n);

/** Buttons are addressed to a meeting and, for items, an item's position: `meetingId:index`. */
export function readMeetingButton(value: string): { meetingId: string; index: number } | null {
  const m = /^([a-f0-9]{24}-(?:pre-sop|executive-sop))(?::(\d{1,3}))?$/.exec(value);
  return m ? { meetingId: m[1]!, index: m[2] === undefined ? -1 : Number(m[2]) } : null;
}

/** Time poll buttons: `meetingId:round:option`. */
export function readPollButton(value: string): { meetingId: string; round: number; option: string } | null {
  const m = /^([a-f0-9]{24}-(?:pre-sop|executive-sop)):(\d{1,4}):([a-z0-9]{1,8})$/.exec(value);
  return m ? { meetingId: m[1]!, round: Number(m[2]), option: m[3]! } : null;
}

export function presentInvitation(
  f: MeetingFacts,
  o: { change: 'new' | 'moved' | 'cancelled'; reason: string | null; icsUrl: string; timezone: string },
): Card {
  const when = f.slot ? slotText(f.slot, o.timezone) : 'to be agreed';
  const head =
    o.change === 'cancelled'
      ? `Cancelled: ${f.title}`
      : o.change === 'moved'
        ? `New time: ${f.title}`
        : `Invitation: ${f.title}`;
  const text =
    o.change === 'cancelled'
      ? `${f.title} on ${when} is cancelled${o.reason ? `: ${o.reason}` : ''}. The calendar file below removes it from your calendar.`
      : o.change === 'moved'
        ? `${f.title} moves to ${when}${o.reason ? `: ${o.reason}` : ''}. The calendar file below updates the entry you have.`
        : `You are invited to ${f.title} on ${when}${f.chairName ? `, chaired by ${f.chairName}` : ''}. The agenda follows one business day before.`;
  return {
    summary: `${head}, ${when}`,
    blocks: [
      { type: 'header', text: head },
      { type: 'text', text },
      {
        type: 'actions',
        buttons: [
          {
            action: 'link.open',
            label: o.change === 'cancelled' ? 'Remove from calendar (.ics)' : 'Add to calendar (.ics)',
            value: o.icsUrl,
          },
        ],
      },
      webLinkBlock(`/app/meetings/${f.id}`),
    ],
  };
}

export function presentPoll(
  f: MeetingFacts,
  poll: {
    round: number;
    options: { key: string; start: Date; end: Date; fits: string[]; misses: string[] }[];
    deadline: Date;
    votes: { memberId: string; option: string }[];
    status: string;
    /** The times tied, once the poll closed with a tie. */
    tied?: string[];
    /** The time the poll settled on, once closed. */
    chosen?: string | null;
  },
  o: { timezone: string; myChoice: string | null; invited: number },
): Card {
  const open = poll.status === 'open';
  const chosen = poll.options.find((x) => x.key === o.myChoice);
  const settled = poll.options.find((x) => x.key === poll.chosen);
  const closedText =
    poll.status === 'tied'
      ? `This poll is closed with a tie between ${poll.tied?.length ?? 2} times: the chair picks one, and everyone invited then gets the invitation.`
      : settled
        ? `This poll is closed: the meeting is on ${slotText(settled, o.timezone)}, and the invitation follows.`
        : 'This poll is closed.';
  return {
    summary: `Find a time: ${f.title}`,
    blocks: [
      { type: 'header', text: `Find a time: ${f.title}` },
      {
        type: 'text',
        text: `No time in the step's window suits everyone's working hours, so Accord asks. Choose the time that suits you best by ${formatLocal(poll.deadline, o.timezone)}; the most chosen wins and the chair decides a tie.`,
      },
      ...poll.options.map((x) => ({
        type: 'text' as const,
        text: `${slotText(x, o.timezone)}: suits ${x.fits.length} of ${x.fits.length + x.misses.length}; chosen by ${poll.votes.filter((v) => v.option === x.key).length}.`,
      })),
      {
        type: 'text',
        text: open
          ? `${poll.votes.length} of ${o.invited} have answered.${chosen ? ` You chose ${slotText(chosen, o.timezone)}; you can change it until the poll closes.` : ''}`
          : `${closedText}${chosen ? ` You chose ${slotText(chosen, o.timezone)}.` : ''}`,
      },
      ...(open
        ? [
            {
              type: 'actions' as const,
              buttons: poll.options.map((x) => ({
                action: 'poll.vote',
                label: DateTime.fromJSDate(x.start, { zone: o.timezone }).toFormat('ccc d LLL HH:mm'),
                value: `${f.id}:${poll.round}:${x.key}`,
                ...(x.key === o.myChoice ? { style: 'primary' as const } : {}),
              })),
            },
          ]
        : []),
    ],
  };
}

/** The chair breaks a tie in a time poll; once picked (`poll.chosen`), the card says which time it takes. */
export function presentPollTie(
  f: MeetingFacts,
  poll: {
    round: number;
    options: { key: string; start: Date; end: Date }[];
    tied: string[];
    chosen?: string | null;
  },
  timezone: string,
): Card {
  const tied = poll.options.filter((x) => poll.tied.includes(x.key));
  const picked = poll.options.find((x) => x.key === poll.chosen);
  if (picked)
    return {
      summary: `Tie broken: ${f.title}`,
      blocks: [
        { type: 'header', text: `Tie broken: ${f.title}` },
        {
          type: 'text',
          text: `${f.title} is on ${slotText(picked, timezone)}. Everyone invited gets the invitation for that time.`,
        },
      ],
    };
  return {
    summary: `Break the tie: ${f.title}`,
    blocks: [
      { type: 'header', text: `Break the tie: ${f.title}` },
      {
        type: 'text',
        text: `The time poll closed with a tie between ${tied.length} times. As the chair, pick the one the meeting takes; everyone invited gets the invitation.`,
      },
      {
        type: 'actions',
        buttons: tied.map((x) => ({
          action: 'poll.pick',
          label: DateTime.fromJSDate(x.start, { zone: timezone }).toFormat('ccc d LLL HH:mm'),
          value: `${f.id}:${poll.round}:${x.key}`,
        })),
      },
    ],
  };
}

export function presentMeetingReminder(
  f: MeetingFacts,
  o: { timezone: string; soon: boolean; mayStart: boolean },
): Card {
  const when = f.slot ? slotText(f.slot, o.timezone) : '';
  return {
    summary: `${o.soon ? 'In 15 minutes' : 'Tomorrow'}: ${f.title}`,
    blocks: [
      { type: 'header', text: `${o.soon ? 'In 15 minutes' : 'In 24 hours'}: ${f.title}` },
      {
        type: 'text',
        text: `${f.title} is on ${when}.${o.mayStart ? ' As its chair, you start it here when everyone is in; Accord then takes the agenda item by item in the S&OP channel.' : ' When it starts, mark yourself present in the S&OP channel with one click.'}`,
      },
      ...(o.mayStart
        ? [
            {
              type: 'actions' as const,
              buttons: [
                {
                  action: 'meeting.start',
                  label: 'Start the meeting',
                  value: f.id,
                  style: 'primary' as const,
                },
              ],
            },
          ]
        : []),
      webLinkBlock(`/app/meetings/${f.id}`, 'Agenda in Accord'),
    ],
  };
}

const itemLine = (i: AgendaItem, n: number) =>
  `${n}. ${i.title} (${i.timeboxMinutes} min${i.moneyAtStake > 0 ? `, ${money(i.moneyAtStake)} at stake` : ''})${i.recommendation ? `: recommended ${i.recommendation}` : ''}`;

/** How many items, in what order, with what: one sentence. */
function agendaCount(items: AgendaItem[]): string {
  if (!items.length) return 'No trade-offs to decide: the pack has none yet.';
  const withRecommendation = items.filter((i) => i.recommendation).length;
  const recommended =
    withRecommendation === 0
      ? ''
      : withRecommendation === items.length
        ? `; ${items.length === 1 ? 'it has' : 'each has'} a recommendation to decide on`
        : `; ${withRecommendation} of them ${withRecommendation === 1 ? 'has' : 'have'} a recommendation to decide on`;
  return items.length === 1
    ? `One item, with its timebox${recommended}.`
    : `${items.length} items in the order the meeting takes them, each with its timebox${recommended}.`;
}

export function presentAgenda(
  f: MeetingFacts,
  a: {
    items: AgendaItem[];
    dropped: { item: AgendaItem; reason: string }[];
    overrun: number;
    minutes: number;
  },
  o: { timezone: string; packUrl: string | null },
): Card {
  const blocks: CardBlock[] = [
    { type: 'header', text: `Agenda: ${f.title}` },
    {
      type: 'text',
      text: `${f.slot ? slotText(f.slot, o.timezone) : 'Time to be agreed'}. ${agendaCount(a.items)}${a.overrun > 0 ? ` The timeboxes run ${a.overrun} minutes over the ${a.minutes}-minute meeting.` : ''}`,
    },
    ...a.items.map((i, n) => ({ type: 'text' as const, text: itemLine(i, n + 1) })),
    ...(a.dropped.length
      ? [
          {
            type: 'text' as const,
            text: `Dropped: ${a.dropped.map((d) => `${d.item.title} (${d.reason})`).join('; ')}.`,
          },
        ]
      : []),
  ];
  const buttons: CardButton[] = [];
  if (o.packUrl) buttons.push({ action: 'link.open', label: 'Open the pack', value: o.packUrl });
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  blocks.push(webLinkBlock(`/app/meetings/${f.id}`));
  return { summary: `Agenda: ${f.title}`, blocks };
}

/** The next meeting, for `/sop meeting`: time, agenda, and the chair's Start button. */
export function presentNextMeeting(
  f: MeetingFacts,
  a: { items: AgendaItem[]; overrun: number; minutes: number },
  o: { timezone: string; status: string; mayRun: boolean },
): Card {
  const state =
    o.status === 'live'
      ? 'It is under way in the S&OP channel.'
      : o.status === 'polling'
        ? 'Its time poll is open.'
        : `It is on ${f.slot ? slotText(f.slot, o.timezone) : 'a time to be agreed'}.`;
  const buttons: CardButton[] = [];
  if (o.mayRun && o.status === 'scheduled')
    buttons.push({ action: 'meeting.start', label: 'Start the meeting', value: f.id, style: 'primary' });
  if (o.mayRun && o.status === 'live')
    buttons.push({ action: 'meeting.end', label: 'End the meeting', value: f.id, style: 'danger' });
  return {
    summary: `${f.title}: ${state}`,
    blocks: [
      { type: 'header', text: f.title },
      { type: 'text', text: `${state}${f.chairName ? ` Chair: ${f.chairName}.` : ''}` },
      ...a.items.map((i, n) => ({ type: 'text' as const, text: itemLine(i, n + 1) })),
      ...(buttons.length ? [{ type: 'actions' as const, buttons }] : []),
      webLinkBlock(`/app/meetings/${f.id}`),
    ],
  };
}

/** The live meeting's first post in the S&OP channel: the thread its items follow in. */
export function presentMeetingLive(
  f: MeetingFacts,
  live: { startedAt: Date; agenda: AgendaItem[] },
  timezone: string,
): Card {
  return {
    summary: `${f.title} has started`,
    blocks: [
      { type: 'header', text: `${f.title} has started` },
      {
        type: 'text',
        text: `Started at ${hhmm(live.startedAt, timezone)} (${timezone})${f.chairName ? `, chaired by ${f.chairName}` : ''}. Mark yourself present (a delegate marks the one they stand in for). The items follow in this thread, one at a time; executives at the meeting vote on each.`,
      },
      ...live.agenda.map((i, n) => ({ type: 'text' as const, text: itemLine(i, n + 1) })),
      {
        type: 'actions',
        buttons: [
          { action: 'meeting.present', label: "I'm here", value: f.id, style: 'primary' },
          { action: 'meeting.end', label: 'End the meeting', value: f.id, style: 'danger' },
        ],
      },
    ],
  };
}

export interface ItemCardView {
  index: number;
  total: number;
  item: AgendaItem;
  live: { startedAt: Date | null; closedAt: Date | null; outcome: string | null; extraMinutes: number };
  ballot: {
    ballot: { id: string; status: string; options: { key: string; label: string }[] };
    tally: {
      counts: Record<string, number>;
      voted: number;
      eligible: number;
      outcome: string;
      option: string | null;
    };
    hidden: boolean;
    votes: { voterId: string; option: string }[];
  } | null;
  names: Record<string, string>;
  endsAt: Date | null;
}

/** An item under discussion: timebox and countdown, recommendation, options with vote buttons, who has voted, the chair's buttons. */
export function presentMeetingItem(f: MeetingFacts, v: ItemCardView, timezone: string): Card {
  const { item } = v;
  const value = `${f.id}:${v.index}`;
  const open = !v.live.closedAt;
  const blocks: CardBlock[] = [
    { type: 'header', text: `Item ${v.index + 1} of ${v.total}: ${item.title}` },
    {
      type: 'text',
      text: `${item.question || item.title}${item.moneyAtStake > 0 ? ` ${money(item.moneyAtStake)} of margin at stake.` : ''} Timebox ${item.timeboxMinutes + v.live.extraMinutes} min${v.endsAt && open ? `: until ${hhmm(v.endsAt, timezone)} (${timezone})` : ''}.`,
    },
    ...(item.recommendation
      ? [{ type: 'text' as const, text: `Recommended: ${item.recommendation}. ${item.rationale}`.trim() }]
      : []),
    ...item.options.map((o) => ({ type: 'text' as const, text: `${o.label}: ${o.summary}` })),
  ];
  const b = v.ballot;
  if (b) {
    const label = (k: string) => b.ballot.options.find((o) => o.key === k)?.label ?? k;
    const voted = b.votes.map((x) =>
      b.hidden
        ? (v.names[x.voterId] ?? x.voterId)
        : `${v.names[x.voterId] ?? x.voterId} (${label(x.option)})`,
    );
    blocks.push({
      type: 'text',
      text: `${b.tally.voted} of ${b.tally.eligible} executives present have voted${voted.length ? `: ${voted.join(', ')}` : ''}.${
        b.tally.outcome === 'decided' && b.tally.option && !b.hidden
          ? ` Leading: ${label(b.tally.option)}.`
          : ''
      }`,
    });
    if (open && b.ballot.status === 'open') {
      blocks.push({
        type: 'input',
        id: `why:${b.ballot.id}`,
        label: 'Why (optional, kept with your vote)',
        placeholder: 'A sentence for the minutes',
      });
      blocks.push({
        type: 'actions',
        buttons: b.ballot.options.map((o) => ({
          action: 'ballot.vote',
          label: o.label,
          value: `${b.ballot.id}:${o.key}`,
          ...(o.label === item.recommendation ? { style: 'primary' as const } : {}),
        })),
      });
    }
  }
  if (open)
    blocks.push({
      type: 'actions',
      buttons: [
        { action: 'meeting.decide', label: 'Close: decided', value, style: 'primary' },
        { action: 'meeting.defer', label: 'Defer', value },
        { action: 'meeting.escalate', label: 'Escalate', value },
        { action: 'meeting.extend', label: '+5 min', value },
      ],
    });
  else blocks.push({ type: 'text', text: `Closed: ${v.live.outcome}.` });
  return { summary: `Item ${v.index + 1} of ${v.total}: ${item.title}`, blocks };
}

export function presentTimeUp(f: MeetingFacts, v: ItemCardView, timezone: string): Card {
  const value = `${f.id}:${v.index}`;
  return {
    summary: `Time is up: ${v.item.title}`,
    blocks: [
      {
        type: 'text',
        text: `Time is up for "${v.item.title}" (${v.item.timeboxMinutes + v.live.extraMinutes} min, since ${v.live.startedAt ? hhmm(v.live.startedAt, timezone) : '?'}). Chair: close it as decided, defer or escalate it, or give it five more minutes.`,
      },
      {
        type: 'actions',
        buttons: [
          { action: 'meeting.decide', label: 'Close: decided', value, style: 'primary' },
          { action: 'meeting.defer', label: 'Defer', value },
          { action: 'meeting.escalate', label: 'Escalate', value },
          { action: 'meeting.extend', label: '+5 min', value },
        ],
      },
    ],
  };
}

export function presentItemClosed(
  f: MeetingFacts,
  v: ItemCardView & {
    live: ItemCardView['live'] & {
      deferral: { reason: string; until: string } | null;
      escalation: { reason: string; to: string | null } | null;
    };
    /** What was decided, for an item without a ballot. */
    decisionText?: string | null;
    actions?: { ownerName: string; description: string; dueDate: string }[];
  },
  timezone: string,
): Card {
  void timezone;
  const x = v.live;
  const option = v.ballot?.tally.option;
  const label = option
    ? (v.ballot!.ballot.options.find((o) => o.key === option)?.label ?? '')
    : (v.decisionText ?? '');
  const actions = (v.actions ?? [])
    .map((a) => ` Action: ${a.description} (owner ${a.ownerName}, due ${a.dueDate}).`)
    .join('');
  const text =
    x.outcome === 'decided'
      ? `Decided${label ? `: ${label}` : ''}.${v.ballot ? ` ${v.ballot.tally.voted} of ${v.ballot.tally.eligible} present voted.` : ''}${actions}`
      : x.outcome === 'deferred'
        ? `Deferred to ${x.deferral?.until}: ${x.deferral?.reason}.`
        : `Escalated${x.escalation?.to ? ` to ${v.names[x.escalation.to] ?? x.escalation.to}` : ''}: ${x.escalation?.reason}.`;
  return {
    summary: `Item ${v.index + 1} "${v.item.title}": ${text}`,
    blocks: [{ type: 'text', text: `Item ${v.index + 1} of ${v.total}, "${v.item.title}": ${text}` }],
  };
}

/** On the day a deferred item comes back: the process owner puts it before the executives again. */
export function presentDeferredBack(
  f: MeetingFacts,
  item: { title: string },
  d: { reason: string; until: string },
): Card {
  return {
    summary: `Back today: ${item.title}`,
    blocks: [
      { type: 'header', text: `Back today: ${item.title}` },
      {
        type: 'text',
        text: `${f.title} deferred "${item.title}" to ${d.until}: ${d.reason}. It is on the agenda of the next meeting of this kind; open a ballot now if it cannot wait.`,
      },
      webLinkBlock(`/app/meetings/${f.id}`),
    ],
  };
}

export function presentMeetingEnded(f: MeetingFacts): Card {
  return {
    summary: `${f.title} has ended`,
    blocks: [{ type: 'text', text: `${f.title} has ended. The minutes are posted in the channel.` }],
  };
}

/** One line per item of the minutes: what became of it, with its owners and dates. */
export function minutesItemLine(i: MinutesItem): string {
  const actions = i.actions.map((a) => `${a.description} (${a.ownerName}, due ${a.dueDate})`).join('; ');
  switch (i.outcome) {
    case 'decided': {
      const d = i.decision;
      const votes =
        d && d.totalVotes
          ? ` (${d.votes
              .filter((v) => v.count)
              .map((v) => `${v.count} for ${v.optionLabel}`)
              .join(', ')})`
          : '';
      const dissent = d?.dissent.length
        ? `; dissent: ${d.dissent.map((x) => `${x.voterName} for ${x.optionLabel}${x.reason ? ` ("${x.reason}")` : ''}`).join(', ')}`
        : '';
      return `${i.position}. ${i.title}: decided ${d?.optionLabel ?? ''}${votes}${dissent}.${actions ? ` Action${i.actions.length === 1 ? '' : 's'}: ${actions}.` : ''}`;
    }
    case 'deferred':
      return `${i.position}. ${i.title}: deferred to ${i.deferral?.until}: ${i.deferral?.reason}.`;
    case 'escalated':
      return `${i.position}. ${i.title}: escalated${i.escalation?.to ? ` to ${i.escalation.to}` : ''}: ${i.escalation?.reason}.`;
    default:
      return `${i.position}. ${i.title}: not reached.`;
  }
}

/** The minutes, as posted when the meeting ends. */
export function presentMinutes(r: { meetingId: string; version: number; minutes: Minutes }): Card {
  const m = r.minutes;
  const names = (list: { name: string }[]) => list.map((p) => p.name).join(', ') || 'nobody';
  const represented = m.attendance.represented.map(
    (p) => `${p.name}${p.delegateName ? ` (by ${p.delegateName})` : ''}`,
  );
  return {
    summary: `Minutes: ${m.meeting.title}`,
    blocks: [
      {
        type: 'header',
        text: `Minutes: ${m.meeting.title}${r.version > 1 ? ` (version ${r.version})` : ''}`,
      },
      {
        type: 'fields',
        fields: [
          { label: 'Present', value: names(m.attendance.present) },
          { label: 'Represented', value: represented.join(', ') || 'nobody' },
          { label: 'Absent', value: names(m.attendance.absent) },
          ...(m.attendance.late.length ? [{ label: 'Late', value: names(m.attendance.late) }] : []),
        ],
      },
      {
        type: 'text',
        text: `${m.totals.decided} decided, ${m.totals.deferred} deferred, ${m.totals.escalated} escalated${m.totals.notReached ? `, ${m.totals.notReached} not reached` : ''}; ${m.totals.actions === 1 ? '1 action with an owner' : `${m.totals.actions} actions with owners`}.`,
      },
      ...m.items.map((i) => ({ type: 'text' as const, text: minutesItemLine(i) })),
      webLinkBlock(`/app/meetings/${r.meetingId}`, 'Open the minutes'),
    ],
  };
}
