import { rm } from 'node:fs/promises';
import type { DockerPort } from '../docker/port.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { PruneItem, PruneOutcome } from './types.js';

const UP = new Set(['running', 'restarting', 'paused']);

/**
 * Carries out a plan's removals in its order (containers, tags, images, build cache, worktrees,
 * logs), each checked again just before: a container started since is left, a tag is removed
 * only while it names the image the plan saw, images go by id (a tag a running build moved to
 * its own image is never touched) and never their untagged parents (`noprune`: the cache goes
 * only as the plan's own `cache` items, which Docker refuses while anything stands on them).
 * What Docker refuses is skipped, saying why; nothing here throws for one item.
 */
export async function applyPlan(
  items: readonly PruneItem[],
  io: { docker: DockerPort; store: Pick<Store, 'retention'> },
): Promise<PruneOutcome[]> {
  const out: PruneOutcome[] = [];
  for (const item of items) {
    try {
      const outcome = await removeOne(item, io);
      out.push(typeof outcome === 'string' ? { ...item, outcome } : { ...item, outcome: 'skipped', why: outcome.skipped });
    } catch (err) {
      out.push({ ...item, outcome: 'skipped', why: describeError(err).split('\n')[0] });
    }
  }
  return out;
}

async function removeOne(
  item: PruneItem,
  { docker, store }: { docker: DockerPort; store: Pick<Store, 'retention'> },
): Promise<'removed' | 'gone' | { skipped: string }> {
  switch (item.kind) {
    case 'container': {
      const now = await docker.inspectContainer(item.id);
      if (!now) return 'gone';
      if (UP.has(now.State.Status)) return { skipped: `it is ${now.State.Status} again` };
      await docker.removeContainer(item.id);
      return 'removed';
    }
    case 'tag': {
      const names = await docker.imageId(item.id);
      if (!names) return 'gone';
      if (item.of && names !== item.of) return { skipped: `${item.id} now names another image` };
      return docker.removeImage(item.id);
    }
    case 'image':
      // by id: every name it has goes with it (force), its parents stay (noprune)
      return docker.removeImage(item.id, { force: true });
    case 'cache':
      return docker.removeImage(item.id);
    case 'worktree':
      await rm(item.id, { recursive: true, force: true });
      return 'removed';
    case 'build-log':
      return store.retention.removeLogs([Number(item.id)]) > 0 ? 'removed' : 'gone';
    case 'backup':
      // the record first: a backup half removed is never listed or restored from
      if (!store.retention.backupRemoved(item.id, `removed by retention: ${item.reason}`)) return 'gone';
      await rm(item.path!, { force: true });
      return 'removed';
  }
}
