/** After the n-th failed attempt, wait this long: quick at first, then at most ten minutes. */
const DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

/** What GitHub (or the network) answered a call that did not succeed. */
export interface GithubFailure {
  /** The HTTP status; absent when no answer came (refused, reset, timed out). */
  status?: number;
  /** The answer's headers, lower-case names. */
  headers?: Record<string, string | number | undefined>;
  message: string;
}

/**
 * What to do about a failed call: `final` (GitHub will answer the same again: bad credentials, no
 * such repository or commit, a refused body), or try again `at` a time, `paused` when GitHub asked
 * greenci to slow down (its rate limit, or `Retry-After`): then nothing else is sent before that either.
 */
export type GithubVerdict = { final: true } | { final: false; at: number; paused: boolean };

/** Statuses that will not change by asking again. */
const FINAL = new Set([400, 401, 404, 410, 422]);

export function afterFailure(f: GithubFailure, attempts: number, now: number): GithubVerdict {
  const header = (name: string) => {
    const v = f.headers?.[name];
    return v === undefined || v === '' ? undefined : Number(v);
  };
  if (f.status === 403 || f.status === 429) {
    const retryAfter = header('retry-after');
    if (retryAfter !== undefined && Number.isFinite(retryAfter))
      return { final: false, at: now + Math.max(1, retryAfter) * 1000, paused: true };
    const reset = header('x-ratelimit-reset');
    if (header('x-ratelimit-remaining') === 0 && reset !== undefined && Number.isFinite(reset))
      // GitHub's clock and ours differ by a little: a second past the reset
      return { final: false, at: Math.max(now + 1000, reset * 1000 + 1000), paused: true };
    // a secondary rate limit without headers says so in words; otherwise a 403 is a permission refused
    if (f.status === 429 || /rate limit/i.test(f.message)) return { final: false, at: now + 60_000, paused: true };
    return { final: true };
  }
  if (f.status !== undefined && (FINAL.has(f.status) || (f.status >= 400 && f.status < 500 && f.status !== 408))) return { final: true };
  return { final: false, at: now + DELAYS_MS[Math.min(Math.max(0, attempts - 1), DELAYS_MS.length - 1)], paused: false };
}
