/** Changing people mid-cycle: field-level checks, identities, and who owes what settled when a step opens. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestAccord, sweepAt, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t);
  team = await buildTeam(t, org);
});
afterAll(() => t.close());

const patch = (id: string, body: object) =>
  t.http.patch(`/api/v1/orgs/${org.id}/members/${id}`).set(org.auth).send(body);

describe('PATCH /api/v1/orgs/{orgId}/members/{memberId}', () => {
  it('changes time zone, quiet hours and Slack id, and records before/after in the audit trail', async () => {
    const res = await patch(team.ceo.id, {
      timezone: 'Asia/Tokyo',
      quietHours: { start: '20:00', end: '07:30' },
      slackUserId: 'U0CEO1',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timezone: 'Asia/Tokyo',
      quietHours: { start: '20:00', end: '07:30' },
      slackUserId: 'U0CEO1',
    });
    const audit = (await t.http.get(`/api/v1/orgs/${org.id}/audit?action=member.updated`).set(org.auth)).body
      .items;
    expect(audit[0].before.timezone).toBe('Europe/Berlin');
    expect(audit[0].after.timezone).toBe('Asia/Tokyo');
  });

  it('sets where the messages of someone on both chats go, and refuses another chat', async () => {
    const res = await patch(team.cfo.id, { preferredChat: 'teams' });
    expect(res.status).toBe(200);
    expect(res.body.preferredChat).toBe('teams');
    const bad = await patch(team.cfo.id, { preferredChat: 'email' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(['preferredChat']);
    expect((await patch(team.cfo.id, { preferredChat: null })).body.preferredChat).toBeNull();
  });

  it('clears an identity with null, which frees it for someone else', async () => {
    expect((await patch(team.cfo.id, { slackUserId: 'U0CEO1' })).status).toBe(409);
    expect((await patch(team.ceo.id, { slackUserId: null })).body.slackUserId).toBeNull();
    expect((await patch(team.cfo.id, { slackUserId: 'U0CEO1' })).status).toBe(200);
  });

  it('refuses invalid changes field by field and changes nothing', async () => {
    const before = (await t.http.get(`/api/v1/orgs/${org.id}/members/${team.ceo.id}`).set(org.auth)).body;
    const cases: [object, string][] = [
      [{ roles: ['functional-leader'] }, 'functions'],
      [{ timezone: 'Atlantis/Capital' }, 'timezone'],
      [{ delegation: { of: team.ceo.id, authority: true } }, 'delegation.of'],
      [{ email: 'nope' }, 'email'],
      [{ nickname: 'boss' }, 'nickname'],
    ];
    for (const [body, field] of cases) {
      const res = await patch(team.ceo.id, body);
      expect([field, res.status]).toEqual([field, 400]);
      expect(Object.keys(res.body.error.fields)).toContain(field);
    }
    expect((await t.http.get(`/api/v1/orgs/${org.id}/members/${team.ceo.id}`).set(org.auth)).body).toEqual(
      before,
    );
    expect((await patch('0123456789abcdef01234567', { name: 'Ghost' })).status).toBe(404);
  });

  it('settles who owes what when each step opens: a new sales lead and a new executive are asked', async () => {
    const cycle = (
      await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })
    ).body;
    const newLead = await buildMember(t, org, {
      name: 'New Sales Lead',
      roles: ['functional-leader'],
      functions: ['sales'],
    });
    const newExec = await buildMember(t, org, { name: 'New Exec', roles: ['executive'] });
    await patch(team.leaders['sales']!.id, { roles: ['executive'] }); // the old sales lead moves up
    await sweepAt(t, '2027-02-03T08:00:00Z');
    const inputs = (await t.http.get(`/api/v1/orgs/${org.id}/cycles/${cycle.id}/inputs`).set(org.auth)).body
      .items as {
      key: string;
      owners: { name: string }[];
    }[];
    const owners = (key: string) => inputs.find((i) => i.key === key)?.owners.map((o) => o.name);
    expect(owners('demand-planning:demand-adjustments:sales')).toEqual(['New Sales Lead']);
    expect(owners(`executive-sop:attendance:${newExec.id}`)).toEqual(['New Exec']);
    const prompts = (await t.http.get(`/api/v1/orgs/${org.id}/outbox?kind=step-prompt`).set(org.auth)).body
      .items;
    expect(prompts.map((p: { recipient: { name: string } }) => p.recipient.name)).toContain('New Sales Lead');
    expect(prompts.map((p: { recipient: { name: string } }) => p.recipient.name)).not.toContain('Lead sales');
    expect(newLead.id).toBeDefined();
  });
});
