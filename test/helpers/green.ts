import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/loader.js';
import { greenSecretsConfig, writeGreenSecretsFile } from '../../src/demo/green-secrets.js';
import type { GreenciConfig } from '../../config/schema.js';
import { createEngine, type Engine } from '../../engine/index.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { freePort, removeProjectResources, uniqueProject } from './docker-env.js';
import { Origin, tempDir } from './origin.js';

/** A greenci engine watching a fresh bare-repo copy of the Green project, with its own name, ports and data dir. */
export interface GreenSetup {
  project: string;
  origin: Origin;
  engine: Engine;
  /** The engine's SQLite state, for tests to check what was recorded (the engine itself offers no store). */
  store: Store;
  config: GreenciConfig;
  configFile: string;
  dataDir: string;
  ports: { billing: number; weight: number };
  /** `repository.full_name` the config watches, and the webhook secret with the environment that carries it. */
  github: string;
  secret: string;
  env: NodeJS.ProcessEnv;
  /** Rewrites the config file (for SIGHUP tests); `projectExtra` lines go under the project. */
  writeConfig(o?: { extra?: string; projectExtra?: string }): void;
  cleanup(): Promise<void>;
}

export interface GreenOptions {
  healthTimeout?: string;
  /** Top-level YAML appended to the config (webhook, queue, reconcile...). */
  extra?: string;
  /** YAML lines (4-space indented) under the project: smee, productionBranch... */
  projectExtra?: string;
  /** Skip creating an in-process engine (a daemon will own the data dir). */
  noEngine?: boolean;
}

export async function setupGreen(opts: GreenOptions = {}): Promise<GreenSetup> {
  const project = uniqueProject('green');
  const ports = { billing: await freePort(), weight: await freePort() };
  const origin = await Origin.create({ prodPorts: ports, healthTimeout: opts.healthTimeout });
  const dataDir = tempDir('greenci-data-');
  const github = `acme/${project}`;
  const secret = `s3cret-${project}`;
  const secretEnv = `GREENCI_TEST_SECRET_${project.replace(/-/g, '_').toUpperCase()}`;
  const env = { [secretEnv]: secret };
  const configFile = path.join(dataDir, 'greenci.config.yml');
  // the sample's database passwords, given from the host as an operator would
  const secretsFile = path.join(dataDir, 'green-secrets.env');
  writeGreenSecretsFile(secretsFile);
  const text = (o: { extra?: string; projectExtra?: string }) =>
    [
      `dataDir: ${dataDir}`,
      'webhook:',
      '  listen: 127.0.0.1:0',
      'daemon:',
      '  shutdownGraceSeconds: 60',
      o.extra ?? '',
      'projects:',
      `  ${project}:`,
      `    repo: ${origin.bare}`,
      `    imagePrefix: ${project}-`,
      `    github: ${github}`,
      `    webhookSecretEnv: ${secretEnv}`,
      ...greenSecretsConfig('    ', secretsFile),
      o.projectExtra ?? '',
      '',
    ].join('\n');
  const writeConfig = (o: { extra?: string; projectExtra?: string } = {}) => writeFileSync(configFile, text(o));
  writeConfig(opts);
  const parsed = parseConfig(text(opts), dataDir, { ...process.env, ...env });
  if (!parsed.config) throw new Error(`test config invalid: ${parsed.errors.join('; ')}`);
  const config = parsed.config;
  const store = opts.noEngine ? (undefined as unknown as Store) : openStore(config.dataDir);
  const engine = opts.noEngine ? (undefined as unknown as Engine) : createEngine({ config, env: process.env, store });
  return {
    project,
    origin,
    engine,
    store,
    config,
    configFile,
    dataDir,
    ports,
    github,
    secret,
    env,
    writeConfig,
    async cleanup() {
      engine?.close();
      await removeProjectResources(project);
      origin.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
