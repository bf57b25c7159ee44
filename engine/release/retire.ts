import type { ProjectSpec } from '../../config/project-spec.js';
import { warmSince, withoutRelease } from '../proxy/routes.js';
import type { ProductionParts } from './release-flow.js';

/**
 * Retires warm releases whose `keep_warm` time is up: their apps are stopped (gracefully) and
 * removed, their proxy slots parked. The live release is never touched. Returns what it retired.
 * The caller holds the production lock (a rollback may be switching to a warm release).
 */
export async function retireWarm(parts: ProductionParts, spec: ProjectSpec, live: string | undefined, now = Date.now()): Promise<string[]> {
  const routes = await parts.proxy.routes();
  const keep = spec.environments.production.release?.keepWarmMs;
  if (!routes || keep === undefined) return [];
  const due = warmSince(routes, now - keep).filter((r) => r !== live);
  let next = routes;
  for (const r of due) next = withoutRelease(next, r);
  if (due.length) await parts.proxy.apply(next);
  for (const r of due) await parts.target.removeApps(parts.proxy.project, r);
  return due;
}
