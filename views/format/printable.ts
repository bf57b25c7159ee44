// Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte ESC x.
const ESCAPES = /\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(?:\x07|\x1B\\)?|[@-Z\\-_])/g;
// Other control characters except tab (and, for multi-line text, newline); and the one-byte CSI.
const CONTROLS = /[\x00-\x08\x0A-\x1F\x7F\x9B]/g;
const CONTROLS_BUT_NEWLINE = /[\x00-\x08\x0B-\x1F\x7F\x9B]/g;

/**
 * What a repository controls (build output, test output, commit subjects) reaches the operator's
 * terminal only as plain text: escape sequences (colours, window titles, clipboard writes) and
 * control characters are removed.
 */
export function printable(text: string, opts: { multiline?: boolean } = {}): string {
  return text.replace(ESCAPES, '').replace(opts.multiline ? CONTROLS_BUT_NEWLINE : CONTROLS, '');
}
