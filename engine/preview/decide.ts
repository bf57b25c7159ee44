import { createHash } from 'node:crypto';
import type { PreviewRecord } from '../model.js';

/** Pure decisions about preview environments: what one is called, which ports it gets, which give way. */

/**
 * What names a branch's preview containers, network and volumes: `preview-<slug>-<hash>`. The slug
 * (lower-case letters, digits and dashes, at most 24) is for people; the hash of the whole branch
 * name keeps two branches apart whose slugs are the same (`Fix/A` and `fix-a`).
 */
export function previewEnvKey(branch: string): `preview-${string}` {
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, 6);
  return `preview-${slug ? `${slug}-` : ''}${hash}`;
}

/**
 * A host port for each app from the range: the ones it had (`kept`, so a branch's URLs stay the
 * same from build to build) when they are still free and in range, else the lowest free ones.
 * Undefined when the range has too few left.
 */
export function pickPorts(
  apps: readonly string[],
  range: { from: number; to: number },
  taken: ReadonlySet<number>,
  kept: Readonly<Record<string, number>> = {},
): Record<string, number> | undefined {
  const used = new Set(taken);
  const ports: Record<string, number> = {};
  for (const app of apps) {
    const k = kept[app];
    if (k !== undefined && k >= range.from && k <= range.to && !used.has(k)) {
      ports[app] = k;
      used.add(k);
    }
  }
  let next = range.from;
  for (const app of apps) {
    if (ports[app] !== undefined) continue;
    while (next <= range.to && used.has(next)) next++;
    if (next > range.to) return undefined;
    ports[app] = next;
    used.add(next);
  }
  return ports;
}

/**
 * The previews that give way so `branch` can have one with at most `max` at once: the ones
 * deployed first. A branch that has one already replaces it and takes no new place.
 */
export function previewsToEvict(live: readonly PreviewRecord[], branch: string, max: number): PreviewRecord[] {
  if (live.some((p) => p.branch === branch)) return [];
  const others = [...live].sort((a, b) => a.createdAt - b.createdAt || a.branch.localeCompare(b.branch));
  const over = others.length + 1 - max;
  return over > 0 ? others.slice(0, over) : [];
}
