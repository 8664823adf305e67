/** Why a use case refused: the HTTP edge maps `code` to a status; chat edges to a friendly line. */
export type DomainErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'step_not_open'
  | 'step_not_closed'
  | 'step_closed'
  | 'earlier_step_open'
  | 'later_step_closed'
  | 'cycle_closed'
  | 'ballot_closed'
  | 'duplicate';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
