import type { Writable } from 'node:stream';

/**
 * Calls `gone` once if `sink` closes (it was destroyed: what it wrote to failed, a full disk say)
 * while the caller still writes to it. Returns a function to stop watching, for when the caller
 * is done; feeds never end their sink themselves, so a close while watched is always a failure.
 */
export function whenSinkGone(sink: Writable, gone: (why: Error) => void): () => void {
  const onGone = () => {
    const cause = (sink as Writable & { errored?: Error | null }).errored;
    gone(new Error(`the data could not be written${cause ? `: ${cause.message}` : ''}`));
  };
  if (sink.destroyed) {
    onGone();
    return () => undefined;
  }
  sink.once('close', onGone);
  return () => sink.off('close', onGone);
}
