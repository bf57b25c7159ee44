import type {
  AuditEntry,
  BuildRecord,
  CanaryState,
  DeliveryRecord,
  ContainerRow,
  DeploymentRecord,
  DockerState,
  GithubReporting,
  HealthRecord,
  HealthTransitionRecord,
  LogLine,
  ProductionHold,
  PreviewRecord,
  PullRequestRecord,
  ReleaseRecord,
  StageRecord,
} from './model.js';

/** Everything the engine announces. The snapshot reducer, the CLI and (later) the console consume these. */
export type EngineEvent =
  | { type: 'build.updated'; build: BuildRecord }
  | { type: 'stage.updated'; buildId: number; stage: StageRecord }
  | { type: 'log'; line: LogLine }
  | { type: 'deployment.updated'; deployment: DeploymentRecord }
  | { type: 'release.created'; release: ReleaseRecord }
  /** A release changed after it was made (its git tag reached origin). */
  | { type: 'release.updated'; release: ReleaseRecord }
  /** A hold on production was put on (a manual rollback) or lifted (`greenci release`). */
  | { type: 'hold.updated'; hold: ProductionHold }
  /** A canary's progress each second, and its end (with `outcome`). Not stored: the deployment and the audit are. */
  | { type: 'canary.updated'; canary: CanaryState }
  /** A line of the audit trail was written or its outcome set. */
  | { type: 'audit'; entry: AuditEntry }
  /** A webhook delivery answered (accepted or rejected: `status` is the HTTP answer). */
  | { type: 'delivery'; status: number; delivery: Partial<DeliveryRecord> & { id?: string }; message: string }
  | { type: 'smee.state'; project: string; state: SmeeState }
  /** Every greenci-managed container, replaced as a whole (at most about once a second). */
  | { type: 'containers'; containers: ContainerRow[]; docker: DockerState }
  /** The monitor's record of one checked thing changed (state, detail, flapping); `transition` when the state moved. */
  | { type: 'health.updated'; health: HealthRecord; transition?: HealthTransitionRecord }
  /** The monitor stopped checking something (its environment was torn down, a stuck build ended). */
  | { type: 'health.removed'; key: string }
  /** What one monitoring round has to tell ops, together (one email, never a storm). */
  | { type: 'health.alerts'; alerts: HealthTransitionRecord[] }
  /** Reporting to GitHub moved on (a call sent, failed or stored). */
  | { type: 'github.reporting'; reporting: GithubReporting }
  /** A pull request opened, got a new head, was refused a build, or closed. */
  | { type: 'pull_request.updated'; pullRequest: PullRequestRecord }
  /** A preview environment changed: deploying, live, failed, or removed (`preview` absent). */
  | { type: 'preview.updated'; project: string; branch: string; preview?: PreviewRecord };

/** A smee.io channel's connection, as the snapshot shows it. */
export interface SmeeState {
  state: 'connecting' | 'connected' | 'disconnected';
  since: number;
  channel: string;
  detail?: string;
}

export type Listener = (event: EngineEvent) => void;

/** A synchronous fan-out. A listener that throws is logged and does not stop the others. */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(event: EngineEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch (err) {
        process.emitWarning(`greenci event listener failed: ${String(err)}`);
      }
    }
  }
}
