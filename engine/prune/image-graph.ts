import { LABEL } from '../docker/names.js';
import type { HostFacts, HostImage } from './types.js';

/**
 * The engine's images as a tree (Docker's classic builder leaves one image per build step, each
 * the parent of the next), and the two questions the rule asks of it: how many bytes an image holds
 * of its own, and which untagged build steps under removed images nothing else stands on. Pure.
 */
export class ImageGraph {
  private readonly byId = new Map<string, HostImage>();
  private readonly children = new Map<string, string[]>();
  private readonly inUse = new Map<string, string>();

  constructor(facts: HostFacts) {
    for (const i of facts.images) this.byId.set(i.id, i);
    for (const i of facts.images) {
      if (!i.parentId) continue;
      const list = this.children.get(i.parentId) ?? [];
      list.push(i.id);
      this.children.set(i.parentId, list);
    }
    for (const c of facts.containers) if (!this.inUse.has(c.imageId)) this.inUse.set(c.imageId, c.name);
  }

  image(id: string): HostImage | undefined {
    return this.byId.get(id);
  }

  /** The name of a container (anyone's, running or not) made from the image, if any. */
  usedBy(id: string): string | undefined {
    return this.inUse.get(id);
  }

  /**
   * The bytes an image adds to its parent: its own layer, which removing it frees once nothing is
   * built on it (layers are stored per parent chain, so two chains never share one). An image
   * without a parent here counts whole.
   */
  ownBytes(id: string): number {
    const i = this.byId.get(id);
    if (!i) return 0;
    const parent = i.parentId ? this.byId.get(i.parentId) : undefined;
    return Math.max(0, i.size - (parent?.size ?? 0));
  }

  /**
   * The build cache that removing `removed` leaves standing on nothing: walking up from each
   * removed image, an untagged parent that carries no project's label, that no container uses, and
   * whose every child is removed (or cache itself) goes too; the walk stops at the first tagged
   * image (a base image) or one something else still stands on. `orphans` are build steps already
   * left standing on nothing (their image removed before, or while a build ran): they go, and the
   * walk starts from them too. Children come before their parents.
   */
  cacheUnder(removed: ReadonlySet<string>, orphans: readonly string[] = []): string[] {
    const cache = orphans.filter((id) => {
      const i = this.byId.get(id);
      return i && this.isCache(i) && !removed.has(id) && !(this.children.get(id) ?? []).length;
    });
    const gone = new Set([...removed, ...cache]);
    let frontier = [...gone];
    while (frontier.length) {
      const next: string[] = [];
      for (const id of frontier) {
        const parentId = this.byId.get(id)?.parentId;
        const parent = parentId ? this.byId.get(parentId) : undefined;
        if (!parent || gone.has(parent.id) || !this.isCache(parent)) continue;
        if (!(this.children.get(parent.id) ?? []).every((c) => gone.has(c))) continue;
        gone.add(parent.id);
        cache.push(parent.id);
        next.push(parent.id);
      }
      frontier = next;
    }
    return cache;
  }

  private isCache(i: HostImage): boolean {
    return i.tags.length === 0 && i.labels[LABEL.project] === undefined && !this.inUse.has(i.id);
  }
}
