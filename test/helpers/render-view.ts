import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { waitUntil } from './wait.js';

/** Keys as a terminal sends them. */
export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  enter: '\r',
  esc: '\x1b',
  tab: '\t',
  shiftTab: '\x1b[Z',
  backspace: '\x7f',
  pageDown: '\x1b[6~',
};

/**
 * Renders with ink-testing-library and gives helpers that wait for frames (they arrive
 * asynchronously) instead of sleeping.
 */
export function renderView(tree: ReactElement, size?: { columns: number; rows: number }) {
  const r = render(tree);
  if (size) {
    // ink-testing-library's stdout is 100 columns wide; a wider console needs a wider terminal
    Object.defineProperty(r.stdout, 'columns', { value: size.columns, configurable: true });
    Object.defineProperty(r.stdout, 'rows', { value: size.rows, configurable: true });
    r.stdout.emit('resize');
  }
  const frame = () => r.lastFrame() ?? '';
  return {
    ...r,
    frame,
    async waitFor(predicate: (frame: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
      try {
        await waitUntil(() => predicate(frame()), what, timeoutMs, 20);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- last frame ---\n${frame()}`);
      }
      return frame();
    },
    async waitForText(text: string | RegExp, timeoutMs?: number): Promise<string> {
      return this.waitFor((f) => (typeof text === 'string' ? f.includes(text) : text.test(f)), `frame shows ${text}`, timeoutMs);
    },
    /** Writes keys one at a time, letting Ink handle each. */
    async press(...keys: string[]): Promise<void> {
      for (const k of keys) {
        r.stdin.write(k);
        await new Promise((res) => setImmediate(res));
      }
    },
  };
}
