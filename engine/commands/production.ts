import type { Engine } from '../api.js';
import { describeError } from '../errors.js';
import { rollbackProduction } from '../pipeline/rollback.js';
import { checkProduction, recoverBuilds } from '../recovery.js';
import type { EngineCore } from './core.js';

/** Production: its releases, a rollback under its lock, recovery after a crash, release tags origin lacks. */
export function productionCommands(core: EngineCore): Pick<Engine, 'rollback' | 'releases' | 'recover' | 'pushTags'> {
  const { store, docker, recorder, deps, queue, tags } = core;
  const projects = () => Object.keys(core.config().projects);
  return {
    rollback(req) {
      core.project(req.project);
      return deps.locks.run(
        `production:${req.project}`,
        `rollback by ${req.requestedBy}`,
        () => rollbackProduction(docker, recorder, deps.config.dataDir, req),
        { onWait: req.log },
      );
    },
    releases(project) {
      core.project(project);
      return { releases: store.releases.releases(project), live: store.releases.liveRelease(project) };
    },
    async recover() {
      const notes = await recoverBuilds(recorder, queue, docker, projects());
      for (const project of projects()) {
        notes.push(
          ...(await checkProduction(recorder, docker, deps.locks, project, deps.config.dataDir).catch((err) => [
            { level: 'error' as const, project, msg: `checking production failed: ${describeError(err)}` },
          ])),
        );
      }
      notes.push(...(await tags.round(projects(), 'start')));
      return notes;
    },
    pushTags: () => tags.round(projects(), 'schedule'),
  };
}
