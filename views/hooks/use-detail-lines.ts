import { useEffect, useMemo, useState } from 'react';
import { printable } from '../format/printable.js';
import type { ConsoleSource, DetailLine } from '../source.js';
import type { Detail } from '../ui/state.js';

const KEEP = 2000;

/**
 * The Detail pane's lines: the build's log, or the container's output, following live. A new
 * subject stops the old stream before the next starts; a reconnect (`epoch`) starts it again.
 */
export function useDetailLines(
  source: ConsoleSource,
  detail: Detail | undefined,
  epoch: number,
  frameMs = 100,
): { lines: DetailLine[]; error?: string; ended: boolean } {
  const [state, setState] = useState<{ lines: DetailLine[]; error?: string; ended: boolean }>({ lines: [], ended: false });
  // one stream: a new one for a new subject, the same one opened again (Enter), or a reconnect
  const buildId = detail?.kind === 'build' ? detail.id : undefined;
  const containerId = detail?.kind === 'container' ? detail.id : undefined;
  const opened = detail?.opened ?? 0;
  const subject = useMemo(() => ({ buildId, containerId, opened, epoch }), [buildId, containerId, opened, epoch]);
  useEffect(() => {
    setState({ lines: [], ended: false });
    const { buildId: build, containerId: container } = subject;
    if (build === undefined && container === undefined) return;
    const abort = new AbortController();
    let buffer: DetailLine[] = [];
    let seq = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const add = buffer;
      buffer = [];
      setState((s) => ({ ...s, lines: s.lines.concat(add).slice(-KEEP) }));
    };
    const push = (l: DetailLine) => {
      buffer.push(l);
      timer ??= setTimeout(flush, frameMs);
    };
    const follow =
      build !== undefined
        ? source.logs(build, {
            follow: true,
            signal: abort.signal,
            onLine: (l) => push({ key: `l${l.id}`, text: printable(l.line), stream: l.stream }),
          })
        : source.containerLogs(container!, {
            tail: 200,
            follow: true,
            signal: abort.signal,
            onLine: (line, stream) => push({ key: `c${seq++}`, text: printable(line), stream }),
          });
    follow.then(
      () => !abort.signal.aborted && (flush(), setState((s) => ({ ...s, ended: true }))),
      (err: Error) => !abort.signal.aborted && (flush(), setState((s) => ({ ...s, ended: true, error: err.message }))),
    );
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [source, subject, frameMs]);
  return state;
}
