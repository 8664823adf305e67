/**
 * The agenda of a pre-S&OP or executive S&OP meeting: the pack's trade-offs and the open S&OE
 * alerts, largest money at stake first, each with a timebox; and the process owner's edits to it
 * until the meeting starts (move, drop, restore, add, change a timebox). Pure.
 */
import { fmt, fmtShortUnits, type Tradeoff, type TradeoffOption } from './plan.js';

/** Minutes kept for opening the meeting and for wrapping it up (5 each). */
export const AGENDA_OPEN_AND_WRAP_MINUTES = 10;
/** The smallest timebox, and the step every timebox is a multiple of. */
export const TIMEBOX_STEP_MINUTES = 5;
/** The longest timebox an edit may give one item. */
export const TIMEBOX_MAX_MINUTES = 120;

/** One option of a trade-off as the agenda shows it. */
export interface AgendaOption {
  key: string;
  label: string;
  /** One line: e.g. "costs 12,000; margin still lost 3,000; 40 units short; closes part of the gap". */
  summary: string;
  recommended: boolean;
}

/** One item the meeting takes: a pack trade-off, an open S&OE alert, or an item the process owner added. */
export interface AgendaItem {
  /** `t:<tradeoffKey>`, `a:<alertId>`, or the key an added item was given. */
  key: string;
  /** `deferred`: deferred at an earlier meeting and back now (its trade-off is no longer in the pack). */
  kind: 'tradeoff' | 'alert' | 'added' | 'deferred';
  title: string;
  /** What the meeting is asked: the trade-off's question; an alert's or added item's detail. */
  question: string;
  /** Money at stake: a trade-off's margin at risk before levers, an alert's money at stake; 0 when added. */
  moneyAtStake: number;
  timeboxMinutes: number;
  tradeoffKey: string | null;
  alertId: string | null;
  /** The recommended option's label (trade-offs only). */
  recommendation: string | null;
  /** Why the recommendation (trade-offs only; empty otherwise). */
  rationale: string;
  options: AgendaOption[];
}

/** An S&OE alert open between cycles, as the agenda takes it. */
export interface AgendaAlert {
  id: string;
  title: string;
  detail: string;
  moneyAtStake: number;
}

/** One change of the process owner to the agenda. */
export type AgendaEdit =
  | { op: 'move'; key: string; /** 0-based position among the kept items. */ to: number }
  | { op: 'drop'; key: string; reason: string }
  | { op: 'restore'; key: string }
  | { op: 'add'; key: string; title: string; detail: string; minutes: number }
  | { op: 'timebox'; key: string; minutes: number };

/** An edit as stored: who made it and when. */
export type StoredAgendaEdit = AgendaEdit & { by: string; at: Date };

/** The agenda after the edits: the items in order, and those dropped with why. */
export interface EditedAgenda {
  items: AgendaItem[];
  dropped: { item: AgendaItem; reason: string }[];
}

/** "costs 12,000; margin still lost 3,000; 40 units short; closes part of the gap". */
export function optionSummary(
  o: Pick<TradeoffOption, 'cost' | 'lostMargin' | 'shortfallUnits' | 'feasibility'>,
): string {
  const short =
    o.shortfallUnits > 0
      ? `${fmtShortUnits(o.shortfallUnits)} ${o.shortfallUnits === 1 ? 'unit' : 'units'} short`
      : 'no units short';
  return `costs ${fmt(o.cost)}; margin still lost ${fmt(o.lostMargin)}; ${short}; ${o.feasibility}`;
}

/** Minutes the items share: the meeting less opening and wrap-up, never below 0. */
export function agendaAvailableMinutes(meetingMinutes: number): number {
  return Math.max(0, Math.floor(meetingMinutes) - AGENDA_OPEN_AND_WRAP_MINUTES);
}

/**
 * Timeboxes for amounts of money at stake, in the same order: the available minutes shared in
 * proportion to the money (equally when none has any), each rounded to the nearest 5 minutes and
 * at least 5. When rounding takes the total over the available minutes, 5 minutes at a time come
 * off the item rounded up the most (never below 5) until it fits; rounding down may leave a few
 * minutes unassigned. When 5 minutes each do not fit, every item gets 5 (see agendaOverrun).
 */
export function timeboxes(money: number[], availableMinutes: number): number[] {
  const n = money.length;
  if (!n) return [];
  const step = TIMEBOX_STEP_MINUTES;
  const available = Math.max(0, availableMinutes);
  if (n * step >= available) return money.map(() => step);
  const weights = money.map((m) => (Number.isFinite(m) && m > 0 ? m : 0));
  const total = weights.reduce((s, w) => s + w, 0);
  const ideal = weights.map((w) => (total > 0 ? (available * w) / total : available / n));
  const boxes = ideal.map((x) => Math.max(step, Math.round(x / step) * step));
  let sum = boxes.reduce((s, b) => s + b, 0);
  while (sum > available) {
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (boxes[i]! <= step) continue;
      // The one rounded up the most; on a tie the later (smaller) item gives way.
      if (pick < 0 || boxes[i]! - ideal[i]! >= boxes[pick]! - ideal[pick]!) pick = i;
    }
    boxes[pick] = boxes[pick]! - step;
    sum -= step;
  }
  return boxes;
}

function tradeoffItem(t: Tradeoff): AgendaItem {
  const recommended = t.options.find((o) => o.key === t.recommended) ?? t.options.find((o) => o.recommended);
  return {
    key: `t:${t.key}`,
    kind: 'tradeoff',
    title: t.title,
    question: t.question,
    moneyAtStake: t.gap.marginAtRisk,
    timeboxMinutes: TIMEBOX_STEP_MINUTES,
    tradeoffKey: t.key,
    alertId: null,
    recommendation: recommended?.label ?? null,
    rationale: t.rationale,
    options: t.options.map((o) => ({
      key: o.key,
      label: o.label,
      summary: optionSummary(o),
      recommended: o.key === recommended?.key,
    })),
  };
}

function alertItem(a: AgendaAlert): AgendaItem {
  return {
    key: `a:${a.id}`,
    kind: 'alert',
    title: a.title,
    question: a.detail,
    moneyAtStake: a.moneyAtStake,
    timeboxMinutes: TIMEBOX_STEP_MINUTES,
    tradeoffKey: null,
    alertId: a.id,
    recommendation: null,
    rationale: '',
    options: [],
  };
}

const byMoneyThenTitle = (a: AgendaItem, b: AgendaItem): number =>
  b.moneyAtStake - a.moneyAtStake ||
  (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) ||
  (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The agenda the pack proposes: its trade-offs and the open alerts together, the largest money at
 * stake first (ties by title), with timeboxes sharing the meeting less 10 minutes (see timeboxes).
 */
/** An item an earlier meeting deferred to a date that has come: it goes on this agenda again. */
export interface CarriedItem {
  item: AgendaItem;
  /** The cycle month of the meeting that deferred it. */
  from: string;
  reason: string;
  until: string;
}

export function agendaFromPack(
  tradeoffs: Tradeoff[],
  alerts: AgendaAlert[],
  meetingMinutes: number,
  carried: CarriedItem[] = [],
): AgendaItem[] {
  const fresh = [...tradeoffs.map(tradeoffItem), ...alerts.map(alertItem)];
  // A deferred trade-off still in the pack keeps its place and says it was deferred; one no longer
  // in the pack comes back as it was (decided in words, without a ballot).
  for (const c of carried) {
    const note = `Deferred in ${c.from} until ${c.until}: ${c.reason}.`;
    const same = c.item.tradeoffKey ? fresh.find((i) => i.tradeoffKey === c.item.tradeoffKey) : undefined;
    if (same) same.question = `${note} ${same.question}`;
    else if (!fresh.some((i) => i.key === `d:${c.item.key}`))
      fresh.push({
        ...c.item,
        key: `d:${c.item.key}`,
        kind: 'deferred',
        title: `${c.item.title} (deferred in ${c.from})`,
        question: `${note} ${c.item.question}`.trim(),
        tradeoffKey: null,
      });
  }
  const items = fresh.sort(byMoneyThenTitle);
  const boxes = timeboxes(
    items.map((i) => i.moneyAtStake),
    agendaAvailableMinutes(meetingMinutes),
  );
  return items.map((item, i) => ({ ...item, timeboxMinutes: boxes[i]! }));
}

/** Minutes the items' timeboxes run past the meeting less opening and wrap-up (0 when they fit). */
export function agendaOverrun(items: AgendaItem[], meetingMinutes: number): number {
  const planned = items.reduce((s, i) => s + i.timeboxMinutes, 0);
  return Math.max(0, planned - agendaAvailableMinutes(meetingMinutes));
}

function addedItem(e: Extract<AgendaEdit, { op: 'add' }>): AgendaItem {
  return {
    key: e.key,
    kind: 'added',
    title: e.title.trim(),
    question: e.detail.trim(),
    moneyAtStake: 0,
    timeboxMinutes: e.minutes,
    tradeoffKey: null,
    alertId: null,
    recommendation: null,
    rationale: '',
    options: [],
  };
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * The agenda after the process owner's edits, applied in order to the pack's agenda. An edit that
 * names an item not there (the pack was rebuilt without it, or it is dropped and the edit needs it
 * kept) is skipped. A move places the item at that position among the kept items (clamped to the
 * list); an added item goes last and moves like any other; a restored item goes back to the
 * position it had when dropped; a timebox edit also applies to a dropped item (kept when restored).
 */
export function applyAgendaEdits(base: AgendaItem[], edits: AgendaEdit[]): EditedAgenda {
  const items = [...base];
  const dropped: { item: AgendaItem; reason: string; at: number }[] = [];
  const keptAt = (key: string) => items.findIndex((i) => i.key === key);
  const droppedAt = (key: string) => dropped.findIndex((d) => d.item.key === key);
  for (const e of edits) {
    switch (e.op) {
      case 'move': {
        const from = keptAt(e.key);
        if (from < 0 || !Number.isFinite(e.to)) break;
        const [item] = items.splice(from, 1);
        items.splice(clamp(Math.trunc(e.to), 0, items.length), 0, item!);
        break;
      }
      case 'drop': {
        const at = keptAt(e.key);
        if (at < 0) break;
        const [item] = items.splice(at, 1);
        dropped.push({ item: item!, reason: e.reason.trim(), at });
        break;
      }
      case 'restore': {
        const at = droppedAt(e.key);
        if (at < 0) break;
        const [d] = dropped.splice(at, 1);
        items.splice(clamp(d!.at, 0, items.length), 0, d!.item);
        break;
      }
      case 'add': {
        if (keptAt(e.key) >= 0 || droppedAt(e.key) >= 0) break;
        items.push(addedItem(e));
        break;
      }
      case 'timebox': {
        const at = keptAt(e.key);
        if (at >= 0) items[at] = { ...items[at]!, timeboxMinutes: e.minutes };
        const d = droppedAt(e.key);
        if (d >= 0) dropped[d] = { ...dropped[d]!, item: { ...dropped[d]!.item, timeboxMinutes: e.minutes } };
        break;
      }
    }
  }
  return { items, dropped: dropped.map(({ item, reason }) => ({ item, reason })) };
}

const NO_SUCH_ITEM = 'no such item on the agenda';

function minutesProblem(minutes: number): string | null {
  return Number.isInteger(minutes) &&
    minutes >= TIMEBOX_STEP_MINUTES &&
    minutes <= TIMEBOX_MAX_MINUTES &&
    minutes % TIMEBOX_STEP_MINUTES === 0
    ? null
    : `must be ${TIMEBOX_STEP_MINUTES} to ${TIMEBOX_MAX_MINUTES} minutes, in steps of ${TIMEBOX_STEP_MINUTES}`;
}

/**
 * What is wrong with a new edit, field by field (empty: nothing), against the agenda the pack
 * proposes with the edits so far applied.
 */
export function agendaEditProblems(
  base: AgendaItem[],
  edits: AgendaEdit[],
  edit: AgendaEdit,
): Record<string, string> {
  const now = applyAgendaEdits(base, edits);
  const kept = now.items.some((i) => i.key === edit.key);
  const isDropped = now.dropped.some((d) => d.item.key === edit.key);
  const problems: Record<string, string> = {};
  const put = (field: string, problem: string | null) => {
    if (problem) problems[field] = problem;
  };
  switch (edit.op) {
    case 'move': {
      put(
        'key',
        kept ? null : isDropped ? 'that item is dropped: restore it before moving it' : NO_SUCH_ITEM,
      );
      if (kept) {
        const last = now.items.length - 1;
        put(
          'to',
          Number.isInteger(edit.to) && edit.to >= 0 && edit.to <= last
            ? null
            : `must be a position from 0 (first) to ${last} (last)`,
        );
      }
      break;
    }
    case 'drop':
      put('key', kept ? null : isDropped ? 'that item is dropped already' : NO_SUCH_ITEM);
      put(
        'reason',
        typeof edit.reason === 'string' && edit.reason.trim().length >= 3
          ? null
          : 'give a reason of at least 3 characters: the minutes say why the item was dropped',
      );
      break;
    case 'restore':
      put('key', isDropped ? null : kept ? 'that item is on the agenda (it is not dropped)' : NO_SUCH_ITEM);
      break;
    case 'add': {
      const key = typeof edit.key === 'string' ? edit.key.trim() : '';
      put(
        'key',
        !key
          ? 'must not be empty'
          : key !== edit.key
            ? 'must not start or end with spaces'
            : kept || isDropped
              ? 'an item with this key is on the agenda already'
              : null,
      );
      const title = typeof edit.title === 'string' ? edit.title.trim() : '';
      put('title', title.length >= 3 && title.length <= 200 ? null : 'must be 3 to 200 characters');
      put(
        'detail',
        typeof edit.detail === 'string' && edit.detail.length <= 2000
          ? null
          : 'must be at most 2,000 characters',
      );
      put('minutes', minutesProblem(edit.minutes));
      break;
    }
    case 'timebox':
      put('key', kept || isDropped ? null : NO_SUCH_ITEM);
      put('minutes', minutesProblem(edit.minutes));
      break;
  }
  return problems;
}
