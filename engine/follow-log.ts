import { watch } from 'node:fs';
import { NotFoundError } from './errors.js';
import type { Listener } from './events.js';
import { isFinished, type BuildRecord, type LogLine } from './model.js';

/** What reading a build's log needs of the engine (`Engine` is one). */
export interface BuildLogSource {
  subscribe(fn: Listener): () => void;
  logs(buildId: number, afterId?: number): LogLine[];
  build(id: number): BuildRecord | undefined;
  /**
   * With it, anything another process writes into `dataDir` (the store's SQLite file) wakes a
   * follower too: a build run by another process (`greenci run`, a console with no daemon)
   * announces nothing on this process's bus.
   */
  readonly config?: { readonly dataDir: string };
}

export interface BuildLogOptions {
  /** Only lines after this log line id (default 0: from the start). */
  after?: number;
  signal?: AbortSignal;
  onLine(line: LogLine): void;
}

/** A build's log as it stands, line by line; resolves with the build as it was before its last lines were read. */
export function readBuildLog(engine: BuildLogSource, id: number, o: BuildLogOptions): BuildRecord {
  const build = engine.build(id);
  if (!build) throw new NotFoundError(`no build #${id}`);
  readAfter(engine, id, o.after ?? 0, o.onLine);
  return build;
}

/**
 * A build's log from `after` to its end: each stored line once, in order, then resolves with the
 * finished build. `signal` stops following early (it resolves with the build as it stands then).
 *
 * Race-free without polling: it listens before its first read, every wake-up reads the store
 * after the last line it handed over (so a line is never lost or given twice, whether its event
 * came before or after a read), and the build's status is read before the lines, so a finished
 * status means every line it wrote is in that read.
 */
export function followBuildLog(engine: BuildLogSource, id: number, o: BuildLogOptions): Promise<BuildRecord> {
  return new Promise((resolve, reject) => {
    let last = o.after ?? 0;
    let statusDue = true;
    let scheduled = false;
    let ended = false;
    const stops: (() => void)[] = [];
    const stop = (settle: () => void) => {
      if (ended) return;
      ended = true;
      for (const s of stops.splice(0)) s();
      settle();
    };
    const look = () => {
      scheduled = false;
      if (ended) return;
      try {
        // cleared before the read: a change announced while this look runs asks for another look
        const readStatus = statusDue;
        statusDue = false;
        const build = readStatus ? engine.build(id) : undefined;
        if (readStatus && !build) throw new NotFoundError(`no build #${id}`);
        last = readAfter(engine, id, last, o.onLine);
        if (build && isFinished(build.status)) stop(() => resolve(build));
      } catch (err) {
        stop(() => reject(err));
      }
    };
    // a burst of events (a chunk of build output is many lines) is one read of the store
    const wake = (status: boolean) => {
      statusDue ||= status;
      if (!scheduled) (scheduled = true), setImmediate(look);
    };
    stops.push(
      engine.subscribe((e) => {
        if (e.type === 'log' && e.line.buildId === id) wake(false);
        else if (e.type === 'build.updated' && e.build.id === id) wake(true);
      }),
    );
    if (engine.config && engine.config.dataDir !== ':memory:') stops.push(watchDir(engine.config.dataDir, () => wake(true)));
    if (o.signal) {
      const signal = o.signal;
      const onAbort = () => stop(() => (engine.build(id) ? resolve(engine.build(id)!) : reject(new NotFoundError(`no build #${id}`))));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      stops.push(() => signal.removeEventListener('abort', onAbort));
    }
    look();
  });
}

/** Hands over every stored line after `after`; returns the id of the last one. */
function readAfter(engine: BuildLogSource, id: number, after: number, onLine: (l: LogLine) => void): number {
  for (;;) {
    const batch = engine.logs(id, after);
    if (!batch.length) return after;
    for (const l of batch) onLine(l), (after = l.id);
  }
}

/**
 * Calls `onChange` whenever a file in `dir` changes (inotify on Linux: an event, not a poll).
 * Where the directory cannot be watched, a once-a-second look stands in.
 */
function watchDir(dir: string, onChange: () => void): () => void {
  try {
    // persistent: a `greenci logs -f` with no daemon has nothing else keeping it alive while it waits
    const w = watch(dir, () => onChange());
    w.on('error', () => w.close()); // the directory went away: nothing more will be written there
    return () => w.close();
  } catch {
    const timer = setInterval(onChange, 1000);
    return () => clearInterval(timer);
  }
}
