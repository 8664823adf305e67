/**
 * Structural accessibility checks for a web page (what axe would flag first): one <h1>, headings
 * never skipping a level, every form control with a <label for>, every table header with a scope,
 * every link with text, every SVG chart with role="img" and a name, no triple-brace leak of markup.
 */
import { expect } from '@jest/globals';

export function expectAccessible(html: string): void {
  const main = html;
  expect((main.match(/<h1[\s>]/g) ?? []).length).toBe(1);
  let last = 0;
  for (const m of main.matchAll(/<h([1-6])[\s>]/g)) {
    const level = Number(m[1]);
    expect(level).toBeLessThanOrEqual(last + 1);
    last = level;
  }
  const labels = new Set([...main.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((m) => m[1]));
  for (const m of main.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const attrs = m[2]!;
    if (/type="(hidden|submit)"/.test(attrs)) continue;
    const id = /\sid="([^"]+)"/.exec(attrs)?.[1];
    expect([m[0], id && labels.has(id)]).toEqual([m[0], true]);
  }
  const ids = [...main.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(ids.length).toBe(new Set(ids).size);
  for (const m of main.matchAll(/<th\b([^>]*)>/g))
    expect([m[0], /scope="(col|row)"/.test(m[1]!)]).toEqual([m[0], true]);
  for (const m of main.matchAll(/<a\b[^>]*>([\s\S]*?)<\/a>/g))
    expect([m[0], m[1]!.replace(/<[^>]+>/g, '').trim().length > 0]).toEqual([m[0], true]);
  for (const m of main.matchAll(/<svg\b([^>]*)>/g)) {
    expect(m[1]).toContain('role="img"');
    expect(m[1]).toMatch(/aria-label="[^"]+"/);
  }
  expect(main).not.toMatch(/\sstyle="/);
}
