import type { Key } from 'ink';
import type { CanaryState } from '../../engine/model.js';
import { type CanaryOverlay, say, type UiState } from './state.js';

/** What the canary dialog asks for once confirmed. */
export type CanaryEffect = { type: 'canary'; project: string; decision: 'promote' | 'abort'; version: string; live: string };

/**
 * `+` (promote) and `-` (abort): the dialog for the selected project's running canary; when that
 * project runs none and exactly one other does, that one. Pure. Not refused while a production
 * change of this console runs: a canary is one (a release `p` started), and deciding it is how it ends early.
 */
export function openCanary(
  ui: UiState,
  o: { project?: string; canaries: Record<string, CanaryState>; decision: 'promote' | 'abort' },
): UiState {
  const running = Object.values(o.canaries).filter((c) => !c.outcome);
  const c = running.find((x) => x.project === o.project) ?? (running.length === 1 ? running[0] : undefined);
  if (!c)
    return say(
      ui,
      running.length
        ? `no canary of ${o.project} is running: select the project whose canary to ${o.decision} (running: ${running.map((x) => x.project).join(', ')})`
        : `no canary is running: nothing to ${o.decision}`,
      'error',
    );
  const overlay: CanaryOverlay = {
    kind: 'confirm-canary',
    project: c.project,
    decision: o.decision,
    version: c.version,
    live: c.live,
    weight: c.weight,
  };
  return { ...ui, overlay };
}

/** Keys in the canary dialog: `y` promotes (or aborts) it now, `n`/Esc leaves it running. */
export function canaryDialogKey(ui: UiState, o: CanaryOverlay, input: string, key: Key): { ui: UiState; effects: CanaryEffect[] } {
  const close = { ...ui, overlay: undefined };
  if (input === 'y' || input === 'Y')
    return { ui: close, effects: [{ type: 'canary', project: o.project, decision: o.decision, version: o.version, live: o.live }] };
  if (input === 'n' || key.escape || input === 'q') return { ui: say(close, `canary ${o.version} left running`, 'info'), effects: [] };
  return { ui, effects: [] };
}
