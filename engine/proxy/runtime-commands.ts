import { type ProxyRoutes, SLOTS } from './routes.js';

/**
 * The HAProxy runtime API commands that bring a running proxy to `routes`, in an order that never
 * leaves an app without a serving slot: first every slot that takes requests is addressed and made
 * ready, then the slots at weight 0 drain (they finish what they have and take nothing new), then
 * empty slots go to maintenance. Only slots that take requests are (re-)addressed: a live slot keeps
 * its address (HAProxy answers "no need to change"), a new one was parked or draining until now. Pure.
 */
export function runtimeCommands(routes: ProxyRoutes): string[] {
  const up: string[] = [];
  const drain: string[] = [];
  const park: string[] = [];
  for (const route of routes.apps) {
    for (const slot of SLOTS) {
      const id = `${route.app}/${slot}`;
      const r = route.slots[slot];
      if (!r) park.push(`set server ${id} state maint`);
      else if (r.weight > 0)
        up.push(`set server ${id} addr ${r.addr} port ${r.port}`, `set weight ${id} ${r.weight}`, `set server ${id} state ready`);
      else drain.push(`set weight ${id} 0`, `set server ${id} state drain`);
    }
  }
  return [...up, ...drain, ...park];
}

/** Which answers of the runtime API mean the command failed (success is silent or says what changed). */
export function runtimeAnswerFailed(answer: string): boolean {
  const a = answer.trim();
  if (!a) return false;
  if (/^(IP changed|no need to change|port changed)/i.test(a)) return false;
  // a slot of a production on Swarm pointed at a release's service
  if (/^\S+ changed its FQDN from \S+ to \S+/.test(a)) return false;
  return true;
}
