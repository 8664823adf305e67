/** Presenters for action items: the owner's message, reminders, escalations, lists. */
import { webLinkBlock, type Card } from '../card.js';

/** An action item for its owner: what, why (the decision), when, and the button that closes it. */
export function presentAction(a: {
  id: string;
  description: string;
  dueDate: string;
  decisionTitle: string;
  assignedBy: string;
}): Card {
  return {
    summary: `New action for you: ${a.description} (due ${a.dueDate})`,
    blocks: [
      { type: 'header', text: 'A new S&OP action for you' },
      { type: 'text', text: a.description },
      {
        type: 'fields',
        fields: [
          { label: 'Due', value: a.dueDate },
          { label: 'Decision', value: a.decisionTitle },
          { label: 'Assigned by', value: a.assignedBy },
        ],
      },
      {
        type: 'actions',
        buttons: [{ action: 'action.done', label: 'Mark done', value: a.id, style: 'primary' }],
      },
      webLinkBlock(`/app/actions/${a.id}`),
    ],
  };
}

const markDone = (id: string) => ({
  type: 'actions' as const,
  buttons: [{ action: 'action.done', label: 'Mark done', value: id, style: 'primary' as const }],
});

/** The owner's reminder, a day before an action is due. */
export function presentActionReminder(a: { id: string; description: string; dueDate: string }): Card {
  const text = `Reminder: "${a.description}" is due ${a.dueDate}.`;
  return {
    summary: text,
    blocks: [{ type: 'text', text }, markDone(a.id), webLinkBlock(`/app/actions/${a.id}`)],
  };
}

/** The process owner's escalation of an action past its due date. */
export function presentActionOverdue(
  a: { id: string; description: string; dueDate: string; status: string },
  ownerName: string,
): Card {
  const text = `Overdue: "${a.description}" (${ownerName}) was due ${a.dueDate} and is ${a.status}.`;
  return { summary: text, blocks: [{ type: 'text', text }, webLinkBlock(`/app/actions/${a.id}`)] };
}

/** A person's open actions, each with its button. */
export function presentActionList(
  open: { id: string; description: string; dueDate: string; status: string }[],
): Card {
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
        markDone(a.id),
      ]),
      webLinkBlock('/app/actions', 'All your actions in Accord'),
    ],
  };
}

/** The process owner's confirmation of an action assigned from a decision. */
export function presentActionAssigned(
  ownerName: string,
  a: { description: string; dueDate: string },
  whereTheyMarkIt: string,
): Card {
  return {
    summary: 'Action assigned',
    blocks: [
      {
        type: 'text',
        text: `${ownerName} has the action "${a.description}", due ${a.dueDate}. They get it as a message and can mark it done from there or ${whereTheyMarkIt}.`,
      },
    ],
  };
}
