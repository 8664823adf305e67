/**
 * S&OE alerts in Microsoft Teams, the way Teams sends them: the Teams deliverer posts each alert card
 * to its owner's personal chat (a local Bot Connector), and the owner presses its buttons as
 * Action.Execute invokes through the real Teams app (the SDK's JWT check on). The button is taken
 * from the card Accord sent, and the card's note input is merged into the button's data under the
 * input's id (blank inputs are not sent), as Microsoft's renderer does. Acknowledge with no note is
 * answered with a line and nothing is written; with a note the card is replaced by the settled card.
 * Another alert goes on the next agenda; a third is put to a decision, which opens the ballot to
 * the executives. Every card is checked by Microsoft's parser.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parserProblems } from '../helpers/adaptiveCards.js';
import {
  buildMember,
  buildOrg,
  THREE_TRADEOFFS,
  uploadCompany,
  type OrgHandle,
} from '../helpers/factories.js';
import { apiAlerts, soeScript, type ApiAlert } from '../helpers/soe.js';
import { startTeamsBot, type TeamsBot } from '../helpers/teamsBot.js';
import { teamsExecute, teamsInstall, type TeamsUser } from '../helpers/teamsPayloads.js';

let bot: TeamsBot;
let org: OrgHandle;
let resources: string[];
const people: Record<string, { id: string; user: TeamsUser }> = {};

type Json = Record<string, unknown>;
/** An Adaptive Card as Accord sent it. */
type AdaptiveCard = { body?: unknown[]; actions?: unknown[] };
interface Sent {
  conversationId: string;
  activityId: string;
  summary: string;
  card: AdaptiveCard;
}
/** Teams' answer to an Action.Execute: a card that replaces the pressed one, or a line. */
interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: unknown;
}

const api = (p: string) => `/api/v1/orgs/${org.id}${p}`;
const drain = () => bot.t.accord.teamsDeliverer!.drain();
const personal = (who: string) => `a:personal-${people[who]!.user.id}`;
const find = async (kind: string) => (await apiAlerts(bot.t, org)).find((a) => a.kind === kind)!;
const sent = (): Sent[] =>
  bot.connector.activities.map((a) => {
    const attachments = (a.activity['attachments'] as { content: AdaptiveCard }[] | undefined) ?? [];
    return {
      conversationId: a.conversationId,
      activityId: a.activityId,
      summary: typeof a.activity['summary'] === 'string' ? a.activity['summary'] : '',
      card: attachments[0]?.content ?? {},
    };
  });
async function until<T>(get: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await get();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

/** Every element of a card (nested containers and action sets included). */
function walk(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const n of node) walk(n, out);
  else if (node && typeof node === 'object') {
    out.push(node as Json);
    for (const v of Object.values(node as Json)) if (typeof v === 'object') walk(v, out);
  }
  return out;
}
const inputIds = (card: AdaptiveCard) =>
  walk(card)
    .filter((e) => typeof e['type'] === 'string' && e['type'].startsWith('Input.'))
    .map((e) => String(e['id']));
function button(card: AdaptiveCard, action: string, value: string): Json {
  const found = walk(card).find((e) => {
    const data = e['data'] as Json | undefined;
    return (
      typeof e['type'] === 'string' &&
      e['type'].startsWith('Action.') &&
      data?.['action'] === action &&
      data['value'] === value
    );
  });
  if (!found) throw new Error(`no ${action} ${value} button on the card: ${JSON.stringify(card)}`);
  return found;
}
const buttonsFor = (card: AdaptiveCard, value: string) =>
  walk(card)
    .filter((e) => (e['data'] as Json | undefined)?.['value'] === value)
    .map((e) => String((e['data'] as Json)['action']));

/** The alert's card in `who`'s personal chat, checked by Microsoft's parser. */
async function delivered(who: string, a: ApiAlert): Promise<Sent> {
  const card = await until(async () => {
    await drain();
    return sent().find(
      (s) =>
        s.conversationId === personal(who) &&
        walk(s.card).some((e) => (e['data'] as Json | undefined)?.['value'] === a.id),
    );
  });
  expect(parserProblems(card.card)).toEqual([]);
  return card;
}

/** `who` presses `action` on the card of message `on`, with `note` typed in its input ('' : left blank). */
async function press(
  who: string,
  on: Sent,
  action: string,
  alertId: string,
  note: string,
): Promise<InvokeAnswer> {
  const b = button(on.card, action, alertId);
  expect(b['type']).toBe('Action.Execute');
  const inputId = `note:${alertId}`;
  expect(inputIds(on.card)).toContain(inputId);
  const data = { ...(b['data'] as Json), ...(note ? { [inputId]: note } : {}) };
  const res = await bot.post({
    ...teamsExecute(people[who]!.user, data, bot.where),
    replyToId: on.activityId,
  });
  expect(res.status).toBe(200);
  return res.body as InvokeAnswer;
}
/** The card an answer replaces the pressed one with, checked by Microsoft's parser. */
function replaced(answer: InvokeAnswer): string {
  expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(parserProblems(answer.value as AdaptiveCard)).toEqual([]);
  return JSON.stringify(answer.value);
}

beforeAll(async () => {
  bot = await startTeamsBot({ now: '2027-02-12T09:00:00Z' });
  org = await buildOrg(bot.t, { name: 'Watch Co', timezone: 'Europe/London' });
  const add = async (key: string, o: Json & { name: string }) => {
    const email = `${key}@watch.example.com`;
    const m = await buildMember(bot.t, org, { email, timezone: 'Europe/London', ...o });
    people[key] = { id: m.id, user: bot.user(o.name, email) };
  };
  await add('po', { name: 'Petra PO', roles: ['process-owner'] });
  await add('sales', { name: 'Sam Sales', roles: ['functional-leader'], functions: ['sales'] });
  await add('ops', { name: 'Olu Ops', roles: ['functional-leader'], functions: ['operations'] });
  await add('ceo', { name: 'Cory CEO', roles: ['executive'] });
  await add('cfo', { name: 'Frida CFO', roles: ['executive'] });
  // Everyone has opened Accord in Teams once (their personal chat: where their messages go).
  for (const key of Object.keys(people)) {
    expect((await bot.post(teamsInstall(people[key]!.user, bot.where))).status).toBe(200);
    await until(() => sent().some((s) => s.conversationId === personal(key)));
  }
  await uploadCompany(bot.t, org, THREE_TRADEOFFS);
  // Monday 12 April: six weeks of actuals with a spike and a bias; two alerts for sales.
  ({ resources } = await soeScript(bot.t, org));
}, 120_000);
afterAll(() => bot.close());

describe('S&OE alerts in Teams', () => {
  it("are delivered to the owner's personal chat: what moved, a note input and the three buttons", async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    expect(card.summary).toBe(`Warning: ${bias.what}`);
    expect(inputIds(card.card)).toEqual([`note:${bias.id}`]);
    expect(buttonsFor(card.card, bias.id)).toEqual(['soe.decide', 'soe.agenda', 'soe.ack']);
    await delivered('sales', await find('demand-band'));
    await delivered('po', bias);
  });

  it('refuses to acknowledge without a note, in a line; nothing is written', async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    const answer = await press('sales', card, 'soe.ack', bias.id, '');
    expect(answer).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Not acknowledged: write a note saying what you do about it.',
    });
    // Blanks typed are no note either.
    expect((await press('sales', card, 'soe.ack', bias.id, '  ')).value).toBe(
      'Not acknowledged: write a note saying what you do about it.',
    );
    expect((await find('bias')).outcome).toBeNull();
  });

  it('acknowledges with the note typed in the card: the card becomes the settled card', async () => {
    const bias = await find('bias');
    const card = await delivered('sales', bias);
    const answer = await press('sales', card, 'soe.ack', bias.id, 'The promotion ran two weeks longer');
    const text = replaced(answer);
    expect(text).toContain('Acknowledged (The promotion ran two weeks longer): ');
    expect(text).not.toContain('soe.ack');
    expect((await find('bias')).outcome).toMatchObject({
      outcome: 'acknowledged',
      note: 'The promotion ran two weeks longer',
      by: people['sales']!.id,
    });
    // The process owner's copy of the same alert: already settled, said in a line.
    const copy = await delivered('po', bias);
    expect((await press('po', copy, 'soe.agenda', bias.id, '')).value).toBe(
      'This alert is already settled (acknowledged).',
    );
  });

  it('puts another alert on the next pre-S&OP agenda', async () => {
    const band = await find('demand-band');
    const card = await delivered('sales', band);
    expect(replaced(await press('sales', card, 'soe.agenda', band.id, ''))).toContain(
      'On the next pre-S&OP agenda: ',
    );
    expect((await find('demand-band')).outcome).toMatchObject({ outcome: 'agenda', note: null });
  });

  it('decides now: the ballot opens to the executives', async () => {
    const reported = await bot.t.http.post(api('/disruptions')).set(org.auth).send({
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
    expect(card.summary).toContain('loses 50% of its capacity');
    const answer = await press('ops', card, 'soe.decide', down.id, 'Overtime looks cheapest');
    expect(replaced(answer)).toContain('A ballot is open to the executives: ');
    const outcome = (await find('disruption')).outcome!;
    expect(outcome).toMatchObject({ outcome: 'decide', note: 'Overtime looks cheapest' });
    const ballot = (await bot.t.http.get(api(`/ballots/${outcome.ballotId}`)).set(org.auth)).body;
    expect(ballot.options.map((o: { key: string }) => o.key)).toEqual(['overtime', 'reallocate', 'accept']);
    // The executives get the ballot in their personal chats, with its vote buttons.
    for (const exec of ['ceo', 'cfo']) {
      const theirs = await until(async () => {
        await drain();
        return sent().find(
          (s) =>
            s.conversationId === personal(exec) &&
            walk(s.card).some(
              (e) => (e['data'] as Json | undefined)?.['value'] === `${outcome.ballotId}:overtime`,
            ),
        );
      });
      expect(parserProblems(theirs.card)).toEqual([]);
    }
  });
});
