import type { EventBus } from './events.js';
import type {
  AuditEntry,
  BuildRecord,
  CanaryState,
  DeploymentEnv,
  DeploymentKind,
  LogLine,
  PreviewRecord,
  ProductionHold,
  ReleaseRecord,
  StageStatus,
  TestedBuild,
} from './model.js';
import { type BackupRecord, BackupStore } from './store/backups.js';
import type { Store, StoreReader } from './store/index.js';
import type { DeploymentOutcome } from './store/releases.js';

/**
 * Writes a change to SQLite first, then announces it on the bus, so a listener that reacts to
 * an event always finds the change already stored. The only way the pipeline writes: it reads
 * through `read`, which has no write methods. Text that output may have carried (log lines,
 * errors, reasons, audit outcomes) passes through `mask` first: a host secret a container
 * printed is never stored, announced or mailed.
 */
export class Recorder {
  /** The store's questions (no writes). */
  readonly read: StoreReader;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly mask: (text: string) => string = (text) => text,
  ) {
    this.read = store;
  }

  private backupStore?: BackupStore;

  /** Backups of production's data (engine/backup/): read here, written through backupStarted/backupFinished. */
  get backups(): Pick<BackupStore, 'get' | 'all' | 'listBackups'> {
    return this.backupTable();
  }

  private backupTable(): BackupStore {
    this.backupStore ??= new BackupStore(this.store.db);
    return this.backupStore;
  }

  /** A backup began (its file is not there yet). */
  backupStarted(b: Parameters<BackupStore['started']>[0]): void {
    this.backupTable().started(b);
  }

  /** A backup ended: `success` with its size and checksum, or `failed: why`. */
  backupFinished(id: string, f: { outcome: string; size?: number; sha256?: string }): BackupRecord {
    this.backupTable().finished(id, { ...f, outcome: this.mask(f.outcome) });
    return this.backupTable().get(id)!;
  }

  /** A line of the audit trail (who, what, which project); returns its id for `auditOutcome`. */
  audit(e: Omit<AuditEntry, 'id' | 'ts'>): number {
    const id = this.store.audit.record({
      ...e,
      outcome: e.outcome === undefined ? undefined : this.mask(e.outcome),
      detail: e.detail && (maskDeep(e.detail, this.mask) as Record<string, unknown>),
    });
    this.emitAudit(id);
    return id;
  }

  /** How an audited change ended. */
  auditOutcome(id: number, outcome: string): void {
    this.store.audit.setOutcome(id, this.mask(outcome));
    this.emitAudit(id);
  }

  /** A release's git tag reached origin. */
  tagPushed(releaseId: number): void {
    this.store.releases.markTagPushed(releaseId);
    const release = this.store.releases.release(releaseId);
    if (release) this.bus.emit({ type: 'release.updated', release });
  }

  /** A canary's progress or end: announced only (the deployment and the audit entries are its record). */
  canary(state: CanaryState): void {
    this.bus.emit({ type: 'canary.updated', canary: state });
  }

  /** A hold on production put on (a manual rollback): stored, then announced. */
  holdPlaced(h: Parameters<Store['holds']['place']>[0]): ProductionHold {
    const hold = this.store.holds.place(h);
    this.bus.emit({ type: 'hold.updated', hold });
    return hold;
  }

  /** The project's hold lifted (by `greenci release`'s build, or alone); undefined when none was on. */
  holdLifted(project: string, by: string, buildId?: number): ProductionHold | undefined {
    const hold = this.store.holds.lift(project, by, buildId);
    if (hold) this.bus.emit({ type: 'hold.updated', hold });
    return hold;
  }

  /** What a build tested, kept for `greenci release` (nobody needs to hear of it). */
  tested(buildId: number, tested: TestedBuild): void {
    this.store.builds.setTested(buildId, tested);
  }

  /** A build whose process died ends as recovery decided (running stages failed, pending skipped). */
  buildInterrupted(
    id: number,
    status: 'failed' | 'success',
    reason: string,
    fields: Parameters<Store['builds']['update']>[1] = {},
  ): BuildRecord {
    this.store.builds.endInterrupted(id, status, this.mask(reason));
    return this.build(id, fields);
  }

  private emitAudit(id: number): void {
    const entry = this.store.audit.get(id);
    if (entry) this.bus.emit({ type: 'audit', entry });
  }

  build(id: number, fields: Parameters<Store['builds']['update']>[1] = {}): BuildRecord {
    this.store.builds.update(id, fields.reason === undefined ? fields : { ...fields, reason: this.mask(fields.reason) });
    const build = this.store.builds.get(id)!;
    this.bus.emit({ type: 'build.updated', build });
    return build;
  }

  stage(buildId: number, name: string, fields: { status: StageStatus; startedAt?: number; finishedAt?: number; error?: string }): void {
    this.store.builds.updateStage(buildId, name, fields.error === undefined ? fields : { ...fields, error: this.mask(fields.error) });
    const stage = this.store.builds.get(buildId)!.stages.find((s) => s.name === name)!;
    this.bus.emit({ type: 'stage.updated', buildId, stage });
  }

  log(buildId: number, stage: string | undefined, stream: LogLine['stream'], line: string): void {
    const ts = Date.now();
    const masked = this.mask(line);
    const id = this.store.builds.appendLog(buildId, stage, stream, masked, ts);
    this.bus.emit({ type: 'log', line: { id, buildId, stage, ts, stream, line: masked } });
  }

  deploymentStarted(d: {
    project: string;
    env: DeploymentEnv;
    /** A preview's branch. */
    target?: string;
    kind: DeploymentKind;
    buildId?: number;
    releaseId?: number;
    version?: string;
    requestedBy?: string;
  }): number {
    const id = this.store.releases.startDeployment(d);
    this.emitDeployment(d.project, id);
    return id;
  }

  deploymentFinished(project: string, id: number, status: 'success' | 'failed', fields: DeploymentOutcome = {}): void {
    this.store.releases.finishDeployment(
      id,
      status,
      fields.reason === undefined ? fields : { ...fields, reason: this.mask(fields.reason) },
    );
    this.emitDeployment(project, id);
  }

  /**
   * A promotion verified healthy: the release and the deployment's success are stored together. A
   * release deployed again (its commit released before) is that same release, announced as deployed only.
   */
  /** `endpoints`: where production's apps answer now (the front proxy's addresses), recorded with the deployment. */
  releaseDeployed(
    project: string,
    deploymentId: number,
    release: Parameters<Store['releases']['recordRelease']>[1],
    endpoints?: Record<string, string>,
  ): ReleaseRecord {
    const recorded = this.store.releases.recordRelease(deploymentId, release, Date.now(), endpoints);
    if (recorded.created) this.bus.emit({ type: 'release.created', release: recorded.release });
    this.emitDeployment(project, deploymentId);
    return recorded.release;
  }

  /** A stage the build's greenci.yml called for (a preview), added after the ones planned at the start. */
  stagePlanned(buildId: number, name: string, title: string): void {
    this.store.builds.addStage(buildId, name, title);
    this.build(buildId);
  }

  /** A preview environment starts deploying a build. */
  previewDeploying(p: Parameters<Store['previews']['deploying']>[0]): PreviewRecord {
    const preview = this.store.previews.deploying(p);
    this.bus.emit({ type: 'preview.updated', project: p.project, branch: p.branch, preview });
    return preview;
  }

  /** How a preview's deployment ended: live at these addresses, or failed and why. */
  previewSettled(project: string, branch: string, outcome: { endpoints: Record<string, string> } | { failed: string }): void {
    const preview = this.store.previews.settle(project, branch, 'failed' in outcome ? { failed: this.mask(outcome.failed) } : outcome);
    this.bus.emit({ type: 'preview.updated', project, branch, preview });
  }

  /** A preview is gone (torn down or evicted; its deployments record how). */
  previewRemoved(project: string, branch: string): void {
    if (this.store.previews.remove(project, branch)) this.bus.emit({ type: 'preview.updated', project, branch });
  }

  private emitDeployment(project: string, id: number): void {
    const deployment = this.store.releases.deployments(project).find((d) => d.id === id)!;
    this.bus.emit({ type: 'deployment.updated', deployment });
  }
}

/** Every string in a JSON-like value masked (an audit entry's detail). */
function maskDeep(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)]));
  return value;
}
