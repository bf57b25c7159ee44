import { type ProxyRoutes, SLOTS, type Slot } from './routes.js';

/**
 * Following app containers that Docker started again on another address. A container's address on
 * its release network is Docker's to choose at every start (a restart policy, a dockerd restart,
 * `docker restart`, the monitor's self-healing): on this engine it takes the lowest free address,
 * so two apps started in the other order swap theirs. The routes name the address each slot was
 * switched to; this compares them with what Docker says now. Pure; tested with exact equality.
 */

/** One app container of a routed release as Docker shows it now. */
export interface SeenApp {
  release: string;
  app: string;
  running: boolean;
  /** Its address on the release's network; absent when it has none (stopped, or not attached). */
  addr?: string;
}

/** A slot whose container answers on another address than the routes say. */
export interface Readdress {
  app: string;
  slot: Slot;
  release: string;
  port: number;
  /** Share of new requests the slot takes (0: warm, draining). */
  weight: number;
  from: string;
  to: string;
}

/**
 * The slots to re-address: every slot (live, canary or warm) whose release's container runs on an
 * address other than the routed one. Left as they are: a container that is stopped or has no
 * address (a warm release kept stopped: its next start goes through the release flow, which reads
 * its address then; a stopped live app is the monitor's to report) and a container that is gone
 * (drift: recovery restores the release).
 */
export function readdressPlan(routes: ProxyRoutes, seen: SeenApp[]): Readdress[] {
  const out: Readdress[] = [];
  for (const route of routes.apps) {
    for (const slot of SLOTS) {
      const r = route.slots[slot];
      if (!r) continue;
      const now = seen.find((s) => s.release === r.release && s.app === route.app);
      if (!now?.running || !now.addr || now.addr === r.addr) continue;
      out.push({ app: route.app, slot, release: r.release, port: r.port, weight: r.weight, from: r.addr, to: now.addr });
    }
  }
  return out;
}

/** The routes with each change's slot on its new address (everything else, warm stamps included, as it was). */
export function readdressed(routes: ProxyRoutes, changes: Readdress[]): ProxyRoutes {
  return {
    ...routes,
    apps: routes.apps.map((a) => {
      const slots = { ...a.slots };
      for (const c of changes) {
        const r = slots[c.slot];
        if (c.app === a.app && r && r.release === c.release) slots[c.slot] = { ...r, addr: c.to };
      }
      return { ...a, slots };
    }),
  };
}

/**
 * The runtime API commands for the changes: the address only. A slot keeps its weight and its
 * state (ready, or draining for a warm release): HAProxy keeps both across `set server ... addr`.
 */
export function readdressCommands(changes: Readdress[]): string[] {
  return changes.map((c) => `set server ${c.app}/${c.slot} addr ${c.to} port ${c.port}`);
}

/** The changes in one line for the audit trail and the log: `billing v0.3.0 (slot a, live): 172.18.0.3 → 172.18.0.2`. */
export function describeReaddress(changes: Readdress[]): string {
  return changes
    .map(
      (c) =>
        `${c.app} ${c.release} (slot ${c.slot}, ${c.weight > 0 ? (c.weight < 100 ? `${c.weight}%` : 'live') : 'warm'}): ${c.from} → ${c.to}`,
    )
    .join('; ');
}

/** The releases the routes name (live, canary, warm): those whose containers are looked at. */
export function routedReleases(routes: ProxyRoutes): string[] {
  const out = new Set<string>();
  for (const a of routes.apps) for (const s of SLOTS) if (a.slots[s]) out.add(a.slots[s]!.release);
  return [...out];
}
