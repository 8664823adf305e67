/**
 * The meeting buttons test/slack/meeting.test.ts does not press, through the real Bolt app
 * (Slack-signed block_actions and view_submission bodies built from the fixture shapes) and the
 * outbox's Slack deliverer against a local fake Slack Web API: a Pre-S&OP time poll among invitees
 * in London, New York, Berlin and Singapore (no hour suits all four), its cards delivered as DMs;
 * each invitee answers on their own card and that message is updated in place with their choice;
 * the last answer ties the poll and the chair gets the tie card; a leader's pick is refused, the
 * chair's sends everyone the invitation for the picked time. Then the live meeting: "+5 min" on the
 * item card and on the time-up notice (each notice only once the extended timebox runs out), and
 * "Escalate" (the chair's modal, a named person who is told in a DM).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { runMeetings } from '../../src/app/meetings.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  uploadCompany,
  type OrgHandle,
  THREE_TRADEOFFS,
} from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack, type SlackCall } from '../helpers/fakeSlack.js';
import { blockAction, chosen, formBody, typed, viewSubmission } from '../helpers/slackPayloads.js';

const SECRET = 'meeting-poll-signing-secret';
const TITLE = 'Pre-S&amp;OP reconciliation 2027-02'; // as Slack text (escaped)

let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let cycleId: string;
let meetingId: string;
const people: Record<string, { id: string; slack: string; zone: string; name: string }> = {};

type Json = Record<string, unknown>;
type Where = { channel: string; ts: string };
interface SlackButton {
  action_id: string;
  block_id: string;
  value: string;
  label: string;
  style: string | undefined;
}

const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
const get = async (p: string) => (await t.http.get(api(p)).set(org.auth)).body;
const post = (body: string) => t.http.post('/slack/events').set(slackHeaders(SECRET, body)).send(body);
const drain = () => t.accord.slackDeliverer!.drain();
/** Runs the sweep's meeting part at `at`; how many messages it queued for the meeting. */
const meetingsAt = async (at: string) => {
  t.clock.set(at);
  const count = () => t.accord.db.models.OutboxMessage.countDocuments({ key: { $regex: meetingId } });
  const before = await count();
  await runMeetings(t.accord.deps);
  return (await count()) - before;
};

async function until<T>(get1: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get1();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}
const callsOf = (method: string) => slack.calls.filter((c) => c.method === method);
const text = (c: SlackCall) => JSON.stringify(c.args['blocks'] ?? c.args['text'] ?? c.args['view']);

/** The buttons of a message or view Accord sent, as Slack shows them (action ids numbered in a block). */
function buttonsOf(blocks: unknown): SlackButton[] {
  const out: SlackButton[] = [];
  for (const b of (blocks ?? []) as Json[]) {
    if (b['type'] !== 'actions') continue;
    for (const e of b['elements'] as Json[])
      out.push({
        action_id: String(e['action_id']),
        block_id: typeof b['block_id'] === 'string' ? b['block_id'] : 'actions',
        value: typeof e['value'] === 'string' ? e['value'] : '',
        label: String((e['text'] as Json)['text']),
        style: typeof e['style'] === 'string' ? e['style'] : undefined,
      });
  }
  return out;
}
/** The button of `blocks` for `action` (its action id may carry a number) whose value passes `value`. */
function buttonFor(blocks: unknown, action: string, value: (v: string) => boolean = () => true): SlackButton {
  const b = buttonsOf(blocks).find((x) => x.action_id.replace(/:\d+$/, '') === action && value(x.value));
  if (!b) throw new Error(`no ${action} button in ${JSON.stringify(blocks)}`);
  return b;
}

/** A button of a message pressed by `who`, sent the way Slack sends it (the message's channel and ts). */
function press(who: string, b: SlackButton, where: Where) {
  return post(
    formBody(
      blockAction(
        people[who]!.slack,
        { action_id: b.action_id, block_id: b.block_id, value: b.value },
        {
          container: { type: 'message', channel_id: where.channel, message_ts: where.ts },
          channel: { id: where.channel, name: where.channel.startsWith('D') ? 'directmessage' : 'sop' },
          state: { values: {} },
        },
      ),
    ),
  );
}
/** The next ephemeral line for `who` after the first `after` ephemerals. */
const ephemeralFor = (who: string, after: number) =>
  until(() =>
    callsOf('chat.postEphemeral')
      .slice(after)
      .find((c) => c.args['user'] === people[who]!.slack),
  );

/** A message Accord delivered: where it landed, the post Slack got and its blocks. */
type Delivered = { where: Where; blocks: unknown; call: SlackCall };
/** The message Accord delivered under this outbox key (draining until it is). */
async function delivered(key: string): Promise<Delivered> {
  const doc = await until(async () => {
    await drain();
    const d = await t.accord.db.models.OutboxMessage.findOne({ key, status: 'delivered' }).lean();
    return d ?? undefined;
  });
  const where = { channel: String(doc['delivery'].channel), ts: String(doc['delivery'].ts) };
  // The post that landed there: the fake answers a DM to user U… with channel DU….
  const summary = String((doc['card'] as Json)['summary']);
  const call = callsOf('chat.postMessage').find(
    (c) =>
      (c.args['channel'] === where.channel || `D${String(c.args['channel'])}` === where.channel) &&
      String(c.args['text']).includes(summary.replace(/&/g, '&amp;').slice(0, 30)),
  );
  if (!call) throw new Error(`no post for ${key}`);
  return { where, blocks: call.args['blocks'], call };
}

/** `Fri 12 Feb, 14:00-15:30 (Europe/Berlin)`, as the cards show a slot in a reader's zone. */
const slotIn = (start: string, end: string, zone: string) =>
  `${DateTime.fromISO(start, { zone }).toFormat('ccc d LLL, HH:mm')}-${DateTime.fromISO(end, { zone }).toFormat('HH:mm')} (${zone})`;
const hhmm = (at: Date) => DateTime.fromJSDate(at, { zone: 'Europe/London' }).toFormat('HH:mm');

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-01-25T10:00:00Z',
    publicUrl: 'https://accord.example.com',
    slack: { signingSecret: SECRET, botToken: 'xoxb-poll', apiUrl: slack.url, sopChannel: 'C0SOP' },
  });
  org = await buildOrg(t, { name: 'Poll Co', timezone: 'Europe/London' });
  const add = async (key: string, slackId: string, o: Record<string, unknown> & { name: string }) => {
    const m = await buildMember(t, org, { email: `${key}@poll.example.com`, ...o });
    people[key] = { id: m.id, slack: slackId, zone: m.timezone, name: o.name };
    slack.addUser(slackId, `${key}@poll.example.com`);
  };
  await add('po', 'U0PO', { name: 'Paula PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add('ny', 'U0NY', {
    name: 'Nina Sales',
    roles: ['functional-leader'],
    functions: ['sales'],
    timezone: 'America/New_York',
  });
  await add('berlin', 'U0BER', {
    name: 'Bernd Ops',
    roles: ['functional-leader'],
    functions: ['operations'],
    timezone: 'Europe/Berlin',
  });
  await add('sg', 'U0SG', {
    name: 'Siew Finance',
    roles: ['functional-leader'],
    functions: ['finance'],
    timezone: 'Asia/Singapore',
  });
  await add('ceo', 'U0CEO', { name: 'Cory CEO', roles: ['executive'], timezone: 'Europe/London' });
  await uploadCompany(t, org, THREE_TRADEOFFS);
  // The Pre-S&OP meeting asks for a time that suits every invitee.
  const set = await t.http
    .patch(api('/meeting-settings'))
    .set(org.auth)
    .send({ actorId: people['po']!.id, meetings: { 'pre-sop': { propose: true } } });
  expect(set.status).toBe(200);
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  meetingId = `${cycleId}-pre-sop`;
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('a Pre-S&OP time poll in Slack', () => {
  const invitees = ['po', 'ny', 'berlin', 'sg'];
  const pollKey = (who: string) => `meeting-poll:${meetingId}:r1:${people[who]!.id}`;
  /** Each invitee's poll message: where it landed (its DM) and its blocks as delivered. */
  const cards: Record<string, Delivered> = {};
  let options: { key: string; start: string; end: string }[];

  it('asks the four invitees by DM, each card in their own zone, when no hour suits them all', async () => {
    await sweepAt(t, '2027-02-01T09:00:00Z'); // the cycle starts
    await meetingsAt('2027-02-01T09:00:00Z');
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({
      status: 'polling',
      how: 'poll',
      start: null,
      poll: { round: 1, status: 'open' },
    });
    options = m.poll.options;
    expect(options.length).toBeGreaterThanOrEqual(2);
    // New York's card waits for her working day (04:00 there now).
    t.clock.set('2027-02-01T13:00:00Z');
    for (const who of invitees) {
      const d = await delivered(pollKey(who));
      cards[who] = d;
      expect(d.call.args['channel']).toBe(people[who]!.slack);
      expect(d.where.channel).toBe(`D${people[who]!.slack}`);
      const body = text(d.call);
      expect(body).toContain(`Find a time: ${TITLE}`);
      expect(body).toContain(slotIn(options[0]!.start, options[0]!.end, people[who]!.zone));
      expect(body).toContain('0 of 4 have answered.');
      // One button per time, none chosen yet.
      const buttons = buttonsOf(d.blocks).filter((b) => b.action_id.startsWith('poll.vote'));
      expect(buttons.map((b) => b.value)).toEqual(options.map((o) => `${meetingId}:1:${o.key}`));
      expect(buttons.every((b) => b.style === undefined)).toBe(true);
    }
  });

  /** `who` presses the button for `option` on their delivered poll card; the chat.update that follows. */
  async function vote(who: string, option: string) {
    const before = callsOf('chat.update').length;
    const b = buttonFor(cards[who]!.blocks, 'poll.vote', (v) => v.endsWith(`:${option}`));
    const res = await press(who, b, cards[who]!.where);
    expect(res.status).toBe(200);
    const update = await until(() => callsOf('chat.update')[before]);
    // The pressed message itself, nothing else.
    expect({ channel: update.args['channel'], ts: update.args['ts'] }).toEqual(cards[who]!.where);
    return update;
  }

  it('updates the pressed message in place with the answer, and takes a changed answer', async () => {
    const [a, b] = [options[0]!, options[1]!];
    t.clock.set('2027-02-01T14:00:00Z');
    const first = await vote('po', a.key);
    const body = text(first);
    expect(body).toContain(
      `1 of 4 have answered. You chose ${slotIn(a.start, a.end, 'Europe/London')}; you can change it until the poll closes.`,
    );
    // The chosen time's button is marked.
    const marked = buttonsOf(first.args['blocks']).filter((x) => x.style === 'primary');
    expect(marked.map((x) => x.value)).toEqual([`${meetingId}:1:${a.key}`]);
    expect(text(await vote('ny', a.key))).toContain(
      `2 of 4 have answered. You chose ${slotIn(a.start, a.end, 'America/New_York')};`,
    );
    expect(text(await vote('berlin', a.key))).toContain('3 of 4 have answered.');
    // Bernd changes his mind on the same card: still three answers, the new one marked.
    const changed = await vote('berlin', b.key);
    expect(text(changed)).toContain(
      `3 of 4 have answered. You chose ${slotIn(b.start, b.end, 'Europe/Berlin')};`,
    );
    expect(buttonsOf(changed.args['blocks']).find((x) => x.style === 'primary')!.value).toBe(
      `${meetingId}:1:${b.key}`,
    );
    const m = await get(`/meetings/${meetingId}`);
    expect(m.poll.status).toBe('open');
    expect(
      Object.fromEntries(
        m.poll.votes.map((v: { memberId: string; option: string }) => [v.memberId, v.option]),
      ),
    ).toEqual({
      [people['po']!.id]: a.key,
      [people['ny']!.id]: a.key,
      [people['berlin']!.id]: b.key,
    });
  });

  let tie: Delivered;
  it('the last answer ties the poll: that card says so, the chair gets the tie card, a late press is refused', async () => {
    const [a, b] = [options[0]!, options[1]!];
    const last = await vote('sg', b.key);
    const body = text(last);
    expect(body).not.toContain('poll.vote'); // no more answers
    expect(body).toContain(
      `This poll is closed with a tie between 2 times: the chair picks one, and everyone invited then gets the invitation. You chose ${slotIn(b.start, b.end, 'Asia/Singapore')}.`,
    );
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({ status: 'polling', poll: { status: 'tied', tied: [a.key, b.key] } });
    // The chair's tie card, in her DM.
    tie = await delivered(`meeting-poll-tie:${meetingId}:r1`);
    expect(tie.where.channel).toBe('DU0PO');
    expect(text(tie.call)).toContain(`Break the tie: ${TITLE}`);
    const picks = buttonsOf(tie.blocks).filter((x) => x.action_id.startsWith('poll.pick'));
    expect(picks.map((x) => x.value)).toEqual([`${meetingId}:1:${a.key}`, `${meetingId}:1:${b.key}`]);
    expect(picks.map((x) => x.label)).toEqual(
      [a, b].map((o) => DateTime.fromISO(o.start, { zone: 'Europe/London' }).toFormat('ccc d LLL HH:mm')),
    );
    // Nina presses her old card: told the poll is closed, her message left as it was.
    const updates = callsOf('chat.update').length;
    const said = callsOf('chat.postEphemeral').length;
    await press(
      'ny',
      buttonFor(cards['ny']!.blocks, 'poll.vote', (v) => v.endsWith(`:${b.key}`)),
      cards['ny']!.where,
    );
    const line = await ephemeralFor('ny', said);
    expect(line.args).toMatchObject({ channel: 'DU0NY', text: 'This time poll is closed.' });
    expect(callsOf('chat.update')).toHaveLength(updates);
    expect((await get(`/meetings/${meetingId}`)).poll.votes).toHaveLength(4);
  });

  it('a leader pressing the pick is refused with a line; the chair’s pick invites everyone for that time', async () => {
    const b = options[1]!;
    const pickB = buttonFor(tie.blocks, 'poll.pick', (v) => v.endsWith(`:${b.key}`));
    let said = callsOf('chat.postEphemeral').length;
    await press('berlin', pickB, { channel: 'DU0BER', ts: '1.1' });
    expect((await ephemeralFor('berlin', said)).args).toMatchObject({
      channel: 'DU0BER',
      text: 'Only the chair (or a process owner) breaks a tie.',
    });
    expect((await get(`/meetings/${meetingId}`)).poll.status).toBe('tied');
    expect(
      await t.accord.db.models.OutboxMessage.countDocuments({
        key: { $regex: `^meeting-invite:${meetingId}` },
      }),
    ).toBe(0);

    // The chair's pick replaces her tie card: the time taken, no buttons left.
    const updates = callsOf('chat.update').length;
    await press('po', pickB, tie.where);
    const replaced = await until(() => callsOf('chat.update')[updates]);
    expect({ channel: replaced.args['channel'], ts: replaced.args['ts'] }).toEqual(tie.where);
    expect(text(replaced)).toContain(
      `${TITLE} is on ${slotIn(b.start, b.end, 'Europe/London')}. Everyone invited gets the invitation for that time.`,
    );
    expect(buttonsOf(replaced.args['blocks'])).toEqual([]);
    const m = await get(`/meetings/${meetingId}`);
    expect(m).toMatchObject({
      status: 'scheduled',
      how: 'poll',
      start: b.start,
      end: b.end,
      poll: { status: 'closed', chosen: b.key },
    });
    // Everyone's invitation for the picked time, in their own zone, as a DM (each in their working hours).
    for (const who of invitees) {
      const seq = m.sequence as number;
      const key = `meeting-invite:${meetingId}:s${seq}:${people[who]!.id}`;
      if (who === 'sg') {
        // Singapore's copy waits for the morning there (22:30 now).
        await drain();
        expect(await t.accord.db.models.OutboxMessage.findOne({ key }).lean()).toMatchObject({
          status: 'pending',
        });
        t.clock.set('2027-02-02T01:00:00Z');
      } else t.clock.set('2027-02-01T14:30:00Z');
      const d = await delivered(key);
      expect(d.call.args['channel']).toBe(people[who]!.slack);
      expect(text(d.call)).toContain(`Invitation: ${TITLE}`);
      expect(text(d.call)).toContain(slotIn(b.start, b.end, people[who]!.zone));
    }
    // Pressed again, the pick changes nothing.
    said = callsOf('chat.postEphemeral').length;
    await press('po', pickB, tie.where);
    expect((await ephemeralFor('po', said)).args['text']).toBe('This time poll is closed.');
    expect((await get(`/meetings/${meetingId}`)).sequence).toBe(m.sequence);
  });
});

describe('the live Pre-S&OP meeting in Slack: +5 min and Escalate', () => {
  let start: Date;
  let thread: Where;
  let item: Delivered;
  let timebox: number;
  let title: string;
  let notice: Delivered;

  it('starts at the picked time; item 1 is posted in the thread of the S&OP channel', async () => {
    t.clock.set('2027-02-08T10:00:00Z');
    const pack = await t.http
      .post(api(`/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    expect(pack.status).toBe(201);
    const agenda = await get(`/meetings/${meetingId}/agenda`);
    expect(agenda.items.length).toBeGreaterThanOrEqual(2);
    timebox = agenda.items[0].timeboxMinutes;
    title = agenda.items[0].title;
    start = new Date((await get(`/meetings/${meetingId}`)).start);
    t.clock.set(start.toISOString());
    await press(
      'po',
      { action_id: 'meeting.start', block_id: 'b', value: meetingId, label: '', style: undefined },
      {
        channel: 'DU0PO',
        ts: '1.1',
      },
    );
    const live = await delivered(`meeting-live:${meetingId}`);
    expect(live.where.channel).toBe('C0SOP');
    thread = live.where;
    item = await delivered(`meeting-item:${meetingId}:0`);
    expect(item.call.args['thread_ts']).toBe(thread.ts);
    expect(text(item.call)).toContain('Item 1 of ');
    expect(text(item.call)).toContain(
      `Timebox ${timebox} min: until ${hhmm(new Date(start.getTime() + timebox * 60_000))} (Europe/London).`,
    );
  });

  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();

  it('+5 min: a leader is refused; the chair is told the new end, and time is up only when it runs out', async () => {
    t.clock.set(at(2));
    const extend = buttonFor(item.blocks, 'meeting.extend');
    expect(extend.value).toBe(`${meetingId}:0`);
    let said = callsOf('chat.postEphemeral').length;
    await press('ny', extend, thread);
    expect((await ephemeralFor('ny', said)).args).toMatchObject({
      channel: 'C0SOP',
      text: 'Only the chair (Paula PO) or a process owner runs this meeting.',
    });
    said = callsOf('chat.postEphemeral').length;
    await press('po', extend, thread);
    const until1 = hhmm(new Date(start.getTime() + (timebox + 5) * 60_000));
    expect((await ephemeralFor('po', said)).args).toMatchObject({
      channel: 'C0SOP',
      user: 'U0PO',
      text: `5 more minutes for "${title}": until ${until1} (Europe/London).`,
    });
    expect((await get(`/meetings/${meetingId}`)).live.items[0].extraMinutes).toBe(5);
    // The timebox alone has run out: no notice yet.
    expect(await meetingsAt(at(timebox))).toBe(0);
    expect(await meetingsAt(at(timebox + 4))).toBe(0);
    // The extension has run out: one notice in the thread, once.
    expect(await meetingsAt(at(timebox + 5))).toBe(1);
    expect(await meetingsAt(at(timebox + 6))).toBe(0);
    notice = await delivered(`meeting-time-up:${meetingId}:0:6`);
    expect(notice.call.args['thread_ts']).toBe(thread.ts);
    expect(text(notice.call)).toContain(
      `Time is up for \\"${title}\\" (${timebox + 5} min, since ${hhmm(start)}).`,
    );

    // "+5 min" on the notice itself: five more again, and the next notice after those.
    said = callsOf('chat.postEphemeral').length;
    await press('po', buttonFor(notice.blocks, 'meeting.extend'), thread);
    expect((await ephemeralFor('po', said)).args['text']).toBe(
      `5 more minutes for "${title}": until ${hhmm(new Date(start.getTime() + (timebox + 10) * 60_000))} (Europe/London).`,
    );
    expect(await meetingsAt(at(timebox + 9))).toBe(0);
    expect(await meetingsAt(at(timebox + 10))).toBe(1);
    expect(
      await t.accord.db.models.OutboxMessage.countDocuments({
        key: { $regex: `^meeting-time-up:${meetingId}:0:` },
      }),
    ).toBe(2);
  });

  it('Escalate: a leader is refused; the chair’s modal sends the item to a named person, who gets a DM', async () => {
    t.clock.set(at(timebox + 11));
    const escalate = buttonFor(item.blocks, 'meeting.escalate');
    const opened = () => callsOf('views.open').length;
    const before = opened();
    const said = callsOf('chat.postEphemeral').length;
    await press('ny', escalate, thread);
    expect((await ephemeralFor('ny', said)).args['text']).toBe('Only the chair (Paula PO) closes an item.');
    expect(opened()).toBe(before);

    // The chair escalates from the time-up notice, which offers the item card's buttons for the chair.
    const fromNotice = buttonFor(notice.blocks, 'meeting.escalate');
    expect(fromNotice.value).toBe(escalate.value);
    await press('po', fromNotice, thread);
    const modal = await until(() => callsOf('views.open')[before]);
    const view = modal.args['view'] as Json;
    expect(view).toMatchObject({
      callback_id: 'meeting.escalate.submit',
      private_metadata: `${meetingId}:0`,
    });
    const blocks = view['blocks'] as Json[];
    expect(blocks.filter((b) => b['block_id']).map((b) => b['block_id'])).toEqual(['reason', 'to']);
    const to = blocks.find((b) => b['block_id'] === 'to')!;
    expect(JSON.stringify(to)).toContain(people['ceo']!.id);

    const submit = (values: Record<string, Record<string, unknown>>) =>
      post(formBody(viewSubmission('U0PO', 'meeting.escalate.submit', `${meetingId}:0`, values)));
    // Without a reason: refused beside the field, nothing closed.
    const refused = await submit({ reason: typed(''), to: chosen(people['ceo']!.id) });
    expect(refused.body).toMatchObject({ response_action: 'errors' });
    expect(refused.body.errors.reason).toContain('say why it goes up');
    expect((await get(`/meetings/${meetingId}`)).live.items[0].closedAt).toBeNull();

    const reason = 'the margin at stake is above what this meeting may commit';
    const ok = await submit({ reason: typed(reason), to: chosen(people['ceo']!.id) });
    expect(ok.body).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(ok.body.view)).toContain(`Escalated to Cory CEO: ${reason}.`);
    const m = await get(`/meetings/${meetingId}`);
    expect(m.live.items[0]).toMatchObject({
      outcome: 'escalated',
      escalation: { reason, to: people['ceo']!.id },
    });
    // The CEO hears of it in his DM; the thread gets the closed item, then item 2.
    const told = await delivered(`meeting-escalated:${meetingId}:0:${people['ceo']!.id}`);
    expect(told.call.args['channel']).toBe('U0CEO');
    expect(text(told.call)).toContain(`Escalated to Cory CEO: ${reason}.`);
    const closed = await delivered(`meeting-item-closed:${meetingId}:0`);
    expect(closed.call.args['thread_ts']).toBe(thread.ts);
    const next = await delivered(`meeting-item:${meetingId}:1`);
    expect(next.call.args['thread_ts']).toBe(thread.ts);
    expect(text(next.call)).toContain('Item 2 of ');
  });
});
