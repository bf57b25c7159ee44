import type { BuildRecord, DeploymentRecord, LogLine, ReleaseRecord, StageRecord } from './model.js';

/** Everything the engine announces. The snapshot reducer, the CLI and (later) the console consume these. */
export type EngineEvent =
  | { type: 'build.updated'; build: BuildRecord }
  | { type: 'stage.updated'; buildId: number; stage: StageRecord }
  | { type: 'log'; line: LogLine }
  | { type: 'deployment.updated'; deployment: DeploymentRecord }
  | { type: 'release.created'; release: ReleaseRecord };

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
