/**
 * What people can ask Accord in chat: `/sop <command>` in Slack, the bot's commands in Teams (the
 * Teams manifest's command lists are generated from this list and checked against it).
 */
export interface ChatCommand {
  command:
    | 'help'
    | 'status'
    | 'pack'
    | 'scenario'
    | 'decisions'
    | 'actions'
    | 'meeting'
    | 'disruption'
    | 'home'
    | 'web';
  /** One line, as the command menu shows it (Teams: at most 128 characters). */
  description: string;
}

export const CHAT_COMMANDS: readonly ChatCommand[] = [
  { command: 'help', description: 'What Accord can do for you' },
  { command: 'status', description: 'The current cycle, the open step, who still owes what' },
  { command: 'pack', description: 'The pre-S&OP pack of the current cycle' },
  { command: 'scenario', description: 'A what-if against the current pack' },
  { command: 'decisions', description: 'The decision register (add words to search it)' },
  { command: 'actions', description: 'Your open actions' },
  { command: 'meeting', description: 'The next S&OP meeting: its time and agenda; its chair starts it here' },
  {
    command: 'disruption',
    description: 'Report a disruption (a line down, a supplier short): checked against the plan at once',
  },
  { command: 'home', description: 'What you owe, your actions, the ballots open to you, the timeline' },
  { command: 'web', description: 'A one-time link that signs you in to Accord on the web (only you see it)' },
];

/** The chat a card is written for: only the way a command is typed and the name of "home" differ. */
export type Chat = 'slack' | 'teams';

/** How a person types a command in this chat: `/sop status` in Slack, `status` to Accord in Teams. */
export function commandText(chat: Chat, command: ChatCommand['command'], args = ''): string {
  const typed = chat === 'slack' ? `/sop ${command}` : command;
  return args ? `${typed} ${args}` : typed;
}

/** What the chat calls itself, in sentences like "the email of your Slack profile". */
export const CHAT_NAMES: Record<Chat, string> = { slack: 'Slack', teams: 'Microsoft Teams' };
