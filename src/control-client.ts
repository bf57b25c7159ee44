import http from 'node:http';
import { API, errorFrom, type ErrorKind } from '../engine/control/protocol.js';

/**
 * The control API's client: HTTP + JSON over the daemon's unix socket. `connect` says whether a
 * daemon answers there at all (no socket file, or nobody listening: undefined).
 */
export class ControlClient {
  constructor(readonly socket: string) {}

  static async connect(socket: string): Promise<ControlClient | undefined> {
    const c = new ControlClient(socket);
    try {
      await c.request('GET', '/status', undefined, 3000);
      return c;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK' || code === 'ETIMEDOUT') return undefined;
      throw err;
    }
  }

  /** One request, one JSON answer; an error answer is raised as the same error class the daemon hit. */
  request<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { socketPath: this.socket, path: API + path, method, headers: { 'content-type': 'application/json' }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return reject(new Error(`the daemon sent an unreadable answer (HTTP ${res.statusCode})`));
            }
            if ((res.statusCode ?? 500) >= 400) {
              const e = parsed as { error?: string; kind?: ErrorKind };
              return reject(errorFrom(e.kind, e.error ?? `HTTP ${res.statusCode}`));
            }
            resolve(parsed as T);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`the daemon did not answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** An NDJSON stream: calls `onObject` per line; resolves when the daemon ends it (or `signal` fires). */
  stream(method: string, path: string, body: unknown, onObject: (o: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { socketPath: this.socket, path: API + path, method, headers: { 'content-type': 'application/json' }, signal },
        (res) => {
          if ((res.statusCode ?? 500) >= 400) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              try {
                const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: string; kind?: ErrorKind };
                reject(errorFrom(e.kind, e.error ?? `HTTP ${res.statusCode}`));
              } catch {
                reject(new Error(`HTTP ${res.statusCode}`));
              }
            });
            return;
          }
          let buffered = '';
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            buffered += text;
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              if (!line.trim()) continue;
              try {
                onObject(JSON.parse(line) as Record<string, unknown>);
              } catch {
                // a malformed line is skipped, never fatal
              }
            }
          });
          res.on('end', () => resolve());
          res.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
        },
      );
      req.on('error', (err) => (signal?.aborted ? resolve() : reject(err)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}
