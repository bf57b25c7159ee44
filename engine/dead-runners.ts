import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EngineCore } from './commands/core.js';
import { describeError } from './errors.js';
import { checkProduction, closeInterruptedDeployments, type Note, recoverBuilds } from './recovery.js';
import { runnerGone } from './store/leases.js';

/** How often a running daemon looks for builds whose process died: a few seconds, cheap. */
export const DEAD_RUNNER_SWEEP_MS = 2000;

/** What a sweep needs of the engine. */
export type SweepParts = Pick<EngineCore, 'config' | 'store' | 'bus' | 'recorder' | 'queue' | 'docker' | 'tags' | 'deps'>;

/**
 * One sweep for greenci processes that died with work in hand (a `greenci run` killed with kill
 * -9, a console the OOM killer took): without it their builds read `running` until the daemon's
 * next start. The usual sweep is one SQLite query of claimed builds with a pid check each, a query
 * per environment and a directory listing per project. A build whose process is gone ends as at a
 * start (recoverBuilds, interruptedOutcome's rules: failed and queued again once, or recorded as
 * released when its release went live, its tag pushed next) and its test-step containers are
 * removed; deployments left `running` where nobody holds the environment's lock are closed as
 * interrupted; worktrees of builds that ended (their process died before its cleanup) are removed.
 *
 * When a production deployment was among them, production is compared with the live release and
 * restored where it drifted, as at a start (checkProduction, under the production lock). A build
 * queued again runs with trigger `recovery`, exactly as one queued again at a start: whether it may
 * promote is promote's decision, the same for both.
 */
export async function sweepDeadRunners(core: SweepParts, signal?: AbortSignal): Promise<Note[]> {
  const projects = Object.keys(core.config().projects);
  const { dataDir } = core.config();
  const dead = core.store.builds.claimed().filter((b) => runnerGone(b.runner));
  const notes = dead.length ? await recoverBuilds(core.recorder, core.queue, core.docker, projects) : [];
  for (const c of closeInterruptedDeployments(core.store, projects, core.bus)) {
    const what = `${c.count} ${c.env} deployment${c.count > 1 ? 's' : ''} of ${c.project}`;
    notes.push({ level: 'warn', project: c.project, msg: `${what} left running by a greenci process that died: marked interrupted` });
    // as at a start: production must not stay half-deployed (the live release is restored where it drifted)
    if (c.env === 'production')
      notes.push(
        ...(await checkProduction(core.recorder, core.docker, core.deps.locks, c.project, dataDir, core.deps.secrets, signal).catch(
          (err) =>
            signal?.aborted
              ? []
              : [{ level: 'error' as const, project: c.project, msg: `checking production failed: ${describeError(err)}` }],
        )),
      );
  }
  removeLeftWorktrees(core.store, dataDir, projects);
  if (dead.some((b) => core.store.releases.ofBuild(b.id))) notes.push(...(await core.tags.round(projects, 'schedule')));
  return notes;
}

/**
 * Removes the worktree (`<dataDir>/work/<project>/<build>`) of every build that has ended: a build
 * removes its own before it ends, so one still there belonged to a process that died. The next
 * checkout's `git worktree prune` forgets it in the cache repository.
 */
function removeLeftWorktrees(store: SweepParts['store'], dataDir: string, projects: string[]): void {
  for (const project of projects) {
    const dir = path.join(dataDir, 'work', project);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const b = /^\d+$/.test(name) ? store.builds.get(Number(name)) : undefined;
      if (b && b.status !== 'queued' && b.status !== 'running') rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/** Sweeps on a timer until stopped. */
export interface RunnerWatch {
  /** Starts no more sweeps (one waiting for the production lock gives up); resolves when the one in progress has ended. */
  stop(): Promise<void>;
}

/** Sweeps on a timer (the next starts `everyMs` after the last ended, never two at once); a sweep that throws is reported and the next one tries again. */
export function watchDeadRunners(
  sweep: (signal: AbortSignal) => Promise<Note[]>,
  o: { everyMs?: number; onNote?: (n: Note) => void } = {},
): RunnerWatch {
  const stopped = new AbortController();
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (!stopped.signal.aborted) timer = setTimeout(round, o.everyMs ?? DEAD_RUNNER_SWEEP_MS);
  };
  const round = () => {
    current = sweep(stopped.signal)
      .then(
        (notes) => {
          for (const n of notes) o.onNote?.(n);
        },
        (err) => {
          if (!stopped.signal.aborted)
            o.onNote?.({ level: 'warn', msg: `looking for builds of greenci processes that died failed: ${describeError(err)}` });
        },
      )
      .finally(() => {
        current = undefined;
        next();
      });
  };
  next();
  return {
    async stop() {
      stopped.abort();
      clearTimeout(timer);
      await current;
    },
  };
}
