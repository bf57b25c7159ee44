import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProjectFile } from '../../config/project-file.js';
import type { ProjectSpec, ServiceSpec } from '../../config/project-spec.js';
import { checkDockerfile } from '../../engine/docker/dockerfile.js';
import { LABEL, containerName, networkName } from '../../engine/docker/names.js';
import type { DockerEvent } from '../../engine/docker/port.js';
import { deployEnvironment } from '../../engine/pipeline/deploy.js';
import { waitContainerHealthy } from '../../engine/pipeline/health.js';
import { docker, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { tempDir } from '../helpers/origin.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const MARIADB_IMAGE = 'greenci/mariadb:10.11-local';

/**
 * What MariaDB 10.11 logs when a start has to repair an unclean stop: InnoDB's redo log
 * ("Starting crash recovery from checkpoint LSN=...", "To recover: N pages"), Aria's log
 * ("Aria engine: starting recovery"), the transaction coordinator's ("Recovering after a crash
 * using tc.log"), the DDL log ("DDL_LOG: Crash recovery executed"), tables left open.
 */
const CRASH_RECOVERY = /crash recovery|to recover:|starting recovery|recovering after a crash|marked as crashed|not shut down properly/i;
/** Quotes, a backtick, a backslash, `$(...)` and a statement end: each would break a naively built SQL statement or shell line. */
const PASSWORD = `p'a"s\\s\`x $(id); -- '`;

/** The sample's databases as greenci.yml will give them (the weight app is there because greenci.yml needs one; it is not started). */
const GREENCI_YML = `
apps:
  weight:
    build: weight
    port: 8080
    health: /health
    depends_on: [db]
services:
  db:
    build: db
    volume: /var/lib/mysql
    env:
      MARIADB_DATABASE: weight
      MARIADB_USER: weight
      MARIADB_PASSWORD: {secret: DB_PASSWORD}
    healthcheck:
      test: ["CMD", "greenci-mariadb-health"]
      interval: 1s
      timeout: 5s
      retries: 5
      start_period: 60s
environments:
  production:
    bind: 127.0.0.1
    resources: {memory: 256m, cpus: 0.5}
`;

/**
 * The MariaDB image the sample's databases will build FROM (src/host/mariadb, built by the host
 * script), on a real Docker engine, through greenci's own build, deploy, stop and health paths:
 * a production database keeps its rows across greenci's graceful stops and a release that
 * replaces its container, and MariaDB shuts down cleanly every time (exit 0, no crash recovery at
 * the next start).
 */
describe('MariaDB from Debian, in greenci/mariadb:10.11-local', () => {
  const project = uniqueProject('mariadb');
  const repo = tempDir('greenci-mariadb-repo-');
  let spec: ProjectSpec;
  let db: ServiceSpec;
  const network = networkName(project, 'production');
  const name = containerName(project, 'production', 'db');
  let buildNo = 0;

  /** Builds db/ as greenci's build stage does: the Dockerfile checked first, then built with no network. */
  const buildDb = async (dockerfile: string): Promise<string> => {
    writeFileSync(path.join(repo, 'db', 'Dockerfile'), dockerfile);
    const check = checkDockerfile(dockerfile);
    expect(check).toEqual({ baseImages: [MARIADB_IMAGE], refusals: [] });
    expect(await docker.imageInfo(MARIADB_IMAGE), `${MARIADB_IMAGE} is on this host`).toBeDefined();
    buildNo++;
    return docker.buildImage({
      contextDir: path.join(repo, db.build!.context),
      dockerfile: db.build!.dockerfile,
      tags: [`${project}-db:master-test-${buildNo}`],
      labels: { [LABEL.project]: project, [LABEL.app]: 'db', [LABEL.build]: String(buildNo) },
      network: 'none',
      onLine: () => undefined,
    });
  };

  /** Deploys production's services as a release does (servicesOnly: the database, not the apps). */
  const deploy = (image: string, release: string) =>
    deployEnvironment(docker, {
      id: { project, env: 'production', release, buildId: buildNo, commit: `c0ffee${buildNo}` },
      spec,
      images: { db: image },
      freshVolumes: false,
      servicesOnly: true,
      secrets: { db: { MARIADB_PASSWORD: PASSWORD } },
      log: () => undefined,
    });

  /** Runs SQL as the app will: another container on the environment's network, by the service's name, as the app's user. */
  const sql = async (statement: string): Promise<string[]> => {
    const out: string[] = [];
    const result = await docker.runToCompletion(
      {
        name: `${project}-client-${Date.now()}`,
        Image: MARIADB_IMAGE,
        Cmd: ['mariadb', '--host=db', '--user=weight', '--database=weight', '--batch', '--skip-column-names', `--execute=${statement}`],
        Env: [`MYSQL_PWD=${PASSWORD}`],
        Labels: { [LABEL.project]: project },
        HostConfig: { Init: true, NetworkMode: network },
      },
      { onLine: (line) => out.push(line), timeoutMs: 60_000 },
    );
    expect(result, out.join('\n')).toEqual({ exitCode: 0, timedOut: false });
    return out;
  };

  const dbContainer = async () => {
    const info = await docker.inspectContainer(name);
    expect(info, `${name} exists`).toBeDefined();
    return info!;
  };

  beforeAll(async () => {
    // the host script's step: a no-op when the image was built from this very context already
    await run('bash', [path.join(REPO, 'src/host/mariadb-image.sh')], { timeout: 110_000 });
    const parsed = parseProjectFile(GREENCI_YML);
    expect(parsed.errors).toEqual([]);
    spec = parsed.spec!;
    db = spec.services.find((s) => s.name === 'db')!;
    mkdirSync(path.join(repo, 'db'));
  });
  afterAll(async () => {
    await removeProjectResources(project);
    rmSync(repo, { recursive: true, force: true });
  });

  it("the image's first start on an empty volume makes the database and the user, and it answers the app over the network", async () => {
    const image = await buildDb(`FROM ${MARIADB_IMAGE}\n`);

    await deploy(image, 'v0.1.0');

    const info = await dbContainer();
    expect(info.State.Running).toBe(true);
    await sql('CREATE TABLE weighings (id INT PRIMARY KEY, truck VARCHAR(20) NOT NULL, kg INT NOT NULL) ENGINE=InnoDB');
    await sql("INSERT INTO weighings VALUES (1, 'T-1', 2000)");
    expect(await sql('SELECT truck, kg FROM weighings')).toEqual(['T-1\t2000']);
    const logs = await docker.containerLogs(name, 2000);
    expect(logs.join('\n')).toContain('greenci-mariadb-entrypoint: initialised: database weight, user weight');
    expect(logs.join('\n')).not.toContain(PASSWORD);
  });

  it("greenci's graceful stop (SIGTERM, then the grace period) ends MariaDB normally: exit code 0, and its next start finds the row and recovers nothing", async () => {
    const { Id: id } = await dbContainer();

    const stopped = Date.now();
    await docker.stopContainer(id);
    const stopMs = Date.now() - stopped;

    const after = await dbContainer();
    expect(after.State, `stopped in ${stopMs} ms`).toMatchObject({ Running: false, ExitCode: 0, OOMKilled: false });
    const shutdown = (await docker.containerLogs(id, 2000)).join('\n');
    expect(shutdown).toMatch(/mariadbd \(initiated by: .*\): Normal shutdown/);
    expect(shutdown).toMatch(/mariadbd: Shutdown complete\s*$/);

    await docker.startContainer(id);
    await waitContainerHealthy(docker, id, 'service db', 120_000, undefined, db.healthcheck);

    expect(await sql('SELECT truck, kg FROM weighings')).toEqual(['T-1\t2000']);
    const logs = await docker.containerLogs(id, 2000);
    expect(logs.filter((l) => l.includes('Starting MariaDB')).length, 'the initialising server, the first start and this one').toBe(3);
    expect(logs.filter((l) => CRASH_RECOVERY.test(l))).toEqual([]);
  });

  it('a release that changes the database image replaces its container on the same volume: the old one gets SIGTERM and exits 0, the new one has the data and recovers nothing', async () => {
    const old = await dbContainer();
    const image = await buildDb(`FROM ${MARIADB_IMAGE}\nENV SAMPLE_DB_REVISION=2\n`);
    const events: DockerEvent[] = [];
    const stopEvents = new AbortController();
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const watching = docker.events(
      { type: ['container'], label: [`${LABEL.project}=${project}`] },
      stopEvents.signal,
      (e) => events.push(e),
      opened,
    );
    await open;
    try {
      await deploy(image, 'v0.2.0');
    } finally {
      stopEvents.abort();
      await watching;
    }

    const now = await dbContainer();
    expect(now.Id).not.toBe(old.Id);
    const signals = events.filter((e) => e.Actor?.ID === old.Id && e.Action === 'kill').map((e) => e.Actor?.Attributes?.signal);
    expect(signals, 'signals the old container received').toEqual(['15']);
    expect(events.find((e) => e.Actor?.ID === old.Id && e.Action === 'die')?.Actor?.Attributes?.exitCode).toBe('0');
    expect(await sql('SELECT truck, kg FROM weighings')).toEqual(['T-1\t2000']);
    const logs = await docker.containerLogs(now.Id, 2000);
    expect(logs.join('\n')).not.toContain('initialising the empty data directory');
    expect(logs.filter((l) => CRASH_RECOVERY.test(l))).toEqual([]);
  });

  it('and that check does see a crash: after SIGKILL (exit 137) the next start logs InnoDB crash recovery, and the committed row survives', async () => {
    const { Id: id } = await dbContainer();
    await sql("INSERT INTO weighings VALUES (2, 'T-2', 1500)");

    await docker.api.getContainer(id).kill({ signal: 'SIGKILL' });
    await docker.api.getContainer(id).wait();
    expect((await dbContainer()).State.ExitCode).toBe(137);
    await docker.startContainer(id);
    await waitContainerHealthy(docker, id, 'service db', 120_000, undefined, db.healthcheck);

    const logs = await docker.containerLogs(id, 2000);
    expect(logs.filter((l) => CRASH_RECOVERY.test(l)).join('\n')).toMatch(/InnoDB: Starting crash recovery from checkpoint LSN=/);
    expect(await sql('SELECT truck, kg FROM weighings ORDER BY id')).toEqual(['T-1\t2000', 'T-2\t1500']);
  });

  it('a user without a password is refused before anything is written: the container exits 1 saying why', async () => {
    const out: string[] = [];
    const result = await docker.runToCompletion(
      {
        name: `${project}-refused`,
        Image: MARIADB_IMAGE,
        Env: ['MARIADB_DATABASE=weight', 'MARIADB_USER=weight'],
        Labels: { [LABEL.project]: project },
        HostConfig: { Init: true, NetworkMode: 'none' },
      },
      { onLine: (line) => out.push(line), timeoutMs: 60_000 },
    );

    expect(result).toEqual({ exitCode: 1, timedOut: false });
    expect(out.join('\n')).toContain('MARIADB_USER is set but MARIADB_PASSWORD is empty');
    expect(out.join('\n')).not.toContain('Starting MariaDB');
  });
});
