/** chatFor: every combination of connected chats, known ids and preference. */
import { describe, expect, it } from '@jest/globals';
import { chatFor } from '../../src/app/delivery.js';

type Pref = 'slack' | 'teams' | null;
/** How Teams knows the person: not at all, by their Teams id, by a stored 1:1 chat, or both. */
type InTeams = '-' | 'id' | 'chat' | 'id+chat';

const member = (slackId: boolean, inTeams: InTeams, pref: Pref) => ({
  slackUserId: slackId ? 'U1' : null,
  teamsUserId: inTeams.startsWith('id') ? '29:abc' : null,
  preferredChat: pref,
});
const everyone: [boolean, InTeams, Pref][] = [];
for (const slackId of [false, true])
  for (const inTeams of ['-', 'id', 'chat', 'id+chat'] as InTeams[])
    for (const pref of [null, 'slack', 'teams'] as Pref[]) everyone.push([slackId, inTeams, pref]);

describe('chatFor', () => {
  it.each([
    [{ slack: false, teams: false }, null],
    [{ slack: true, teams: false }, 'slack'],
    [{ slack: false, teams: true }, 'teams'],
  ] as const)('with %j connected, sends everyone to %s', (connected, platform) => {
    for (const [slackId, inTeams, pref] of everyone)
      expect(chatFor(member(slackId, inTeams, pref), connected, inTeams.endsWith('chat'))).toBe(platform);
  });

  // Both connected: [Slack id, how Teams knows them, preference, where it goes].
  it.each([
    [false, '-', null, 'slack'],
    [false, '-', 'slack', 'slack'],
    [false, '-', 'teams', 'slack'], // Teams cannot reach them; Slack finds people by email
    [false, 'id', null, 'teams'],
    [false, 'id', 'slack', 'teams'],
    [false, 'id', 'teams', 'teams'],
    [false, 'chat', null, 'teams'],
    [false, 'chat', 'slack', 'teams'],
    [false, 'chat', 'teams', 'teams'],
    [false, 'id+chat', null, 'teams'],
    [false, 'id+chat', 'slack', 'teams'],
    [false, 'id+chat', 'teams', 'teams'],
    [true, '-', null, 'slack'],
    [true, '-', 'slack', 'slack'],
    [true, '-', 'teams', 'slack'],
    [true, 'id', null, 'slack'],
    [true, 'id', 'slack', 'slack'],
    [true, 'id', 'teams', 'teams'],
    [true, 'chat', null, 'slack'],
    [true, 'chat', 'slack', 'slack'],
    [true, 'chat', 'teams', 'teams'],
    [true, 'id+chat', null, 'slack'],
    [true, 'id+chat', 'slack', 'slack'],
    [true, 'id+chat', 'teams', 'teams'],
  ] as [boolean, InTeams, Pref, string][])(
    'both connected: Slack id %s, Teams %s, preference %s -> %s',
    (slackId, inTeams, pref, platform) => {
      expect(
        chatFor(member(slackId, inTeams, pref), { slack: true, teams: true }, inTeams.endsWith('chat')),
      ).toBe(platform);
    },
  );

  it('treats a record without the preference field as no preference', () => {
    expect(chatFor({ slackUserId: 'U1', teamsUserId: '29:x' }, { slack: true, teams: true }, true)).toBe(
      'slack',
    );
  });
});
