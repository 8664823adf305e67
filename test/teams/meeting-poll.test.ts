/**
 * The meeting buttons test/teams/meeting.test.ts does not press, in Microsoft Teams: through the
 * real Teams app (activities built from the recorded shapes, the SDK's JWT check on), the Teams
 * deliverer and a local Bot Connector. A Pre-S&OP time poll among invitees in London, New York,
 * Berlin and Singapore, its cards in each person's personal chat; each answer is an Action.Execute
 * on the delivered card, answered with the card that replaces it (their choice marked); the last
 * answer ties the poll, the chair's tie card comes, a leader's pick is refused and the chair's
 * replaces the tie card and sends the invitations. Then "+5 min" in the live meeting, on the item
 * card and on the time-up notice.
 *
 * Buttons are pressed the way Teams presses them: the button is taken from the card Accord sent
 * (or answered with), its data sent as the invoke's data. Every card is checked by Microsoft's parser.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
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
  type TeamsUser,
  type Where,
} from '../helpers/teamsPayloads.js';

const SOP = '19:sop-channel@thread.tacv2';
const TEAM = { id: '19:operations@thread.tacv2', name: 'Operations' };
const TITLE = 'Pre-S&OP reconciliation 2027-02';
const CARD = 'application/vnd.microsoft.card.adaptive';
const LINE = 'application/vnd.microsoft.activity.message';

let bot: TeamsBot;
let org: OrgHandle;
let cycleId: string;
let meetingId: string;
const people: Record<string, { id: string; user: TeamsUser; zone: string }> = {};

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
const meetingsAt = async (at: string) => {
  bot.t.clock.set(at);
  const count = () => bot.t.accord.db.models.OutboxMessage.countDocuments({ key: { $regex: meetingId } });
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
/** The first thing sent (after draining) that `match` picks, checked by Microsoft's parser. */
const arrived = async (match: (s: Sent) => boolean) => {
  const s = await until(async () => {
    await drain();
    return sent().find(match);
  });
  expect(parserProblems(s.card)).toEqual([]);
  return s;
};

/** Every element of a card (nested containers and action sets included). */
function walk(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const n of node) walk(n, out);
  else if (node && typeof node === 'object') {
    out.push(node as Json);
    for (const v of Object.values(node as Json)) if (typeof v === 'object') walk(v, out);
  }
  return out;
}
/** The card's buttons for `action`. */
const buttons = (card: AdaptiveCard, action: string) =>
  walk(card).filter(
    (e) =>
      typeof e['type'] === 'string' &&
      e['type'].startsWith('Action.') &&
      (e['data'] as Json | undefined)?.['action'] === action,
  );
/** The card's button for `action` whose value ends with `suffix`. */
function button(card: AdaptiveCard, action: string, suffix = ''): Json {
  const found = buttons(card, action).find((e) => String((e['data'] as Json)['value']).endsWith(suffix));
  if (!found) throw new Error(`no ${action} ${suffix} button on the card: ${JSON.stringify(card)}`);
  return found;
}
/** The text of a card's text blocks, joined, as a person reads it (Teams' markdown escapes undone). */
const words = (card: AdaptiveCard) =>
  walk(card)
    .filter((e) => e['type'] === 'TextBlock')
    .map((e) => String(e['text']).replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, '$1'))
    .join(' ');

type InvokeAnswer = { statusCode: number; type: string; value: unknown };
/** An Action.Execute pressed on `card` (of message `activityId`); Teams' invoke answer (a card or a line). */
async function execute(
  who: string,
  where: Where,
  on: { card: AdaptiveCard; activityId: string },
  action: string,
  suffix = '',
): Promise<InvokeAnswer> {
  const b = button(on.card, action, suffix);
  expect(b['type']).toBe('Action.Execute');
  const activity = {
    ...teamsExecute(people[who]!.user, { ...(b['data'] as Json) }, where),
    replyToId: on.activityId,
  };
  const res = await bot.post(where.team ? inChannel(activity) : activity);
  expect(res.status).toBe(200);
  const answer = res.body as InvokeAnswer;
  if (answer.type === CARD) expect(parserProblems(answer.value)).toEqual([]);
  return answer;
}
/** The card an invoke answered with (it replaces the pressed card). */
function cardOf(answer: InvokeAnswer): AdaptiveCard {
  expect(answer.type).toBe(CARD);
  return answer.value as AdaptiveCard;
}

/** `Fri 12 Feb, 14:00-15:30 (Europe/Berlin)`, as the cards show a slot in a reader's zone. */
const slotIn = (start: string, end: string, zone: string) =>
  `${DateTime.fromISO(start, { zone }).toFormat('ccc d LLL, HH:mm')}-${DateTime.fromISO(end, { zone }).toFormat('HH:mm')} (${zone})`;
const hhmm = (at: Date) => DateTime.fromJSDate(at, { zone: 'Europe/London' }).toFormat('HH:mm');

beforeAll(async () => {
  bot = await startTeamsBot({ now: '2027-01-25T10:00:00Z' });
  org = await buildOrg(bot.t, { name: 'Poll Co', timezone: 'Europe/London' });
  const add = async (key: string, o: Record<string, unknown> & { name: string }) => {
    const email = `${key}@poll.example.com`;
    const m = await buildMember(bot.t, org, { email, ...o });
    people[key] = { id: m.id, user: bot.user(o.name, email), zone: m.timezone };
  };
  await add('po', { name: 'Paula PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add('ny', {
    name: 'Nina Sales',
    roles: ['functional-leader'],
    functions: ['sales'],
    timezone: 'America/New_York',
  });
  await add('berlin', {
    name: 'Bernd Ops',
    roles: ['functional-leader'],
    functions: ['operations'],
    timezone: 'Europe/Berlin',
  });
  await add('sg', {
    name: 'Siew Finance',
    roles: ['functional-leader'],
    functions: ['finance'],
    timezone: 'Asia/Singapore',
  });
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
  await until(() => sentTo(SOP)[0]);
  await uploadCompany(bot.t, org, THREE_TRADEOFFS);
  // The Pre-S&OP meeting asks for a time that suits every invitee.
  const set = await bot.t.http
    .patch(api('/meeting-settings'))
    .set(org.auth)
    .send({ actorId: people['po']!.id, meetings: { 'pre-sop': { propose: true } } });
  expect(set.status).toBe(200);
  cycleId = (await bot.t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  meetingId = `${cycleId}-pre-sop`;
});
afterAll(() => bot.close());

describe('a Pre-S&OP time poll in Teams', () => {
  const invitees = ['po', 'ny', 'berlin', 'sg'];
  /** Each invitee's poll card as delivered to their personal chat. */
  const polls: Record<string, Sent> = {};
  let options: { key: string; start: string; end: string }[];

  it('sends each invitee the poll card in their personal chat, in their own zone', async () => {
    await sweepAt(bot.t, '2027-02-01T09:00:00Z'); // the cycle starts
    await meetingsAt('2027-02-01T09:00:00Z');
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({ status: 'polling', poll: { round: 1, status: 'open' } });
    options = m.poll.options;
    bot.t.clock.set('2027-02-01T13:00:00Z'); // New York's working day has begun
    for (const who of invitees) {
      const s = await arrived(
        (x) => x.conversationId === personal(who) && x.summary === `Find a time: ${TITLE}`,
      );
      polls[who] = s;
      expect(words(s.card)).toContain(slotIn(options[0]!.start, options[0]!.end, people[who]!.zone));
      expect(buttons(s.card, 'poll.vote').map((b) => (b['data'] as Json)['value'])).toEqual(
        options.map((o) => `${meetingId}:1:${o.key}`),
      );
    }
  });

  it('each answer is answered with the card that replaces the pressed one, the choice marked', async () => {
    const [a, b] = [options[0]!, options[1]!];
    bot.t.clock.set('2027-02-01T14:00:00Z');
    const vote = (who: string, key: string) =>
      execute(who, bot.where, polls[who]!, 'poll.vote', `:${key}`).then(cardOf);
    const po = await vote('po', a.key);
    expect(words(po)).toContain(
      `1 of 4 have answered. You chose ${slotIn(a.start, a.end, 'Europe/London')}; you can change it until the poll closes.`,
    );
    // Still the poll card: its buttons stay, the chosen one marked.
    const marked = buttons(po, 'poll.vote').filter((x) => x['style'] === 'positive');
    expect(marked.map((x) => (x['data'] as Json)['value'])).toEqual([`${meetingId}:1:${a.key}`]);
    expect(buttons(po, 'poll.vote')).toHaveLength(options.length);
    expect(words(await vote('ny', a.key))).toContain(
      `2 of 4 have answered. You chose ${slotIn(a.start, a.end, 'America/New_York')};`,
    );
    // Bernd answers, then changes his answer on the card he got back.
    const first = await vote('berlin', a.key);
    const changed = cardOf(
      await execute(
        'berlin',
        bot.where,
        { card: first, activityId: polls['berlin']!.activityId },
        'poll.vote',
        `:${b.key}`,
      ),
    );
    expect(words(changed)).toContain(
      `3 of 4 have answered. You chose ${slotIn(b.start, b.end, 'Europe/Berlin')};`,
    );
    // The last answer ties the poll: the card says so and takes no more answers.
    const last = await vote('sg', b.key);
    expect(words(last)).toContain(
      `This poll is closed with a tie between 2 times: the chair picks one, and everyone invited then gets the invitation. You chose ${slotIn(b.start, b.end, 'Asia/Singapore')}.`,
    );
    expect(buttons(last, 'poll.vote')).toEqual([]);
    expect((await get(`/meetings/${meetingId}`)).poll).toMatchObject({
      status: 'tied',
      tied: [a.key, b.key],
    });
    // An old card pressed now: a line, nothing counted.
    const late = await execute('ny', bot.where, polls['ny']!, 'poll.vote', `:${b.key}`);
    expect(late).toMatchObject({ type: LINE, value: 'This time poll is closed.' });
  });

  it("the chair's tie card: a leader's pick is refused; the chair's replaces the card and invites everyone", async () => {
    const b = options[1]!;
    const tie = await arrived(
      (x) => x.conversationId === personal('po') && x.summary === `Break the tie: ${TITLE}`,
    );
    expect(buttons(tie.card, 'poll.pick').map((x) => (x['data'] as Json)['value'])).toEqual([
      `${meetingId}:1:${options[0]!.key}`,
      `${meetingId}:1:${b.key}`,
    ]);
    // The same button pressed by a leader (in her own chat): refused, nothing changes.
    const refused = await execute('berlin', bot.where, tie, 'poll.pick', `:${b.key}`);
    expect(refused).toMatchObject({ type: LINE, value: 'Only the chair (or a process owner) breaks a tie.' });
    expect((await get(`/meetings/${meetingId}`)).poll.status).toBe('tied');

    const picked = cardOf(await execute('po', bot.where, tie, 'poll.pick', `:${b.key}`));
    expect(words(picked)).toContain(
      `${TITLE} is on ${slotIn(b.start, b.end, 'Europe/London')}. Everyone invited gets the invitation for that time.`,
    );
    expect(walk(picked).filter((e) => e['type'] === 'Action.Execute')).toEqual([]);
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({
      status: 'scheduled',
      start: b.start,
      poll: { status: 'closed', chosen: b.key },
    });
    // The invitations for the picked time, each in its reader's zone (Singapore's the next morning there).
    bot.t.clock.set('2027-02-02T01:00:00Z');
    for (const who of invitees) {
      const invite = await arrived(
        (x) => x.conversationId === personal(who) && x.summary.startsWith(`Invitation: ${TITLE}`),
      );
      expect(invite.summary).toBe(`Invitation: ${TITLE}, ${slotIn(b.start, b.end, people[who]!.zone)}`);
    }
  });
});

describe('+5 min in the live Pre-S&OP meeting in Teams', () => {
  let start: Date;
  let root: string;
  let item: Sent;
  let timebox: number;
  let title: string;
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
  const endsAt = (minutes: number) => hhmm(new Date(start.getTime() + minutes * 60_000));

  it("starts from the chair's `meeting` card; item 1 follows in the thread", async () => {
    bot.t.clock.set('2027-02-08T10:00:00Z');
    const pack = await bot.t.http
      .post(api(`/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    expect(pack.status).toBe(201);
    const agenda = await get(`/meetings/${meetingId}/agenda`);
    timebox = agenda.items[0].timeboxMinutes;
    title = agenda.items[0].title;
    start = new Date((await get(`/meetings/${meetingId}`)).start);
    bot.t.clock.set(start.toISOString());
    const before = sentTo(personal('po')).length;
    await bot.post(teamsMessage(people['po']!.user, 'meeting', bot.where));
    const card = await until(() => sentTo(personal('po'))[before]);
    const started = await execute('po', bot.where, card, 'meeting.start');
    expect(started.type).toBe(LINE);
    const live = await arrived((s) => s.summary === `${TITLE} has started`);
    root = live.activityId;
    item = await arrived((s) => s.summary.startsWith('Item 1 of ') && s.replyTo === root);
    expect(words(item.card)).toContain(`Timebox ${timebox} min: until ${endsAt(timebox)} (Europe/London).`);
  });

  it('a leader is refused; the chair gets the new end, and time is up only once the extension runs out', async () => {
    bot.t.clock.set(at(2));
    expect(button(item.card, 'meeting.extend')['data']).toMatchObject({ value: `${meetingId}:0` });
    expect(await execute('ny', channel(root), item, 'meeting.extend')).toMatchObject({
      type: LINE,
      value: 'Only the chair (Paula PO) or a process owner runs this meeting.',
    });
    expect(await execute('po', channel(root), item, 'meeting.extend')).toMatchObject({
      type: LINE,
      value: `5 more minutes for "${title}": until ${endsAt(timebox + 5)} (Europe/London).`,
    });
    expect(await meetingsAt(at(timebox))).toBe(0);
    expect(await meetingsAt(at(timebox + 4))).toBe(0);
    expect(await meetingsAt(at(timebox + 5))).toBe(1);
    expect(await meetingsAt(at(timebox + 6))).toBe(0);
    const notice = await arrived((s) => s.summary === `Time is up: ${title}` && s.replyTo === root);
    expect(notice.conversationId).toBe(SOP);
    // It offers the chair's choices its sentence names: Escalate opens a dialog (task/fetch).
    expect(button(notice.card, 'meeting.escalate')).toMatchObject({
      type: 'Action.Submit',
      data: { msteams: { type: 'task/fetch' }, value: `${meetingId}:0` },
    });
    expect(words(notice.card)).toContain(
      `Time is up for "${title}" (${timebox + 5} min, since ${hhmm(start)}).`,
    );
    // "+5 min" on the notice: five more again; the next notice only after those.
    expect(await execute('po', channel(root), notice, 'meeting.extend')).toMatchObject({
      type: LINE,
      value: `5 more minutes for "${title}": until ${endsAt(timebox + 10)} (Europe/London).`,
    });
    expect(await meetingsAt(at(timebox + 9))).toBe(0);
    expect(await meetingsAt(at(timebox + 10))).toBe(1);
    expect((await get(`/meetings/${meetingId}`)).live.items[0].extraMinutes).toBe(10);
  });
});
