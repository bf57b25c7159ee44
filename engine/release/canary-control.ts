import { NotFoundError } from '../errors.js';

/**
 * Operators' word on running canaries, in the process that runs them (the daemon, or the command
 * running the build): promote now, or abort now. The canary watch waits on it beside its checks.
 */
export type CanaryDecision = { decision: 'promote' | 'abort'; by: string };

export class CanaryControl {
  private readonly running = new Map<string, { version: string; decide: (d: CanaryDecision) => void }>();

  /** A canary of `project` begins: resolves `decided` when an operator decides; call `end` when it is over. */
  begin(project: string, version: string): { decided: Promise<CanaryDecision>; end: () => void } {
    let decide!: (d: CanaryDecision) => void;
    const decided = new Promise<CanaryDecision>((resolve) => (decide = resolve));
    this.running.set(project, { version, decide });
    return { decided, end: () => this.running.get(project)?.decide === decide && this.running.delete(project) };
  }

  /** Promotes or aborts the project's canary now; NotFoundError when none runs here. Returns its version. */
  decide(project: string, d: CanaryDecision): string {
    const c = this.running.get(project);
    if (!c) throw new NotFoundError(`no canary of ${project} is running in this greenci process`);
    c.decide(d);
    return c.version;
  }
}
