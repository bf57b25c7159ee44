import { EventBus, type EngineEvent } from '../../engine/events.js';
import type { BuildRecord, LogLine, ReleaseRecord } from '../../engine/model.js';
import { reduce, type Snapshot } from '../../engine/state.js';
import type { Connection, ConsoleSource } from '../../views/source.js';

/**
 * An engine stand-in for console tests, built on the real reducer and event bus: it holds a
 * snapshot, emits events through the same EventBus the engine uses, and records what the console
 * asked. Rollback changes the live release the way the engine announces it (deployment events).
 */
export class EngineDouble implements ConsoleSource {
  readonly bus = new EventBus();
  readonly calls: { op: string; args: unknown }[] = [];
  snapshot: Snapshot;
  releasesOf: Record<string, ReleaseRecord[]> = {};
  branchList: string[] = ['master', 'feature/login', 'feature/weights'];
  logs: Record<number, LogLine[]> = {};
  containerOutput: Record<string, string[]> = {};
  connection: Connection = { mode: 'daemon', state: 'connected', daemon: { pid: 4242, version: '0.1.0', startedAt: Date.now() - 3_600_000, socket: '/run/greenci/greenci.sock', draining: false } };
  /** When set, the next rollback waits for this promise (to see progress in between). */
  rollbackGate?: Promise<void>;
  failNext?: string;
  private handlers?: Parameters<ConsoleSource['connect']>[0];

  constructor(snapshot: Snapshot, readonly user = 'operator') {
    this.snapshot = snapshot;
    this.bus.subscribe((e) => (this.snapshot = reduce(this.snapshot, e)));
  }

  connect(h: Parameters<ConsoleSource['connect']>[0]): () => void {
    this.handlers = h;
    h.onConnection(this.connection);
    h.onSnapshot(this.snapshot);
    const off = this.bus.subscribe((e) => h.onEvent(e));
    return () => off();
  }

  emit(e: EngineEvent): void {
    this.bus.emit(e);
  }

  /** Something that is not an engine event at all, as a broken daemon might send. */
  emitRaw(e: unknown): void {
    this.handlers?.onEvent(e as EngineEvent);
  }

  setConnection(c: Connection, snapshot?: Snapshot): void {
    this.connection = c;
    this.handlers?.onConnection(c);
    if (snapshot) (this.snapshot = snapshot), this.handlers?.onSnapshot(snapshot);
  }

  async releases(project: string) {
    const releases = this.releasesOf[project] ?? [];
    const liveId = this.snapshot.live[project]?.releaseId;
    return { releases, live: releases.find((r) => r.id === liveId) };
  }

  async branches(project: string) {
    this.calls.push({ op: 'branches', args: project });
    return this.branchList;
  }

  async buildLogs(id: number, o: { signal: AbortSignal; onLine(l: LogLine): void }) {
    for (const l of this.logs[id] ?? []) o.onLine(l);
    await new Promise<void>((resolve) => {
      const off = this.bus.subscribe((e) => {
        if (e.type === 'log' && e.line.buildId === id) o.onLine(e.line);
        if (e.type === 'build.updated' && e.build.id === id && ['success', 'failed', 'cancelled'].includes(e.build.status)) (off(), resolve());
      });
      o.signal.addEventListener('abort', () => (off(), resolve()), { once: true });
    });
  }

  /** Containers whose log ends after what they printed (stopped ones); the others follow until aborted. */
  stopped = new Set<string>();

  async containerLogs(id: string, o: { signal: AbortSignal; onLine(line: string, stream: 'stdout' | 'stderr'): void }) {
    this.calls.push({ op: 'containerLogs', args: id });
    for (const l of this.containerOutput[id] ?? []) o.onLine(l, 'stdout');
    if (this.stopped.has(id)) return;
    await new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private check(op: string, args: unknown) {
    this.calls.push({ op, args });
    if (this.failNext) {
      const msg = this.failNext;
      this.failNext = undefined;
      throw new Error(msg);
    }
  }

  private nextId(): number {
    return Math.max(0, ...this.snapshot.builds.map((b) => b.id)) + 1;
  }

  async trigger(req: { project: string; branch: string }): Promise<BuildRecord> {
    this.check('trigger', { ...req, by: this.user });
    const b: BuildRecord = { id: this.nextId(), project: req.project, branch: req.branch, refSlug: req.branch, trigger: 'manual', requestedBy: this.user, status: 'queued', createdAt: Date.now(), stages: [] };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async cancel(id: number): Promise<BuildRecord> {
    this.check('cancel', { id, by: this.user });
    const b = { ...this.snapshot.builds.find((x) => x.id === id)!, status: 'cancelled' as const, reason: `cancelled by ${this.user}`, finishedAt: Date.now() };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async retry(id: number): Promise<BuildRecord> {
    this.check('retry', { id, by: this.user });
    const old = this.snapshot.builds.find((x) => x.id === id)!;
    const b: BuildRecord = { ...old, id: this.nextId(), status: 'queued', trigger: 'retry', retryOf: id, requestedBy: this.user, startedAt: undefined, finishedAt: undefined, reason: undefined };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async rollback(req: { project: string; to: string; log(line: string): void }) {
    this.check('rollback', { project: req.project, to: req.to, by: this.user });
    const list = this.releasesOf[req.project] ?? [];
    const to = list.find((r) => r.version === req.to);
    if (!to) throw new Error(`no release ${req.to}`);
    const from = list.find((r) => r.id === this.snapshot.live[req.project]?.releaseId);
    const d = { id: 900 + this.calls.length, project: req.project, env: 'production' as const, kind: 'rollback' as const, releaseId: to.id, version: to.version, requestedBy: this.user, startedAt: Date.now() };
    this.emit({ type: 'deployment.updated', deployment: { ...d, status: 'running' } });
    req.log(`starting ${to.version}`);
    await this.rollbackGate;
    this.emit({ type: 'deployment.updated', deployment: { ...d, status: 'success', finishedAt: Date.now() } });
    return { from, to };
  }
}
