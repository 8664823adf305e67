/**
 * The cycle's meetings on the web: a meeting's page (time in the reader's zone and the org's, how
 * it was set, chair, invitees outside their working hours, the .ics, the agenda from the pack) for
 * everyone; the process owner's forms (agenda: move, drop, restore, add, timebox; move the meeting,
 * open a time poll, cancel) with errors beside the fields and nothing written, and refusals once
 * the meeting has started; the board's meeting list; the minutes of a meeting that was run (any
 * version), found by the decision register's search; the meeting KPIs on the follow-through page;
 * the meeting settings in admin. Roles and tenants as the API's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  closeItem,
  editAgenda,
  endMeeting,
  markPresent,
  rewriteMinutes,
  startMeeting,
} from '../../src/app/meetings.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, TIGHT_COMPANY, uploadCompany, type OrgHandle } from '../helpers/factories.js';
import { signedInBrowser, type Browser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let otherCycleId: string;
let tradeoffs: { key: string; title: string; question: string }[];
let po: Browser;
let ceo: Browser;

const api = (path: string, h = org) => `/api/v1/orgs/${h.id}${path}`;
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const exec = () => `${cycleId}-executive-sop`;
const pre = () => `${cycleId}-pre-sop`;
const page = (id: string) => `/app/meetings/${id}`;

interface AgendaJson {
  items: { key: string; title: string; timeboxMinutes: number; kind: string }[];
  dropped: { item: { key: string; title: string }; reason: string }[];
}
const agendaOf = async (id: string): Promise<AgendaJson> =>
  (await t.http.get(api(`/meetings/${id}/agenda`)).set(org.auth)).body;
const meetingOf = async (id: string) => (await t.http.get(api(`/meetings/${id}`)).set(org.auth)).body;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Meet <b>Co</b>', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  // Sales works from Auckland: a 15:00 Berlin meeting is at 03:00 there.
  team = await buildTeam(t, org, { sales: 'Pacific/Auckland' });
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  otherCycleId = (await t.http.post(api('/cycles', other)).set(other.auth).send({ month: '2027-02' })).body
    .id;
  await uploadCompany(t, org, TIGHT_COMPANY);
  const built = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  expect(built.status).toBe(201);
  tradeoffs = built.body.tradeoffs;
  expect(tradeoffs.length).toBeGreaterThan(0);
  po = await signedInBrowser(t, org, team.po.id);
  ceo = await signedInBrowser(t, org, team.ceo.id);
}, 120_000);
afterAll(() => t.close());

describe('the meeting page', () => {
  it("shows the time, how it was set, the chair, the invitees, the .ics and the pack's agenda", async () => {
    const res = await po.page(page(exec()));
    expectAccessible(res.text);
    expect(res.text).toContain(
      '<h1>Executive S&amp;OP 2027-02 <span class="badge badge-scheduled">Scheduled</span></h1>',
    );
    // The org's fixed slot: the due day (17 Feb), 15:00 in Berlin, 90 minutes.
    expect(res.text).toContain(
      '<time datetime="2027-02-17T14:00:00.000Z">Wed 17 Feb 2027, 15:00</time> your time',
    );
    expect(res.text).toContain('90 minutes');
    expect(res.text).toContain('the organisation&#x27;s fixed slot for this meeting');
    expect(res.text).toContain('Chair</dt>\n  <dd>Petra PO</dd>');
    for (const name of ['Cee Exec', 'Cfo Exec', 'Petra PO']) expect(res.text).toContain(`${name}`);
    expect(res.text).not.toContain('Lead sales');
    // The invitation: a signed link to the .ics, which opens without a token.
    const ics = /<a href="([^"]+\.ics[^"]*)">Add it to your calendar/.exec(res.text)?.[1];
    expect(ics).toBeDefined();
    const icsPath = new URL(ics!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).pathname;
    const icsQuery = new URL(ics!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).search;
    expect(icsPath).toBe(api(`/meetings/${exec()}.ics`));
    const file = await t.http.get(`${icsPath}${icsQuery}`);
    expect(file.status).toBe(200);
    expect(file.text).toContain('SEQUENCE:0');
    // The agenda: the pack's trade-offs with their timeboxes, questions and recommendations.
    const agenda = await agendaOf(exec());
    expect(agenda.items.map((i) => i.key).sort()).toEqual(tradeoffs.map((x) => `t:${x.key}`).sort());
    for (const x of tradeoffs) {
      expect(res.text).toContain(`<h3>${esc(x.title)}</h3>`);
      expect(res.text).toContain(esc(x.question));
    }
    expect(res.text).toContain('From pack version 1');
    expect(res.text).toContain('<strong>Recommended:</strong>');
    expect(res.text).toMatch(/Trade-off from the pack · \d+ minutes · money at stake [\d,]+/);
    // The process owner's forms.
    for (const form of ['/agenda/timebox', '/agenda/drop', '/agenda/add', '/time', '/cancel', '/poll'])
      expect(res.text).toContain(`action="${page(exec())}${form}"`);
  });

  it('marks an invitee for whom the time is outside their working hours, in their own time', async () => {
    const res = await ceo.page(page(pre()));
    expectAccessible(res.text);
    expect(res.text).toContain('Pre-S&amp;OP reconciliation 2027-02');
    expect(res.text).toContain('The time is outside the working hours of 1 invitee: marked below.');
    expect(res.text).toMatch(
      /<th scope="row">Lead sales<\/th>\s*<td>Pacific\/Auckland<\/td>\s*<td>Wed 17 Feb 2027, 03:00<\/td>\s*<td><span class="status status-overdue">Outside their working hours<\/span>/,
    );
    expect(res.text).toMatch(
      /<th scope="row">Lead finance<\/th>\s*<td>Europe\/Berlin<\/td>\s*<td>Tue 16 Feb 2027, 15:00<\/td>\s*<td>Inside/,
    );
  });

  it("shows the time in the reader's zone and in the organisation's when they differ", async () => {
    const sales = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const res = await sales.page(page(pre()));
    expect(res.text).toContain(
      '<time datetime="2027-02-16T14:00:00.000Z">Wed 17 Feb 2027, 03:00</time> your time (Pacific/Auckland); Tue 16 Feb 2027, 15:00 in the organisation\'s time zone (Europe/Berlin); 90 minutes',
    );
  });

  it('shows the agenda to someone who is not a process owner, without forms; their changes are refused', async () => {
    const res = await ceo.page(page(exec()));
    expectAccessible(res.text);
    expect(res.text).toContain(`<h3>${esc(tradeoffs[0]!.title)}</h3>`);
    expect(res.text).not.toContain('/agenda/');
    expect(res.text).not.toContain('Move the meeting');
    expect(res.text).not.toContain('Open a time poll');
    const before = await agendaOf(exec());
    const key = before.items[0]!.key;
    const refused = await ceo.submit(
      `${page(exec())}/agenda/drop`,
      { key, reason: 'Not needed' },
      page(exec()),
    );
    expect(refused.status).toBe(403);
    expect((await ceo.submit(`${page(exec())}/cancel`, { reason: 'Because' }, page(exec()))).status).toBe(
      403,
    );
    expect(await agendaOf(exec())).toEqual(before);
    expect((await meetingOf(exec())).status).toBe('scheduled');
  });

  it("another org's meeting, or no meeting, is not found", async () => {
    await po.page(page(`${otherCycleId}-executive-sop`), 404);
    await po.page('/app/meetings/nope', 404);
    await po.page(`${page(exec())}?version=1`, 404); // no minutes yet
    const res = await po.submit(
      `/app/meetings/${otherCycleId}-executive-sop/cancel`,
      { reason: 'Not yours' },
      page(exec()),
    );
    expect(res.status).toBe(404);
    expect(
      (await t.http.get(api(`/meetings/${otherCycleId}-executive-sop`, other)).set(other.auth)).body.status,
    ).toBe('scheduled');
  });
});

describe('editing the agenda (process owner)', () => {
  // An added item, so the agenda has at least two items to move.
  const added = 'Supplier <i>audit</i> findings';

  it('adds an item: problems beside the fields and nothing added; then added last', async () => {
    const before = await agendaOf(exec());
    const bad = await po.submit(
      `${page(exec())}/agenda/add`,
      { title: 'ab', detail: '', minutes: '7' },
      page(exec()),
    );
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toContain('The item was not added: see below.');
    expect(bad.text).toContain('<p class="field-error" id="e-a-title">must be 3 to 200 characters</p>');
    expect(bad.text).toContain(
      '<p class="field-error" id="e-a-minutes">must be 5 to 120 minutes, in steps of 5</p>',
    );
    expect(bad.text).toContain('name="minutes" type="text" inputmode="numeric" class="short" value="7"');
    expect(await agendaOf(exec())).toEqual(before);

    const ok = await po.submit(
      `${page(exec())}/agenda/add`,
      { title: added, detail: 'What the audit found at the co-packer', minutes: '10' },
      page(exec()),
    );
    expect(ok.status).toBe(303);
    expect(ok.headers['location']).toBe(`${page(exec())}#agenda`);
    const after = await agendaOf(exec());
    expect(after.items).toHaveLength(before.items.length + 1);
    expect(after.items.at(-1)).toMatchObject({ title: added, timeboxMinutes: 10, kind: 'added' });
    const shown = await po.page(page(exec()));
    expect(shown.text).toContain(`“${esc(added)}” added to the agenda.`);
    expect(shown.text).toContain(`<h3>${esc(added)}</h3>`);
    expect(shown.text).not.toContain('<i>audit</i>');
  });

  it('moves an item up and down', async () => {
    const before = await agendaOf(exec());
    const last = before.items.at(-1)!;
    const up = await po.submit(
      `${page(exec())}/agenda/move`,
      { key: last.key, direction: 'up' },
      page(exec()),
    );
    expect(up.status).toBe(303);
    const moved = await agendaOf(exec());
    expect(moved.items.at(-2)!.key).toBe(last.key);
    expect((await po.page(page(exec()))).text).toContain(`“${esc(added)}” moved up.`);
    const down = await po.submit(
      `${page(exec())}/agenda/move`,
      { key: last.key, direction: 'down' },
      page(exec()),
    );
    expect(down.status).toBe(303);
    expect((await agendaOf(exec())).items.map((i) => i.key)).toEqual(before.items.map((i) => i.key));
    // The last item cannot go further down: said beside it, nothing written.
    const refused = await po.submit(
      `${page(exec())}/agenda/move`,
      { key: last.key, direction: 'down' },
      page(exec()),
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('This item is last already.');
    expect((await agendaOf(exec())).items.map((i) => i.key)).toEqual(before.items.map((i) => i.key));
  });

  it('changes a timebox: a problem beside the field and nothing written; then changed', async () => {
    const before = await agendaOf(exec());
    const first = before.items[0]!;
    const bad = await po.submit(
      `${page(exec())}/agenda/timebox`,
      { key: first.key, minutes: '12' },
      page(exec()),
    );
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toContain(
      '<p class="field-error" id="e-tb-0">must be 5 to 120 minutes, in steps of 5</p>',
    );
    expect(bad.text).toMatch(/id="tb-0" name="minutes"[^>]*value="12"[^>]*aria-invalid="true"/);
    expect(await agendaOf(exec())).toEqual(before);
    const ok = await po.submit(
      `${page(exec())}/agenda/timebox`,
      { key: first.key, minutes: '25' },
      page(exec()),
    );
    expect(ok.status).toBe(303);
    expect((await agendaOf(exec())).items[0]).toMatchObject({ key: first.key, timeboxMinutes: 25 });
    expect((await po.page(page(exec()))).text).toContain('now has 25 minutes.');
  });

  it('drops an item with a reason (required) and restores it', async () => {
    const before = await agendaOf(exec());
    const item = before.items[0]!;
    const bad = await po.submit(`${page(exec())}/agenda/drop`, { key: item.key, reason: '' }, page(exec()));
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toContain(
      '<p class="field-error" id="e-drop-0">give a reason of at least 3 characters: the minutes say why the item was dropped</p>',
    );
    expect(bad.text).toContain('<details class="excuse" open><summary>Drop this item</summary>');
    expect(await agendaOf(exec())).toEqual(before);

    const ok = await po.submit(
      `${page(exec())}/agenda/drop`,
      { key: item.key, reason: 'Settled by <b>email</b>' },
      page(exec()),
    );
    expect(ok.status).toBe(303);
    const dropped = await agendaOf(exec());
    expect(dropped.items.map((i) => i.key)).not.toContain(item.key);
    expect(dropped.dropped).toEqual([expect.objectContaining({ reason: 'Settled by <b>email</b>' })]);
    const shown = await po.page(page(exec()));
    expectAccessible(shown.text);
    expect(shown.text).toContain('<h3>Dropped</h3>');
    expect(shown.text).toContain('“Settled by &lt;b&gt;email&lt;/b&gt;”');

    const restored = await po.submit(`${page(exec())}/agenda/restore`, { key: item.key }, page(exec()));
    expect(restored.status).toBe(303);
    expect((await agendaOf(exec())).items.map((i) => i.key)).toEqual(before.items.map((i) => i.key));
    expect((await po.page(page(exec()))).text).toContain('is back on the agenda.');
  });
});

describe("the meeting's time (process owner)", () => {
  it('moves the meeting: problems beside the fields, nothing written; then a new time and the next SEQUENCE', async () => {
    const before = await meetingOf(exec());
    expect(before.sequence).toBe(0);
    const bad = await po.submit(
      `${page(exec())}/time`,
      { start: 'next week', minutes: '7', reason: 'x' },
      page(exec()),
    );
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toContain('The meeting was not moved: see below.');
    expect(bad.text).toContain(
      '<p class="field-error" id="e-m-start">Give the date and time in Europe/Berlin.</p>',
    );
    expect(bad.text).toContain(
      '<p class="field-error" id="e-m-minutes">a whole number of minutes, 15 to 240</p>',
    );
    expect(bad.text).toContain(
      '<p class="field-error" id="e-m-reason">say why the time changes (people see it)</p>',
    );
    const past = await po.submit(
      `${page(exec())}/time`,
      { start: '2027-02-01T10:00', minutes: '60', reason: 'Earlier' },
      page(exec()),
    );
    expect(past.status).toBe(400);
    expect(past.text).toContain('<p class="field-error" id="e-m-start">must be in the future</p>');
    expect(await meetingOf(exec())).toEqual(before);

    // 10:00 in Berlin (the org's zone) is 09:00 UTC.
    const ok = await po.submit(
      `${page(exec())}/time`,
      { start: '2027-02-17T10:00', minutes: '60', reason: 'The board meets at 15:00' },
      page(exec()),
    );
    expect(ok.status).toBe(303);
    const after = await meetingOf(exec());
    expect(after).toMatchObject({
      start: '2027-02-17T09:00:00.000Z',
      end: '2027-02-17T10:00:00.000Z',
      sequence: 1,
      how: 'set',
    });
    const shown = await po.page(page(exec()));
    expectAccessible(shown.text);
    expect(shown.text).toContain(
      'The meeting is now on Wed 17 Feb 2027, 10:00 (Europe/Berlin). The invitees get the updated invitation.',
    );
    expect(shown.text).toContain('set by the process owner');
    expect(shown.text).toMatch(
      /Petra PO: moved to <time datetime="2027-02-17T09:00:00.000Z">Wed 17 Feb 2027, 10:00<\/time>\. “The board meets at 15:00”/,
    );
    expect(shown.text).toContain('<small>(update 1)</small>');
  });

  it('opens a time poll: the options and their counts', async () => {
    const ok = await po.submit(`${page(exec())}/poll`, {}, page(exec()));
    expect(ok.status).toBe(303);
    const m = await meetingOf(exec());
    expect(m.status).toBe('polling');
    expect(m.poll.options.length).toBeGreaterThan(0);
    const shown = await ceo.page(page(exec()));
    expectAccessible(shown.text);
    expect(shown.text).toContain('Time poll open');
    expect(shown.text).toContain('<h2 id="poll">Time poll, round 1</h2>');
    expect(shown.text).toContain('0 of 3 invitees answered');
    expect(shown.text).toContain('Not set yet: the invitees are choosing in a time poll.');
  });

  it('cancels the meeting with a reason (required); the agenda can no longer change', async () => {
    const before = await meetingOf(exec());
    const bad = await po.submit(`${page(exec())}/cancel`, { reason: '' }, page(exec()));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(
      '<p class="field-error" id="e-c-reason">say why it is cancelled (people see it)</p>',
    );
    expect(await meetingOf(exec())).toEqual(before);
    const ok = await po.submit(
      `${page(exec())}/cancel`,
      { reason: 'Decisions <b>taken</b> by email' },
      page(exec()),
    );
    expect(ok.status).toBe(303);
    const after = await meetingOf(exec());
    expect(after.status).toBe('cancelled');
    // Moved (1), then a poll reopened after that invitation went out (2), then cancelled (3).
    expect(after.sequence).toBe(before.sequence + 1);
    expect(after.sequence).toBe(3);
    const shown = await po.page(page(exec()));
    expectAccessible(shown.text);
    expect(shown.text).toContain('The meeting is cancelled. The invitees get the cancellation.');
    expect(shown.text).toContain('“Decisions &lt;b&gt;taken&lt;/b&gt; by email”');
    expect(shown.text).not.toContain('/agenda/timebox');
    expect(shown.text).toContain('Reinstate the meeting');
    // A form from before is refused with the reason, not an error page.
    const agenda = await agendaOf(exec());
    const late = await po.submit(
      `${page(exec())}/agenda/timebox`,
      { key: agenda.items[0]!.key, minutes: '10' },
      page(exec()),
    );
    expect(late.status).toBe(409);
    expectAccessible(late.text);
    expect(late.text).toContain(
      '<p class="error-summary" role="alert">Nothing was changed: the meeting is cancelled.</p>',
    );
    expect(await agendaOf(exec())).toEqual(agenda);
  });
});

describe('the cycle board', () => {
  it("lists the cycle's two meetings with their time, status and a link", async () => {
    const res = await ceo.page('/app/board');
    expectAccessible(res.text);
    expect(res.text).toContain('<h2 id="h-meetings">Meetings</h2>');
    expect(res.text).toContain(`<a href="${page(pre())}">Pre-S&amp;OP reconciliation 2027-02</a>`);
    expect(res.text).toContain(`<a href="${page(exec())}">Executive S&amp;OP 2027-02</a>`);
    expect(res.text).toContain('<time datetime="2027-02-16T14:00:00.000Z">Tue 16 Feb 2027, 15:00</time>');
    expect(res.text).toContain('<span class="badge badge-cancelled">Cancelled</span>');
    expect(res.text).toContain('(1 outside their working hours)');
  });
});

describe('a meeting that was run', () => {
  const deps = () => t.accord.deps;

  beforeAll(async () => {
    // An item of its own, so the pre-S&OP has one to decide and one to defer at least.
    await editAgenda(deps(), org.id, pre(), {
      actorId: team.po.id,
      edit: {
        op: 'add',
        key: 'x:quality',
        title: 'Quality hold on oat flakes',
        detail: 'Release or scrap',
        minutes: 10,
      },
    });
    t.clock.set('2027-02-16T14:00:00Z');
    await startMeeting(deps(), org.id, pre(), team.po.id);
    t.clock.set('2027-02-16T14:03:00Z');
    await markPresent(deps(), org.id, pre(), team.leaders['operations']!.id);
    t.clock.set('2027-02-16T14:12:00Z');
    await markPresent(deps(), org.id, pre(), team.leaders['finance']!.id);
    t.clock.set('2027-02-16T14:30:00Z');
    await closeItem(deps(), org.id, pre(), 0, team.po.id, {
      outcome: 'decided',
      decision: 'Run Saturday shifts on line 2',
      ownerId: team.leaders['operations']!.id,
      action: 'Book the Saturday crews',
      dueDate: '2027-02-26',
      rationale: 'The cheapest lever that closes the gap',
    });
    t.clock.set('2027-02-16T14:35:00Z');
    await closeItem(deps(), org.id, pre(), 1, team.po.id, {
      outcome: 'deferred',
      reason: 'Waits for the new forecast',
      until: '2027-03-05',
    });
    t.clock.set('2027-02-16T14:50:00Z');
    await endMeeting(deps(), org.id, pre(), team.po.id);
  });

  it('shows the minutes: attendance, each item with its outcome, actions, deferrals', async () => {
    const res = await ceo.page(page(pre()));
    expectAccessible(res.text);
    expect(res.text).toContain('<span class="badge badge-ended">Ended</span>');
    expect(res.text).toContain('<h2 id="minutes">Minutes</h2>');
    expect(res.text).toContain('Version 1, written');
    expect(res.text).toMatch(/<dt>Present<\/dt>\s*<dd>[^<]*Lead operations/);
    expect(res.text).toMatch(/<dt>Late<\/dt>\s*<dd>Lead finance \(from <time/);
    expect(res.text).toMatch(/<dt>Absent<\/dt>\s*<dd>[^<]*Lead sales/);
    // Decided in words (no ballot at the pre-S&OP): neither for nor against the recommendation.
    expect(res.text).toContain('<strong>Decided: Run Saturday shifts on line 2</strong>.</p>');
    expect(res.text).not.toContain('against the recommendation');
    expect(res.text).toContain('Rationale: The cheapest lever that closes the gap');
    expect(res.text).toMatch(
      /<th scope="row">Lead operations<\/th><td>Book the Saturday crews<\/td><td>Fri 26 Feb 2027<\/td>/,
    );
    expect(res.text).toContain('Deferred until Fri 5 Mar 2027: Waits for the new forecast');
    expect(res.text).toContain('1 decided, 1 deferred, 0 escalated');
    expect(res.text).toContain('The meeting took 50 of the 90 minutes planned');
    // The agenda is fixed: no forms, and a form from before is refused with the reason.
    expect(res.text).not.toContain('/agenda/');
    const poPage = await po.page(page(pre()));
    expect(poPage.text).not.toContain('/agenda/timebox');
    expect(poPage.text).not.toContain('Move the meeting');
    const late = await po.submit(
      `${page(pre())}/agenda/add`,
      { title: 'Late item', minutes: '5' },
      page(exec()),
    );
    expect(late.status).toBe(409);
    expect(late.text).toContain('Nothing was changed: the meeting has started: its agenda is fixed.');
    const move = await po.submit(
      `${page(pre())}/time`,
      { start: '2027-02-18T10:00', minutes: '60', reason: 'Again' },
      page(exec()),
    );
    expect(move.status).toBe(409);
    expect(move.text).toContain('Nothing was changed: the meeting has started; its time cannot change.');
  });

  it('lists the versions of the minutes; ?version=N shows an older one', async () => {
    await rewriteMinutes(deps(), org.id, pre(), { actorId: team.po.id, note: 'Action owner corrected' });
    const latest = await ceo.page(page(pre()));
    expectAccessible(latest.text);
    expect(latest.text).toContain('Version 2, written');
    expect(latest.text).toContain('(Action owner corrected)');
    expect(latest.text).toContain('<nav aria-label="Versions of the minutes">');
    const older = await ceo.page(`${page(pre())}?version=1`);
    expectAccessible(older.text);
    expect(older.text).toContain('Version 1 (an earlier one:');
    expect(older.text).toContain('the latest is version 2');
    await ceo.page(`${page(pre())}?version=3`, 404);
    await ceo.page(`${page(pre())}?version=x`, 404);
  });

  it('the decision register finds the minutes by their words', async () => {
    const res = await ceo.page('/app/decisions?q=saturday+crews');
    expectAccessible(res.text);
    expect(res.text).toContain('<h2 id="h-minutes">Minutes</h2>');
    expect(res.text).toContain(`<a href="${page(pre())}#minutes">Pre-S&amp;OP reconciliation 2027-02</a>`);
    expect(res.text).toContain('(minutes version 2)');
    const none = await ceo.page('/app/decisions?q=zeppelin');
    expect(none.text).toContain("No meeting's minutes have these words.");
    // No words: no minutes section.
    expect((await ceo.page('/app/decisions')).text).not.toContain('h-minutes');
  });

  it('the follow-through page shows the meeting KPIs with a chart and the trend', async () => {
    const res = await ceo.page('/app/follow-through');
    expectAccessible(res.text);
    expect(res.text).toContain('<h2 id="h-meeting-kpis">Meetings</h2>');
    expect(res.text).toContain(
      'aria-label="Agenda items per meeting: decided, deferred, escalated and not reached',
    );
    const items = (await agendaOf(pre())).items.length;
    expect(res.text).toMatch(
      new RegExp(
        `<a href="${page(pre())}">Pre-S&amp;OP reconciliation 2027-02</a></th><td class="num">${items}</td><td class="num">1</td><td class="num">1</td><td class="num">0</td><td class="num">${items - 2}</td><td class="num">35 of \\d+</td>`,
      ),
    );
    expect(res.text).toMatch(
      /<th scope="row">2027-02<\/th><td class="num">–<\/td><td class="num">\d+%<\/td>/,
    );
  });
});

describe('meeting settings (admin)', () => {
  const form = {
    'pre-sop.day': '2',
    'pre-sop.time': '10:00',
    'pre-sop.minutes': '60',
    'pre-sop.propose': 'yes',
    'executive-sop.day': '-1',
    'executive-sop.time': '14:00',
    'executive-sop.minutes': '120',
  };
  const settings = async () => (await t.http.get(api('/meeting-settings')).set(org.auth)).body;

  it('shows each meeting setting; problems beside the fields and nothing saved; then saved', async () => {
    const shown = await po.page('/app/admin/meetings');
    expectAccessible(shown.text);
    expect(shown.text).toContain('<legend>Pre-S&amp;OP reconciliation</legend>');
    expect(shown.text).toMatch(/id="ms-executive-sop-day" name="executive-sop.day" type="text" value="-1"/);
    expect(shown.text).toMatch(/id="ms-pre-sop-time" name="pre-sop.time" type="time" value="15:00"/);
    expect((await po.page('/app/admin')).text).toContain('<a href="/app/admin/meetings">Meetings</a>');

    const before = await settings();
    const bad = await po.submit(
      '/app/admin/meetings',
      { ...form, 'pre-sop.day': '0', 'executive-sop.time': '25:00', 'executive-sop.minutes': '7' },
      '/app/admin/meetings',
    );
    expect(bad.status).toBe(400);
    expectAccessible(bad.text);
    expect(bad.text).toContain('3 fields need a change: see below. Nothing was saved.');
    expect(bad.text).toContain(
      '<p class="field-error" id="e-ms-pre-sop-day">must not be 0: 1 is the day the step opens, -1 the day it is due</p>',
    );
    expect(bad.text).toContain(
      '<p class="field-error" id="e-ms-executive-sop-time">must be HH:MM (24-hour)</p>',
    );
    expect(bad.text).toContain('<p class="field-error" id="e-ms-executive-sop-minutes">');
    // What was sent is shown again, the checkbox too.
    expect(bad.text).toMatch(/id="ms-pre-sop-propose" name="pre-sop.propose" value="yes" checked/);
    expect(await settings()).toEqual(before);

    const ok = await po.submit('/app/admin/meetings', form, '/app/admin/meetings');
    expect(ok.status).toBe(303);
    expect(await settings()).toEqual({
      'pre-sop': { day: 2, time: '10:00', minutes: 60, propose: true },
      'executive-sop': { day: -1, time: '14:00', minutes: 120, propose: false },
    });
    const after = await po.page('/app/admin/meetings');
    expect(after.text).toContain('The meeting settings are saved.');
    expect(after.text).toMatch(/id="ms-pre-sop-propose" name="pre-sop.propose" value="yes" checked/);
    expect(after.text).not.toMatch(
      /id="ms-executive-sop-propose" name="executive-sop.propose" value="yes" checked/,
    );
  });

  it('is for a process owner only', async () => {
    await ceo.page('/app/admin/meetings', 403);
    const res = await ceo.submit('/app/admin/meetings', form, '/app/board');
    expect(res.status).toBe(403);
  });
});
