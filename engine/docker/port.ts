import type { StatsSample } from './stats.js';
import type {
  BuildRequest,
  ContainerDetails,
  ContainerSpec,
  ContainerSummary,
  DiskUsage,
  DockerEvent,
  FollowLogsOptions,
  ImageInfo,
  ImageSummary,
  RunOptions,
  RunResult,
} from './types.js';

/**
 * What greenci asks of the engine that runs its containers, one interface per resource. Callers
 * depend on these (or a `Pick` of them), never on the dockerode-backed DockerClient: fakes in
 * tests and, later, the Swarm target implement the same port. Failures are ExternalCommandError
 * (`docker <action>`) unless a method says otherwise; "not found" is an answer where it says so.
 */

export interface ImagesPort {
  /** Builds an image and returns its id. Fails with the Dockerfile's error (the engine answers 200 even then). */
  buildImage(req: BuildRequest): Promise<string>;
  /** The image id a reference points at, or undefined when there is no such local image. */
  imageId(ref: string): Promise<string | undefined>;
  /** What a build may need to know of a base image; undefined when it is not here. */
  imageInfo(ref: string): Promise<ImageInfo | undefined>;
  /**
   * A key of what the image holds and does (layers and run config, see image-content.ts), the
   * same for two builds of the same content whatever labels greenci stamped on them; undefined
   * when there is no such local image.
   */
  imageContentKey(ref: string): Promise<string | undefined>;
  /** The names (`repo:tag`) an image is known by; empty when it has none or is gone. */
  imageTags(ref: string): Promise<string[]>;
  /** Gives an image one more name (`repo:tag`). */
  tagImage(imageId: string, ref: string): Promise<void>;
  /** Every image on the engine, intermediate build steps too (`docker images -a`). */
  listImages(): Promise<ImageSummary[]>;
  /**
   * Removes an image by id, or one name of it by `repo:tag` (the image stays while another name
   * holds it). Never its untagged parents (`noprune`: they may be a build's cache in use right now).
   * `force` removes an id known by several names at once. 'gone' when there was nothing to remove; a
   * conflict (a container uses it, an image is built on it) throws with exitCode 409.
   */
  removeImage(ref: string, o?: { force?: boolean }): Promise<'removed' | 'gone'>;
}

export interface ContainersPort {
  /**
   * Containers (running or not) whose labels match every `key=value` (or bare `key`) given; every
   * container with none. `size`: with the bytes of each one's writable layer (slower).
   */
  listContainers(labels: string[], o?: { size?: boolean }): Promise<ContainerSummary[]>;
  /** Undefined when there is no such container. */
  inspectContainer(id: string): Promise<ContainerDetails | undefined>;
  /** Creates (does not start) a container; returns its id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stopped or missing already is not an error. */
  stopContainer(id: string, graceSeconds?: number): Promise<void>;
  restartContainer(id: string, graceSeconds?: number): Promise<void>;
  /** Sends a running container's main process a signal (`SIGUSR2`). */
  signalContainer(id: string, signal: string): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Removes a container, running or not (its volumes stay). Missing containers are not an error. */
  removeContainer(id: string): Promise<void>;
}

export interface RunsPort {
  /**
   * Runs a command inside a running container (exec form, no shell) and returns its exit code,
   * or undefined when it could not be run or ran past the timeout. Never throws.
   */
  execExitCode(id: string, cmd: string[], timeoutMs: number): Promise<number | undefined>;
  /**
   * Creates and starts a one-off container, streams its output line by line, waits for it to
   * exit and removes it. Returns the exit code, or `timedOut` when it ran past timeoutMs (then
   * it is killed). On abort the container is removed and AbortError thrown.
   */
  runToCompletion(spec: ContainerSpec, opts: RunOptions): Promise<RunResult>;
}

export interface NetworksPort {
  /** Creates the network (a bridge) unless one of that name exists. */
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void>;
  /** A missing network is not an error. */
  removeNetwork(name: string): Promise<void>;
  /** Attaches a container (not yet started, or running) to a network, answering to `aliases` there. Already attached is not an error. */
  connectNetwork(name: string, containerId: string, aliases?: string[]): Promise<void>;
  /** Networks whose labels match every `key=value` given. */
  listNetworks(labels: string[]): Promise<{ Name: string; Labels: Record<string, string> }[]>;
}

export interface VolumesPort {
  /** Creates the volume; an existing one of that name is kept as it is. */
  ensureVolume(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes a volume and its data. A missing volume is not an error. */
  removeVolume(name: string): Promise<void>;
  volumeExists(name: string): Promise<boolean>;
  /** The names of the volumes carrying every one of these labels (`key=value`). */
  listVolumes(labels: string[]): Promise<string[]>;
}

export interface LogsPort {
  /** The last `tail` lines a container printed, stdout and stderr together; empty when it is gone. */
  containerLogs(id: string, tail?: number): Promise<string[]>;
  /**
   * A container's log lines, stdout and stderr apart: the last `tail`, then (with follow) new ones
   * until the container stops (the engine ends the stream) or `signal` fires. Resolves then.
   */
  followContainerLogs(id: string, opts: FollowLogsOptions): Promise<void>;
}

export interface StatsPort {
  /**
   * One resource sample of a container, without waiting for a second one (CPU percent needs two
   * samples, which the caller keeps). Undefined when the container is gone or not running.
   */
  containerStats(id: string, signal?: AbortSignal): Promise<StatsSample | undefined>;
}

export interface EventsPort {
  /**
   * The engine's event stream, filtered (e.g. `{type: ['container'], label: ['greenci.project']}`),
   * one parsed message per `onEvent`. `onOpen` runs once the engine has accepted the
   * subscription. Resolves `aborted` when `signal` fires, `ended` when the engine closed the
   * stream (the caller reconnects); rejects when it cannot be opened or breaks.
   */
  events(
    filters: Record<string, string[]>,
    signal: AbortSignal,
    onEvent: (e: DockerEvent) => void,
    onOpen?: () => void,
  ): Promise<'aborted' | 'ended'>;
}

export interface SystemPort {
  /** Where the engine keeps images and containers (`/var/lib/docker`). */
  dataRoot(): Promise<string>;
  /** `docker system df`: volumes with their sizes, BuildKit's cache. */
  diskUsage(): Promise<DiskUsage>;
}

/** Everything greenci asks of the container engine. */
export interface DockerPort
  extends ImagesPort,
    ContainersPort,
    RunsPort,
    NetworksPort,
    VolumesPort,
    LogsPort,
    StatsPort,
    EventsPort,
    SystemPort {
  /** Resolves when the engine answers; rejects (with a hint) when it does not. */
  ping(): Promise<void>;
}

export type {
  BuildRequest,
  ContainerDetails,
  ContainerSpec,
  ContainerSummary,
  DiskUsage,
  DockerEvent,
  FollowLogsOptions,
  ImageInfo,
  ImageSummary,
  LineSink,
  PortBinding,
  RunOptions,
  RunResult,
} from './types.js';
export type { StatsSample } from './stats.js';
