/**
 * The cycle's meetings over real HTTP and the real database, with the outbox as the boundary (no
 * Slack or Teams): the settings and their refusals, the fixed slot, a time poll across four time
 * zones answered through the chat buttons (settled by everyone answering, by the chair on a tie,
 * and by its deadline), a cancellation (.ics parsed by ical.js), agenda edits, reminders held for
 * an invitee's working hours and re-armed by a change of time, the live meeting's edges (an added
 * item, extensions and time-up notices, an escalation, items not reached, absentees, minutes
 * versions and search, the KPIs), and another org's token kept out of all of it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { meetingButton } from '../../src/app/meetingButtons.js';
import {
  breakPollTie,
  closeItem,
  endMeeting,
  extendItem,
  markPresent,
  runMeetings,
  startMeeting,
} from '../../src/app/meetings.js';
import type { Card } from '../../src/cards/card.js';
import { DomainError } from '../../src/domain/errors.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  uploadCompany,
  type OrgHandle,
  THREE_TRADEOFFS,
} from '../helpers/factories.js';

const DEFAULT_SLOT = { day: -1, time: '15:00', minutes: 90, propose: false };

let t: TestAccord;
/** Fixed Co (London): the settings, the fixed slot, the cancellation. */
let fixed: OrgHandle;
/** Poll Co (London): a pre-S&OP meeting whose invitees share no working hour. */
let poll: OrgHandle;
/** Live Co (London): agenda edits, reminders, the live meeting, minutes and KPIs. */
let live: OrgHandle;
/** Other Co: another tenant. */
let other: OrgHandle;
const ids: Record<string, string> = {};
const cycles: Record<string, string> = {};

interface OutboxItem {
  key: string;
  kind: string;
  recipient: { memberId: string; name: string };
  channel: string | null;
  card: Card;
  notBefore: string;
  status: string;
}

const api = (o: OrgHandle, p: string) => `/api/v1/orgs/${o.id}${p}`;
const meetingOf = (org: string, step: 'pre-sop' | 'executive-sop') => `${cycles[org]}-${step}`;
const getMeeting = async (o: OrgHandle, id: string) => {
  const res = await t.http.get(api(o, `/meetings/${id}`)).set(o.auth);
  expect(res.status).toBe(200);
  return res.body;
};

/** Every message of the org in the outbox (all pages), optionally of one kind. */
async function outbox(o: OrgHandle, kind?: string): Promise<OutboxItem[]> {
  const out: OutboxItem[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { items: OutboxItem[]; next: string | null } } = await t.http
      .get(
        api(
          o,
          `/outbox?limit=100${kind ? `&kind=${kind}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ),
      )
      .set(o.auth);
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.next;
  } while (cursor);
  return out;
}
const keyed = async (o: OrgHandle, prefix: string) =>
  (await outbox(o)).filter((m) => m.key.startsWith(prefix));
const text = (c: Card) => JSON.stringify(c);
/** `Mon 15 Feb, 08:00` in London, as the cards show a time. */
const londonTime = (iso: string) =>
  DateTime.fromISO(iso, { zone: 'Europe/London' }).toFormat('ccc d LLL, HH:mm');
/** The values of a card's buttons for one action. */
const buttonValues = (c: Card, action: string): string[] =>
  c.blocks
    .flatMap((b) => (b.type === 'actions' ? b.buttons.filter((x) => x.action === action) : []))
    .map((x) => x.value);

async function records(o: OrgHandle, memberKey: string) {
  const org = (await t.accord.deps.orgs.get(o.id))!;
  const member = (await t.accord.deps.members.get(o.id, ids[memberKey]!))!;
  return { org, member };
}
/** A chat button pressed by a member, through the same code the Slack and Teams listeners call. */
async function press(o: OrgHandle, memberKey: string, action: string, value: string) {
  const { org, member } = await records(o, memberKey);
  return meetingButton(t.accord.deps, org, member, action, value);
}
/** Runs the sweep's meeting part at `at`. */
async function meetingsAt(at: string) {
  t.clock.set(at);
  return runMeetings(t.accord.deps);
}
async function rejects(p: Promise<unknown>, code: string): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  return err as DomainError;
}
const parseIcs = (ics: string) => {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const vevent = cal.getFirstSubcomponent('vevent')!;
  return {
    method: cal.getFirstPropertyValue('method'),
    status: vevent.getFirstPropertyValue('status'),
    event: new ICAL.Event(vevent),
  };
};
async function auditActions(o: OrgHandle, action: string): Promise<number> {
  const res = await t.http.get(api(o, `/audit?limit=100&action=${action}`)).set(o.auth);
  expect(res.status).toBe(200);
  return res.body.items.length;
}

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-25T10:00:00Z' });
  const add = async (o: OrgHandle, key: string, fields: Record<string, unknown>) => {
    const m = await buildMember(t, o, { email: `${key}@meetings.example.com`, ...fields });
    ids[key] = m.id;
  };
  fixed = await buildOrg(t, { name: 'Fixed Co', timezone: 'Europe/London' });
  await add(fixed, 'f.po', { name: 'Fiona PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add(fixed, 'f.ceo', { name: 'Fred CEO', roles: ['executive'], timezone: 'Europe/London' });
  await add(fixed, 'f.cfo', { name: 'Fay CFO', roles: ['executive'], timezone: 'Europe/Paris' });

  poll = await buildOrg(t, { name: 'Poll Co', timezone: 'Europe/London' });
  await add(poll, 'p.po', { name: 'Paula PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add(poll, 'p.ny', {
    name: 'Nina Sales',
    roles: ['functional-leader'],
    functions: ['sales'],
    timezone: 'America/New_York',
  });
  await add(poll, 'p.berlin', {
    name: 'Bernd Ops',
    roles: ['functional-leader'],
    functions: ['operations'],
    timezone: 'Europe/Berlin',
  });
  await add(poll, 'p.sg', {
    name: 'Siew Finance',
    roles: ['functional-leader'],
    functions: ['finance'],
    timezone: 'Asia/Singapore',
  });

  live = await buildOrg(t, { name: 'Live Co', timezone: 'Europe/London' });
  await add(live, 'l.po', { name: 'Lena PO', roles: ['process-owner'], timezone: 'Europe/London' });
  await add(live, 'l.ceo', { name: 'Cory CEO', roles: ['executive'], timezone: 'America/New_York' });
  await add(live, 'l.cfo', { name: 'Frida CFO', roles: ['executive'], timezone: 'Europe/Berlin' });
  await add(live, 'l.coo', { name: 'Olu COO', roles: ['executive'], timezone: 'Europe/London' });
  await uploadCompany(t, live, THREE_TRADEOFFS);

  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/London' });
  await add(other, 'o.po', { name: 'Otto PO', roles: ['process-owner'], timezone: 'Europe/London' });

  // Poll Co asks for a time that suits every pre-S&OP invitee; Live Co meets at 08:00 on the due day.
  const setPoll = await t.http
    .patch(api(poll, '/meeting-settings'))
    .set(poll.auth)
    .send({ actorId: ids['p.po'], meetings: { 'pre-sop': { propose: true } } });
  expect(setPoll.status).toBe(200);
  const setLive = await t.http
    .patch(api(live, '/meeting-settings'))
    .set(live.auth)
    .send({ actorId: ids['l.po'], meetings: { 'executive-sop': { time: '08:00' } } });
  expect(setLive.status).toBe(200);
  for (const [name, o] of [
    ['fixed', fixed],
    ['poll', poll],
    ['live', live],
  ] as const) {
    const res = await t.http.post(api(o, '/cycles')).set(o.auth).send({ month: '2027-02' });
    expect(res.status).toBe(201);
    cycles[name] = res.body.id;
  }
});
afterAll(() => t.close());

describe('meeting settings', () => {
  it('shows the defaults: 15:00 on the due day for 90 minutes, no proposal', async () => {
    const res = await t.http.get(api(fixed, '/meeting-settings')).set(fixed.auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ 'pre-sop': DEFAULT_SLOT, 'executive-sop': DEFAULT_SLOT });
  });

  it('refuses bad values field by field and writes nothing', async () => {
    const before = await auditActions(fixed, 'meetings.settings-changed');
    const res = await t.http
      .patch(api(fixed, '/meeting-settings'))
      .set(fixed.auth)
      .send({
        actorId: ids['f.po'],
        meetings: { 'executive-sop': { day: 0, time: '25:00', minutes: 7, propose: 'yes' }, board: {} },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toEqual({
      'meetings.executive-sop.day': expect.stringContaining('must not be 0'),
      'meetings.executive-sop.time': 'must be HH:MM (24-hour)',
      'meetings.executive-sop.minutes': expect.stringContaining('at least 15'),
      'meetings.executive-sop.propose': 'must be true or false',
      'meetings.board': 'unknown field',
    });
    // One at a time too: each bad value alone is refused with its own field.
    for (const [field, value] of [
      ['day', 0],
      ['time', '25:00'],
      ['minutes', 7],
      ['propose', 'yes'],
    ] as const) {
      const one = await t.http
        .patch(api(fixed, '/meeting-settings'))
        .set(fixed.auth)
        .send({ actorId: ids['f.po'], meetings: { 'pre-sop': { [field]: value } } });
      expect([field, one.status, Object.keys(one.body.error.fields)]).toEqual([
        field,
        400,
        [`meetings.pre-sop.${field}`],
      ]);
    }
    const unknown = await t.http
      .patch(api(fixed, '/meeting-settings'))
      .set(fixed.auth)
      .send({ actorId: '0123456789abcdef01234567', meetings: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toHaveProperty('actorId');
    expect((await t.http.get(api(fixed, '/meeting-settings')).set(fixed.auth)).body).toEqual({
      'pre-sop': DEFAULT_SLOT,
      'executive-sop': DEFAULT_SLOT,
    });
    expect(await auditActions(fixed, 'meetings.settings-changed')).toBe(before);
  });

  it('is the process owner’s to change: an executive is refused with 403', async () => {
    const res = await t.http
      .patch(api(fixed, '/meeting-settings'))
      .set(fixed.auth)
      .send({ actorId: ids['f.ceo'], meetings: { 'pre-sop': { time: '10:00' } } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await t.http.get(api(fixed, '/meeting-settings')).set(fixed.auth)).body['pre-sop']).toEqual(
      DEFAULT_SLOT,
    );
  });

  it("answers another org's token with 403, and its own path knows none of this org's members", async () => {
    for (const req of [
      t.http.get(api(fixed, '/meeting-settings')).set(other.auth),
      t.http
        .patch(api(fixed, '/meeting-settings'))
        .set(other.auth)
        .send({ actorId: ids['f.po'], meetings: { 'pre-sop': { time: '10:00' } } }),
    ]) {
      const res = await req;
      expect([res.status, res.body.error?.code]).toEqual([403, 'forbidden']);
    }
    const own = await t.http
      .patch(api(other, '/meeting-settings'))
      .set(other.auth)
      .send({ actorId: ids['f.po'], meetings: { 'pre-sop': { time: '10:00' } } });
    expect(own.status).toBe(400);
    expect(own.body.error.fields).toHaveProperty('actorId');
    expect((await t.http.get(api(fixed, '/meeting-settings')).set(fixed.auth)).body['pre-sop']).toEqual(
      DEFAULT_SLOT,
    );
  });

  it('sets one meeting’s slot (a field left out takes its default) and records who did', async () => {
    const res = await t.http
      .patch(api(fixed, '/meeting-settings'))
      .set(fixed.auth)
      .send({ actorId: ids['f.po'], meetings: { 'pre-sop': { day: 1, time: '10:00' } } });
    expect(res.status).toBe(200);
    const expected = {
      'pre-sop': { day: 1, time: '10:00', minutes: 90, propose: false },
      'executive-sop': DEFAULT_SLOT,
    };
    expect(res.body).toEqual(expected);
    expect((await t.http.get(api(fixed, '/meeting-settings')).set(fixed.auth)).body).toEqual(expected);
    expect(await auditActions(fixed, 'meetings.settings-changed')).toBe(1);
  });
});

describe('the fixed slot', () => {
  it('puts the executive meeting at 15:00-16:30 org time on the due day when nothing is proposed', async () => {
    const list = await t.http.get(api(fixed, `/cycles/${cycles['fixed']}/meetings`)).set(fixed.auth);
    expect(list.status).toBe(200);
    // Pre-S&OP opens on business day 10 (Fri 12 Feb); executive S&OP is due on day 13 (Wed 17 Feb).
    expect(
      list.body.items.map((m: { step: string; start: string; end: string; how: string }) => [
        m.step,
        m.start,
        m.end,
        m.how,
      ]),
    ).toEqual([
      ['pre-sop', '2027-02-12T10:00:00.000Z', '2027-02-12T11:30:00.000Z', 'fixed'],
      ['executive-sop', '2027-02-17T15:00:00.000Z', '2027-02-17T16:30:00.000Z', 'fixed'],
    ]);
  });

  it('schedules it once the cycle runs and invites the executives and the process owner', async () => {
    await sweepAt(t, '2027-02-01T09:00:00Z'); // every cycle starts
    await meetingsAt('2027-02-01T09:00:00Z');
    const id = meetingOf('fixed', 'executive-sop');
    const m = await getMeeting(fixed, id);
    expect(m).toMatchObject({
      start: '2027-02-17T15:00:00.000Z',
      end: '2027-02-17T16:30:00.000Z',
      how: 'fixed',
      status: 'scheduled',
      sequence: 0,
      timezone: 'Europe/London',
      ics: `/api/v1/orgs/${fixed.id}/meetings/${id}.ics`,
    });
    const invites = await keyed(fixed, `meeting-invite:${id}:s0:`);
    expect(invites.map((i) => i.recipient.memberId).sort()).toEqual(
      [ids['f.po'], ids['f.ceo'], ids['f.cfo']].sort(),
    );
    // Each in the invitee's own zone.
    const cfo = invites.find((i) => i.recipient.memberId === ids['f.cfo'])!;
    expect(text(cfo.card)).toContain('Wed 17 Feb, 16:00-17:30 (Europe/Paris)');
    // The outbox lists meeting messages by their kind.
    const byKind = await outbox(fixed, 'meeting');
    expect(byKind.length).toBeGreaterThan(0);
    expect(byKind.every((x) => x.kind === 'meeting')).toBe(true);
    // Scheduled once.
    await meetingsAt('2027-02-01T09:30:00Z');
    expect(await keyed(fixed, `meeting-invite:${id}:`)).toHaveLength(3);
  });
});

describe('a time poll when no time suits everyone (London, New York, Berlin, Singapore)', () => {
  const id = () => meetingOf('poll', 'pre-sop');
  const invitees = ['p.po', 'p.ny', 'p.berlin', 'p.sg'];
  /** Each invitee presses the poll button of their own card for the option given. */
  async function answer(round: number, choices: Record<string, string>) {
    const cards = await keyed(poll, `meeting-poll:${id()}:r${round}:`);
    for (const [who, option] of Object.entries(choices)) {
      const card = cards.find((c) => c.recipient.memberId === ids[who])!.card;
      const value = buttonValues(card, 'poll.vote').find((v) => v.endsWith(`:${option}`))!;
      const out = await press(poll, who, 'poll.vote', value);
      expect(out.kind).toBe('card');
    }
  }
  const icsOf = async () => {
    const res = await t.http.get(api(poll, `/meetings/${id()}.ics`)).set(poll.auth);
    return res.status === 200 ? parseIcs(res.text) : res.status;
  };

  it('opens a poll with one card per invitee and no time yet', async () => {
    const m = await getMeeting(poll, id());
    expect(m).toMatchObject({ status: 'polling', how: 'poll', start: null, ics: null });
    expect(m.poll).toMatchObject({ round: 1, status: 'open', votes: [] });
    expect(m.poll.options.length).toBeGreaterThanOrEqual(2);
    // Singapore and New York share no working hour: no option suits all four.
    for (const o of m.poll.options) expect(o.misses).toHaveLength(1);
    const cards = await keyed(poll, `meeting-poll:${id()}:r1:`);
    expect(cards.map((c) => c.recipient.memberId).sort()).toEqual(invitees.map((k) => ids[k]).sort());
    expect(cards.every((c) => c.kind === 'meeting')).toBe(true);
    expect(buttonValues(cards[0]!.card, 'poll.vote')).toHaveLength(m.poll.options.length);
    expect(await icsOf()).toBe(409);
  });

  it('settles as soon as everyone has answered, on the most chosen time', async () => {
    await answer(1, { 'p.po': 'b', 'p.ny': 'b', 'p.berlin': 'a' });
    expect((await getMeeting(poll, id())).poll).toMatchObject({ status: 'open' });
    expect(await keyed(poll, `meeting-invite:${id()}:`)).toHaveLength(0);
    await answer(1, { 'p.sg': 'b' });
    const m = await getMeeting(poll, id());
    const b = m.poll.options.find((o: { key: string }) => o.key === 'b');
    expect(m).toMatchObject({ status: 'scheduled', how: 'poll', start: b.start, end: b.end });
    expect(m.poll).toMatchObject({ status: 'closed', chosen: 'b' });
    const invites = await keyed(poll, `meeting-invite:${id()}:`);
    expect(invites).toHaveLength(4);
    const ics = await icsOf();
    expect(ics).not.toBe(409);
    expect(typeof ics === 'object' && ics.event.startDate.toJSDate().toISOString()).toBe(b.start);
  });

  let beforeTie: ReturnType<typeof parseIcs>;
  it('a tie goes to the chair: a non-chair may not pick, the chair does and everyone is invited anew', async () => {
    beforeTie = (await icsOf()) as ReturnType<typeof parseIcs>;
    t.clock.set('2027-02-02T10:00:00Z');
    const notPo = await t.http
      .post(api(poll, `/meetings/${id()}/poll`))
      .set(poll.auth)
      .send({ actorId: ids['p.ny'] });
    expect(notPo.status).toBe(403);
    const reopened = await t.http
      .post(api(poll, `/meetings/${id()}/poll`))
      .set(poll.auth)
      .send({ actorId: ids['p.po'] });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'polling', poll: { round: 2, status: 'open' } });
    expect(await keyed(poll, `meeting-poll:${id()}:r2:`)).toHaveLength(4);
    const invitesBefore = (await keyed(poll, `meeting-invite:${id()}:`)).length;

    await answer(2, { 'p.po': 'a', 'p.ny': 'a', 'p.berlin': 'c', 'p.sg': 'c' });
    const tied = await getMeeting(poll, id());
    expect(tied).toMatchObject({ status: 'polling', poll: { status: 'tied', tied: ['a', 'c'] } });
    const tie = await keyed(poll, `meeting-poll-tie:${id()}:`);
    expect(tie.map((x) => [x.key, x.recipient.memberId])).toEqual([
      [`meeting-poll-tie:${id()}:r2`, ids['p.po']],
    ]);
    const picks = buttonValues(tie[0]!.card, 'poll.pick');
    expect(picks.map((v) => v.slice(-1))).toEqual(['a', 'c']);
    // A leader presses the chair's button: refused, nothing changes.
    const refused = await press(poll, 'p.berlin', 'poll.pick', picks[1]!);
    expect(refused).toEqual({ kind: 'notice', text: 'Only the chair (or a process owner) breaks a tie.' });
    await rejects(breakPollTie(t.accord.deps, poll.id, id(), ids['p.sg']!, 'c'), 'forbidden');
    // The chair picks among the tied only.
    await rejects(breakPollTie(t.accord.deps, poll.id, id(), ids['p.po']!, 'b'), 'conflict');
    expect((await getMeeting(poll, id())).poll.status).toBe('tied');

    const picked = await press(poll, 'p.po', 'poll.pick', picks[1]!);
    const m = await getMeeting(poll, id());
    const c = m.poll.options.find((o: { key: string }) => o.key === 'c');
    // The tie card is replaced by the time taken, without buttons.
    expect(picked.kind).toBe('card');
    if (picked.kind === 'card') {
      expect(picked.card.summary).toBe('Tie broken: Pre-S&OP reconciliation 2027-02');
      expect(text(picked.card)).toContain(londonTime(c.start));
      expect(picked.card.blocks.some((b) => b.type === 'actions')).toBe(false);
    }
    expect(m).toMatchObject({ status: 'scheduled', start: c.start, poll: { status: 'closed', chosen: 'c' } });
    // Everyone gets the invitation for the new time, and their calendars take it as an update.
    const invites = await keyed(poll, `meeting-invite:${id()}:`);
    expect(invites).toHaveLength(invitesBefore + 4);
    const fresh = await keyed(poll, `meeting-invite:${id()}:s1:`);
    expect(fresh.map((x) => x.recipient.memberId).sort()).toEqual(invitees.map((k) => ids[k]).sort());
    const po = fresh.find((x) => x.recipient.memberId === ids['p.po'])!;
    expect(po.card.summary).toContain(londonTime(c.start));
    const ics = (await icsOf()) as ReturnType<typeof parseIcs>;
    expect(ics.event.uid).toBe(beforeTie.event.uid);
    expect(ics.event.sequence).toBeGreaterThan(beforeTie.event.sequence);
    expect(ics.event.startDate.toJSDate().toISOString()).toBe(c.start);
    expect(m.sequence).toBe(ics.event.sequence);
  });

  it('settles an incomplete poll when its deadline passes', async () => {
    t.clock.set('2027-02-03T10:00:00Z');
    const reopened = await t.http
      .post(api(poll, `/meetings/${id()}/poll`))
      .set(poll.auth)
      .send({ actorId: ids['p.po'] });
    expect(reopened.status).toBe(200);
    // Two business days, at noon in the org's zone.
    expect(reopened.body.poll).toMatchObject({ round: 3, deadline: '2027-02-05T12:00:00.000Z' });
    const invitesBefore = (await keyed(poll, `meeting-invite:${id()}:`)).length;
    await answer(3, { 'p.ny': 'a', 'p.berlin': 'a', 'p.sg': 'b' });
    await meetingsAt('2027-02-05T11:59:00Z');
    expect((await getMeeting(poll, id())).poll).toMatchObject({ round: 3, status: 'open' });
    // A round that is over takes no answers.
    const stale = await keyed(poll, `meeting-poll:${id()}:r2:`);
    const old = await press(
      poll,
      'p.po',
      'poll.vote',
      buttonValues(stale.find((c) => c.recipient.memberId === ids['p.po'])!.card, 'poll.vote')[0]!,
    );
    expect(old).toEqual({ kind: 'notice', text: 'This time poll is closed.' });
    await meetingsAt('2027-02-05T12:00:00Z');
    const m = await getMeeting(poll, id());
    const a = m.poll.options.find((o: { key: string }) => o.key === 'a');
    expect(m).toMatchObject({ status: 'scheduled', start: a.start, poll: { status: 'closed', chosen: 'a' } });
    expect(m.poll.votes).toHaveLength(3);
    expect(await keyed(poll, `meeting-invite:${id()}:`)).toHaveLength(invitesBefore + 4);
    const fresh = await keyed(poll, `meeting-invite:${id()}:s2:`);
    expect(fresh).toHaveLength(4);
    expect(fresh.every((x) => x.notBefore >= '2027-02-05T12:00:00.000Z')).toBe(true);
    expect(fresh.find((x) => x.recipient.memberId === ids['p.po'])!.card.summary).toContain(
      londonTime(a.start),
    );
    expect(m.sequence).toBe(2);
  });
});

describe('cancelling a meeting', () => {
  const id = () => meetingOf('fixed', 'executive-sop');
  const cancel = (body: Record<string, unknown>) =>
    t.http
      .post(api(fixed, `/meetings/${id()}/cancel`))
      .set(fixed.auth)
      .send(body);

  it('needs a reason and a process owner; a refusal writes nothing', async () => {
    t.clock.set('2027-02-08T10:00:00Z');
    for (const body of [{ actorId: ids['f.po'] }, { actorId: ids['f.po'], reason: '  ' }]) {
      const res = await cancel(body);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toHaveProperty('reason');
    }
    const ceo = await cancel({ actorId: ids['f.ceo'], reason: 'I am away' });
    expect(ceo.status).toBe(403);
    expect(await getMeeting(fixed, id())).toMatchObject({
      status: 'scheduled',
      sequence: 0,
      cancelled: null,
    });
    expect(await keyed(fixed, `meeting-invite:${id()}:s1:`)).toHaveLength(0);
  });

  it('cancels: every invitee is told, and the .ics is a CANCEL of the same event with the next SEQUENCE', async () => {
    const before = parseIcs((await t.http.get(api(fixed, `/meetings/${id()}.ics`)).set(fixed.auth)).text);
    expect(before.method).toBe('REQUEST');
    const res = await cancel({ actorId: ids['f.po'], reason: 'The board meets that day instead' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      sequence: 1,
      cancelled: { by: ids['f.po'], reason: 'The board meets that day instead' },
    });
    const told = await keyed(fixed, `meeting-invite:${id()}:s1:`);
    expect(told).toHaveLength(3);
    for (const m of told) {
      expect(m.card.summary).toMatch(/^Cancelled: Executive S&OP 2027-02/);
      expect(text(m.card)).toContain('The board meets that day instead');
    }
    const ics = await t.http.get(api(fixed, `/meetings/${id()}.ics`)).set(fixed.auth);
    expect(ics.status).toBe(200);
    const after = parseIcs(ics.text);
    expect(after.method).toBe('CANCEL');
    expect(after.status).toBe('CANCELLED');
    expect(after.event.uid).toBe(before.event.uid);
    expect(after.event.sequence).toBe(before.event.sequence + 1);
  });

  it('cannot be cancelled twice, started, or have its agenda edited', async () => {
    const again = await cancel({ actorId: ids['f.po'], reason: 'still cancelled' });
    expect(again.status).toBe(409);
    await rejects(startMeeting(t.accord.deps, fixed.id, id(), ids['f.po']!), 'conflict');
    expect(await press(fixed, 'f.po', 'meeting.start', id())).toEqual({
      kind: 'notice',
      text: 'This meeting is cancelled.',
    });
    const edit = await t.http
      .post(api(fixed, `/meetings/${id()}/agenda`))
      .set(fixed.auth)
      .send({
        actorId: ids['f.po'],
        edit: { op: 'add', key: 'x', title: 'Anything', detail: '', minutes: 5 },
      });
    expect(edit.status).toBe(409);
    expect(await getMeeting(fixed, id())).toMatchObject({ status: 'cancelled', sequence: 1, live: null });
    expect(await keyed(fixed, `meeting-invite:${id()}:s2:`)).toHaveLength(0);
  });
});

describe('editing the agenda', () => {
  const id = () => meetingOf('live', 'executive-sop');
  const agenda = async () => {
    const res = await t.http.get(api(live, `/meetings/${id()}/agenda`)).set(live.auth);
    expect(res.status).toBe(200);
    return res.body as {
      items: { key: string; kind: string; title: string; timeboxMinutes: number }[];
      dropped: { item: { key: string }; reason: string }[];
      fixed: boolean;
    };
  };
  const edit = (e: Record<string, unknown>, actor = 'l.po') =>
    t.http
      .post(api(live, `/meetings/${id()}/agenda`))
      .set(live.auth)
      .send({ actorId: ids[actor], edit: e });
  let tradeoffs: string[];

  it('starts from the pack: its three trade-offs', async () => {
    t.clock.set('2027-02-08T11:00:00Z');
    const pack = await t.http
      .post(api(live, `/cycles/${cycles['live']}/pack`))
      .set(live.auth)
      .send({});
    expect(pack.status).toBe(201);
    const a = await agenda();
    expect(a.fixed).toBe(false);
    expect(a.items.map((i) => i.kind)).toEqual(['tradeoff', 'tradeoff', 'tradeoff']);
    tradeoffs = a.items.map((i) => i.key);
  });

  it('adds, moves, drops with a reason, restores and re-times items; the GET shows each change', async () => {
    let res = await edit({
      op: 'add',
      key: 'supplier-visit',
      title: 'Supplier visit report',
      detail: 'What we learnt at the plant',
      minutes: 10,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { key: string }) => i.key)).toEqual([...tradeoffs, 'supplier-visit']);
    res = await edit({ op: 'move', key: 'supplier-visit', to: 0 });
    expect(res.status).toBe(200);
    expect((await agenda()).items.map((i) => i.key)).toEqual(['supplier-visit', ...tradeoffs]);
    res = await edit({ op: 'drop', key: tradeoffs[1], reason: 'settled by email last week' });
    expect(res.status).toBe(200);
    let a = await agenda();
    expect(a.items.map((i) => i.key)).toEqual(['supplier-visit', tradeoffs[0], tradeoffs[2]]);
    expect(a.dropped.map((d) => [d.item.key, d.reason])).toEqual([
      [tradeoffs[1], 'settled by email last week'],
    ]);
    res = await edit({ op: 'restore', key: tradeoffs[1] });
    expect(res.status).toBe(200);
    a = await agenda();
    expect(a.items.map((i) => i.key)).toEqual(['supplier-visit', ...tradeoffs]);
    expect(a.dropped).toEqual([]);
    res = await edit({ op: 'timebox', key: tradeoffs[0], minutes: 10 });
    expect(res.status).toBe(200);
    a = await agenda();
    expect(a.items.map((i) => [i.key, i.timeboxMinutes]).slice(0, 2)).toEqual([
      ['supplier-visit', 10],
      [tradeoffs[0], 10],
    ]);
    expect(await auditActions(live, 'meeting.agenda-edited')).toBe(5);
  });

  it('refuses bad edits field by field, and an executive’s, writing nothing', async () => {
    const before = await agenda();
    for (const [e, field] of [
      [{ op: 'move', key: 'no-such-item', to: 0 }, 'edit.key'],
      [{ op: 'drop', key: tradeoffs[2] }, 'edit.reason'],
      [{ op: 'drop', key: tradeoffs[2], reason: ' ' }, 'edit.reason'],
      [{ op: 'timebox', key: tradeoffs[2], minutes: 7 }, 'edit.minutes'],
      [{ op: 'add', key: 'late', title: 'Late item', detail: '', minutes: 7 }, 'edit.minutes'],
      [{ op: 'restore', key: tradeoffs[2] }, 'edit.key'],
    ] as const) {
      const res = await edit(e);
      expect([e, res.status, res.body.error?.fields?.[field]]).toEqual([e, 400, expect.any(String)]);
    }
    const exec = await edit({ op: 'move', key: tradeoffs[2], to: 0 }, 'l.ceo');
    expect(exec.status).toBe(403);
    expect(await agenda()).toEqual(before);
    expect(await auditActions(live, 'meeting.agenda-edited')).toBe(5);
  });
});

describe('reminders', () => {
  const id = () => meetingOf('live', 'executive-sop');
  const s0 = () => `:${id()}:s0:`;
  const ofMeeting = async (mark: string, seq: number) =>
    (await outbox(live)).filter((m) => m.key.startsWith(`meeting-${mark}:${id()}:s${seq}:`));

  it('is scheduled at 08:00 London on the due day (03:00 in New York)', async () => {
    expect(await getMeeting(live, id())).toMatchObject({
      start: '2027-02-17T08:00:00.000Z',
      end: '2027-02-17T09:30:00.000Z',
      sequence: 0,
    });
    // The CEO's invitation waited for his working day.
    const ceo = (await ofMeeting('invite', 0)).find((m) => m.recipient.memberId === ids['l.ceo'])!;
    expect(ceo.notBefore).toBe('2027-02-01T13:00:00.000Z');
    expect(text(ceo.card)).toContain('Wed 17 Feb, 03:00-04:30 (America/New_York)');
  });

  it('holds the 24-hour reminder to New York until 08:00 there', async () => {
    await meetingsAt('2027-02-15T16:00:00Z');
    expect(
      (await outbox(live)).filter((m) => m.key.includes(s0()) && !m.key.startsWith('meeting-invite')),
    ).toEqual([]);
    await meetingsAt('2027-02-16T08:00:00Z'); // 03:00 in New York
    const reminders = await ofMeeting('remind-24h', 0);
    expect(reminders).toHaveLength(4);
    expect(reminders.every((r) => r.kind === 'reminder')).toBe(true);
    const at = Object.fromEntries(reminders.map((r) => [r.recipient.memberId, r.notBefore]));
    expect(at).toEqual({
      [ids['l.ceo']!]: '2027-02-16T13:00:00.000Z',
      [ids['l.po']!]: '2027-02-16T08:00:00.000Z',
      [ids['l.cfo']!]: '2027-02-16T08:00:00.000Z',
      [ids['l.coo']!]: '2027-02-16T08:00:00.000Z',
    });
    expect(await ofMeeting('agenda', 0)).toHaveLength(0); // not before 09:00 the business day before
  });

  it('sends the agenda card once per sequence', async () => {
    await meetingsAt('2027-02-16T09:00:00Z');
    const agendas = await ofMeeting('agenda', 0);
    expect(agendas).toHaveLength(4);
    expect(text(agendas[0]!.card)).toContain('Supplier visit report');
    await meetingsAt('2027-02-16T09:10:00Z');
    expect(await ofMeeting('agenda', 0)).toHaveLength(4);
    expect(await ofMeeting('remind-24h', 0)).toHaveLength(4);
  });

  it('re-arms the reminders for a new time under the new sequence; the old ones are not queued again', async () => {
    const before = (await outbox(live)).filter((m) => m.key.includes(s0())).length;
    t.clock.set('2027-02-16T09:15:00Z');
    const res = await t.http
      .patch(api(live, `/meetings/${id()}/time`))
      .set(live.auth)
      .send({ actorId: ids['l.po'], start: '2027-02-17T13:30:00Z', reason: 'The CFO flies in that morning' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      start: '2027-02-17T13:30:00.000Z',
      end: '2027-02-17T15:00:00.000Z',
      sequence: 1,
    });
    const moved = await ofMeeting('invite', 1);
    expect(moved).toHaveLength(4);
    // Nothing is delivered in this test: everything still waiting to tell the old time is withdrawn
    // (invitations, agenda, 24-hour reminders), so nobody gets a message about a time that is gone.
    const old = (await outbox(live)).filter((m) => m.key.includes(s0()));
    expect(old).toHaveLength(12);
    expect(old.every((m) => m.status === 'withdrawn')).toBe(true);
    expect(moved.every((m) => m.card.summary.startsWith('New time: Executive S&OP 2027-02'))).toBe(true);

    await meetingsAt('2027-02-16T09:20:00Z');
    // The agenda goes again with the new time; the 24-hour reminder waits for 13:30.
    expect(await ofMeeting('agenda', 1)).toHaveLength(4);
    expect(await ofMeeting('remind-24h', 1)).toHaveLength(0);
    await meetingsAt('2027-02-16T13:30:00Z');
    const again = await ofMeeting('remind-24h', 1);
    expect(again).toHaveLength(4);
    // 08:30 in New York now: nobody waits.
    expect(again.every((r) => r.notBefore === '2027-02-16T13:30:00.000Z')).toBe(true);
    expect(text(again.find((r) => r.recipient.memberId === ids['l.ceo'])!.card)).toContain(
      '08:30-10:00 (America/New_York)',
    );
    await meetingsAt('2027-02-17T13:15:00Z');
    expect(await ofMeeting('remind-15m', 1)).toHaveLength(4);
    expect((await outbox(live)).filter((m) => m.key.includes(s0())).length).toBe(before);
    expect(await ofMeeting('remind-15m', 0)).toHaveLength(0);
  });
});

describe('the live meeting', () => {
  const id = () => meetingOf('live', 'executive-sop');
  const deps = () => t.accord.deps;
  const timeUps = async () => keyed(live, `meeting-time-up:${id()}:`);
  let tradeoffs: string[];

  it('starts: the agenda is fixed and item 1 (the added one) is under discussion', async () => {
    t.clock.set('2027-02-17T13:30:00Z');
    // Only the chair or a process owner starts it.
    await rejects(startMeeting(deps(), live.id, id(), ids['l.cfo']!), 'forbidden');
    const rec = await startMeeting(deps(), live.id, id(), ids['l.po']!);
    expect(rec.live!.agenda.map((i) => i.key)[0]).toBe('supplier-visit');
    tradeoffs = rec.live!.agenda.slice(1).map((i) => i.key);
    expect(tradeoffs).toHaveLength(3);
    expect(rec.live!.items[0]!.startedAt).toEqual(new Date('2027-02-17T13:30:00Z'));
    expect(rec.live!.items[0]!.ballotId).toBeNull();
    const m = await getMeeting(live, id());
    expect(m.status).toBe('live');
    const agenda = (await t.http.get(api(live, `/meetings/${id()}/agenda`)).set(live.auth)).body;
    expect(agenda.fixed).toBe(true);
    const edit = await t.http
      .post(api(live, `/meetings/${id()}/agenda`))
      .set(live.auth)
      .send({ actorId: ids['l.po'], edit: { op: 'move', key: tradeoffs[2], to: 0 } });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('conflict');
    // Nor can it be moved or cancelled now.
    const move = await t.http
      .patch(api(live, `/meetings/${id()}/time`))
      .set(live.auth)
      .send({ actorId: ids['l.po'], start: '2027-02-17T15:00:00Z', reason: 'running late' });
    expect(move.status).toBe(409);
    expect(
      (
        await t.http
          .post(api(live, `/meetings/${id()}/cancel`))
          .set(live.auth)
          .send({ actorId: ids['l.po'], reason: 'too late' })
      ).status,
    ).toBe(409);
    t.clock.set('2027-02-17T13:31:00Z');
    expect(await markPresent(deps(), live.id, id(), ids['l.ceo']!)).toBe('You are marked present.');
  });

  it('closes an item without a ballot as decided only with what was decided', async () => {
    t.clock.set('2027-02-17T13:35:00Z');
    const base = {
      outcome: 'decided',
      ownerId: ids['l.coo'],
      action: 'Book the follow-up visit',
      dueDate: '2027-03-05',
    };
    const err = await rejects(closeItem(deps(), live.id, id(), 0, ids['l.po']!, base), 'validation_failed');
    expect(err.fields).toEqual({ decision: 'say what was decided' });
    expect((await getMeeting(live, id())).live.items[0].closedAt).toBeNull();
    const out = await closeItem(deps(), live.id, id(), 0, ids['l.po']!, {
      ...base,
      decision: 'Visit the plant again in March',
    });
    expect(out.next).toBe(1);
    const decisions = (await t.http.get(api(live, '/decisions')).set(live.auth)).body.items;
    expect(decisions).toEqual([
      expect.objectContaining({
        title: 'Supplier visit report',
        optionLabel: 'Visit the plant again in March',
      }),
    ]);
    const m = await getMeeting(live, id());
    expect(m.live.items[0]).toMatchObject({ outcome: 'decided' });
    expect(m.live.items[1].startedAt).toBe('2027-02-17T13:35:00.000Z');
    expect(m.live.items[1].ballotId).toEqual(expect.any(String));
  });

  it('posts one time-up notice when the timebox runs out, and one more only after an extension runs out', async () => {
    // Item 2's timebox is 10 minutes: until 13:45.
    await meetingsAt('2027-02-17T13:44:00Z');
    expect(await timeUps()).toHaveLength(0);
    await meetingsAt('2027-02-17T13:45:00Z');
    const first = await timeUps();
    expect(first).toHaveLength(1);
    expect(first[0]!.channel).toBe('sop');
    await meetingsAt('2027-02-17T13:46:00Z');
    expect(await timeUps()).toHaveLength(1);
    await rejects(extendItem(deps(), live.id, id(), 1, ids['l.ceo']!), 'forbidden');
    const said = await extendItem(deps(), live.id, id(), 1, ids['l.po']!);
    expect(said).toContain('5 more minutes');
    expect(said).toContain('until 13:50');
    expect((await getMeeting(live, id())).live.items[1].extraMinutes).toBe(5);
    await meetingsAt('2027-02-17T13:49:00Z');
    expect(await timeUps()).toHaveLength(1);
    await meetingsAt('2027-02-17T13:50:00Z');
    expect(await timeUps()).toHaveLength(2);
    await meetingsAt('2027-02-17T13:55:00Z');
    expect(await timeUps()).toHaveLength(2);
  });

  it('escalates an item to a named person, who is told; its ballot closes without a decision', async () => {
    t.clock.set('2027-02-17T13:56:00Z');
    const ballotId = (await getMeeting(live, id())).live.items[1].ballotId as string;
    const bad = await rejects(
      closeItem(deps(), live.id, id(), 1, ids['l.po']!, {
        outcome: 'escalated',
        reason: 'needs the board',
        to: '0123456789abcdef01234567',
      }),
      'validation_failed',
    );
    expect(bad.fields).toHaveProperty('to');
    await closeItem(deps(), live.id, id(), 1, ids['l.po']!, {
      outcome: 'escalated',
      reason: 'needs the board',
      to: ids['l.cfo'],
    });
    const told = await keyed(live, `meeting-escalated:${id()}:1:`);
    expect(told.map((m) => [m.kind, m.recipient.memberId])).toEqual([['escalation', ids['l.cfo']]]);
    expect(text(told[0]!.card)).toContain('needs the board');
    const ballot = await t.http.get(api(live, `/ballots/${ballotId}`)).set(live.auth);
    expect(ballot.body.status).toBe('closed');
    await closeItem(deps(), live.id, id(), 2, ids['l.po']!, {
      outcome: 'deferred',
      reason: "waiting for the supplier's answer",
      until: '2027-03-10',
    });
  });

  it('ends with an item not reached: its ballot closes, absentees are recorded, minutes v1 are written', async () => {
    t.clock.set('2027-02-17T14:10:00Z');
    const before = await getMeeting(live, id());
    const lastBallot = before.live.items[3].ballotId as string;
    expect(before.live.items[3].startedAt).toBe('2027-02-17T13:56:00.000Z');
    expect((await t.http.get(api(live, `/ballots/${lastBallot}`)).set(live.auth)).body.status).toBe('open');
    await rejects(endMeeting(deps(), live.id, id(), ids['l.ceo']!), 'forbidden');
    const minutes = await endMeeting(deps(), live.id, id(), ids['l.po']!);
    expect(minutes.version).toBe(1);
    const m = await getMeeting(live, id());
    expect(m.status).toBe('ended');
    expect(m.live.items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'decided',
      'escalated',
      'deferred',
      'not-reached',
    ]);
    expect((await t.http.get(api(live, `/ballots/${lastBallot}`)).set(live.auth)).body.status).toBe('closed');
    const res = await t.http.get(api(live, `/meetings/${id()}/minutes`)).set(live.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, note: 'the meeting ended' });
    expect(res.body.minutes.totals).toMatchObject({
      items: 4,
      decided: 1,
      deferred: 1,
      escalated: 1,
      notReached: 1,
      actions: 1,
    });
    const names = (list: { name: string }[]) => list.map((p) => p.name).sort();
    expect(names(res.body.minutes.attendance.present)).toEqual(['Cory CEO', 'Lena PO']);
    expect(names(res.body.minutes.attendance.absent)).toEqual(['Frida CFO', 'Olu COO']);
    // Ending again changes nothing.
    expect((await endMeeting(deps(), live.id, id(), ids['l.po']!)).version).toBe(1);
    // Nor does the sweep post anything more for an ended meeting.
    const count = (await outbox(live)).length;
    await meetingsAt('2027-02-17T14:30:00Z');
    expect((await outbox(live)).length).toBe(count);
  });

  it('writes minutes v2 with a note; v1 is still there', async () => {
    t.clock.set('2027-02-18T09:00:00Z');
    const post = (body: Record<string, unknown>) =>
      t.http
        .post(api(live, `/meetings/${id()}/minutes`))
        .set(live.auth)
        .send(body);
    const empty = await post({ actorId: ids['l.po'], note: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields).toHaveProperty('note');
    expect((await post({ actorId: ids['l.ceo'], note: 'my corrections' })).status).toBe(403);
    const res = await post({ actorId: ids['l.po'], note: 'Added the escalation outcome from the board' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 2, note: 'Added the escalation outcome from the board' });
    const latest = (await t.http.get(api(live, `/meetings/${id()}/minutes`)).set(live.auth)).body;
    expect(latest.version).toBe(2);
    expect(latest.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const v1 = (await t.http.get(api(live, `/meetings/${id()}/minutes?version=1`)).set(live.auth)).body;
    expect(v1).toMatchObject({ version: 1, note: 'the meeting ended' });
    const v3 = await t.http.get(api(live, `/meetings/${id()}/minutes?version=3`)).set(live.auth);
    expect(v3.status).toBe(404);
  });

  it('finds the minutes by their words', async () => {
    const search = async (q: string) => {
      const res = await t.http.get(api(live, `/minutes?q=${encodeURIComponent(q)}`)).set(live.auth);
      expect(res.status).toBe(200);
      return res.body.items.map((x: { meetingId: string; version: number }) => [x.meetingId, x.version]);
    };
    expect(await search('plant March')).toEqual([[id(), 2]]);
    expect(await search('supplier')).toEqual([[id(), 2]]);
    expect(await search('plant submarine')).toEqual([]);
    expect(await search('')).toEqual([[id(), 2]]);
  });

  it('reports the KPIs: items decided and deferred, the executives’ attendance', async () => {
    const res = await t.http.get(api(live, '/metrics/meetings')).set(live.auth);
    expect(res.status).toBe(200);
    expect(res.body.perMeeting).toEqual([
      expect.objectContaining({
        meetingId: id(),
        cycleMonth: '2027-02',
        step: 'executive-sop',
        items: 4,
        decided: 1,
        deferred: 1,
        escalated: 1,
        notReached: 1,
        executiveAttendance: 1 / 3,
        lateArrivals: 0,
      }),
    ]);
    expect(res.body.trend).toEqual({
      executiveAttendance: [{ cycleMonth: '2027-02', share: 1 / 3 }],
      decidedShare: [{ cycleMonth: '2027-02', share: 0.25 }],
    });
  });
});

describe("another org's token", () => {
  const id = () => meetingOf('live', 'executive-sop');

  it("cannot read or change this org's meeting", async () => {
    const before = await getMeeting(live, id());
    const cases: [string, string, Record<string, unknown> | null][] = [
      ['get', `/meetings/${id()}`, null],
      ['get', `/meetings/${id()}.ics`, null],
      ['get', `/cycles/${cycles['live']}/meetings`, null],
      ['get', `/meetings/${id()}/agenda`, null],
      ['get', `/meetings/${id()}/minutes`, null],
      ['get', '/minutes', null],
      ['get', '/metrics/meetings', null],
      [
        'patch',
        `/meetings/${id()}/time`,
        { actorId: ids['o.po'], start: '2027-03-01T10:00:00Z', reason: 'mine' },
      ],
      ['post', `/meetings/${id()}/cancel`, { actorId: ids['o.po'], reason: 'mine now' }],
      ['post', `/meetings/${id()}/poll`, { actorId: ids['o.po'] }],
      ['post', `/meetings/${id()}/minutes`, { actorId: ids['o.po'], note: 'rewritten' }],
      [
        'post',
        `/meetings/${id()}/agenda`,
        { actorId: ids['o.po'], edit: { op: 'add', key: 'x', title: 'Mine', detail: '', minutes: 5 } },
      ],
    ];
    for (const [method, path, body] of cases) {
      // Through this org's path: 403, as every org route answers another org's token.
      const theirs = await (
        method === 'get'
          ? t.http.get(api(live, path))
          : t.http[method as 'post' | 'patch'](api(live, path)).send(body!)
      ).set(other.auth);
      expect([method, path, theirs.status, theirs.body.error?.code]).toEqual([
        method,
        path,
        403,
        'forbidden',
      ]);
      expect(JSON.stringify(theirs.body)).not.toContain('Lena PO');
      // Through its own path the meeting does not exist.
      if (path.startsWith('/meetings/') || path.startsWith('/cycles/')) {
        const own = await (
          method === 'get'
            ? t.http.get(api(other, path))
            : t.http[method as 'post' | 'patch'](api(other, path)).send(body!)
        ).set(other.auth);
        expect([method, path, own.status]).toEqual([method, path, 404]);
      }
    }
    expect((await t.http.get(api(other, '/minutes')).set(other.auth)).body.items).toEqual([]);
    expect((await t.http.get(api(other, '/metrics/meetings')).set(other.auth)).body.perMeeting).toEqual([]);
    // Nor through the chat: a button of this org's meeting pressed in the other org.
    expect(await press(other, 'o.po', 'meeting.end', id())).toEqual({
      kind: 'notice',
      text: 'meeting not found',
    });
    expect(await getMeeting(live, id())).toEqual(before);
  });
});
