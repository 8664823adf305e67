import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CALENDAR, stepWindows } from '../../src/domain/calendar.js';
import {
  advance,
  closeStep,
  extendStep,
  newCycle,
  reopenStep,
  type CycleState,
} from '../../src/domain/cycle.js';
import { DomainError } from '../../src/domain/errors.js';

const windows = stepWindows('2027-03', DEFAULT_CALENDAR, {
  timezone: 'Europe/Berlin',
  holidays: new Set(),
  weekend: [6, 7],
});
const at = (iso: string) => new Date(iso);
const statuses = (s: CycleState) => s.steps.map((x) => x.status);
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return 'no error';
};

describe('cycle state machine', () => {
  const fresh = newCycle('2027-03', windows);

  it('is planned until the first step opens, and opens steps on their date', () => {
    expect(advance(fresh, at('2027-03-01T07:59:00Z')).transitions).toEqual([]);
    const o = advance(fresh, at('2027-03-01T08:00:00Z'));
    expect(statuses(o.state)).toEqual(['open', 'pending', 'pending', 'pending', 'pending']);
    expect(o.state.status).toBe('active');
    expect(o.transitions).toEqual([
      { type: 'step-opened', step: 'data-gathering', round: 1 },
      { type: 'cycle-activated' },
    ]);
  });

  it('does nothing twice: advancing the same moment again changes nothing', () => {
    const once = advance(fresh, at('2027-03-04T09:00:00Z'));
    const twice = advance(once.state, at('2027-03-04T09:00:00Z'));
    expect(twice.transitions).toEqual([]);
    expect(twice.state).toEqual(once.state);
  });

  it('closes a step on its due date and opens the next ones on theirs', () => {
    const o = advance(fresh, at('2027-03-04T09:00:00Z'));
    expect(statuses(o.state)).toEqual(['closed', 'open', 'pending', 'pending', 'pending']);
    expect(o.state.steps[0]!.closedReason).toBe('due');
  });

  it('closes early when every input is in, but never before an earlier step', () => {
    const s = advance(fresh, at('2027-03-03T09:00:00Z')).state; // steps 1 and 2 open
    const early = advance(s, at('2027-03-03T10:00:00Z'), new Set(['demand-planning']));
    expect(statuses(early.state)).toEqual(['open', 'open', 'pending', 'pending', 'pending']);
    const both = advance(s, at('2027-03-03T10:00:00Z'), new Set(['data-gathering', 'demand-planning']));
    expect(statuses(both.state)).toEqual(['closed', 'closed', 'pending', 'pending', 'pending']);
    expect(both.state.steps[1]!.closedReason).toBe('complete');
  });

  it('keeps a later step open past its due date while an earlier one is open, then closes it', () => {
    // Extensions can no longer pass the next step's due time; a cycle stored before that rule
    // (data gathering due after demand planning) still closes its steps in order.
    let s = advance(fresh, at('2027-03-03T09:00:00Z')).state;
    s = { ...s, steps: s.steps.map((x, i) => (i === 0 ? { ...x, dueAt: at('2027-03-10T16:00:00Z') } : x)) };
    s = advance(s, at('2027-03-09T09:00:00Z')).state; // demand planning was due 8 March
    expect(statuses(s)).toEqual(['open', 'open', 'open', 'pending', 'pending']);
    const o = advance(s, at('2027-03-10T16:00:00Z'));
    expect(statuses(o.state)).toEqual(['closed', 'closed', 'open', 'pending', 'pending']);
  });

  it('closes the cycle after step 5', () => {
    const o = advance(fresh, at('2027-03-20T00:00:00Z'));
    expect(o.state.status).toBe('closed');
    expect(o.transitions.at(-1)).toEqual({ type: 'cycle-closed' });
    expect(
      code(() =>
        extendStep(
          o.state,
          'executive-sop',
          at('2027-04-01T00:00:00Z'),
          'late',
          'po',
          at('2027-03-20T00:00:00Z'),
        ),
      ),
    ).toBe('cycle_closed');
  });

  it('lets the process owner close an open step, never a pending one or out of order', () => {
    const s = advance(fresh, at('2027-03-03T09:00:00Z')).state;
    expect(code(() => closeStep(s, 'supply-planning', at('2027-03-03T09:00:00Z')))).toBe('step_not_open');
    expect(code(() => closeStep(s, 'demand-planning', at('2027-03-03T09:00:00Z')))).toBe('earlier_step_open');
    const o = closeStep(s, 'data-gathering', at('2027-03-03T09:00:00Z'));
    expect(o.state.steps[0]!.closedReason).toBe('manual');
  });

  it('records an extension with its reason, and refuses one that moves the date earlier', () => {
    const s = advance(fresh, at('2027-03-01T09:00:00Z')).state;
    const o = extendStep(
      s,
      'data-gathering',
      at('2027-03-05T16:00:00Z'),
      'ERP extract late',
      'po-1',
      at('2027-03-01T09:00:00Z'),
    );
    expect(o.state.steps[0]!.dueAt.toISOString()).toBe('2027-03-05T16:00:00.000Z');
    expect(o.state.steps[0]!.changes).toEqual([
      {
        from: windows[0]!.dueAt,
        to: at('2027-03-05T16:00:00Z'),
        reason: 'ERP extract late',
        by: 'po-1',
        at: at('2027-03-01T09:00:00Z'),
        kind: 'extend',
      },
    ]);
    expect(
      code(() =>
        extendStep(s, 'data-gathering', at('2027-03-02T16:00:00Z'), 'x', 'po', at('2027-03-01T09:00:00Z')),
      ),
    ).toBe('validation_failed');
    expect(
      code(() =>
        extendStep(s, 'data-gathering', at('2027-02-28T16:00:00Z'), 'x', 'po', at('2027-03-01T09:00:00Z')),
      ),
    ).toBe('validation_failed');
  });

  it('reopens a closed step with a new due date while no later step has closed', () => {
    const s = advance(fresh, at('2027-03-04T09:00:00Z')).state; // step 1 closed, 2 open
    const o = reopenStep(
      s,
      'data-gathering',
      at('2027-03-05T16:00:00Z'),
      'bookings were missing',
      'po',
      at('2027-03-04T09:00:00Z'),
    );
    expect(o.state.steps[0]!.status).toBe('open');
    expect(o.state.steps[0]!.round).toBe(2);
    expect(
      code(() =>
        reopenStep(s, 'demand-planning', at('2027-03-09T16:00:00Z'), 'x', 'po', at('2027-03-04T09:00:00Z')),
      ),
    ).toBe('step_not_closed');
    const later = advance(fresh, at('2027-03-09T09:00:00Z')).state; // steps 1 and 2 closed
    expect(
      code(() =>
        reopenStep(
          later,
          'data-gathering',
          at('2027-03-12T16:00:00Z'),
          'x',
          'po',
          at('2027-03-09T09:00:00Z'),
        ),
      ),
    ).toBe('later_step_closed');
  });

  it('never mutates its input', () => {
    const copy = structuredClone(fresh);
    advance(fresh, at('2027-03-20T00:00:00Z'));
    expect(fresh).toEqual(copy);
  });
});
