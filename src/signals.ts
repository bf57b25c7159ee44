const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Takes over Ctrl-C, SIGTERM and SIGHUP (a dropped SSH session) while a command works, so none
 * of them can kill greenci in the middle of a production change. `onFirst` runs on the first;
 * later ones only print `again`. Returns the function that gives the signals back.
 */
export function holdSignals(onFirst: (signal: string) => void, again: string, err: (line: string) => void): () => void {
  let seen = 0;
  const handler = (signal: string) => (seen++ === 0 ? onFirst(signal) : err(again));
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
