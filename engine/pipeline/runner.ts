import { AbortError, BugError, Cancellation, describeError, StageError } from '../errors.js';
import type { BuildOutcome, BuildRecord } from '../model.js';
import type { BuildContext, Stage } from './context.js';
import { ScopeLocks } from './lock-scopes.js';
import { planLockScopes, type LockScope, type PlannedStage, type StageName } from './plan.js';
import { STAGES } from './stages/index.js';

const NEVER = new AbortController().signal;

/** What a build runs besides its planned stages; both default to the real thing (tests pass their own). */
export interface RunOptions {
  /** The lock scopes to hold: by default those the plan declares over the planned stages. */
  scopes?: LockScope[];
  /** Each stage by name. */
  stages?: Record<StageName, Stage>;
}

/**
 * Carries out a build's planned stages in order, recording each stage's start, end, status and
 * error as it happens. After a failure the remaining stages are marked skipped; after a cancel,
 * cancelled; after a stage said production must not change (`ctx.notReleased`), skipped, and the
 * build ends a success that was not released, saying why. It holds the plan's lock scopes: a scope's lock from before its first stage until
 * after its last, let go at once when the build stops early. Cleanups (worktrees) always run.
 */
export async function runStages(
  ctx: BuildContext,
  planned: PlannedStage[],
  signal: AbortSignal,
  drain: AbortSignal = NEVER,
  opts: RunOptions = {},
): Promise<BuildRecord> {
  const rec = ctx.deps.recorder;
  const locks = new ScopeLocks(ctx, opts.scopes ?? planLockScopes(planned));
  const stages = opts.stages ?? STAGES;
  rec.build(ctx.buildId, { status: 'running', startedAt: Date.now() });
  // the loop below goes over `plan`: a stage added while it runs is carried out after the others
  const plan = [...planned];
  ctx.planStage = (s) => {
    if (plan.some((p) => p.name === s.name)) return;
    plan.push(s);
    rec.stagePlanned(ctx.buildId, s.name, s.title);
  };
  let outcome: { status: 'success' } | { status: 'failed' | 'cancelled'; reason: string; kind?: BuildOutcome } = { status: 'success' };
  let productionStarted = false;
  try {
    for (const { name } of plan) {
      // after a failure or cancel the rest does not run; after promote said production must not change, neither does it
      if (outcome.status !== 'success' || ctx.notReleased) {
        rec.stage(ctx.buildId, name, { status: outcome.status === 'cancelled' ? 'cancelled' : 'skipped' });
        continue;
      }
      const stage = stages[name];
      // once production is being changed, the production stages after it run to the end
      if ((signal.aborted || drain.aborted) && !(productionStarted && stage.uninterruptible)) {
        const by = signal.aborted ? signal : drain;
        const why = reasonOf(by);
        outcome = { status: 'cancelled', reason: `cancelled before ${name}${why ? `: ${why}` : ''}`, kind: cancelKind(by) };
        locks.releaseAll();
        rec.stage(ctx.buildId, name, { status: 'cancelled' });
        continue;
      }
      productionStarted ||= stage.uninterruptible === true;
      rec.stage(ctx.buildId, name, { status: 'running', startedAt: Date.now() });
      ctx.log = (line, stream = 'stdout') => rec.log(ctx.buildId, name, stream, line);
      const stageSignal = stage.uninterruptible ? NEVER : signal;
      try {
        await locks.enter(name, stageSignal);
        await stage.run(ctx, stageSignal);
        locks.leave(name);
        // nothing more will happen under its scopes: production is let go now
        if (ctx.notReleased) locks.releaseAll();
        rec.stage(ctx.buildId, name, { status: 'success', finishedAt: Date.now() });
      } catch (err) {
        // a stage that fails or is cancelled ends the build: its scopes end with it, now
        locks.releaseAll();
        const cancelled = err instanceof AbortError || (signal.aborted && !stage.uninterruptible);
        const message = cancelled ? 'cancelled' : describeError(err);
        if (err instanceof BugError || !(err instanceof Error) || err.name === 'Error' || err.name === 'TypeError') {
          ctx.log(`internal error: ${(err as Error)?.stack ?? String(err)}`, 'system');
        }
        rec.stage(ctx.buildId, name, { status: cancelled ? 'cancelled' : 'failed', finishedAt: Date.now(), error: message });
        const why = reasonOf(signal);
        outcome = cancelled
          ? { status: 'cancelled', reason: `cancelled during ${name}${why ? `: ${why}` : ''}`, kind: cancelKind(signal) }
          : { status: 'failed', reason: `${name}: ${message}`, kind: err instanceof StageError ? err.outcome : undefined };
      }
    }
  } finally {
    locks.releaseAll();
    for (const cleanup of ctx.cleanups.reverse()) {
      await cleanup().catch((err) => rec.log(ctx.buildId, undefined, 'system', `cleanup failed: ${describeError(err)}`));
    }
  }
  const ended =
    outcome.status !== 'success'
      ? { reason: outcome.reason, outcome: outcome.kind }
      : ctx.notReleased
        ? { reason: ctx.notReleased, outcome: 'not-released' as const }
        : {};
  return rec.build(ctx.buildId, { status: outcome.status, ...ended, finishedAt: Date.now() });
}

/** The sentence a canceller gave (`abort(new Cancellation('superseded', 'superseded by #12'))`), if any. */
function reasonOf(signal: AbortSignal): string | undefined {
  return typeof signal.reason === 'string' || signal.reason instanceof Cancellation ? String(signal.reason) : undefined;
}

/** What kind of cancel it was, as data: a shutdown's builds are queued again, a superseded one is not. */
function cancelKind(signal: AbortSignal): BuildOutcome {
  return signal.reason instanceof Cancellation ? signal.reason.kind : 'cancelled';
}
