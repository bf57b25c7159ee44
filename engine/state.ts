import type { EngineEvent, SmeeState } from './events.js';
import type {
  BuildRecord,
  CanaryState,
  ContainerRow,
  DeploymentRecord,
  DockerState,
  GithubReporting,
  HealthRecord,
  PreviewRecord,
  ProductionHold,
} from './model.js';

/** What every face of greenci shows: recent builds and each project's environments. */
export interface Snapshot {
  /** Newest first, at most MAX_BUILDS. */
  builds: BuildRecord[];
  /** Per project: the latest deployment to each environment (running, succeeded or failed). */
  environments: Record<string, { test?: DeploymentRecord; production?: DeploymentRecord }>;
  /** Per project: the version production runs (from the last successful production deployment). */
  live: Record<string, { version: string; releaseId: number } | undefined>;
  /** Per project whose production is held (a manual rollback): who, since when, why; absent when not held. */
  holds: Record<string, ProductionHold>;
  /** Per project with a canary running: its share and the proxy's counts; removed once it ends. */
  canaries: Record<string, CanaryState>;
  /** Per project with a smee channel: is it connected. */
  smee: Record<string, SmeeState>;
  /** greenci-managed containers, while something watches them (the console); sorted by name. */
  containers: ContainerRow[];
  /** Whether the container watcher reaches Docker; absent until it first looked. */
  docker?: DockerState;
  /** The monitor's view: per checked thing (`green/production/billing`, `greenci/docker`), its health. */
  health: Record<string, HealthRecord>;
  /** Reporting to GitHub: calls waiting, the last taken, the last refused; absent when no project reports. */
  github?: GithubReporting;
  /** Per project: its live preview environments, the one deployed first first. */
  previews: Record<string, PreviewRecord[]>;
}

export const MAX_BUILDS = 100;

export const emptySnapshot = (): Snapshot => ({
  builds: [],
  environments: {},
  live: {},
  holds: {},
  canaries: {},
  smee: {},
  containers: [],
  health: {},
  previews: {},
});

/** The one pure reducer: the daemon, the console and the tests all fold events through it. */
export function reduce(s: Snapshot, e: EngineEvent): Snapshot {
  switch (e.type) {
    case 'build.updated': {
      const others = s.builds.filter((b) => b.id !== e.build.id);
      const builds = [e.build, ...others].sort((a, b) => b.id - a.id).slice(0, MAX_BUILDS);
      return { ...s, builds };
    }
    case 'stage.updated': {
      const builds = s.builds.map((b) =>
        b.id === e.buildId ? { ...b, stages: b.stages.map((st) => (st.name === e.stage.name ? e.stage : st)) } : b,
      );
      return { ...s, builds };
    }
    case 'deployment.updated': {
      const d = e.deployment;
      // a preview's state is its own (preview.updated); the environments are test and production
      if (d.env === 'preview') return s;
      const current = s.environments[d.project] ?? {};
      const environments = { ...s.environments, [d.project]: { ...current, [d.env]: d } };
      let live = s.live;
      if (d.env === 'production' && d.status === 'success' && d.kind === 'stop') {
        live = { ...s.live, [d.project]: undefined };
      } else if (d.env === 'production' && d.status === 'success' && d.releaseId !== undefined && d.version) {
        live = { ...s.live, [d.project]: { version: d.version, releaseId: d.releaseId } };
      }
      return { ...s, environments, live };
    }
    case 'hold.updated': {
      const { [e.hold.project]: _was, ...others } = s.holds ?? {};
      return { ...s, holds: e.hold.liftedAt === undefined ? { ...others, [e.hold.project]: e.hold } : others };
    }
    case 'canary.updated': {
      const { [e.canary.project]: _was, ...others } = s.canaries ?? {};
      return { ...s, canaries: e.canary.outcome ? others : { ...others, [e.canary.project]: e.canary } };
    }
    case 'smee.state':
      return { ...s, smee: { ...s.smee, [e.project]: e.state } };
    case 'containers':
      return { ...s, containers: e.containers, docker: e.docker };
    case 'health.updated':
      return { ...s, health: { ...s.health, [e.health.key]: e.health } };
    case 'health.removed': {
      if (!(e.key in s.health)) return s;
      const { [e.key]: _gone, ...health } = s.health;
      return { ...s, health };
    }
    case 'github.reporting':
      return { ...s, github: e.reporting };
    case 'preview.updated': {
      const others = (s.previews?.[e.project] ?? []).filter((p) => p.branch !== e.branch);
      const list = e.preview
        ? [...others, e.preview].sort((a, b) => a.createdAt - b.createdAt || a.branch.localeCompare(b.branch))
        : others;
      return { ...s, previews: { ...s.previews, [e.project]: list } };
    }
    case 'health.alerts':
    case 'pull_request.updated':
    case 'release.created':
    case 'release.updated':
    case 'audit':
    case 'delivery':
    case 'log':
      return s;
  }
}
