import { oneLine } from '../format/printable.js';
import type { ProductionHold } from '../../engine/model.js';
import type { Row } from '../format/row.js';
import type { CanaryChoice } from './canary-choice.js';

export const PANES = ['environments', 'builds', 'containers', 'detail', 'releases'] as const;
export type PaneId = (typeof PANES)[number];
export type ListPane = Exclude<PaneId, 'detail'>;
export const LIST_PANES: ListPane[] = ['environments', 'builds', 'containers', 'releases'];

export const PANE_TITLE: Record<PaneId, string> = {
  environments: 'Environments',
  builds: 'Builds',
  containers: 'Containers',
  detail: 'Detail',
  releases: 'Releases',
};

/** What the Detail pane shows; `opened` counts Enter presses, so opening the same subject again starts its stream again. */
export type Detail = ({ kind: 'build'; id: number } | { kind: 'container'; id: string; name: string }) & { opened?: number };

/** The release dialog: what `p` offers for one project (a build to release, the hold to lift, or both). */
export interface ReleaseOverlay {
  kind: 'confirm-release';
  project: string;
  /** What production runs now. */
  from?: string;
  /** The build `y` releases (`version`: the release it already made, when it did). */
  build?: { id: number; sha: string; subject?: string; version?: string };
  /** The hold `y` (or `l` alone) lifts. */
  hold?: Pick<ProductionHold, 'by' | 'reason' | 'since'>;
  /** The operator's own canary for this release (`c` turns it on and off); absent: greenci.yml's release policy. */
  canary?: CanaryChoice;
}

/** The canary dialog (`+` promote, `-` abort): the running canary it is about, as the snapshot had it. */
export interface CanaryOverlay {
  kind: 'confirm-canary';
  project: string;
  decision: 'promote' | 'abort';
  version: string;
  /** The live release, taking the rest of the requests. */
  live: string;
  weight: number;
}

export type Overlay =
  | { kind: 'help' }
  | { kind: 'trigger-project'; projects: string[]; index: number }
  | { kind: 'trigger-branch'; project: string; branches?: string[]; error?: string; index: number; typed: string }
  /** `dataNote`: the target is older than production's data (views/format/data-age.ts). */
  | { kind: 'confirm-rollback'; project: string; from?: string; to: string; dataNote?: string }
  | ReleaseOverlay
  | CanaryOverlay
  | { kind: 'confirm-quit'; running: number[] };

export interface StatusMessage {
  text: string;
  tone: 'info' | 'ok' | 'error';
  at: number;
}

/** Everything the console shows besides the engine's data: focus, cursors, filters, dialogs, messages. */
export interface UiState {
  focus: PaneId;
  /** Where Esc from the Detail pane goes back to. */
  back: ListPane;
  /** The selected row's key per list pane (selection follows the row as the list changes) and its last index. */
  selected: Record<ListPane, { key?: string; index: number }>;
  filter: Record<ListPane, string>;
  /** The pane whose filter is being typed. */
  filtering?: ListPane;
  detail?: Detail;
  /** Lines scrolled up from the end of the Detail log; 0 follows it. */
  detailScroll: number;
  /** The project the Releases pane shows. */
  releasesProject?: string;
  /** `r` was pressed before this project's releases arrived: place the cursor when they do. */
  pickPending?: string;
  overlay?: Overlay;
  status?: StatusMessage;
  /** A production change in progress, named ("production green: v0.3.1 -> v0.2.0"), with its latest progress line. */
  busy?: { title: string; line?: string; since: number };
}

export function initialUi(): UiState {
  const sel = () => ({ index: 0 });
  return {
    focus: 'environments',
    back: 'environments',
    selected: { environments: sel(), builds: sel(), containers: sel(), releases: sel() },
    filter: { environments: '', builds: '', containers: '', releases: '' },
    detailScroll: 0,
  };
}

/** The selected row's index in `rows`: the same row as before if it is still there, else the nearest. */
export function selectedIndex(ui: UiState, pane: ListPane, rows: Row[]): number {
  if (!rows.length) return -1;
  const sel = ui.selected[pane];
  if (sel.key !== undefined) {
    const i = rows.findIndex((r) => r.key === sel.key);
    if (i >= 0) return i;
  }
  return Math.max(0, Math.min(sel.index, rows.length - 1));
}

export function select(ui: UiState, pane: ListPane, rows: Row[], index: number): UiState {
  if (!rows.length) return ui;
  const i = Math.max(0, Math.min(index, rows.length - 1));
  return { ...ui, selected: { ...ui.selected, [pane]: { key: rows[i].key, index: i } } };
}

/** A status line message; text from elsewhere (errors, app output) arrives as one clean line. */
export const say = (ui: UiState, text: string, tone: StatusMessage['tone'] = 'info', now = Date.now()): UiState => ({
  ...ui,
  status: { text: oneLine(text), tone, at: now },
});
