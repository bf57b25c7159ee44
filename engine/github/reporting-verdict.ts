import { formatDuration } from '../duration.js';
import type { GithubReporting } from '../model.js';

/** Reporting failing this long is an alert to ops (a status stuck pending blocks merges). */
export const GITHUB_FAILING_ALERT_MS = 10 * 60_000;

/**
 * The monitor's verdict on reporting to GitHub: healthy until calls have failed (with none taken
 * since) for GITHUB_FAILING_ALERT_MS; the detail says what is waiting and GitHub's last refusal.
 */
export function githubVerdict(r: GithubReporting, now: number, alertAfterMs = GITHUB_FAILING_ALERT_MS): { ok: boolean; detail?: string } {
  const error = r.lastError && `${r.lastError.final ? 'refused' : 'failing'}: ${r.lastError.call}: ${r.lastError.error}`;
  if (r.failingSince !== undefined && now - r.failingSince >= alertAfterMs)
    return {
      ok: false,
      detail: `reporting to GitHub has failed for ${formatDuration(now - r.failingSince)} (${r.pending} call${r.pending === 1 ? '' : 's'} waiting); ${error ?? ''}`,
    };
  if (r.failingSince !== undefined) return { ok: true, detail: `${r.pending} waiting; ${error ?? ''}` };
  return { ok: true };
}
