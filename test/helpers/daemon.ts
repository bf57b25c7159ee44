import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'src', 'bin.ts');

/** One NDJSON line of the daemon's log. */
export type LogEntry = Record<string, any> & { level: string; msg: string };

export interface DaemonRun {
  child: ChildProcess;
  /** The daemon's own pid (node itself, so SIGKILL really kills it). */
  pid: number;
  logs: LogEntry[];
  /** `http://127.0.0.1:PORT/webhook` */
  webhookUrl: string;
  /** Resolves with the first log entry (already seen or coming) that matches. */
  waitForLog(match: (e: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  exited: Promise<number | null>;
  stderr(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `greenci daemon --config FILE` (real process, real stdout) and waits until it is ready. */
export async function startDaemon(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<DaemonRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'daemon', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_PROXY: '127.0.0.1,localhost' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogEntry[] = [];
  const waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let e: LogEntry;
      try {
        e = JSON.parse(line) as LogEntry;
      } catch {
        e = { level: 'unparsed', msg: line };
      }
      logs.push(e);
      for (const w of [...waiters]) if (w.match(e)) waiters.splice(waiters.indexOf(w), 1), w.resolve(e);
    }
  });
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForLog = (match: (e: LogEntry) => boolean, timeoutMs = 120_000) => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogEntry>((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for a daemon log entry; last lines:\n${logs
                .slice(-15)
                .map((l) => JSON.stringify(l))
                .join('\n')}\nstderr: ${stderr}`,
            ),
          ),
        timeoutMs,
      );
      const w = { match, resolve: (e: LogEntry) => (clearTimeout(t), resolve(e)) };
      waiters.push(w);
      void exited.then((code) => {
        if (!waiters.includes(w)) return;
        clearTimeout(t);
        reject(
          new Error(
            `the daemon exited (${code}) while a test waited for a log entry; stderr: ${stderr}\nlast lines:\n${logs
              .slice(-15)
              .map((l) => JSON.stringify(l))
              .join('\n')}`,
          ),
        );
      });
    });
  };
  await waitForLog((e) => e.msg === 'greenci daemon ready', 60_000);
  const hook = logs.find((e) => typeof e.webhook === 'string')!;
  return {
    child,
    pid: child.pid!,
    logs,
    webhookUrl: `http://${hook.webhook}${hook.path}`,
    waitForLog,
    exited,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
