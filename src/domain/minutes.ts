/**
 * The minutes of a pre-S&OP or executive S&OP meeting: who attended, what each agenda item came to
 * (decided with the votes and the dissent, deferred, escalated, not reached), the actions, and how
 * long it took against the plan; and the meeting KPIs across cycles. Pure.
 */
import type { AgendaItem, AgendaOption } from './agenda.js';
import type { MeetingStep } from './meetings.js';
import type { Role } from './people.js';

export type AttendanceStatus = 'present' | 'represented' | 'absent';
export type ItemOutcome = 'decided' | 'deferred' | 'escalated' | 'not-reached';

/** One invitee's attendance as recorded at the meeting. */
export interface AttendanceRecord {
  memberId: string;
  status: AttendanceStatus;
  /** Who stood in for a represented member. */
  delegateName: string | null;
  late: boolean;
  arrivedAt: Date | null;
}

/** One vote cast on an item. */
export interface ItemVote {
  voterName: string;
  optionKey: string;
  optionLabel: string;
  reason: string | null;
}

/** One action agreed on an item. */
export interface ItemAction {
  ownerName: string;
  description: string;
  /** `YYYY-MM-DD`. */
  dueDate: string;
}

/** One agenda item as the meeting took it. */
export interface MinutesItemInput {
  item: AgendaItem;
  startedAt: Date | null;
  closedAt: Date | null;
  outcome: ItemOutcome;
  decision: {
    optionKey: string;
    optionLabel: string;
    rationale: string;
    votes: ItemVote[];
  } | null;
  deferral: { reason: string; /** `YYYY-MM-DD`. */ until: string } | null;
  escalation: { reason: string; to: string | null } | null;
  actions: ItemAction[];
}

/** Everything the minutes are written from. */
export interface MinutesInput {
  meeting: {
    id: string;
    title: string;
    /** Scheduled start and end. */
    start: Date;
    end: Date;
    startedAt: Date | null;
    endedAt: Date | null;
    timezone: string;
  };
  chair: { id: string; name: string };
  invitees: { id: string; name: string; role: Role }[];
  attendance: AttendanceRecord[];
  /** In the order the meeting took them (items not reached included). */
  items: MinutesItemInput[];
  /** Items the process owner dropped before the meeting, with why. */
  dropped: { item: AgendaItem; reason: string }[];
}

/** A person in the attendance: an invitee, or someone recorded without an invitation (role null). */
export interface MinutesPerson {
  id: string;
  name: string;
  role: Role | null;
}

/** Votes for one option. */
export interface OptionVotes {
  optionKey: string;
  optionLabel: string;
  count: number;
  voters: string[];
}

/** What a decided item came to. */
export interface MinutesDecision {
  optionKey: string;
  optionLabel: string;
  rationale: string;
  /**
   * Whether the decided option is the recommended one (null: the item had no recommendation, or the
   * decision was put in words rather than as one of its options).
   */
  followedRecommendation: boolean | null;
  totalVotes: number;
  /** Per option: the item's options in the agenda's order (with none), then any other voted for. */
  votes: OptionVotes[];
  /** Voters who voted for another option than the one decided, with their reasons. */
  dissent: ItemVote[];
}

/** One item in the minutes. */
export interface MinutesItem {
  /** 1-based, in the order the meeting took the items. */
  position: number;
  key: string;
  kind: AgendaItem['kind'];
  title: string;
  question: string;
  moneyAtStake: number;
  tradeoffKey: string | null;
  alertId: string | null;
  recommendation: string | null;
  options: AgendaOption[];
  timeboxMinutes: number;
  startedAt: Date | null;
  closedAt: Date | null;
  /** Whole minutes from start to close (null when either is not recorded). */
  minutesUsed: number | null;
  /** More whole minutes used than the timebox. */
  overTimebox: boolean;
  outcome: ItemOutcome;
  decision: MinutesDecision | null;
  deferral: { reason: string; until: string } | null;
  escalation: { reason: string; to: string | null } | null;
  actions: ItemAction[];
}

/** The minutes of one meeting: a structured record (rendered by src/render/minutes.ts). */
export interface Minutes {
  meeting: MinutesInput['meeting'];
  chair: { id: string; name: string };
  attendance: {
    present: MinutesPerson[];
    /** Represented invitees, with who stood in for them (null: not recorded). */
    represented: (MinutesPerson & { delegateName: string | null })[];
    /** Recorded absent, or invited with no attendance recorded. */
    absent: MinutesPerson[];
    /** Present or represented, and late. */
    late: (MinutesPerson & { arrivedAt: Date | null })[];
  };
  items: MinutesItem[];
  dropped: { key: string; title: string; reason: string }[];
  totals: {
    items: number;
    decided: number;
    deferred: number;
    escalated: number;
    notReached: number;
    actions: number;
  };
  duration: {
    /** Scheduled length, whole minutes. */
    plannedMinutes: number;
    /** From started to ended, whole minutes (null when either is not recorded). */
    actualMinutes: number | null;
    /** Actual minus planned, 0 when shorter (null when actual is unknown). */
    overrunMinutes: number | null;
    /** Sum of the items' timeboxes. */
    timeboxedMinutes: number;
  };
}

const MINUTE = 60_000;
const wholeMinutes = (from: Date | null, to: Date | null): number | null =>
  from && to ? Math.round((to.getTime() - from.getTime()) / MINUTE) : null;

function decisionOf(item: AgendaItem, d: NonNullable<MinutesItemInput['decision']>): MinutesDecision {
  const votes: OptionVotes[] = item.options.map((o) => ({
    optionKey: o.key,
    optionLabel: o.label,
    count: 0,
    voters: [],
  }));
  for (const v of d.votes) {
    let row = votes.find((r) => r.optionKey === v.optionKey);
    if (!row) {
      row = { optionKey: v.optionKey, optionLabel: v.optionLabel, count: 0, voters: [] };
      votes.push(row);
    }
    row.count += 1;
    row.voters.push(v.voterName);
  }
  const recommended = item.options.find((o) => o.recommended);
  return {
    optionKey: d.optionKey,
    optionLabel: d.optionLabel,
    rationale: d.rationale,
    // A decision put in words (no option key: an item closed without a ballot) is neither.
    followedRecommendation: recommended && d.optionKey ? recommended.key === d.optionKey : null,
    totalVotes: d.votes.length,
    votes,
    dissent: d.votes.filter((v) => v.optionKey !== d.optionKey),
  };
}

/** The minutes of a meeting from what was recorded in it. */
export function composeMinutes(input: MinutesInput): Minutes {
  const people = new Map<string, MinutesPerson>();
  people.set(input.chair.id, { id: input.chair.id, name: input.chair.name, role: null });
  for (const i of input.invitees) people.set(i.id, { id: i.id, name: i.name, role: i.role });
  const person = (id: string): MinutesPerson => people.get(id) ?? { id, name: id, role: null };

  const recorded = new Map(input.attendance.map((a) => [a.memberId, a]));
  const present: MinutesPerson[] = [];
  const represented: Minutes['attendance']['represented'] = [];
  const absent: MinutesPerson[] = [];
  const late: Minutes['attendance']['late'] = [];
  for (const a of input.attendance) {
    const p = person(a.memberId);
    if (a.status === 'present') present.push(p);
    else if (a.status === 'represented') represented.push({ ...p, delegateName: a.delegateName });
    else absent.push(p);
    if (a.late && a.status !== 'absent') late.push({ ...p, arrivedAt: a.arrivedAt });
  }
  for (const i of input.invitees) if (!recorded.has(i.id)) absent.push(person(i.id));

  const items: MinutesItem[] = input.items.map((x, k) => {
    const minutesUsed = wholeMinutes(x.startedAt, x.closedAt);
    return {
      position: k + 1,
      key: x.item.key,
      kind: x.item.kind,
      title: x.item.title,
      question: x.item.question,
      moneyAtStake: x.item.moneyAtStake,
      tradeoffKey: x.item.tradeoffKey,
      alertId: x.item.alertId,
      recommendation: x.item.recommendation,
      options: x.item.options,
      timeboxMinutes: x.item.timeboxMinutes,
      startedAt: x.startedAt,
      closedAt: x.closedAt,
      minutesUsed,
      overTimebox: minutesUsed !== null && minutesUsed > x.item.timeboxMinutes,
      outcome: x.outcome,
      decision: x.decision ? decisionOf(x.item, x.decision) : null,
      deferral: x.deferral,
      escalation: x.escalation,
      actions: x.actions,
    };
  });
  const count = (o: ItemOutcome) => items.filter((i) => i.outcome === o).length;
  const plannedMinutes = Math.round((input.meeting.end.getTime() - input.meeting.start.getTime()) / MINUTE);
  const actualMinutes = wholeMinutes(input.meeting.startedAt, input.meeting.endedAt);
  return {
    meeting: input.meeting,
    chair: input.chair,
    attendance: { present, represented, absent, late },
    items,
    dropped: input.dropped.map((d) => ({ key: d.item.key, title: d.item.title, reason: d.reason })),
    totals: {
      items: items.length,
      decided: count('decided'),
      deferred: count('deferred'),
      escalated: count('escalated'),
      notReached: count('not-reached'),
      actions: items.reduce((s, i) => s + i.actions.length, 0),
    },
    duration: {
      plannedMinutes,
      actualMinutes,
      overrunMinutes: actualMinutes === null ? null : Math.max(0, actualMinutes - plannedMinutes),
      timeboxedMinutes: items.reduce((s, i) => s + i.timeboxMinutes, 0),
    },
  };
}

/**
 * The minutes as one lowercase line of text for search: the title, chair and people (delegates
 * included), each item's title, question, options, recommendation, outcome, decision, votes and
 * their reasons, deferral and escalation, actions (owners, descriptions, due dates), and the
 * dropped items with why. Whitespace is collapsed; a text repeated is kept once.
 */
export function minutesSearchText(m: Minutes): string {
  const parts: (string | null)[] = [m.meeting.title, m.chair.name];
  const a = m.attendance;
  for (const p of [...a.present, ...a.represented, ...a.absent]) parts.push(p.name);
  for (const p of a.represented) parts.push(p.delegateName);
  for (const i of m.items) {
    parts.push(i.title, i.question, i.recommendation, i.outcome.replace('-', ' '));
    for (const o of i.options) parts.push(o.label);
    if (i.decision) {
      parts.push(i.decision.optionLabel, i.decision.rationale);
      for (const v of i.decision.votes) parts.push(v.optionLabel, ...v.voters);
      for (const d of i.decision.dissent) parts.push(d.reason);
    }
    if (i.deferral) parts.push(i.deferral.reason, i.deferral.until);
    if (i.escalation) parts.push(i.escalation.reason, i.escalation.to);
    for (const x of i.actions) parts.push(x.ownerName, x.description, x.dueDate);
  }
  for (const d of m.dropped) parts.push(d.title, d.reason);
  const seen = new Set<string>();
  for (const p of parts) {
    const text = (p ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
    if (text) seen.add(text);
  }
  return [...seen].join(' ');
}

/** One meeting, as the KPIs read it. */
export interface MeetingKpiInput {
  meetingId: string;
  /** `YYYY-MM`. */
  cycleMonth: string;
  step: MeetingStep;
  items: { timeboxMinutes: number; startedAt: Date | null; closedAt: Date | null; outcome: ItemOutcome }[];
  /** Ids of the executives invited. */
  executives: string[];
  attendance: { memberId: string; status: AttendanceStatus; late: boolean }[];
}

/** The KPIs of one meeting. */
export interface MeetingKpi {
  meetingId: string;
  cycleMonth: string;
  step: MeetingStep;
  /** Agenda items taken into the meeting (not reached included). */
  items: number;
  decided: number;
  deferred: number;
  escalated: number;
  notReached: number;
  /** Sum of the items' whole minutes from start to close (items with both recorded). */
  minutesUsed: number;
  /** Sum of all the items' timeboxes. */
  minutesPlanned: number;
  /** Items whose whole minutes used are more than their timebox. */
  itemsOverTimebox: number;
  /** Median of (minutes used − timebox) over the items over their timebox; null when none was. */
  medianOverrunMinutes: number | null;
  /**
   * Share of the invited executives present or represented (an executive with no attendance
   * recorded counts as absent); null when no executive was invited.
   */
  executiveAttendance: number | null;
  /** Attendance records present or represented and late (anyone, not only executives). */
  lateArrivals: number;
}

/** The meeting KPIs: per meeting, and the trends by cycle month. */
export interface MeetingKpis {
  /** In the order given. */
  perMeeting: MeetingKpi[];
  trend: {
    /**
     * By cycle month (ascending): executives present or represented over executives invited,
     * pooled over the month's meetings; months with no executive invited are left out.
     */
    executiveAttendance: { cycleMonth: string; share: number }[];
    /**
     * By cycle month (ascending): items decided over items taken into the month's meetings
     * (not reached included); months with no item are left out.
     */
    decidedShare: { cycleMonth: string; share: number }[];
  };
}

const median = (v: number[]): number | null => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The meeting KPIs across meetings (see MeetingKpi and MeetingKpis for each definition). */
export function meetingKpis(meetings: MeetingKpiInput[]): MeetingKpis {
  const executivesOf = meetings.map((m) => {
    const status = new Map(m.attendance.map((a) => [a.memberId, a.status]));
    const invited = [...new Set(m.executives)];
    const attended = invited.filter((id) => {
      const s = status.get(id);
      return s === 'present' || s === 'represented';
    }).length;
    return { invited: invited.length, attended };
  });
  const perMeeting = meetings.map((m, k): MeetingKpi => {
    const used = m.items.map((i) => ({ i, minutes: wholeMinutes(i.startedAt, i.closedAt) }));
    const overruns = used
      .filter((u) => u.minutes !== null && u.minutes > u.i.timeboxMinutes)
      .map((u) => u.minutes! - u.i.timeboxMinutes);
    const executives = executivesOf[k]!;
    const count = (o: ItemOutcome) => m.items.filter((i) => i.outcome === o).length;
    return {
      meetingId: m.meetingId,
      cycleMonth: m.cycleMonth,
      step: m.step,
      items: m.items.length,
      decided: count('decided'),
      deferred: count('deferred'),
      escalated: count('escalated'),
      notReached: count('not-reached'),
      minutesUsed: used.reduce((s, u) => s + (u.minutes ?? 0), 0),
      minutesPlanned: m.items.reduce((s, i) => s + i.timeboxMinutes, 0),
      itemsOverTimebox: overruns.length,
      medianOverrunMinutes: median(overruns),
      executiveAttendance: executives.invited ? executives.attended / executives.invited : null,
      lateArrivals: m.attendance.filter((a) => a.late && a.status !== 'absent').length,
    };
  });

  const months = [...new Set(perMeeting.map((k) => k.cycleMonth))].sort();
  const executiveAttendance: MeetingKpis['trend']['executiveAttendance'] = [];
  const decidedShare: MeetingKpis['trend']['decidedShare'] = [];
  for (const month of months) {
    let invited = 0;
    let attended = 0;
    let items = 0;
    let decided = 0;
    perMeeting.forEach((kpi, k) => {
      if (kpi.cycleMonth !== month) return;
      invited += executivesOf[k]!.invited;
      attended += executivesOf[k]!.attended;
      items += kpi.items;
      decided += kpi.decided;
    });
    if (invited) executiveAttendance.push({ cycleMonth: month, share: attended / invited });
    if (items) decidedShare.push({ cycleMonth: month, share: decided / items });
  }
  return { perMeeting, trend: { executiveAttendance, decidedShare } };
}
