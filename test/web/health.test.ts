/**
 * The process-health page: the maturity stage (stage N of 5, the stages' descriptions, each
 * criterion by stage with met or not and its evidence sentence, the next steps), the KPIs per cycle
 * ("not measured" where there was nothing to measure, the last cycle's direction), the forecast
 * value added; anyone signed in may read it; a built pack meets the statistical-baseline criterion.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MATURITY_STAGES } from '../../src/domain/maturity.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, TIGHT_COMPANY, uploadCompany, type OrgHandle } from '../helpers/factories.js';
import { signedInBrowser } from '../helpers/web.js';
import { expectAccessible } from './accessible.js';

let t: TestAccord;
let org: OrgHandle;
let empty: OrgHandle;
let team: Awaited<ReturnType<typeof buildTeam>>;
let emptyTeam: Awaited<ReturnType<typeof buildTeam>>;
let cycleId: string;

const api = (o: OrgHandle, path: string) => `/api/v1/orgs/${o.id}${path}`;
/** The table row of a criterion, its markup between its <tr> and </tr>. */
const criterionRow = (html: string, key: string) =>
  new RegExp(`<tr id="criterion-${key}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';

beforeAll(async () => {
  t = await startTestAccord({ now: '2027-01-20T10:00:00Z' });
  org = await buildOrg(t, { name: 'Health Co', timezone: 'Europe/Berlin' });
  empty = await buildOrg(t, { name: 'Empty Co', timezone: 'Europe/Berlin' });
  team = await buildTeam(t, org);
  emptyTeam = await buildTeam(t, empty);
  const created = await t.http.post(api(org, '/cycles')).set(org.auth).send({ month: '2027-02' });
  expect(created.status).toBe(201);
  cycleId = created.body.id;
}, 120_000);
afterAll(() => t.close());

describe('the health page', () => {
  it('shows stage 1 of 5 with every stage, its criteria and their evidence, for a cycle without meetings', async () => {
    // A functional leader, not the process owner: no role is needed.
    const b = await signedInBrowser(t, org, team.leaders['sales']!.id);
    const res = await b.page('/app/health');
    expectAccessible(res.text);
    expect(res.text).toContain('<h1>Process health</h1>');
    expect(res.text).toContain('<a href="/app/health" aria-current="page">Health</a>');
    expect(res.text).toContain('Maturity: stage 1 of 5, Reacting');
    for (const n of [1, 2, 3, 4, 5] as const) {
      expect(res.text).toContain(`<strong>Stage ${n}, ${MATURITY_STAGES[n].name}</strong>`);
      // Descriptions are escaped (they hold "&" and apostrophes).
      expect(res.text).toContain(
        MATURITY_STAGES[n].description.split(':')[0]!.replace(/&/g, '&amp;').replace(/'/g, '&#x27;'),
      );
    }
    expect(res.text).toContain('<caption>Criteria of stage 2, Anticipating</caption>');
    const baseline = criterionRow(res.text, 'statistical-baseline');
    expect(baseline).toContain('Not met');
    expect(baseline).toContain(
      'The pack was built from the uploaded dataset, with its statistical baseline, before the meeting in 0 of 1 cycle.',
    );
    expect(criterionRow(res.text, 'executive-meeting-held')).toContain(
      'The executive S&amp;OP meeting was held in 0 of 1 cycle.',
    );
    expect(criterionRow(res.text, 'inputs-on-time')).toContain('No input fell due in the last cycle.');
    // The next steps come from stage 2's unmet criteria.
    expect(res.text).toContain('<h3>Next steps</h3>');
    expect(res.text).toContain('Upload the month&#x27;s dataset and build the pack from it');
    // One cycle, nothing measured yet, nothing to compare.
    expect(res.text).toContain('<caption>Process-health KPIs per cycle</caption>');
    const row = /<tr><th scope="row">2027-02<\/th>([\s\S]*?)<\/tr>/.exec(res.text)?.[1] ?? '';
    expect(row.match(/not measured/g)).toHaveLength(10);
    expect(row).toContain('<td class="num">0</td>'); // S&OE alerts raised
    expect(res.text).toMatch(
      /The last cycle against the ones before<\/th>(<td class="muted">nothing to compare<\/td>){11}<\/tr>/,
    );
    expect(res.text).toContain('Forecast value added, cycle 2027-02');
    expect(res.text).toContain('Not measured yet');
  });

  it('says so when the organisation has no cycle yet', async () => {
    const b = await signedInBrowser(t, empty, emptyTeam.ceo.id);
    const res = await b.page('/app/health');
    expectAccessible(res.text);
    expect(res.text).toContain('Maturity: stage 1 of 5, Reacting');
    expect(res.text).toContain('Estimated from no cycle yet.');
    expect(criterionRow(res.text, 'statistical-baseline')).toContain(
      'Not enough cycles observed: no cycle has run yet.',
    );
    expect(res.text).toContain('Your organisation has not planned a cycle yet');
  });

  it('needs a sign-in', async () => {
    const res = await t.http.get('/app/health');
    expect(res.status).toBe(401);
  });

  it('shows the statistical-baseline criterion met once the pack is built from the uploaded dataset', async () => {
    await uploadCompany(t, org, TIGHT_COMPANY);
    const built = await t.http
      .post(api(org, `/cycles/${cycleId}/pack`))
      .set(org.auth)
      .send({});
    expect(built.status).toBe(201);
    const b = await signedInBrowser(t, org, team.po.id);
    const res = await b.page('/app/health');
    expectAccessible(res.text);
    const baseline = criterionRow(res.text, 'statistical-baseline');
    expect(baseline).toContain('<span class="status status-done">Met</span>');
    expect(baseline).toContain('before the meeting in 1 of 1 cycle.');
    // Stage 2 also needs inputs on time: still stage 1, and the baseline is no longer a next step.
    expect(res.text).toContain('Maturity: stage 1 of 5, Reacting');
    expect(res.text).not.toContain('Upload the month&#x27;s dataset');
    expect(res.text).toContain('Get at least 70% of the inputs in by their due date');
  }, 120_000);
});
