/**
 * Teams activities as Teams sends them, built from the recorded shapes in test/fixtures/teams/
 * (a personal message, the bot added to a personal chat, an adaptiveCard/action invoke), with this
 * test's people, conversation, tenant and serviceUrl put in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/ferretdb.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(repoRoot(), 'test/fixtures/teams', name), 'utf8')) as Record<
    string,
    unknown
  >;
const messageShape = fixture('teams-message-personal.json');
const installShape = fixture('teams-conversationUpdate-bot-added-personal.json');
const invokeShape = fixture('teams-invoke-adaptiveCard-action.json');

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
}

export interface Where {
  serviceUrl: string;
  tenantId: string;
  botId: string;
  /** The conversation; personal with the user when unset. */
  conversation?: { id: string; conversationType: 'personal' | 'channel' | 'groupChat'; name?: string };
  team?: { id: string; name: string };
}

let seq = 0;

function base(shape: Record<string, unknown>, user: TeamsUser, where: Where) {
  const conversation = where.conversation ?? { id: `a:personal-${user.id}`, conversationType: 'personal' };
  return {
    ...shape,
    id: `f:${++seq}`,
    timestamp: new Date().toISOString(),
    serviceUrl: where.serviceUrl,
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    recipient: { id: `28:${where.botId}`, name: 'Accord' },
    conversation: { ...conversation, tenantId: where.tenantId },
    channelData: {
      tenant: { id: where.tenantId },
      ...(where.team ? { team: where.team, channel: { id: conversation.id } } : {}),
    },
  };
}

/** A message to Accord (`text`, as typed; in a channel Teams adds the mention). */
export function teamsMessage(user: TeamsUser, text: string, where: Where) {
  const { attachments: _html, ...shape } = messageShape;
  return { ...base(shape, user, where), type: 'message', text, textFormat: 'plain' };
}

/** Accord added to a personal chat (or a team, with `where.conversation`). */
export function teamsInstall(user: TeamsUser, where: Where) {
  return {
    ...base(installShape, user, where),
    type: 'conversationUpdate',
    membersAdded: [{ id: `28:${where.botId}` }, { id: user.id, aadObjectId: user.aadObjectId }],
  };
}

/** An Action.Execute press: `data` is the button's data with the card's inputs merged in. */
export function teamsExecute(
  user: TeamsUser,
  data: Record<string, unknown>,
  where: Where,
  trigger?: 'automatic',
) {
  return {
    ...base(invokeShape, user, where),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: data['action'], data },
      trigger: trigger ?? 'manual',
    },
  };
}

/** A dialog opened from a card button (task/fetch) or submitted (task/submit). */
export function teamsTask(
  kind: 'fetch' | 'submit',
  user: TeamsUser,
  data: Record<string, unknown>,
  where: Where,
) {
  const { replyToId: _reply, ...shape } = invokeShape;
  return {
    ...base(shape, user, where),
    type: 'invoke',
    name: kind === 'fetch' ? 'task/fetch' : 'task/submit',
    value: {
      data: kind === 'fetch' ? { msteams: { type: 'task/fetch' }, ...data } : data,
      context: { theme: 'default' },
    },
  };
}
