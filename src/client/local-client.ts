import type { EngineClient } from '../../engine/client.js';
import { followBuildLog, readBuildLog } from '../../engine/follow-log.js';
import type { Runtime } from '../runtime.js';

/**
 * The engine in this process (no daemon answers): the same reads and changes, directly. Changes
 * start the email service first (read-only commands never do).
 */
export function localClient(local: Runtime): EngineClient {
  const engine = local.engine;
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p),
    );
    return p;
  };
  return {
    mode: 'in-process',
    status: async () => ({ snapshot: engine.getSnapshot() }),
    connect(h) {
      h.onConnection({ mode: 'in-process', state: 'connected' });
      h.onSnapshot(engine.getSnapshot());
      const off = engine.subscribe((e) => h.onEvent(e));
      const release = engine.watchContainers();
      return () => (off(), release());
    },
    builds: async (o) => engine.builds(o),
    build: async (id) => engine.build(id),
    logs: async (id, o) => (o.follow ? followBuildLog(engine, id, o) : readBuildLog(engine, id, o)),
    containerLogs: (id, o) => engine.containerLogs(id, o),
    releases: async (project) => engine.releases(project),
    backups: async (project) => engine.backups(project),
    backup: (req) => track(engine.backup(req)),
    restore: (req) => track(engine.restore(req)),
    traffic: (project) => engine.traffic(project),
    branches: (project) => engine.branches(project),
    health: async (limit) => engine.healthHistory(limit),
    trigger: async (req) => (local.startMail(), engine.enqueue({ ...req, trigger: 'manual' })),
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
    retry: async (id, by) => (local.startMail(), engine.retry(id, by)),
    rollback: (req) => (local.startMail(), track(engine.rollback(req))),
    release: (req) => (local.startMail(), track(engine.release(req))),
    liftHold: async (req) => (local.startMail(), engine.liftHold(req)),
    prune: (req) => track(engine.prune(req)),
    disk: () => engine.disk(),
    // a canary runs inside the process releasing it: here, only one this process's own build runs
    canaryDecision: async (req) => (local.startMail(), engine.canaryDecision(req)),
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
    close: async () => void (await local.stop()),
  };
}
