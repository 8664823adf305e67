/**
 * Bounds on the numbers people and files send: finite, and within a magnitude no S&OP quantity
 * reaches (units, money, capacity), so a typo or a hostile 1e308 is refused instead of planned
 * with. One definition for the zod schemas (REST and chat) and for the row checks of data sets.
 */
import { z } from 'zod';

/** The largest magnitude accepted for any quantity or amount: a million million. */
export const MAX_MAGNITUDE = 1e12;

export interface Bounds {
  min: number;
  max: number;
  /** Whole numbers only. */
  int?: boolean;
}

/** Any quantity that may be negative (a change, a return). */
export const ANY_AMOUNT: Bounds = { min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE };
/** A quantity or amount that cannot be negative (capacity, a limit, a price). */
export const NON_NEGATIVE: Bounds = { min: 0, max: MAX_MAGNITUDE };
/** A change in percent: a cut of at most everything, a rise of at most ten-fold. */
export const PERCENT_CHANGE: Bounds = { min: -100, max: 1000 };
/** A version or page number. */
export const SERIAL: Bounds = { min: 1, max: 1_000_000_000, int: true };

const show = (n: number) => (Math.abs(n) >= 1e6 ? n.toExponential().replace('e+', 'e') : String(n));

/** What is wrong with `v` against `b` (null: nothing), worded for a person. */
export function numberProblem(v: number, b: Bounds): string | null {
  if (typeof v !== 'number' || Number.isNaN(v)) return 'must be a number';
  if (!Number.isFinite(v)) return 'must be a finite number';
  if (b.int && !Number.isInteger(v)) return 'must be a whole number';
  if (v < b.min || v > b.max) return `must be from ${show(b.min)} to ${show(b.max)}`;
  return null;
}

/** A zod number within `b` (finite, and whole when `b.int`), worded as numberProblem; openapi.json shows the bounds. */
export function boundedNumber(b: Bounds = ANY_AMOUNT) {
  const range = `must be from ${show(b.min)} to ${show(b.max)}`;
  const n = z.number({ error: 'must be a number' }).min(b.min, range).max(b.max, range);
  return b.int ? n.int('must be a whole number') : n;
}
