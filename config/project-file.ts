import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { projectFileSchema, type ProjectFile, type SecretRef } from './project-schema.js';
import type { BuildSpec, EnvironmentSpec, EnvName, PreviewSpec, ProjectSpec, ServiceSpec, TestStepSpec } from './project-spec.js';
import { formatIssues } from './zod-issues.js';
import { startOrder } from './start-order.js';

export const PROJECT_FILE = 'greenci.yml';

export type ProjectFileResult = { spec: ProjectSpec; errors: [] } | { spec?: undefined; errors: string[] };

/** Reads, validates and normalises `greenci.yml` from a checked-out repository. Never throws on bad input. */
export function loadProjectFile(repoDir: string): ProjectFileResult {
  const file = path.join(repoDir, PROJECT_FILE);
  if (!existsSync(file)) return { errors: [`${PROJECT_FILE}: not found at the repository root`] };
  return parseProjectFile(
    readFileSync(file, 'utf8'),
    (rel) => isDirectoryInside(repoDir, rel),
    (rel) => isFileInside(repoDir, rel),
  );
}

/** Validates greenci.yml text. `dirExists`/`fileExists` check build paths against the checkout. */
export function parseProjectFile(
  text: string,
  dirExists: (rel: string) => boolean = () => true,
  fileExists: (rel: string) => boolean = () => true,
): ProjectFileResult {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) return { errors: doc.errors.map((e) => `${PROJECT_FILE}: ${e.message.split('\n')[0]}`) };
  const parsed = projectFileSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) return { errors: formatIssues(parsed.error.issues) };
  return normaliseProject(parsed.data, dirExists, fileExists);
}

function normaliseProject(raw: ProjectFile, dirExists: (rel: string) => boolean, fileExists: (rel: string) => boolean): ProjectFileResult {
  const errors: string[] = [];
  const buildOf = (where: string, b: ProjectFile['apps'][string]['build'] | undefined): BuildSpec | undefined => {
    if (b === undefined) return undefined;
    const spec =
      typeof b === 'string'
        ? { context: b, dockerfile: 'Dockerfile', args: {}, network: false }
        : { context: b.context, dockerfile: b.dockerfile ?? 'Dockerfile', args: b.args ?? {}, network: b.network ?? false };
    const context = path.posix.normalize(spec.context.replaceAll('\\', '/')).replace(/\/$/, '');
    const dockerfile = path.posix.join(context, spec.dockerfile);
    if (path.posix.isAbsolute(context) || context.startsWith('..') || path.posix.normalize(dockerfile).startsWith('..')) {
      errors.push(`${where}: must stay inside the repository (got ${JSON.stringify(spec.context)})`);
    } else if (!dirExists(context)) {
      errors.push(`${where}: no directory ${JSON.stringify(context)} in the repository`);
    } else if (!fileExists(dockerfile)) {
      errors.push(`${where}: no Dockerfile at ${JSON.stringify(dockerfile)}`);
    }
    return { ...spec, context };
  };

  const services: ServiceSpec[] = [];
  for (const [name, a] of Object.entries(raw.apps)) {
    services.push({
      name,
      kind: 'app',
      build: buildOf(`apps.${name}.build`, a.build),
      port: a.port,
      health: a.health,
      ...splitEnv(a.env),
      command: a.command,
      dependsOn: a.depends_on ?? [],
    });
  }
  for (const [name, s] of Object.entries(raw.services ?? {})) {
    if (raw.apps[name]) errors.push(`services.${name}: the name is already used by an app`);
    const hc = s.healthcheck;
    services.push({
      name,
      kind: 'service',
      build: buildOf(`services.${name}.build`, s.build),
      image: s.image,
      command: s.command,
      ...splitEnv(s.env),
      volume: s.volume,
      dependsOn: s.depends_on ?? [],
      healthcheck: hc && {
        test: hc.test,
        intervalMs: hc.interval ?? 2000,
        timeoutMs: hc.timeout ?? 5000,
        retries: hc.retries ?? 30,
        startPeriodMs: hc.start_period ?? 0,
      },
      ...(s.backup && { backup: { dump: s.backup.dump, restore: s.backup.restore } }),
    });
  }
  const tests: TestStepSpec[] = (raw.tests ?? []).map((t, i) => ({
    name: t.name,
    build: buildOf(`tests.${i}.build`, t.build),
    image: t.image,
    command: t.command,
    env: t.env ?? {},
    timeoutMs: t.timeout ?? 600_000,
  }));
  const seenTests = new Set<string>();
  for (const [i, t] of tests.entries()) {
    if (seenTests.has(t.name)) errors.push(`tests.${i}.name: ${t.name} is used twice`);
    else seenTests.add(t.name);
  }

  const known = new Set(services.map((s) => s.name));
  for (const s of services) {
    for (const [i, d] of s.dependsOn.entries())
      if (!known.has(d)) errors.push(`${s.kind}s.${s.name}.depends_on.${i}: no app or service named ${d}`);
  }
  const ordered = startOrder(services);
  if ('cycle' in ordered) errors.push(`depends_on: a cycle (${ordered.cycle.join(' -> ')})`);

  const environments = {} as Record<EnvName, EnvironmentSpec>;
  for (const env of ['test', 'production'] as const) {
    const e = raw.environments?.[env] ?? {};
    environments[env] = environmentOf(`environments.${env}`, e, env === 'production' ? 'unless-stopped' : 'no', raw, known, errors);
    if (env === 'test' && e.release) errors.push('environments.test.release: only production releases through the front proxy');
    if (env === 'production') {
      const r = e.release ?? {};
      environments.production.release = {
        verifyMs: r.verify ?? 30_000,
        keepWarmMs: r.keep_warm ?? 600_000,
        warm: r.warm ?? 'running',
        ...(r.canary ? { canary: { weight: r.canary.weight, forMs: r.canary.for } } : {}),
      };
    }
  }
  const preview = previewOf(raw, known, errors);
  for (const [app, port] of Object.entries(environments.production.ports)) {
    const clash = Object.entries(environments.test.ports).find(([, p]) => p === port);
    if (clash && sameAddress(environments.test.bind, environments.production.bind)) {
      errors.push(`environments.production.ports.${app}: port ${port} is also used by the test environment (${clash[0]})`);
    }
  }
  for (const env of ['test', 'production'] as const) {
    if (!preview || !sameAddress(environments[env].bind, preview.environment.bind)) continue;
    for (const [app, port] of Object.entries(environments[env].ports))
      if (port >= preview.portRange.from && port <= preview.portRange.to)
        errors.push(`environments.preview.ports: ${port} is in the range but the ${env} environment's ${app} uses it`);
  }
  if (errors.length || 'cycle' in ordered) return { errors };
  return { spec: { services: ordered.order, tests, environments, ...(preview ? { preview } : {}) }, errors: [] };
}

type RawEnvironment = NonNullable<NonNullable<ProjectFile['environments']>['test']>;

/** One environment's settings, normalised; each problem (an unknown app, a port used twice) goes to `errors` under `where`. */
function environmentOf(
  where: string,
  e: Omit<RawEnvironment, 'ports' | 'release'> & { ports?: Record<string, number> },
  restart: EnvironmentSpec['restart'],
  raw: ProjectFile,
  known: Set<string>,
  errors: string[],
): EnvironmentSpec {
  for (const app of Object.keys(e.ports ?? {})) if (!raw.apps[app]) errors.push(`${where}.ports.${app}: no app named ${app}`);
  for (const svc of Object.keys(e.env ?? {})) if (!known.has(svc)) errors.push(`${where}.env.${svc}: no app or service named ${svc}`);
  const used = new Map<number, string>();
  for (const [app, port] of Object.entries(e.ports ?? {})) {
    if (used.has(port)) errors.push(`${where}.ports.${app}: port ${port} is already used by ${used.get(port)}`);
    used.set(port, app);
  }
  const perService = Object.entries(e.env ?? {}).map(([svc, vars]) => [svc, splitEnv(vars)] as const);
  const envSecrets = Object.fromEntries(perService.filter(([, v]) => v.secrets).map(([svc, v]) => [svc, v.secrets!]));
  return {
    bind: e.bind ?? '127.0.0.1',
    ports: e.ports ?? {},
    env: Object.fromEntries(perService.filter(([, v]) => !v.secrets || Object.keys(v.env).length).map(([svc, v]) => [svc, v.env])),
    ...(Object.keys(envSecrets).length ? { secrets: envSecrets } : {}),
    restart: e.restart ?? restart,
    memoryBytes: e.resources?.memory,
    nanoCpus: e.resources?.cpus === undefined ? undefined : Math.round(e.resources.cpus * 1e9),
    healthTimeoutMs: e.health_timeout ?? 60_000,
  };
}

/** `environments.preview`, normalised: its range must hold a port for each app of every preview it allows at once. */
function previewOf(raw: ProjectFile, known: Set<string>, errors: string[]): PreviewSpec | undefined {
  const p = raw.environments?.preview;
  if (!p) return undefined;
  const { ports, max = 3, ...rest } = p;
  const apps = Object.keys(raw.apps).length;
  const size = ports.to - ports.from + 1;
  if (size < apps * max)
    errors.push(
      `environments.preview.ports: ${ports.from}-${ports.to} holds ${size} port${size === 1 ? '' : 's'}; ${max} preview${max === 1 ? '' : 's'} of ${apps} app${apps === 1 ? '' : 's'} need ${apps * max}`,
    );
  return { environment: environmentOf('environments.preview', rest, 'unless-stopped', raw, known, errors), portRange: ports, max };
}

/**
 * A variables map as the spec keeps it: plain values in `env`, secret references (variable → secret
 * name) in `secrets`, which is left out when there are none so a spec without secrets stays as it was.
 */
function splitEnv(vars: Record<string, string | SecretRef> | undefined): { env: Record<string, string>; secrets?: Record<string, string> } {
  const entries = Object.entries(vars ?? {});
  const env = Object.fromEntries(entries.filter((e): e is [string, string] => typeof e[1] === 'string'));
  const secrets = Object.fromEntries(entries.flatMap(([k, v]) => (typeof v === 'string' ? [] : [[k, v.secret]])));
  return Object.keys(secrets).length ? { env, secrets } : { env };
}

function isDirectoryInside(root: string, rel: string): boolean {
  try {
    return statSync(path.join(root, rel)).isDirectory();
  } catch {
    return false;
  }
}
function isFileInside(root: string, rel: string): boolean {
  try {
    return statSync(path.join(root, rel)).isFile();
  } catch {
    return false;
  }
}

/** Two bind addresses that would fight over a port (0.0.0.0 and :: take every address). */
function sameAddress(a: string, b: string): boolean {
  return a === b || ['0.0.0.0', '::'].includes(a) || ['0.0.0.0', '::'].includes(b);
}
