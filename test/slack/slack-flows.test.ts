/**
 * The rest of the cycle in Slack, through the real Bolt app with Slack-signed requests built from
 * the fixture shapes and a local fake Slack Web API: the Home tab, a vote with its why (also from
 * the Home tab), actions assigned from the decision message and done from the owner's DM,
 * `/sop scenario`, and a second workspace installed through OAuth for a second org.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';
import {
  blockAction,
  chosen,
  formBody,
  slashCommand,
  typed,
  viewSubmission,
} from '../helpers/slackPayloads.js';

const SECRET = 'flows-signing-secret-1';
let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;

const post = (body: string, headers: Record<string, string> = slackHeaders(SECRET, body)) =>
  t.http.post('/slack/events').set(headers).send(body);
const command = (userId: string, text: string, teamId = 'T111') => slashCommand(userId, text, teamId);

function click(
  userId: string,
  actionId: string,
  value: string,
  extra: { home?: boolean; values?: Record<string, string>; teamId?: string } = {},
) {
  const values = Object.fromEntries(
    Object.entries(extra.values ?? {}).map(([block, v]) => [block, { value: typed(v) }]),
  );
  return post(
    formBody(
      blockAction(
        userId,
        { action_id: actionId, block_id: 'b', value },
        {
          ...(extra.teamId ? { team: { id: extra.teamId, domain: 'second' } } : {}),
          ...(extra.home
            ? {
                container: { type: 'view', view_id: 'VHOME' },
                view: { id: 'VHOME', type: 'home', state: { values } },
                channel: undefined,
              }
            : { state: { values } }),
        },
      ),
    ),
  );
}

const submitView = (
  userId: string,
  callbackId: string,
  privateMetadata: string,
  values: Record<string, Record<string, unknown>>,
) => post(formBody(viewSubmission(userId, callbackId, privateMetadata, values)));

async function waitFor(method: string, count: number) {
  for (let i = 0; i < 200 && slack.calls.filter((c) => c.method === method).length < count; i++)
    await new Promise((r) => setTimeout(r, 25));
  return slack.calls.filter((c) => c.method === method);
}
async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
}

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-01-20T10:00:00Z',
    publicUrl: 'https://accord.example.com',
    slack: {
      signingSecret: SECRET,
      botToken: 'xoxb-single',
      apiUrl: slack.url,
      oauth: { clientId: '111.222', clientSecret: 'client-secret-1', stateSecret: 'state-secret-0123456789' },
    },
  });
  org = await buildOrg(t, { name: 'Flows Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org, { sales: 'America/New_York' });
  // A third executive, so two votes do not close a ballot.
  await buildMember(t, org, { name: 'Coo Exec', roles: ['executive'] });
  const email = async (id: string) =>
    (await t.http.get(`/api/v1/orgs/${org.id}/members/${id}`).set(org.auth)).body.email as string;
  slack.addUser('W111', await email(team.ceo.id));
  slack.addUser('W222', await email(team.leaders['sales']!.id));
  slack.addUser('W333', await email(team.po.id));
  slack.addUser('W444', await email(team.cfo.id));
  const tables = syntheticCompany({
    families: 8,
    resources: 4,
    months: 36,
    lastMonth: '2027-01',
    horizon: 12,
    tightShare: 0.25,
    seed: 5,
  });
  let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  expect((await upload).status).toBe(201);
  cycleId = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body
    .id;
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('the Home tab', () => {
  it("shows a functional leader their input, due in their time zone, with the form's button", async () => {
    await sweepAt(t, '2027-02-03T09:00:00Z'); // demand planning opens
    const event = JSON.stringify({
      token: 'verification_token',
      team_id: 'T111',
      api_app_id: 'A111',
      type: 'event_callback',
      event_id: 'Ev111',
      event_time: 1_800_000_000,
      event: { type: 'app_home_opened', user: 'W222', channel: 'D222', tab: 'home', event_ts: '1.2' },
    });
    const res = await post(event, { ...slackHeaders(SECRET, event), 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    const [published] = await waitFor('views.publish', 1);
    expect(published!.args['user_id']).toBe('W222');
    const view = published!.args['view'] as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain('Your inputs');
    expect(shown).toMatch(/Demand adjustments \(sales\), Demand planning: due .*, not submitted yet/);
    expect(shown).toContain('America/New_York');
    expect(shown).toContain('"action_id":"input.open"');
    expect(shown).toContain('You have no open actions.');
    expect(shown).toContain('S&amp;OP cycle 2027-02');
    expect(shown).not.toContain('Open ballots'); // not an executive
  });
});

describe('ballots, decisions and actions', () => {
  let ballotId: string;

  it('stores the why typed above the buttons with the vote', async () => {
    const res = await t.http
      .post(`/api/v1/orgs/${org.id}/cycles/${cycleId}/ballots`)
      .set(org.auth)
      .send({
        actorId: team.po.id,
        deadline: '2027-02-17T16:00:00Z',
        title: 'Overtime in March?',
        options: ['yes', 'no'],
      });
    expect(res.status).toBe(201);
    ballotId = res.body.id;
    const queued = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=ballot`).set(org.auth)).body.items;
    expect(JSON.stringify(queued[0].card)).toContain(`why:${ballotId}`);
    await click('W111', 'ballot.vote', `${ballotId}:yes`, {
      values: { [`why:${ballotId}`]: 'Cheaper than <lost> sales' },
    });
    await until(async () => (await t.accord.db.models.Vote.countDocuments({ ballotId })) === 1);
    const vote = await t.accord.db.models.Vote.findOne({ ballotId }).lean();
    expect(vote).toMatchObject({ option: 'yes', reason: 'Cheaper than <lost> sales' });
    await waitFor('chat.update', 1); // the ballot message shows the count
  });

  it('lets an executive vote from the Home tab, and shows the Home again', async () => {
    const before = slack.calls.filter((c) => c.method === 'views.publish').length;
    const updates = slack.calls.filter((c) => c.method === 'chat.update').length;
    await click('W444', 'ballot.vote', `${ballotId}:no`, { home: true });
    const published = await waitFor('views.publish', before + 1);
    const home = JSON.stringify(published.at(-1)!.args['view']);
    expect(published.at(-1)!.args['user_id']).toBe('W444');
    expect(home).toContain('Open ballots');
    expect(home).toContain('Overtime in March?: you voted no');
    expect(slack.calls.filter((c) => c.method === 'chat.update')).toHaveLength(updates); // no message to update
  });

  it("assigns an action from the process owner's decision message, field by field, and DMs the owner", async () => {
    const decision = await t.http
      .post(`/api/v1/orgs/${org.id}/ballots/${ballotId}/close`)
      .set(org.auth)
      .send({ actorId: team.po.id });
    expect(decision.status).toBe(200);
    const copies = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=decision`).set(org.auth)).body
      .items as {
      recipient: { memberId: string };
      card: unknown;
    }[];
    const poCopy = copies.find((c) => c.recipient.memberId === team.po.id)!;
    const ceoCopy = copies.find((c) => c.recipient.memberId === team.ceo.id)!;
    expect(JSON.stringify(poCopy.card)).toContain('decision.assign');
    expect(JSON.stringify(ceoCopy.card)).not.toContain('decision.assign');

    // Only the process owner assigns.
    await click('W111', 'decision.assign', decision.body.id);
    const refusals = await waitFor('chat.postEphemeral', 1);
    expect(refusals.at(-1)!.args['text']).toBe('Only the S&amp;OP process owner assigns actions.');

    await click('W333', 'decision.assign', decision.body.id);
    const opened = (await waitFor('views.open', 1)).at(-1)!;
    const view = opened.args['view'] as {
      callback_id: string;
      private_metadata: string;
      blocks: { block_id?: string }[];
    };
    expect(view.callback_id).toBe('action.assign');
    expect(view.private_metadata).toBe(decision.body.id);
    expect(view.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['owner', 'due', 'description']);

    const bad = await submitView('W333', 'action.assign', decision.body.id, {
      owner: { type: 'users_select', selected_user: 'W999' },
      due: { type: 'datepicker', selected_date: '2026-12-01' },
      description: typed('  '),
    });
    expect(bad.body).toEqual({
      response_action: 'errors',
      errors: {
        owner: 'this person is not in Accord: add them first (with their Slack email)',
        due: 'must be a date from 2027-02-03 to 2032-02-03 (today in Europe/Berlin to 5 years ahead)',
        description: 'say what is to be done',
      },
    });
    // The same rule as the API's: a real date, today to 5 years ahead in the org's zone.
    for (const [date, message] of [
      ['2027-02-30', 'must be a real date as YYYY-MM-DD'],
      [
        '2032-02-04',
        'must be a date from 2027-02-03 to 2032-02-03 (today in Europe/Berlin to 5 years ahead)',
      ],
    ]) {
      const wrong = await submitView('W333', 'action.assign', decision.body.id, {
        owner: { type: 'users_select', selected_user: 'W222' },
        due: { type: 'datepicker', selected_date: date },
        description: typed('Book the overtime with the works council'),
      });
      expect(wrong.body).toEqual({ response_action: 'errors', errors: { due: message } });
    }
    expect(await t.accord.db.models.Action.countDocuments({})).toBe(0);

    const good = await submitView('W333', 'action.assign', decision.body.id, {
      owner: { type: 'users_select', selected_user: 'W222' },
      due: { type: 'datepicker', selected_date: '2027-03-01' },
      description: typed('Book the overtime with the works council'),
    });
    expect(good.body.response_action).toBe('update');
    expect(JSON.stringify(good.body.view)).toContain('Lead sales has the action');
    const actions = await t.accord.deps.actions.list(org.id, { ownerId: team.leaders['sales']!.id });
    expect(actions).toHaveLength(1);
    const dm = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=action`).set(org.auth)).body.items;
    expect(dm).toHaveLength(1);
    expect(dm[0].recipient.memberId).toBe(team.leaders['sales']!.id);
    expect(JSON.stringify(dm[0].card)).toContain(
      `"action":"action.done","label":"Mark done","value":"${actions[0]!.id}"`,
    );
    // Not in the owner's quiet hours: 04:00 in New York now, so at 08:00 there (13:00 UTC).
    expect(dm[0].notBefore).toBe('2027-02-03T13:00:00.000Z');

    // The owner marks it done from the Home tab, which then shows no open action.
    const before = slack.calls.filter((c) => c.method === 'views.publish').length;
    await click('W222', 'action.done', actions[0]!.id, { home: true });
    const published = await waitFor('views.publish', before + 1);
    expect(JSON.stringify(published.at(-1)!.args['view'])).toContain('You have no open actions.');
    expect((await t.accord.deps.actions.get(org.id, actions[0]!.id))!.status).toBe('done');
  });
});

describe('a closed ballot', () => {
  it('counts no late vote, tells the voter, and takes the buttons off the message', async () => {
    const ballot = await t.accord.db.models.Ballot.findOne({ title: 'Overtime in March?' }).lean();
    const id = String(ballot!['_id']);
    const updates = slack.calls.filter((c) => c.method === 'chat.update').length;
    await click('W111', 'ballot.vote', `${id}:no`);
    const [update] = (await waitFor('chat.update', updates + 1)).slice(updates);
    expect(JSON.stringify(update!.args['blocks'])).toContain('Closed.');
    expect(JSON.stringify(update!.args['blocks'])).not.toContain('ballot.vote');
    const told = slack.calls.filter((c) => c.method === 'chat.postEphemeral').at(-1)!;
    expect(told.args['text']).toBe('Your vote was not counted: this ballot is closed');
    expect(
      (await t.accord.db.models.Vote.findOne({ ballotId: id, voterId: team.ceo.id }).lean())!['option'],
    ).toBe('yes');
  });
});

describe('/sop scenario', () => {
  it('says when there is no pack to try a what-if on', async () => {
    const res = await post(command('W111', 'scenario'));
    expect(res.body.text).toBe(
      'There is no pre-S&amp;OP pack for the current cycle yet: a what-if needs one.',
    );
  });

  it('opens the what-if form, checks it field by field, and replies with the comparison', async () => {
    const built = await t.http.post(`/api/v1/orgs/${org.id}/cycles/${cycleId}/pack`).set(org.auth).send({});
    expect(built.status).toBe(201);
    const opens = slack.calls.filter((c) => c.method === 'views.open').length;
    const res = await post(command('W111', 'scenario'));
    expect(res.status).toBe(200);
    const view = (await waitFor('views.open', opens + 1)).at(-1)!.args['view'] as {
      callback_id: string;
      private_metadata: string;
      blocks: { block_id?: string; element?: { options?: { value: string }[] } }[];
    };
    expect(view.callback_id).toBe('scenario.submit');
    const resources = view.blocks
      .find((b) => b.block_id === 'resource')!
      .element!.options!.map((o) => o.value);
    expect(resources.length).toBeGreaterThan(0);

    const bad = await submitView('W111', 'scenario.submit', view.private_metadata, {
      demandPercent: typed('ten'),
      families: typed('F001, NOPE'),
      from: typed('2027-13'),
      capacityPercent: typed('-20'),
    });
    expect(bad.body).toEqual({
      response_action: 'errors',
      errors: {
        demandPercent: 'must be a number, e.g. 10 or -15',
        families: 'not in this pack: NOPE',
        from: 'must be a month as YYYY-MM (01-12)',
        capacityPercent: 'choose the resource above',
      },
    });
    // The API's rules, block by block: a range in order and inside the pack's horizon, bounded numbers.
    const disordered = await submitView('W111', 'scenario.submit', view.private_metadata, {
      demandPercent: typed('5000'),
      from: typed('2027-06'),
      to: typed('2027-04'),
      resource: chosen(resources[0]!),
      capacityPercent: typed('-20'),
    });
    expect(disordered.body).toEqual({
      response_action: 'errors',
      errors: { demandPercent: 'must be from -100 to 1000', to: 'must be on or after from (2027-06)' },
    });
    const outside = await submitView('W111', 'scenario.submit', view.private_metadata, {
      demandPercent: typed('10'),
      to: typed('2031-01'),
    });
    expect(outside.body).toEqual({
      response_action: 'errors',
      errors: { to: "must be a month from 2027-03 to 2028-08 (the pack's horizon)" },
    });
    expect(slack.calls.filter((c) => c.method === 'views.update')).toHaveLength(0);

    const good = await submitView('W111', 'scenario.submit', view.private_metadata, {
      name: typed('Promotion lands'),
      demandPercent: typed('15'),
      resource: chosen(resources[0]!),
      capacityPercent: typed('-20'),
    });
    expect(good.body.response_action).toBe('update');
    expect(JSON.stringify(good.body.view)).toContain('Re-planning');
    const updated = (await waitFor('views.update', 1)).at(-1)!;
    const shown = JSON.stringify(updated.args['view']);
    expect(shown).toContain('Promotion lands');
    expect(shown).toMatch(/Revenue/);
    expect(shown).toMatch(/Fill rate/);
    expect(shown).toContain('pack.html?exp=');
  });
});

describe('/sop disruption', () => {
  it('opens the form, checks it field by field, and raises the disruption against the plan', async () => {
    const opens = slack.calls.filter((c) => c.method === 'views.open').length;
    const res = await post(command('W333', 'disruption'));
    expect(res.status).toBe(200);
    const view = (await waitFor('views.open', opens + 1)).at(-1)!.args['view'] as {
      callback_id: string;
      private_metadata: string;
      blocks: { block_id?: string; element?: { options?: { value: string }[] } }[];
    };
    expect(view.callback_id).toBe('soe.disruption.submit');
    const resources = view.blocks
      .find((b) => b.block_id === 'resource')!
      .element!.options!.map((o) => o.value);
    const bad = await submitView('W333', 'soe.disruption.submit', view.private_metadata, {
      resource: chosen(resources[0]!),
      from: { type: 'datepicker', selected_date: '2027-02-10' },
      to: { type: 'datepicker', selected_date: '2027-02-08' },
      capacityLostPercent: typed('50'),
      note: typed('x'),
    });
    expect(bad.body.response_action).toBe('errors');
    expect(Object.keys(bad.body.errors).sort()).toEqual(['note', 'to']);
    expect(await t.accord.deps.soe.disruptions(org.id)).toEqual([]);
    const good = await submitView('W333', 'soe.disruption.submit', view.private_metadata, {
      resource: chosen(resources[0]!),
      from: { type: 'datepicker', selected_date: '2027-02-08' },
      to: { type: 'datepicker', selected_date: '2027-02-10' },
      capacityLostPercent: typed('50'),
      note: typed('The filler broke down'),
    });
    expect(good.body.response_action).toBe('update');
    expect(JSON.stringify(good.body.view)).toContain('Reported.');
    expect(await t.accord.deps.soe.disruptions(org.id)).toEqual([
      expect.objectContaining({
        resource: resources[0],
        from: '2027-02-08',
        to: '2027-02-10',
        capacityLost: { share: 0.5 },
      }),
    ]);
  });
});

describe('many workspaces (OAuth)', () => {
  let org2: OrgHandle;

  it('installs Accord in a second workspace for a second org from a signed link', async () => {
    org2 = await buildOrg(t, { name: 'Second Org', timezone: 'Asia/Tokyo' });
    const boss = await buildMember(t, org2, {
      name: 'Second Boss',
      roles: ['process-owner'],
      email: 'boss@second.example',
    });
    slack.addUser('U2BOSS', 'boss@second.example');
    const link = await t.http.post(`/api/v1/orgs/${org2.id}/slack/install-link`).set(org2.auth).send({});
    expect(link.status).toBe(201);
    const local = String(link.body.url).replace('https://accord.example.com', '');
    expect(local).toMatch(new RegExp(`^/slack/install/${org2.id}\\?exp=\\d+&sig=`));

    // A link altered to another org is refused.
    const forged = await t.http.get(local.replace(org2.id, org.id));
    expect(forged.status).toBe(403);

    const start = await t.http.get(local);
    expect(start.status).toBe(302);
    const authorizeUrl = new URL(start.headers['location']!);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorizeUrl.searchParams.get('scope')).toBe('chat:write,commands,users:read,users:read.email');
    const state = authorizeUrl.searchParams.get('state')!;
    const cookie = String(start.headers['set-cookie']).split(';')[0]!;

    // A callback whose state is not this browser's is refused, and stores nothing.
    const wrong = await t.http.get(`/slack/oauth_redirect?code=good-code&state=${encodeURIComponent(state)}`);
    expect(wrong.status).toBe(400);
    expect(await t.accord.db.models.Installation.countDocuments({})).toBe(0);

    const done = await t.http
      .get(`/slack/oauth_redirect?code=good-code&state=${encodeURIComponent(state)}`)
      .set('Cookie', cookie);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Accord is installed in Second Workspace');
    const listed = await t.http.get(`/api/v1/orgs/${org2.id}/slack`).set(org2.auth);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ teamId: 'T222', teamName: 'Second Workspace', botUserId: 'U0BOT222' }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('xoxb-');
    // Stored sealed: the database holds no token in clear.
    const stored = await t.accord.db.models.Installation.collection.find({}).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain('xoxb-');

    // The second workspace acts on the second org, with its own token.
    const res = await post(command('U2BOSS', 'help', 'T222'));
    expect(JSON.stringify(res.body.blocks)).toContain('Accord for Second Boss (process-owner)');
    const lookup = slack.calls.filter((c) => c.method === 'users.info').at(-1)!;
    expect(lookup.token).toBe('xoxb-installed-T222');

    // Its messages go out with that token; the first org's with the single workspace's.
    await t.accord.deps.outbox.enqueue(
      [
        {
          orgId: org2.id,
          key: 'hello:2',
          kind: 'reminder',
          cycleId: null,
          recipient: { memberId: boss.id, name: 'Second Boss' },
          card: { summary: 'Hello from org 2', blocks: [{ type: 'text', text: 'Hello from org 2' }] },
          notBefore: t.clock.now(),
        },
      ],
      t.clock.now(),
    );
    await t.accord.slackDeliverer!.drain();
    const sent = slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && c.args['text'] === 'Hello from org 2',
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.token).toBe('xoxb-installed-T222');
    expect(sent[0]!.args['channel']).toBe('U2BOSS');
  });

  it('refuses an install link when it is expired or unsigned', async () => {
    expect((await t.http.get(`/slack/install/${org2.id}`)).status).toBe(403);
    expect((await t.http.get(`/slack/install/${org2.id}?exp=1&sig=x`)).status).toBe(403);
  });

  it('refuses an install link once its org renewed its links', async () => {
    const link = await t.http.post(`/api/v1/orgs/${org2.id}/slack/install-link`).set(org2.auth).send({});
    const local = String(link.body.url).replace('https://accord.example.com', '');
    expect((await t.http.get(local)).status).toBe(302);
    expect((await t.http.post(`/api/v1/orgs/${org2.id}/links/rotate`).set(org2.auth)).status).toBe(200);
    const refused = await t.http.get(local);
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/not valid or has expired/);
  });
});
