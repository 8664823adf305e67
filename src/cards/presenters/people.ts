/** Presenters for a person: what Accord can do for them, their own page, not being known yet. */
import { STEP_TITLES } from '../../domain/calendar.js';
import { INPUT_TITLES } from '../../domain/inputs.js';
import { formatLocal } from '../../domain/time.js';
import type { Card, CardBlock } from '../card.js';
import { CHAT_NAMES, commandText, type Chat } from '../commands.js';
import { presentBallot } from './ballots.js';
import { timelineTable } from './steps.js';

/** Who a person is, as far as these cards need. */
interface Person {
  name: string;
  roles: string[];
  delegation?: { authority?: boolean } | null;
  timezone: string;
}

/** Someone Accord does not know: whom to ask, and with which email. */
export function presentUnknownUser(chat: Chat, orgName: string, owners: { name: string }[]): Card {
  const who = owners.length ? owners.map((o) => o.name).join(' or ') : 'your S&OP process owner';
  const text = `You are not set up in Accord for ${orgName} yet. Ask ${who} to add you (with the email of your ${CHAT_NAMES[chat]} profile).`;
  return { summary: text, blocks: [{ type: 'text', text }] };
}

/** What Accord can do for this person, by their roles. */
export function presentHelp(chat: Chat, m: Person): Card {
  const c = (command: Parameters<typeof commandText>[1], args = '') =>
    `\`${commandText(chat, command, args)}\``;
  const lines = [`${c('status')}: the current cycle, the open step, who still owes what`];
  if (m.roles.includes('functional-leader') || m.delegation)
    lines.push('Step prompts arrive here as direct messages, with a button that opens your form');
  if (m.roles.includes('executive') || m.delegation?.authority)
    lines.push('Ballots arrive as messages: one button per option; you can change your vote until it closes');
  if (m.roles.includes('process-owner'))
    lines.push('You get the escalations, and can extend, close or reopen steps and open ballots');
  lines.push(`${c('pack')}: the pre-S&OP pack; ${c('scenario')}: a what-if against it`);
  lines.push(`${c('decisions', '[search]')}: the decision register; ${c('actions')}: your open actions`);
  lines.push(
    `${c('meeting')}: the next S&OP meeting, its time and agenda${m.roles.includes('process-owner') ? '; you start it here and take its items in the S&OP channel' : ''}`,
  );
  lines.push(`${c('disruption')}: report a line down or a supplier short; Accord checks it against the plan`);
  lines.push(`${c('web')}: a one-time link that signs you in to Accord on the web`);
  lines.push(
    chat === 'slack'
      ? 'The Home tab of Accord shows what you owe, your actions and the ballots open to you'
      : `${c('home')}: what you owe, your actions and the ballots open to you`,
  );
  return {
    summary: `What Accord can do for you, ${m.name}`,
    blocks: [
      { type: 'header', text: `Accord for ${m.name} (${m.roles.join(', ')})` },
      ...lines.map((text) => ({ type: 'text' as const, text })),
    ],
  };
}

const MAX_ACTIONS = 15;

/** A person's own page (Slack's Home tab, Teams' home card). */
export function presentHome(
  chat: Chat,
  h: {
    org: { name: string };
    member: Person;
    cycle:
      | {
          month: string;
          steps: { key: keyof typeof STEP_TITLES; opensAt: Date; dueAt: Date; status: string }[];
        }
      | undefined;
    inputs: {
      request: {
        id: string;
        kind: keyof typeof INPUT_TITLES;
        function: string | null;
        step: keyof typeof STEP_TITLES;
        latestVersion: number;
      };
      step: { dueAt: Date };
    }[];
    actions: { id: string; description: string; dueDate: string; status: string }[];
    ballots: {
      shown: { view: Parameters<typeof presentBallot>[0]; myOption: string | null }[];
      total: number;
    } | null;
    undeliverable: {
      items: { recipient: { name: string }; kind: string; lastError?: string | undefined }[];
      more: boolean;
    } | null;
  },
): Card {
  const tz = h.member.timezone;
  const blocks: CardBlock[] = [
    { type: 'header', text: `Accord for ${h.org.name}` },
    {
      type: 'text',
      text: `Hello ${h.member.name}. Dates here are in your time zone (${tz}). \`${commandText(chat, 'help')}\` lists what you can do.`,
    },
  ];

  // My open inputs: the requests I owe in steps that are open now.
  if (h.cycle) {
    blocks.push({ type: 'divider' }, { type: 'header', text: 'Your inputs' });
    if (!h.inputs.length) blocks.push({ type: 'text', text: 'Nothing is due from you right now.' });
    for (const { request: r, step } of h.inputs) {
      const state = r.latestVersion
        ? `submitted (version ${r.latestVersion}); you can change it until the step closes`
        : 'not submitted yet';
      blocks.push(
        {
          type: 'text',
          text: `${INPUT_TITLES[r.kind]}${r.function ? ` (${r.function})` : ''}, ${STEP_TITLES[r.step]}: due ${formatLocal(step.dueAt, tz)}, ${state}.`,
        },
        {
          type: 'actions',
          buttons: [
            {
              action: 'input.open',
              label: r.latestVersion ? 'Edit your input' : 'Open the form',
              value: r.id,
              ...(r.latestVersion ? {} : { style: 'primary' as const }),
            },
          ],
        },
      );
    }
  }

  // My action items.
  blocks.push({ type: 'divider' }, { type: 'header', text: 'Your actions' });
  if (!h.actions.length) blocks.push({ type: 'text', text: 'You have no open actions.' });
  for (const a of h.actions.slice(0, MAX_ACTIONS))
    blocks.push(
      {
        type: 'text',
        text: `${a.description} (due ${a.dueDate}${a.status === 'blocked' ? ', blocked' : ''})`,
      },
      { type: 'actions', buttons: [{ action: 'action.done', label: 'Mark done', value: a.id }] },
    );
  if (h.actions.length > MAX_ACTIONS)
    blocks.push({
      type: 'text',
      text: `And ${h.actions.length - MAX_ACTIONS} more: \`${commandText(chat, 'actions')}\` lists them.`,
    });

  // Open ballots I can vote on (as an executive, or a delegate voting for one).
  if (h.ballots) {
    blocks.push({ type: 'divider' }, { type: 'header', text: 'Open ballots' });
    if (!h.ballots.total) blocks.push({ type: 'text', text: 'No ballot is open.' });
    for (const { view, myOption } of h.ballots.shown) {
      const b = view.ballot;
      blocks.push(
        {
          type: 'text',
          text: `${b.title}: ${myOption ? `you voted ${b.options.find((o) => o.key === myOption)?.label ?? myOption}` : 'you have not voted yet'}; closes ${formatLocal(b.deadline, tz)}.`,
        },
        ...presentBallot(view).blocks.filter((x) => x.type !== 'header'),
      );
    }
    if (h.ballots.total > h.ballots.shown.length)
      blocks.push({
        type: 'text',
        text: `And ${h.ballots.total - h.ballots.shown.length} more in your messages.`,
      });
  }

  // The cycle's timeline.
  if (h.cycle)
    blocks.push(
      { type: 'divider' },
      { type: 'header', text: `S&OP cycle ${h.cycle.month}` },
      timelineTable(h.cycle, tz),
    );
  else blocks.push({ type: 'divider' }, { type: 'text', text: 'No S&OP cycle is planned yet.' });

  // The process owner: messages Accord could not deliver.
  if (h.undeliverable?.items.length) {
    blocks.push({ type: 'divider' }, { type: 'header', text: 'Messages that could not be delivered' });
    for (const m of h.undeliverable.items)
      blocks.push({
        type: 'text',
        text: `${m.recipient.name}, ${m.kind}: ${m.lastError ?? 'no reason recorded'}`,
      });
    if (h.undeliverable.more)
      blocks.push({
        type: 'text',
        text: 'More in the outbox (GET /api/v1/orgs/{org}/outbox?status=dead).',
      });
  }
  return { summary: `Accord for ${h.org.name}`, blocks };
}

/** A chat form saved: its version, and that it stays editable. */
export function presentInputSaved(chat: Chat, out: { version: number; stepClosed: boolean }): Card {
  const text = `Saved as version ${out.version}. You can change it until the step closes: open the form again from the prompt or ${chat === 'slack' ? 'the Home tab' : 'your home card'}.${out.stepClosed ? ' Every input for this step is in: the step has closed.' : ''}`;
  return { summary: 'Saved', blocks: [{ type: 'text', text }] };
}

/** A short answer: one sentence, as the whole card. */
/** A one-time sign-in link to the web app, shown only to the person who asked for it. */
export function presentWebLink(link: { url: string; expiresAt: Date }, timezone: string): Card {
  const until = formatLocal(link.expiresAt, timezone);
  return {
    summary: 'Your sign-in link to Accord on the web',
    blocks: [
      { type: 'header', text: 'Accord on the web' },
      {
        type: 'text',
        text: `This link signs you in on one browser. It works once, until ${until}; only you can see it. Do not forward it.`,
      },
      {
        type: 'actions',
        buttons: [{ action: 'link.open', label: 'Sign in to Accord', value: link.url, style: 'primary' }],
      },
    ],
  };
}

export function presentNotice(text: string): Card {
  return { summary: text, blocks: [{ type: 'text', text }] };
}
