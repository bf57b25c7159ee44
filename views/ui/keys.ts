import type { Key } from 'ink';
import type { BuildRecord, CanaryState, ProductionHold, ReleaseRecord } from '../../engine/model.js';
import type { Row } from '../format/row.js';
import { rollbackDataNote } from '../format/data-age.js';
import { type CanaryEffect, canaryDialogKey, openCanary } from './canary-key.js';
import { openRelease, type ReleaseEffect, releaseDialogKey } from './release-key.js';
import { PANES, say, select, selectedIndex, type ListPane, type PaneId, type UiState } from './state.js';

/** What a key press asks the console to do beyond changing its own state. */
export type Effect =
  | { type: 'trigger'; project: string; branch: string }
  | { type: 'load-branches'; project: string }
  | { type: 'cancel'; id: number }
  | { type: 'retry'; id: number }
  | { type: 'rollback'; project: string; from?: string; to: string }
  | ReleaseEffect
  | CanaryEffect
  | { type: 'quit'; force?: boolean };

/** What the key handler needs to know about the screen as it is now. */
export interface KeyContext {
  /** Each list pane's rows after its filter, as shown. */
  rows: Record<ListPane, Row[]>;
  projects: string[];
  releases: Record<string, { releases: ReleaseRecord[]; live?: ReleaseRecord } | undefined>;
  /** The snapshot's builds (newest first) and holds: what `p` offers to release. */
  builds: BuildRecord[];
  holds: Record<string, ProductionHold>;
  /** The canaries running now, per project (the snapshot's): what `+` and `-` decide. */
  canaries: Record<string, CanaryState>;
  /** The version each project's production runs. */
  live: Record<string, string | undefined>;
  /** Rows a page moves. */
  page: number;
  /** Builds running in this process (in-process mode); quitting stops them. */
  runningHere: number[];
  /** Whether a production change is in progress (a second one is refused; in-process, quitting waits for it). */
  busy: boolean;
  /** Attached to a daemon: a production change this console asked for goes on there when it quits. */
  attached: boolean;
  /** Lines the Detail pane holds, and how many it shows: scrolling stops at the top. */
  detailLines: number;
  detailRoom: number;
}

export interface Transition {
  ui: UiState;
  effects: Effect[];
}

const none = (ui: UiState): Transition => ({ ui, effects: [] });

/** The selected row of the focused list pane (or the Detail's subject). */
export function selectedRow(ui: UiState, ctx: KeyContext, pane: PaneId = ui.focus): Row | undefined {
  if (pane === 'detail') {
    const d = ui.detail;
    if (!d) return undefined;
    return d.kind === 'build'
      ? (ctx.rows.builds.find((r) => r.buildId === d.id) ?? { key: 'd', segments: [], text: '', buildId: d.id })
      : { key: 'd', segments: [], text: '', containerId: d.id, containerName: d.name };
  }
  const rows = ctx.rows[pane];
  const i = selectedIndex(ui, pane, rows);
  return i >= 0 ? rows[i] : undefined;
}

/** The project an action is about: the selected row's, else the Releases pane's, else the first. */
function selectedProject(ui: UiState, ctx: KeyContext): string | undefined {
  return selectedRow(ui, ctx)?.project ?? ui.releasesProject ?? ctx.projects[0];
}

/** The one place keys become state changes and effects: pure, so every flow is testable without a terminal. */
export function onKey(ui: UiState, input: string, key: Key, ctx: KeyContext): Transition {
  // Ctrl-C quits from anywhere, but asks first where q would
  if (key.ctrl && input === 'c') return quit({ ...ui, overlay: undefined, filtering: undefined }, ctx);
  if (ui.overlay) return overlayKey(ui, input, key);
  if (ui.filtering) return filterKey(ui, ui.filtering, input, key);

  if (key.tab) return none(focus(ui, PANES[(PANES.indexOf(ui.focus) + (key.shift ? PANES.length - 1 : 1)) % PANES.length]));
  if (/^[1-5]$/.test(input)) return none(focus(ui, PANES[Number(input) - 1]));
  if (input === '?') return none({ ...ui, overlay: { kind: 'help' } });
  if (input === 'q') return quit(ui, ctx);

  if (ui.focus === 'detail') {
    const top = Math.max(0, ctx.detailLines - ctx.detailRoom);
    if (key.upArrow || input === 'k') return none({ ...ui, detailScroll: Math.min(top, ui.detailScroll + 1) });
    if (key.downArrow || input === 'j') return none({ ...ui, detailScroll: Math.max(0, ui.detailScroll - 1) });
    if (key.pageUp) return none({ ...ui, detailScroll: Math.min(top, ui.detailScroll + ctx.page) });
    if (key.pageDown) return none({ ...ui, detailScroll: Math.max(0, ui.detailScroll - ctx.page) });
    if (key.end || input === 'G') return none({ ...ui, detailScroll: 0 });
    if (key.escape) return none(focus(ui, ui.back));
  } else {
    const pane = ui.focus;
    const rows = ctx.rows[pane];
    const i = selectedIndex(ui, pane, rows);
    if (key.upArrow || input === 'k') return none(select(ui, pane, rows, i - 1));
    if (key.downArrow || input === 'j') return none(select(ui, pane, rows, i + 1));
    if (key.pageUp) return none(select(ui, pane, rows, i - ctx.page));
    if (key.pageDown) return none(select(ui, pane, rows, i + ctx.page));
    if (key.home || input === 'g') return none(select(ui, pane, rows, 0));
    if (key.end || input === 'G') return none(select(ui, pane, rows, rows.length - 1));
    if (input === '/') return none({ ...ui, filtering: pane });
    if (key.escape) return none(ui.filter[pane] ? { ...ui, filter: { ...ui.filter, [pane]: '' } } : ui);
    if (pane === 'releases' && (key.leftArrow || key.rightArrow || input === 'h' || input === 'l'))
      return none(cycleProject(ui, ctx, key.leftArrow || input === 'h' ? -1 : 1));
    if (key.return) return enter(ui, pane, rows[i], ctx);
  }

  if (input === 't') {
    if (!ctx.projects.length) return none(say(ui, 'no projects in the config', 'error'));
    if (ctx.projects.length === 1)
      return {
        ui: { ...ui, overlay: { kind: 'trigger-branch', project: ctx.projects[0], index: 0, typed: '' } },
        effects: [{ type: 'load-branches', project: ctx.projects[0] }],
      };
    return none({
      ...ui,
      overlay: {
        kind: 'trigger-project',
        projects: ctx.projects,
        index: Math.max(0, ctx.projects.indexOf(selectedProject(ui, ctx) ?? '')),
      },
    });
  }
  if (input === 'c' || input === 'R') {
    const b = selectedRow(ui, ctx)?.buildId;
    if (b === undefined)
      return none(say(ui, `select a build first (2 focuses Builds) to ${input === 'c' ? 'cancel' : 'retry'} it`, 'error'));
    return { ui, effects: [input === 'c' ? { type: 'cancel', id: b } : { type: 'retry', id: b }] };
  }
  if (input === 'r') return openPicker(ui, ctx);
  if (input === 'p') {
    const project = selectedProject(ui, ctx);
    return none(
      openRelease(ui, {
        project,
        selectedBuild: selectedRow(ui, ctx)?.buildId,
        builds: ctx.builds,
        holds: ctx.holds,
        live: project ? ctx.live[project] : undefined,
        busy: ctx.busy,
      }),
    );
  }
  if (input === '+' || input === '-')
    return none(
      openCanary(ui, { project: selectedProject(ui, ctx), canaries: ctx.canaries, decision: input === '+' ? 'promote' : 'abort' }),
    );
  return none(ui);
}

/**
 * Quitting leaves a daemon running, and a production change it asked of the daemon (a 30-minute
 * canary too) goes on there; in-process it stops this console's builds (asked first), and never
 * cuts a production change short.
 */
function quit(ui: UiState, ctx: KeyContext): Transition {
  if (ctx.busy && !ctx.attached) return none(say(ui, 'a production change is in progress: quit when it has finished', 'error'));
  if (ctx.runningHere.length) return none({ ...ui, overlay: { kind: 'confirm-quit', running: ctx.runningHere } });
  return { ui, effects: [{ type: 'quit' }] };
}

function focus(ui: UiState, pane: PaneId): UiState {
  return { ...ui, focus: pane, back: pane === 'detail' ? ui.back : pane };
}

function cycleProject(ui: UiState, ctx: KeyContext, step: number): UiState {
  if (!ctx.projects.length) return ui;
  const at = ctx.projects.indexOf(ui.releasesProject ?? ctx.projects[0]);
  const project = ctx.projects[(at + step + ctx.projects.length) % ctx.projects.length];
  return { ...ui, releasesProject: project, selected: { ...ui.selected, releases: { index: 0 } } };
}

function enter(ui: UiState, pane: ListPane, r: Row | undefined, ctx: KeyContext): Transition {
  if (!r) return none(ui);
  if (pane === 'releases') return confirmRollback(ui, r, ctx);
  const opened = (ui.detail?.opened ?? 0) + 1;
  if (r.buildId !== undefined)
    return none({ ...ui, detail: { kind: 'build', id: r.buildId, opened }, detailScroll: 0, focus: 'detail', back: pane });
  if (r.containerId)
    return none({
      ...ui,
      detail: { kind: 'container', id: r.containerId, name: r.containerName ?? r.containerId, opened },
      detailScroll: 0,
      focus: 'detail',
      back: pane,
    });
  return none(ui);
}

/** Where the picker's cursor starts: on the release before the live one (the usual rollback), else the newest. */
export function pickerSelection(
  project: string,
  known: { releases: ReleaseRecord[]; live?: ReleaseRecord },
): { key?: string; index: number } {
  const list = known.releases;
  const liveAt = list.findIndex((r) => r.id === known.live?.id);
  const index = liveAt >= 0 && liveAt + 1 < list.length ? liveAt + 1 : Math.max(0, liveAt);
  return { key: list[index] ? `release:${project}:${list[index].id}` : undefined, index };
}

/** `r`: the Releases pane for the selected project, the cursor on the release before the live one. */
function openPicker(ui: UiState, ctx: KeyContext): Transition {
  const project = selectedProject(ui, ctx);
  if (!project) return none(say(ui, 'no projects in the config', 'error'));
  const known = ctx.releases[project];
  const next: UiState = {
    ...ui,
    focus: 'releases',
    back: 'releases',
    releasesProject: project,
    filter: { ...ui.filter, releases: '' },
    pickPending: known ? undefined : project,
  };
  if (!known) return none(say({ ...next, selected: { ...next.selected, releases: { index: 0 } } }, 'loading releases…'));
  const msg =
    known.releases.length < 2
      ? `${project} has no earlier release to roll back to`
      : `pick the release for production ${project}, Enter to roll back`;
  return none(
    say(
      { ...next, selected: { ...next.selected, releases: pickerSelection(project, known) } },
      msg,
      known.releases.length < 2 ? 'error' : 'info',
    ),
  );
}

function confirmRollback(ui: UiState, r: Row, ctx: KeyContext): Transition {
  if (!r.project || !r.version) return none(ui);
  if (ctx.busy) return none(say(ui, 'a production change is already in progress', 'error'));
  const known = ctx.releases[r.project];
  const live = known?.live;
  if (live?.version === r.version) return none(say(ui, `${r.version} is already live in production ${r.project}`, 'error'));
  const target = known?.releases.find((x) => x.version === r.version);
  const dataNote = target && known ? rollbackDataNote(target, known.releases, live?.id) : undefined;
  return none({ ...ui, overlay: { kind: 'confirm-rollback', project: r.project, from: live?.version, to: r.version, dataNote } });
}

function filterKey(ui: UiState, pane: ListPane, input: string, key: Key): Transition {
  const text = ui.filter[pane];
  if (key.escape) return none({ ...ui, filtering: undefined, filter: { ...ui.filter, [pane]: '' } });
  if (key.return) return none({ ...ui, filtering: undefined });
  if (key.backspace || key.delete) return none({ ...ui, filter: { ...ui.filter, [pane]: text.slice(0, -1) } });
  if (key.ctrl || key.meta || !input || /[\x00-\x1f\x7f]/.test(input)) return none(ui);
  return none({ ...ui, filter: { ...ui.filter, [pane]: text + input }, selected: { ...ui.selected, [pane]: { index: 0 } } });
}

function overlayKey(ui: UiState, input: string, key: Key): Transition {
  const o = ui.overlay!;
  const close = (u: UiState = ui): UiState => ({ ...u, overlay: undefined });
  switch (o.kind) {
    case 'help':
      return none(close());
    case 'confirm-quit':
      if (input === 'y' || input === 'q') return { ui: close(), effects: [{ type: 'quit', force: true }] };
      return none(close());
    case 'confirm-rollback':
      if (input === 'y' || input === 'Y')
        return { ui: close(), effects: [{ type: 'rollback', project: o.project, from: o.from, to: o.to }] };
      if (input === 'n' || key.escape || input === 'q') return none(say(close(), 'rollback not started', 'info'));
      return none(ui);
    case 'confirm-release':
      return releaseDialogKey(ui, o, input, key);
    case 'confirm-canary':
      return canaryDialogKey(ui, o, input, key);
    case 'trigger-project': {
      if (key.escape) return none(close());
      if (key.upArrow || input === 'k') return none({ ...ui, overlay: { ...o, index: Math.max(0, o.index - 1) } });
      if (key.downArrow || input === 'j') return none({ ...ui, overlay: { ...o, index: Math.min(o.projects.length - 1, o.index + 1) } });
      if (key.return) {
        const project = o.projects[o.index];
        return {
          ui: { ...ui, overlay: { kind: 'trigger-branch', project, index: 0, typed: '' } },
          effects: [{ type: 'load-branches', project }],
        };
      }
      return none(ui);
    }
    case 'trigger-branch': {
      const choices = branchChoices(o);
      if (key.escape) return none(close());
      if (key.upArrow) return none({ ...ui, overlay: { ...o, index: Math.max(0, o.index - 1) } });
      if (key.downArrow) return none({ ...ui, overlay: { ...o, index: Math.min(Math.max(0, choices.length - 1), o.index + 1) } });
      if (key.backspace || key.delete) return none({ ...ui, overlay: { ...o, typed: o.typed.slice(0, -1), index: 0 } });
      if (key.return) {
        const branch = choices[o.index] ?? o.typed.trim();
        if (!branch) return none(ui);
        return { ui: close(), effects: [{ type: 'trigger', project: o.project, branch }] };
      }
      if (input && !key.ctrl && !key.meta && !/[\x00-\x1f\x7f]/.test(input))
        return none({ ...ui, overlay: { ...o, typed: o.typed + input, index: 0 } });
      return none(ui);
    }
  }
}

/** The branches the trigger dialog offers: those matching what was typed; what was typed itself when none does. */
export function branchChoices(o: { branches?: string[]; typed: string }): string[] {
  const typed = o.typed.trim();
  const matching = (o.branches ?? []).filter((b) => b.toLowerCase().includes(typed.toLowerCase()));
  return matching.length || !typed ? matching : [typed];
}
