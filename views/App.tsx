import { Box, useApp, useInput, useStdin } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ConfirmQuit, ConfirmRollback } from './components/ConfirmDialog.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { HelpDialog } from './components/HelpDialog.js';
import { PaneGuard } from './components/PaneGuard.js';
import { StatusLine } from './components/StatusLine.js';
import { TabBar } from './components/TabBar.js';
import { TriggerDialog } from './components/TriggerDialog.js';
import { buildRows } from './format/build-rows.js';
import { containerRows } from './format/container-rows.js';
import { environmentRows } from './format/environment-rows.js';
import { releaseRows } from './format/release-rows.js';
import { oneLine } from './format/printable.js';
import { filterRows, safeRows, type Row } from './format/row.js';
import { useDetailLines } from './hooks/use-detail-lines.js';
import { useEngineData } from './hooks/use-engine-data.js';
import { useNow } from './hooks/use-now.js';
import { useReleases } from './hooks/use-releases.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { BuildsPane } from './panes/BuildsPane.js';
import { ContainersPane } from './panes/ContainersPane.js';
import { DetailPane, detailRoom } from './panes/DetailPane.js';
import { EnvironmentsPane } from './panes/EnvironmentsPane.js';
import { ReleasesPane } from './panes/ReleasesPane.js';
import type { ConsoleSource } from './source.js';
import { makeTheme, ThemeContext } from './theme.js';
import { onKey, pickerSelection, type Effect, type KeyContext } from './ui/keys.js';
import { innerRows, innerWidth, layout, type Box as PaneBox } from './ui/layout.js';
import { initialUi, say, selectedIndex, type ListPane, type PaneId, type UiState } from './ui/state.js';

export interface AppProps {
  source: ConsoleSource;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
  env?: NodeJS.ProcessEnv;
  /** Called before the console exits; `force` when the operator confirmed stopping in-process builds. */
  onQuit?: (o: { force: boolean }) => void;
  /** At most one frame per `frameMs` for bursts of events. */
  frameMs?: number;
}

/** The operator console: live panes over the engine's snapshot, driven from the keyboard. */
export function App(props: AppProps) {
  const theme = useMemo(() => makeTheme(props.env ?? process.env), [props.env]);
  return (
    <ThemeContext.Provider value={theme}>
      <Console {...props} />
    </ThemeContext.Provider>
  );
}

function Console({ source, size, onQuit, frameMs }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const term = useTerminalSize(size);
  const now = useNow();
  const data = useEngineData(source, frameMs);
  const { connection } = data;
  // the host may run containers of other greenci installs (labelled alike): show this config's projects only
  const snapshot = useMemo(() => {
    const s = data.snapshot;
    return s.containers.every((c) => c.project in s.environments) ? s : { ...s, containers: s.containers.filter((c) => c.project in s.environments) };
  }, [data.snapshot]);
  const [ui, setUiState] = useState<UiState>(initialUi);
  const uiRef = useRef(ui);
  const update = (fn: (u: UiState) => UiState) => {
    uiRef.current = fn(uiRef.current);
    setUiState(uiRef.current);
  };

  const projects = useMemo(() => Object.keys(snapshot.environments).sort(), [snapshot.environments]);
  const fetched = useReleases(source, projects, data.releasesEpoch, (msg) => update((u) => say({ ...u, pickPending: undefined }, msg, 'error')));
  // which release is live comes from the snapshot (current to the event); the list itself is fetched
  const releases = useMemo(() => {
    const out: typeof fetched = {};
    for (const [p, r] of Object.entries(fetched)) {
      const liveId = snapshot.live[p]?.releaseId;
      out[p] = r && { ...r, live: liveId === undefined ? undefined : r.releases.find((x) => x.id === liveId) ?? r.live };
    }
    return out;
  }, [fetched, snapshot.live]);
  const releasesProject = ui.releasesProject && projects.includes(ui.releasesProject) ? ui.releasesProject : projects[0];
  const detail = useDetailLines(source, ui.detail, data.connectEpoch, frameMs);

  const lay = layout(term.columns, term.rows);
  const boxOf = (pane: PaneId): PaneBox => (lay.mode === 'compact' ? lay.pane : lay.rows.flat().find(([p]) => p === pane)![1]);
  const widths = { environments: innerWidth(boxOf('environments')), builds: innerWidth(boxOf('builds')), containers: innerWidth(boxOf('containers')) };

  // each pane's rows are made again only when what they show changed (a container sample leaves the builds alone)
  const envRows = useMemo(() => safeRows('environments', () => filterRows(environmentRows(snapshot, widths.environments, now), ui.filter.environments)), [snapshot.environments, snapshot.live, snapshot.containers, snapshot.docker, snapshot.health, widths.environments, now, ui.filter.environments]);
  const builds = useMemo(() => safeRows('builds', () => filterRows(buildRows(snapshot.builds, widths.builds, now), ui.filter.builds)), [snapshot.builds, widths.builds, now, ui.filter.builds]);
  const containers = useMemo(() => safeRows('containers', () => filterRows(containerRows(snapshot.containers, widths.containers, now), ui.filter.containers)), [snapshot.containers, widths.containers, now, ui.filter.containers]);
  const rel = releasesProject ? releases[releasesProject] : undefined;
  const releaseList = useMemo(() => (releasesProject && rel ? safeRows('releases', () => filterRows(releaseRows(releasesProject, rel.releases, rel.live?.id, now), ui.filter.releases)) : []), [releasesProject, rel, now, ui.filter.releases]);
  const rows: Record<ListPane, Row[]> = { environments: envRows, builds, containers, releases: releaseList };

  const runningHere = connection.mode === 'in-process' ? snapshot.builds.filter((b) => b.status === 'running').map((b) => b.id) : [];
  const detailBuild = ui.detail?.kind === 'build' ? snapshot.builds.find((b) => b.id === (ui.detail as { id: number }).id) : undefined;
  const room = detailRoom(boxOf('detail'), ui.detail, detailBuild, detail.error);
  const ctx: KeyContext = { rows, projects, releases, page: Math.max(1, innerRows(boxOf(ui.focus)) - 1), runningHere, busy: !!ui.busy, detailLines: detail.lines.length, detailRoom: room };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  // a malformed event is dropped, and said once, never thrown
  useEffect(() => {
    if (data.dropped) update((u) => say(u, `ignored ${data.dropped} malformed event${data.dropped > 1 ? 's' : ''} from the engine`, 'error'));
  }, [data.dropped]);
  // a scrolled-up log stays where it is while new lines arrive below
  const seenLines = useRef(0);
  useEffect(() => {
    const grown = detail.lines.length - seenLines.current;
    seenLines.current = detail.lines.length;
    if (grown > 0 && uiRef.current.detailScroll > 0) update((u) => ({ ...u, detailScroll: u.detailScroll + grown }));
  }, [detail.lines.length]);
  useEffect(() => {
    const p = uiRef.current.pickPending;
    const known = p ? releases[p] : undefined;
    if (!p || !known) return;
    const msg = known.releases.length < 2 ? `${p} has no earlier release to roll back to` : `pick the release for production ${p}, Enter to roll back`;
    update((u) => say({ ...u, pickPending: undefined, selected: { ...u.selected, releases: pickerSelection(p, known) } }, msg, known.releases.length < 2 ? 'error' : 'info'));
  }, [releases]);
  useEffect(() => {
    if (data.connectEpoch > 1) update((u) => say(u, 'reconnected to the daemon; the snapshot was read again', 'ok'));
  }, [data.connectEpoch]);

  const run = (effect: Effect) => {
    const fail = (what: string) => (err: Error) => update((u) => say(u, `${what}: ${err.message}`, 'error'));
    switch (effect.type) {
      case 'quit':
        onQuit?.({ force: !!effect.force });
        exit();
        return;
      case 'load-branches':
        source.branches(effect.project).then(
          (branches) => update((u) => (u.overlay?.kind === 'trigger-branch' && u.overlay.project === effect.project ? { ...u, overlay: { ...u.overlay, branches } } : u)),
          (err: Error) => update((u) => (u.overlay?.kind === 'trigger-branch' && u.overlay.project === effect.project ? { ...u, overlay: { ...u.overlay, branches: [], error: oneLine(err.message) } } : u)),
        );
        return;
      case 'trigger':
        update((u) => say(u, `queueing ${effect.project} ${effect.branch}…`));
        source.trigger({ project: effect.project, branch: effect.branch, requestedBy: source.user }).then((b) => update((u) => say(u, `queued build #${b.id}: ${b.project} ${b.branch}`, 'ok')), fail(`trigger ${effect.project} ${effect.branch}`));
        return;
      case 'cancel':
        source.cancel(effect.id, source.user).then((b) => update((u) => say(u, b.status === 'cancelled' ? `cancelled build #${b.id}` : `cancel of build #${b.id} requested`, 'ok')), fail(`cancel #${effect.id}`));
        return;
      case 'retry':
        source.retry(effect.id, source.user).then((b) => update((u) => say(u, `queued build #${b.id} (retry of #${effect.id})`, 'ok')), fail(`retry #${effect.id}`));
        return;
      case 'rollback': {
        const title = `production ${effect.project}: ${effect.from ?? 'nothing live'} -> ${effect.to}`;
        update((u) => ({ ...u, busy: { title, since: Date.now() } }));
        source
          .rollback({ project: effect.project, to: effect.to, requestedBy: source.user, log: (line) => update((u) => (u.busy ? { ...u, busy: { ...u.busy, line: oneLine(line) } } : u)) })
          .then(
            (r) => update((u) => say({ ...u, busy: undefined }, `production ${effect.project} now runs ${r.to.version}${r.from ? ` (was ${r.from.version})` : ''}, rolled back by ${source.user}`, 'ok')),
            (err: Error) => update((u) => say({ ...u, busy: undefined }, `rollback of production ${effect.project} to ${effect.to} failed: ${err.message}`, 'error')),
          );
        return;
      }
    }
  };

  useInput(
    (input, key) => {
      const t = onKey(uiRef.current, input, key, ctxRef.current);
      if (t.ui !== uiRef.current) update(() => t.ui);
      for (const e of t.effects) run(e);
    },
    { isActive: isRawModeSupported === true },
  );

  const pane = (id: PaneId, box: PaneBox) => (
    <PaneGuard key={id} name={id} resetKey={snapshot}>
      {paneOf(id, box)}
    </PaneGuard>
  );
  const paneOf = (id: PaneId, box: PaneBox) => {
    const focused = ui.focus === id;
    if (id === 'detail') {
      const d = ui.detail;
      return (
        <DetailPane key={id} box={box} focused={focused} detail={d} now={now} scroll={ui.detailScroll} {...detail}
          build={d?.kind === 'build' ? snapshot.builds.find((b) => b.id === d.id) : undefined}
          container={d?.kind === 'container' ? snapshot.containers.find((c) => c.id === d.id) : undefined} />
      );
    }
    const common = { box, focused, rows: rows[id], selected: selectedIndex(ui, id, rows[id]), filter: ui.filter[id] };
    if (id === 'environments') return <EnvironmentsPane key={id} {...common} snapshot={snapshot} />;
    if (id === 'builds') return <BuildsPane key={id} {...common} snapshot={snapshot} />;
    if (id === 'containers') return <ContainersPane key={id} {...common} snapshot={snapshot} />;
    return <ReleasesPane key={id} {...common} project={releasesProject} projects={projects} loaded={!!(releasesProject && releases[releasesProject])} />;
  };

  const dialog = (box: PaneBox) => {
    const o = ui.overlay;
    if (!o) return null;
    if (o.kind === 'help') return <HelpDialog key="dialog" width={box.width} height={box.height} />;
    if (o.kind === 'confirm-rollback') return <ConfirmRollback key="dialog" project={o.project} from={o.from} to={o.to} user={source.user} width={box.width} height={box.height} />;
    if (o.kind === 'confirm-quit') return <ConfirmQuit key="dialog" running={o.running} width={box.width} height={box.height} />;
    return <TriggerDialog key="dialog" o={o} width={box.width} height={box.height} />;
  };

  let body;
  if (lay.mode === 'compact') {
    const counts = { builds: `${snapshot.builds.filter((b) => b.status === 'running' || b.status === 'queued').length || ''}`, containers: `${snapshot.containers.length || ''}` };
    body = (
      <>
        <TabBar focus={ui.focus} counts={counts} />
        {ui.overlay ? dialog(lay.pane) : pane(ui.focus, lay.pane)}
      </>
    );
  } else if (ui.overlay?.kind === 'help') {
    const height = lay.rows.reduce((h, r) => h + r[0][1].height, 0);
    body = dialog({ width: lay.width, height });
  } else {
    body = lay.rows.map((r, i) => (
      <Box key={i} flexDirection="row">
        {r.map(([id, box]) => (ui.overlay && id === 'detail' ? dialog(box) : pane(id, box)))}
      </Box>
    ));
  }

  return (
    <Box flexDirection="column" width={lay.width}>
      <Header connection={connection} snapshot={snapshot} user={source.user} now={now} width={lay.width} />
      {body}
      <StatusLine ui={ui} now={now} />
      <Footer />
    </Box>
  );
}
