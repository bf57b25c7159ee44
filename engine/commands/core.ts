import type { GreenciConfig, ProjectConfig } from '../../config/schema.js';
import type { DockerPort } from '../docker/port.js';
import type { EventBus } from '../events.js';
import type { EngineDeps } from '../pipeline/context.js';
import type { TagPusher } from '../pipeline/tag-push.js';
import type { BuildQueue } from '../queue/build-queue.js';
import type { Recorder } from '../recorder.js';
import type { Snapshot } from '../state.js';
import type { Store } from '../store/index.js';

/** What createEngine wires once and every command module is handed: the parts, never re-made. */
export interface EngineCore {
  /** The config in force (SIGHUP swaps it). */
  config(): GreenciConfig;
  /** The project's config, or NotFoundError naming the known ones. */
  project(name: string): ProjectConfig;
  snapshot(): Snapshot;
  store: Store;
  docker: DockerPort;
  bus: EventBus;
  recorder: Recorder;
  deps: EngineDeps;
  queue: BuildQueue;
  tags: TagPusher;
  /** This engine stands in for a daemon that is not running (a console or command): it promotes only what an operator asked for. */
  standIn: boolean;
}
