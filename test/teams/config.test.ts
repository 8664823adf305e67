/** Teams' configuration: what runs it, and a half-set environment refused with the missing variable named. */
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';

const ID = '3c0c5a2e-7d0f-4a57-9d7e-0a1b2c3d4e5f';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('Teams configuration', () => {
  it('is off without its variables', () => {
    expect(loadConfig({}).teams).toBeUndefined();
  });

  it('runs one tenant, or many (connect codes), with its cloud settings', () => {
    expect(loadConfig({ TEAMS_CLIENT_ID: ID, TEAMS_CLIENT_SECRET: 'secret-value' }).teams).toEqual({
      clientId: ID,
      clientSecret: 'secret-value',
      tenantId: undefined,
      openIdMetadataUrl: undefined,
      serviceUrl: undefined,
      orgId: undefined,
    });
    expect(
      loadConfig({
        TEAMS_CLIENT_ID: ID,
        TEAMS_CLIENT_SECRET: 'secret-value',
        TEAMS_TENANT_ID: TENANT,
        TEAMS_ORG_ID: '6b07aaaaaaaaaaaaaaaaaaaa',
        TEAMS_OPENID_METADATA_URL: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
        TEAMS_SERVICE_URL: 'https://smba.infra.gov.teams.microsoft.us/teams',
      }).teams,
    ).toMatchObject({ tenantId: TENANT, orgId: '6b07aaaaaaaaaaaaaaaaaaaa' });
  });

  it.each([
    [
      { TEAMS_CLIENT_SECRET: 'secret-value' },
      /TEAMS_CLIENT_ID: set it to run the Teams app \(TEAMS_CLIENT_SECRET is set\)/,
    ],
    [{ TEAMS_CLIENT_ID: ID }, /TEAMS_CLIENT_SECRET: set it with TEAMS_CLIENT_ID/],
    [
      { TEAMS_CLIENT_ID: ID, TEAMS_CLIENT_SECRET: 'secret-value', TEAMS_ORG_ID: '6b07aaaaaaaaaaaaaaaaaaaa' },
      /TEAMS_TENANT_ID: /,
    ],
    [
      { TEAMS_CLIENT_ID: 'my-bot', TEAMS_CLIENT_SECRET: 'secret-value' },
      /TEAMS_CLIENT_ID: must be the app registration's client id \(a GUID\)/,
    ],
    [
      { TEAMS_CLIENT_ID: ID, TEAMS_CLIENT_SECRET: 'secret-value', TEAMS_OPENID_METADATA_URL: 'nope' },
      /TEAMS_OPENID_METADATA_URL: /,
    ],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
