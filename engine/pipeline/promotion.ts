import { formatTime } from '../duration.js';
import { NotFoundError, UsageError } from '../errors.js';
import type { BuildRecord, ProductionHold } from '../model.js';

/**
 * Whether a production-branch build that passed its tests may change production: pure decisions
 * promote and `greenci release` share. greenci promotes on someone's behalf (a push, an operator),
 * never on its own: not while production is held, not a build crash recovery queued again, and not
 * a build that a process standing in for the daemon (a console or command with no daemon) found
 * in the queue without being asked for it.
 */

/** What promote knows about who a build runs for. */
export interface PromotionAsk {
  buildId: number;
  project: string;
  /** What started it: `push`, `manual`, `retry`, `reconcile`, `recovery`, `requeue`, `release`. */
  trigger: string;
  /** The engine runs in a console or one-shot command because no daemon does. */
  standIn: boolean;
}

/** Triggers an operator asked for where they stand: what a stand-in for the daemon promotes. */
const ASKED: ReadonlySet<string> = new Set(['manual', 'retry', 'release']);

/** The command that releases a build that was not promoted. */
export const releaseCommand = (project: string, buildId: number): string => `greenci release ${project} --build ${buildId}`;

/** How a hold reads wherever it is shown: `held since 2026-11-28 14:03:05 by bob (rolled back from v0.4.0 to v0.3.0)`. */
export function holdText(h: Pick<ProductionHold, 'since' | 'by' | 'reason'>): string {
  return `held since ${formatTime(h.since)} by ${h.by} (${h.reason})`;
}

/**
 * Why this build is not promoted, as the sentence its build and its email carry; undefined when it
 * may be. A `greenci release` build is the operator's explicit word: nothing blocks it.
 */
export function promotionBlock(b: PromotionAsk, hold: ProductionHold | undefined): string | undefined {
  if (b.trigger === 'release') return undefined;
  const how = releaseCommand(b.project, b.buildId);
  if (hold) return `not released: production is ${holdText(hold)}; \`${how}\` releases it and lifts the hold`;
  if (b.trigger === 'recovery')
    return `not released: crash recovery queued it again, and greenci does not promote on its own behalf; \`${how}\` releases it`;
  if (b.standIn && !ASKED.has(b.trigger))
    return `not released: greenci ran it without a daemon (trigger ${b.trigger}) and does not promote on its own behalf; \`${how}\` releases it`;
  return undefined;
}

/** Why a rollback puts a hold on: the words the hold carries. */
export function rollbackHoldReason(from: string | undefined, to: string): string {
  return from ? `rolled back from ${from} to ${to}` : `rolled back to ${to}`;
}

/**
 * Which build `greenci release` releases: the named one (`named`), else the newest that passed on
 * the production branch (`b` is what the store found). Only a production-branch build that passed
 * is released; anything else is refused, saying why.
 */
export function checkReleasable(
  b: BuildRecord | undefined,
  o: { project: string; productionBranch: string; named?: number },
): BuildRecord & { sha: string } {
  const which = o.named === undefined ? undefined : `build #${o.named}`;
  if (!b || b.project !== o.project) {
    if (which) throw new NotFoundError(`no ${which} of ${o.project}`);
    throw new UsageError(
      `no ${o.productionBranch} build of ${o.project} has passed yet: nothing to release (greenci release ${o.project} --lift lifts the hold alone)`,
    );
  }
  if (b.branch !== o.productionBranch)
    throw new UsageError(`build #${b.id} is of branch ${b.branch}: only builds of ${o.productionBranch} go to production`);
  if (b.status !== 'success' || !b.sha)
    throw new UsageError(
      `build #${b.id} ${b.status === 'failed' ? 'failed' : `is ${b.status}`}: only a build that passed its tests is released`,
    );
  return b as BuildRecord & { sha: string };
}
