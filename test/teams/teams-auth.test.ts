/**
 * The local Bot Framework JWKS and token signer (test/helpers/teamsAuth.ts) are sound: a valid
 * token verifies with jsonwebtoken against the served keys, and each forgery fails for its reason.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import {
  BOT_ISSUER,
  newSigningKey,
  signBotToken,
  startTeamsAuth,
  type TeamsAuth,
} from '../helpers/teamsAuth.js';

const APP_ID = 'accord-bot-app-id';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
let auth: TeamsAuth;

/** What the SDK does: the metadata URL's `/openidconfiguration` replaced by `/keys`, the key by kid. */
async function verify(token: string, serviceUrl = SERVICE_URL) {
  const keysUrl = auth.openIdMetadataUrl.replace(/\/openidconfiguration$/, '/keys');
  const { keys } = (await (await fetch(keysUrl)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const kid = jwt.decode(token, { complete: true })?.header.kid ?? '';
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no key ${kid}`);
  const payload = jwt.verify(token, createPublicKey({ key: jwk, format: 'jwk' }), {
    algorithms: ['RS256'],
    audience: APP_ID,
    issuer: BOT_ISSUER,
    clockTolerance: 300,
  }) as jwt.JwtPayload;
  if (payload['serviceurl'] !== serviceUrl) throw new Error('serviceurl mismatch');
  return payload;
}

beforeAll(async () => {
  auth = await startTeamsAuth();
});
afterAll(() => auth.close());

describe('the local Bot Framework JWKS', () => {
  it('serves the OpenID metadata and the keys', async () => {
    const meta = (await (await fetch(auth.openIdMetadataUrl)).json()) as Record<string, unknown>;
    expect(meta['jwks_uri']).toBe(auth.keysUrl);
    const { keys } = (await (await fetch(auth.keysUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([
      expect.objectContaining({ kty: 'RSA', kid: 'accord-test-key', use: 'sig', alg: 'RS256' }),
    ]);
  });

  it('verifies a valid token with jsonwebtoken and the served key', async () => {
    const payload = await verify(signBotToken({ aud: APP_ID, serviceUrl: SERVICE_URL }));
    expect(payload).toMatchObject({ iss: BOT_ISSUER, aud: APP_ID, serviceurl: SERVICE_URL });
  });

  it('makes forgeries that fail, each for its reason', async () => {
    const base = { aud: APP_ID, serviceUrl: SERVICE_URL };
    await expect(verify(signBotToken({ ...base, kid: 'unknown-kid' }))).rejects.toThrow('no key unknown-kid');
    const stranger = newSigningKey('accord-test-key'); // the right kid, a key the JWKS does not have
    await expect(verify(signBotToken({ ...base, key: stranger.privateKey }))).rejects.toThrow(
      'invalid signature',
    );
    await expect(verify(signBotToken({ ...base, aud: 'someone-else' }))).rejects.toThrow(
      'jwt audience invalid',
    );
    await expect(verify(signBotToken({ ...base, iss: 'https://evil.example' }))).rejects.toThrow(
      'jwt issuer invalid',
    );
    await expect(verify(signBotToken({ ...base, serviceUrl: 'https://evil.example/' }))).rejects.toThrow(
      'serviceurl mismatch',
    );
    await expect(verify(signBotToken({ ...base, expiresIn: -600 }))).rejects.toThrow('jwt expired');
    await expect(verify(signBotToken({ ...base, alg: 'HS256' }))).rejects.toThrow('invalid algorithm');
  });
});
