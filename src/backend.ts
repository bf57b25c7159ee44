import { errorFrom, type DaemonInfo } from '../engine/control/protocol.js';
import type { RollbackResult } from '../engine/index.js';
import type { LocalEngine } from './setup.js';
import type { BuildRecord, HealthRecord, HealthTransitionRecord, LogLine, ReleaseRecord } from '../engine/model.js';
import type { Snapshot } from '../engine/state.js';
import { ControlClient } from './control-client.js';
import type { Io } from './io.js';
import { requireConfig } from './require-config.js';

const FINISHED = new Set(['success', 'failed', 'cancelled']);

/**
 * What the commands talk to: the daemon through its control socket when one answers, otherwise
 * the engine in this process. Both behave the same; only `mode` tells them apart.
 */
export interface Backend {
  mode: 'daemon' | 'in-process';
  status(): Promise<{ snapshot: Snapshot; daemon?: DaemonInfo }>;
  builds(o: { project?: string; limit?: number }): Promise<BuildRecord[]>;
  build(id: number): Promise<BuildRecord | undefined>;
  /** Prints nothing itself: hands each log line over; with `follow`, until the build ends. Resolves with the build. */
  logs(id: number, o: { follow?: boolean; onLine: (l: LogLine) => void; signal?: AbortSignal }): Promise<BuildRecord>;
  /** Queues a build. The daemon runs it; in-process, `runHere` runs it now and resolves when it ends. */
  trigger(req: { project: string; branch: string; sha?: string; requestedBy: string }): Promise<BuildRecord>;
  /** In-process only: runs a queued build in this process. */
  runHere?(id: number, signal: AbortSignal, onStage: (build: BuildRecord) => void): Promise<BuildRecord>;
  cancel(id: number, by: string): Promise<BuildRecord>;
  /** The monitor's view: every checked thing now, and the last `limit` changes (newest first). */
  health(limit: number): Promise<{ health: HealthRecord[]; transitions: HealthTransitionRecord[] }>;
  retry(id: number, by: string): Promise<BuildRecord>;
  releases(project: string): Promise<{ releases: ReleaseRecord[]; live?: ReleaseRecord }>;
  rollback(req: { project: string; to?: string; requestedBy: string; log: (line: string) => void }): Promise<RollbackResult>;
  /** In-process: sends the email this run queued (or leaves it in the outbox), then closes the engine. */
  close(): Promise<void> | void;
}

/** The daemon when its socket answers; else the engine in-process (and `io.err` says so when `announce`). */
export async function openBackend(io: Io, configPath?: string): Promise<Backend> {
  const config = requireConfig(io, configPath);
  const client = await ControlClient.connect(config.control.socket!);
  if (client) return daemonBackend(client);
  const { openEngineWith } = await import('./setup.js'); // the engine's modules load only without a daemon
  return localBackend(openEngineWith(config, io.env));
}

export function daemonBackend(c: ControlClient): Backend {
  return {
    mode: 'daemon',
    status: () => c.request('GET', '/status'),
    builds: (o) => c.request('GET', `/builds?${new URLSearchParams({ ...(o.project ? { project: o.project } : {}), limit: String(o.limit ?? 20) })}`),
    build: (id) => c.request<BuildRecord>('GET', `/builds/${id}`).catch((err: Error) => (/^no build/.test(err.message) ? undefined : Promise.reject(err))),
    async logs(id, o) {
      let end: BuildRecord | undefined;
      await c.stream('GET', `/builds/${id}/logs?follow=${o.follow ? 1 : 0}`, undefined, (m) => {
        if (m.type === 'log') o.onLine(m as unknown as LogLine);
        if (m.type === 'end') end = m.build as BuildRecord;
      }, o.signal);
      return end ?? (await c.request<BuildRecord>('GET', `/builds/${id}`));
    },
    trigger: (req) => c.request('POST', '/builds', req),
    cancel: (id, by) => c.request('POST', `/builds/${id}/cancel`, { requestedBy: by }),
    health: (limit) => c.request('GET', `/health?limit=${limit}`),
    retry: (id, by) => c.request('POST', `/builds/${id}/retry`, { requestedBy: by }),
    releases: (project) => c.request('GET', `/projects/${encodeURIComponent(project)}/releases`),
    async rollback(req) {
      let result: RollbackResult | undefined;
      let failure: Error | undefined;
      await c.stream('POST', `/projects/${encodeURIComponent(req.project)}/rollback`, { to: req.to, requestedBy: req.requestedBy }, (m) => {
        if (m.type === 'progress') req.log(String(m.line));
        if (m.type === 'result') result = { from: m.from as ReleaseRecord | undefined, to: m.to as ReleaseRecord };
        if (m.type === 'error') failure = errorFrom(m.kind as never, String(m.error));
      });
      if (failure) throw failure;
      if (!result) throw new Error('the daemon ended the rollback stream without a result; check `greenci releases`');
      return result;
    },
    close: () => undefined,
  };
}

function localBackend(local: LocalEngine): Backend {
  const engine = local.engine;
  return {
    mode: 'in-process',
    status: async () => ({ snapshot: engine.getSnapshot() }),
    builds: async (o) => engine.builds(o),
    build: async (id) => engine.build(id),
    async logs(id, o) {
      let after = 0;
      for (;;) {
        for (const l of engine.logs(id, after)) (o.onLine(l), (after = l.id));
        const b = engine.build(id)!;
        if (!o.follow || FINISHED.has(b.status) || o.signal?.aborted) {
          for (const l of engine.logs(id, after)) (o.onLine(l), (after = l.id));
          return b;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    },
    trigger: (req) => (local.startMail(), engine.enqueue({ ...req, trigger: 'manual' })),
    async runHere(id, signal, onStage) {
      local.startMail();
      const off = engine.subscribe((e) => {
        if (e.type === 'stage.updated' && e.buildId === id) onStage(engine.build(id)!);
      });
      try {
        return await engine.runQueued(id, { signal });
      } finally {
        off();
      }
    },
    cancel: async (id, by) => (local.startMail(), engine.cancel(id, by)),
    health: async (limit) => ({ health: engine.store.health.all(), transitions: engine.store.health.transitions({ limit }) }),
    retry: (id, by) => (local.startMail(), engine.retry(id, by)),
    releases: async (project) => engine.releases(project),
    rollback: (req) => (local.startMail(), engine.rollback(req)),
    close: () => local.close(),
  };
}
