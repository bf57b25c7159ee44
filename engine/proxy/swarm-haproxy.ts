import { DEFAULTS_SECTION, GLOBAL_SECTION } from './haproxy-config.js';
import { SLOTS, type Slot } from './routes.js';

/**
 * The front proxy of a production on Docker Swarm, as data and as HAProxy's words. Pure; tested
 * with exact equality. Each release's app is a Swarm service reached by DNS round-robin on the
 * overlay (`tasks.<service>`: this machine kind has no IPVS for virtual IPs), so a slot is not one
 * address but a `server-template` of up to `maxReplicas` servers that HAProxy fills from Docker's
 * DNS (127.0.0.11) and keeps filled as Swarm moves tasks. A release switch points the idle slot at
 * the new release's service (`set server … fqdn`) and moves the weight, both at runtime.
 */

/** What an empty slot resolves: nothing (`.invalid` never does), so its servers take no request. */
export const PARKED_FQDN = 'parked.invalid';

export interface SwarmSlotRoute {
  release: string;
  /** The release's service for this app: its tasks are `tasks.<service>`. */
  service: string;
  /** Share of new requests, 0..100. */
  weight: number;
}

export interface SwarmAppRoute {
  app: string;
  listen: number;
  /** The port the app listens on inside its tasks (the same in every release). */
  port: number;
  health: string;
  slots: Partial<Record<Slot, SwarmSlotRoute>>;
}

export interface SwarmRoutes {
  project: string;
  /** The host address the proxy container's ports are published on. */
  bind: string;
  /** Servers per slot: the most tasks one release's app may run. */
  maxReplicas: number;
  apps: SwarmAppRoute[];
}

export const slotServers = (slot: Slot, max: number): string[] => Array.from({ length: max }, (_, i) => `${slot}${i + 1}`);

const fqdnOf = (r: SwarmSlotRoute | undefined): string => (r ? `tasks.${r.service}` : PARKED_FQDN);

export function renderSwarmHaproxyConfig(routes: SwarmRoutes): string {
  const lines = [
    `# greenci front proxy for ${routes.project} (Docker Swarm): written by greenci before every change; edits are overwritten`,
    ...GLOBAL_SECTION,
    "# Docker's DNS on the overlay: each slot's servers are the tasks of its release's service",
    'resolvers docker',
    '  nameserver dns 127.0.0.11:53',
    '  resolve_retries 3',
    '  timeout resolve 500ms',
    '  timeout retry 500ms',
    '  # a task Swarm stopped or moved leaves within 2 s',
    '  hold valid 2s',
    '  hold obsolete 2s',
    '  hold nx 2s',
    '  accepted_payload_size 8192',
    '',
    ...DEFAULTS_SECTION,
  ];
  for (const route of routes.apps) {
    lines.push(`frontend ${route.app}`, `  bind 0.0.0.0:${route.listen}`, `  default_backend ${route.app}`, '', `backend ${route.app}`);
    for (const slot of SLOTS) {
      const r = route.slots[slot];
      lines.push(
        `  server-template ${slot} 1-${routes.maxReplicas} ${fqdnOf(r)}:${route.port} resolvers docker init-addr none weight ${r?.weight ?? 0}${r ? `  # ${r.release}` : ''}`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Per server of an app's backend, the address it resolved to now (`-` when none), from the answer
 * to `show servers state <backend>`: a slot pointed at a new service takes weight once as many of
 * its servers as the service has tasks are addressed.
 */
export function resolvedServers(showServersState: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const line of showServersState.split('\n')) {
    const f = line.trim().split(/\s+/);
    // data lines: be_id be_name srv_id srv_name srv_addr …
    if (f.length < 5 || !/^\d+$/.test(f[0])) continue;
    out[f[3]] = f[4] === '-' || f[4] === '0.0.0.0' ? undefined : f[4];
  }
  return out;
}

/** How many servers of a slot have an address. */
export function resolvedInSlot(resolved: Record<string, string | undefined>, slot: Slot, max: number): number {
  return slotServers(slot, max).filter((s) => resolved[s] !== undefined).length;
}

/**
 * The runtime commands that bring a running proxy from `before` to `next` without a reload: first
 * every slot that will take requests is pointed at its service (when that changed) and given its
 * weight, then the slots at weight 0 drain, then emptied slots are pointed at nothing. The caller
 * waits, between pointing and weighting, until the slot's servers resolved (see `resolvedServers`).
 */
export function swarmRuntimeCommands(before: SwarmRoutes | undefined, next: SwarmRoutes): { point: string[]; weigh: string[] } {
  const point: string[] = [];
  const up: string[] = [];
  const drain: string[] = [];
  const park: string[] = [];
  for (const route of next.apps) {
    const old = before?.apps.find((a) => a.app === route.app);
    for (const slot of SLOTS) {
      const r = route.slots[slot];
      const servers = slotServers(slot, next.maxReplicas).map((s) => `${route.app}/${s}`);
      // (an app's port is the same in every release: the config's, set when the proxy starts)
      const moved = fqdnOf(old?.slots[slot]) !== fqdnOf(r);
      if (r && moved) for (const s of servers) point.push(`set server ${s} fqdn ${fqdnOf(r)}`);
      if (!r) {
        for (const s of servers) park.push(`set weight ${s} 0`);
        if (moved) for (const s of servers) park.push(`set server ${s} fqdn ${PARKED_FQDN}`);
        // a server whose FQDN was set at runtime stays in maintenance until told it is ready
      } else if (r.weight > 0) for (const s of servers) up.push(`set server ${s} state ready`, `set weight ${s} ${r.weight}`);
      else for (const s of servers) drain.push(`set weight ${s} 0`);
    }
  }
  return { point, weigh: [...up, ...drain, ...park] };
}
