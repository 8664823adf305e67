/**
 * Socket Mode (`SLACK_APP_TOKEN`): Accord opens the WebSocket Slack hands out through
 * apps.connections.open, and answers envelopes on it. A local fake stands in for Slack's socket
 * server: it sends the hello, then a slash command from the fixture, and records the ack.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { repoRoot } from '../../tools/ferretdb.js';
import { startTestAccord, type TestAccord } from '../helpers/accord.js';
import { buildOrg, buildTeam, type OrgHandle } from '../helpers/factories.js';
import { startFakeSlack, type FakeSlack } from '../helpers/fakeSlack.js';

const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'slack');
const command = JSON.parse(readFileSync(path.join(fixtures, 'slack-slash-command.json'), 'utf8')) as Record<
  string,
  string
>;

let t: TestAccord;
let slack: FakeSlack;
let sockets: WebSocketServer;
let org: OrgHandle;
const received: Record<string, unknown>[] = [];
let connected: (ws: WebSocket) => void;
const connection = new Promise<WebSocket>((resolve) => (connected = resolve));

beforeAll(async () => {
  sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => sockets.once('listening', () => r()));
  sockets.on('connection', (ws) => {
    ws.on('message', (data) =>
      received.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>),
    );
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' } }));
    connected(ws);
  });
  slack = await startFakeSlack({
    socketUrl: `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/link`,
  });
  t = await startTestAccord({
    now: '2027-02-03T09:00:00Z',
    slack: { signingSecret: '', appToken: 'xapp-1-test', botToken: 'xoxb-socket', apiUrl: slack.url },
  });
  org = await buildOrg(t, { name: 'Socket Co', timezone: 'Europe/Berlin' });
  const team = await buildTeam(t, org);
  const ceo = (await t.http.get(`/api/v1/orgs/${org.id}/members/${team.ceo.id}`).set(org.auth)).body;
  slack.addUser('W111', ceo.email);
});
afterAll(async () => {
  await t.close();
  for (const c of sockets.clients) c.terminate();
  await new Promise((r) => sockets.close(r));
  await slack.close();
});

describe('Socket Mode', () => {
  it('connects with the app token and answers a slash command over the socket', async () => {
    const ws = await connection;
    const open = slack.calls.find((c) => c.method === 'apps.connections.open')!;
    expect(open.token).toBe('xapp-1-test');
    ws.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: { ...command, command: '/sop', text: 'help', user_id: 'W111' },
      }),
    );
    for (let i = 0; i < 200 && !received.some((m) => m['envelope_id'] === 'env-1'); i++)
      await new Promise((r) => setTimeout(r, 25));
    const ack = received.find((m) => m['envelope_id'] === 'env-1') as { payload: { blocks: unknown[] } };
    expect(JSON.stringify(ack.payload.blocks)).toContain('Accord for Cee Exec (executive)');
    // The HTTP endpoint is not served in Socket Mode.
    expect((await t.http.post('/slack/events').send('x')).status).toBe(404);
  });
});
