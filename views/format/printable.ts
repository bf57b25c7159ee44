// Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte ESC x.
const ESCAPES = /\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)?|[@-Z\\-_])/g;
// Other control characters (tabs are expanded first; newline kept for multi-line text), the C1 controls, and bidi overrides.
const CONTROLS = /[\x00-\x08\x0A-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/g;
const CONTROLS_BUT_NEWLINE = /[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/g;

/**
 * What a repository controls (build output, test output, commit subjects) reaches the operator's
 * terminal only as plain text: escape sequences (colours, window titles, clipboard writes) and
 * control characters are removed.
 */
export function printable(text: string, opts: { multiline?: boolean } = {}): string {
  return expandTabs(text.replace(ESCAPES, '')).replace(opts.multiline ? CONTROLS_BUT_NEWLINE : CONTROLS, '');
}

/** Tabs to spaces at 8-column stops: a terminal expands them, so widths must count them. */
function expandTabs(text: string): string {
  if (!text.includes('\t')) return text;
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const ch of line) out += ch === '\t' ? ' '.repeat(8 - (out.length % 8)) : ch;
      return out;
    })
    .join('\n');
}

/** One line of untrusted text for a status or header line. */
export const oneLine = (text: string): string =>
  printable(String(text), { multiline: true })
    .split('\n')
    .find((l) => l.trim()) ?? '';
