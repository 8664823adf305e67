/**
 * The Slack app: a thin adapter over the use cases. Bolt 5 verifies each request's signature
 * (`/slack/events` on Accord's own express server), the handler acks at once, runs one use case
 * and answers with a card rendered as Block Kit. Slack users are matched to members by Slack id,
 * else by their email (users.info), which then links the Slack id; an unknown user is told who to
 * ask and nothing is written.
 */
import bolt from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import express, { type IRouter } from 'express';
import { ballotView, castVote, searchDecisions, updateAction } from '../app/ballots.js';
import { packCard, type PackContent } from '../app/packs.js';
import type { Deps } from '../app/ports.js';
import type { CycleRecord, MemberRecord, OrgRecord, PackRecord } from '../app/records.js';
import type { Card } from '../cards/card.js';
import { presentBallot } from '../cards/presenters.js';
import { STEP_TITLES } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { formatLocal } from '../domain/time.js';
import type { Logger } from '../logger.js';
import { escapeMrkdwn, renderMessage } from './blockkit.js';
import { linkSlackUser } from './members.js';
import { errorsFor, FORM_FIELDS, formView, initialFrom, payloadFrom } from './forms.js';
import { submitInput } from '../app/inputs.js';

// @slack/bolt is CommonJS: take its named exports from the default export.
const { App, ExpressReceiver, LogLevel } = bolt;

export interface SlackOptions {
  signingSecret: string;
  botToken: string;
  /** Web API base URL (tests and proxies); Slack's own when unset. */
  apiUrl?: string | undefined;
  /** The org this workspace belongs to; the only org when unset and there is just one. */
  orgId?: string | undefined;
  logger: Logger;
}

export interface SlackApp {
  router: IRouter;
  client: WebClient;
}

/** Who a Slack user is in Accord, or why nobody. */
export async function memberForSlackUser(
  deps: Deps,
  client: WebClient,
  orgId: string,
  userId: string,
): Promise<MemberRecord | null> {
  const members = await deps.members.all(orgId);
  const linked = members.find((m) => m.slackUserId === userId);
  if (linked) return linked;
  const info = await client.users.info({ user: userId }).catch(() => null);
  const email = info?.user?.profile?.email?.toLowerCase();
  if (!email) return null;
  const byEmail = members.find((m) => m.email.toLowerCase() === email);
  if (!byEmail) return null;
  return linkSlackUser(deps, byEmail, userId);
}

async function orgFor(deps: Deps, configured: string | undefined): Promise<OrgRecord | null> {
  if (configured) return deps.orgs.get(configured);
  const page = await deps.orgs.list({ limit: 2, after: null });
  return page.items.length === 1 ? page.items[0]! : null;
}

function unknownUser(org: OrgRecord, owners: MemberRecord[]): Card {
  const who = owners.length ? owners.map((o) => o.name).join(' or ') : 'your S&OP process owner';
  return {
    summary: `You are not set up in Accord for ${org.name} yet. Ask ${who} to add you (with the email of your Slack profile).`,
    blocks: [
      {
        type: 'text',
        text: `You are not set up in Accord for ${org.name} yet. Ask ${who} to add you (with the email of your Slack profile).`,
      },
    ],
  };
}

function helpCard(m: MemberRecord): Card {
  const lines = ['`/sop status`: the current cycle, the open step, who still owes what'];
  if (m.roles.includes('functional-leader') || m.delegation)
    lines.push('Step prompts arrive here as direct messages, with a button that opens your form');
  if (m.roles.includes('executive') || m.delegation?.authority)
    lines.push('Ballots arrive as messages: one button per option; you can change your vote until it closes');
  if (m.roles.includes('process-owner'))
    lines.push('You get the escalations, and can extend, close or reopen steps and open ballots');
  lines.push('`/sop pack`: the pre-S&OP pack; `/sop decisions [search]`; `/sop actions`: your open actions');
  return {
    summary: `What Accord can do for you, ${m.name}`,
    blocks: [
      { type: 'header', text: `Accord for ${m.name} (${m.roles.join(', ')})` },
      ...lines.map((text) => ({ type: 'text' as const, text })),
    ],
  };
}

async function statusCard(deps: Deps, org: OrgRecord): Promise<Card> {
  const current = await currentCycle(deps, org);
  if (!current)
    return {
      summary: 'No S&OP cycle is planned yet.',
      blocks: [{ type: 'text', text: 'No S&OP cycle is planned yet.' }],
    };
  const [requests, members] = await Promise.all([
    deps.requests.forCycle(org.id, current.id),
    deps.members.all(org.id),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const open = current.steps.filter((s) => s.status === 'open');
  const owing = open.map((step) => ({
    step,
    who: requests
      .filter((r) => r.step === step.key && r.latestVersion === 0)
      .map(
        (r) =>
          `${r.kind}${r.function ? ` (${r.function})` : ''}: ${r.owners.map((o) => names.get(o) ?? o).join(', ')}`,
      ),
  }));
  const openTitles = open.map((s) => STEP_TITLES[s.key]);
  return {
    summary: `S&OP cycle ${current.month}: ${openTitles.length ? `${openTitles.join(' and ')} ${openTitles.length > 1 ? 'are' : 'is'} open` : current.status}`,
    blocks: [
      { type: 'header', text: `S&OP cycle ${current.month}` },
      {
        type: 'table',
        columns: ['Step', 'Opens', 'Due', 'Status'],
        rows: current.steps.map((s) => ({
          cells: [
            STEP_TITLES[s.key],
            formatLocal(s.opensAt, org.timezone),
            formatLocal(s.dueAt, org.timezone),
            s.status,
          ],
        })),
      },
      ...(owing.length
        ? owing.map(({ step, who }) => ({
            type: 'text' as const,
            text: who.length
              ? `Still owed for ${STEP_TITLES[step.key]}: ${who.join('; ')}`
              : `Everything for ${STEP_TITLES[step.key]} is in.`,
          }))
        : [{ type: 'text' as const, text: 'No step is open right now.' }]),
    ],
  };
}

async function currentCycle(deps: Deps, org: OrgRecord): Promise<CycleRecord | undefined> {
  const cycles = (await deps.cycles.list(org.id, { limit: 100, after: null })).items;
  return (
    cycles.filter((c) => c.status !== 'closed').sort((a, b) => a.month.localeCompare(b.month))[0] ??
    cycles.sort((a, b) => b.month.localeCompare(a.month))[0]
  );
}

async function packSummary(deps: Deps, org: OrgRecord): Promise<Card> {
  const cycle = await currentCycle(deps, org);
  const pack = cycle ? await deps.packs.latest(org.id, cycle.id) : null;
  if (!cycle || !pack)
    return {
      summary: 'There is no pre-S&OP pack for the current cycle yet.',
      blocks: [{ type: 'text', text: 'There is no pre-S&OP pack for the current cycle yet.' }],
    };
  return packCard(deps, pack as PackRecord<PackContent>, deps.clock.now());
}

async function decisionsCard(deps: Deps, org: OrgRecord, q: string): Promise<Card> {
  const found = (await searchDecisions(deps, org.id, { q })).slice(0, 15);
  return {
    summary: `${found.length} decision(s)${q ? ` matching "${q}"` : ''}`,
    blocks: found.length
      ? [
          { type: 'header', text: q ? `Decisions matching "${q}"` : 'Latest decisions' },
          {
            type: 'table',
            columns: ['Decided', 'Decision', 'Outcome'],
            rows: found.map((d) => ({
              cells: [d.decidedAt.toISOString().slice(0, 10), d.title, d.optionLabel ?? d.status],
            })),
          },
        ]
      : [{ type: 'text', text: q ? `No decision matches "${q}".` : 'No decision is recorded yet.' }],
  };
}

async function actionsCard(deps: Deps, org: OrgRecord, member: MemberRecord): Promise<Card> {
  const open = [
    ...(await deps.actions.list(org.id, { ownerId: member.id, status: 'open' })),
    ...(await deps.actions.list(org.id, { ownerId: member.id, status: 'blocked' })),
  ].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  if (!open.length)
    return {
      summary: 'You have no open actions.',
      blocks: [{ type: 'text', text: 'You have no open actions.' }],
    };
  return {
    summary: `You have ${open.length} open action(s).`,
    blocks: [
      { type: 'header', text: 'Your open actions' },
      ...open.slice(0, 20).flatMap((a) => [
        {
          type: 'text' as const,
          text: `${a.description} (due ${a.dueDate}${a.status === 'blocked' ? ', blocked' : ''})`,
        },
        {
          type: 'actions' as const,
          buttons: [{ action: 'action.done', label: 'Mark done', value: a.id, style: 'primary' as const }],
        },
      ]),
    ],
  };
}

/** A ballot as a message: one button per option (the value names ballot and option), the count so far. */
export async function ballotCard(deps: Deps, orgId: string, ballotId: string): Promise<Card> {
  return presentBallot(await ballotView(deps, orgId, ballotId));
}

export function createSlackApp(deps: Deps, opts: SlackOptions): SlackApp {
  const router = express.Router();
  const receiver = new ExpressReceiver({
    signingSecret: opts.signingSecret,
    endpoints: '/slack/events',
    router,
    logLevel: LogLevel.ERROR,
    // Ack first, work after: Slack's 3 s never waits on Accord.
    processBeforeResponse: false,
  });
  const app = new App({
    token: opts.botToken,
    receiver,
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
    clientOptions: opts.apiUrl ? { slackApiUrl: opts.apiUrl.replace(/\/?$/, '/') } : {},
  });
  const client = app.client;

  const whoIs = async (userId: string) => {
    const org = await orgFor(deps, opts.orgId);
    if (!org) return { org: null, member: null, owners: [] as MemberRecord[] };
    const member = await memberForSlackUser(deps, client, org.id, userId);
    const owners = member
      ? []
      : (await deps.members.all(org.id)).filter((m) => m.roles.includes('process-owner'));
    return { org, member, owners };
  };

  /** An interaction from someone Accord does not know: they alone are told whom to ask. */
  const tellUnknown = async (
    channel: string | undefined,
    userId: string,
    org: OrgRecord,
    owners: MemberRecord[],
  ): Promise<void> => {
    if (channel)
      await client.chat.postEphemeral({ channel, user: userId, ...renderMessage(unknownUser(org, owners)) });
  };

  app.command('/sop', async ({ command, ack }) => {
    const { org, member, owners } = await whoIs(command.user_id);
    if (!org) {
      await ack({
        response_type: 'ephemeral',
        text: 'This Slack workspace is not connected to an Accord organisation.',
      });
      return;
    }
    if (!member) {
      await ack({ response_type: 'ephemeral', ...renderMessage(unknownUser(org, owners)) });
      return;
    }
    const [verb = '', ...rest] = command.text.trim().split(/\s+/);
    const card =
      verb === 'status'
        ? await statusCard(deps, org)
        : verb === 'pack'
          ? await packSummary(deps, org)
          : verb === 'decisions'
            ? await decisionsCard(deps, org, rest.join(' '))
            : verb === 'actions'
              ? await actionsCard(deps, org, member)
              : helpCard(member);
    await ack({ response_type: 'ephemeral', ...renderMessage(card) });
  });

  // One button per option; the renderer numbers repeated action ids in a block (ballot.vote:1 ...).
  app.action(/^ballot\.vote(:\d+)?$/, async ({ ack, body, action }) => {
    await ack();
    const value = (action as { value?: string }).value ?? '';
    const [ballotId, option] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
    const { org, member, owners } = await whoIs(body.user.id);
    if (!org) return;
    const channel = (body as { channel?: { id: string } }).channel?.id;
    if (!member) {
      await tellUnknown(channel, body.user.id, org, owners);
      return;
    }
    try {
      await castVote(
        deps,
        org.id,
        ballotId,
        { memberId: member.id, option },
        { type: 'member', id: member.id },
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (channel)
        await client.chat.postEphemeral({
          channel,
          user: body.user.id,
          text: `Your vote was not counted: ${err.message}`,
        });
      return;
    }
    // The ballot message shows the new count (or "N of M voted").
    const container = (body as { container?: { channel_id?: string; message_ts?: string } }).container;
    if (container?.channel_id && container.message_ts)
      await client.chat.update({
        channel: container.channel_id,
        ts: container.message_ts,
        ...renderMessage(await ballotCard(deps, org.id, ballotId)),
      });
  });

  // Action reminders and /sop actions: the owner marks an action done.
  app.action(/^action\.done(:\d+)?$/, async ({ ack, body, action }) => {
    await ack();
    const { org, member } = await whoIs(body.user.id);
    const channel = (body as { channel?: { id: string } }).channel?.id;
    if (!org || !member) return;
    const actionId = (action as { value?: string }).value ?? '';
    try {
      const done = await updateAction(deps, org.id, actionId, { actorId: member.id, status: 'done' });
      if (channel)
        await client.chat.postEphemeral({
          channel,
          user: body.user.id,
          text: escapeMrkdwn(`Done: ${done.description}`),
        });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (channel)
        await client.chat.postEphemeral({ channel, user: body.user.id, text: escapeMrkdwn(err.message) });
    }
  });

  // Step prompts: "Open the form" opens this person's form for the request, pre-filled with the
  // latest submission, so an input can be edited until its step closes.
  app.action(/^input\.open(:\d+)?$/, async ({ ack, body, action }) => {
    await ack();
    const requestId = (action as { value?: string }).value ?? '';
    const trigger = (body as { trigger_id?: string }).trigger_id;
    const { org, member, owners } = await whoIs(body.user.id);
    const channel = (body as { channel?: { id: string } }).channel?.id;
    if (!org || !trigger) return;
    if (!member) {
      await tellUnknown(channel, body.user.id, org, owners);
      return;
    }
    const request = await deps.requests.get(org.id, requestId);
    if (!request) return;
    const versions = await deps.submissions.list(org.id, request.id);
    const latest = versions[versions.length - 1]?.payload;
    await client.views.open({
      trigger_id: trigger,
      view: formView(request.kind, request.id, initialFrom(request.kind, latest)) as never,
    });
  });

  app.view('input.submit', async ({ ack, body, view }) => {
    const requestId = view.private_metadata;
    const { org, member } = await whoIs(body.user.id);
    const request = org ? await deps.requests.get(org.id, requestId) : null;
    if (!org || !member || !request) {
      const first = (view.blocks as { block_id?: string }[])[0]?.block_id ?? 'value';
      await ack({
        response_action: 'errors',
        errors: { [first]: 'You are not set up in Accord for this input.' },
      });
      return;
    }
    const payload = payloadFrom(request.kind, view.state.values);
    try {
      const out = await submitInput(deps, org.id, request.id, member.id, payload);
      await ack({
        response_action: 'update',
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'Saved' },
          close: { type: 'plain_text', text: 'Done' },
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: escapeMrkdwn(
                  `Saved as version ${out.submission.version}. You can change it until the step closes: open the form again from the prompt.${out.stepClosed ? ' Every input for this step is in: the step has closed.' : ''}`,
                ),
              },
            },
          ],
        },
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const blocks = FORM_FIELDS[request.kind].map((f) => f.block);
      const errors = Object.keys(err.fields).length
        ? errorsFor(request.kind, err.fields)
        : { [blocks[0]!]: err.message };
      await ack({ response_action: 'errors', errors });
    }
  });

  app.error(async (err) => {
    opts.logger.error({ err }, 'slack handler failed');
  });

  return { router, client };
}
