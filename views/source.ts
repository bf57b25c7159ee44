import type { DaemonInfo } from '../engine/api.js';
import type { EngineEvent } from '../engine/events.js';
import type { BuildRecord, LogLine, ReleaseRecord } from '../engine/model.js';
import type { Snapshot } from '../engine/state.js';

/** How the console is connected: attached to the daemon, or running the engine itself. */
export interface Connection {
  mode: 'daemon' | 'in-process';
  state: 'connecting' | 'connected' | 'disconnected';
  /** Why it is disconnected, and when the next attempt is. */
  detail?: string;
  retryAt?: number;
  daemon?: DaemonInfo;
}

/** A line for the Detail pane: a build's log line, or a container's output. */
export interface DetailLine {
  key: string;
  text: string;
  stream: LogLine['stream'];
}

/**
 * What the console reads and asks, with no I/O of its own: src/console/ provides one over the
 * daemon's control socket and one over an in-process engine; the tests provide one built on the
 * real reducer and event bus. Every action names the operator (`user`) for the audit trail.
 */
export interface ConsoleSource {
  readonly user: string;
  /**
   * Delivers the connection state, then a snapshot, then each event as it happens. After a
   * reconnect a fresh snapshot comes first. Returns a stop function.
   */
  connect(handlers: { onConnection(c: Connection): void; onSnapshot(s: Snapshot): void; onEvent(e: EngineEvent): void }): () => void;
  releases(project: string): Promise<{ releases: ReleaseRecord[]; live?: ReleaseRecord }>;
  branches(project: string): Promise<string[]>;
  /** A build's log from the start, following it until it ends or `signal` fires. */
  buildLogs(id: number, o: { signal: AbortSignal; onLine(l: LogLine): void }): Promise<void>;
  /** A container's last lines, then new ones until `signal` fires or it stops. */
  containerLogs(id: string, o: { signal: AbortSignal; onLine(line: string, stream: 'stdout' | 'stderr'): void }): Promise<void>;
  trigger(req: { project: string; branch: string }): Promise<BuildRecord>;
  cancel(id: number): Promise<BuildRecord>;
  retry(id: number): Promise<BuildRecord>;
  /** Production to `to`; progress lines as it happens; resolves with what changed. */
  rollback(req: { project: string; to: string; log(line: string): void }): Promise<{ from?: ReleaseRecord; to: ReleaseRecord }>;
  /** Resolves when the production changes this source started have finished (in-process: before the engine closes). */
  settle?(): Promise<void>;
}
