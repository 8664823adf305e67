/**
 * S&OE alerts in Slack, the way Slack sends them: the outbox's Slack deliverer posts each alert card
 * as a DM to its owner (a local fake Slack Web API), and the owner presses its buttons (signed
 * block_actions through the real Bolt app, built from the posted blocks: the button's action id
 * and value, the DM and message it is on, and the card's note input in `state.values`).
 * Acknowledge with an empty note is refused in a line only the presser sees, and nothing is
 * written; with a note typed in the card it replaces the message with the settled card. Another
 * alert goes on the next agenda; a third is put to a decision, which opens the ballot to the
 * executives.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import {
  buildMember,
  buildOrg,
  THREE_TRADEOFFS,
  uploadCompany,
  type OrgHandle,
} from '../helpers/factories.js';
import { slackHeaders, startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';
import { apiAlerts, soeScript, type ApiAlert } from '../helpers/soe.js';
import { blockAction, formBody } from '../helpers/slackPayloads.js';

const SECRET = 'soe-signing-secret-1';
let t: TestAccord;
let slack: FakeSlack;
let org: OrgHandle;
let resources: string[];
const people: Record<string, { id: string; slack: string }> = {};

type Json = Record<string, unknown>;
type Block = Json & { type: string; block_id?: string; elements?: Json[] };
/** An alert card as Slack received it: the DM, the message's ts, its blocks. */
interface Delivered {
  channel: string;
  ts: string;
  blocks: Block[];
}

const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
const drain = () => t.accord.slackDeliverer!.drain();
const find = async (kind: string) => (await apiAlerts(t, org)).find((a) => a.kind === kind)!;
async function until<T>(get: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

/** The alert's card in `who`'s DM: the post Slack received, and where it landed (Accord's delivery). */
async function delivered(who: string, a: ApiAlert): Promise<Delivered> {
  await drain();
  const doc = await t.accord.db.models.OutboxMessage.findOne({
    key: `alert:${a.id}:${people[who]!.id}`,
  }).lean();
  expect(doc?.['status']).toBe('delivered');
  const where = doc!['delivery'] as { channel: string; ts: string };
  const post = slack.calls.find(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.args['channel'] === people[who]!.slack &&
      JSON.stringify(c.args['blocks']).includes(`"value":"${a.id}"`),
  );
  expect(post).toBeDefined();
  expect(where.channel).toBe(`D${people[who]!.slack}`);
  return { channel: where.channel, ts: where.ts, blocks: post!.args['blocks'] as Block[] };
}

/**
 * `who` presses the button `action` of the delivered card, with `note` typed in its input (or
 * left empty: Slack sends the input's value as null), as Slack posts the block_actions.
 */
function press(who: string, card: Delivered, action: string, note: string | null) {
  const actions = card.blocks.find(
    (b) => b.type === 'actions' && b.elements?.some((e) => String(e['action_id']).startsWith(action)),
  )!;
  const button = actions.elements!.find((e) => String(e['action_id']).startsWith(action))!;
  const input = card.blocks.find((b) => b.type === 'input')!;
  const element = input['element'] as { action_id: string; type: string };
  const body = formBody(
    blockAction(
      people[who]!.slack,
      {
        action_id: String(button['action_id']),
        block_id: String(actions.block_id),
        value: String(button['value']),
      },
      {
        container: { type: 'message', channel_id: card.channel, message_ts: card.ts, is_ephemeral: false },
        channel: { id: card.channel, name: 'directmessage' },
        state: {
          values: { [String(input.block_id)]: { [element.action_id]: { type: element.type, value: note } } },
        },
      },
    ),
  );
  return t.http.post('/slack/events').set(slackHeaders(SECRET, body)).send(body);
}

const updates = (card: Delivered) =>
  slack.calls.filter(
    (c) => c.method === 'chat.update' && c.args['channel'] === card.channel && c.args['ts'] === card.ts,
  );
const ephemerals = (who: string) =>
  slack.calls
    .filter((c) => c.method === 'chat.postEphemeral' && c.args['user'] === people[who]!.slack)
    .map((c) => ({ channel: String(c.args['channel']), text: String(c.args['text']) }));

beforeAll(async () => {
  slack = await startFakeSlack();
  t = await startTestAccord({
    now: '2027-02-12T09:00:00Z',
    publicUrl: 'https://accord.example.com',
    slack: { signingSecret: SECRET, botToken: 'xoxb-soe', apiUrl: slack.url },
  });
  org = await buildOrg(t, { name: 'Watch Co', timezone: 'Europe/London' });
  const add = async (key: string, slackId: string, o: Json) => {
    const m = await buildMember(t, org, {
      email: `${key}@watch.example.com`,
      timezone: 'Europe/London',
      ...o,
    });
    people[key] = { id: m.id, slack: slackId };
    slack.addUser(slackId, `${key}@watch.example.com`);
  };
  await add('po', 'U0PO', { name: 'Petra PO', roles: ['process-owner'] });
  await add('sales', 'U0SAL', { name: 'Sam Sales', roles: ['functional-leader'], functions: ['sales'] });
  await add('ops', 'U0OPS', { name: 'Olu Ops', roles: ['functional-leader'], functions: ['operations'] });
  await add('ceo', 'U0CEO', { name: 'Cory CEO', roles: ['executive'] });
  await add('cfo', 'U0CFO', { name: 'Frida CFO', roles: ['executive'] });
  await uploadCompany(t, org, THREE_TRADEOFFS);
  // Monday 12 April: six weeks of actuals with a spike and a bias; two alerts for sales.
  ({ resources } = await soeScript(t, org));
}, 120_000);
afterAll(async () => {
  await t.close();
  await slack.close();
});

describe('S&OE alerts in Slack', () => {
  it('are delivered as DMs to their owner: what moved, a note input and the three buttons', async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    const text = JSON.stringify(card.blocks);
    expect(text).toContain('Warning: A forecast bias');
    const input = card.blocks.find((b) => b.type === 'input')!;
    expect(input.block_id).toBe(`note:${bias.id}`);
    const buttons = card.blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e['value'] === bias.id)
      .map((e) => String(e['action_id']));
    expect(buttons).toEqual(['soe.decide', 'soe.agenda', 'soe.ack']);
    // The spike too; the process owner has copies of both.
    await delivered('sales', await find('demand-band'));
    await delivered('po', bias);
  });

  it('refuses to acknowledge without a note, in a line only the presser sees; nothing is written', async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    const res = await press('sales', card, 'soe.ack', null);
    expect(res.status).toBe(200);
    const said = await until(() => ephemerals('sales')[0]);
    expect(said).toEqual({
      channel: card.channel,
      text: 'Not acknowledged: write a note saying what you do about it.',
    });
    // Blanks typed are no note either.
    await press('sales', card, 'soe.ack', '   ');
    await until(() => ephemerals('sales')[1]);
    expect((await find('bias')).outcome).toBeNull();
    expect(updates(card)).toEqual([]);
  });

  it('acknowledges with the note typed in the card: the message becomes the settled card', async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    await press('sales', card, 'soe.ack', 'The promotion ran two weeks longer');
    const update = await until(() => updates(card)[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain(
      'Acknowledged (The promotion ran two weeks longer): ',
    );
    expect(JSON.stringify(update.args['blocks'])).not.toContain('soe.ack');
    expect((await find('bias')).outcome).toMatchObject({
      outcome: 'acknowledged',
      note: 'The promotion ran two weeks longer',
      by: people['sales']!.id,
    });
    // The process owner's copy of the same alert: already settled, said in a line.
    const copy = await delivered('po', bias);
    await press('po', copy, 'soe.agenda', null);
    expect(await until(() => ephemerals('po')[0])).toEqual({
      channel: copy.channel,
      text: 'This alert is already settled (acknowledged).',
    });
  });

  it('puts another alert on the next pre-S&OP agenda', async () => {
    const band = await find('demand-band');
    const card = await delivered('sales', band);
    await press('sales', card, 'soe.agenda', null);
    const update = await until(() => updates(card)[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain('On the next pre-S&amp;OP agenda: ');
    expect((await find('demand-band')).outcome).toMatchObject({ outcome: 'agenda', note: null });
  });

  it('decides now: the ballot opens to the executives', async () => {
    const reported = await t.http.post(api('/disruptions')).set(org.auth).send({
      actorId: people['ops']!.id,
      resource: resources[0],
      from: '2027-04-05',
      to: '2027-04-09',
      capacityLostPercent: 50,
      note: 'The filler broke down; parts arrive Friday',
    });
    expect(reported.status).toBe(201);
    const down = await find('disruption');
    const card = await delivered('ops', down);
    expect(JSON.stringify(card.blocks)).toContain('loses 50% of its capacity');
    await press('ops', card, 'soe.decide', 'Overtime looks cheapest');
    const update = await until(() => updates(card)[0]);
    expect(JSON.stringify(update.args['blocks'])).toContain('A ballot is open to the executives: ');
    const outcome = (await find('disruption')).outcome!;
    expect(outcome).toMatchObject({ outcome: 'decide', note: 'Overtime looks cheapest' });
    const ballot = (await t.http.get(api(`/ballots/${outcome.ballotId}`)).set(org.auth)).body;
    expect(ballot.options.map((o: { key: string }) => o.key)).toEqual(['overtime', 'reallocate', 'accept']);
    expect(ballot.title).toBe(`S&OE: ${down.what}`.slice(0, 200));
    // The executives get the ballot in their DMs, with its vote buttons.
    await drain();
    for (const exec of ['ceo', 'cfo'])
      expect(
        slack.calls.some(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.args['channel'] === people[exec]!.slack &&
            JSON.stringify(c.args['blocks']).includes(`"value":"${outcome.ballotId}:overtime"`),
        ),
      ).toBe(true);
  });
});
