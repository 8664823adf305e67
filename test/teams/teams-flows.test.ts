/**
 * Everything people do in Slack, done in Teams, through the real Teams app (the SDK's JWT check on,
 * against a local JWKS) with activities built from the recorded shapes, and a local Bot Connector:
 * install and identity, the commands, step prompts delivered by the Teams deliverer, the input form
 * as a dialog with server-side field errors, ballots with Action.Execute (a why, retries counted
 * once, the per-voter refresh), assigning an action from a decision, Mark done, the escalation's
 * buttons, the what-if, and connecting a second tenant with a code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { sweepAt } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { startTeamsBot, type TeamsBot } from '../helpers/teamsBot.js';
import {
  teamsExecute,
  teamsInstall,
  teamsMessage,
  teamsTask,
  type TeamsUser,
} from '../helpers/teamsPayloads.js';

let bot: TeamsBot;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;
const people: Record<string, TeamsUser> = {};

type Sent = { type: string; summary?: string; attachments?: { content: { body: unknown[] } }[] };
/** What Accord sent to a conversation (replies and proactive messages), as JSON text. */
const sentTo = (user: TeamsUser) =>
  bot.connector.activities
    .filter((a) => a.conversationId === `a:personal-${user.id}`)
    .map((a) => a.activity as Sent);
async function nextSent(user: TeamsUser, count: number): Promise<Sent> {
  for (let i = 0; i < 200 && sentTo(user).length < count; i++) await new Promise((r) => setTimeout(r, 20));
  const all = sentTo(user);
  expect(all.length).toBeGreaterThanOrEqual(count);
  return all[count - 1]!;
}
const text = (v: unknown) => JSON.stringify(v);
const say = async (user: TeamsUser, words: string) => {
  const before = sentTo(user).length;
  expect((await bot.post(teamsMessage(user, words, bot.where))).status).toBe(200);
  return nextSent(user, before + 1);
};
const execute = async (user: TeamsUser, data: Record<string, unknown>) => {
  const res = await bot.post(teamsExecute(user, data, bot.where));
  expect(res.status).toBe(200);
  return res.body as { statusCode: number; type: string; value: unknown };
};
const task = async (kind: 'fetch' | 'submit', user: TeamsUser, data: Record<string, unknown>) => {
  const res = await bot.post(teamsTask(kind, user, data, bot.where));
  expect(res.status).toBe(200);
  return res.body as { task: { type: 'continue' | 'message'; value: unknown } };
};
const email = async (id: string) =>
  (await bot.t.http.get(`/api/v1/orgs/${org.id}/members/${id}`).set(org.auth)).body.email as string;

beforeAll(async () => {
  bot = await startTeamsBot({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(bot.t, { name: 'Teams Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(bot.t, org, { sales: 'America/New_York' });
  people['ceo'] = bot.user('Cee Exec', await email(team.ceo.id));
  people['cfo'] = bot.user('Cfo Exec', await email(team.cfo.id));
  people['sales'] = bot.user('Lead sales', await email(team.leaders['sales']!.id));
  people['po'] = bot.user('Petra PO', await email(team.po.id));
  people['stranger'] = bot.user('Stranger', 'stranger@elsewhere.example');
  const tables = syntheticCompany({
    families: 8,
    resources: 4,
    months: 36,
    lastMonth: '2027-01',
    horizon: 12,
    tightShare: 0.25,
    seed: 5,
  });
  let upload = bot.t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  expect((await upload).status).toBe(201);
  cycleId = (await bot.t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' }))
    .body.id;
});
afterAll(() => bot.close());

describe('install and identity', () => {
  it('greets a known person with their home card, remembers the chat, and links them by email', async () => {
    expect((await bot.post(teamsInstall(people['sales']!, bot.where))).status).toBe(200);
    const home = await nextSent(people['sales']!, 1);
    expect(home.summary).toBe('Accord for Teams Co');
    expect(text(home)).toContain('Hello Lead sales');
    const member = await bot.t.accord.deps.members.get(org.id, team.leaders['sales']!.id);
    expect(member?.teamsUserId).toBe(people['sales']!.id);
    const chat = await bot.t.accord.deps.teams.personalFor(org.id, member!.id);
    expect(chat).toMatchObject({
      kind: 'personal',
      serviceUrl: bot.where.serviceUrl,
      teamsUserId: people['sales']!.id,
    });
    const audit = await bot.t.accord.db.models.AuditEvent.countDocuments({ action: 'member.chat-linked' });
    expect(audit).toBe(1);
  });

  it('matches by Entra object id when an administrator entered that as the Teams id', async () => {
    const m = await buildMember(bot.t, org, {
      name: 'Obj Person',
      roles: ['functional-leader'],
      functions: ['finance'],
    });
    const u = bot.user('Obj Person', 'someone-else@example.com'); // the email does not match
    const patched = await bot.t.http
      .patch(`/api/v1/orgs/${org.id}/members/${m.id}`)
      .set(org.auth)
      .send({ teamsUserId: u.aadObjectId });
    expect(patched.status).toBe(200);
    await say(u, 'help');
    expect((await bot.t.accord.deps.members.get(org.id, m.id))?.teamsUserId).toBe(u.id);
  });

  it('tells someone unknown whom to ask, and writes nothing', async () => {
    const before = await bot.t.accord.db.models.TeamsConversation.countDocuments({});
    expect((await bot.post(teamsInstall(people['stranger']!, bot.where))).status).toBe(200);
    const answer = await nextSent(people['stranger']!, 1);
    expect(answer.summary).toBe(
      'You are not set up in Accord for Teams Co yet. Ask Petra PO to add you (with the email of your Microsoft Teams profile).',
    );
    expect(await bot.t.accord.db.models.TeamsConversation.countDocuments({})).toBe(before);
  });
});

describe('commands', () => {
  it.each([
    ['help', 'What Accord can do for you, Lead sales'],
    ['status', 'S&OP cycle 2027-02: planned'],
    ['pack', 'There is no pre-S&OP pack for the current cycle yet.'],
    ['scenario', 'There is no pre-S&OP pack for the current cycle yet: a what-if needs one.'],
    ['decisions', '0 decision(s)'],
    ['actions', 'You have no open actions.'],
    ['home', 'Accord for Teams Co'],
    ['something else', 'What Accord can do for you, Lead sales'],
  ])('%s answers with a card', async (command, summary) => {
    const reply = await say(people['sales']!, command);
    expect(reply.summary).toBe(summary);
    expect(reply.attachments?.[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive' });
  });
});

describe('step prompts, and the input form as a dialog', () => {
  let requestId: string;
  it('delivers the demand prompt by personal chat, with a button that opens the dialog', async () => {
    await sweepAt(bot.t, '2027-02-03T16:05:00Z'); // demand planning open
    const before = sentTo(people['sales']!).length;
    const drained = await bot.t.accord.teamsDeliverer!.drain();
    // Those who never opened Accord in Teams cannot be reached: dead, with the reason, for the process owner.
    const dead = (await bot.t.http.get(`/api/v1/orgs/${org.id}/outbox?status=dead`).set(org.auth)).body
      .items as {
      recipient: { name: string };
      lastError: string;
    }[];
    expect(dead).toHaveLength(drained.dead);
    for (const d of dead) {
      expect(['Lead marketing', 'Petra PO']).toContain(d.recipient.name);
      expect(d.lastError).toContain('is not reachable in Teams');
    }
    const prompt = await nextSent(people['sales']!, before + 1);
    expect(prompt.summary).toContain('demand adjustments for sales');
    const button = text(prompt).match(/"action":"input\.open","value":"([a-f0-9]{24})"/);
    expect(text(prompt)).toContain('"msteams":{"type":"task/fetch"}');
    requestId = button![1]!;
    // Delivered once: a second drain sends nothing more.
    await bot.t.accord.teamsDeliverer!.drain();
    expect(sentTo(people['sales']!).filter((a) => a.summary === prompt.summary)).toHaveLength(1);
  });

  it('opens the form, answers bad values beside their fields, saves good ones as a version', async () => {
    const opened = await task('fetch', people['sales']!, { action: 'input.open', value: requestId });
    expect(opened.task.type).toBe('continue');
    const form = text(opened.task.value);
    for (const id of ['family', 'from', 'to', 'changeType', 'changeValue', 'reason', 'confidence'])
      expect(form).toContain(`"id":"${id}"`);
    const bad = await task('submit', people['sales']!, {
      action: 'input.submit',
      context: requestId,
      family: 'F001',
      from: '2027-13',
      to: '2027-04',
      changeType: 'percent',
      changeValue: '12',
      reason: 'Promotion',
      confidence: 'high',
    });
    expect(bad.task.type).toBe('continue');
    expect(text(bad.task.value)).toMatch(/"color":"Attention"/);
    expect(text(bad.task.value)).toContain('"value":"2027-13"'); // what was typed is kept
    expect(await bot.t.accord.db.models.Submission.countDocuments({})).toBe(0);
    const good = await task('submit', people['sales']!, {
      action: 'input.submit',
      context: requestId,
      family: 'F001',
      from: '2027-03',
      to: '2027-04',
      changeType: 'percent',
      changeValue: '12',
      reason: 'Promotion',
      confidence: 'high',
    });
    expect(good.task).toEqual({
      type: 'message',
      value: expect.stringContaining('Saved as version 1.') as unknown as string,
    });
    expect(await bot.t.accord.db.models.Submission.countDocuments({})).toBe(1);
  });
});

describe('ballots, decisions and actions', () => {
  let ballotId: string;
  let decisionId: string;

  it('counts a vote with its why once, however often Teams retries it, and shows the voter their vote', async () => {
    const res = await bot.t.http
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
    await bot.post(teamsInstall(people['ceo']!, bot.where));
    await nextSent(people['ceo']!, 1);
    await bot.t.accord.teamsDeliverer!.drain();
    const ballot = await nextSent(people['ceo']!, 2);
    expect(ballot.summary).toBe('Ballot: Overtime in March?');
    // The card keeps itself current for whoever sees it.
    expect(text(ballot)).toContain(
      `"refresh":{"action":{"type":"Action.Execute","verb":"ballot.refresh","data":{"action":"ballot.refresh","value":"${ballotId}"}}}`,
    );
    const press = {
      action: 'ballot.vote',
      value: `${ballotId}:yes`,
      [`why:${ballotId}`]: 'Cheaper than lost sales',
    };
    for (let i = 0; i < 3; i++) {
      const answer = await execute(people['ceo']!, press);
      expect(answer).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      expect(text(answer.value)).toContain('Your vote: yes. You can change it until the ballot closes.');
    }
    expect(await bot.t.accord.db.models.Vote.countDocuments({ ballotId })).toBe(1);
    expect(await bot.t.accord.db.models.Vote.findOne({ ballotId }).lean()).toMatchObject({
      option: 'yes',
      reason: 'Cheaper than lost sales',
    });
  });

  it('refreshes the card for each voter with their own vote', async () => {
    await bot.post(teamsInstall(people['cfo']!, bot.where));
    const mine = await execute(people['cfo']!, { action: 'ballot.refresh', value: ballotId });
    expect(text(mine.value)).toContain('You have not voted yet.');
    expect(text(mine.value)).toContain('yes: 1');
    const ceo = await execute(people['ceo']!, { action: 'ballot.refresh', value: ballotId });
    expect(text(ceo.value)).toContain('Your vote: yes.');
  });

  it('lets the process owner alone assign an action from the decision, field by field', async () => {
    const closed = await bot.t.http
      .post(`/api/v1/orgs/${org.id}/ballots/${ballotId}/close`)
      .set(org.auth)
      .send({ actorId: team.po.id });
    expect(closed.status).toBe(200);
    decisionId = closed.body.id;
    // A vote after the close: the final card, no buttons.
    const late = await execute(people['cfo']!, { action: 'ballot.vote', value: `${ballotId}:no` });
    expect(text(late.value)).toContain('Closed.');
    expect(text(late.value)).not.toContain('ballot.vote');

    const refused = await task('fetch', people['ceo']!, { action: 'decision.assign', value: decisionId });
    expect(refused.task).toEqual({ type: 'message', value: 'Only the S&OP process owner assigns actions.' });
    await bot.post(teamsInstall(people['po']!, bot.where));
    const opened = await task('fetch', people['po']!, { action: 'decision.assign', value: decisionId });
    expect(text(opened.task.value)).toContain(`"value":"${team.leaders['sales']!.id}"`); // the owner is picked from the members
    const bad = await task('submit', people['po']!, {
      action: 'action.assign',
      context: decisionId,
      due: '2027-02-30',
      description: ' ',
    });
    expect(bad.task.type).toBe('continue');
    const body = text(bad.task.value);
    expect(body).toContain('choose who does it');
    expect(body).toContain('must be a real date as YYYY-MM-DD');
    expect(body).toContain('say what is to be done');
    expect(await bot.t.accord.db.models.Action.countDocuments({})).toBe(0);
    const good = await task('submit', people['po']!, {
      action: 'action.assign',
      context: decisionId,
      owner: team.leaders['sales']!.id,
      due: '2027-03-01',
      description: 'Book the overtime with the works council',
    });
    expect(good.task).toEqual({
      type: 'message',
      value:
        'Lead sales has the action "Book the overtime with the works council", due 2027-03-01. They get it as a message and can mark it done from there or their home card.',
    });
  });

  it('delivers the action to its owner, who marks it done from the card', async () => {
    bot.t.clock.set('2027-02-04T14:00:00Z'); // the owner's working hours (New York)
    const before = sentTo(people['sales']!).length;
    await bot.t.accord.teamsDeliverer!.drain();
    let dm: Sent | undefined;
    for (let n = before + 1; n <= sentTo(people['sales']!).length || n === before + 1; n++) {
      const s = await nextSent(people['sales']!, n);
      if (s.summary?.startsWith('New action for you')) dm = s;
      if (dm) break;
    }
    expect(dm).toBeDefined();
    const actionId = text(dm).match(/"action":"action\.done","value":"([a-f0-9]{24})"/)![1]!;
    const done = await execute(people['sales']!, { action: 'action.done', value: actionId });
    expect(text(done.value)).toContain('Done: Book the overtime with the works council');
    expect((await bot.t.accord.deps.actions.get(org.id, actionId))?.status).toBe('done');
    // From the home card, the home card comes back.
    const again = await execute(people['sales']!, {
      action: 'action.done',
      value: actionId,
      surface: 'home',
    });
    expect(text(again.value)).toContain('Accord for Teams Co');
  });
});

describe("the escalation's buttons", () => {
  it('extend by a business day for the process owner only', async () => {
    await sweepAt(bot.t, '2027-02-08T16:00:00Z'); // demand planning closes with marketing's input missing
    const value = `${cycleId}:demand-planning`;
    const refused = await execute(people['ceo']!, { action: 'step.extend', value });
    expect(refused).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(refused.value).toContain('is not a process owner');
    const ok = await execute(people['po']!, { action: 'step.extend', value });
    expect(ok.value).toMatch(/^Demand planning is open again and due Tue 9 Feb, 17:00 \(Europe\/Berlin\)/);
    const closed = await execute(people['po']!, { action: 'step.close', value });
    expect(closed.value).toBe('Demand planning is closed without the missing inputs.');
  });
});

describe('the what-if', () => {
  it('opens from the scenario card, checks field by field, and posts the comparison', async () => {
    const built = await bot.t.http
      .post(`/api/v1/orgs/${org.id}/cycles/${cycleId}/pack`)
      .set(org.auth)
      .send({});
    expect([200, 201]).toContain(built.status);
    const invite = await say(people['po']!, 'scenario');
    const value = text(invite).match(/"action":"scenario\.open","value":"([^"]+)"/)![1]!;
    const form = await task('fetch', people['po']!, { action: 'scenario.open', value });
    expect(text(form.task.value)).toContain('"id":"demandPercent"');
    const bad = await task('submit', people['po']!, {
      action: 'scenario.submit',
      context: value,
      demandPercent: 'lots',
    });
    expect(text(bad.task.value)).toContain('must be a number, e.g. 10 or -15');
    const before = sentTo(people['po']!).length;
    const good = await task('submit', people['po']!, {
      action: 'scenario.submit',
      context: value,
      name: 'Promo lands',
      demandPercent: '10',
    });
    expect(good.task).toEqual({
      type: 'message',
      value: 'Re-planning "Promo lands"; the comparison appears in this chat in a moment.',
    });
    const comparison = await nextSent(people['po']!, before + 1);
    expect(comparison.summary).toMatch(/^Promo lands: margin [+-]/);
  });
});

describe('disruption', () => {
  it('opens the form from its card, checks it in the dialog, and records the disruption', async () => {
    const invite = await say(people['sales']!, 'disruption');
    expect(text(invite)).toContain('"action":"soe.disruption.open"');
    const form = await task('fetch', people['sales']!, { action: 'soe.disruption.open', value: '' });
    expect(form.task.type).toBe('continue');
    const resource = text(form.task.value).match(/"choices":\[\{"title":"[^"]+","value":"([^"]+)"/)![1]!;
    const bad = await task('submit', people['sales']!, {
      action: 'soe.disruption.submit',
      context: '',
      resource,
      from: '2027-02-08',
      to: '2027-02-10',
      note: 'Line down',
    });
    expect(text(bad.task.value)).toContain('capacity');
    const before = await bot.t.accord.deps.soe.disruptions(org.id);
    const good = await task('submit', people['sales']!, {
      action: 'soe.disruption.submit',
      context: '',
      resource,
      from: '2027-02-08',
      to: '2027-02-10',
      unitsPerWeek: '120',
      note: 'Line down until the part arrives',
    });
    expect(good.task.type).toBe('message');
    expect(String(good.task.value)).toMatch(/^Reported\./);
    expect((await bot.t.accord.deps.soe.disruptions(org.id)).length).toBe(before.length + 1);
  });
});

describe('another tenant', () => {
  it('connects with a code typed in a team channel, which becomes the S&OP channel', async () => {
    const other = await buildOrg(bot.t, { name: 'Second Co' });
    const po = await buildMember(bot.t, other, { name: 'Second PO', roles: ['process-owner'] });
    const poEmail = (await bot.t.http.get(`/api/v1/orgs/${other.id}/members/${po.id}`).set(other.auth)).body
      .email as string;
    const u = bot.user('Second PO', poEmail);
    const where = {
      ...bot.where,
      tenantId: '11111111-2222-4333-8444-555555555555',
      conversation: { id: '19:sop-channel@thread.tacv2', conversationType: 'channel' as const, name: 'S&OP' },
      team: { id: '19:team@thread.tacv2', name: 'Operations' },
    };
    bot.connector.addConversation({ id: where.conversation.id, tenantId: where.tenantId, members: [u.id] });
    // Not connected yet: told how, nothing written.
    await bot.post(teamsMessage(u, 'status', where));
    const code = await bot.t.http
      .post(`/api/v1/orgs/${other.id}/teams/connect-code`)
      .set(other.auth)
      .send({});
    expect(code.status).toBe(201);
    expect((await bot.post(teamsMessage(u, 'connect not-a-code', where))).status).toBe(200);
    expect(await bot.t.accord.deps.teams.tenant(where.tenantId)).toBeNull();
    expect((await bot.post(teamsMessage(u, `connect ${code.body.code}`, where))).status).toBe(200);
    for (
      let i = 0;
      i < 100 && !(await bot.t.accord.deps.teams.tenant(where.tenantId))?.sopConversationId;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(await bot.t.accord.deps.teams.tenant(where.tenantId)).toMatchObject({
      orgId: other.id,
      sopConversationId: where.conversation.id,
    });
    const replies = bot.connector.activities
      .filter((a) => a.conversationId === where.conversation.id)
      .map((a) => (a.activity as Sent).summary);
    expect(replies).toEqual([
      expect.stringContaining('not connected to Accord yet'),
      expect.stringContaining('Not connected: this connect code is not valid'),
      'This Microsoft Teams organisation is now connected to Accord for Second Co. This channel is the S&OP channel: the pack is posted here. Type help to see what Accord can do.',
    ]);
    const status = await bot.t.http.get(`/api/v1/orgs/${other.id}/teams`).set(other.auth);
    expect(status.body).toMatchObject({
      enabled: true,
      tenantId: where.tenantId,
      sopChannel: where.conversation.id,
    });
  });
});

describe('web', () => {
  it('web in the personal chat: a one-time sign-in link that signs the person in as themselves', async () => {
    const reply = await say(people['ceo']!, 'web');
    expect(reply.summary).toBe('Your sign-in link to Accord on the web');
    const url = /(https?:\/\/[^"\s]+\/app\/sign-in\/[\w-]{43})/.exec(text(reply))?.[1];
    expect(url).toBeDefined();
    const agent = supertest.agent(bot.t.accord.app);
    expect((await agent.post(new URL(url!).pathname).type('form').send('')).status).toBe(303);
    const board = await agent.get('/app/board');
    expect(board.status).toBe(200);
    expect(board.text).toContain('Cee Exec');
  });

  it('web in a channel: no link there (everyone would see it), told to ask in the personal chat', async () => {
    const where = {
      ...bot.where,
      conversation: { id: '19:web-test@thread.tacv2', conversationType: 'channel' as const, name: 'S&OP' },
      team: { id: '19:team-web@thread.tacv2', name: 'Operations' },
    };
    bot.connector.addConversation({
      id: where.conversation.id,
      tenantId: where.tenantId,
      members: [people['ceo']!.id],
    });
    const links = await bot.t.accord.db.models.WebToken.countDocuments({});
    expect((await bot.post(teamsMessage(people['ceo']!, 'web', where))).status).toBe(200);
    let sent: unknown[] = [];
    for (let i = 0; i < 100 && !sent.length; i++) {
      sent = bot.connector.activities.filter((a) => a.conversationId === where.conversation.id);
      if (!sent.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(text(sent)).toContain('send web to Accord in your personal chat');
    expect(text(sent)).not.toContain('/app/sign-in/');
    expect(await bot.t.accord.db.models.WebToken.countDocuments({})).toBe(links);
  });
});
