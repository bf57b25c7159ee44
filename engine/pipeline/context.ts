import type { GreenciConfig, ProjectConfig } from '../../config/schema.js';
import type { ProjectSpec } from '../../config/project-spec.js';
import type { DockerPort } from '../docker/port.js';
import type { CommitInfo, RepoCache } from '../git/repo.js';
import type { HostLocks } from '../host-locks.js';
import type { SecretResolver } from '../host-secrets.js';
import type { ImageRef, LogLine, ReleaseRecord } from '../model.js';
import type { Recorder } from '../recorder.js';
import type { CanaryControl } from '../release/canary-control.js';
import type { PlannedStage, StageName } from './plan.js';

/** What every stage may use: the real adapters, built once by createEngine. */
export interface EngineDeps {
  config: GreenciConfig;
  docker: DockerPort;
  recorder: Recorder;
  repo(project: string): RepoCache;
  /** `repo:`, `test:` and `production:<project>`: one holder at a time across the host. */
  locks: HostLocks;
  /** Operators' promote/abort of the canaries this process runs. */
  canaries: CanaryControl;
  /** The host's secrets for each deploy (values in memory only). */
  secrets: SecretResolver;
}

/** One build's working state, filled in stage by stage. */
export interface BuildContext {
  deps: EngineDeps;
  buildId: number;
  project: string;
  projectConfig: ProjectConfig;
  branch: string;
  requestedSha?: string;
  requestedBy: string;
  /** What started the build (`push`, `manual`, `recovery`, `release`...): promote reads it to decide whose behalf it acts on. */
  trigger: string;
  /** The engine runs in a console or command because no daemon does: it promotes only what an operator asked for. */
  standIn: boolean;
  /** Writes a line to the build's log under the running stage. */
  log(line: string, stream?: LogLine['stream']): void;
  /** Adds a stage after the planned ones (the preview a build's greenci.yml asks for); the runner sets it. */
  planStage?(stage: PlannedStage): void;
  /** Cleanups run when the build ends, whatever the outcome (last registered runs first). */
  cleanups: (() => Promise<void>)[];

  workdir?: string;
  commit?: CommitInfo;
  spec?: ProjectSpec;
  /** Test-stage images: image id per app/service name and per `test:<step>`. */
  images: Record<string, string>;
  version?: string;
  releaseImages?: Record<string, ImageRef>;
  /** The release production ran when promotion began: what an automatic rollback returns to. */
  previousLive?: ReleaseRecord;
  release?: ReleaseRecord;
  /** Set when production already runs this very commit: the production stages have nothing to do. */
  alreadyLive?: ReleaseRecord;
  /** Set when production runs a newer commit than this one: it is not released. */
  superseded?: ReleaseRecord;
  /** Set when production must not change for this build (a hold, nobody's behalf): why, in a sentence. */
  notReleased?: string;
  /** Set when this commit was released before: that release is deployed again, its version unchanged. */
  redeploy?: ReleaseRecord;
}

/** A stage is data: the runner carries it out, records it and emits its events. Stages never print. */
export interface Stage {
  name: StageName;
  /** Production stages finish what they started even when the build is cancelled. */
  uninterruptible?: boolean;
  run(ctx: BuildContext, signal: AbortSignal): Promise<void>;
}
