/**
 * Teams tenants and conversation references on the real database: one org per tenant (the first
 * mapping stays), conversations upserted by (org, conversation) with their serviceUrl refreshed,
 * concurrent first saves settled by the unique key, and every read confined to its org.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let a: OrgHandle;
let b: OrgHandle;
const repo = () => t.accord.deps.teams;

const ref = (orgId: string, conversationId: string, over: Record<string, unknown> = {}) => ({
  orgId,
  tenantId: 'tenant-a',
  kind: 'personal' as const,
  conversationId,
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  teamsUserId: '29:user-1',
  aadObjectId: 'aad-1',
  memberId: 'm1',
  teamId: null,
  name: 'Ada',
  ...over,
});

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  a = await buildOrg(t, { name: 'Tenant A Co' });
  b = await buildOrg(t, { name: 'Tenant B Co' });
});
afterAll(() => t.close());

describe('Teams tenants', () => {
  it('maps a tenant to one org: a second connect gets the first mapping back', async () => {
    const first = await repo().connectTenant('tenant-a', a.id, t.clock.now());
    expect(first).toEqual({
      tenantId: 'tenant-a',
      orgId: a.id,
      sopConversationId: null,
      createdAt: t.clock.now(),
    });
    const again = await repo().connectTenant('tenant-a', b.id, new Date('2027-01-21T00:00:00Z'));
    expect(again).toEqual(first);
    expect(await repo().tenant('tenant-a')).toEqual(first);
    expect(await repo().tenant('tenant-unknown')).toBeNull();
    expect(await repo().tenantOf(a.id)).toEqual(first);
    expect(await repo().tenantOf(b.id)).toBeNull();
    expect(await repo().tenantOf('not-an-id')).toBeNull();
  });

  it('settles two concurrent connects of one tenant on one org', async () => {
    const [x, y] = await Promise.all([
      repo().connectTenant('tenant-race', a.id, t.clock.now()),
      repo().connectTenant('tenant-race', b.id, t.clock.now()),
    ]);
    expect(x.orgId).toBe(y.orgId);
    expect(await t.accord.db.models.TeamsTenant.countDocuments({ _id: 'tenant-race' })).toBe(1);
    await t.accord.db.models.TeamsTenant.deleteOne({ _id: 'tenant-race' });
  });

  it("sets and clears the org's S&OP channel, and only that org's", async () => {
    await repo().connectTenant('tenant-b', b.id, t.clock.now());
    await repo().setSopChannel(a.id, '19:sop@thread.tacv2');
    expect((await repo().tenantOf(a.id))!.sopConversationId).toBe('19:sop@thread.tacv2');
    expect((await repo().tenantOf(b.id))!.sopConversationId).toBeNull();
    await repo().setSopChannel(a.id, null);
    expect((await repo().tenantOf(a.id))!.sopConversationId).toBeNull();
  });
});

describe('Teams conversations', () => {
  it('upserts by (org, conversation): the serviceUrl and ids are refreshed, a null id keeps the stored one', async () => {
    const saved = await repo().saveConversation(ref(a.id, 'a:chat-1'), t.clock.now());
    expect(saved).toEqual({ id: `${a.id}:a:chat-1`, ...ref(a.id, 'a:chat-1'), updatedAt: t.clock.now() });
    const later = new Date('2027-01-22T09:00:00Z');
    const moved = await repo().saveConversation(
      ref(a.id, 'a:chat-1', {
        serviceUrl: 'https://smba.trafficmanager.net/amer/',
        memberId: null,
        aadObjectId: 'aad-2',
      }),
      later,
    );
    expect(moved).toMatchObject({
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
      aadObjectId: 'aad-2',
      memberId: 'm1', // not unlinked by an activity that did not say who it was
      updatedAt: later,
    });
    expect(await repo().conversation(a.id, 'a:chat-1')).toEqual(moved);
    expect(await t.accord.db.models.TeamsConversation.countDocuments({ conversationId: 'a:chat-1' })).toBe(1);
  });

  it('stores one document when the first two saves of a conversation race', async () => {
    const saves = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        repo().saveConversation(ref(a.id, 'a:chat-race', { name: `try ${i}` }), t.clock.now()),
      ),
    );
    expect(new Set(saves.map((s) => s.id))).toEqual(new Set([`${a.id}:a:chat-race`]));
    expect(await t.accord.db.models.TeamsConversation.countDocuments({ conversationId: 'a:chat-race' })).toBe(
      1,
    );
    await t.accord.db.models.TeamsConversation.deleteOne({ _id: `${a.id}:a:chat-race` });
  });

  it("finds a member's latest 1:1 chat, and every 1:1 chat of the org oldest first", async () => {
    await repo().saveConversation(
      ref(a.id, 'a:chat-2', { memberId: 'm2' }),
      new Date('2027-01-20T10:00:00Z'),
    );
    await repo().saveConversation(
      ref(a.id, 'a:chat-2b', { memberId: 'm2' }),
      new Date('2027-01-23T10:00:00Z'),
    );
    await repo().saveConversation(
      ref(a.id, '19:general@thread.tacv2', {
        kind: 'channel',
        memberId: null,
        teamsUserId: null,
        teamId: '19:team',
      }),
      t.clock.now(),
    );
    expect((await repo().personalFor(a.id, 'm2'))!.conversationId).toBe('a:chat-2b');
    expect(await repo().personalFor(a.id, 'nobody')).toBeNull();
    const all = await repo().personalForAll(a.id);
    expect(all.map((c) => c.conversationId)).toEqual(['a:chat-2', 'a:chat-1', 'a:chat-2b']);
    expect(all.every((c) => c.kind === 'personal')).toBe(true);
  });

  it('never shows one org the conversations of another', async () => {
    await repo().saveConversation(
      ref(b.id, 'a:chat-b', { memberId: 'm1', tenantId: 'tenant-b' }),
      t.clock.now(),
    );
    expect(await repo().conversation(b.id, 'a:chat-1')).toBeNull();
    expect(await repo().conversation(a.id, 'a:chat-b')).toBeNull();
    expect((await repo().personalFor(b.id, 'm1'))!.conversationId).toBe('a:chat-b');
    expect((await repo().personalFor(a.id, 'm1'))!.conversationId).toBe('a:chat-1');
    expect((await repo().personalForAll(b.id)).map((c) => c.conversationId)).toEqual(['a:chat-b']);
    expect(await repo().personalForAll('not-an-id')).toEqual([]);
  });
});
