/**
 * Every request to /api/messages carries a Bot Framework token, checked by the Teams SDK against
 * a local JWKS (the cloud's openIdMetadataUrl pointed at it, as an operator would for GCC High).
 * Each forged case is refused with 401 and writes nothing; the real validator is never turned off.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildMember, buildOrg, type OrgHandle } from '../helpers/factories.js';
import { startTeamsBot, type TeamsBot } from '../helpers/teamsBot.js';
import { newSigningKey } from '../helpers/teamsAuth.js';
import { teamsMessage, type TeamsUser } from '../helpers/teamsPayloads.js';

let bot: TeamsBot;
let org: OrgHandle;
let alice: TeamsUser;

const written = async () =>
  (await bot.t.accord.db.conn.db!.collection('teamsConversations').countDocuments({})) +
  (await bot.t.accord.db.conn.db!.collection('teamsTenants').countDocuments({}));

beforeAll(async () => {
  bot = await startTeamsBot();
  org = await buildOrg(bot.t, { name: 'Auth Co' });
  const m = await buildMember(bot.t, org, {
    name: 'Alice Leader',
    roles: ['functional-leader'],
    functions: ['sales'],
  });
  const email = (await bot.t.http.get(`/api/v1/orgs/${org.id}/members/${m.id}`).set(org.auth)).body
    .email as string;
  alice = bot.user('Alice Leader', email);
});
afterAll(() => bot.close());

describe('inbound tokens', () => {
  const activity = () => teamsMessage(alice, 'status', bot.where);

  it('accepts a good token: the person gets an answer and their chat is remembered', async () => {
    const res = await bot.post(activity());
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && !bot.connector.activities.length; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(bot.connector.activities).toHaveLength(1);
    expect(await written()).toBe(2); // the tenant (single tenant, connected on first use) and the 1:1 chat
  });

  const other = newSigningKey('not-in-the-jwks');
  it.each([
    ['no Authorization header', null],
    ['a key the JWKS does not have', { kid: other.kid, key: other.privateKey }],
    ['the wrong audience', { aud: 'api://someone-else' }],
    ['the wrong issuer', { iss: 'https://sts.windows.net/evil/' }],
    ['a serviceurl that is not the activity’s', { serviceUrl: 'https://evil.example.com/' }],
    ['an expired token', { expiresIn: -3600 }],
    ['HS256 signed with the public key (algorithm confusion)', { alg: 'HS256' as const }],
    ['garbage', 'not.a.jwt'],
  ])('refuses %s with 401 and writes nothing', async (_case, token) => {
    const before = await written();
    const sent = bot.connector.activities.length;
    const res = await bot.post(activity(), token);
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(await written()).toBe(before);
    expect(bot.connector.activities).toHaveLength(sent);
  });
});
