import type { BuildRecord } from '../model.js';

/** The states GitHub's commit statuses take. */
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

/** A commit status as GitHub's API takes it (`POST /repos/{owner}/{repo}/statuses/{sha}`). */
export interface CommitStatusBody {
  state: CommitState;
  context: string;
  description: string;
  target_url?: string;
}

/** GitHub refuses a longer description. */
export const MAX_DESCRIPTION = 140;

/** Cuts a text to GitHub's limit for descriptions, on whole characters, with an ellipsis; one line. */
export function fitDescription(text: string, max = MAX_DESCRIPTION): string {
  const one = text.replace(/\s+/g, ' ').trim();
  const chars = [...one];
  return chars.length <= max ? one : `${chars.slice(0, max - 1).join('')}…`;
}

/** `greenci/push`, `greenci/pr`: one stable context per kind, so branch protection can require it. */
export const statusContext = (base: string, kind: 'push' | 'pr') => `${base}/${kind}`;

/**
 * What a build says on its commit right now: `pending` while queued and at each stage, `success`
 * or `failure` at the end, `error` when it was cancelled, superseded or interrupted (never left
 * pending: that would block merges). Undefined while greenci knows no commit for it.
 */
export function commitStatusOf(
  b: BuildRecord,
  context: string,
  publicUrl?: string,
  /** Where the build's preview environment answers, once live: a passed build says so. */
  previewUrl?: string,
): { sha: string; body: CommitStatusBody } | undefined {
  const sha = b.sha ?? b.requestedSha;
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return undefined;
  const body = (state: CommitState, description: string): { sha: string; body: CommitStatusBody } => ({
    sha,
    body: {
      state,
      context,
      description: fitDescription(description),
      ...(publicUrl ? { target_url: `${publicUrl.replace(/\/+$/, '')}/builds/${b.id}` } : {}),
    },
  });
  const failedStage = b.stages.find((s) => s.status === 'failed');
  switch (b.status) {
    case 'queued':
      return body('pending', `build #${b.id} queued`);
    case 'running': {
      const stage = b.stages.find((s) => s.status === 'running');
      return body('pending', stage ? `build #${b.id}: running ${stage.name}` : `build #${b.id} started`);
    }
    case 'success':
      if (b.outcome === 'not-released') return body('success', `passed; not released: ${b.reason ?? 'production is held'}`);
      if (b.version) return body('success', `passed and released ${b.version}`);
      return body('success', previewUrl ? `build #${b.id} passed; preview at ${previewUrl}` : `build #${b.id} passed`);
    case 'failed': {
      // what happened to production first: the reason's first clause says why, the rest how it was put back
      const why = (failedStage?.error ?? b.reason ?? 'no reason recorded').split('; ')[0];
      if (b.outcome === 'rolled-back') return body('failure', `rolled back: ${why}`);
      if (b.outcome === 'production-stopped') return body('failure', `production stopped: ${why}`);
      if (failedStage) return body('failure', `failed at ${failedStage.name}: ${failedStage.error ?? b.reason ?? 'no reason recorded'}`);
      return body('failure', `failed: ${b.reason ?? 'no reason recorded'}`);
    }
    case 'cancelled':
      if (b.outcome === 'superseded' || b.supersededBy !== undefined)
        return body('error', b.supersededBy !== undefined ? `superseded by build #${b.supersededBy}` : 'superseded by a newer push');
      if (b.outcome === 'shutdown') return body('error', `interrupted: greenci stopped during build #${b.id}; ${b.reason ?? ''}`);
      return body('error', b.reason ?? `build #${b.id} cancelled`);
  }
}
