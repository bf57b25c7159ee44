import path from 'node:path';
import type { GreenciConfig, ProjectConfig } from '../../config/schema.js';
import { RepoCache } from '../git/repo.js';

/**
 * Each project's cached clone, made on first use; `forget` drops those whose remote or token a
 * reloaded config changed, so the next use clones from the new place.
 */
export function repoCaches(o: { config: () => GreenciConfig; project: (name: string) => ProjectConfig; env: NodeJS.ProcessEnv }) {
  const repos = new Map<string, RepoCache>();
  return {
    repo(project: string): RepoCache {
      let r = repos.get(project);
      if (!r) {
        const p = o.project(project);
        const config = o.config();
        r = new RepoCache({
          cacheDir: path.join(config.dataDir, 'repos', `${project}.git`),
          remote: p.repo,
          token: p.gitTokenEnv ? o.env[p.gitTokenEnv] : undefined,
          env: o.env,
          author: { name: config.git.authorName, email: config.git.authorEmail },
        });
        repos.set(project, r);
      }
      return r;
    },
    forget(next: GreenciConfig, old: GreenciConfig): void {
      for (const [name, p] of Object.entries(next.projects)) {
        const before = old.projects[name];
        if (!before || before.repo !== p.repo || before.gitTokenEnv !== p.gitTokenEnv) repos.delete(name);
      }
    },
  };
}
