/**
 * The Slack app: a thin adapter over the use cases. Bolt 5 verifies each request's signature
 * (`/slack/events` on Accord's own express server), the handler acks at once, runs one use case
 * and answers with a card rendered as Block Kit. Slack users are matched to members by Slack id,
 * else by their email (users.info), which then links the Slack id; an unknown user is told who to
 * ask and nothing is written.
 */
import bolt from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import type { WebClient } from '@slack/web-api';
import express, { type IRouter, type Request, type Response } from 'express';
import { addAction, ballotView, castVote, searchDecisions, updateAction } from '../app/ballots.js';
import { packCard, runWhatIf, type PackContent } from '../app/packs.js';
import type { Deps } from '../app/ports.js';
import type { MemberRecord, OrgRecord, PackRecord } from '../app/records.js';
import type { Card } from '../cards/card.js';
import { presentBallot } from '../cards/presenters.js';
import { STEP_TITLES } from '../domain/calendar.js';
import { DomainError } from '../domain/errors.js';
import { dateProblem } from '../domain/time.js';
import { commitmentWindow } from '../domain/voting.js';
import type { Logger } from '../logger.js';
import { clientAddress } from '../http/auth.js';
import type { AuthLimiter } from '../http/authLimit.js';
import { ApiError } from '../http/errors.js';
import { escapeMrkdwn, renderBlocks, renderMessage, SLACK_LIMITS } from './blockkit.js';
import { linkSlackUser } from './members.js';
import { errorsFor, FORM_FIELDS, formView, initialFrom, payloadFrom, type ViewValues } from './forms.js';
import { submitInput } from '../app/inputs.js';
import { SerialQueues } from '../app/serial.js';
import { currentCycle, homeCard, openActionsOf, timelineTable } from './home.js';
import { mongoInstallationStore, SLACK_SCOPES, workspaces, type Workspaces } from './installations.js';
import { cardModal, comparisonCard, scenarioView, whatIfFrom } from './scenario.js';

// @slack/bolt is CommonJS: take its named exports from the default export.
const { App, ExpressReceiver, SocketModeReceiver, LogLevel } = bolt;

/** How Slack is set up (see src/config.ts for the variables). */
export interface SlackSettings {
  signingSecret: string;
  /** One workspace: its bot token (for `orgId`, or the only org). */
  botToken?: string | undefined;
  /** Many workspaces: OAuth installs, stored in MongoDB, each mapped to the org whose link started it. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string } | undefined;
  /** Socket Mode (an app-level token, `xapp-...`) instead of the HTTP endpoint. */
  appToken?: string | undefined;
  /** Web API base URL (tests and proxies); Slack's own when unset. */
  apiUrl?: string | undefined;
  /** The org the single workspace belongs to; the only org when unset and there is just one. */
  orgId?: string | undefined;
  /** The channel for channel posts (the pack card); recipients get them directly when unset. */
  sopChannel?: string | undefined;
  /** A workspace-wide pace for chat.postMessage (per minute). */
  postsPerMinute?: number | undefined;
}

export interface SlackOptions extends SlackSettings {
  /** Accord's public base URL (the OAuth redirect). */
  publicUrl?: string | undefined;
  logger: Logger;
  /** Counts bad install links with the API's failed authentications. */
  authLimiter?: AuthLimiter | undefined;
}

export interface SlackApp {
  router: IRouter;
  workspaces: Workspaces;
  /** Starts the Socket Mode connection (nothing to do over HTTP). */
  start(): Promise<void>;
  stop(): Promise<void>;
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
  lines.push('`/sop pack`: the pre-S&OP pack; `/sop scenario`: a what-if against it');
  lines.push('`/sop decisions [search]`: the decision register; `/sop actions`: your open actions');
  lines.push('The Home tab of Accord shows what you owe, your actions and the ballots open to you');
  return {
    summary: `What Accord can do for you, ${m.name}`,
    blocks: [
      { type: 'header', text: `Accord for ${m.name} (${m.roles.join(', ')})` },
      ...lines.map((text) => ({ type: 'text' as const, text })),
    ],
  };
}

async function statusCard(deps: Deps, org: OrgRecord, tz: string): Promise<Card> {
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
      timelineTable(current, tz),
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

async function packSummary(deps: Deps, org: OrgRecord): Promise<Card> {
  const cycle = await currentCycle(deps, org);
  const pack = cycle ? await deps.packs.latest(org.id, cycle.id) : null;
  if (!cycle || !pack)
    return {
      summary: 'There is no pre-S&OP pack for the current cycle yet.',
      blocks: [{ type: 'text', text: 'There is no pre-S&OP pack for the current cycle yet.' }],
    };
  return await packCard(deps, pack as PackRecord<PackContent>, deps.clock.now());
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
  const open = await openActionsOf(deps, org.id, member.id);
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

/** The process owner's form that assigns an action from a decision: owner, due date, what. */
function assignView(decisionId: string, title: string) {
  const text = (t: string) => ({ type: 'plain_text' as const, text: t });
  return {
    type: 'modal',
    callback_id: 'action.assign',
    private_metadata: decisionId,
    title: text('Assign an action'),
    submit: text('Assign'),
    close: text('Cancel'),
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: escapeMrkdwn(`From the decision: ${title}`).slice(0, 3000) },
      },
      {
        type: 'input',
        block_id: 'owner',
        label: text('Owner'),
        element: { type: 'users_select', action_id: 'value', placeholder: text('Who does it') },
      },
      {
        type: 'input',
        block_id: 'due',
        label: text('Due date'),
        element: { type: 'datepicker', action_id: 'value' },
      },
      {
        type: 'input',
        block_id: 'description',
        label: text('What is to be done'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

export function createSlackApp(deps: Deps, opts: SlackOptions): SlackApp {
  const router = express.Router();
  const spaces = workspaces(deps, { botToken: opts.botToken, orgId: opts.orgId });
  const clientOptions = opts.apiUrl ? { slackApiUrl: opts.apiUrl.replace(/\/?$/, '/') } : {};
  const mongoStore = mongoInstallationStore(deps);
  // An install or uninstall here is seen at once by this process's authorize.
  const store: typeof mongoStore = {
    ...mongoStore,
    storeInstallation: async (installation, logger) => {
      await mongoStore.storeInstallation(installation, logger);
      spaces.forget();
    },
    deleteInstallation: async (query, logger) => {
      await mongoStore.deleteInstallation?.(query, logger);
      spaces.forget();
    },
  };
  // Vote clicks of one workspace are handled one at a time, in arrival order (see SerialQueues).
  const votes = new SerialQueues();

  // One authorize for both ways of running: an installed workspace's token, else the single token.
  const authorize = async (source: { teamId?: string | undefined; enterpriseId?: string | undefined }) => {
    const installed = await spaces.installation(source.teamId, source.enterpriseId);
    if (installed) return { botToken: installed.botToken, botUserId: installed.botUserId };
    if (opts.botToken) return { botToken: opts.botToken };
    throw new Error(
      `Accord is not installed in Slack workspace ${source.teamId ?? source.enterpriseId ?? '?'}`,
    );
  };

  const receiver = opts.appToken
    ? new SocketModeReceiver({
        appToken: opts.appToken,
        logLevel: LogLevel.ERROR,
        installerOptions: { clientOptions },
      })
    : new ExpressReceiver({
        signingSecret: opts.signingSecret,
        endpoints: '/slack/events',
        router,
        logLevel: LogLevel.ERROR,
        // Ack first, work after: Slack's 3 s never waits on Accord.
        processBeforeResponse: false,
      });
  const app = new App({
    receiver,
    authorize,
    logLevel: LogLevel.ERROR,
    clientOptions,
  });

  // OAuth: an install link signed for one org starts the install; the callback stores it.
  if (opts.oauth && !opts.appToken) {
    const base = (opts.publicUrl ?? '').replace(/\/+$/, '');
    const installer = new InstallProvider({
      clientId: opts.oauth.clientId,
      clientSecret: opts.oauth.clientSecret,
      stateSecret: opts.oauth.stateSecret,
      installationStore: store,
      directInstall: true,
      clientOptions,
      logLevel: LogLevel.ERROR,
    });
    router.get('/slack/install/:orgId', async (req: Request, res: Response) => {
      const orgId = String(req.params['orgId']);
      const caller = { address: clientAddress(req) };
      try {
        await opts.authLimiter?.check(caller);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        res.set(err.headers).status(err.status).type('text/plain').send(err.message);
        return;
      }
      const linked = (await deps.links.verify(req.originalUrl, deps.clock.now())) === 'ok';
      const org = linked ? await deps.orgs.get(orgId) : null;
      if (!org) {
        await opts.authLimiter?.failed(caller);
        res
          .status(403)
          .type('text/plain')
          .send(
            'This install link is not valid or has expired. Ask your Accord administrator for a new one.',
          );
        return;
      }
      await installer.handleInstallPath(req, res, undefined, {
        scopes: [...SLACK_SCOPES],
        metadata: org.id,
        redirectUri: `${base}/slack/oauth_redirect`,
      });
    });
    router.get('/slack/oauth_redirect', async (req: Request, res: Response) => {
      await installer.handleCallback(req, res, {
        success: (installation, _options, _req, res2) => {
          res2.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res2.end(
            `Accord is installed in ${installation.team?.name ?? 'your workspace'}. Type /sop in Slack to start.`,
          );
        },
        failure: (error, _options, _req, res2) => {
          opts.logger.warn({ code: (error as { code?: string }).code }, 'a Slack install failed');
          res2.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          res2.end('The installation did not complete. Start again from your install link.');
        },
      });
    });
  }

  /** Who this Slack user is, in the org their workspace serves. */
  const whoIs = async (
    client: WebClient,
    teamId: string | undefined,
    enterpriseId: string | undefined,
    userId: string,
  ) => {
    const org = await spaces.orgFor(teamId, enterpriseId);
    if (!org) return { org: null, member: null, owners: [] as MemberRecord[] };
    const member = await memberForSlackUser(deps, client, org.id, userId);
    const owners = member
      ? []
      : (await deps.members.all(org.id)).filter((m) => m.roles.includes('process-owner'));
    return { org, member, owners };
  };
  type Body = {
    user: { id: string };
    team?: { id?: string; enterprise_id?: string } | null;
    enterprise?: { id?: string } | null;
    channel?: { id: string };
    trigger_id?: string;
    container?: { type?: string; channel_id?: string; message_ts?: string };
    view?: { id?: string; type?: string; state?: { values?: ViewValues } };
    state?: { values?: ViewValues };
  };
  const who = (client: WebClient, b: Body) =>
    whoIs(client, b.team?.id ?? undefined, b.enterprise?.id ?? b.team?.enterprise_id ?? undefined, b.user.id);

  /** An interaction from someone Accord does not know: they alone are told whom to ask. */
  const tellUnknown = async (
    client: WebClient,
    channel: string | undefined,
    userId: string,
    org: OrgRecord,
    owners: MemberRecord[],
  ): Promise<void> => {
    if (channel)
      await client.chat.postEphemeral({ channel, user: userId, ...renderMessage(unknownUser(org, owners)) });
  };

  /** Publishes this person's Home tab. */
  const publishHome = async (client: WebClient, org: OrgRecord, member: MemberRecord, userId: string) => {
    const card = await homeCard(deps, org, member);
    await client.views.publish({
      user_id: userId,
      view: { type: 'home', blocks: renderBlocks(card, SLACK_LIMITS.surfaceBlocks) },
    });
  };
  /** A button pressed in the Home tab: the Home shows the new state. */
  const fromHome = (b: Body) => b.container?.type === 'view' && b.view?.type === 'home';

  app.command('/sop', async ({ command, ack, client }) => {
    const { org, member, owners } = await whoIs(
      client,
      command.team_id,
      command.enterprise_id,
      command.user_id,
    );
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
    if (verb === 'scenario') {
      const cycle = await currentCycle(deps, org);
      const pack = cycle ? await deps.packs.latest(org.id, cycle.id) : null;
      if (!pack) {
        await ack({
          response_type: 'ephemeral',
          text: 'There is no pre-S&amp;OP pack for the current cycle yet: a what-if needs one.',
        });
        return;
      }
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: scenarioView(pack as PackRecord<PackContent>) as never,
      });
      return;
    }
    const card =
      verb === 'status'
        ? await statusCard(deps, org, member.timezone)
        : verb === 'pack'
          ? await packSummary(deps, org)
          : verb === 'decisions'
            ? await decisionsCard(deps, org, rest.join(' '))
            : verb === 'actions'
              ? await actionsCard(deps, org, member)
              : helpCard(member);
    await ack({ response_type: 'ephemeral', ...renderMessage(card) });
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const b = body as { team_id?: string; enterprise_id?: string };
    const { org, member, owners } = await whoIs(client, b.team_id, b.enterprise_id, event.user);
    if (!org) return;
    if (!member) {
      await client.views.publish({
        user_id: event.user,
        view: {
          type: 'home',
          blocks: renderBlocks(unknownUser(org, owners), SLACK_LIMITS.surfaceBlocks),
        },
      });
      return;
    }
    await publishHome(client, org, member, event.user);
  });

  // One button per option; the renderer numbers repeated action ids in a block (ballot.vote:1 ...).
  const handleVote = async (client: WebClient, b: Body, action: unknown) => {
    const value = (action as { value?: string }).value ?? '';
    const [ballotId, option] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
    const { org, member, owners } = await who(client, b);
    if (!org) return;
    const channel = b.channel?.id;
    if (!member) {
      await tellUnknown(client, channel, b.user.id, org, owners);
      return;
    }
    // The "why" typed above the buttons, if any.
    const values = b.state?.values ?? b.view?.state?.values ?? {};
    const reason = values[`why:${ballotId}`]?.['value']?.value ?? undefined;
    let view: Awaited<ReturnType<typeof castVote>>['view'];
    try {
      view = (
        await castVote(
          deps,
          org.id,
          ballotId,
          { memberId: member.id, option, reason: reason ?? undefined },
          { type: 'member', id: member.id },
        )
      ).view;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (channel)
        await client.chat.postEphemeral({
          channel,
          user: b.user.id,
          text: escapeMrkdwn(`Your vote was not counted: ${err.message}`),
        });
      // A closed ballot's message loses its buttons and shows the final count.
      if (err.message === 'this ballot is closed' && b.container?.channel_id && b.container.message_ts)
        await client.chat.update({
          channel: b.container.channel_id,
          ts: b.container.message_ts,
          ...renderMessage(await ballotCard(deps, org.id, ballotId)),
        });
      return;
    }
    if (fromHome(b)) {
      await publishHome(client, org, member, b.user.id);
      return;
    }
    // The ballot message shows the new count (or "N of M voted"), from the vote's own view.
    if (b.container?.channel_id && b.container.message_ts)
      await client.chat.update({
        channel: b.container.channel_id,
        ts: b.container.message_ts,
        ...renderMessage(presentBallot(view)),
      });
  };

  // One button per option; the renderer numbers repeated action ids in a block (ballot.vote:1 ...).
  // A workspace's vote clicks are handled one at a time in arrival order (see SerialQueues): a
  // burst of clicks neither races on the audit chain nor floods the database with lookups.
  app.action(/^ballot\.vote(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as unknown as Body;
    const queued = votes.run(`${b.enterprise?.id ?? b.team?.enterprise_id ?? '-'}:${b.team?.id ?? '-'}`, () =>
      handleVote(client, b, action),
    );
    if (queued) await queued;
    else if (b.channel?.id)
      await client.chat.postEphemeral({
        channel: b.channel.id,
        user: b.user.id,
        text: 'Your vote was not counted: Accord is busy counting votes. Click again in a minute.',
      });
  });

  // Action DMs, reminders, /sop actions and the Home tab: the owner marks an action done.
  app.action(/^action\.done(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as unknown as Body;
    const { org, member } = await who(client, b);
    const channel = b.channel?.id;
    if (!org || !member) return;
    const actionId = (action as { value?: string }).value ?? '';
    try {
      const done = await updateAction(deps, org.id, actionId, { actorId: member.id, status: 'done' });
      if (fromHome(b)) await publishHome(client, org, member, b.user.id);
      else if (channel)
        await client.chat.postEphemeral({
          channel,
          user: b.user.id,
          text: escapeMrkdwn(`Done: ${done.description}`),
        });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (channel)
        await client.chat.postEphemeral({ channel, user: b.user.id, text: escapeMrkdwn(err.message) });
    }
  });

  // Step prompts and the Home tab: "Open the form" opens this person's form for the request,
  // pre-filled with the latest submission, so an input can be edited until its step closes.
  app.action(/^input\.open(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as unknown as Body;
    const requestId = (action as { value?: string }).value ?? '';
    const { org, member, owners } = await who(client, b);
    if (!org || !b.trigger_id) return;
    if (!member) {
      await tellUnknown(client, b.channel?.id, b.user.id, org, owners);
      return;
    }
    const request = await deps.requests.get(org.id, requestId);
    if (!request) return;
    const versions = await deps.submissions.list(org.id, request.id);
    const latest = versions[versions.length - 1]?.payload;
    await client.views.open({
      trigger_id: b.trigger_id,
      view: formView(request.kind, request.id, initialFrom(request.kind, latest)) as never,
    });
  });

  app.view('input.submit', async ({ ack, body, view, client }) => {
    const requestId = view.private_metadata;
    const { org, member } = await who(client, body);
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
                  `Saved as version ${out.submission.version}. You can change it until the step closes: open the form again from the prompt or the Home tab.${out.stepClosed ? ' Every input for this step is in: the step has closed.' : ''}`,
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

  // The decision message (the process owner's copy): assign an action to an owner.
  app.action(/^decision\.assign(:\d+)?$/, async ({ ack, body, action, client }) => {
    await ack();
    const b = body as unknown as Body;
    const { org, member, owners } = await who(client, b);
    if (!org || !b.trigger_id) return;
    if (!member) {
      await tellUnknown(client, b.channel?.id, b.user.id, org, owners);
      return;
    }
    const decision = await deps.decisions.get(org.id, (action as { value?: string }).value ?? '');
    if (!decision) return;
    if (!member.roles.includes('process-owner')) {
      if (b.channel?.id)
        await client.chat.postEphemeral({
          channel: b.channel.id,
          user: b.user.id,
          text: 'Only the S&amp;OP process owner assigns actions.',
        });
      return;
    }
    await client.views.open({
      trigger_id: b.trigger_id,
      view: assignView(decision.id, decision.title) as never,
    });
  });

  app.view('action.assign', async ({ ack, body, view, client }) => {
    const values = view.state.values as ViewValues;
    const ownerUser = values['owner']?.['value']?.selected_user ?? '';
    const dueDate = values['due']?.['value']?.selected_date ?? '';
    const description = (values['description']?.['value']?.value ?? '').trim();
    const { org, member } = await who(client, body);
    if (!org || !member) {
      await ack({ response_action: 'errors', errors: { owner: 'You are not set up in Accord.' } });
      return;
    }
    const errors: Record<string, string> = {};
    const owner = ownerUser ? await memberForSlackUser(deps, client, org.id, ownerUser) : null;
    if (!ownerUser) errors['owner'] = 'choose who does it';
    else if (!owner)
      errors['owner'] = 'this person is not in Accord: add them first (with their Slack email)';
    // The same rule as addAction's (today in the org's zone to 5 years ahead), shown with the rest.
    const due = dueDate ? dateProblem(dueDate, commitmentWindow(deps.clock.now(), org.timezone)) : null;
    if (!dueDate) errors['due'] = 'choose a due date';
    else if (due) errors['due'] = due;
    if (!description) errors['description'] = 'say what is to be done';
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    try {
      const created = await addAction(deps, org.id, view.private_metadata, {
        actorId: member.id,
        ownerId: owner!.id,
        dueDate,
        description,
      });
      await ack({
        response_action: 'update',
        view: cardModal('Action assigned', {
          summary: 'Action assigned',
          blocks: [
            {
              type: 'text',
              text: `${owner!.name} has the action "${created.description}", due ${created.dueDate}. They get it as a message and can mark it done from there or their Home tab.`,
            },
          ],
        }) as never,
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const byField: Record<string, string> = {
        ownerId: 'owner',
        dueDate: 'due',
        description: 'description',
      };
      const mapped = Object.fromEntries(
        Object.entries(err.fields).map(([k, v]) => [byField[k] ?? 'description', v]),
      );
      await ack({
        response_action: 'errors',
        errors: Object.keys(mapped).length ? mapped : { description: err.message },
      });
    }
  });

  // `/sop scenario`: checked field by field, then acked with a "working" view; the comparison
  // replaces it when the re-plan is done (which may take longer than Slack's 3 s).
  app.view('scenario.submit', async ({ ack, body, view, client }) => {
    const { org, member } = await who(client, body);
    const [cycleId = '', version = ''] = view.private_metadata.split(':');
    const pack =
      org && member && /^[a-f0-9]{24}$/.test(cycleId)
        ? await deps.packs.byVersion(org.id, cycleId, Number(version))
        : null;
    if (!org || !member || !pack) {
      await ack({
        response_action: 'errors',
        errors: { demandPercent: 'This pack is no longer available.' },
      });
      return;
    }
    const read = whatIfFrom(view.state.values, pack as PackRecord<PackContent>);
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack({
      response_action: 'update',
      view: cardModal('What-if', {
        summary: 'Working',
        blocks: [
          {
            type: 'text',
            text: `Re-planning "${read.whatIf.name}"; the comparison appears here in a moment.`,
          },
        ],
      }) as never,
    });
    let card: Card;
    try {
      const result = await runWhatIf(deps, pack as PackRecord<PackContent>, read.whatIf);
      const link = (await deps.links.forOrg(org.id)).signed(
        `/api/v1/orgs/${org.id}/cycles/${cycleId}/pack.html`,
        deps.clock.now(),
      );
      card = comparisonCard(result, link);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      card = {
        summary: err.message,
        blocks: [
          {
            type: 'text',
            text: `The what-if could not run: ${[err.message, ...Object.values(err.fields)].join('; ')}`,
          },
        ],
      };
    }
    await client.views.update({ view_id: view.id, view: cardModal('What-if', card) as never });
  });

  app.error(async (err) => {
    opts.logger.error({ err }, 'slack handler failed');
  });

  return {
    router,
    workspaces: spaces,
    start: async () => {
      if (opts.appToken) await app.start();
    },
    stop: async () => {
      if (opts.appToken) await app.stop();
    },
  };
}
