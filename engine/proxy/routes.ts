/**
 * What the front proxy should do, as data: per app, its public port and two server slots (`a`,
 * `b`) that releases take turns in. A release is started in the slot the live release does not
 * hold, proven healthy, then given the weight; the other slot drains and stays warm for a rollback.
 */

export type Slot = 'a' | 'b';
export const SLOTS: readonly Slot[] = ['a', 'b'];

export function otherSlot(s: Slot): Slot {
  return s === 'a' ? 'b' : 'a';
}

/** One server slot of an app's backend. */
export interface SlotRoute {
  /** The release whose container fills the slot. */
  release: string;
  /** The container's address on its release network, and the app's port. */
  addr: string;
  port: number;
  /** Share of new requests, 0..100 (the two slots of an app add up to 100 while both serve). */
  weight: number;
  /** At weight 0: since when the release has been warm (drained, kept for a rollback). */
  warmSince?: number;
}

export interface AppRoute {
  app: string;
  /** The host port the proxy listens on for this app. */
  listen: number;
  /** The app's health path (greenci checks each release's apps on it, straight at their containers). */
  health: string;
  slots: Partial<Record<Slot, SlotRoute>>;
}

export interface ProxyRoutes {
  project: string;
  /** The address the proxy binds its ports on (production's `bind`). */
  bind: string;
  apps: AppRoute[];
}

/** The release that takes most of an app's new requests, if any slot serves. */
export function servingRelease(route: AppRoute): string | undefined {
  const serving = SLOTS.map((s) => route.slots[s]).filter((r): r is SlotRoute => !!r && r.weight > 0);
  serving.sort((x, y) => y.weight - x.weight);
  return serving[0]?.release;
}

/** Per release, its share of an app's requests (a canary shows as two entries). */
export function releaseShares(route: AppRoute): { release: string; weight: number }[] {
  return SLOTS.map((s) => route.slots[s])
    .filter((r): r is SlotRoute => !!r && r.weight > 0)
    .map((r) => ({ release: r.release, weight: r.weight }));
}

/**
 * Stamps each slot at weight 0 with since when it has been warm: carried over from `before` when
 * the same release was already warm there, else `now`. Slots taking requests carry no stamp.
 */
export function stampWarm(before: ProxyRoutes | undefined, next: ProxyRoutes, now: number): ProxyRoutes {
  return {
    ...next,
    apps: next.apps.map((a) => {
      const prev = before?.apps.find((b) => b.app === a.app);
      const slots: AppRoute['slots'] = {};
      for (const s of SLOTS) {
        const r = a.slots[s];
        if (!r) continue;
        const was = prev?.slots[s];
        const { warmSince: _drop, ...rest } = r;
        slots[s] =
          r.weight > 0 ? rest : { ...rest, warmSince: was && was.release === r.release && was.weight === 0 ? (was.warmSince ?? now) : now };
      }
      return { ...a, slots };
    }),
  };
}

/** Releases warm (weight 0 in every slot they fill) since before `cutoff`. */
export function warmSince(routes: ProxyRoutes, cutoff: number): string[] {
  const found = new Map<string, boolean>();
  for (const a of routes.apps)
    for (const s of SLOTS) {
      const r = a.slots[s];
      if (!r) continue;
      const old = r.weight === 0 && r.warmSince !== undefined && r.warmSince < cutoff;
      found.set(r.release, (found.get(r.release) ?? true) && old);
    }
  return [...found].filter(([, old]) => old).map(([r]) => r);
}

/** The routes without `release` in any slot (its slots parked). */
export function withoutRelease(routes: ProxyRoutes, release: string): ProxyRoutes {
  return {
    ...routes,
    apps: routes.apps.map((a) => ({
      ...a,
      slots: Object.fromEntries(Object.entries(a.slots).filter(([, r]) => r?.release !== release)) as AppRoute['slots'],
    })),
  };
}
