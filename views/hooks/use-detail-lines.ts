import { useEffect, useState } from 'react';
import { printable } from '../format/printable.js';
import type { ConsoleSource, DetailLine } from '../source.js';
import type { Detail } from '../ui/state.js';

const KEEP = 2000;

/**
 * The Detail pane's lines: the build's log, or the container's output, following live. A new
 * subject stops the old stream before the next starts; a reconnect (`epoch`) starts it again.
 */
export function useDetailLines(source: ConsoleSource, detail: Detail | undefined, epoch: number, frameMs = 100): { lines: DetailLine[]; error?: string; ended: boolean } {
  const [state, setState] = useState<{ lines: DetailLine[]; error?: string; ended: boolean }>({ lines: [], ended: false });
  const subject = detail ? `${detail.kind === 'build' ? `b${detail.id}` : `c${detail.id}`}#${detail.opened ?? 0}` : '';
  useEffect(() => {
    setState({ lines: [], ended: false });
    if (!detail) return;
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
      detail.kind === 'build'
        ? source.logs(detail.id, { follow: true, signal: abort.signal, onLine: (l) => push({ key: `l${l.id}`, text: printable(l.line), stream: l.stream }) })
        : source.containerLogs(detail.id, { tail: 200, follow: true, signal: abort.signal, onLine: (line, stream) => push({ key: `c${seq++}`, text: printable(line), stream }) });
    follow.then(
      () => !abort.signal.aborted && (flush(), setState((s) => ({ ...s, ended: true }))),
      (err: Error) => !abort.signal.aborted && (flush(), setState((s) => ({ ...s, ended: true, error: err.message }))),
    );
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [source, subject, epoch]);
  return state;
}
