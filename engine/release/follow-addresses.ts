import type { DockerPort } from '../docker/port.js';
import { AbortError, describeError } from '../errors.js';
import type { HostLocks } from '../host-locks.js';
import { describeReaddress, type Readdress, readdressPlan, routedReleases, type SeenApp } from '../proxy/readdress.js';
import type { Recorder } from '../recorder.js';
import { RoundLoop } from '../round-loop.js';
import { type ProductionParts, productionParts } from './release-flow.js';

/**
 * The front proxy follows app containers Docker started again on another address. A look reads the
 * routes and asks Docker where each routed release's (live, canary, warm) containers are now; when
 * one moved, the proxy is re-addressed under the production lock, audited (`proxy-readdress`) and
 * logged. A release holding the lock is never cut: the change waits for it, then looks again.
 */

/** Where each app container of the routed releases is now. */
async function seenApps(parts: ProductionParts, releases: string[]): Promise<SeenApp[]> {
  const out: SeenApp[] = [];
  for (const release of releases)
    for (const a of await parts.target.appsOf(parts.proxy.project, release))
      out.push({ release, app: a.app, running: a.running, addr: a.addr || undefined });
  return out;
}

/** The slots whose containers run elsewhere than the routes say: a look, nothing changed. */
export async function addressChanges(parts: ProductionParts): Promise<Readdress[]> {
  const routes = await parts.proxy.routes();
  if (!routes) return [];
  return readdressPlan(routes, await seenApps(parts, routedReleases(routes)));
}

/**
 * Looks (again) and re-addresses what moved, audited; returns the changes. The caller holds the
 * production lock: the look under it sees what a release that held it before has switched to.
 */
export async function readdressUnderLock(
  parts: ProductionParts,
  recorder: Recorder,
  o: { actor: string; why: string },
): Promise<Readdress[]> {
  const changes = await addressChanges(parts);
  if (!changes.length) return [];
  const project = parts.proxy.project;
  const auditId = recorder.audit({
    actor: o.actor,
    action: 'proxy-readdress',
    project,
    target: [...new Set(changes.map((c) => c.release))].join(', '),
    detail: { why: o.why, changes },
  });
  try {
    await parts.proxy.readdress(changes);
  } catch (err) {
    recorder.auditOutcome(auditId, `failed: ${describeError(err)}; tried again at the next look`);
    throw err;
  }
  recorder.auditOutcome(auditId, `the front proxy follows ${describeReaddress(changes)}`);
  return changes;
}

export interface AddressFollowerOptions {
  docker: DockerPort;
  recorder: Recorder;
  locks: HostLocks;
  dataDir: string;
  projects: () => string[];
  /** The journal (the daemon's log); absent: nothing logged. */
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * The monitor's part: a look per project whenever it asks (a container started, each round), one
 * at a time per project and coalesced (asks during a look, or during a wait for the production
 * lock, make one more look after it).
 */
export class AddressFollower {
  private readonly loops = new Map<string, RoundLoop<Readdress[]>>();
  private readonly stopped = new AbortController();

  constructor(private readonly o: AddressFollowerOptions) {}

  /** Looks at every project (or one) now, or once more after the look in progress. Resolves with the changes made. */
  async check(why: string, project?: string): Promise<Readdress[]> {
    const projects = project ? [project] : this.o.projects();
    const done = await Promise.all(projects.map((p) => this.loopOf(p).request(why)));
    return done.flatMap((c) => c ?? []);
  }

  /** Starts no more looks; one waiting for the production lock gives up. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
  }

  private loopOf(project: string): RoundLoop<Readdress[]> {
    let loop = this.loops.get(project);
    if (!loop) {
      loop = new RoundLoop({ run: (why) => this.look(project, why).catch((err) => this.failed(project, err)) });
      this.loops.set(project, loop);
    }
    return loop;
  }

  private async look(project: string, why: string): Promise<Readdress[]> {
    const parts = productionParts(this.o.docker, this.o.dataDir, project);
    // the cheap look, without the lock: the routes file and an inspect per routed container
    if (!(await addressChanges(parts)).length) return [];
    const changes = await this.o.locks.run(
      `production:${project}`,
      'pointing the front proxy at apps Docker started again elsewhere',
      () => readdressUnderLock(parts, this.o.recorder, { actor: 'greenci (monitor)', why }),
      {
        signal: this.stopped.signal,
        onWait: (m) =>
          this.o.log?.('info', `front proxy ${project}: an app runs on another address; ${m}, re-addressing after it`, { project }),
      },
    );
    if (changes.length)
      this.o.log?.(
        'warn',
        `front proxy ${project}: Docker started apps again on other addresses; re-addressed ${describeReaddress(changes)}`,
        {
          project,
          why,
        },
      );
    return changes;
  }

  private failed(project: string, err: unknown): Readdress[] {
    if (!(err instanceof AbortError))
      this.o.log?.('error', `front proxy ${project}: following the apps' addresses failed: ${describeError(err)}`, { project });
    return [];
  }
}
