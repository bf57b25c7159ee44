import { chmodSync, existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { Engine } from '../api.js';
import { describeError, UsageError } from '../errors.js';
import { listen } from '../http-listen.js';
import { API, type DaemonInfo, errorKind } from './protocol.js';
import { decision, found, optBuild, optCanary, optStr, readJson, str, who, whole } from './request.js';
import { STREAMED, streamContainerLogs, streamEvents, streamLogs, streamPrune, streamRelease, streamRollback } from './streams.js';

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
      ({ params, body, res }) => streamRollback(engine, params[0], optStr(body.to), who(body), res, body.restoreData === true),
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
    ['GET', /^\/projects\/([a-z0-9-]+)\/backups$/, ({ params }) => engine.backups(params[0])],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/backups$/,
      ({ params, body }) => engine.backup({ project: params[0], service: optStr(body.service), requestedBy: who(body) }),
    ],
    [
      'POST',
      /^\/projects\/([a-z0-9-]+)\/restore$/,
      ({ params, body }) =>
        engine.restore({ project: params[0], service: String(body.service ?? ''), from: optStr(body.from), requestedBy: who(body) }),
    ],
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
    [
      'POST',
      /^\/prune$/,
      ({ body, res }) => streamPrune(engine, { project: optStr(body.project), dryRun: body.dryRun === true, requestedBy: who(body) }, res),
    ],
    ['GET', /^\/disk$/, () => engine.disk()],
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
