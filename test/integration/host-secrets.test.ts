import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinished, type BuildRecord } from '../../engine/model.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { ControlClient } from '../../src/control-client.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { freePort, getJson, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { tempDir } from '../helpers/origin.js';
import { SmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Secrets on the host, end to end with a real daemon, Docker, SQLite and SMTP server: a project
 * whose app and database take a password (and production's app an API token) from greenci's
 * secrets file and environment. A test step prints what the app sees, as a careless test would.
 */

const APP = `const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  if (req.url === '/env') return res.end(JSON.stringify({ DB_PASSWORD: process.env.DB_PASSWORD ?? null, API_TOKEN: process.env.API_TOKEN ?? null }));
  res.statusCode = 404;
  res.end();
}).listen(8080);
`;
const DB = `require('node:http').createServer((req, res) => res.end('db')).listen(7000);
console.log('db up');
`;
const PEEK = `const fail = require('node:fs').existsSync('/w/fail');
fetch('http://app:8080/env').then((r) => r.text()).then((t) => {
  console.log('what the app sees: ' + t);
  process.exit(fail ? 1 : 0);
}, (err) => { console.error(err); process.exit(2); });
`;
const dockerfile = (file: string, cmd: string) => `FROM greenci/node:20-local\nWORKDIR /w\nCOPY ${file} /w/\nCMD ["node", "/w/${cmd}"]\n`;

function greenciYml(port: number): string {
  return [
    'apps:',
    '  app:',
    '    build: app',
    '    port: 8080',
    '    env:',
    '      DB_PASSWORD: {secret: DB_PASSWORD}',
    '      MODE: plain',
    '    depends_on: [db]',
    'services:',
    '  db:',
    '    build: db',
    '    volume: /data',
    '    env:',
    '      MARIADB_PASSWORD: {secret: DB_PASSWORD}',
    '    healthcheck:',
    '      test: ["CMD", "node", "-e", "0"]',
    '      interval: 1s',
    '      timeout: 3s',
    '      retries: 30',
    'tests:',
    '  - name: peek',
    '    build: tests',
    '    timeout: 60s',
    'environments:',
    '  test:',
    '    health_timeout: 30s',
    '  production:',
    '    health_timeout: 30s',
    `    ports: {app: ${port}}`,
    '    env:',
    '      app: {API_TOKEN: {secret: API_TOKEN}}',
    '    release: {verify: 1s}',
    '',
  ].join('\n');
}

/** Text inside a container's own environment, read by a process started in it. */
function envInside(container: string): Record<string, string> {
  return JSON.parse(
    execFileSync('docker', ['exec', container, 'node', '-e', 'process.stdout.write(JSON.stringify(process.env))'], { encoding: 'utf8' }),
  );
}

describe('secrets on the host', () => {
  const project = uniqueProject('vault');
  const VAR = project.replace(/-/g, '_').toUpperCase();
  const hex = () => randomBytes(6).toString('hex');
  const values = { test: `tpw-${hex()}`, prod: `ppw-${hex()}`, prod2: `ppw2-${hex()}`, token: `tok-${hex()}` };
  const root = tempDir('greenci-secrets-');
  const dataDir = path.join(root, 'data');
  const work = path.join(root, 'work');
  const bare = path.join(root, 'origin.git');
  const secretsFile = path.join(root, `${project}.env`);
  const configFile = path.join(root, 'greenci.config.yml');
  let port: number;
  let sink: SmtpSink;
  let d: DaemonRun;
  let store: Store;
  const events: Record<string, unknown>[] = [];
  const stopEvents = new AbortController();
  const jsonOutputs: string[] = [];

  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
  const commit = (message: string) => {
    git('add', '--all');
    git('-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '--allow-empty', '-m', message);
    git('push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/master');
  };
  const writeConfig = (o: { token: boolean }) =>
    writeFileSync(
      configFile,
      [
        `dataDir: ${dataDir}`,
        'webhook:',
        '  listen: 127.0.0.1:0',
        'reconcile:',
        '  schedule: "0 0 1 1 *"',
        ...sink.configLines({ lead: ['lead@example.com'] }),
        'projects:',
        `  ${project}:`,
        `    repo: ${bare}`,
        `    imagePrefix: ${project}-`,
        `    secretsFile: ${secretsFile}`,
        '    secrets:',
        '      test:',
        `        app: {DB_PASSWORD: ${VAR}_TEST_DB}`,
        `        db: {DB_PASSWORD: ${VAR}_TEST_DB}`,
        '      production:',
        `        app: {DB_PASSWORD: ${VAR}_PROD_DB${o.token ? `, API_TOKEN: ${VAR}_API_TOKEN` : ''}}`,
        `        db: {DB_PASSWORD: ${VAR}_PROD_DB}`,
        '',
      ].join('\n'),
    );
  const writeSecrets = (prod: string) => {
    writeFileSync(secretsFile, `# ${project}'s secrets\n${VAR}_TEST_DB=${values.test}\n${VAR}_PROD_DB="${prod}" # the database's\n`, {
      mode: 0o600,
    });
    chmodSync(secretsFile, 0o600);
  };
  const cli = async (args: string[]) => {
    const r = await greenciDone([...args, '--config', configFile]);
    if (args.includes('--json')) jsonOutputs.push(r.stdout);
    return r;
  };
  /** Queues a master build through the daemon and waits until it ends. */
  const build = async (): Promise<BuildRecord> => {
    const r = await cli(['trigger', project, '--branch', 'master', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as BuildRecord).id;
    return waitUntil(
      () => {
        const b = store.builds.get(id);
        return b && isFinished(b.status) && b;
      },
      `build #${id} to end`,
      240_000,
      200,
    );
  };
  const reload = async () => {
    const before = d.logs.filter((e) => /^config reload(ed| failed)/.test(e.msg)).length;
    d.child.kill('SIGHUP');
    return waitUntil(
      () => d.logs.filter((e) => /^config reload(ed| failed)/.test(e.msg))[before],
      'the daemon to reload its config',
      30_000,
      50,
    );
  };
  const mailTo = (subject: RegExp) =>
    waitUntil(
      () => sink.messages.find((m) => subject.test(m.subject ?? '')),
      `an email with subject ${subject}; have: ${sink.messages.map((m) => m.subject).join(' | ')}`,
      60_000,
    );

  beforeAll(async () => {
    sink = await SmtpSink.start();
    port = await freePort();
    mkdirSync(work, { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=master', bare]);
    git('init', '--quiet', '--initial-branch=master');
    git('remote', 'add', 'origin', bare);
    for (const [dir, file, text] of [
      ['app', 'server.js', APP],
      ['db', 'server.js', DB],
      ['tests', 'run.js', PEEK],
    ]) {
      mkdirSync(path.join(work, dir));
      writeFileSync(path.join(work, dir, file), text);
      writeFileSync(path.join(work, dir, 'Dockerfile'), dockerfile(dir === 'tests' ? '.' : file, file));
    }
    writeFileSync(path.join(work, 'tests', 'fail'), 'this commit fails its test step\n');
    writeFileSync(path.join(work, 'greenci.yml'), greenciYml(port));
    commit('feat: the vault');
    writeSecrets(values.prod);
    writeConfig({ token: false });
    d = await startDaemon(configFile, { [`${VAR}_API_TOKEN`]: values.token });
    store = openStore(dataDir);
    const client = new ControlClient(path.join(dataDir, 'greenci.sock'));
    void client.stream('GET', '/events', undefined, (o) => events.push(o), stopEvents.signal).catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    stopEvents.abort();
    await d?.stop();
    store?.close();
    await removeProjectResources(project);
    await sink?.down();
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it("a secret greenci's config does not give fails the build at config, naming it and where greenci looked; nothing is deployed", async () => {
    const b = await build();
    expect(b.status).toBe('failed');
    expect(b.stages.find((s) => s.name === 'config')!.status).toBe('failed');
    expect(b.reason).toBe(
      `config: secret API_TOKEN for app app in the production environment is missing: greenci's config gives it no value (no projects.${project}.secrets.production.app.API_TOKEN)`,
    );
    expect(
      store.builds
        .logs(b.id)
        .filter((l) => l.stream === 'stderr')
        .map((l) => l.line),
    ).toEqual([b.reason!.slice('config: '.length)]);
    expect(execFileSync('docker', ['ps', '-aq', '--filter', `label=greenci.project=${project}`], { encoding: 'utf8' }).trim()).toBe('');
    const mail = await mailTo(new RegExp(`^✖ ${project} master #${b.id} failed at config`));
    expect(mail.text).toContain(`projects.${project}.secrets.production.app.API_TOKEN`);
  });

  it("given after a reload (SIGHUP): the test environment's containers get the test values; a test step printing them shows ******** in the log and the email", async () => {
    writeConfig({ token: true });
    expect((await reload()).msg).toBe('config reloaded');
    const b = await build();
    expect(b.status).toBe('failed');
    expect(b.reason).toMatch(/^test: tests failed: peek exited 1/);
    expect(envInside(`${project}-test-app`)).toMatchObject({ DB_PASSWORD: values.test, MODE: 'plain' });
    expect(envInside(`${project}-test-app`).API_TOKEN).toBeUndefined();
    expect(envInside(`${project}-test-db`)).toMatchObject({ MARIADB_PASSWORD: values.test });
    const logs = await cli(['logs', String(b.id), '--json']);
    expect(logs.stdout).toContain('what the app sees: {\\"DB_PASSWORD\\":\\"********\\",\\"API_TOKEN\\":null}');
    expect(logs.stdout).toContain(`host secrets for test: db (MARIADB_PASSWORD), app (DB_PASSWORD)`);
    const mail = await mailTo(new RegExp(`^✖ ${project} master #${b.id} failed at test`));
    expect(mail.text).toContain('what the app sees: {"DB_PASSWORD":"********","API_TOKEN":null}');
  });

  it("released: production's app and database get production's values (the file's first, the token from greenci's environment)", async () => {
    rmSync(path.join(work, 'tests', 'fail'));
    commit('feat: tests pass');
    const b = await build();
    expect(b.status, b.reason).toBe('success');
    expect(b.version).toBe('v0.1.0');
    expect((await getJson(`http://127.0.0.1:${port}/env`)).body).toEqual({ DB_PASSWORD: values.prod, API_TOKEN: values.token });
    expect(envInside(`${project}-production-db`)).toMatchObject({ MARIADB_PASSWORD: values.prod });
    // the release records greenci.yml with the secrets' names, never their values
    const spec = (store.db.prepare('SELECT spec FROM releases WHERE version = ?').get('v0.1.0') as { spec: string }).spec;
    expect(spec).toContain('"secrets":{"DB_PASSWORD":"DB_PASSWORD"}');
  });

  it('the same password keeps the database running across a release; a changed one (file edited, SIGHUP) redeploys it', async () => {
    const dbId = () => execFileSync('docker', ['inspect', '-f', '{{.Id}}', `${project}-production-db`], { encoding: 'utf8' }).trim();
    const first = dbId();
    writeFileSync(path.join(work, 'app', 'server.js'), `${APP}// v2\n`);
    commit('feat: v2');
    const same = await build();
    expect(same.version).toBe('v0.2.0');
    expect(store.builds.logs(same.id).map((l) => l.line)).toContain('service db: unchanged, kept running');
    expect(dbId()).toBe(first);

    writeSecrets(values.prod2);
    expect((await reload()).msg).toBe('config reloaded');
    writeFileSync(path.join(work, 'app', 'server.js'), `${APP}// v3\n`);
    commit('feat: v3');
    const changed = await build();
    expect(changed.status, changed.reason).toBe('success');
    expect(changed.version).toBe('v0.3.0');
    expect(store.builds.logs(changed.id).map((l) => l.line)).not.toContain('service db: unchanged, kept running');
    expect(dbId()).not.toBe(first);
    expect(envInside(`${project}-production-db`)).toMatchObject({ MARIADB_PASSWORD: values.prod2 });
    expect((await getJson(`http://127.0.0.1:${port}/env`)).body).toEqual({ DB_PASSWORD: values.prod2, API_TOKEN: values.token });
  });

  it('a rollback to a release whose secret is no longer given is refused, and production is not changed', async () => {
    writeConfig({ token: false });
    expect((await reload()).msg).toBe('config reloaded');
    try {
      const r = await cli(['rollback', project, '--to', 'v0.2.0']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `cannot roll back to v0.2.0: secret API_TOKEN for app app in the production environment is missing: greenci's config gives it no value (no projects.${project}.secrets.production.app.API_TOKEN); production was not changed`,
      );
      expect(store.releases.liveRelease(project)?.version).toBe('v0.3.0');
      expect((await getJson(`http://127.0.0.1:${port}/env`)).body).toEqual({ DB_PASSWORD: values.prod2, API_TOKEN: values.token });
    } finally {
      writeConfig({ token: true });
      expect((await reload()).msg).toBe('config reloaded');
    }
  });

  it('a secrets file its group or others can read is refused: the reload keeps the running config, the command line names the file and its mode', async () => {
    chmodSync(secretsFile, 0o644);
    try {
      const failed = await reload();
      expect(failed.msg).toContain(`projects.${project}.secretsFile: ${secretsFile} has mode 0644`);
      const status = await greenciDone(['status', '--config', configFile]);
      expect(status.code).toBe(2);
      expect(status.stderr).toContain(
        `projects.${project}.secretsFile: ${secretsFile} has mode 0644: its group or other users can get at the secrets in it; it must be 0600 or stricter (chmod 600 ${secretsFile})`,
      );
    } finally {
      chmodSync(secretsFile, 0o600);
    }
  });

  it('no value anywhere: not in the SQLite file or any table, --json output, control API events, the daemon log or any email', async () => {
    const all = Object.values(values);
    for (const b of store.builds.list({ project, limit: 20 })) await cli(['logs', String(b.id), '--json']);
    for (const args of [
      ['status', '--json'],
      ['builds', project, '--json'],
      ['releases', project, '--json'],
      ['health', '--json'],
    ]) {
      const r = await cli(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const texts: [string, string][] = [
      ['--json output', jsonOutputs.join('\n')],
      ['control API events', JSON.stringify(events)],
      ['daemon log', JSON.stringify(d.logs) + d.stderr()],
      ['emails', JSON.stringify(sink.messages.map((m) => [m.subject, m.text, m.html]))],
    ];
    for (const table of (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    ))
      texts.push([`table ${table}`, JSON.stringify(store.db.prepare(`SELECT * FROM "${table}"`).all())]);
    for (const [where, text] of texts) for (const v of all) expect(text.includes(v), `${where} holds a secret value`).toBe(false);
    // the masked output did flow through them
    expect(JSON.stringify(events)).toContain('********');
    expect(jsonOutputs.join('\n')).toContain('********');
    for (const suffix of ['', '-wal', '-shm']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path.join(dataDir, `greenci.db${suffix}`));
      } catch {
        continue;
      }
      for (const v of all) expect(bytes.includes(v), `greenci.db${suffix} holds a secret value`).toBe(false);
    }
  });
});
