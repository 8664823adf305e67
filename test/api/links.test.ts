/**
 * Signed links cover the path AND the query (`?version=`), die with their org's link key
 * (`POST .../links/rotate`) or their date, and every response carries the security headers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { syntheticCompany, toCsv } from '../../src/demo/synthetic.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildMember, buildOrg, type OrgHandle } from '../helpers/factories.js';

let t: TestAccord;
let org: OrgHandle;
let other: OrgHandle;
let cycleId: string;

const base = () => `/api/v1/orgs/${org.id}/cycles/${cycleId}`;
/** A signed link's path and query, for supertest (the links are absolute). */
const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, '');
const packLinks = async (version: number) =>
  (await t.http.get(`${base()}/pack?version=${version}`).set(org.auth)).body.links as {
    html: string;
    charts: { svg: string; png: string }[];
  };

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Links Co', timezone: 'Europe/Berlin' });
  other = await buildOrg(t, { name: 'Other Co', timezone: 'Europe/Berlin' });
  await buildMember(t, org, { name: 'Petra PO', roles: ['process-owner'] });
  cycleId = (await t.http.post(`/api/v1/orgs/${org.id}/cycles`).set(org.auth).send({ month: '2027-02' })).body
    .id;
  const tables = syntheticCompany({
    families: 4,
    resources: 2,
    months: 24,
    lastMonth: '2027-01',
    horizon: 6,
    tightShare: 0.5,
    seed: 11,
  });
  let upload = t.http.post(`/api/v1/orgs/${org.id}/datasets`).set(org.auth);
  for (const [name, rows] of Object.entries(tables))
    upload = upload.attach(name, Buffer.from(toCsv(rows)), `${name}.csv`);
  expect((await upload).status).toBe(201);
  expect((await t.http.post(`${base()}/pack`).set(org.auth).send({})).status).toBe(201);
  expect((await t.http.post(`${base()}/pack`).set(org.auth).send({})).status).toBe(201);
});
afterAll(() => t.close());

describe('signed links cover the version', () => {
  it('opens the version it was signed for, in any parameter order', async () => {
    const v1 = local((await packLinks(1)).html);
    expect(v1).toMatch(/pack\.html\?version=1&exp=\d+&sig=[\w-]{43}$/);
    const res = await t.http.get(v1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('v1 ·');
    const reordered = v1.replace(/\?version=1&(exp=\d+)&(sig=[\w-]+)$/, '?$2&version=1&$1');
    expect(reordered).not.toBe(v1);
    expect((await t.http.get(reordered)).status).toBe(200);
  });

  it('refuses a link whose version was changed, dropped or added to', async () => {
    const v1 = local((await packLinks(1)).html);
    for (const altered of [
      v1.replace('version=1', 'version=2'),
      v1.replace('version=1&', ''),
      `${v1}&version=2`,
      `${v1}&lang=de`,
    ]) {
      const res = await t.http.get(altered);
      expect([altered, res.status]).toEqual([altered, 401]);
      expect(res.body.error.message).toMatch(/not valid: it was changed/);
    }
    const chart = local((await packLinks(2)).charts[0]!.png);
    expect((await t.http.get(chart)).status).toBe(200);
    expect((await t.http.get(chart.replace('version=2', 'version=1'))).status).toBe(401);
  });

  it('refuses an expired link, saying so', async () => {
    const v2 = local((await packLinks(2)).html);
    const at = t.clock.now();
    t.clock.set(new Date(at.getTime() + 46 * 86_400_000).toISOString());
    try {
      const res = await t.http.get(v2);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/has expired/);
    } finally {
      t.clock.set(at.toISOString());
    }
  });
});

describe('renewing an org’s link key', () => {
  it('ends every link of that org given out before, and only of that org', async () => {
    const before = await packLinks(2);
    expect((await t.http.get(local(before.html))).status).toBe(200);
    const otherCycle = (
      await t.http.post(`/api/v1/orgs/${other.id}/cycles`).set(other.auth).send({ month: '2027-02' })
    ).body.id as string;
    const otherLink = (await t.accord.deps.links.forOrg(other.id)).signed(
      `/api/v1/orgs/${other.id}/cycles/${otherCycle}/pack.html`,
      t.clock.now(),
    );
    // Signed for the other org: no pack there, but the link is let through.
    expect((await t.http.get(local(otherLink))).status).toBe(404);

    // Another org's token may not renew this org's links.
    expect((await t.http.post(`/api/v1/orgs/${org.id}/links/rotate`).set(other.auth)).status).toBe(403);
    expect((await t.http.post(`/api/v1/orgs/${org.id}/links/rotate`)).status).toBe(401);
    const rotated = await t.http.post(`/api/v1/orgs/${org.id}/links/rotate`).set(org.auth);
    expect(rotated.status).toBe(200);
    expect(rotated.body.rotatedAt).toBe(t.clock.now().toISOString());

    for (const url of [before.html, before.charts[0]!.svg, before.charts[0]!.png]) {
      const res = await t.http.get(local(url));
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/its organisation renewed its links/);
    }
    // New links work; the other org's are untouched.
    const after = await packLinks(2);
    expect(after.html).not.toBe(before.html);
    expect((await t.http.get(local(after.html))).status).toBe(200);
    expect((await t.http.get(local(otherLink))).status).toBe(404);

    // The admin may renew them too; each renewal is an audit event.
    const byAdmin = await t.http
      .post(`/api/v1/orgs/${org.id}/links/rotate`)
      .set('Authorization', `Bearer ${t.adminToken}`);
    expect(byAdmin.status).toBe(200);
    expect((await t.http.get(local(after.html))).status).toBe(401);
    const audit = await t.http.get(`/api/v1/orgs/${org.id}/audit?action=org.links-rotated`).set(org.auth);
    expect(audit.body.items).toHaveLength(2);
    expect(
      (
        await t.http
          .post(`/api/v1/orgs/aaaaaaaaaaaaaaaaaaaaaaaa/links/rotate`)
          .set(`Authorization`, `Bearer ${t.adminToken}`)
      ).status,
    ).toBe(404);
  });

  it('gives an org from before link keys one on first use, and never shows it', async () => {
    await t.accord.db.models.Org.collection.updateOne(
      { _id: new Types.ObjectId(org.id) },
      { $unset: { linkKey: '' } },
    );
    const links = await packLinks(1);
    expect((await t.http.get(local(links.html))).status).toBe(200);
    const stored = await t.accord.db.models.Org.findById(org.id).lean();
    expect(stored?.linkKey).toMatch(/^[\w-]{43}$/);
    const read = await t.http.get(`/api/v1/orgs/${org.id}`).set(org.auth);
    expect(JSON.stringify(read.body)).not.toContain(stored!.linkKey!);
  });
});

describe('security headers', () => {
  const expectHeaders = (headers: Record<string, string | undefined>) => {
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-powered-by']).toBeUndefined();
  };

  it('are on the pack document, its charts, the API, errors and unknown routes', async () => {
    const links = await packLinks(2);
    const html = await t.http.get(local(links.html));
    expect(html.status).toBe(200);
    expectHeaders(html.headers);
    // The document runs no script: none in it, and the CSP would block one. Its one style block
    // is allowed by its hash, and nothing else styles it inline.
    expect(html.text).not.toMatch(/<script/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html.text)![1]!;
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(html.headers['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(html.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(html.text).not.toMatch(/ style=/);
    expectHeaders((await t.http.get(local(links.charts[0]!.svg))).headers);
    expectHeaders((await t.http.get(`/api/v1/orgs/${org.id}`).set(org.auth)).headers);
    expectHeaders((await t.http.get(`/api/v1/orgs/${org.id}`)).headers);
    expectHeaders((await t.http.get('/nowhere')).headers);
    expectHeaders((await t.http.get('/healthz')).headers);
  });
});
