/** Number formats every presenter shares. */

/** Whole units with thousands separators, e.g. `-12,345`. */
export function fmtUnits(v: number): string {
  const r = Math.round(v);
  return (r < 0 ? '-' : '') + String(Math.abs(r)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
