/**
 * The Slack app through the real Bolt app on Accord's own server, with Slack-signed requests built
 * from the payload shapes in ../shared/fixtures and a local fake Slack Web API: what the person
 * sees (the ack, the recorded Web API calls) and what is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';
import {
  blockAction,
  chosen,
  formBody,
  slashCommand,
  typed,
  viewSubmission,
} from '../helpers/slackPayloads.js';

const SECRET = 'test-signing-secret-0123';

let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;

const command = (userId: string, text: string) => slashCommand(userId, text);

const post = (body: string, headers: Record<string, string> = slackHeaders(SECRET, body)) =>
  t.http.post('/slack/events').set(headers).send(body);

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-02-03T09:00:00Z',
    slack: { signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.url },
  });
  org = await buildOrg(t, { name: 'Slack Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  const ceo = (await t.http.get(`/api/v1/orgs/${org.id}/members/${team.ceo.id}`).set(org.auth)).body;
  slack.addUser('W111', ceo.email.toUpperCase());
  await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' });
});
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('requests from Slack', () => {
  it('answers the URL verification challenge', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const res = await post(body, { ...slackHeaders(SECRET, body), 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ challenge: 'c-123' });
  });

  it('refuses forged and stale signatures with 401, and does nothing', async () => {
    const body = command('W111', 'help');
    const forged = await post(body, slackHeaders('not-the-secret', body));
    expect(forged.status).toBe(401);
    const stale = await post(body, slackHeaders(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale.status).toBe(401);
    expect(slack.calls).toEqual([]);
  });

  it('tells an unknown Slack user who to ask, and writes nothing', async () => {
    const before = await t.accord.db.models.Member.countDocuments({});
    const res = await post(command('W999', 'help'));
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    expect(res.body.text).toBe(
      'You are not set up in Accord for Slack Co yet. Ask Petra PO to add you (with the email of your Slack profile).',
    );
    expect(await t.accord.db.models.Member.countDocuments({})).toBe(before);
  });

  it('matches a Slack user by email once, links the Slack id, and helps by role', async () => {
    const res = await post(command('W111', 'help'));
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body.blocks);
    expect(text).toContain('Accord for Cee Exec (executive)');
    expect(text).toContain('Ballots arrive as messages');
    expect(text).not.toContain('escalations');
    const linked = (await t.http.get(`/api/v1/orgs/${org.id}/members/${team.ceo.id}`).set(org.auth)).body;
    expect(linked.slackUserId).toBe('W111');
    const lookups = slack.calls.filter((c) => c.method === 'users.info').length;
    await post(command('W111', 'help'));
    expect(slack.calls.filter((c) => c.method === 'users.info').length).toBe(lookups); // linked: no new lookup
  });

  it('shows the cycle and who still owes what with /sop status', async () => {
    await sweepAt(t, '2027-02-03T09:00:00Z'); // demand planning opens (09:00 Berlin = 08:00Z)
    const res = await post(command('W111', 'status'));
    const text = JSON.stringify(res.body.blocks);
    expect(res.body.text).toMatch(/S&amp;OP cycle 2027-02: Data gathering and Demand planning are open/);
    expect(text).toContain('Still owed for Demand planning');
    expect(text).toContain('Lead sales');
  });

  it('answers /sop pack, /sop decisions and /sop actions', async () => {
    expect((await post(command('W111', 'pack'))).body.text).toBe(
      'There is no pre-S&amp;OP pack for the current cycle yet.',
    );
    expect((await post(command('W111', 'decisions overtime'))).body.text).toBe(
      '0 decision(s) matching "overtime"',
    );
    expect((await post(command('W111', 'actions'))).body.text).toBe('You have no open actions.');
  });

  it('/sop web: a one-time sign-in link only the person sees, which signs them in as themselves', async () => {
    const res = await post(command('W111', 'web'));
    expect(res.status).toBe(200);
    expect(res.body.response_type).toBe('ephemeral');
    const url = /(https?:\/\/[^"\s]+\/app\/sign-in\/[\w-]{43})/.exec(JSON.stringify(res.body.blocks))?.[1];
    expect(url).toBeDefined();
    const agent = supertest.agent(t.accord.app);
    const path = new URL(url!).pathname;
    expect((await agent.post(path).type('form').send('')).status).toBe(303);
    const board = await agent.get('/app/board');
    expect(board.status).toBe(200);
    expect(board.text).toContain('Cee Exec');
  });
});

describe('votes from ballot messages', () => {
  it('counts a click once, even when Slack retries it, and updates the message', async () => {
    const ballot = await t.http
      .post(
        `/api/v1/orgs/${org.id}/cycles/${(await t.http.get(`/api/v1/orgs/${org.id}/cycles`).set(org.auth)).body.items[0].id}/ballots`,
      )
      .set(org.auth)
      .send({
        actorId: team.po.id,
        deadline: '2027-02-17T16:00:00Z',
        title: 'Overtime in March?',
        options: ['yes', 'no'],
      });
    expect(ballot.status).toBe(201);
    // Each executive gets the ballot as a message with one button per option.
    const queued = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=ballot`).set(org.auth)).body.items;
    expect(queued.map((m: { recipient: { memberId: string } }) => m.recipient.memberId).sort()).toEqual(
      [team.ceo.id, team.cfo.id].sort(),
    );
    expect(JSON.stringify(queued[0].card)).toContain(`${ballot.body.id}:yes`);
    const payload = blockAction('W111', {
      action_id: 'ballot.vote',
      block_id: 'vote',
      value: `${ballot.body.id}:yes`,
    });
    const body = formBody(payload);
    const first = await post(body);
    expect(first.status).toBe(200);
    const retry = await post(body, {
      ...slackHeaders(SECRET, body),
      'X-Slack-Retry-Num': '1',
      'X-Slack-Retry-Reason': 'http_timeout',
    });
    expect(retry.status).toBe(200);
    // The work runs after the ack: wait for the message update.
    for (let i = 0; i < 100 && slack.calls.filter((c) => c.method === 'chat.update').length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await t.accord.db.models.Vote.countDocuments({ ballotId: ballot.body.id })).toBe(1);
    expect(await t.accord.db.models.AuditEvent.countDocuments({ action: 'vote.cast' })).toBe(1);
    // The second button of the message (action id `ballot.vote:1`) changes the vote.
    const { ballotView } = await import('../../src/app/ballots.js');
    const { presentBallot } = await import('../../src/cards/presenters/ballots.js');
    const rendered = (await import('../../bots/slack/blockkit.js')).renderMessage(
      presentBallot(await ballotView(t.accord.deps, org.id, ballot.body.id)),
    );
    const buttons = (
      rendered.blocks.find((b) => b.type === 'actions') as {
        elements: { action_id: string; value: string }[];
      }
    ).elements;
    expect(buttons.map((b) => b.action_id)).toEqual(['ballot.vote', 'ballot.vote:1']);
    const second = {
      ...payload,
      actions: [{ ...payload.actions[0], action_id: buttons[1]!.action_id, value: buttons[1]!.value }],
    };
    const secondBody = formBody(second);
    expect((await post(secondBody)).status).toBe(200);
    for (
      let i = 0;
      i < 50 && (await t.accord.db.models.AuditEvent.countDocuments({ action: 'vote.changed' })) < 1;
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    const vote = await t.accord.db.models.Vote.findOne({ ballotId: ballot.body.id }).lean();
    expect(vote!['option']).toBe('no');
    const update = slack.calls.find((c) => c.method === 'chat.update')!;
    expect(update.args).toMatchObject({ channel: 'C111', ts: '111.222' });
    expect(JSON.stringify(update.args['blocks'])).toContain('yes: 1');
  });
});

describe('actions from Slack', () => {
  it('lets the owner mark an action done from its message', async () => {
    const ballot = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=ballot`).set(org.auth)).body
      .items[0];
    const ballotId = String(JSON.stringify(ballot.card)).match(/([a-f0-9]{24}):yes/)![1]!;
    const decision = await t.http
      .post(`/api/v1/orgs/${org.id}/ballots/${ballotId}/close`)
      .set(org.auth)
      .send({ actorId: team.po.id });
    const action = await t.http
      .post(`/api/v1/orgs/${org.id}/decisions/${decision.body.id}/actions`)
      .set(org.auth)
      .send({
        actorId: team.po.id,
        ownerId: team.ceo.id,
        dueDate: '2027-03-01',
        description: 'Book the overtime',
      });
    expect(action.status).toBe(201);
    const listed = await post(command('W111', 'actions'));
    expect(JSON.stringify(listed.body.blocks)).toContain(action.body.id);
    const payload = blockAction('W111', { action_id: 'action.done', block_id: 'a', value: action.body.id });
    expect((await post(formBody(payload))).status).toBe(200);
    // The work runs after the ack: wait for the confirmation the owner sees.
    const confirmed = () =>
      slack.calls.find(
        (c) => c.method === 'chat.postEphemeral' && c.args['text'] === 'Done: Book the overtime',
      );
    for (let i = 0; i < 100 && !confirmed(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(confirmed()).toBeDefined();
    expect((await t.accord.deps.actions.get(org.id, action.body.id))!.status).toBe('done');
  });
});

describe('input forms', () => {
  const click = (userId: string, actionId: string, value: string) =>
    post(formBody(blockAction(userId, { action_id: actionId, block_id: 'prompt', value })));
  const submit = (userId: string, requestId: string, values: Record<string, string | { option: string }>) =>
    post(
      formBody(
        viewSubmission(
          userId,
          'input.submit',
          requestId,
          Object.fromEntries(
            Object.entries(values).map(([block, v]) => [
              block,
              typeof v === 'string' ? typed(v) : chosen(v.option),
            ]),
          ),
        ),
      ),
    );
  const waitFor = async (method: string, count: number) => {
    for (let i = 0; i < 100 && slack.calls.filter((c) => c.method === method).length < count; i++)
      await new Promise((r) => setTimeout(r, 50));
    return slack.calls.filter((c) => c.method === method);
  };
  let requestId: string;

  beforeAll(async () => {
    const sales = (
      await t.http.get(`/api/v1/orgs/${org.id}/members/${team.leaders['sales']!.id}`).set(org.auth)
    ).body;
    slack.addUser('W222', sales.email);
    const cycle = (await t.http.get(`/api/v1/orgs/${org.id}/cycles`).set(org.auth)).body.items[0];
    const inputs = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycle.id}/inputs`).set(org.auth)).body
      .items;
    requestId = inputs.find((i: { key: string }) => i.key === 'demand-planning:demand-adjustments:sales').id;
  });

  it("opens the person's form from the prompt's button", async () => {
    expect((await click('W222', 'input.open', requestId)).status).toBe(200);
    const [open] = await waitFor('views.open', 1);
    expect(open!.args['trigger_id']).toBe('111.222.valid');
    const view = open!.args['view'] as {
      callback_id: string;
      private_metadata: string;
      blocks: { block_id: string }[];
    };
    expect(view.callback_id).toBe('input.submit');
    expect(view.private_metadata).toBe(requestId);
    expect(view.blocks.map((b) => b.block_id)).toEqual([
      'family',
      'from',
      'to',
      'changeType',
      'changeValue',
      'reason',
      'confidence',
    ]);
  });

  it('shows what is wrong field by field, and stores nothing', async () => {
    const res = await submit('W222', requestId, {
      family: 'F001',
      from: '2027-13',
      to: '2027-05',
      changeType: { option: 'percent' },
      changeValue: '12',
      reason: 'no',
      confidence: { option: 'high' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: {
        from: 'must be a month as YYYY-MM',
        to: 'must be on or after from',
        reason: 'say why in a few words',
      },
    });
    expect(await t.accord.db.models.Submission.countDocuments({})).toBe(0);
  });

  it("shows the API's bounds on its blocks: months the cycle plans, numbers within 1e12", async () => {
    const res = await submit('W222', requestId, {
      family: 'F001',
      from: '2027-04',
      to: '2031-01',
      changeType: { option: 'units' },
      changeValue: '1e13',
      reason: 'Promotion with RetailCo',
      confidence: { option: 'high' },
    });
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: {
        to: 'must be a month from 2027-03 to 2028-08 (the months the 2027-02 cycle plans)',
        changeValue: 'must be from -1e12 to 1e12',
      },
    });
    expect(await t.accord.db.models.Submission.countDocuments({})).toBe(0);
  });

  it('saves a good form as a new version, confirms it, and opens pre-filled the next time', async () => {
    const res = await submit('W222', requestId, {
      family: 'F001',
      from: '2027-04',
      to: '2027-06',
      changeType: { option: 'percent' },
      changeValue: '12',
      reason: 'Promotion with RetailCo',
      confidence: { option: 'high' },
    });
    expect(res.body.response_action).toBe('update');
    expect(JSON.stringify(res.body.view)).toContain('Saved as version 1');
    const subs = await t.accord.deps.submissions.list(org.id, requestId);
    expect(subs.map((x) => x.payload)).toEqual([
      {
        adjustments: [
          {
            family: 'F001',
            from: '2027-04',
            to: '2027-06',
            change: { type: 'percent', value: 12 },
            reason: 'Promotion with RetailCo',
            confidence: 'high',
          },
        ],
      },
    ]);
    await click('W222', 'input.open', requestId);
    const opens = await waitFor('views.open', 2);
    const blocks = (
      opens[1]!.args['view'] as { blocks: { block_id: string; element: Record<string, unknown> }[] }
    ).blocks;
    expect(blocks.find((b) => b.block_id === 'family')!.element['initial_value']).toBe('F001');
    expect(blocks.find((b) => b.block_id === 'changeValue')!.element['initial_value']).toBe('12');
  });
});
