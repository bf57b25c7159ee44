import type { Engine } from '../api.js';
import type { BuildRecord } from '../model.js';
import { teardownTestFor } from '../pipeline/teardown.js';
import { teardownPreviewOf } from '../preview/teardown.js';
import { missedPushes } from '../queue/reconcile.js';
import type { EngineCore } from './core.js';

/** A project's branches on its remote: what reconciliation compares, what a deleted branch ends, what the console offers to build. */
export function branchCommands(core: EngineCore, enqueue: Engine['enqueue']): Pick<Engine, 'reconcile' | 'branchDeleted' | 'branches'> {
  const { store, deps, recorder } = core;
  return {
    async reconcile(project) {
      const p = core.project(project);
      const heads = await deps.repo(project).remoteHeads();
      const since = Date.now() - core.config().reconcile.watchDays * 86_400_000;
      const watched = new Set([p.productionBranch, ...store.builds.branchesSince(project, since)]);
      const states = [...watched].map((branch) => {
        const last = store.builds.lastOfBranch(project, branch);
        return { branch, head: heads.get(branch), lastBuilt: last?.requestedSha ?? last?.sha };
      });
      const queued: BuildRecord[] = [];
      for (const m of missedPushes(states)) {
        queued.push(
          await enqueue({ project, branch: m.branch, sha: m.sha, trigger: 'reconcile', requestedBy: 'greenci (reconciliation)' }),
        );
      }
      return queued;
    },
    async branchDeleted(project, branch, by) {
      core.project(project);
      const cancelled = store.builds
        .queuedOfBranch(project, branch)
        .filter((id) => store.builds.cancelQueued(id, `branch ${branch} was deleted`));
      for (const id of cancelled) recorder.build(id);
      const tornDown = await teardownTestFor(core.docker, recorder, deps.locks, project, branch, by);
      const previewRemoved = await teardownPreviewOf(
        { docker: core.docker, recorder, locks: deps.locks },
        project,
        branch,
        by,
        `branch ${branch} was deleted`,
      );
      return { cancelled, tornDown, previewRemoved };
    },
    async branches(project) {
      const p = core.project(project);
      const names = [...(await deps.repo(project).remoteHeads()).keys()].sort();
      return names.includes(p.productionBranch) ? [p.productionBranch, ...names.filter((b) => b !== p.productionBranch)] : names;
    },
  };
}
