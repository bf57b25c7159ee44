import type { Engine } from '../../engine/index.js';
import type { ConsoleSource } from '../../views/source.js';

const FINISHED = new Set(['success', 'failed', 'cancelled']);

/** The console's view of an engine in this process (no daemon): the same snapshot and events, directly. */
export function localSource(engine: Engine, user: string): ConsoleSource {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.then(() => inFlight.delete(p), () => inFlight.delete(p));
    return p;
  };
  return {
    async settle() {
      await Promise.allSettled([...inFlight]);
    },
    user,
    connect(h) {
      h.onConnection({ mode: 'in-process', state: 'connected' });
      h.onSnapshot(engine.getSnapshot());
      const off = engine.subscribe((e) => h.onEvent(e));
      const release = engine.watchContainers();
      return () => (off(), release());
    },
    releases: async (project) => engine.releases(project),
    branches: (project) => engine.branches(project),
    async buildLogs(id, o) {
      let last = 0;
      const flush = () => {
        for (const l of engine.logs(id, last)) (o.onLine(l), (last = l.id));
      };
      flush();
      if (FINISHED.has(engine.build(id)?.status ?? 'failed')) return;
      await new Promise<void>((resolve) => {
        const off = engine.subscribe((e) => {
          if (e.type === 'log' && e.line.buildId === id) flush();
          if (e.type === 'build.updated' && e.build.id === id && FINISHED.has(e.build.status)) (flush(), off(), resolve());
        });
        o.signal.addEventListener('abort', () => (off(), resolve()), { once: true });
      });
    },
    containerLogs: (id, o) => engine.containerLogs(id, { tail: 200, follow: true, signal: o.signal, onLine: o.onLine }),
    trigger: (req) => engine.enqueue({ ...req, trigger: 'manual', requestedBy: user }),
    cancel: async (id) => engine.cancel(id, user),
    retry: (id) => engine.retry(id, user),
    rollback: (req) => track(engine.rollback({ project: req.project, to: req.to, requestedBy: user, log: req.log })),
  };
}
