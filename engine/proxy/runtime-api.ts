import net from 'node:net';
import { ProxyError } from '../errors.js';
import { runtimeAnswerFailed } from './runtime-commands.js';

/**
 * HAProxy's runtime API on its admin socket (a unix socket in the proxy's directory): one
 * connection per command, the proxy answers and closes. The only module that speaks to it.
 */
export class RuntimeApi {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 3000,
  ) {}

  /** Sends one command and returns the proxy's answer. */
  send(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.socketPath);
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => sock.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      sock.on('connect', () => sock.end(`${command}\n`));
      sock.on('data', (b) => {
        size += b.length;
        if (size > 8 * 1024 * 1024) sock.destroy(new Error('answer larger than 8 MB'));
        else chunks.push(b);
      });
      sock.on('error', (err) => {
        clearTimeout(timer);
        reject(
          new ProxyError(`front proxy: ${command.split(' ').slice(0, 3).join(' ')}: ${(err as NodeJS.ErrnoException).code ?? err.message}`),
        );
      });
      sock.on('close', (hadError) => {
        clearTimeout(timer);
        if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  /** Sends commands in order; stops at the first the proxy refuses, saying which and why. */
  async apply(commands: string[]): Promise<void> {
    for (const c of commands) {
      const answer = await this.send(c);
      if (runtimeAnswerFailed(answer)) throw new ProxyError(`front proxy refused "${c}": ${answer.trim().split('\n')[0]}`);
    }
  }

  /** Answers when the proxy's admin socket does. */
  async ping(): Promise<boolean> {
    try {
      await this.send('show info');
      return true;
    } catch {
      return false;
    }
  }

  /** The process id of the worker that answers (it changes when the proxy reloads); undefined when none answers. */
  async workerPid(): Promise<number | undefined> {
    try {
      const pid = /^Pid:\s*(\d+)/m.exec(await this.send('show info'))?.[1];
      return pid ? Number(pid) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Per server: requests and 5xx answers so far (from `show stat`). */
  async serverStats(): Promise<ServerStat[]> {
    return parseShowStat(await this.send('show stat'));
  }
}

export interface ServerStat {
  backend: string;
  server: string;
  status: string;
  weight: number;
  /** Total HTTP requests sent to it, and how many it answered 5xx (the proxy's own counters). */
  requests: number;
  errors5xx: number;
  currentSessions: number;
}

/** Parses `show stat` CSV into the servers' rows (frontends and backend totals are left out). */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim());
  const header = lines.shift()?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const out: ServerStat[] = [];
  for (const l of lines) {
    const f = l.split(',');
    const sv = f[col('svname')];
    if (!sv || sv === 'FRONTEND' || sv === 'BACKEND') continue;
    const n = (name: string) => Number(f[col(name)] || 0) || 0;
    out.push({
      backend: f[col('pxname')],
      server: sv,
      status: f[col('status')],
      weight: n('weight'),
      // req_tot counts HTTP requests per server (hrsp_* are its answers by class)
      requests: n('hrsp_1xx') + n('hrsp_2xx') + n('hrsp_3xx') + n('hrsp_4xx') + n('hrsp_5xx') + n('hrsp_other'),
      errors5xx: n('hrsp_5xx'),
      currentSessions: n('scur'),
    });
  }
  return out;
}
