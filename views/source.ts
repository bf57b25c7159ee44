import type { EngineClient } from '../engine/client.js';
import type { LogLine } from '../engine/model.js';

export type { Connection } from '../engine/client.js';

/** A line for the Detail pane: a build's log line, or a container's output. */
export interface DetailLine {
  key: string;
  text: string;
  stream: LogLine['stream'];
}

/**
 * What the console reads and asks, with no I/O of its own: the same client the command line
 * uses (src/client/: over the daemon's control socket, or over an engine in this process; the
 * tests provide one built on the real reducer and event bus), and the operator it acts for,
 * named as `requestedBy` in every change for the audit trail.
 */
export interface ConsoleSource extends EngineClient {
  readonly user: string;
}
