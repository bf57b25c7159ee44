import { chmodSync, existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { describeError, NotFoundError, UsageError } from '../errors.js';
import type { Engine } from '../api.js';
import { followBuildLog, readBuildLog } from '../follow-log.js';
import type { LogLine } from '../model.js';
import { API, errorKind, type DaemonInfo } from './protocol.js';
import { listen } from '../http-listen.js';

type Handler = (req: {
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  res: http.ServerResponse;
  signal: AbortSignal;
}) => Promise<unknown> | unknown;

/**
 * The control API on a unix socket (mode 0660: the greenci user and its group). The console and
 * the command line use it to read the snapshot, follow events and logs, see where production's
 * requests go, and trigger, cancel, retry, roll back, release, lift a hold and promote or abort a
 * canary. Every change names who asked (`requestedBy`) and lands in the audit table.
 */
export async function startControlServer(
  engine: Engine,
  opts: { socket: string; info: () => DaemonInfo },
): Promise<{ close(): Promise<void> }> {
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/status$/, () => ({ daemon: opts.info(), snapshot: engine.getSnapshot() })],
    ['GET', /^\/snapshot$/, () => engine.getSnapshot()],
    ['GET', /^\/events$/, ({ res, signal }) => streamEvents(engine, opts.info, res, signal)],
    [
      'GET',
      /^\/builds$/,
      ({ query }) => engine.builds({ project: query.get('project') ?? undefined, limit: Number(query.get('limit') ?? 50) }),
    ],
    ['GET', /^\/builds\/(\d+)$/, ({ params }) => found(engine.build(Number(params[0])), `no build #${params[0]}`)],
    [
      'GET',
      /^\/builds\/(\d+)\/logs$/,
      ({ params, query, res, signal }) =>
        streamLogs(engine, Number(params[0]), whole(query.get('after') ?? '0', 'after'), query.get('follow') === '1', res, signal),
    ],
    [
      'POST',
      /^\/builds$/,
      async ({ body }) => {
        const build = await engine.enqueue({
          project: str(body.project, 'project'),
          branch: str(body.branch, 'branch'),
          sha: optStr(body.sha),
          trigger: 'manual',
          requestedBy: who(body),
        });
        return { status: 202, body: build };
      },
    ],
    ['POST', /^\/builds\/(\d+)\/cancel$/, ({ params, body }) => engine.cancel(Number(params[0]), who(body))],
    [
      'POST',
      /^\/builds\/(\d+)\/retry$/,
      async ({ params, body }) => ({ status: 202, body: await engine.retry(Number(params[0]), who(body)) }),
    ],
    ['GET', /^\/projects\/([a-z0-9-]+)\/releases$/, ({ params }) => engine.releases(params[0])],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/rollback$/,
      ({ params, body, res }) => streamRollback(engine, params[0], optStr(body.to), who(body), res),
    ],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/release$/,
      ({ params, body, res }) => streamRelease(engine, params[0], optBuild(body.build), who(body), res, optCanary(body.canary)),
    ],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/hold\/lift$/,
      ({ params, body }) => engine.liftHold({ project: params[0], requestedBy: who(body) }),
    ],
    ['GET', /^\/projects\/([a-z0-9-]+)\/traffic$/, ({ params }) => engine.traffic(params[0])],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/canary$/,
      ({ params, body }) => engine.canaryDecision({ project: params[0], decision: decision(body.decision), requestedBy: who(body) }),
    ],
    ['GET', /^\/projects\/([a-z0-9-]+)\/branches$/, ({ params }) => engine.branches(params[0])],
    [
      'GET',
      /^\/containers\/([a-zA-Z0-9][a-zA-Z0-9_.-]*)\/logs$/,
      ({ params, query, res, signal }) => streamContainerLogs(engine, params[0], query, res, signal),
    ],
    [
      'GET',
      /^\/health$/,
      ({ query }) => ({
        health: Object.values(engine.getSnapshot().health),
        transitions: engine.healthHistory(Number(query.get('limit') ?? 20)).transitions,
      }),
    ],
    ['GET', /^\/deliveries$/, ({ query }) => engine.deliveries.list(Number(query.get('limit') ?? 50))],
  ];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://greenci');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const send = (status: number, body: unknown) => {
      if (res.headersSent) return void res.end();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = url.pathname.startsWith(API) ? url.pathname.slice(API.length) : '';
    const route = routes.find(([m, re]) => m === req.method && re.test(path));
    if (!route) return send(404, { error: `no such endpoint: ${req.method} ${url.pathname}`, kind: 'usage' });
    readJson(req)
      .then((body) => route[2]({ params: route[1].exec(path)!.slice(1), query: url.searchParams, body, res, signal: abort.signal }))
      .then((out) => {
        if (out === STREAMED) return;
        if (out && typeof out === 'object' && 'status' in out && 'body' in out)
          send((out as { status: number }).status, (out as { body: unknown }).body);
        else send(200, out ?? {});
      })
      .catch((err) => {
        const { status, kind } = errorKind(err);
        send(status, { error: describeError(err), kind });
      });
  });

  await removeStaleSocket(opts.socket);
  // event and log streams never end on their own: closing ends every connection
  const listening = await listen(server, { socket: opts.socket }, 'all');
  chmodSync(opts.socket, 0o660);
  return {
    close: () => {
      const closed = listening.close();
      rmSync(opts.socket, { force: true });
      return closed;
    },
  };
}

const STREAMED = Symbol('streamed');

function found<T>(v: T | undefined, message: string): T {
  if (v === undefined) throw new NotFoundError(message);
  return v;
}
const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw new UsageError(`${name} is required`);
  return v;
};
const whole = (v: string, name: string): number => {
  if (!/^\d{1,15}$/.test(v)) throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(v.slice(0, 40))}`);
  return Number(v);
};
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const optBuild = (v: unknown): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`build must be a build id, not ${JSON.stringify(v)}`);
  return v;
};
/** `{weight, forMs}` as `greenci release --canary` sends it; the engine checks the ranges. */
const optCanary = (v: unknown): { weight: number; forMs: number } | undefined => {
  if (v === undefined || v === null) return undefined;
  const c = v as { weight?: unknown; forMs?: unknown };
  if (typeof v !== 'object' || typeof c.weight !== 'number' || typeof c.forMs !== 'number')
    throw new UsageError('canary must be {"weight": percent, "forMs": milliseconds}');
  return { weight: c.weight, forMs: c.forMs };
};
const decision = (v: unknown): 'promote' | 'abort' => {
  if (v === 'promote' || v === 'abort') return v;
  throw new UsageError(`decision must be "promote" or "abort", not ${JSON.stringify(v ?? null)?.slice(0, 40)}`);
};
const who = (body: Record<string, unknown>): string =>
  typeof body.requestedBy === 'string' && body.requestedBy ? body.requestedBy.slice(0, 100) : 'unknown';

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) throw new UsageError('request body too large');
    chunks.push(c as Buffer);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new UsageError('the request body is not a JSON object');
  }
}

function ndjson(res: http.ServerResponse): (obj: unknown) => void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.flushHeaders();
  return (obj) => void (res.writableEnded || res.write(`${JSON.stringify(obj)}\n`));
}

/**
 * `{type:'snapshot'}` first, then every engine event as it happens; a heartbeat every 15 s. While
 * a client follows, greenci's containers are watched (`containers` events about once a second).
 */
function streamEvents(engine: Engine, info: () => DaemonInfo, res: http.ServerResponse, signal: AbortSignal): typeof STREAMED {
  const write = ndjson(res);
  // the daemon's own facts come with the snapshot: a console needs no second request (and no second snapshot)
  write({ type: 'snapshot', snapshot: engine.getSnapshot(), daemon: info() });
  const unsubscribe = engine.subscribe((e) => write(e));
  const release = engine.watchContainers();
  const beat = setInterval(() => write({ type: 'heartbeat', ts: Date.now() }), 15_000);
  signal.addEventListener('abort', () => (unsubscribe(), release(), clearInterval(beat)), { once: true });
  return STREAMED;
}

/**
 * A greenci container's last `tail` lines (default 200) as `{type:'log', line, stream}`; with
 * follow=1 new lines as they come; `{type:'end'}` when its log ends (or `{type:'error'}`).
 */
async function streamContainerLogs(
  engine: Engine,
  id: string,
  query: URLSearchParams,
  res: http.ServerResponse,
  signal: AbortSignal,
): Promise<typeof STREAMED> {
  const tail = Number(query.get('tail') ?? 200);
  if (!Number.isInteger(tail) || tail < 0 || tail > 100_000)
    throw new UsageError(`tail must be a whole number from 0 to 100000, not ${JSON.stringify(query.get('tail'))}`);
  // refuses an unknown or foreign container while an error answer can still be sent
  await engine.containerLogs(id, { tail: 0, signal, onLine: () => undefined });
  const write = ndjson(res);
  try {
    await engine.containerLogs(id, {
      tail,
      follow: query.get('follow') === '1',
      signal,
      onLine: (line, stream) => write({ type: 'log', line, stream }),
    });
    if (!signal.aborted) write({ type: 'end' });
  } catch (err) {
    if (!signal.aborted) write({ type: 'error', error: describeError(err), kind: errorKind(err).kind });
  }
  res.end();
  return STREAMED;
}

/** A build's log lines after `after`; with follow, new lines as they come until the build ends, then `{type:'end', build}`. */
async function streamLogs(
  engine: Engine,
  id: number,
  after: number,
  follow: boolean,
  res: http.ServerResponse,
  signal: AbortSignal,
): Promise<typeof STREAMED> {
  found(engine.build(id), `no build #${id}`); // 404 before the stream starts
  const write = ndjson(res);
  const onLine = (l: LogLine) => write({ type: 'log', ...l });
  try {
    const build = follow ? await followBuildLog(engine, id, { after, signal, onLine }) : readBuildLog(engine, id, { after, onLine });
    if (!signal.aborted) write({ type: 'end', build });
  } catch (err) {
    if (!signal.aborted) write({ type: 'error', error: describeError(err), kind: errorKind(err).kind });
  }
  res.end();
  return STREAMED;
}

/** Progress lines while production changes, then `{type:'result'}` or `{type:'error'}`. The rollback goes on if the client leaves. */
async function streamRollback(
  engine: Engine,
  project: string,
  to: string | undefined,
  requestedBy: string,
  res: http.ServerResponse,
): Promise<typeof STREAMED> {
  engine.releases(project); // 404 before the stream starts
  const write = ndjson(res);
  try {
    const r = await engine.rollback({ project, to, requestedBy, log: (line) => write({ type: 'progress', line }) });
    write({ type: 'result', from: r.from, to: r.to, hold: r.hold, warm: r.warm });
  } catch (err) {
    write({ type: 'error', error: describeError(err), kind: errorKind(err).kind });
  }
  res.end();
  return STREAMED;
}

/**
 * `greenci release`: the release build's log lines as progress, then `{type:'result', result}` (the
 * build, success or failed) or `{type:'error'}` when it was refused. It goes on if the client leaves.
 */
async function streamRelease(
  engine: Engine,
  project: string,
  build: number | undefined,
  requestedBy: string,
  res: http.ServerResponse,
  canary?: { weight: number; forMs: number },
): Promise<typeof STREAMED> {
  engine.releases(project); // 404 before the stream starts
  const write = ndjson(res);
  try {
    const result = await engine.release({ project, build, requestedBy, canary, log: (line) => write({ type: 'progress', line }) });
    write({ type: 'result', result });
  } catch (err) {
    write({ type: 'error', error: describeError(err), kind: errorKind(err).kind });
  }
  res.end();
  return STREAMED;
}

/** A socket file left by a daemon that died is removed; one that still answers means a daemon runs. */
async function removeStaleSocket(socket: string): Promise<void> {
  if (!existsSync(socket)) return;
  const answers = await new Promise<boolean>((resolve) => {
    const c = net.connect(socket, () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
  if (answers) throw new UsageError(`another greenci daemon already answers on ${socket}`);
  rmSync(socket, { force: true });
}
