/**
 * Whether a title or sentence a person reads is complete: no missing value printed as such, no
 * empty number, no dangling or doubled separator, no empty brackets. Returns what is wrong, or null.
 */
export function incomplete(text: string): string | null {
  if (!text.trim()) return 'empty';
  if (/\b(undefined|NaN|null|Infinity)\b|\[object /.test(text)) return 'a missing value printed';
  if (text !== text.trim()) return 'leading or trailing space';
  if (/\s{2,}/.test(text)) return 'a double space (an empty value between words)';
  if (/[,;:·/–-]$/.test(text)) return 'ends with a separator';
  if (/[,;:·]\s*[,;:·.)]/.test(text)) return 'two separators in a row';
  if (/\(\s*\)|\[\s*\]/.test(text)) return 'empty brackets';
  if (/(^|\s)[–-](\s|$)/.test(text)) return 'a dash where a number should be';
  if (/\s[,;.)]/.test(text)) return 'a space before punctuation';
  // Every count of units inside a sentence has a number before it ("2,250 units", "0.3 units").
  for (const m of text.matchAll(/(\S*)\s+units?\b/gi))
    if (!/^-?\(?\d[\d,]*(\.\d+)?$|[.!?]$/.test(m[1]!) && !/^(in|the|of|what|many|no)$/i.test(m[1]!))
      return `"${m[0]}" has no number`;
  return null;
}

/** Fails with the text and the reason when one of `texts` is incomplete. */
export function expectComplete(texts: string[]): void {
  for (const t of texts) {
    const why = incomplete(t);
    if (why) throw new Error(`incomplete text (${why}): ${JSON.stringify(t)}`);
  }
}
