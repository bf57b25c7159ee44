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
}

export interface AppRoute {
  app: string;
  /** The host port the proxy listens on for this app. */
  listen: number;
  /** The app's health path (the proxy's own checks use it; greenci's monitor checks through the proxy). */
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
