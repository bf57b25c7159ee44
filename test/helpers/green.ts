import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GreenciConfig } from '../../config/schema.js';
import { createEngine, type Engine } from '../../engine/index.js';
import { freePort, removeProjectResources, uniqueProject } from './docker-env.js';
import { Origin, tempDir } from './origin.js';

/** A greenci engine watching a fresh bare-repo copy of the Green project, with its own name, ports and data dir. */
export interface GreenSetup {
  project: string;
  origin: Origin;
  engine: Engine;
  config: GreenciConfig;
  configFile: string;
  dataDir: string;
  ports: { billing: number; weight: number };
  cleanup(): Promise<void>;
}

export async function setupGreen(opts: { healthTimeout?: string } = {}): Promise<GreenSetup> {
  const project = uniqueProject('green');
  const ports = { billing: await freePort(), weight: await freePort() };
  const origin = await Origin.create({ prodPorts: ports, healthTimeout: opts.healthTimeout });
  const dataDir = tempDir('greenci-data-');
  const config: GreenciConfig = {
    dataDir,
    docker: { socket: '/var/run/docker.sock' },
    git: { authorName: 'greenci', authorEmail: 'greenci@localhost' },
    projects: { [project]: { repo: origin.bare, productionBranch: 'master', imagePrefix: `${project}-` } },
  };
  const configFile = path.join(dataDir, 'greenci.config.yml');
  writeFileSync(configFile, `dataDir: ${dataDir}\nprojects:\n  ${project}:\n    repo: ${origin.bare}\n    imagePrefix: ${project}-\n`);
  const engine = createEngine({ config });
  return {
    project, origin, engine, config, configFile, dataDir, ports,
    async cleanup() {
      engine.close();
      await removeProjectResources(project);
      origin.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
