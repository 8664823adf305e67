/** Members, their roles and the manners Accord keeps with them. */
export const ROLES = ['process-owner', 'functional-leader', 'executive'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_FUNCTIONS = [
  'sales',
  'marketing',
  'operations',
  'procurement',
  'logistics',
  'finance',
] as const;

export interface QuietHours {
  /** Local time quiet hours begin, e.g. `19:00`. */
  start: string;
  /** Local time they end, e.g. `08:00` (may be earlier than start: the span wraps midnight). */
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '19:00', end: '08:00' };

export interface MemberView {
  id: string;
  name: string;
  timezone: string;
  roles: Role[];
  /** Functions this member leads (when a functional leader). */
  functions: string[];
  quietHours: QuietHours;
  delegation: { of: string; authority: boolean } | null;
}
