import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { composeMinutes } from '../../src/domain/minutes.js';
import { formatMeetingTime, loadMinutesMarkdown, renderMinutesMarkdown } from '../../src/render/minutes.js';
import { scriptedMeeting } from '../helpers/scriptedMeeting.js';

describe('renderMinutesMarkdown', () => {
  const minutes = composeMinutes(scriptedMeeting);
  const md = renderMinutesMarkdown(minutes, { orgName: 'Acme & Sons', version: 2 });

  it('formats times in the meeting zone', () => {
    expect(formatMeetingTime(new Date('2027-01-12T15:00:00Z'), 'Europe/London')).toBe(
      'Tue 12 Jan 2027, 15:00 (Europe/London)',
    );
    expect(formatMeetingTime(new Date('2027-07-12T15:00:00Z'), 'Europe/London')).toBe(
      'Mon 12 Jul 2027, 16:00 (Europe/London)',
    );
  });

  it('heads the minutes with the meeting, the org, the version, the times and the chair', () => {
    expect(md.startsWith('# Minutes: Executive S&OP 2027-01\n\nAcme & Sons · version 2\n')).toBe(true);
    expect(md).toContain('- Scheduled: Tue 12 Jan 2027, 15:00 (Europe/London), 90 minutes\n');
    expect(md).toContain(
      '- Held: Tue 12 Jan 2027, 15:02 (Europe/London) to 16:37, 95 minutes (5 minutes over the plan)\n',
    );
    expect(md).toContain('- Chair: Eve Owens\n');
  });

  it('lists the attendance, the represented executive and the late arrival', () => {
    expect(md).toContain(
      '- Present: Ada Lovelace (executive), Dan Brown (executive), Eve Owens (process owner)\n',
    );
    expect(md).toContain('- Represented: Ben Okri (executive), by Carla Diaz\n');
    expect(md).toContain('- Absent: Fay Wray (functional leader)\n');
    expect(md).toContain('- Late: Dan Brown (executive), arrived 15:20\n');
  });

  it('contains exactly the items taken, in order, with their outcomes', () => {
    expect(md.match(/^### .*$/gm)).toEqual([
      '### 1. Press line 1',
      '### 2. Paint shop',
      '### 3. Resin supplier late',
    ]);
    expect(md).toContain('2 decided, 1 deferred, 0 escalated, 0 not reached; 3 actions.');
    expect(md).toContain(
      '- Money at stake 120,000 · timebox 45 minutes · took 47 minutes (over the timebox)\n',
    );
    expect(md).toContain('- Decided: Overtime (the recommendation)\n');
    expect(md).toContain(
      '- Votes: Overtime 2 (Ada Lovelace, Carla Diaz); Alternate sourcing 1 (Dan Brown)\n',
    );
    expect(md).toContain(
      "- Dissent: Dan Brown voted for Alternate sourcing: The crew can't take another month of overtime.\n",
    );
    expect(md).toContain("- Deferred to 2027-02-10: waiting for the supplier's answer\n");
    expect(md).toContain('- Decided: Expedite by air\n');
    expect(md).toContain('- Fay Wray: Book the weekend shifts on press line 1 (due 2027-01-19)\n');
    expect(md).toContain('- Dan Brown: Order the air freight (due 2027-01-13)\n');
    expect(md).toContain(
      '## Dropped before the meeting\n\n- Packing line: Solved by the planners on Monday.\n',
    );
    // Markdown is text: no HTML entities.
    expect(md).not.toMatch(/&amp;|&#x27;|&#39;/);
    expect(md).toContain('The resin supplier ships two weeks late & asks for a decision.');
    expect(md).not.toMatch(/\n{3,}/);
    // The deferred item's section says nothing of a decision.
    const paint = md.slice(md.indexOf('### 2.'), md.indexOf('### 3.'));
    expect(paint).not.toContain('Decided');
  });

  it("folds line breaks in a person's text and says when nothing was taken", () => {
    const render = loadMinutesMarkdown(path.join(process.cwd(), 'templates', 'documents'));
    const x = composeMinutes({
      ...scriptedMeeting,
      items: [
        {
          ...scriptedMeeting.items[1]!,
          deferral: { reason: 'waiting\n\n## for the\nsupplier', until: '2027-02-10' },
        },
      ],
      dropped: [],
    });
    const out = render(x, { orgName: 'Acme', version: 1 });
    expect(out).toContain('- Deferred to 2027-02-10: waiting ## for the supplier\n');
    expect(out).not.toContain('Dropped before the meeting');
    const [first, second] = scriptedMeeting.items;
    const other = render(
      composeMinutes({
        ...scriptedMeeting,
        items: [
          {
            ...first!,
            outcome: 'escalated',
            decision: null,
            escalation: { reason: 'It needs capital.', to: 'The board' },
          },
          { ...second!, outcome: 'not-reached', deferral: null, startedAt: null, closedAt: null },
        ],
      }),
      { orgName: 'Acme', version: 1 },
    );
    expect(other).toContain('- Escalated to The board: It needs capital.\n');
    expect(other).toContain(
      '- Money at stake 45,000 · timebox 20 minutes\n- Recommended: Alternate sourcing\n- Not reached.\n',
    );
    expect(other).not.toContain('Decided');
    const empty = render(composeMinutes({ ...scriptedMeeting, items: [], dropped: [] }), {
      orgName: 'Acme',
      version: 1,
    });
    expect(empty).toContain('## Items\n\nNo item was taken.\n');
    expect(empty).toContain('0 decided, 0 deferred, 0 escalated, 0 not reached; 0 actions.');
  });
});
