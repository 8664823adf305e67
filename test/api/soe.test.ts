/**
 * S&OE over the API and the real database, the outbox as the boundary: weekly actuals against the
 * pack's plan phased into weeks, with an injected demand spike, a slow bias and a line breakdown
 * reported as a disruption. Each variance is raised once (a second check raises nothing), reaches
 * its owners in chat (or only Accord, when it is an old week), and is settled once: decide now (a
 * ballot that ends in a decision with an owner), the next pre-S&OP agenda, or acknowledged with a
 * note. An alert left alone is escalated once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { escalateAlerts } from '../../src/app/soe.js';
import { sendHealthSummaries } from '../../src/app/health.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, THREE_TRADEOFFS, uploadCompany, type OrgHandle } from '../helpers/factories.js';
import { apiAlerts, soeScript } from '../helpers/soe.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let script: Awaited<ReturnType<typeof soeScript>>;
const api = (p: string, o: OrgHandle = org) => `/api/v1/orgs/${o.id}${p}`;
const alerts = () => apiAlerts(t, org);
const outbox = async (kind: string) =>
  (await t.http.get(api(`/outbox?kind=${kind}&limit=100`)).set(org.auth)).body.items as {
    key: string;
    recipient: { memberId: string };
    card: { summary: string };
  }[];

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(t, { name: 'Watch Co', timezone: 'Europe/London' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/London' });
  team = await buildTeam(t, org);
  await uploadCompany(t, org, THREE_TRADEOFFS);
  // The February pack; on 12 April, six weeks of actuals with a spike and a slow bias (test/helpers/soe.ts).
  script = await soeScript(t, org);
});
afterAll(() => t.close());

describe('weekly actuals', () => {
  it('are refused row by row, all or nothing', async () => {
    const bad = await t.http
      .put(api('/actuals/2027-W05'))
      .set(org.auth)
      .send({
        families: [
          { family: 'NOPE', orders: 5 },
          { family: script.spiked, orders: -1 },
        ],
        resources: [],
      });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toMatchObject({
      'families.0.family': 'not a family of the data set',
      'families.1.orders': 'must be 0 or more',
    });
    const future = await t.http.put(api('/actuals/2027-W30')).set(org.auth).send({ families: [] });
    expect(future.body.error.fields.week).toContain('must not be after this week (2027-W15)');
    expect((await t.http.get(api('/actuals/2027-W05')).set(org.auth)).status).toBe(404);
  });

  it('raise exactly the spike, the bias and the breakdown, once each', async () => {
    const { spiked, biased } = script;
    const resource = script.resources[0]!;
    const down = await t.http.post(api('/disruptions')).set(org.auth).send({
      actorId: team.leaders['operations']!.id,
      resource,
      from: '2027-04-05',
      to: '2027-04-09',
      capacityLostPercent: 50,
      note: 'The filler broke down; parts arrive Friday',
    });
    expect(down.status).toBe(201);
    const raised = (await alerts()).map((a) => a.key).sort();
    expect(raised).toEqual(
      [
        `band:${spiked}:2027-W13:above`,
        // A bias's key names the week it was raised for: it may be raised again a quarter later.
        `bias:${biased}:+:2027-W14`,
        `disruption:${down.body.disruption.id}`,
      ].sort(),
    );
    // Money at stake: each variance re-planned with the pack's model (the spike in its month, the
    // bias to the horizon's end, the breakdown as capacity lost), what serving it costs in levers
    // and margin still lost.
    const byKind = new Map((await alerts()).map((a) => [a.kind, a]));
    for (const a of byKind.values()) {
      expect(a.moneyBasis).toBe('replan');
      expect(a.moneyAtStake).toBe(
        Math.round(Math.max(0, a.replan!.leverSpend + a.replan!.lostMargin, -a.replan!.margin)),
      );
      expect(a.moneyAtStake).toBeGreaterThan(0);
    }
    expect(byKind.get('bias')!.replan!.whatIf.demand).toEqual([
      { families: [biased], from: '2027-04', to: expect.any(String), percent: 12 },
    ]);
    expect(byKind.get('demand-band')!.replan!.whatIf.demand![0]).toMatchObject({
      // W13 runs from Monday 29 March; its Thursday is in April.
      families: [spiked],
      from: '2027-04',
      to: '2027-04',
    });
    const lost = byKind.get('disruption')!.replan!.whatIf.capacity!;
    expect(lost).toEqual([{ resource, from: '2027-04', to: '2027-04', units: expect.any(Number) }]);
    expect(-lost[0]!.units!).toBeCloseTo(byKind.get('disruption')!.unitsAtRisk, -1);
    // The same data checked again: nothing new.
    const again = await t.http.post(api('/soe/check')).set(org.auth).send();
    expect(again.body).toEqual({ checked: true, raised: [] });
    expect(await alerts()).toHaveLength(3);
  });

  it('tells the owners in chat: sales of the demand alerts, operations of the breakdown, the process owner of all', async () => {
    const cards = await outbox('alert');
    const to = (id: string) => cards.filter((c) => c.recipient.memberId === id).map((c) => c.card.summary);
    expect(to(team.po.id).length).toBeGreaterThanOrEqual(2);
    expect(to(team.leaders['operations']!.id)).toEqual([
      expect.stringContaining('loses 50% of its capacity'),
    ]);
    // Sales owns demand: the spike (critical) and the bias, each a full sentence with its numbers.
    const sales = to(team.leaders['sales']!.id);
    expect(sales).toHaveLength(2);
    expect(sales.find((x) => x.startsWith('Critical: Orders of'))).toMatch(
      /above the plan \(.*\) and above the P90/,
    );
    expect(sales.find((x) => x.startsWith('Warning: Orders of'))).toMatch(
      /a tracking signal of 5\.0 against a limit of 4\./,
    );
    expect(to(team.leaders['finance']!.id)).toEqual([]);
  });
});

describe('weekly actuals as files', () => {
  it('takes a CSV per table, all or nothing, with the table, line and column of each bad row', async () => {
    const fam = script.others[0]!;
    const bad = await t.http
      .post(api('/actuals'))
      .set(org.auth)
      .attach(
        'orders',
        Buffer.from(
          `week,family,orders,shipments,on_hand\n2027-W08,${fam},12,11,\n2027-W08,NOPE,3,3,\n2027-W40,${fam},1,1,\n`,
        ),
        'orders.csv',
      );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({
      'orders:3:family': 'not a family of the data set',
      'orders:4:week': 'must not be after this week (2027-W15)',
    });
    expect((await t.http.get(api('/actuals/2027-W08')).set(org.auth)).status).toBe(404);
    const ok = await t.http
      .post(api('/actuals'))
      .set(org.auth)
      .attach(
        'orders',
        Buffer.from(`week,family,orders,shipments,on_hand\n2027-W08,${fam},"1,200",1100,40\n`),
        'orders.csv',
      );
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ weeks: ['2027-W08'], rows: 1 });
    expect((await t.http.get(api('/actuals/2027-W08')).set(org.auth)).body.families[fam]).toEqual({
      orders: 1200,
      shipments: 1100,
      onHand: 40,
    });
  });
});

describe('outcomes', () => {
  const find = async (kind: string) => (await alerts()).find((a) => a.kind === kind)!;

  it('decide now: a ballot among the executives that ends in a decision with an owner', async () => {
    const a = await find('disruption');
    // The CEO also leads operations (a COO, say): the breakdown's ballot needs the CEO's vote.
    const led = await t.http
      .patch(api(`/members/${team.ceo.id}`))
      .set(org.auth)
      .send({ roles: ['executive', 'functional-leader'], functions: ['operations'] });
    expect(led.status).toBe(200);
    const res = await t.http
      .post(api(`/alerts/${encodeURIComponent(a.id)}/outcome`))
      .set(org.auth)
      .send({ memberId: team.leaders['operations']!.id, outcome: 'decide' });
    expect(res.status).toBe(200);
    const ballotId = res.body.ballotId as string;
    const ballot = (await t.http.get(api(`/ballots/${ballotId}`)).set(org.auth)).body;
    expect(ballot.options.map((o: { key: string }) => o.key)).toEqual(['overtime', 'reallocate', 'accept']);
    expect(ballot.rules.requiredVoters).toEqual([team.ceo.id]);
    for (const exec of [team.ceo, team.cfo])
      expect(
        (
          await t.http
            .post(api(`/ballots/${ballotId}/votes`))
            .set(org.auth)
            .send({ memberId: exec.id, option: 'overtime' })
        ).status,
      ).toBe(201);
    const decision = (await t.http.get(api(`/decisions/${ballotId}`)).set(org.auth)).body;
    expect(decision).toMatchObject({ status: 'decided', option: 'overtime' });
    const action = await t.http
      .post(api(`/decisions/${ballotId}/actions`))
      .set(org.auth)
      .send({
        actorId: team.po.id,
        ownerId: team.leaders['operations']!.id,
        dueDate: '2027-04-23',
        description: 'Book a Saturday shift on the filler',
      });
    expect(action.status).toBe(201);
    // A second outcome is refused: the first stands.
    const twice = await t.http
      .post(api(`/alerts/${encodeURIComponent(a.id)}/outcome`))
      .set(org.auth)
      .send({ memberId: team.po.id, outcome: 'agenda' });
    expect(twice.status).toBe(409);
  });

  it('acknowledge needs a note; someone of another function may not settle it', async () => {
    const a = await find('bias');
    const url = api(`/alerts/${encodeURIComponent(a.id)}/outcome`);
    const noNote = await t.http
      .post(url)
      .set(org.auth)
      .send({ memberId: team.leaders['sales']!.id, outcome: 'acknowledged' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.fields.note).toBe('write a note saying what you do about it');
    const finance = await t.http
      .post(url)
      .set(org.auth)
      .send({ memberId: team.leaders['finance']!.id, outcome: 'acknowledged', note: 'seen' });
    expect(finance.status).toBe(403);
    const ok = await t.http.post(url).set(org.auth).send({
      memberId: team.leaders['sales']!.id,
      outcome: 'acknowledged',
      note: 'The promotion ran two weeks longer',
    });
    expect(ok.status).toBe(200);
    expect((await find('bias')).outcome).toMatchObject({
      outcome: 'acknowledged',
      note: 'The promotion ran two weeks longer',
    });
  });

  it('an alert left alone goes to the process owner once, a business day later', async () => {
    expect(await escalateAlerts(t.accord.deps)).toBe(0); // the same day
    t.clock.set('2027-04-13T09:05:00Z');
    const band = await find('demand-band');
    const queued = await escalateAlerts(t.accord.deps);
    expect(queued).toBe(band.notified ? 1 : 0);
    expect(await escalateAlerts(t.accord.deps)).toBe(0);
  });

  it('the next pre-S&OP agenda: the alert is on it', async () => {
    const a = await find('demand-band');
    const res = await t.http
      .post(api(`/alerts/${encodeURIComponent(a.id)}/outcome`))
      .set(org.auth)
      .send({ memberId: team.po.id, outcome: 'agenda' });
    expect(res.status).toBe(200);
    // The next cycle's pre-S&OP (the month after this one).
    const created = await t.http.post(api('/cycles')).set(org.auth).send({ month: '2027-05' });
    expect(created.status).toBe(201);
    const agenda = (await t.http.get(api(`/meetings/${created.body.id}-pre-sop/agenda`)).set(org.auth)).body;
    expect(agenda.items.find((i: { alertId: string }) => i.alertId === a.id)).toMatchObject({
      kind: 'alert',
      title: a.what,
    });
  });

  it('keeps to its org', async () => {
    expect((await t.http.get(api('/alerts', other)).set(org.auth)).status).toBe(403);
    expect((await t.http.get(api('/alerts', other)).set(other.auth)).body.items).toEqual([]);
  });

  it('feed process health: the cycle counts its alerts and how they were answered; the maturity stage says why', async () => {
    const res = await t.http.get(api('/metrics/health')).set(org.auth);
    expect(res.status).toBe(200);
    const feb = res.body.cycles.find((c: { month: string }) => c.month === '2027-02');
    // The alerts raised against February's plan, how many were answered, and one decided by a ballot
    // (the spike, the bias and the breakdown, plus the stock alert the file upload's low on-hand raised).
    const all = await alerts();
    const answered = all.filter((a) => a.outcome).length;
    expect(all).toHaveLength(4);
    expect(feb).toMatchObject({ soeRaised: 4, soeAcknowledgedShare: answered / 4, soeDecidedShare: 1 / 4 });
    expect(res.body.maturity.stage).toBeGreaterThanOrEqual(1);
    expect(res.body.maturity.criteria.length).toBeGreaterThan(5);
    for (const c of res.body.maturity.criteria as { evidence: string }[]) expect(c.evidence).toMatch(/\.$/);
  });

  it("sends the process owner the health summary once a month, in the month's first week", async () => {
    t.clock.set('2027-04-20T09:00:00Z');
    expect(await sendHealthSummaries(t.accord.deps)).toBe(0); // not the first week
    t.clock.set('2027-05-03T09:00:00Z');
    expect(await sendHealthSummaries(t.accord.deps)).toBe(1);
    expect(await sendHealthSummaries(t.accord.deps)).toBe(0);
    const [card] = await outbox('reminder').then((all) =>
      all.filter((c) => c.key.startsWith('health:2027-05:')),
    );
    expect(card!.recipient.memberId).toBe(team.po.id);
    expect(card!.card.summary).toMatch(/^S&OP health for 2027-05: stage [1-5], /);
  });
});
