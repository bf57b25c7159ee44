import type { GithubReporting } from '../model.js';
import type { GithubCallStore } from '../store/github-calls.js';

/** The figures of reporting to GitHub, from the outbox (so every process shows the same, whoever sends). */
export function githubReporting(calls: GithubCallStore): GithubReporting {
  const r = calls.reporting();
  return {
    pending: r.pending,
    ...(r.lastSentAt !== undefined ? { lastSentAt: r.lastSentAt } : {}),
    ...(r.lastError?.lastErrorAt !== undefined
      ? {
          lastError: {
            at: r.lastError.lastErrorAt,
            call: r.lastError.summary,
            error: r.lastError.lastError ?? '',
            final: r.lastError.status === 'failed',
          },
        }
      : {}),
    ...(r.failingSince !== undefined ? { failingSince: r.failingSince } : {}),
  };
}
