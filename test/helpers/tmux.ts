import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitUntil } from './wait.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A real terminal for end-to-end console tests: a tmux server on its own socket running one
 * command (an argument vector, executed without a shell) in a window of a given size.
 */
export class Tmux {
  private constructor(
    readonly socket: string,
    readonly startedAt: number,
  ) {}

  /** Starts `argv` in a detached session of `columns` x `rows`; `env` is set for the command only. */
  static async start(argv: string[], o: { columns: number; rows: number; env: Record<string, string>; term?: string }): Promise<Tmux> {
    const socket = `greenci-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    // the command runs under `env`: CI unset (Ink draws only a last frame under CI), NODE_ENV unset
    // (vitest sets `test`; an operator's shell has none, so the console runs React's production build), TERM as tmux users have it
    const command = [
      'env',
      '-u',
      'CI',
      '-u',
      'NODE_ENV',
      `TERM=${o.term ?? 'tmux-256color'}`,
      ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`),
      ...argv,
    ];
    const serverEnv = { ...process.env };
    delete serverEnv.CI;
    const startedAt = performance.now();
    await run(
      'tmux',
      ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(o.columns), '-y', String(o.rows), '-c', ROOT, ...command],
      { env: serverEnv },
    );
    const t = new Tmux(socket, startedAt);
    await run('tmux', ['-L', socket, 'set-option', '-g', 'remain-on-exit', 'on']).catch(() => undefined);
    return t;
  }

  /** The window's text as a person sees it (no colours). */
  async capture(): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', '0']);
    return stdout;
  }

  /** Sends keys by tmux's names (`Enter`, `Escape`, `Up`) or literal text with `-l`. */
  async keys(...keys: string[]): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', '0', ...keys]);
  }

  async literal(text: string): Promise<void> {
    await run('tmux', ['-L', this.socket, 'send-keys', '-t', '0', '-l', text]);
  }

  async resize(columns: number, rows: number): Promise<void> {
    await run('tmux', ['-L', this.socket, 'resize-window', '-t', '0', '-x', String(columns), '-y', String(rows)]);
  }

  /** Whether the command in the window has exited. */
  async dead(): Promise<boolean> {
    const { stdout } = await run('tmux', ['-L', this.socket, 'display-message', '-p', '-t', '0', '#{pane_dead}']).catch(() => ({
      stdout: '1',
    }));
    return stdout.trim() === '1';
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 30_000, what?: string): Promise<string> {
    let last = '';
    try {
      return await waitUntil(
        async () => {
          last = await this.capture();
          return (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) && last;
        },
        what ?? `the terminal to show ${pattern}`,
        timeoutMs,
        50,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- terminal ---\n${last}`);
    }
  }

  async kill(): Promise<void> {
    await run('tmux', ['-L', this.socket, 'kill-server']).catch(() => undefined);
  }
}
