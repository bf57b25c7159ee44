import type http from 'node:http';
import type { Engine } from '../api.js';
import { describeError, UsageError } from '../errors.js';
import { followBuildLog, readBuildLog } from '../follow-log.js';
import type { LogLine } from '../model.js';
import { type DaemonInfo, errorKind } from './protocol.js';
import { found } from './request.js';

/** What a handler returns when it answered through the response itself (a stream). */
export const STREAMED = Symbol('streamed');

function ndjson(res: http.ServerResponse): (obj: unknown) => void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  res.flushHeaders();
  return (obj) => void (res.writableEnded || res.write(`${JSON.stringify(obj)}\n`));
}

/**
 * `{type:'snapshot'}` first, then every engine event as it happens; a heartbeat every 15 s. While
 * a client follows, greenci's containers are watched (`containers` events about once a second).
 */
export function streamEvents(engine: Engine, info: () => DaemonInfo, res: http.ServerResponse, signal: AbortSignal): typeof STREAMED {
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
export async function streamContainerLogs(
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
export async function streamLogs(
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
export async function streamRollback(
  engine: Engine,
  project: string,
  to: string | undefined,
  requestedBy: string,
  res: http.ServerResponse,
  restoreData = false,
): Promise<typeof STREAMED> {
  engine.releases(project); // 404 before the stream starts
  const write = ndjson(res);
  try {
    const r = await engine.rollback({
      project,
      to,
      requestedBy,
      ...(restoreData ? { restoreData } : {}),
      log: (line) => write({ type: 'progress', line }),
    });
    write({ type: 'result', from: r.from, to: r.to, hold: r.hold, warm: r.warm, restored: r.restored });
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
export async function streamRelease(
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

/**
 * `greenci prune`: progress lines (waiting for a production lock), then `{type:'result', reports}`
 * or `{type:'error'}`. It goes on if the client leaves (what it removed is audited).
 */
export async function streamPrune(
  engine: Engine,
  req: { project?: string; dryRun: boolean; requestedBy: string },
  res: http.ServerResponse,
): Promise<typeof STREAMED> {
  if (req.project) engine.releases(req.project); // 404 before the stream starts
  const write = ndjson(res);
  try {
    const reports = await engine.prune({ ...req, log: (line) => write({ type: 'progress', line }) });
    write({ type: 'result', reports });
  } catch (err) {
    write({ type: 'error', error: describeError(err), kind: errorKind(err).kind });
  }
  res.end();
  return STREAMED;
}
