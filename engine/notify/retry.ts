/** After the n-th failed attempt, wait this long: quick at first, then at most five minutes. */
const DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000];

export function retryDelay(attempts: number): number {
  return DELAYS_MS[Math.min(Math.max(0, attempts - 1), DELAYS_MS.length - 1)];
}

/**
 * Whether a send failure is worth trying again: the server unreachable, a timeout, a 4xx
 * (temporary) answer. A 5xx answer (mailbox unknown, message refused) will not change.
 */
export function isTemporary(err: { responseCode?: number; code?: string }): boolean {
  if (typeof err.responseCode === 'number') return err.responseCode < 500;
  return true;
}
