/**
 * Ballots, votes, decisions, action items and the audit trail's verification, on the real database
 * and HTTP: a ballot from a pack's trade-off and ad hoc ones; who may vote; hidden results; closing
 * by the process owner, by everyone having voted and by the deadline (the sweep); many executives
 * voting at once with retries; the register; actions; a tampered audit event found.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeDueBallots } from '../../src/app/ballots.js';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
let deputy: { id: string };
let aide: { id: string };
let tradeoff: { key: string; options: { key: string }[]; recommended: string; resources: string[] };

const api = (path: string) => `/api/v1/orgs/${org.id}${path}`;
const vote = (ballotId: string, memberId: string, option: string, reason?: string) =>
  t.http
    .post(api(`/ballots/${ballotId}/votes`))
    .set(org.auth)
    .send({ memberId, option, ...(reason ? { reason } : {}) });
const open = (body: Record<string, unknown>) =>
  t.http
    .post(api(`/cycles/${cycleId}/ballots`))
    .set(org.auth)
    .send({ actorId: team.po.id, deadline: '2027-02-17T16:00:00Z', ...body });
const votesStored = () => t.accord.db.models.Vote.countDocuments({});

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Decide Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  deputy = await buildMember(t, org, {
    name: 'Dee Deputy',
    delegation: { of: team.cfo.id, authority: true },
  });
  aide = await buildMember(t, org, { name: 'Ada Aide', delegation: { of: team.ceo.id, authority: false } });
  cycleId = (await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-02' })).body.id;
  const tables = syntheticCompany({
    families: 8,
    resources: 4,
    months: 36,
    lastMonth: '2027-01',
    horizon: 24,
    tightShare: 0.5,
    seed: 4,
  });
  let upload = t.http.post(api('/datasets')).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  expect((await upload).status).toBe(201);
  const pack = await t.http
    .post(api(`/cycles/${cycleId}/pack`))
    .set(org.auth)
    .send({});
  tradeoff = pack.body.tradeoffs[0];
});
afterAll(() => t.close());

describe('ballots and votes', () => {
  let ballotId: string;

  it('opens a ballot from a trade-off of the pack: its options, its recommendation', async () => {
    expect(tradeoff).toBeDefined();
    const res = await open({ tradeoffKey: tradeoff.key });
    expect(res.status).toBe(201);
    ballotId = res.body.id;
    expect(res.body.options.map((o: { key: string }) => o.key)).toEqual(tradeoff.options.map((o) => o.key));
    expect(res.body.source).toMatchObject({
      tradeoffKey: tradeoff.key,
      packVersion: 1,
      recommended: tradeoff.recommended,
    });
    expect(res.body).toMatchObject({ status: 'open', voted: 0, eligible: 2 });
  });

  it('refuses a ballot from anyone but a process owner, or without what it needs', async () => {
    expect((await open({ actorId: team.ceo.id, tradeoffKey: tradeoff.key })).status).toBe(403);
    const unknown = await open({ tradeoffKey: 'capacity:NOPE' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual({ tradeoffKey: 'not in pack version 1' });
    const bare = await open({});
    expect(bare.body.error.fields).toEqual({
      title: 'give a title, or a tradeoffKey from the pack',
      options: 'give 2-6 options, or a tradeoffKey from the pack',
    });
    const one = await open({ title: 'Pick one', options: ['only'] });
    expect(one.body.error.fields).toEqual({ options: 'give at least 2 options' });
  });

  it('takes a vote once: the same vote again changes nothing', async () => {
    const option = tradeoff.options[0]!.key;
    const first = await vote(ballotId, team.ceo.id, option);
    expect(first.status).toBe(201);
    const audit = await t.accord.db.models.AuditEvent.countDocuments({});
    const again = await vote(ballotId, team.ceo.id, option);
    expect(again.status).toBe(200);
    expect(await t.accord.db.models.AuditEvent.countDocuments({})).toBe(audit);
    expect(again.body.ballot.tally[option]).toBe(1);
  });

  it('counts a delegate with authority for its executive, never twice; one without authority may not vote', async () => {
    const [a, b] = [tradeoff.options[0]!.key, tradeoff.options[1]!.key];
    const before = await votesStored();
    const forbidden = await vote(ballotId, aide.id, a);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toMatch(/without decision authority: may comment, not vote/);
    expect((await vote(ballotId, team.po.id, a)).status).toBe(403);
    expect((await vote(ballotId, team.ceo.id, 'nope')).status).toBe(400);
    expect(await votesStored()).toBe(before);

    const byDeputy = await vote(ballotId, deputy.id, b);
    expect(byDeputy.status).toBe(201);
    const voters = byDeputy.body.ballot.voters;
    expect(voters).toEqual(
      expect.arrayContaining([{ voterId: team.cfo.id, castBy: deputy.id, option: b, reason: null }]),
    );
    // Everyone eligible has voted (CEO, and CFO through the deputy): the ballot closed itself.
    expect(byDeputy.body.decision).toMatchObject({ id: ballotId, status: 'no-majority', option: null });
    const late = await vote(ballotId, team.cfo.id, a);
    expect(late.status).toBe(409);
  });

  it('hides the counts until close when asked, then records the decision once', async () => {
    const res = await open({
      title: 'Which launch date for Oat drink?',
      options: ['march', 'april'],
      rules: { hideResults: true },
    });
    const id = res.body.id;
    const cast = await vote(id, team.ceo.id, 'april', 'capacity frees up');
    expect(cast.body.ballot).toMatchObject({
      tally: null,
      voted: 1,
      eligible: 2,
      voters: [{ voterId: team.ceo.id, castBy: team.ceo.id }],
    });
    expect(cast.body.ballot.voters[0].option).toBeUndefined();
    // A changed vote replaces the earlier one.
    await vote(id, team.ceo.id, 'march');
    expect(await t.accord.db.models.Vote.countDocuments({ ballotId: id })).toBe(1);

    const closed = await t.http
      .post(api(`/ballots/${id}/close`))
      .set(org.auth)
      .send({
        actorId: team.po.id,
        rationale: 'one vote in',
        reviewDate: '2027-05-01',
        commitments: ['Carton line: 2 extra shifts in March'],
      });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'decided',
      option: 'march',
      optionLabel: 'march',
      reviewDate: '2027-05-01',
      commitments: ['Carton line: 2 extra shifts in March'],
    });
    const again = await t.http
      .post(api(`/ballots/${id}/close`))
      .set(org.auth)
      .send({ actorId: team.po.id });
    expect(again.body.decidedAt).toBe(closed.body.decidedAt);
    expect(await t.accord.db.models.Decision.countDocuments({ _id: id })).toBe(1);
    const shown = await t.http.get(api(`/ballots/${id}`)).set(org.auth);
    expect(shown.body).toMatchObject({ status: 'closed', tally: { march: 1, april: 0 } });
  });

  it('links a trade-off decided again to its earlier decisions', async () => {
    const again = await open({ tradeoffKey: tradeoff.key, title: 'Line capacity, second round' });
    const closed = await t.http
      .post(api(`/ballots/${again.body.id}/close`))
      .set(org.auth)
      .send({ actorId: team.po.id });
    const first = (await t.http.get(api(`/decisions?q=second%20round`)).set(org.auth)).body.items[0];
    expect(first.id).toBe(again.body.id);
    expect(closed.body.previous).toHaveLength(1);
    expect(closed.body.source.tradeoffKey).toBe(tradeoff.key);
    // Out of the store again, so the register tests below count only their own.
    await t.accord.db.models.Decision.deleteOne({ _id: again.body.id });
    await t.accord.db.models.Ballot.deleteOne({ _id: again.body.id });
  });

  it("takes the org's default rules unless the ballot sets its own", async () => {
    const patched = await t.http
      .patch(`/api/v1/orgs/${org.id}`)
      .set(org.auth)
      .send({ votingRules: { hideResults: true, quorumShare: 1 } });
    expect(patched.status).toBe(200);
    expect(patched.body.votingRules).toMatchObject({ rule: 'majority', hideResults: true, quorumShare: 1 });
    const inherits = await open({ title: 'Inherit the rules?', options: ['yes', 'no'] });
    expect(inherits.body.rules).toMatchObject({ hideResults: true, quorumShare: 1 });
    expect(inherits.body.tally).toBeNull();
    const own = await open({ title: 'Own rules?', options: ['yes', 'no'], rules: { hideResults: false } });
    expect(own.body.rules).toMatchObject({ hideResults: false, quorumShare: 1 });
    await t.http
      .patch(`/api/v1/orgs/${org.id}`)
      .set(org.auth)
      .send({ votingRules: { hideResults: false, quorumShare: 0.5 } });
    // Take both out of the store so the register tests below count only their own ballots.
    for (const id of [inherits.body.id, own.body.id]) await t.accord.db.models.Ballot.deleteOne({ _id: id });
  });

  it('records a ballot that misses its quorum as such at the deadline, and escalates it', async () => {
    const res = await open({
      title: 'Second shift at Line 1?',
      options: [{ key: 'yes', label: 'Add a second shift' }, 'no'],
      rules: { quorumShare: 0, requiredVoters: [team.cfo.id] },
      deadline: '2027-02-12T12:00:00Z',
    });
    await vote(res.body.id, team.ceo.id, 'yes');
    t.clock.set('2027-02-12T12:00:01Z');
    expect(await closeDueBallots(t.accord.deps)).toBe(1);
    expect(await closeDueBallots(t.accord.deps)).toBe(0);
    const d = (await t.http.get(api(`/decisions/${res.body.id}`)).set(org.auth)).body;
    expect(d).toMatchObject({
      status: 'no-quorum',
      option: null,
      decidedBy: { type: 'system', id: 'deadline' },
    });
    expect(d.tally.quorum.missingRequired).toEqual([team.cfo.id]);
    const out = await t.http.get(api('/outbox?kind=escalation')).set(org.auth);
    const summaries = out.body.items.map((m: { card: { summary: string } }) => m.card.summary);
    expect(summaries.filter((x: string) => x.includes('Second shift'))).toEqual([
      'The ballot "Second shift at Line 1?" missed its quorum (1 of 2 voted; required voters missing): it is recorded as such, not passed.',
    ]);
  });
});

describe('the decision register and action items', () => {
  it('finds decisions by text and filters', async () => {
    const all = (await t.http.get(api('/decisions')).set(org.auth)).body.items;
    expect(all).toHaveLength(3);
    const byText = (await t.http.get(api('/decisions?q=oat%20launch')).set(org.auth)).body.items;
    expect(byText.map((d: { title: string }) => d.title)).toEqual(['Which launch date for Oat drink?']);
    const byStatus = (await t.http.get(api('/decisions?status=no-quorum')).set(org.auth)).body.items;
    expect(byStatus).toHaveLength(1);
    const byResource = (await t.http.get(api(`/decisions?resource=${tradeoff.resources[0]}`)).set(org.auth))
      .body.items;
    expect(byResource.map((d: { source: { tradeoffKey: string } }) => d.source.tradeoffKey)).toEqual([
      tradeoff.key,
    ]);
  });

  it('gives a decision owned actions that their owner carries out', async () => {
    const decision = (await t.http.get(api('/decisions?status=decided')).set(org.auth)).body.items[0];
    const lead = team.leaders['operations']!;
    const created = await t.http
      .post(api(`/decisions/${decision.id}/actions`))
      .set(org.auth)
      .send({
        actorId: team.po.id,
        ownerId: lead.id,
        dueDate: '2027-03-01',
        description: 'Book the March slot',
      });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(
      (await t.http.get(api(`/actions?owner=${lead.id}&status=open`)).set(org.auth)).body.items,
    ).toHaveLength(1);

    const blocked = await t.http
      .patch(api(`/actions/${id}`))
      .set(org.auth)
      .send({ actorId: lead.id, status: 'blocked' });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.fields).toEqual({ note: 'a blocked action needs a note' });
    const stranger = await t.http
      .patch(api(`/actions/${id}`))
      .set(org.auth)
      .send({ actorId: team.ceo.id, status: 'done' });
    expect(stranger.status).toBe(403);
    const done = await t.http
      .patch(api(`/actions/${id}`))
      .set(org.auth)
      .send({ actorId: lead.id, status: 'done', note: 'booked' });
    expect(done.body).toMatchObject({ status: 'done', doneAt: '2027-02-12T12:00:01.000Z' });
    expect(done.body.history.map((h: { status: string }) => h.status)).toEqual(['open', 'done']);
  });
});

describe('many executives at once', () => {
  it('counts twenty simultaneous votes, each sent three times, exactly once each', async () => {
    const execs = [];
    for (let i = 0; i < 18; i++)
      execs.push(await buildMember(t, org, { name: `Exec ${i}`, roles: ['executive'] }));
    const voters = [team.ceo, team.cfo, ...execs];
    const res = await open({ title: 'Big room vote', options: ['a', 'b'], deadline: '2027-02-17T16:00:00Z' });
    const id = res.body.id;
    const sends = voters.flatMap((m, i) => [0, 1, 2].map(() => vote(id, m.id, i % 3 === 0 ? 'b' : 'a')));
    const answers = await Promise.all(sends);
    expect(answers.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(await t.accord.db.models.Vote.countDocuments({ ballotId: id })).toBe(20);
    const d = (await t.http.get(api(`/decisions/${id}`)).set(org.auth)).body;
    expect(d.tally.counts).toEqual({ a: 13, b: 7 });
    expect(d).toMatchObject({ status: 'decided', option: 'a' });
    expect(await t.accord.db.models.Decision.countDocuments({ _id: id })).toBe(1);
    const cast = await t.accord.db.models.AuditEvent.countDocuments({ action: 'vote.cast', 'entity.id': id });
    expect(cast).toBe(20);
  });
});

describe('the audit trail', () => {
  it('verifies, and finds the first tampered event', async () => {
    const ok = (await t.http.get(api('/audit/verify')).set(org.auth)).body;
    expect(ok.ok).toBe(true);
    expect(ok.events).toBeGreaterThan(30);
    const victim = await t.accord.db.models.AuditEvent.findOne({ action: 'vote.cast' }).lean();
    await t.accord.db.models.AuditEvent.updateOne(
      { _id: victim!._id },
      { $set: { 'after.option': 'forged' } },
    );
    const bad = (await t.http.get(api('/audit/verify')).set(org.auth)).body;
    expect(bad).toMatchObject({
      ok: false,
      broken: { seq: victim!['seq'], reason: 'its content does not match its hash' },
    });
  });
});

describe('meetings, attendance and follow-through', () => {
  it('lists the two meetings and sends an iCalendar invitation to the invitees', async () => {
    const cycle = (await t.http.get(api(`/cycles/${cycleId}`)).set(org.auth)).body;
    const meetings = (await t.http.get(api(`/cycles/${cycleId}/meetings`)).set(org.auth)).body.items;
    expect(meetings.map((m: { step: string }) => m.step)).toEqual(['pre-sop', 'executive-sop']);
    const exec = meetings[1];
    const due = new Date(cycle.steps.find((s: { key: string }) => s.key === 'executive-sop').dueAt).getTime();
    expect(new Date(exec.start).getTime()).toBe(due - 2 * 3_600_000);
    // Every executive (twenty by now) and the process owner; delegates come through their executive.
    expect(exec.invitees).toHaveLength(21);
    expect(exec.invitees).toEqual(expect.arrayContaining([team.po.id, team.ceo.id, team.cfo.id]));
    expect(exec.invitees).not.toContain(deputy.id);
    const ics = await t.http.get(exec.ics).set(org.auth);
    expect(ics.status).toBe(200);
    expect(ics.type).toBe('text/calendar');
    expect(ics.text).toContain('\r\nBEGIN:VEVENT\r\n');
    expect(ics.text).toContain(`DTSTART:${exec.start.replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
    expect(ics.text).toMatch(/ATTENDEE;CN=Cee Exec;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:/);
    expect(ics.text).toContain('SUMMARY:Executive S&OP 2027-02');
  });

  it('records who attended, checks delegates, and shows answers and response rates', async () => {
    const meetingId = `${cycleId}-executive-sop`;
    const record = (records: unknown[]) =>
      t.http
        .post(api(`/meetings/${meetingId}/attendance`))
        .set(org.auth)
        .send({ actorId: team.po.id, records });
    const wrong = await record([
      { memberId: team.leaders['sales']!.id, status: 'present' },
      { memberId: team.cfo.id, status: 'represented', delegateId: aide.id },
    ]);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual({
      'records.0.memberId': 'not invited to this meeting',
      'records.1.delegateId': 'name a delegate of this member',
    });
    expect(
      (
        await record([
          { memberId: team.ceo.id, status: 'present' },
          { memberId: team.cfo.id, status: 'represented', delegateId: deputy.id },
          { memberId: team.po.id, status: 'present' },
        ])
      ).status,
    ).toBe(204);
    const view = (await t.http.get(api(`/cycles/${cycleId}/attendance`)).set(org.auth)).body;
    const exec = view.meetings.find((m: { step: string }) => m.step === 'executive-sop');
    expect(exec.present).toBe(3);
    expect(exec.invitees.find((i: { memberId: string }) => i.memberId === team.cfo.id)).toMatchObject({
      attendance: 'represented',
      delegateId: deputy.id,
      delegateHasAuthority: true,
    });
    expect(view.responseRates.functions.map((f: { function: string }) => f.function).sort()).toEqual([
      'finance',
      'logistics',
      'marketing',
      'operations',
      'procurement',
      'sales',
    ]);
    expect(view.responseRates.members.every((m: { rate: number }) => m.rate >= 0 && m.rate <= 1)).toBe(true);
  });

  it('reminds an action owner in working hours before the due date, and escalates once overdue', async () => {
    const decision = (await t.http.get(api('/decisions?status=decided')).set(org.auth)).body.items[0];
    const lead = team.leaders['logistics']!;
    const created = await t.http
      .post(api(`/decisions/${decision.id}/actions`))
      .set(org.auth)
      .send({
        actorId: team.po.id,
        ownerId: lead.id,
        dueDate: '2027-02-15',
        description: 'Confirm the trucks',
      });
    const id = created.body.id;
    const { remindActions } = await import('../../src/app/followThrough.js');
    const mine = async () =>
      (await t.http.get(api(`/outbox?limit=100`)).set(org.auth)).body.items.filter((m: { key: string }) =>
        m.key.includes(id),
      );
    // Saturday 13 Feb, within 48 h of Monday 17:00: the reminder waits for Monday morning.
    t.clock.set('2027-02-13T18:00:00Z');
    await remindActions(t.accord.deps);
    await remindActions(t.accord.deps);
    const first = await mine();
    expect(
      first.map((m: { kind: string; recipient: { memberId: string } }) => [m.kind, m.recipient.memberId]),
    ).toEqual([
      ['action', lead.id], // the owner heard of the action when it was assigned
      ['reminder', lead.id],
    ]);
    expect(new Date(first[1].notBefore).getTime()).toBeGreaterThanOrEqual(Date.parse('2027-02-15T07:00:00Z'));
    t.clock.set('2027-02-15T16:30:00Z');
    await remindActions(t.accord.deps);
    await remindActions(t.accord.deps);
    const after = await mine();
    expect(
      after.map((m: { kind: string; recipient: { memberId: string } }) => [m.kind, m.recipient.memberId]),
    ).toEqual([
      ['action', lead.id],
      ['reminder', lead.id],
      ['escalation', team.po.id],
    ]);
  });

  it('measures follow-through: owners, on-time actions, overdue ones, latency', async () => {
    const m = (await t.http.get(api('/metrics/follow-through')).set(org.auth)).body;
    expect(m.overall).toMatchObject({
      decisions: 4,
      decisionsWithOwners: 2,
      actions: 2,
      done: 1,
      doneOnTime: 1,
      overdue: 1,
    });
    expect(m.overall.medianHoursDecisionLatency).toBeGreaterThanOrEqual(0);
    expect(m.cycles).toHaveLength(1);
    expect(m.cycles[0]).toMatchObject({ month: '2027-02', decisions: 4 });
  });
});
