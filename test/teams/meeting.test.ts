/**
 * The scripted executive S&OP meeting of test/slack/meeting.test.ts, in Microsoft Teams: through the
 * real Teams app (activities built from the recorded shapes, the SDK's JWT check on), the Teams
 * deliverer and a local Bot Connector. A time proposed across three time zones, an updated
 * invitation after a change of time (parsed by ical.js), the agenda from a pack with three
 * trade-offs, reminders, a short Pre-S&OP meeting that escalates an item (started from the
 * `meeting` command's card), then the executive meeting started from the 15-minute reminder: the
 * live card and its items as replies in a thread of the S&OP channel, presence with one click
 * (late, a delegate), votes with a why (one dissent), one item deferred and two decided with
 * owners (deciding without an owner is refused beside the field), and the minutes.
 *
 * Buttons are pressed the way Teams presses them: the button is taken from the card Accord sent,
 * and the card's inputs are merged into the button's data (an input's value replaces a data key of
 * the same name, as Microsoft's Adaptive Cards renderer does); a dialog's form is submitted the same
 * way from the dialog card Accord answered with. Every card is checked by Microsoft's parser.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { runMeetings } from '../../src/app/meetings.js';
import { parserProblems } from '../helpers/adaptiveCards.js';
import { sweepAt } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  uploadCompany,
  type OrgHandle,
  THREE_TRADEOFFS,
} from '../helpers/factories.js';
import { startTeamsBot, type TeamsBot } from '../helpers/teamsBot.js';
import {
  teamsExecute,
  teamsInstall,
  teamsMessage,
  teamsTask,
  type TeamsUser,
  type Where,
} from '../helpers/teamsPayloads.js';

const SOP = '19:sop-channel@thread.tacv2';
const TEAM = { id: '19:operations@thread.tacv2', name: 'Operations' };

let bot: TeamsBot;
let org: OrgHandle;
let cycleId: string;
let meetingId: string;
let preSopId: string;
const people: Record<string, { id: string; user: TeamsUser }> = {};

type Json = Record<string, unknown>;
/** An Adaptive Card as Accord sent it. */
type AdaptiveCard = { body?: unknown[]; actions?: unknown[] };

const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
const get = async (p: string) => (await bot.t.http.get(api(p)).set(org.auth)).body;
const drain = () => bot.t.accord.teamsDeliverer!.drain();
const personal = (who: string) => `a:personal-${people[who]!.user.id}`;
/** The S&OP channel, or a thread in it (Teams names a thread by its first message). */
const channel = (root?: string): Where => ({
  ...bot.where,
  conversation: {
    id: root ? `${SOP};messageid=${root}` : SOP,
    conversationType: 'channel',
    name: 'S&OP',
  },
  team: TEAM,
});
/** Teams' channelData names the channel itself, never the thread. */
const inChannel = <T extends { channelData: Json }>(activity: T): T => ({
  ...activity,
  channelData: { ...activity.channelData, channel: { id: SOP } },
});

/** Runs the sweep's meeting part at `at`; how many messages it queued for the meeting. */
const meetingsAt = async (at: string, id = meetingId) => {
  bot.t.clock.set(at);
  const count = () => bot.t.accord.db.models.OutboxMessage.countDocuments({ key: { $regex: id } });
  const before = await count();
  await runMeetings(bot.t.accord.deps);
  return (await count()) - before;
};

interface Sent {
  conversationId: string;
  activityId: string;
  replyTo: string | undefined;
  summary: string;
  card: AdaptiveCard;
  text: string;
}
/** What Accord sent through the connector (replies, proactive messages), in order. */
const sent = (): Sent[] =>
  bot.connector.activities.map((a) => {
    const attachments = (a.activity['attachments'] as { content: AdaptiveCard }[] | undefined) ?? [];
    return {
      conversationId: a.conversationId,
      activityId: a.activityId,
      replyTo: a.replyTo,
      summary: typeof a.activity['summary'] === 'string' ? a.activity['summary'] : '',
      card: attachments[0]?.content ?? {},
      text: JSON.stringify(a.activity),
    };
  });
const sentTo = (conversationId: string) => sent().filter((s) => s.conversationId === conversationId);
async function until<T>(get1: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get1();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}
/** The first thing sent (after draining) that `match` picks. */
const arrived = (match: (s: Sent) => boolean) =>
  until(async () => {
    await drain();
    return sent().find(match);
  });

/** Every element of a card (nested containers and action sets included). */
function walk(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const n of node) walk(n, out);
  else if (node && typeof node === 'object') {
    out.push(node as Json);
    for (const v of Object.values(node as Json)) if (typeof v === 'object') walk(v, out);
  }
  return out;
}
const inputs = (card: AdaptiveCard) =>
  walk(card).filter((e) => typeof e['type'] === 'string' && e['type'].startsWith('Input.'));
const inputIds = (card: AdaptiveCard) => inputs(card).map((e) => String(e['id']));
/** The id of the card's input with this label. */
const inputLabelled = (card: AdaptiveCard, label: string) =>
  String(inputs(card).find((e) => e['label'] === label)?.['id']);
/** The error shown in red right under the dialog's input `id` (null: none). */
function errorUnder(card: AdaptiveCard, id: string): string | null {
  const body = (card.body ?? []) as Json[];
  const next = body[body.findIndex((e) => e['id'] === id) + 1];
  return next?.['type'] === 'TextBlock' && next['color'] === 'Attention' ? String(next['text']) : null;
}
/** The card's button for `action` (and `value`, if given). */
function button(card: AdaptiveCard, action: string, value?: string): Json {
  const found = walk(card).find((e) => {
    const data = e['data'] as Json | undefined;
    return (
      typeof e['type'] === 'string' &&
      e['type'].startsWith('Action.') &&
      data?.['action'] === action &&
      (value === undefined || data['value'] === value)
    );
  });
  if (!found) throw new Error(`no ${action} ${value ?? ''} button on the card: ${JSON.stringify(card)}`);
  return found;
}
/**
 * What Teams sends for a button of `card` with the card's inputs filled in: the button's data with
 * each input's value put under the input's id (over a data key of the same name; blank inputs are
 * not sent), as Microsoft's renderer prepares a submit.
 */
function pressData(card: AdaptiveCard, b: Json, inputs: Record<string, string> = {}): Json {
  const ids = inputIds(card);
  for (const id of Object.keys(inputs)) expect(ids).toContain(id);
  const data = { ...(b['data'] as Json) };
  for (const [id, v] of Object.entries(inputs)) if (v) data[id] = v;
  return data;
}

/** An Action.Execute pressed on the card of message `on`; Teams' invoke answer (a card or a line). */
async function execute(
  who: string,
  where: Where,
  on: Sent,
  action: string,
  value?: string,
  inputs?: Record<string, string>,
) {
  const b = button(on.card, action, value);
  expect(b['type']).toBe('Action.Execute');
  // Teams names the message the card is on.
  const activity = {
    ...teamsExecute(people[who]!.user, pressData(on.card, b, inputs), where),
    replyToId: on.activityId,
  };
  const res = await bot.post(where.team ? inChannel(activity) : activity);
  expect(res.status).toBe(200);
  return res.body as { statusCode: number; type: string; value: unknown };
}

type DialogAnswer = { task: { type: 'continue' | 'message'; value: unknown } };
/** A dialog button pressed on `card` (task/fetch): the dialog Teams opens, or the line it shows. */
async function openDialog(who: string, where: Where, card: AdaptiveCard, action: string, value: string) {
  const b = button(card, action, value);
  expect(b['type']).toBe('Action.Submit');
  expect(b['data']).toMatchObject({ msteams: { type: 'task/fetch' } });
  const { msteams: _fetch, ...data } = b['data'] as Json;
  const res = await bot.post(inChannel(teamsTask('fetch', people[who]!.user, data, where)));
  expect(res.status).toBe(200);
  return res.body as DialogAnswer;
}
/** The dialog card of a `continue` answer, checked by Microsoft's parser. */
function dialogCard(answer: DialogAnswer): AdaptiveCard {
  expect(answer.task.type).toBe('continue');
  const card = (answer.task.value as { card: { content: AdaptiveCard } }).card.content;
  expect(parserProblems(card)).toEqual([]);
  return card;
}
/** The dialog's form submitted with these inputs (task/submit), as Teams sends it. */
async function submitDialog(who: string, where: Where, card: AdaptiveCard, inputs: Record<string, string>) {
  const submit = walk(card.actions).find((e) => e['type'] === 'Action.Submit')!;
  const res = await bot.post(
    inChannel(teamsTask('submit', people[who]!.user, pressData(card, submit, inputs), where)),
  );
  expect(res.status).toBe(200);
  return res.body as DialogAnswer;
}

beforeAll(async () => {
  bot = await startTeamsBot({ now: '2027-01-25T10:00:00Z' });
  org = await buildOrg(bot.t, { name: 'Meeting Co', timezone: 'Europe/London' });
  const add = async (key: string, o: Record<string, unknown> & { name: string }) => {
    const email = `${key}@meeting.example.com`;
    const m = await buildMember(bot.t, org, { email, ...o });
    people[key] = { id: m.id, user: bot.user(o.name, email) };
  };
  await add('po', { name: 'Petra PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add('ceo', { name: 'Cory CEO', roles: ['executive'], timezone: 'America/New_York' });
  await add('cfo', { name: 'Frida CFO', roles: ['executive'], timezone: 'Europe/Berlin' });
  await add('coo', { name: 'Olu COO', roles: ['executive'], timezone: 'Europe/London' });
  await add('deputy', {
    name: 'Dara Deputy',
    timezone: 'Europe/London',
    delegation: { of: people['coo']!.id, authority: true },
  });
  await add('sales', { name: 'Sam Sales', roles: ['functional-leader'], functions: ['sales'] });
  // Everyone has opened Accord in Teams once (their personal chat: where their messages go).
  for (const key of Object.keys(people)) {
    expect((await bot.post(teamsInstall(people[key]!.user, bot.where))).status).toBe(200);
    await until(() => sentTo(personal(key)).length > 0);
  }
  // The process owner makes a channel of the Operations team the S&OP channel.
  bot.connector.addConversation({
    id: SOP,
    tenantId: bot.where.tenantId,
    members: Object.values(people).map((p) => p.user.id),
  });
  const typed = teamsMessage(people['po']!.user, '<at>Accord</at> channel', channel());
  const mention = {
    type: 'mention',
    text: '<at>Accord</at>',
    mentioned: { id: `28:${bot.where.botId}`, name: 'Accord' },
  };
  expect((await bot.post(inChannel({ ...typed, entities: [mention] }))).status).toBe(200);
  const answer = await until(() => sentTo(SOP)[0]);
  expect(answer.summary).toBe('This channel is now the S&OP channel: the pre-S&OP pack is posted here.');
  // A company with three separate capacity problems: three trade-offs in the pack.
  await uploadCompany(bot.t, org, THREE_TRADEOFFS);
  // The executive meeting: an hour, at a time Accord proposes inside everyone's working hours.
  const set = await bot.t.http
    .patch(api('/meeting-settings'))
    .set(org.auth)
    .send({ actorId: people['po']!.id, meetings: { 'executive-sop': { propose: true, minutes: 60 } } });
  expect(set.status).toBe(200);
  cycleId = (await bot.t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  meetingId = `${cycleId}-executive-sop`;
  preSopId = `${cycleId}-pre-sop`;
});
afterAll(() => bot.close());

describe('an executive S&OP meeting in Teams', () => {
  it('proposes the earliest hour inside the working hours of New York, London and Berlin', async () => {
    await sweepAt(bot.t, '2027-02-01T09:00:00Z'); // the cycle starts
    await meetingsAt('2027-02-01T09:00:00Z');
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({
      start: '2027-02-17T13:00:00.000Z',
      end: '2027-02-17T14:00:00.000Z',
      how: 'proposed',
    });
    expect(m.people.map((i: { name: string }) => i.name).sort()).toEqual([
      'Cory CEO',
      'Frida CFO',
      'Olu COO',
      'Petra PO',
    ]);
    await drain();
    const invites = sent().filter((s) => s.summary.startsWith('Invitation: Executive S&OP 2027-02'));
    // In each person's personal chat; the New York CEO's copy waits for his working day (04:00 there now).
    expect(invites.map((s) => s.conversationId).sort()).toEqual(
      [personal('cfo'), personal('coo'), personal('po')].sort(),
    );
    expect(invites.find((s) => s.conversationId === personal('cfo'))!.summary).toBe(
      'Invitation: Executive S&OP 2027-02, Wed 17 Feb, 14:00-15:00 (Europe/Berlin)',
    );
    for (const s of invites) expect(parserProblems(s.card)).toEqual([]);
    bot.t.clock.set('2027-02-01T13:00:00Z');
    await drain();
    const ceo = sentTo(personal('ceo')).find((s) => s.summary.startsWith('Invitation: Executive'))!;
    expect(ceo.summary).toContain('Wed 17 Feb, 08:00-09:00 (America/New_York)');
    expect(await meetingsAt('2027-02-01T09:05:00Z')).toBe(0); // scheduled once
  });

  it('moves the meeting and sends the updated invitation: same UID, next SEQUENCE, a valid calendar', async () => {
    bot.t.clock.set('2027-02-02T14:00:00Z');
    const before = (await bot.t.http.get(api(`/meetings/${meetingId}.ics`)).set(org.auth)).text;
    const res = await bot.t.http
      .patch(api(`/meetings/${meetingId}/time`))
      .set(org.auth)
      .send({ actorId: people['po']!.id, start: '2027-02-17T13:30:00Z', reason: 'the CFO lands at 13:00' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ start: '2027-02-17T13:30:00.000Z', sequence: 1 });
    await drain();
    const moved = sent().filter((s) => s.summary.startsWith('New time: Executive S&OP 2027-02'));
    expect(moved.map((s) => s.conversationId).sort()).toEqual(
      ['ceo', 'cfo', 'coo', 'po'].map(personal).sort(),
    );
    // The card's calendar button (Action.OpenUrl), opened as a browser would: a signed link, no token.
    const ceoCopy = moved.find((s) => s.conversationId === personal('ceo'))!;
    const openUrl = walk(ceoCopy.card).find(
      (e) => e['type'] === 'Action.OpenUrl' && String(e['url']).includes('.ics'),
    )!;
    const url = new URL(String(openUrl['url']));
    expect(url.origin).toBe('https://accord.example.com');
    const ics = await bot.t.http.get(url.pathname + url.search);
    expect(ics.status).toBe(200);
    expect(ics.headers['content-type']).toContain('text/calendar');
    const parse = (text: string) => {
      const cal = new ICAL.Component(ICAL.parse(text));
      return { cal, event: new ICAL.Event(cal.getFirstSubcomponent('vevent')!) };
    };
    const old = parse(before);
    const now = parse(ics.text);
    expect(now.event.uid).toBe(old.event.uid);
    expect(now.event.sequence).toBe(old.event.sequence + 1);
    expect(now.event.startDate.toJSDate().toISOString()).toBe('2027-02-17T13:30:00.000Z');
    expect(now.event.endDate.toJSDate().toISOString()).toBe('2027-02-17T14:30:00.000Z');
    expect(now.cal.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(now.event.attendees).toHaveLength(4);
  });

  it('builds the agenda from the pack: three trade-offs by money at stake, each with a timebox', async () => {
    const pack = await bot.t.http
      .post(api(`/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    expect(pack.status).toBe(201);
    expect(pack.body.tradeoffs).toHaveLength(3);
    const agenda = await get(`/meetings/${meetingId}/agenda`);
    const items = agenda.items as { moneyAtStake: number; timeboxMinutes: number }[];
    expect(items).toHaveLength(3);
    const money = items.map((i) => i.moneyAtStake);
    expect(money).toEqual([...money].sort((a, b) => b - a));
    expect(items.reduce((n, i) => n + i.timeboxMinutes, 0)).toBeLessThanOrEqual(50);
    expect(agenda).toMatchObject({ overrun: 0, minutes: 60, fixed: false });
  });

  it('sends the agenda one business day before, and the 24-hour reminder', async () => {
    expect(await meetingsAt('2027-02-15T16:00:00Z')).toBe(0); // Monday: nothing yet
    expect(await meetingsAt('2027-02-16T09:00:00Z')).toBe(4); // Tuesday 09:00 London: the agenda
    bot.t.clock.set('2027-02-16T13:00:00Z');
    await drain();
    const agendas = sent().filter((s) => s.summary === 'Agenda: Executive S&OP 2027-02');
    expect(agendas.map((s) => s.conversationId).sort()).toEqual(
      ['ceo', 'cfo', 'coo', 'po'].map(personal).sort(),
    );
    expect(agendas[0]!.text).toContain('Open the pack');
    expect(await meetingsAt('2027-02-16T13:30:00Z')).toBe(4); // 24 hours before
    expect(await meetingsAt('2027-02-16T13:45:00Z')).toBe(0); // once
    await drain();
    expect(sent().filter((s) => s.summary === 'Tomorrow: Executive S&OP 2027-02')).toHaveLength(4);
  });
});

describe('a Pre-S&OP meeting that escalates an item to the CEO', () => {
  let root: string;
  let live: Sent;
  it("starts from the chair's `meeting` card and posts its thread in the S&OP channel", async () => {
    const m = await get(`/meetings/${preSopId}`);
    expect(m.people.map((i: { name: string }) => i.name).sort()).toEqual(['Petra PO', 'Sam Sales']);
    bot.t.clock.set(m.start);
    // `meeting` in the personal chat: the next meeting, with its agenda and (for the chair) Start.
    const before = sentTo(personal('po')).length;
    expect((await bot.post(teamsMessage(people['po']!.user, 'meeting', bot.where))).status).toBe(200);
    const card = await until(() => sentTo(personal('po'))[before]);
    expect(card.summary).toMatch(/^Pre-S&OP reconciliation 2027-02: It is on /);
    expect(parserProblems(card.card)).toEqual([]);
    // Sam is invited but does not chair: no Start for him.
    const samBefore = sentTo(personal('sales')).length;
    await bot.post(teamsMessage(people['sales']!.user, 'meeting', bot.where));
    expect((await until(() => sentTo(personal('sales'))[samBefore])).text).not.toContain('meeting.start');
    const started = await execute('po', bot.where, card, 'meeting.start', preSopId);
    expect(started).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: 'The meeting is under way: its items follow, one at a time, in the S&OP channel.',
    });
    live = await arrived((s) => s.summary === 'Pre-S&OP reconciliation 2027-02 has started');
    expect(live.conversationId).toBe(SOP);
    expect(live.replyTo).toBeUndefined();
    root = live.activityId;
    const first = await arrived((s) => s.summary.startsWith('Item 1 of 3:') && s.replyTo === root);
    expect(first.conversationId).toBe(SOP);
    // A Pre-S&OP item has no ballot: no vote buttons.
    expect(first.text).not.toContain('ballot.vote');
    const present = await execute('sales', channel(root), live, 'meeting.present', preSopId);
    expect(present.value).toBe('You are marked present.');
  });

  it('escalates item 1 to the CEO with a reason; the CEO hears of it in his personal chat', async () => {
    const item = sent().find((s) => s.summary.startsWith('Item 1 of 3:') && s.replyTo === root)!;
    // Only the chair closes an item: Sam is told so, and no dialog opens.
    const refused = await openDialog('sales', channel(root), item.card, 'meeting.escalate', `${preSopId}:0`);
    expect(refused.task).toEqual({ type: 'message', value: 'Only the chair (Petra PO) closes an item.' });
    const form = dialogCard(
      await openDialog('po', channel(root), item.card, 'meeting.escalate', `${preSopId}:0`),
    );
    expect(inputIds(form).sort()).toEqual(['reason', 'to']);
    const done = await submitDialog('po', channel(root), form, {
      reason: 'the margin at stake is above what this meeting may commit',
      to: people['ceo']!.id,
    });
    expect(done.task.type).toBe('message');
    expect(done.task.value).toContain(
      'Escalated to Cory CEO: the margin at stake is above what this meeting may commit.',
    );
    const told = await arrived(
      (s) => s.conversationId === personal('ceo') && s.summary.includes('Escalated to Cory CEO'),
    );
    expect(parserProblems(told.card)).toEqual([]);
    const closed = await arrived((s) => s.replyTo === root && s.summary.startsWith('Item 1 "'));
    expect(closed.conversationId).toBe(SOP);
    // The next item follows in the thread.
    await arrived((s) => s.summary.startsWith('Item 2 of 3:') && s.replyTo === root);
  });

  it('ends with the rest not reached; the minutes say so', async () => {
    const ended = await execute('po', channel(root), live, 'meeting.end', preSopId);
    expect(ended.value).toBe('The meeting has ended; the minutes (version 1) are posted in the channel.');
    const minutesPost = await arrived((s) => s.summary === 'Minutes: Pre-S&OP reconciliation 2027-02');
    expect(minutesPost.conversationId).toBe(SOP);
    expect(minutesPost.replyTo).toBeUndefined();
    expect(parserProblems(minutesPost.card)).toEqual([]);
    const m = (await get(`/meetings/${preSopId}/minutes`)).minutes;
    expect(m.totals).toMatchObject({ items: 3, decided: 0, deferred: 0, escalated: 1, notReached: 2 });
    expect(m.items[0]).toMatchObject({
      outcome: 'escalated',
      escalation: { reason: 'the margin at stake is above what this meeting may commit', to: 'Cory CEO' },
    });
    const names = (list: { name: string }[]) => list.map((p) => p.name).sort();
    expect(names(m.attendance.present)).toEqual(['Petra PO', 'Sam Sales']);
  });
});

describe('the executive S&OP meeting, live in the S&OP channel', () => {
  let root: string;
  let live: Sent;
  const thread = () => channel(root);
  const itemPost = async (n: number) => {
    const post = await arrived((s) => s.summary.startsWith(`Item ${n} of 3:`) && s.replyTo === root);
    expect(post.conversationId).toBe(SOP);
    expect(parserProblems(post.card)).toEqual([]);
    const ballots = walk(post.card)
      .filter((e) => (e['data'] as Json | undefined)?.['action'] === 'ballot.vote')
      .map((e) => String((e['data'] as Json)['value']).split(':'));
    return { post, card: post.card, ballotId: ballots[0]?.[0] ?? null, options: ballots.map((b) => b[1]!) };
  };

  it('sends the 15-minute reminder; only the chair’s has Start', async () => {
    expect(await meetingsAt('2027-02-17T13:15:00Z')).toBe(4);
    await drain();
    const soon = sent().filter((s) => s.summary === 'In 15 minutes: Executive S&OP 2027-02');
    expect(soon).toHaveLength(4);
    expect(
      soon.filter((s) => s.text.includes('"verb":"meeting.start"')).map((s) => s.conversationId),
    ).toEqual([personal('po')]);
    // `meeting` shows it too, now that the Pre-S&OP meeting is over.
    const before = sentTo(personal('po')).length;
    await bot.post(teamsMessage(people['po']!.user, 'meeting', bot.where));
    const card = await until(() => sentTo(personal('po'))[before]);
    expect(card.summary).toMatch(/^Executive S&OP 2027-02: /);
    expect(card.text).toContain('"verb":"meeting.start"');
  });

  it('starts when the chair presses Start on the reminder: the live card, then item 1 as a reply in its thread', async () => {
    bot.t.clock.set('2027-02-17T13:30:00Z');
    const reminder = sentTo(personal('po')).find(
      (s) => s.summary === 'In 15 minutes: Executive S&OP 2027-02',
    )!;
    const res = await execute('po', bot.where, reminder, 'meeting.start', meetingId);
    expect(res.value).toBe('The meeting is under way: its items follow, one at a time, in the S&OP channel.');
    expect((await get(`/meetings/${meetingId}`)).status).toBe('live');
    live = await arrived((s) => s.summary === 'Executive S&OP 2027-02 has started');
    expect(live.conversationId).toBe(SOP);
    expect(live.replyTo).toBeUndefined();
    expect(parserProblems(live.card)).toEqual([]);
    root = live.activityId;
    const first = await itemPost(1);
    expect(first.ballotId).not.toBeNull();
    // A second press changes nothing.
    await execute('po', bot.where, reminder, 'meeting.start', meetingId);
    await drain();
    expect(sent().filter((s) => s.summary === 'Executive S&OP 2027-02 has started')).toHaveLength(1);
  });

  it('records presence with one click: on time, late, and a delegate standing in', async () => {
    bot.t.clock.set('2027-02-17T13:32:00Z');
    const here = (who: string) => execute(who, thread(), live, 'meeting.present', meetingId);
    expect((await here('ceo')).value).toBe('You are marked present.');
    expect((await here('deputy')).value).toBe('You are marked as standing in for Olu COO.');
    bot.t.clock.set('2027-02-17T13:41:00Z');
    expect((await here('cfo')).value).toBe('You are marked present (recorded as a late arrival).');
    expect((await here('ceo')).value).toBe('You are already marked present.');
  });

  it('item 1: the executives present vote (one dissents, with a why), the chair closes it as decided with an owner', async () => {
    const { post, card, ballotId, options } = await itemPost(1);
    const [recommended, other] = [options[0]!, options.find((o) => o !== options[0])!];
    bot.t.clock.set('2027-02-17T13:45:00Z');
    const vote = (who: string, option: string, why = '') =>
      execute(who, thread(), post, 'ballot.vote', `${ballotId}:${option}`, { [`why:${ballotId}`]: why });
    await vote('ceo', recommended);
    await vote('cfo', recommended);
    const third = await vote('deputy', other, 'we cannot afford it this quarter');
    // The answer replaces the item card for everyone: the count, and the COO's vote cast by his delegate.
    expect(third.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(parserProblems(third.value)).toEqual([]);
    const after = JSON.stringify(third.value);
    expect(after).toContain('3 of 3 executives present have voted');
    expect(after).toContain('Olu COO (');
    expect(after).toContain('"verb":"meeting.extend"'); // still the item card, with the chair's buttons
    // That answer replaces the card only for the one who pressed: the message in the channel is
    // updated too, so the chair and everyone else see who has voted.
    const shared = sent().find((s) => s.activityId === post.activityId)!;
    expect(shared.conversationId).toBe(SOP);
    expect(shared.text).toContain('3 of 3 executives present have voted');
    expect(shared.text).toContain('Olu COO (');
    expect(parserProblems(shared.card)).toEqual([]);
    // When Teams refreshes the card for someone looking at it (the chair), it stays the item's card.
    const refreshed = await execute('po', thread(), shared, 'ballot.refresh', ballotId!);
    expect(refreshed.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(refreshed.value)).toContain('3 of 3 executives present have voted');
    expect(JSON.stringify(refreshed.value)).toContain('"action":"meeting.decide"');
    expect(
      await bot.t.accord.db.models.Vote.findOne({ ballotId, reason: { $exists: true, $ne: null } }).lean(),
    ).toMatchObject({ reason: 'we cannot afford it this quarter' });

    // Close: decided. The dialog asks for an owner; without one it is refused beside the field, nothing written.
    const form = dialogCard(await openDialog('po', thread(), card, 'meeting.decide', `${meetingId}:0`));
    expect(JSON.stringify(form)).toContain('Owner');
    expect(inputIds(form)).toEqual(expect.arrayContaining(['owner', 'due']));
    const whatId = inputLabelled(form, 'What they do');
    const refused = await submitDialog('po', thread(), form, {
      [whatId]: 'Book the overtime shifts',
      due: '2027-03-15',
    });
    const again = dialogCard(refused);
    const body = JSON.stringify(again);
    expect(errorUnder(again, 'owner')).toContain('name an owner');
    expect(errorUnder(again, 'due')).toBeNull();
    expect(body).toContain('"value":"Book the overtime shifts"'); // what was typed is kept
    expect((await get('/decisions')).items).toHaveLength(0);
    expect(await bot.t.accord.db.models.Action.countDocuments({})).toBe(0);
    const ok = await submitDialog('po', thread(), again, {
      owner: people['cfo']!.id,
      [whatId]: 'Book the overtime shifts',
      due: '2027-03-15',
      rationale: 'Cheapest way to keep the key accounts served',
    });
    expect(ok.task.type).toBe('message');
    expect(ok.task.value).toContain('Action: Book the overtime shifts (owner Frida CFO, due 2027-03-15)');
    const closed = await arrived((s) =>
      s.text.includes('Action: Book the overtime shifts (owner Frida CFO, due 2027-03-15)'),
    );
    expect(closed.conversationId).toBe(SOP);
    expect(closed.replyTo).toBe(root);
    // Item 1's card, refreshed now, shows it closed: no more votes or chair's buttons.
    const after1 = JSON.stringify((await execute('cfo', thread(), post, 'ballot.refresh', ballotId!)).value);
    expect(after1).toContain('Closed: decided.');
    expect(after1).not.toContain('"action":"ballot.vote"');
    expect(after1).not.toContain('"action":"meeting.decide"');
  });

  it('item 2: the chair defers it with a reason and a date (a date in the past is refused)', async () => {
    const { card } = await itemPost(2);
    bot.t.clock.set('2027-02-17T14:00:00Z');
    const form = dialogCard(await openDialog('po', thread(), card, 'meeting.defer', `${meetingId}:1`));
    const bad = await submitDialog('po', thread(), form, {
      reason: "waiting for the supplier's answer",
      until: '2027-02-10',
    });
    const again = dialogCard(bad);
    expect(errorUnder(again, 'until')).toMatch(/^must be a date from 2027-02-17 /);
    expect(errorUnder(again, 'reason')).toBeNull();
    expect(
      await bot.t.accord.db.models.OutboxMessage.countDocuments({
        key: `meeting-item-closed:${meetingId}:1`,
      }),
    ).toBe(0);
    const ok = await submitDialog('po', thread(), again, {
      reason: "waiting for the supplier's answer",
      until: '2027-03-10',
    });
    expect(ok.task).toEqual({
      type: 'message',
      value: expect.stringContaining("Deferred to 2027-03-10: waiting for the supplier's answer.") as unknown,
    });
    const closed = await arrived((s) => s.text.includes('Deferred to 2027-03-10'));
    expect(closed.replyTo).toBe(root);
  });

  it('item 3: decided with an owner; the chair ends the meeting and Accord posts the minutes', async () => {
    const { post, card, ballotId, options } = await itemPost(3);
    bot.t.clock.set('2027-02-17T14:10:00Z');
    for (const who of ['ceo', 'cfo'])
      await execute(who, thread(), post, 'ballot.vote', `${ballotId}:${options[0]!}`, {
        [`why:${ballotId}`]: '',
      });
    expect(await bot.t.accord.db.models.Vote.countDocuments({ ballotId })).toBe(2);
    const form = dialogCard(await openDialog('po', thread(), card, 'meeting.decide', `${meetingId}:2`));
    const whatId = inputLabelled(form, 'What they do');
    const ok = await submitDialog('po', thread(), form, {
      owner: people['ceo']!.id,
      [whatId]: 'Approve the alternate supplier',
      due: '2027-03-01',
    });
    expect(ok.task.type).toBe('message');
    bot.t.clock.set('2027-02-17T14:20:00Z');
    const ended = await execute('po', thread(), live, 'meeting.end', meetingId);
    expect(ended.value).toBe('The meeting has ended; the minutes (version 1) are posted in the channel.');
    const posted = await arrived((s) => s.summary === 'Minutes: Executive S&OP 2027-02');
    expect(posted.conversationId).toBe(SOP);
    expect(posted.replyTo).toBeUndefined();
    expect(parserProblems(posted.card)).toEqual([]);
    const endedPost = await arrived((s) => s.summary === 'Executive S&OP 2027-02 has ended');
    expect(endedPost.replyTo).toBe(root);
    // Every post of the meeting went to the S&OP channel; all but the live card and the minutes in its thread.
    const meetingPosts = sent().filter(
      (s) =>
        s.conversationId === SOP &&
        (s.replyTo === root ||
          s.summary.startsWith('Executive S&OP 2027-02') ||
          s.summary === 'Minutes: Executive S&OP 2027-02'),
    );
    expect(meetingPosts.filter((s) => s.replyTo !== root).map((s) => s.summary)).toEqual([
      'Executive S&OP 2027-02 has started',
      'Minutes: Executive S&OP 2027-02',
    ]);
    const kind = (summary: string) =>
      summary
        .replace(/^Item (\d) of 3:.*$/, 'item $1')
        .replace(/^Item (\d) ".*$/, 'closed $1')
        .replace(/^Executive S&OP 2027-02 has ended$/, 'ended');
    expect(meetingPosts.filter((s) => s.replyTo === root).map((s) => kind(s.summary))).toEqual([
      'item 1',
      'closed 1',
      'item 2',
      'closed 2',
      'item 3',
      'closed 3',
      'ended',
    ]);

    const minutes = await get(`/meetings/${meetingId}/minutes`);
    const m = minutes.minutes;
    expect(m.totals).toMatchObject({
      items: 3,
      decided: 2,
      deferred: 1,
      escalated: 0,
      notReached: 0,
      actions: 2,
    });
    expect(m.items.map((i: { outcome: string }) => i.outcome)).toEqual(['decided', 'deferred', 'decided']);
    expect(m.items[0].actions).toEqual([
      { ownerName: 'Frida CFO', description: 'Book the overtime shifts', dueDate: '2027-03-15' },
    ]);
    expect(m.items[0].decision.dissent).toEqual([
      expect.objectContaining({ voterName: 'Olu COO', reason: 'we cannot afford it this quarter' }),
    ]);
    expect(m.items[1].deferral).toEqual({ reason: "waiting for the supplier's answer", until: '2027-03-10' });
    expect(m.items[2].actions).toEqual([
      { ownerName: 'Cory CEO', description: 'Approve the alternate supplier', dueDate: '2027-03-01' },
    ]);
    const names = (list: { name: string }[]) => list.map((p) => p.name).sort();
    expect(names(m.attendance.present)).toEqual(['Cory CEO', 'Frida CFO', 'Petra PO']);
    expect(m.attendance.represented).toEqual([
      expect.objectContaining({ name: 'Olu COO', delegateName: 'Dara Deputy' }),
    ]);
    expect(names(m.attendance.late)).toEqual(['Frida CFO']);
    expect(m.attendance.absent).toEqual([]);
    expect(minutes.markdown).toContain("Deferred to 2027-03-10: waiting for the supplier's answer");
    const found = (await get('/minutes?q=supplier')).items;
    expect(found.map((x: { meetingId: string }) => x.meetingId)).toEqual([meetingId]);
  });
});
