/**
 * A real Accord with the Teams app on, its outside world faked at the boundary: a local JWKS the
 * SDK fetches keys from (inbound tokens are checked for real) and a local Bot Connector
 * (the serviceUrl of every activity) that records what Accord sends.
 */
import type { TestAccord } from './accord.js';
import { startTestAccord } from './accord.js';
import { startFakeConnector, type FakeConnector } from './fakeConnector.js';
import { signBotToken, startTeamsAuth, type BotTokenOptions, type TeamsAuth } from './teamsAuth.js';
import type { TeamsUser, Where } from './teamsPayloads.js';

export const CLIENT_ID = '3c0c5a2e-7d0f-4a57-9d7e-0a1b2c3d4e5f';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** The bot's outbound token as the SDK holds it: a decodable JWT (MSAL cannot be pointed at a fake). */
const BOT_TOKEN = signBotToken({
  aud: 'https://api.botframework.com',
  serviceUrl: null,
  iss: 'https://sts.windows.net/t/',
});

export interface TeamsBot {
  t: TestAccord;
  connector: FakeConnector;
  auth: TeamsAuth;
  where: Where;
  /** Posts an activity to /api/messages with a valid token (or the token options given). */
  post(
    activity: object,
    token?: Partial<BotTokenOptions> | string | null,
  ): ReturnType<TestAccord['http']['post']>;
  /** A Teams user, known to the fake connector's member API with this email. */
  user(name: string, email: string): TeamsUser;
  close(): Promise<void>;
}

let users = 0;

export async function startTeamsBot(
  opts: { now?: string; tenantId?: string | null } = {},
): Promise<TeamsBot> {
  const auth = await startTeamsAuth();
  const connector = await startFakeConnector();
  const serviceUrl = connector.url.replace(/\/?$/, '/');
  const t = await startTestAccord({
    ...(opts.now ? { now: opts.now } : {}),
    publicUrl: 'https://accord.example.com',
    teams: {
      clientId: CLIENT_ID,
      ...(opts.tenantId === null ? {} : { tenantId: opts.tenantId ?? TENANT }),
      openIdMetadataUrl: auth.openIdMetadataUrl,
      serviceUrl,
      token: () => BOT_TOKEN,
    },
  });
  const where: Where = { serviceUrl, tenantId: opts.tenantId ?? TENANT, botId: CLIENT_ID };
  return {
    t,
    connector,
    auth,
    where,
    post(activity, token) {
      const a = activity as { serviceUrl?: string };
      const req = t.http.post('/api/messages').set('content-type', 'application/json');
      const bearer =
        token === null
          ? null
          : typeof token === 'string'
            ? token
            : signBotToken({ aud: CLIENT_ID, serviceUrl: a.serviceUrl ?? serviceUrl, ...token });
      return (bearer ? req.set('authorization', `Bearer ${bearer}`) : req).send(JSON.stringify(activity));
    },
    user(name, email) {
      const n = ++users;
      const u = {
        id: `29:user-${n}-${name.replace(/\W/g, '')}`,
        aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        name,
      };
      connector.addMember({ id: u.id, name, aadObjectId: u.aadObjectId, email, userPrincipalName: email });
      // Their 1:1 chat with Accord (the payload builders' default conversation).
      connector.addConversation({ id: `a:personal-${u.id}`, tenantId: where.tenantId, members: [u.id] });
      return u;
    },
    async close() {
      await t.close();
      await connector.close();
      await auth.close();
    },
  };
}
