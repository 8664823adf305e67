/**
 * A scripted executive S&OP meeting in Slack, through the real Bolt app (Slack-signed requests built
 * from the fixture shapes) and the outbox's Slack deliverer against a local fake Slack Web API:
 * a time proposed across three time zones, an updated invitation after a change of time (parsed by
 * ical.js), the agenda from a pack with three trade-offs, reminders, the live meeting in a thread
 * of the S&OP channel (presence, late arrival, a delegate, votes with dissent), one item deferred
 * and two decided with owners (deciding without an owner is refused), and the minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { runMeetings } from '../../src/app/meetings.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  uploadCompany,
  type OrgHandle,
  THREE_TRADEOFFS,
} from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';
import {
  blockAction,
  chosen,
  formBody,
  slashCommand,
  typed,
  viewSubmission,
} from '../helpers/slackPayloads.js';

const SECRET = 'meeting-signing-secret-1';
let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let cycleId: string;
let meetingId: string;
const people: Record<string, { id: string; slack: string }> = {};

const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
const post = (body: string) => t.http.post('/slack/events').set(slackHeaders(SECRET, body)).send(body);
const drain = () => t.accord.slackDeliverer!.drain();
/** Runs the sweep's meeting part at `at`; how many messages it queued for the executive meeting. */
const meetingsAt = async (at: string) => {
  t.clock.set(at);
  const count = () => t.accord.db.models.OutboxMessage.countDocuments({ key: { $regex: meetingId } });
  const before = await count();
  await runMeetings(t.accord.deps);
  return (await count()) - before;
};

/** A button pressed on a message (in the S&OP channel, or a DM): Slack sends where it was. */
function click(who: string, actionId: string, value: string, where: { channel: string; ts: string }) {
  return post(
    formBody(
      blockAction(
        people[who]!.slack,
        { action_id: actionId, block_id: 'b', value },
        {
          container: { type: 'message', channel_id: where.channel, message_ts: where.ts },
          channel: { id: where.channel, name: 'sop' },
          state: { values: {} },
        },
      ),
    ),
  );
}

/** The posts Slack received, with the text of their blocks. */
const posts = () =>
  slack.calls
    .filter((c) => c.method === 'chat.postMessage')
    .map((c, i) => ({ i, args: c.args, text: JSON.stringify(c.args['blocks'] ?? c.args['text']) }));
const postWith = (needle: string) => posts().find((p) => p.text.includes(needle));
async function until<T>(get: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}
/** Where the n-th postMessage landed: the ts Accord stored as its delivery. */
async function landedTs(i: number): Promise<string> {
  const call = slack.calls.filter((c) => c.method === 'chat.postMessage')[i]!;
  const text = JSON.stringify(call.args['blocks']);
  const docs = await t.accord.db.models.OutboxMessage.find({ status: 'delivered' }).lean();
  const doc = docs.find(
    (d) =>
      d['delivery']?.channel === call.args['channel'] &&
      JSON.stringify(d['card']).length > 0 &&
      text.includes('has started') &&
      d['key'] === `meeting-live:${meetingId}`,
  );
  return String(doc!['delivery'].ts);
}

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-01-25T10:00:00Z',
    publicUrl: 'https://accord.example.com',
    slack: { signingSecret: SECRET, botToken: 'xoxb-meeting', apiUrl: slack.url, sopChannel: 'C0SOP' },
  });
  org = await buildOrg(t, { name: 'Meeting Co', timezone: 'Europe/London' });
  const add = async (key: string, slackId: string, o: Record<string, unknown>) => {
    const m = await buildMember(t, org, { email: `${key}@meeting.example.com`, ...o });
    people[key] = { id: m.id, slack: slackId };
    slack.addUser(slackId, `${key}@meeting.example.com`);
  };
  await add('po', 'U0PO', { name: 'Petra PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add('ceo', 'U0CEO', { name: 'Cory CEO', roles: ['executive'], timezone: 'America/New_York' });
  await add('cfo', 'U0CFO', { name: 'Frida CFO', roles: ['executive'], timezone: 'Europe/Berlin' });
  await add('coo', 'U0COO', { name: 'Olu COO', roles: ['executive'], timezone: 'Europe/London' });
  await add('deputy', 'U0DEP', {
    name: 'Dara Deputy',
    timezone: 'Europe/London',
    delegation: { of: people['coo']!.id, authority: true },
  });
  await add('sales', 'U0SAL', { name: 'Sam Sales', roles: ['functional-leader'], functions: ['sales'] });
  // A company with three separate capacity problems: three trade-offs in the pack.
  await uploadCompany(t, org, THREE_TRADEOFFS);
  // The executive meeting: an hour, at a time Accord proposes inside everyone's working hours.
  const set = await t.http
    .patch(api('/meeting-settings'))
    .set(org.auth)
    .send({ actorId: people['po']!.id, meetings: { 'executive-sop': { propose: true, minutes: 60 } } });
  expect(set.status).toBe(200);
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  meetingId = `${cycleId}-executive-sop`;
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('an executive S&OP meeting in Slack', () => {
  it('proposes the earliest hour inside the working hours of New York, London and Berlin', async () => {
    await sweepAt(t, '2027-02-01T09:00:00Z'); // the cycle starts
    await meetingsAt('2027-02-01T09:00:00Z');
    const m = (await t.http.get(api(`/meetings/${meetingId}`)).set(org.auth)).body;
    // Executive S&OP is business day 13 (Wed 17 Feb), 09:00-17:00 London; New York starts at
    // 08:00 (13:00 UTC) and Berlin stops at 19:00 (18:00 UTC): 13:00-14:00 UTC.
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
    expect(m.people.every((i: { fits: boolean }) => i.fits)).toBe(true);
    await drain();
    const invites = posts().filter((p) => p.text.includes('Invitation: Executive S&amp;OP 2027-02'));
    // The New York CEO's copy waits for his working day (04:00 there now).
    expect(invites.map((p) => p.args['channel']).sort()).toEqual(['U0CFO', 'U0COO', 'U0PO']);
    expect(invites.find((p) => p.args['channel'] === 'U0CFO')!.text).toContain(
      'Wed 17 Feb, 14:00-15:00 (Europe/Berlin)',
    );
    t.clock.set('2027-02-01T13:00:00Z');
    await drain();
    const ceo = posts().find((p) => p.args['channel'] === 'U0CEO' && p.text.includes('Invitation'))!;
    expect(ceo.text).toContain('Wed 17 Feb, 08:00-09:00 (America/New_York)');
    // Run again: nothing more (scheduled once).
    expect(await meetingsAt('2027-02-01T09:05:00Z')).toBe(0);
  });

  it('moves the meeting and sends the updated invitation: same UID, next SEQUENCE, a valid calendar', async () => {
    t.clock.set('2027-02-02T14:00:00Z');
    const before = (await t.http.get(api(`/meetings/${meetingId}.ics`)).set(org.auth)).text;
    const res = await t.http
      .patch(api(`/meetings/${meetingId}/time`))
      .set(org.auth)
      .send({ actorId: people['po']!.id, start: '2027-02-17T13:30:00Z', reason: 'the CFO lands at 13:00' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      start: '2027-02-17T13:30:00.000Z',
      end: '2027-02-17T14:30:00.000Z',
      sequence: 1,
    });
    await drain();
    const moved = posts().filter((p) => p.text.includes('New time: Executive S&amp;OP 2027-02'));
    expect(moved).toHaveLength(4);
    // The .ics button of the CEO's copy, opened as a browser would (a signed link, no token).
    const link = /"url":"(https:\/\/accord\.example\.com[^"]+\.ics[^"]*)"/.exec(
      moved.find((p) => p.args['channel'] === 'U0CEO')!.text,
    )![1]!;
    const url = new URL(link);
    const ics = await t.http.get(url.pathname + url.search);
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
    expect(now.cal.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(now.event.attendees).toHaveLength(4);
    // A reason is required, field by field, and nothing changes.
    const bad = await t.http
      .patch(api(`/meetings/${meetingId}/time`))
      .set(org.auth)
      .send({ actorId: people['po']!.id, start: '2027-02-17T15:00:00Z', reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('reason');
    expect((await t.http.get(api(`/meetings/${meetingId}`)).set(org.auth)).body.sequence).toBe(1);
  });

  it('builds the agenda from the pack: the trade-offs by money at stake, each with a timebox', async () => {
    const pack = await t.http
      .post(api(`/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    expect(pack.status).toBe(201);
    expect(pack.body.tradeoffs).toHaveLength(3);
    const agenda = (await t.http.get(api(`/meetings/${meetingId}/agenda`)).set(org.auth)).body;
    type Item = { title: string; moneyAtStake: number; timeboxMinutes: number; recommendation: string };
    const items = agenda.items as Item[];
    expect(items).toHaveLength(3);
    const money = items.map((i) => i.moneyAtStake);
    expect(money).toEqual([...money].sort((a, b) => b - a));
    // An hour: 5 minutes to open, 5 to wrap up, the rest shared by money at stake.
    expect(items.reduce((n, i) => n + i.timeboxMinutes, 0)).toBeLessThanOrEqual(50);
    expect(items.every((i) => i.timeboxMinutes >= 5 && i.timeboxMinutes % 5 === 0 && i.recommendation)).toBe(
      true,
    );
    expect(agenda).toMatchObject({ overrun: 0, minutes: 60, fixed: false });
  });

  it('sends the agenda one business day before, then reminders 24 hours and 15 minutes before', async () => {
    expect(await meetingsAt('2027-02-15T16:00:00Z')).toBe(0); // Monday: nothing yet
    expect(await meetingsAt('2027-02-16T09:00:00Z')).toBe(4); // Tuesday 09:00 London: the agenda
    t.clock.set('2027-02-16T13:00:00Z');
    await drain();
    const agendas = posts().filter((p) => p.text.includes('Agenda: Executive S&amp;OP 2027-02'));
    expect(agendas.map((p) => p.args['channel']).sort()).toEqual(['U0CEO', 'U0CFO', 'U0COO', 'U0PO']);
    expect(agendas[0]!.text).toContain('Open the pack');
    expect(await meetingsAt('2027-02-16T13:30:00Z')).toBe(4); // 24 hours before
    expect(await meetingsAt('2027-02-16T13:45:00Z')).toBe(0); // once
    expect(await meetingsAt('2027-02-17T13:15:00Z')).toBe(4); // 15 minutes before
    await drain();
    const soon = posts().filter((p) => p.text.includes('In 15 minutes: Executive S&amp;OP 2027-02'));
    expect(soon).toHaveLength(4);
    // Only the chair's (the process owner's) has the Start button.
    expect(
      soon.filter((p) => p.text.includes('"action_id":"meeting.start"')).map((p) => p.args['channel']),
    ).toEqual(['U0PO']);
    // `/sop meeting` shows it too, with the agenda.
    const res = await post(slashCommand('U0PO', 'meeting', 'T111'));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('meeting.start');
  });

  let thread: { channel: string; ts: string };
  const itemCard = async (n: number) => {
    const post1 = await until(async () => {
      await drain();
      return posts().find((p) => p.text.includes(`Item ${n} of 3:`) && p.text.includes('meeting.decide'));
    });
    expect(post1.args['thread_ts']).toBe(thread.ts);
    const ballotIds = [...post1.text.matchAll(/"value":"([a-f0-9]{24}):([^"]+)"/g)].map((m) => [
      m[1]!,
      m[2]!,
    ]);
    return { post: post1, ballotId: ballotIds[0]?.[0] ?? null, options: ballotIds.map((x) => x[1]!) };
  };

  it('starts in the S&OP channel when the chair presses Start: the agenda, then item 1 in its thread', async () => {
    t.clock.set('2027-02-17T13:30:00Z');
    const res = await click('po', 'meeting.start', meetingId, { channel: 'DU0PO', ts: '1.1' });
    expect(res.status).toBe(200);
    // Slack is answered first; the meeting starts and posts right after.
    const live = await until(async () => {
      await drain();
      return postWith('has started');
    });
    expect(live.args['channel']).toBe('C0SOP');
    expect(live.args['thread_ts']).toBeUndefined();
    thread = { channel: 'C0SOP', ts: String(await landedTs(live.i)) };
    const first = await itemCard(1);
    expect(first.ballotId).not.toBeNull();
  });

  it('records presence with one click: on time, late, and a delegate standing in', async () => {
    const told = (n: number) =>
      until(() => {
        const e = slack.calls.filter((c) => c.method === 'chat.postEphemeral');
        return e.length >= n ? e : undefined;
      });
    const before = slack.calls.filter((c) => c.method === 'chat.postEphemeral').length;
    t.clock.set('2027-02-17T13:32:00Z');
    await click('ceo', 'meeting.present', meetingId, thread);
    await told(before + 1);
    await click('deputy', 'meeting.present', meetingId, thread);
    await told(before + 2);
    t.clock.set('2027-02-17T13:41:00Z');
    await click('cfo', 'meeting.present', meetingId, thread);
    const said = await told(before + 3);
    const lines = said.map((c) => `${String(c.args['user'])}: ${String(c.args['text'])}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'U0CEO: You are marked present.',
        'U0DEP: You are marked as standing in for Olu COO.',
        'U0CFO: You are marked present (recorded as a late arrival).',
      ]),
    );
  });

  const vote = async (who: string, ballotId: string, option: string, why?: string) => {
    const where = thread;
    return post(
      formBody(
        blockAction(
          people[who]!.slack,
          { action_id: 'ballot.vote', block_id: 'b', value: `${ballotId}:${option}` },
          {
            container: { type: 'message', channel_id: where.channel, message_ts: '9.1' },
            channel: { id: where.channel, name: 'sop' },
            state: { values: why ? { [`why:${ballotId}`]: { value: typed(why) } } : {} },
          },
        ),
      ),
    );
  };
  const submit = (
    who: string,
    callbackId: string,
    context: string,
    values: Record<string, Record<string, unknown>>,
  ) => post(formBody(viewSubmission(people[who]!.slack, callbackId, context, values)));

  it('item 1: the executives present vote (one dissents), the chair closes it as decided with an owner', async () => {
    const { ballotId, options } = await itemCard(1);
    const [recommended, other] = [options[0]!, options.find((o) => o !== options[0])!];
    t.clock.set('2027-02-17T13:45:00Z');
    await vote('ceo', ballotId!, recommended);
    await vote('cfo', ballotId!, recommended);
    await vote('deputy', ballotId!, other, 'we cannot afford it this quarter');
    const update = await until(() =>
      slack.calls
        .filter((c) => c.method === 'chat.update')
        .find((c) => JSON.stringify(c.args['blocks']).includes('3 of 3 executives present have voted')),
    );
    expect(JSON.stringify(update.args['blocks'])).toContain('Olu COO (');
    // Close: decided. The form asks for an owner; without one it is refused and nothing is written.
    await click('po', 'meeting.decide', `${meetingId}:0`, thread);
    const opened = await until(() =>
      slack.calls.find(
        (c) => c.method === 'views.open' && JSON.stringify(c.args).includes('meeting.decide.submit'),
      ),
    );
    expect(JSON.stringify(opened.args['view'])).toContain('Owner');
    const refused = await submit('po', 'meeting.decide.submit', `${meetingId}:0`, {
      action: typed('Book the overtime shifts'),
      due: { type: 'datepicker', selected_date: '2027-03-15' },
    });
    expect(refused.body).toMatchObject({ response_action: 'errors' });
    expect(refused.body.errors.owner).toContain('name an owner');
    expect((await t.http.get(api('/decisions')).set(org.auth)).body.items).toHaveLength(0);
    const ok = await submit('po', 'meeting.decide.submit', `${meetingId}:0`, {
      owner: chosen(people['cfo']!.id),
      action: typed('Book the overtime shifts'),
      due: { type: 'datepicker', selected_date: '2027-03-15' },
      rationale: typed('Cheapest way to keep the key accounts served'),
    });
    expect(ok.body).toMatchObject({ response_action: 'update' });
    await drain();
    expect(
      postWith('Action: Book the overtime shifts (owner Frida CFO, due 2027-03-15)')!.args['thread_ts'],
    ).toBe(thread.ts);
  });

  it('item 2: the chair defers it with a reason and a date', async () => {
    await itemCard(2);
    t.clock.set('2027-02-17T14:00:00Z');
    await click('po', 'meeting.defer', `${meetingId}:1`, thread);
    await until(() =>
      slack.calls.find(
        (c) => c.method === 'views.open' && JSON.stringify(c.args).includes('meeting.defer.submit'),
      ),
    );
    const bad = await submit('po', 'meeting.defer.submit', `${meetingId}:1`, {
      reason: typed("waiting for the supplier's answer"),
      until: { type: 'datepicker', selected_date: '2027-02-10' },
    });
    expect(bad.body.errors.until).toBeDefined();
    const ok = await submit('po', 'meeting.defer.submit', `${meetingId}:1`, {
      reason: typed("waiting for the supplier's answer"),
      until: { type: 'datepicker', selected_date: '2027-03-10' },
    });
    expect(ok.body).toMatchObject({ response_action: 'update' });
    await drain();
  });

  it('item 3: decided with an owner; the chair ends the meeting and Accord posts the minutes', async () => {
    const { ballotId, options } = await itemCard(3);
    t.clock.set('2027-02-17T14:10:00Z');
    await vote('ceo', ballotId!, options[0]!);
    await vote('cfo', ballotId!, options[0]!);
    await until(async () => (await t.accord.db.models.Vote.countDocuments({ ballotId })) === 2);
    const ok = await submit('po', 'meeting.decide.submit', `${meetingId}:2`, {
      owner: chosen(people['ceo']!.id),
      action: typed('Approve the alternate supplier'),
      due: { type: 'datepicker', selected_date: '2027-03-01' },
    });
    expect(ok.body).toMatchObject({ response_action: 'update' });
    t.clock.set('2027-02-17T14:20:00Z');
    await click('po', 'meeting.end', meetingId, thread);
    await until(
      async () => (await t.http.get(api(`/meetings/${meetingId}`)).set(org.auth)).body.status === 'ended',
    );
    await drain();
    const posted = postWith('Minutes: Executive S&amp;OP 2027-02')!;
    expect(posted.args['channel']).toBe('C0SOP');
    const minutes = (await t.http.get(api(`/meetings/${meetingId}/minutes`)).set(org.auth)).body;
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
    // Searchable with the decision register.
    const found = (await t.http.get(api('/minutes?q=supplier')).set(org.auth)).body.items;
    expect(found.map((x: { meetingId: string }) => x.meetingId)).toEqual([meetingId]);
  });

  it("brings the deferred item back: the process owner hears of it on its date, and it is on next month's agenda", async () => {
    const back = (
      await t.accord.db.models.OutboxMessage.find({ key: { $regex: '^meeting-deferred-back:' } }).lean()
    ).map((m) => [String(m['recipient']?.name), new Date(String(m['notBefore'])).toISOString()]);
    expect(back).toEqual([['Petra PO', '2027-03-10T09:00:00.000Z']]);
    const march = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-03' })).body
      .id as string;
    expect(
      (
        await t.http
          .post(api(`/cycles/${march}/pack`))
          .set(org.auth)
          .send({})
      ).status,
    ).toBe(201);
    const agenda = (await t.http.get(api(`/meetings/${march}-executive-sop/agenda`)).set(org.auth)).body;
    const marked = (agenda.items as { question: string }[]).filter((i) =>
      i.question.startsWith("Deferred in 2027-02 until 2027-03-10: waiting for the supplier's answer."),
    );
    expect(marked).toHaveLength(1);
  });
});
