import type { Engine, PullRequestOutcome } from '../api.js';
import { describeError } from '../errors.js';
import { pullRequestBranch } from '../git/ref-name.js';
import type { PullRequestDecision } from '../intake/pull-request.js';
import type { BuildRecord, PullRequestRecord } from '../model.js';
import { teardownPreviewOf } from '../preview/teardown.js';
import type { EngineCore } from './core.js';

type Acted = Exclude<PullRequestDecision, { kind: 'ignored-action' } | { kind: 'invalid' }>;

/**
 * Pull requests: a new head is built (or joins a build of the same commit), a fork's is refused
 * unless the project allows forks, a closed one cancels the build queued for it alone. Each
 * change is stored and announced (`pull_request.updated`), so its status follows under `/pr`.
 */
export function pullRequestCommands(core: EngineCore, enqueue: Engine['enqueue']): Pick<Engine, 'pullRequestEvent' | 'pullRequests'> {
  const { store, bus, recorder } = core;
  const save = (pr: Omit<PullRequestRecord, 'updatedAt'>): PullRequestRecord => {
    const saved = store.pullRequests.save(pr);
    bus.emit({ type: 'pull_request.updated', pullRequest: saved });
    return saved;
  };
  return {
    pullRequests: (project) => store.pullRequests.list(project),
    async pullRequestEvent(project, d: Acted, record, deliveryId) {
      core.project(project);
      const before = store.pullRequests.get(project, d.number);
      const facts = {
        project,
        number: d.number,
        headSha: d.headSha,
        headRef: d.headRef,
        headRepo: d.headRepo,
        baseRef: d.baseRef,
        fork: d.fork,
        author: d.author,
        title: d.title,
      };
      if (d.kind === 'closed') {
        record('pr-closed');
        // a build queued or running for this pull request alone stops with it; the branch's own builds go on
        const own = before?.buildId !== undefined ? store.builds.get(before.buildId) : undefined;
        let cancelled: BuildRecord | undefined;
        if (own && own.trigger === 'pull_request' && (own.status === 'queued' || own.status === 'running'))
          cancelled = core.queue.cancel(own.id, `github (pull request #${d.number} closed)`);
        const pullRequest = save({ ...facts, state: 'closed', buildId: before?.buildId, closedAt: Date.now() });
        // the preview of what it built goes with it (a later push to its branch brings one back)
        const branch = d.fork ? pullRequestBranch(d.number) : d.headRef;
        // (in the background: GitHub waits 10 s for an answer, a database stopping cleanly may take that long)
        void teardownPreviewOf(
          { docker: core.docker, recorder, locks: core.deps.locks },
          project,
          branch,
          `github:${d.author ?? 'unknown'}`,
          `pull request #${d.number} was closed`,
        ).catch((err) =>
          bus.emit({
            type: 'delivery',
            status: 200,
            delivery: { id: deliveryId, project },
            message: `removing the preview of ${branch} after pull request #${d.number} was closed failed: ${describeError(err)}`,
          }),
        );
        return { outcome: 'pr-closed', pullRequest, build: cancelled };
      }
      if (d.kind !== 'build') {
        const notBuilt =
          d.kind === 'fork-refused'
            ? "not built: from a fork, it would run with this project's settings and secrets (to allow: pullRequests.forks: true)"
            : 'not built: pull requests are not built for this project (pullRequests.build: false)';
        const outcome: PullRequestOutcome = d.kind === 'fork-refused' ? 'pr-fork-refused' : 'pr-not-built';
        record(outcome);
        return { outcome, pullRequest: save({ ...facts, state: 'open', notBuilt }) };
      }
      // the same commit built already (its branch's push, or this pull request before): that build answers
      const existing = store.builds.latestOfCommit(project, d.headSha);
      if (existing) {
        record('pr-joined', existing.id);
        return { outcome: 'pr-joined', pullRequest: save({ ...facts, state: 'open', buildId: existing.id }), build: existing };
      }
      const build = await enqueue(
        {
          project,
          branch: d.fork ? pullRequestBranch(d.number) : d.headRef,
          sha: d.headSha,
          trigger: 'pull_request',
          requestedBy: d.author ?? 'github',
          push: { pusherName: d.author, headMessage: d.title },
          deliveryId,
        },
        (buildId) => record('pr-queued', buildId),
      );
      recorder.build(build.id);
      return { outcome: 'pr-queued', pullRequest: save({ ...facts, state: 'open', buildId: build.id }), build };
    },
  };
}
