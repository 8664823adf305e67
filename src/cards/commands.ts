/**
 * What people can ask Accord in chat: `/sop <command>` in Slack, the bot's commands in Teams (the
 * Teams manifest's command lists are generated from this list and checked against it).
 */
export interface ChatCommand {
  command: 'help' | 'status' | 'pack' | 'scenario' | 'decisions' | 'actions' | 'home';
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
  { command: 'home', description: 'What you owe, your actions, the ballots open to you, the timeline' },
];
