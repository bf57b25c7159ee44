/** The normalised form of a repository's greenci.yml that the pipeline works with. */

export interface BuildSpec {
  /** Build context, relative to the repository root, never escaping it. */
  context: string;
  /** Dockerfile path relative to the context. */
  dockerfile: string;
  args: Record<string, string>;
  /** Asks for a network for RUN steps (`build.network: true`); builds get none unless asked and allowed. */
  network: boolean;
}

export interface HealthcheckSpec {
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** Something greenci runs as a container in an environment: an app or a supporting service. */
export interface ServiceSpec {
  name: string;
  kind: 'app' | 'service';
  build?: BuildSpec;
  /** A local image (services only); greenci never pulls. */
  image?: string;
  command?: string[];
  env: Record<string, string>;
  /**
   * Variables whose values are secrets on the host: container variable → secret name (greenci.yml's
   * `{secret: NAME}`). Names only: the values are looked up at each deploy and never stored. Absent when none.
   */
  secrets?: Record<string, string>;
  dependsOn: string[];
  /** Apps: the port the app listens on inside the container. */
  port?: number;
  /** Apps: the path that answers 200 when healthy. */
  health?: string;
  /** Services: the data volume's mount path. */
  volume?: string;
  healthcheck?: HealthcheckSpec;
  /** Services: the database's own dump (writes stdout) and restore (reads stdin) commands; absent: greenci copies the volume. */
  backup?: { dump: string[]; restore: string[] };
}

export interface TestStepSpec {
  name: string;
  build?: BuildSpec;
  image?: string;
  command?: string[];
  env: Record<string, string>;
  timeoutMs: number;
}

export type EnvName = 'test' | 'production';

/**
 * What names an environment's containers, network and volumes: `test`, `production`, or one
 * preview environment's `preview-<slug>` (engine/preview/preview-key.ts).
 */
export type EnvKey = EnvName | `preview-${string}`;

export interface EnvironmentSpec {
  bind: string;
  /** Host port per app; an app without one gets a free port chosen by Docker. */
  ports: Record<string, number>;
  /** Extra environment variables per app or service. */
  env: Record<string, Record<string, string>>;
  /** Extra secret references per app or service (container variable → secret name), on top of its own. Absent when none. */
  secrets?: Record<string, Record<string, string>>;
  restart: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  memoryBytes?: number;
  nanoCpus?: number;
  healthTimeoutMs: number;
  /** Production: how a release takes traffic through the front proxy (absent in the test environment). */
  release?: ReleasePolicy;
}

/** How production takes a release: verified after the switch, the previous one kept warm, optionally a canary first. */
export interface ReleasePolicy {
  verifyMs: number;
  keepWarmMs: number;
  warm: 'running' | 'stopped';
  canary?: { weight: number; forMs: number };
}

/** Preview environments (greenci.yml `environments.preview`): one per branch, ports from a range, at most `max`. */
export interface PreviewSpec {
  /** As the test environment's, with no fixed ports: each preview's apps get theirs from `portRange`. */
  environment: EnvironmentSpec;
  portRange: { from: number; to: number };
  max: number;
}

export interface ProjectSpec {
  /** Apps and services in start order: everything after what it depends on. */
  services: ServiceSpec[];
  tests: TestStepSpec[];
  environments: Record<EnvName, EnvironmentSpec>;
  /** Absent: no preview environments (the default). */
  preview?: PreviewSpec;
}
