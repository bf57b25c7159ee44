import type { Key } from 'ink';
import type { BuildRecord, ProductionHold } from '../../engine/model.js';
import { defaultCanary, stepDuration, stepWeight, typeWeight } from './canary-choice.js';
import { type ReleaseOverlay, say, type UiState } from './state.js';

/** What the release dialog asks for once confirmed; `canary`: the operator's, instead of greenci.yml's release policy. */
export type ReleaseEffect =
  | { type: 'release'; project: string; build: number; canary?: { weight: number; forMs: number } }
  | { type: 'lift-hold'; project: string };

/**
 * The build `p` offers to release: the selected build when it is a production-branch build that
 * passed (its plan promotes), else the project's newest such build. Pure.
 */
export function releaseCandidate(builds: BuildRecord[], project: string, selected?: number): BuildRecord | undefined {
  const releasable = (b: BuildRecord) =>
    b.project === project && b.status === 'success' && !!b.sha && b.stages.some((s) => s.name === 'promote');
  const picked = builds.find((b) => b.id === selected);
  if (picked && releasable(picked)) return picked;
  return builds.filter(releasable).sort((a, b) => b.id - a.id)[0];
}

/** `p`: the release dialog for the selected project, or why there is nothing to do. */
export function openRelease(
  ui: UiState,
  o: {
    project?: string;
    selectedBuild?: number;
    builds: BuildRecord[];
    holds: Record<string, ProductionHold>;
    live?: string;
    busy: boolean;
  },
): UiState {
  if (!o.project) return say(ui, 'no projects in the config', 'error');
  if (o.busy) return say(ui, 'a production change is already in progress', 'error');
  const b = releaseCandidate(o.builds, o.project, o.selectedBuild);
  const hold = o.holds[o.project];
  if (!b && !hold) return say(ui, `no production build of ${o.project} has passed yet: nothing to release`, 'error');
  const overlay: ReleaseOverlay = {
    kind: 'confirm-release',
    project: o.project,
    from: o.live,
    build: b && { id: b.id, sha: b.sha!, subject: b.commitSubject, ...(b.version ? { version: b.version } : {}) },
    hold: hold && { by: hold.by, reason: hold.reason, since: hold.since },
  };
  return { ...ui, overlay };
}

/** Why the release dialog offers no canary: one shares production with a live release other than the one it releases. */
export function noCanaryReason(o: ReleaseOverlay): string | undefined {
  if (!o.build) return 'nothing to release';
  if (!o.from) return 'nothing live to share requests with';
  if (o.build.version === o.from) return `build #${o.build.id} is ${o.from}, already live`;
  return undefined;
}

/**
 * Keys in the release dialog: `y` releases (and lifts), `l` lifts the hold alone, `n`/Esc leaves
 * production as it is. `c` makes it a canary of the operator's choosing (only beside a live release,
 * which keeps the rest of the requests): ←/→ or digits its share, ↑/↓ its duration; `c` again drops it.
 */
export function releaseDialogKey(ui: UiState, o: ReleaseOverlay, input: string, key: Key): { ui: UiState; effects: ReleaseEffect[] } {
  const close = { ...ui, overlay: undefined };
  const c = o.canary;
  if ((input === 'y' || input === 'Y') && o.build)
    return {
      ui: close,
      effects: [{ type: 'release', project: o.project, build: o.build.id, ...(c ? { canary: { weight: c.weight, forMs: c.forMs } } : {}) }],
    };
  if (input === 'l' && o.hold) return { ui: close, effects: [{ type: 'lift-hold', project: o.project }] };
  if (input === 'n' || key.escape || input === 'q') return { ui: say(close, 'production left as it is', 'info'), effects: [] };
  const set = (canary: ReleaseOverlay['canary']) => ({ ui: { ...ui, overlay: { ...o, canary } }, effects: [] });
  if (input === 'c' && !noCanaryReason(o)) return set(c ? undefined : defaultCanary());
  if (c) {
    if (/^[0-9]$/.test(input)) return set(typeWeight(c, input));
    if (key.leftArrow || key.rightArrow) return set(stepWeight(c, key.leftArrow ? -1 : 1));
    if (key.upArrow || key.downArrow || input === 'k' || input === 'j') return set(stepDuration(c, key.upArrow || input === 'k' ? 1 : -1));
  }
  return { ui, effects: [] };
}
