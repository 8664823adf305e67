/** API tokens: issued once, listed by prefix, revoked (never the last one), and a revoked token is refused. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
beforeAll(async () => {
  t = await startTestAccord();
  org = await buildOrg(t);
});
afterAll(() => t.close());

describe('org tokens', () => {
  it('issues a second token, lists both by prefix, and revokes the first', async () => {
    t.clock.advance(1000); // the list is oldest first
    const issued = await t.http.post(`/api/v1/orgs/${org.id}/tokens`).set(org.auth);
    expect(issued.status).toBe(201);
    const second = { Authorization: `Bearer ${issued.body.apiToken}` };
    const list = await t.http.get(`/api/v1/orgs/${org.id}/tokens`).set(second);
    expect(list.body.items.map((i: { prefix: string }) => i.prefix)).toEqual([
      org.token.slice(0, 10),
      issued.body.prefix,
    ]);
    expect(JSON.stringify(list.body)).not.toContain(org.token);

    const revoked = await t.http
      .delete(`/api/v1/orgs/${org.id}/tokens/${org.token.slice(0, 10)}`)
      .set(second);
    expect(revoked.status).toBe(204);
    expect((await t.http.get(`/api/v1/orgs/${org.id}`).set(org.auth)).status).toBe(401);
    expect((await t.http.get(`/api/v1/orgs/${org.id}`).set(second)).status).toBe(200);

    const last = await t.http.delete(`/api/v1/orgs/${org.id}/tokens/${issued.body.prefix}`).set(second);
    expect([last.status, last.body.error.code]).toEqual([409, 'conflict']);
    expect((await t.http.delete(`/api/v1/orgs/${org.id}/tokens/acc_zzzzzz`).set(second)).status).toBe(404);
    const audit = await t.http.get(`/api/v1/orgs/${org.id}/audit?action=org.token-revoked`).set(second);
    expect(audit.body.items).toHaveLength(1);
  });
});
