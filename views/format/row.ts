import stringWidth from 'string-width';

/** A colour role, not a colour: the theme maps it (or drops it under NO_COLOR). */
export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'dim' | 'accent';

export interface Segment {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

/** What the list panes hold: one line of segments, a stable key, and what the row points at. */
export interface Row {
  key: string;
  segments: Segment[];
  /** Plain text, for `/` filtering. */
  text: string;
  /** A heading line (a project or environment), not selectable for actions on builds or containers. */
  heading?: boolean;
  project?: string;
  buildId?: number;
  containerId?: string;
  containerName?: string;
  version?: string;
}

export function row(key: string, segments: Segment[], ref: Omit<Row, 'key' | 'segments' | 'text'> = {}): Row {
  return { key, segments, text: segments.map((s) => s.text).join(''), ...ref };
}

/** Pads or cuts to exactly `width` terminal columns (wide characters count twice). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  // printable ASCII is one column a character: no need to measure
  if (/^[\x20-\x7e]*$/.test(text)) {
    if (text.length > width) return `${text.slice(0, width - 1)}…`;
    return align === 'left' ? text.padEnd(width) : text.padStart(width);
  }
  let w = stringWidth(text);
  if (w > width) {
    let out = '';
    w = 0;
    for (const ch of text) {
      const cw = stringWidth(ch);
      if (w + cw > width - 1) break;
      out += ch;
      w += cw;
    }
    return `${out}…${' '.repeat(Math.max(0, width - 1 - w))}`;
  }
  const fill = ' '.repeat(width - w);
  return align === 'left' ? text + fill : fill + text;
}

/** Keeps rows whose text contains every word of the filter (case-insensitive); headings stay when a row under them does. */
export function filterRows(rows: Row[], filter: string): Row[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  const match = (r: Row) => words.every((w) => r.text.toLowerCase().includes(w));
  const out: Row[] = [];
  let heading: Row | undefined;
  for (const r of rows) {
    if (r.heading) {
      heading = r;
      continue;
    }
    if (!match(r)) continue;
    if (heading) out.push(heading), (heading = undefined);
    out.push(r);
  }
  return out;
}

/** Rows from a formatter that may meet data it does not expect: then one line saying so, never a crash. */
export function safeRows(pane: string, make: () => Row[]): Row[] {
  try {
    return make();
  } catch (err) {
    return [row(`${pane}:error`, [{ text: `✗ ${pane} could not be drawn: ${(err as Error).message}`, tone: 'bad' }])];
  }
}

/** Segments cut to at most `width` terminal columns, ending in `…` when something was cut. */
export function clip(segments: Segment[], width: number): Segment[] {
  if (width <= 0) return [];
  if (segments.reduce((w, s) => w + stringWidth(s.text), 0) <= width) return segments;
  const out: Segment[] = [];
  let left = width - 1;
  for (const s of segments) {
    const w = stringWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
      continue;
    }
    // fit() leaves one column for its own `…`: the cut text gets `left + 1` and ends with it
    out.push({ ...s, text: fit(s.text, left + 1).trimEnd() || '…' });
    break;
  }
  return out;
}
