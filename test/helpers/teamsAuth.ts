/**
 * Bot Framework's side of inbound authentication, local: a JWKS server like
 * login.botframework.com (`/v1/.well-known/openidconfiguration` and `/v1/.well-known/keys`) with
 * a test RSA key, and `signBotToken` to make the tokens Teams would send, valid or forged (unknown
 * key id, a key the JWKS does not have, wrong audience, wrong issuer, another serviceurl, expired,
 * HS256 signed with the public key). Point the Teams SDK at it with
 * `cloud: withOverrides(PUBLIC, { openIdMetadataUrl: auth.openIdMetadataUrl })`.
 */
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The issuer of Bot Framework's tokens (public cloud), which the SDK requires exactly. */
export const BOT_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA key pair; one not in the JWKS signs a forged token. */
export function newSigningKey(kid = 'accord-test-key'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/** The key the JWKS server publishes (unless told otherwise) and tokens are signed with. */
export const TEST_KEY: SigningKey = newSigningKey();

export interface BotTokenOptions {
  /** The bot's app id (client id): the audience the SDK expects. */
  aud: string;
  /** Default: Bot Framework's issuer. */
  iss?: string;
  /** The `serviceurl` claim; the SDK requires it to equal the activity's serviceUrl. Null: no claim. */
  serviceUrl: string | null;
  /** Seconds from now until it expires (default 3600); below -300 it is expired beyond the SDK's skew. */
  expiresIn?: number;
  /** Default RS256. HS256 is the algorithm-confusion forgery: an HMAC keyed with the public key. */
  alg?: 'RS256' | 'HS256';
  /** Default: the signing key's kid. */
  kid?: string;
  /** RS256: the private key (default TEST_KEY's). HS256: the secret (default TEST_KEY's public key, PEM). */
  key?: KeyObject | string;
  /** More claims (or overrides). */
  claims?: Record<string, unknown>;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A bearer token as Bot Framework signs it for an inbound activity. */
export function signBotToken(o: BotTokenOptions): string {
  const alg = o.alg ?? 'RS256';
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, typ: 'JWT', kid: o.kid ?? TEST_KEY.kid };
  const payload = {
    iss: o.iss ?? BOT_ISSUER,
    aud: o.aud,
    ...(o.serviceUrl !== null ? { serviceurl: o.serviceUrl } : {}),
    nbf: now - 5,
    iat: now - 5,
    exp: now + (o.expiresIn ?? 3600),
    ...o.claims,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  let signature: string;
  if (alg === 'HS256') {
    const secret = o.key ?? TEST_KEY.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    signature = createHmac('sha256', typeof secret === 'string' ? secret : secret.export())
      .update(input)
      .digest('base64url');
  } else {
    const key = o.key ?? TEST_KEY.privateKey;
    signature = createSign('RSA-SHA256').update(input).sign(key, 'base64url');
  }
  return `${input}.${signature}`;
}

export interface TeamsAuth {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** What the SDK's cloud `openIdMetadataUrl` should be (it derives the keys URL from it). */
  openIdMetadataUrl: string;
  keysUrl: string;
  /** Requests served, by path. */
  requests: Record<string, number>;
  close(): Promise<void>;
}

/** Serves the OpenID metadata and the JWKS with `keys` (default: TEST_KEY). */
export async function startTeamsAuth(opts: { keys?: SigningKey[] } = {}): Promise<TeamsAuth> {
  const keys = (opts.keys ?? [TEST_KEY]).map((k) => ({
    ...(k.publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }),
    kid: k.kid,
    use: 'sig',
    alg: 'RS256',
    endorsements: ['msteams'],
  }));
  const requests: Record<string, number> = {};
  let base = '';
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://auth').pathname;
    requests[path] = (requests[path] ?? 0) + 1;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/v1/.well-known/openidconfiguration')
      return json(200, {
        issuer: BOT_ISSUER,
        authorization_endpoint: `${base}/v1/.well-known/authorize`,
        jwks_uri: `${base}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    if (path === '/v1/.well-known/keys') return json(200, { keys });
    json(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    keysUrl: `${base}/v1/.well-known/keys`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
