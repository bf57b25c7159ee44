import { Box, useStdin } from 'ink';
import { type ReactNode, useMemo } from 'react';
import { ConfirmCanary, ConfirmQuit, ConfirmRelease, ConfirmRollback } from './components/ConfirmDialog.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { HelpDialog } from './components/HelpDialog.js';
import { PaneGuard } from './components/PaneGuard.js';
import { StatusLine } from './components/StatusLine.js';
import { TabBar } from './components/TabBar.js';
import { TriggerDialog } from './components/TriggerDialog.js';
import { useActions } from './hooks/use-actions.js';
import { useDetailLines } from './hooks/use-detail-lines.js';
import { useDetailScroll } from './hooks/use-detail-scroll.js';
import { useEngineData } from './hooks/use-engine-data.js';
import { useEngineNotices } from './hooks/use-engine-notices.js';
import { useKeys } from './hooks/use-keys.js';
import { useNow } from './hooks/use-now.js';
import { useOwnSnapshot } from './hooks/use-own-snapshot.js';
import { usePaneRows } from './hooks/use-pane-rows.js';
import { useReleasePicker } from './hooks/use-release-picker.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useDisk } from './hooks/use-disk.js';
import { useTraffic } from './hooks/use-traffic.js';
import { useUiState } from './hooks/use-ui-state.js';
import { BuildsPane } from './panes/BuildsPane.js';
import { ContainersPane } from './panes/ContainersPane.js';
import { DetailPane, detailRoom } from './panes/DetailPane.js';
import { EnvironmentsPane } from './panes/EnvironmentsPane.js';
import { ReleasesPane } from './panes/ReleasesPane.js';
import type { ConsoleSource } from './source.js';
import { makeTheme, ThemeContext } from './theme.js';
import type { KeyContext } from './ui/keys.js';
import { innerRows, innerWidth, layout, type Box as PaneBox } from './ui/layout.js';
import { selectedIndex, type PaneId } from './ui/state.js';

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
  const { isRawModeSupported } = useStdin();
  const term = useTerminalSize(size);
  const now = useNow();
  const { ui, read, update } = useUiState();
  const data = useEngineData(source, frameMs);
  const { connection } = data;
  const { snapshot, projects } = useOwnSnapshot(data.snapshot);
  const releases = useReleasePicker(source, projects, data.releasesEpoch, snapshot.live, read, update);
  const traffic = useTraffic(source, projects, data.trafficEpoch);
  const disk = useDisk(source, data.trafficEpoch);
  const releasesProject = ui.releasesProject && projects.includes(ui.releasesProject) ? ui.releasesProject : projects[0];
  const detail = useDetailLines(source, ui.detail, data.connectEpoch, frameMs);
  useDetailScroll(detail.lines.length, read, update);
  useEngineNotices(data, update);

  const lay = layout(term.columns, term.rows);
  const boxOf = (pane: PaneId): PaneBox => (lay.mode === 'compact' ? lay.pane : lay.rows.flat().find(([p]) => p === pane)![1]);
  const widths = {
    environments: innerWidth(boxOf('environments')),
    builds: innerWidth(boxOf('builds')),
    containers: innerWidth(boxOf('containers')),
  };
  const rows = usePaneRows(
    snapshot,
    widths,
    now,
    ui.filter,
    { project: releasesProject, known: releasesProject ? releases[releasesProject] : undefined },
    traffic,
    disk,
  );

  const runningHere = connection.mode === 'in-process' ? snapshot.builds.filter((b) => b.status === 'running').map((b) => b.id) : [];
  const detailBuild = ui.detail?.kind === 'build' ? snapshot.builds.find((b) => b.id === (ui.detail as { id: number }).id) : undefined;
  const room = detailRoom(boxOf('detail'), ui.detail, detailBuild, detail.error);
  const ctx: KeyContext = {
    rows,
    projects,
    releases,
    page: Math.max(1, innerRows(boxOf(ui.focus)) - 1),
    runningHere,
    builds: snapshot.builds,
    holds: snapshot.holds ?? {},
    canaries: snapshot.canaries ?? {},
    live: Object.fromEntries(Object.entries(snapshot.live).map(([p, l]) => [p, l?.version])),
    busy: !!ui.busy,
    attached: connection.mode === 'daemon',
    detailLines: detail.lines.length,
    detailRoom: room,
  };
  const run = useActions(source, update, onQuit);
  useKeys(ctx, read, update, run, isRawModeSupported === true);

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
        <DetailPane
          key={id}
          box={box}
          focused={focused}
          detail={d}
          now={now}
          scroll={ui.detailScroll}
          {...detail}
          build={d?.kind === 'build' ? snapshot.builds.find((b) => b.id === d.id) : undefined}
          container={d?.kind === 'container' ? snapshot.containers.find((c) => c.id === d.id) : undefined}
        />
      );
    }
    const common = { box, focused, rows: rows[id], selected: selectedIndex(ui, id, rows[id]), filter: ui.filter[id] };
    if (id === 'environments') return <EnvironmentsPane key={id} {...common} snapshot={snapshot} />;
    if (id === 'builds') return <BuildsPane key={id} {...common} snapshot={snapshot} />;
    if (id === 'containers') return <ContainersPane key={id} {...common} snapshot={snapshot} />;
    return (
      <ReleasesPane
        key={id}
        {...common}
        project={releasesProject}
        projects={projects}
        loaded={!!(releasesProject && releases[releasesProject])}
      />
    );
  };

  const dialog = (box: PaneBox) => {
    const o = ui.overlay;
    if (!o) return null;
    if (o.kind === 'help') return <HelpDialog key="dialog" width={box.width} height={box.height} />;
    if (o.kind === 'confirm-rollback')
      return (
        <ConfirmRollback
          key="dialog"
          project={o.project}
          from={o.from}
          to={o.to}
          dataNote={o.dataNote}
          user={source.user}
          width={box.width}
          height={box.height}
        />
      );
    if (o.kind === 'confirm-quit') return <ConfirmQuit key="dialog" running={o.running} width={box.width} height={box.height} />;
    if (o.kind === 'confirm-release')
      return <ConfirmRelease key="dialog" o={o} user={source.user} width={box.width} height={box.height} now={now} />;
    if (o.kind === 'confirm-canary') return <ConfirmCanary key="dialog" o={o} user={source.user} width={box.width} height={box.height} />;
    return <TriggerDialog key="dialog" o={o} width={box.width} height={box.height} />;
  };

  let body: ReactNode;
  if (lay.mode === 'compact') {
    const counts = {
      builds: `${snapshot.builds.filter((b) => b.status === 'running' || b.status === 'queued').length || ''}`,
      containers: `${snapshot.containers.length || ''}`,
    };
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
    body = lay.rows.map((r) => (
      <Box key={r.map(([id]) => id).join('+')} flexDirection="row">
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
