import type { CanaryDecisionRequest, LiftHoldRequest, ReleaseRequest, RollbackRequest } from '../../engine/api.js';
import type { ConnectHandlers, DiskReport, EngineClient, TriggerRequest } from '../../engine/client.js';
import { NotFoundError } from '../../engine/errors.js';
import { EventBus, type EngineEvent } from '../../engine/events.js';
import { isFinished, type BuildRecord, type LogLine, type ReleaseRecord, type TrafficView } from '../../engine/model.js';
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
  logLines: Record<number, LogLine[]> = {};
  containerOutput: Record<string, string[]> = {};
  connection: Connection = {
    mode: 'daemon',
    state: 'connected',
    daemon: { pid: 4242, version: '0.1.0', startedAt: Date.now() - 3_600_000, socket: '/run/greenci/greenci.sock', draining: false },
  };
  /** When set, the next rollback waits for this promise (to see progress in between). */
  rollbackGate?: Promise<void>;
  failNext?: string;
  private handlers?: ConnectHandlers;

  constructor(
    snapshot: Snapshot,
    readonly user = 'operator',
  ) {
    this.snapshot = snapshot;
    this.bus.subscribe((e) => (this.snapshot = reduce(this.snapshot, e)));
  }

  get mode() {
    return this.connection.mode;
  }

  connect(h: ConnectHandlers): () => void {
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

  /** What `traffic` answers per project (none: production does not go through a front proxy). */
  trafficOf: Record<string, TrafficView> = {};

  async traffic(project: string): Promise<TrafficView> {
    this.calls.push({ op: 'traffic', args: project });
    return this.trafficOf[project] ?? { project, proxy: 'none', apps: [] };
  }

  /** What `disk` answers (none: it fails, as a client that cannot read Docker's disk usage does). */
  diskReport?: DiskReport;

  async disk(): Promise<DiskReport> {
    this.calls.push({ op: 'disk', args: undefined });
    if (!this.diskReport) throw new Error('Docker does not answer');
    return this.diskReport;
  }

  /** Decides the project's running canary (as the snapshot has it) the way the engine announces it: its last update, with the outcome. */
  async canaryDecision(req: CanaryDecisionRequest) {
    this.check('canaryDecision', { project: req.project, decision: req.decision, by: req.requestedBy });
    const c = this.snapshot.canaries[req.project];
    if (!c) throw new NotFoundError(`no canary of ${req.project} is running in this greenci process`);
    this.emit({
      type: 'canary.updated',
      canary: { ...c, outcome: req.decision === 'promote' ? 'promoted' : 'aborted', decidedBy: req.requestedBy },
    });
    return { version: c.version };
  }

  async branches(project: string) {
    this.calls.push({ op: 'branches', args: project });
    return this.branchList;
  }

  async status() {
    return { snapshot: this.snapshot, daemon: this.connection.daemon };
  }

  async builds() {
    return this.snapshot.builds;
  }

  async build(id: number) {
    return this.snapshot.builds.find((b) => b.id === id);
  }

  async health() {
    return { health: Object.values(this.snapshot.health), transitions: [] };
  }

  /** The lines in `logLines`, then (following) each `log` event of the build until a `build.updated` says it ended. */
  async logs(id: number, o: Parameters<EngineClient['logs']>[1]) {
    for (const l of this.logLines[id] ?? []) o.onLine(l);
    const current = () => this.snapshot.builds.find((b) => b.id === id)!;
    if (!o.follow) return current();
    return new Promise<BuildRecord>((resolve) => {
      const off = this.bus.subscribe((e) => {
        if (e.type === 'log' && e.line.buildId === id) o.onLine(e.line);
        if (e.type === 'build.updated' && e.build.id === id && isFinished(e.build.status)) off(), resolve(e.build);
      });
      o.signal?.addEventListener('abort', () => (off(), resolve(current())), { once: true });
    });
  }

  /** Containers whose log ends after what they printed (stopped ones); the others follow until aborted. */
  stopped = new Set<string>();

  async containerLogs(id: string, o: Parameters<EngineClient['containerLogs']>[1]) {
    this.calls.push({ op: 'containerLogs', args: id });
    for (const l of this.containerOutput[id] ?? []) o.onLine(l, 'stdout');
    if (this.stopped.has(id) || !o.follow) return;
    await new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));
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

  async trigger(req: TriggerRequest): Promise<BuildRecord> {
    this.check('trigger', { project: req.project, branch: req.branch, by: req.requestedBy });
    const b: BuildRecord = {
      id: this.nextId(),
      project: req.project,
      branch: req.branch,
      refSlug: req.branch,
      trigger: 'manual',
      requestedBy: req.requestedBy,
      status: 'queued',
      createdAt: Date.now(),
      stages: [],
    };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async cancel(id: number, by: string): Promise<BuildRecord> {
    this.check('cancel', { id, by });
    const b = {
      ...this.snapshot.builds.find((x) => x.id === id)!,
      status: 'cancelled' as const,
      reason: `cancelled by ${by}`,
      finishedAt: Date.now(),
    };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async retry(id: number, by: string): Promise<BuildRecord> {
    this.check('retry', { id, by });
    const old = this.snapshot.builds.find((x) => x.id === id)!;
    const b: BuildRecord = {
      ...old,
      id: this.nextId(),
      status: 'queued',
      trigger: 'retry',
      retryOf: id,
      requestedBy: by,
      startedAt: undefined,
      finishedAt: undefined,
      reason: undefined,
    };
    this.emit({ type: 'build.updated', build: b });
    return b;
  }

  async rollback(req: RollbackRequest) {
    this.check('rollback', { project: req.project, to: req.to, by: req.requestedBy });
    const list = this.releasesOf[req.project] ?? [];
    const to = list.find((r) => r.version === req.to);
    if (!to) throw new Error(`no release ${req.to}`);
    const from = list.find((r) => r.id === this.snapshot.live[req.project]?.releaseId);
    const d = {
      id: 900 + this.calls.length,
      project: req.project,
      env: 'production' as const,
      kind: 'rollback' as const,
      releaseId: to.id,
      version: to.version,
      requestedBy: req.requestedBy,
      startedAt: Date.now(),
    };
    this.emit({ type: 'deployment.updated', deployment: { ...d, status: 'running' } });
    req.log?.(`starting ${to.version}`);
    await this.rollbackGate;
    this.emit({ type: 'deployment.updated', deployment: { ...d, status: 'success', finishedAt: Date.now() } });
    return { from, to };
  }

  /** Releases a build: the release it names (`releaseOf[build]`) goes live the way the engine announces it, and the hold comes off. */
  releaseOf: Record<number, ReleaseRecord> = {};

  async release(req: ReleaseRequest) {
    this.check('release', { project: req.project, build: req.build, by: req.requestedBy });
    const release = this.releaseOf[req.build!];
    const source = this.snapshot.builds.find((b) => b.id === req.build)!;
    const build: BuildRecord = { ...source, id: this.nextId(), trigger: 'release', retryOf: source.id, requestedBy: req.requestedBy };
    req.log?.(`deploying ${release.version}`);
    await this.rollbackGate;
    const d = {
      id: 950 + this.calls.length,
      project: req.project,
      env: 'production' as const,
      kind: 'promote' as const,
      buildId: build.id,
      releaseId: release.id,
      version: release.version,
      requestedBy: req.requestedBy,
      status: 'success' as const,
      startedAt: Date.now(),
      finishedAt: Date.now(),
    };
    this.emit({ type: 'deployment.updated', deployment: d });
    const hold = this.snapshot.holds[req.project];
    const lifted = hold && { ...hold, liftedAt: Date.now(), liftedBy: req.requestedBy, liftedByBuild: build.id };
    if (lifted) this.emit({ type: 'hold.updated', hold: lifted });
    this.emit({ type: 'build.updated', build: { ...build, status: 'success', version: release.version } });
    return { build: { ...build, status: 'success' as const }, of: source.id, release, lifted };
  }

  async liftHold(req: LiftHoldRequest) {
    this.check('liftHold', { project: req.project, by: req.requestedBy });
    const hold = this.snapshot.holds[req.project];
    if (!hold) throw new Error(`production ${req.project} is not held`);
    const lifted = { ...hold, liftedAt: Date.now(), liftedBy: req.requestedBy };
    this.emit({ type: 'hold.updated', hold: lifted });
    return lifted;
  }

  async settle() {}

  close() {}
}
