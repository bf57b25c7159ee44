import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const BIN = path.join(ROOT, 'src', 'bin.ts');

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout(): string;
  /** Resolves once stdout contains the pattern. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Runs the real `greenci` command line (argument array, no shell) from the source tree. */
export function greenci(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(TSX, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (c) => {
    stdout += c;
    for (const w of [...waiters]) if (w.pattern.test(stdout)) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  });
  child.stderr!.on('data', (c) => (stderr += c));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    child,
    done,
    stdout: () => stdout,
    waitFor(pattern, timeoutMs = 120_000) {
      if (pattern.test(stdout)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${stdout}\n${stderr}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}

/** Runs greenci to completion. */
export function greenciDone(args: string[], env: NodeJS.ProcessEnv = {}) {
  return greenci(args, env).done;
}
