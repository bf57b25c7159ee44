import { describeError } from '../errors.js';
import type { RepoCache } from '../git/repo.js';
import type { HostLocks } from '../host-locks.js';
import type { ReleaseRecord } from '../model.js';
import type { Recorder } from '../recorder.js';
import type { Note } from '../recovery.js';
import { afterFailure, roundsToWait, tagConflict, tagRound, type TagRetryState } from './tag-retry.js';

/** A push to a remote that takes the connection and never answers gives up after this. */
const PUSH_TIMEOUT_MS = 120_000;

export interface TagPusherDeps {
  recorder: Recorder;
  locks: HostLocks;
  repo(project: string): RepoCache;
}

/**
 * Pushes the git tags of releases origin has not got: all of them at a start (recovery), then on
 * each scheduled round those tag-retry's backoff says are due. Under the project's production lock
 * (never beside a build's own release stage: a round that finds production busy leaves the project
 * to the next) and its repository lock (one git operation on the cache at a time). A tag pushed is
 * marked in the releases table and recorded in the audit table.
 */
export class TagPusher {
  private readonly tries = new Map<number, TagRetryState>();
  private running?: Promise<Note[]>;
  private readonly stopped = new AbortController();

  constructor(private readonly deps: TagPusherDeps) {}

  /** One round over the projects; `start` forgets the backoff and tries every pending tag. A round asked for while one runs is dropped. */
  round(projects: string[], why: 'start' | 'schedule'): Promise<Note[]> {
    if (this.running || this.stopped.signal.aborted) return Promise.resolve([]);
    this.running = this.roundOf(projects, why).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the push in progress (the engine is closing); no round starts after. */
  close(): void {
    this.stopped.abort();
  }

  private async roundOf(projects: string[], why: 'start' | 'schedule'): Promise<Note[]> {
    if (why === 'start') this.tries.clear();
    const notes: Note[] = [];
    for (const project of projects) {
      if (this.stopped.signal.aborted) break;
      try {
        notes.push(...(await this.project(project)));
      } catch (err) {
        if (!this.stopped.signal.aborted)
          notes.push({ level: 'warn', project, msg: `pushing the release tags of ${project} failed: ${describeError(err)}` });
      }
    }
    return notes;
  }

  private async project(project: string): Promise<Note[]> {
    const store = this.deps.recorder.read;
    const due = store.releases.untagged(project).filter((r) => {
      const d = tagRound(this.tries.get(r.id));
      if (d.state) this.tries.set(r.id, d.state);
      return d.attempt;
    });
    if (!due.length) return [];
    // a build between promote and its tag holds production and pushes its own tag; the next round looks again
    if (store.leases.holder(`production:${project}`)) return [];
    const { locks } = this.deps;
    const opts = { signal: this.stopped.signal };
    return locks.run(
      `production:${project}`,
      'pushing release tags origin has not got',
      () =>
        locks.run(
          `repo:${project}`,
          'pushing release tags',
          async () => {
            const notes: Note[] = [];
            for (const r of due) {
              const current = store.releases.release(r.id);
              if (this.stopped.signal.aborted || !current || current.tagPushed) continue;
              notes.push(await this.push(current));
            }
            return notes;
          },
          opts,
        ),
      opts,
    );
  }

  private async push(r: ReleaseRecord): Promise<Note> {
    const repo = this.deps.repo(r.project);
    const signal = AbortSignal.any([this.stopped.signal, AbortSignal.timeout(PUSH_TIMEOUT_MS)]);
    const said = { project: r.project, buildId: r.buildId };
    let already = false;
    try {
      // the cache may have lost the commit (a cache removed by hand): fetch it again first
      await repo.resolveCommit(r.sha).catch(() => repo.sync(signal));
      await repo.tagAndPush(r.version, r.sha, `greenci release ${r.version} (build #${r.buildId ?? '?'})`, signal);
    } catch (err) {
      if (this.stopped.signal.aborted) throw err;
      const why = describeError(err).split('\n')[0];
      // a push that went through before greenci died is on origin already; one on another commit never will be
      const originHas = await repo.remoteTagTarget(r.version, signal).catch(() => undefined);
      if (originHas !== r.sha) {
        const stuck = tagConflict(r.version, r.sha, originHas);
        const state = afterFailure(this.tries.get(r.id), stuck);
        this.tries.set(r.id, state);
        if (stuck) {
          this.deps.recorder.audit({
            actor: 'greenci',
            action: 'tag',
            project: r.project,
            target: r.version,
            outcome: `failed: ${stuck}`,
            detail: { sha: r.sha, buildId: r.buildId },
          });
          return { ...said, level: 'error', msg: `release tag ${r.version} of ${r.project} cannot be pushed: ${stuck}` };
        }
        const rounds = roundsToWait(state.failures) + 1;
        return {
          ...said,
          level: 'warn',
          msg: `release tag ${r.version} of ${r.project} still not pushed (${why}); greenci tries again in ${rounds} reconciliation round${rounds === 1 ? '' : 's'}`,
        };
      }
      already = true;
    }
    this.deps.recorder.tagPushed(r.id);
    this.tries.delete(r.id);
    const outcome = already ? 'origin had it already' : 'pushed';
    this.deps.recorder.audit({
      actor: 'greenci',
      action: 'tag',
      project: r.project,
      target: r.version,
      outcome,
      detail: { sha: r.sha, buildId: r.buildId },
    });
    return {
      ...said,
      level: 'info',
      msg: `release tag ${r.version} of ${r.project} ${already ? 'found on origin already' : 'pushed to origin'} (it was not pushed when ${r.version} was released)`,
    };
  }
}
