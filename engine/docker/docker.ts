import Docker from 'dockerode';
import { DockerContainers } from './containers.js';
import { DockerStats } from './container-stats.js';
import { dockerError } from './docker-error.js';
import { DockerEvents } from './events.js';
import { DockerImages } from './images.js';
import { DockerLogs } from './logs.js';
import { DockerNetworks } from './networks.js';
import type { DockerPort } from './port.js';
import { DockerRuns } from './runs.js';
import { DockerSystem } from './system.js';
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
import { DockerVolumes } from './volumes.js';

/**
 * The Docker engine behind the port (engine/docker/port.ts), through dockerode: one module per
 * resource, composed here. Only createEngine and tests that want a real engine construct it;
 * everything else is handed a DockerPort.
 */
export class DockerClient implements DockerPort {
  /** dockerode itself, for tests that poke the engine directly (kill a container, inspect a network). */
  readonly api: Docker;
  private readonly images: DockerImages;
  private readonly containers: DockerContainers;
  private readonly runs: DockerRuns;
  private readonly networks: DockerNetworks;
  private readonly volumes: DockerVolumes;
  private readonly logs: DockerLogs;
  private readonly stats: DockerStats;
  private readonly eventStream: DockerEvents;
  private readonly system: DockerSystem;

  constructor(readonly socketPath = '/var/run/docker.sock') {
    this.api = new Docker({ socketPath });
    this.images = new DockerImages(this.api);
    this.containers = new DockerContainers(this.api);
    this.runs = new DockerRuns(this.api, this.containers);
    this.networks = new DockerNetworks(this.api);
    this.volumes = new DockerVolumes(this.api);
    this.logs = new DockerLogs(this.api);
    this.stats = new DockerStats(this.api);
    this.eventStream = new DockerEvents(this.api);
    this.system = new DockerSystem(this.api);
  }

  async ping(): Promise<void> {
    try {
      await this.api.ping();
    } catch (err) {
      throw dockerError('ping', err);
    }
  }

  // images
  buildImage(req: BuildRequest): Promise<string> {
    return this.images.buildImage(req);
  }
  imageId(ref: string): Promise<string | undefined> {
    return this.images.imageId(ref);
  }
  imageInfo(ref: string): Promise<ImageInfo | undefined> {
    return this.images.imageInfo(ref);
  }
  imageContentKey(ref: string): Promise<string | undefined> {
    return this.images.imageContentKey(ref);
  }
  imageTags(ref: string): Promise<string[]> {
    return this.images.imageTags(ref);
  }
  tagImage(imageId: string, ref: string): Promise<void> {
    return this.images.tagImage(imageId, ref);
  }
  listImages(): Promise<ImageSummary[]> {
    return this.images.listImages();
  }
  removeImage(ref: string, o?: { force?: boolean }): Promise<'removed' | 'gone'> {
    return this.images.removeImage(ref, o);
  }

  // containers
  listContainers(labels: string[], o?: { size?: boolean }): Promise<ContainerSummary[]> {
    return this.containers.listContainers(labels, o);
  }
  inspectContainer(id: string): Promise<ContainerDetails | undefined> {
    return this.containers.inspectContainer(id);
  }
  createContainer(spec: ContainerSpec): Promise<string> {
    return this.containers.createContainer(spec);
  }
  startContainer(id: string): Promise<void> {
    return this.containers.startContainer(id);
  }
  stopContainer(id: string, graceSeconds?: number): Promise<void> {
    return this.containers.stopContainer(id, graceSeconds);
  }
  restartContainer(id: string, graceSeconds?: number): Promise<void> {
    return this.containers.restartContainer(id, graceSeconds);
  }
  signalContainer(id: string, signal: string): Promise<void> {
    return this.containers.signalContainer(id, signal);
  }
  renameContainer(id: string, name: string): Promise<void> {
    return this.containers.renameContainer(id, name);
  }
  removeContainer(id: string): Promise<void> {
    return this.containers.removeContainer(id);
  }

  // commands run to their end
  execExitCode(id: string, cmd: string[], timeoutMs: number): Promise<number | undefined> {
    return this.runs.execExitCode(id, cmd, timeoutMs);
  }
  runToCompletion(spec: ContainerSpec, opts: RunOptions): Promise<RunResult> {
    return this.runs.runToCompletion(spec, opts);
  }

  // networks and volumes
  ensureNetwork(name: string, labels: Record<string, string>): Promise<void> {
    return this.networks.ensureNetwork(name, labels);
  }
  removeNetwork(name: string): Promise<void> {
    return this.networks.removeNetwork(name);
  }
  connectNetwork(name: string, containerId: string, aliases?: string[]): Promise<void> {
    return this.networks.connectNetwork(name, containerId, aliases);
  }
  listNetworks(labels: string[]): Promise<{ Name: string; Labels: Record<string, string> }[]> {
    return this.networks.listNetworks(labels);
  }
  ensureVolume(name: string, labels: Record<string, string>): Promise<void> {
    return this.volumes.ensureVolume(name, labels);
  }
  removeVolume(name: string): Promise<void> {
    return this.volumes.removeVolume(name);
  }
  listVolumes(labels: string[]): Promise<string[]> {
    return this.volumes.listVolumes(labels);
  }
  volumeExists(name: string): Promise<boolean> {
    return this.volumes.volumeExists(name);
  }

  // what containers print and use; what the engine reports
  containerLogs(id: string, tail?: number): Promise<string[]> {
    return this.logs.containerLogs(id, tail);
  }
  followContainerLogs(id: string, opts: FollowLogsOptions): Promise<void> {
    return this.logs.followContainerLogs(id, opts);
  }
  containerStats(id: string, signal?: AbortSignal): Promise<StatsSample | undefined> {
    return this.stats.containerStats(id, signal);
  }
  events(
    filters: Record<string, string[]>,
    signal: AbortSignal,
    onEvent: (e: DockerEvent) => void,
    onOpen?: () => void,
  ): Promise<'aborted' | 'ended'> {
    return this.eventStream.events(filters, signal, onEvent, onOpen);
  }

  // the engine itself
  dataRoot(): Promise<string> {
    return this.system.dataRoot();
  }
  diskUsage(): Promise<DiskUsage> {
    return this.system.diskUsage();
  }
}
