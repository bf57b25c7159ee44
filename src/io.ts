import os from 'node:os';

/** Where a command writes: stdout for results, stderr for progress and problems. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted when whoever read stdout went away (`greenci logs 12 -f | head`): a command that only follows something may stop. */
  outputClosed?: AbortSignal;
}

const closed = new WeakSet<NodeJS.WriteStream>();
const stdoutClosed = new AbortController();

/** Writes unless the stream's reader went away: then the line is dropped (see `surviveClosedOutput`). */
function write(stream: NodeJS.WriteStream, line: string): void {
  if (!closed.has(stream)) stream.write(`${line}\n`);
}

export const processIo: Io = {
  out: (line) => write(process.stdout, line),
  err: (line) => write(process.stderr, line),
  env: process.env,
  cwd: process.cwd(),
  outputClosed: stdoutClosed.signal,
};

/**
 * Keeps greenci alive when its stdout or stderr is closed under it (`greenci run green -b master |
 * head -1`: head leaves after the first line). A write to a closed pipe fails with EPIPE, which
 * Node reports as an 'error' event on the stream; unhandled, it killed the process in the middle
 * of a build, leaving the build `running` and its worktree behind. From the first error on, what
 * goes to that stream is dropped and the command carries on to its end (a build finishes and
 * cleans up as it would have). The process entry calls it once, before any command runs.
 */
export function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      closed.add(stream);
      if (stream === process.stdout) stdoutClosed.abort();
    });
  }
}

/** Who is asking, for the audit trail: the sudo caller when there is one. */
export function whoAsked(env: NodeJS.ProcessEnv): string {
  if (env.SUDO_USER) return env.SUDO_USER;
  if (env.USER) return env.USER;
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
