/** What a secret value becomes wherever greenci shows or keeps text: logs, stage errors, emails. */
export const MASK = '********';

/** Values shorter than this are not masked: hiding every `abc` would garble the logs and hide nothing. */
const MIN_LENGTH = 4;

/**
 * A function that replaces every occurrence of each value with MASK, the longest values first (one
 * that contains another is hidden whole). A value of several lines is also masked line by line, as
 * logs carry it one line at a time.
 */
export function maskWith(values: Iterable<string>): (text: string) => string {
  const all = new Set<string>();
  for (const v of values) {
    all.add(v);
    if (v.includes('\n')) for (const line of v.split(/\r?\n/)) all.add(line.trim());
  }
  const list = [...all].filter((v) => v.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
  if (!list.length) return (text) => text;
  return (text) => list.reduce((t, v) => (t.includes(v) ? t.split(v).join(MASK) : t), text);
}
