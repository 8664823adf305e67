/**
 * Slack request bodies built from the fixture shapes (test/fixtures/slack, copied from
 * ../shared/fixtures): a slash command, a button click (block_actions) and a modal submission,
 * with the fields a scenario changes. Sign them with `slackHeaders`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/ferretdb.js';

const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'slack');
const commandBody = readFileSync(path.join(fixtures, 'slack-slash-command.form-body.txt'), 'utf8').trim();
const viewPayload = JSON.parse(
  readFileSync(path.join(fixtures, 'slack-view_submission.json'), 'utf8'),
) as Record<string, unknown>;
const buttonPayload = JSON.parse(
  readFileSync(path.join(fixtures, 'slack-block_actions-button.json'), 'utf8'),
) as Record<string, unknown>;

/** An interaction as Slack posts it: `payload=<urlencoded JSON>`. */
export const formBody = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

/**
 * The fixture's slash command as `/sop text` from this user; from another team than the fixture's,
 * without the fixture's enterprise.
 */
export function slashCommand(userId: string, text: string, teamId?: string): string {
  const p = new URLSearchParams(commandBody);
  p.set('command', '/sop');
  p.set('text', text);
  p.set('user_id', userId);
  if (teamId && teamId !== p.get('team_id')) {
    p.set('team_id', teamId);
    p.delete('enterprise_id');
  }
  return p.toString();
}

/** The fixture's button click by this user on one action; `extra` replaces top-level fields. */
export function blockAction(
  userId: string,
  action: { action_id: string; block_id: string; value: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { actions: Record<string, unknown>[] } {
  return {
    ...buttonPayload,
    user: { ...(buttonPayload['user'] as object), id: userId },
    ...extra,
    actions: [{ ...(buttonPayload['actions'] as object[])[0], ...action }],
  };
}

/** The fixture's modal submission by this user; `values` maps block id to the `value` element's state. */
export function viewSubmission(
  userId: string,
  callbackId: string,
  privateMetadata: string,
  values: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const view = viewPayload['view'] as Record<string, unknown>;
  const state = Object.fromEntries(Object.entries(values).map(([block, v]) => [block, { value: v }]));
  return {
    ...viewPayload,
    user: { ...(viewPayload['user'] as object), id: userId },
    view: { ...view, callback_id: callbackId, private_metadata: privateMetadata, state: { values: state } },
  };
}

/** A typed value and a chosen option, as `view.state.values` holds them. */
export const typed = (value: string) => ({ type: 'plain_text_input', value });
export const chosen = (value: string) => ({
  type: 'static_select',
  selected_option: { value, text: { type: 'plain_text', text: value } },
});
