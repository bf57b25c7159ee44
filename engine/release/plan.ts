import type { ProjectSpec } from '../../config/project-spec.js';
import { type AppRoute, otherSlot, type ProxyRoutes, type Slot } from '../proxy/routes.js';

/**
 * The release planner: which slot a release serves from, whether its apps must be started, and
 * which releases' leftovers go first; and the proxy routes for a moment of a release (all traffic
 * on one release, or a canary's share). Pure; tested with exact equality.
 */

/** A release whose apps are on the host, as the target found them. */
export interface PresentRelease {
  release: string;
  slot: Slot;
  /** Every app of the release has a container, and all of them run. */
  complete: boolean;
  running: boolean;
}

export interface SwitchPlan {
  slot: Slot;
  /** How the target's apps get ready: already running (a switch), stopped (start them), or absent (start new ones). */
  ready: 'warm' | 'resume' | 'start';
  /** Releases whose apps are removed first: neither live nor the target (a third release never runs). */
  retire: string[];
}

export function planSwitch(target: string, live: { release: string; slot: Slot } | undefined, present: PresentRelease[]): SwitchPlan {
  const retire = present.filter((p) => p.release !== target && p.release !== live?.release).map((p) => p.release);
  const mine = present.find((p) => p.release === target);
  // the live release itself: nothing to start, nothing to switch (callers pass no live then, but never retire what serves)
  if (live && live.release === target) return { slot: live.slot, ready: mine?.running === false ? 'resume' : 'warm', retire };
  if (mine?.complete && mine.slot !== live?.slot) return { slot: mine.slot, ready: mine.running ? 'warm' : 'resume', retire };
  // incomplete or in the live slot (cannot be: the live release is not a target): start afresh
  if (mine) retire.push(target);
  return { slot: live ? otherSlot(live.slot) : 'a', ready: 'start', retire };
}

/** Where a release's app answers, for the routes. */
export interface AppAddress {
  app: string;
  addr: string;
  port: number;
}

export interface RouteRelease {
  release: string;
  slot: Slot;
  apps: AppAddress[];
}

/**
 * The proxy's routes: `serving` takes `weight` percent of each app's requests (100 unless a
 * canary), `other` (the previous release, warm) the rest; at 0 it drains and takes nothing new.
 * Apps without a production port have no front door and no route.
 */
export function routesFor(project: string, spec: ProjectSpec, serving: RouteRelease, other?: RouteRelease, weight = 100): ProxyRoutes {
  const env = spec.environments.production;
  const apps: AppRoute[] = [];
  for (const s of spec.services) {
    const listen = env.ports[s.name];
    if (s.kind !== 'app' || !listen) continue;
    const route: AppRoute = { app: s.name, listen, health: s.health ?? '/health', slots: {} };
    const mine = serving.apps.find((a) => a.app === s.name);
    if (mine) route.slots[serving.slot] = { release: serving.release, addr: mine.addr, port: mine.port, weight };
    const theirs = other?.apps.find((a) => a.app === s.name);
    if (other && theirs && other.slot !== serving.slot)
      route.slots[other.slot] = { release: other.release, addr: theirs.addr, port: theirs.port, weight: 100 - weight };
    apps.push(route);
  }
  return { project, bind: env.bind, apps };
}

/** The slot a release serves from in the current routes (the first app that names it). */
export function slotOf(routes: ProxyRoutes | undefined, release: string): Slot | undefined {
  for (const a of routes?.apps ?? []) for (const s of ['a', 'b'] as const) if (a.slots[s]?.release === release) return s;
  return undefined;
}
