import { LABEL } from '../docker/names.js';
import type { HostContainer, KeptItem, PruneItem, RetentionRecords } from './types.js';

const UP = new Set(['running', 'restarting', 'paused', 'removing']);

/**
 * A project's containers: running ones stay, and so do stopped ones that are part of a standing
 * environment (the test environment, production's databases and front proxy, apps deployed in
 * place) or of the live or a warm release (`warm: stopped`). A stopped test step of a build that
 * ended, or a stopped app of a release neither live nor warm, is removed. Pure.
 */
export function decideContainers(
  r: Pick<RetentionRecords, 'live' | 'warm' | 'activeBuilds' | 'testEnv'>,
  containers: readonly HostContainer[],
): { keep: KeptItem[]; remove: PruneItem[] } {
  const keep: KeptItem[] = [];
  const remove: PruneItem[] = [];
  const active = new Map(r.activeBuilds.map((b) => [String(b.id), b.status]));
  for (const c of containers) {
    const reason = keptBecause(c, r, active);
    if (reason) keep.push({ kind: 'container', id: c.id, what: c.name, reasons: [reason], bytes: c.sizeRw ?? 0 });
    else remove.push({ kind: 'container', id: c.id, what: c.name, reason: removedBecause(c), bytes: c.sizeRw ?? 0 });
  }
  return { keep, remove };
}

function keptBecause(
  c: HostContainer,
  r: Pick<RetentionRecords, 'live' | 'warm' | 'testEnv'>,
  active: Map<string, string>,
): string | undefined {
  const l = c.labels;
  const role = l[LABEL.role];
  const build = l[LABEL.build];
  const env = l[LABEL.env];
  if (build && active.has(build)) return `build #${build} ${active.get(build)}`;
  if (role === 'proxy') return "production's front proxy";
  if (env === 'production' && (role !== 'app' || l[LABEL.slot] === undefined))
    return `production's ${l[LABEL.service] ?? 'container'} (a standing environment)`;
  if (env === 'production') {
    const release = l[LABEL.release];
    if (release === r.live) return `live release ${release}`;
    if (r.warm.includes(release)) return `warm release ${release} (the front proxy keeps it)`;
  }
  if (env === 'test' && role !== 'test')
    return r.testEnv ? `test environment of ${r.testEnv.branch} (build #${r.testEnv.buildId})` : 'the test environment';
  if (env?.startsWith('preview-') && role !== 'test')
    return `preview of ${l[LABEL.preview] ?? 'a branch'} (until its branch or pull request goes)`;
  if (UP.has(c.state)) return c.state;
  if (env === 'production' || role === 'test') return undefined;
  return 'not a kind of container greenci removes';
}

function removedBecause(c: HostContainer): string {
  const l = c.labels;
  if (l[LABEL.role] === 'test') return `stopped test step of build #${l[LABEL.build]}, which ended`;
  return `stopped app ${l[LABEL.service]} of release ${l[LABEL.release]}, neither live nor warm`;
}
