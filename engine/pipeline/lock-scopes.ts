import type { BuildContext } from './context.js';
import type { LockScope, StageName } from './plan.js';

/**
 * Holds one build's lock scopes for the runner: a scope's lock is taken as its first stage starts
 * (a wait is told in that stage's log) and let go after its last stage, or at once when the build
 * stops early. Never held past the build: the runner lets go of everything when it ends.
 */
export class ScopeLocks {
  private readonly held = new Map<LockScope['lock'], () => void>();

  constructor(
    private readonly ctx: BuildContext,
    private readonly scopes: readonly LockScope[],
  ) {}

  /** Takes the lock of every scope that begins at this stage; waiting may be cancelled. */
  async enter(stage: StageName, signal: AbortSignal): Promise<void> {
    const ctx = this.ctx;
    for (const scope of this.scopes.filter((s) => s.first === stage)) {
      const release = await ctx.deps.locks.acquire(`${scope.lock}:${ctx.project}`, purposeOf(scope, ctx), {
        signal,
        onWait: (m) => ctx.log(m),
      });
      this.held.set(scope.lock, release);
    }
  }

  /** Lets go of every scope that ends at this stage, which has just succeeded. */
  leave(stage: StageName): void {
    for (const scope of this.scopes.filter((s) => s.last === stage)) this.letGo(scope.lock);
  }

  /** Lets go of everything held: a stage failed or was cancelled, or the build ends. */
  releaseAll(): void {
    for (const lock of [...this.held.keys()]) this.letGo(lock);
  }

  private letGo(lock: LockScope['lock']): void {
    this.held.get(lock)?.();
    this.held.delete(lock);
  }
}

/** What a waiter is told this build is doing with the lock (stored with the lease). */
function purposeOf(scope: LockScope, ctx: BuildContext): string {
  return scope.lock === 'production' ? `build #${ctx.buildId} releasing ${ctx.commit!.sha.slice(0, 12)}` : `build #${ctx.buildId}`;
}
