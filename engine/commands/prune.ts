import type { Engine } from '../api.js';
import { describeError } from '../errors.js';
import { isFinished } from '../model.js';
import { applyPlan } from '../prune/apply.js';
import { gatherHost, gatherRecords } from '../prune/facts.js';
import { auditText, freedBytes } from '../prune/report.js';
import { planPrune } from '../prune/retention.js';
import type { PruneReport, PruneRequest } from '../prune/types.js';
import type { DiskReport } from '../prune/disk.js';
import { readDisk } from '../prune/disk-facts.js';
import type { EngineCore } from './core.js';

/** Who the schedule and a release's prune are audited as. */
export const PRUNE_ACTOR = 'greenci (prune)';

/** How long a disk reading stands for the next callers. */
const DISK_FRESH_MS = 30_000;

/**
 * `greenci prune`: the retention rule (engine/prune/retention.ts) on a project's records and what
 * Docker has, carried out under the project's production lock (a release or rollback in progress
 * finishes first; a dry run takes no lock and removes nothing), audited. After each successful
 * production release the project is pruned in the background (`retention.afterRelease`): the
 * build has ended by then and never waits for it.
 */
export function pruneCommands(core: EngineCore): Pick<Engine, 'prune' | 'disk' | 'pruneSettled'> & { stop(): void } {
  const { store, docker, recorder, deps, bus } = core;
  const background = new Map<string, Promise<void>>();
  const again = new Set<string>();
  // Reading the disk asks Docker for its disk usage (`system df`: every volume's size), which takes
  // seconds on a busy engine: one reading serves every caller for DISK_FRESH_MS (status, consoles,
  // metrics), callers while one is under way share it, and a prune makes the next caller read anew.
  let lastDisk: { at: number; report: Promise<DiskReport> } | undefined;
  const readDiskShared = (): Promise<DiskReport> => {
    if (lastDisk && Date.now() - lastDisk.at < DISK_FRESH_MS) return lastDisk.report;
    const reading = { at: Date.now(), report: readDisk(docker, core.config()) };
    lastDisk = reading;
    // a failed reading is not kept: the next caller tries again
    reading.report.catch(() => lastDisk === reading && (lastDisk = undefined));
    return reading.report;
  };

  async function pruneProject(project: string, req: PruneRequest): Promise<PruneReport> {
    const p = core.project(project);
    const config = core.config();
    const work = async (): Promise<PruneReport> => {
      const startedAt = Date.now();
      // a build running while the prune looks may use the build cache, even if it ends before the prune decides
      const busyAtStart = store.builds.claimed()[0];
      const records = await gatherRecords(store, docker, {
        project,
        config: p,
        dataDir: config.dataDir,
        buildLogDays: config.retention.buildLogs.days,
        now: startedAt,
        backups: recorder.backups
          .listBackups(project)
          .map((b) => ({ id: b.id, release: b.release, service: b.service, takenAt: b.takenAt, bytes: b.size, path: b.path })),
      });
      const host = await gatherHost(docker, project);
      // the build cache is shared by every build on the host: none goes while one of greenci's builds runs
      const busy = store.builds.claimed()[0] ?? busyAtStart;
      const plan = planPrune(
        records,
        host,
        {
          releases: config.retention.releases,
          buildLogDays: config.retention.buildLogs.days,
          backups: { days: config.retention.backups.days, maxBytes: config.retention.backups.maxSize },
        },
        { now: startedAt, cacheBlockedBy: busy && `build #${busy.id} of ${busy.project} is ${busy.status}` },
      );
      const removed = req.dryRun
        ? plan.remove.map((i) => ({ ...i, outcome: 'would' as const }))
        : await applyPlan(plan.remove, { docker, store });
      if (!req.dryRun) lastDisk = undefined; // what the disk holds changed
      const report: PruneReport = {
        project,
        dryRun: req.dryRun === true,
        requestedBy: req.requestedBy,
        removed,
        kept: plan.keep,
        notes: plan.notes,
        bytes: freedBytes(removed),
        startedAt,
        finishedAt: Date.now(),
      };
      if (!req.dryRun && (req.requestedBy !== PRUNE_ACTOR || removed.length)) audit(report);
      return report;
    };
    if (req.dryRun) return work();
    return deps.locks.run(`production:${project}`, `pruning, asked by ${req.requestedBy}`, work, { onWait: req.log });
  }

  function audit(r: PruneReport): void {
    recorder.audit({
      actor: r.requestedBy,
      action: 'prune',
      project: r.project,
      outcome: auditText(r.removed),
      detail: {
        bytes: r.bytes,
        removed: r.removed.map((o) => ({ kind: o.kind, what: o.what, reason: o.reason, bytes: o.bytes, outcome: o.outcome, why: o.why })),
        notes: r.notes,
      },
    });
  }

  /** A prune in the background; one asked for while one runs follows it once. Failures are audited, never thrown. */
  function inBackground(project: string): void {
    if (background.has(project)) return void again.add(project);
    const run = pruneProject(project, { project, requestedBy: PRUNE_ACTOR })
      .then(
        () => undefined,
        (err) => {
          try {
            recorder.audit({ actor: PRUNE_ACTOR, action: 'prune', project, outcome: `failed: ${describeError(err)}` });
          } catch {
            // the engine closed under it (a command that released, then exited)
          }
        },
      )
      .finally(() => {
        background.delete(project);
        if (again.delete(project)) inBackground(project);
      });
    background.set(project, run);
  }

  // a production release that went live: the build's prune starts once the build has ended
  const released = new Map<number, string>();
  const stop = bus.subscribe((e) => {
    if (e.type === 'deployment.updated') {
      const d = e.deployment;
      if (d.env === 'production' && d.kind === 'promote' && d.status === 'success' && d.buildId !== undefined)
        released.set(d.buildId, d.project);
    } else if (e.type === 'build.updated' && isFinished(e.build.status) && released.has(e.build.id)) {
      const project = released.get(e.build.id)!;
      released.delete(e.build.id);
      if (core.config().retention.afterRelease && core.config().projects[project]) inBackground(project);
    }
  });

  return {
    async prune(req) {
      const projects = req.project ? [req.project] : Object.keys(core.config().projects);
      for (const p of projects) core.project(p);
      const reports: PruneReport[] = [];
      for (const project of projects) reports.push(await pruneProject(project, req));
      return reports;
    },
    disk: readDiskShared,
    async pruneSettled() {
      while (background.size) await Promise.allSettled([...background.values()]);
    },
    stop,
  };
}
