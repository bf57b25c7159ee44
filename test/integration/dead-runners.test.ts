import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker, getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'src', 'bin.ts');

/**
 * `greenci` as node itself (no tsx wrapper process), so its pid is the one recorded as the build's
 * runner and a signal reaches the process that runs the build.
 */
function cli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Reads the first line of a run's stdout, then closes the pipe as `head -1` does. */
function firstLineThenClose(run: ReturnType<typeof cli>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    run.child.stdout.setEncoding('utf8');
    run.child.stdout.on('data', (c: string) => {
      text += c;
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      run.child.stdout.destroy();
      resolve(text.slice(0, nl));
    });
    void run.exited.then((r) => reject(new Error(`greenci exited before its first line: ${JSON.stringify(r)}`)));
  });
}

/** Builds of greenci processes whose reader went away (a closed pipe) or that died (SIGKILL) while a daemon runs. */
describe('dead runners', () => {
  let g: GreenSetup;
  let store: Store;
  let d: DaemonRun | undefined;
  const testContainers = (id: number) =>
    docker.listContainers([`${LABEL.project}=${g.project}`, `${LABEL.build}=${id}`, `${LABEL.role}=test`]);

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  it('`greenci run … | head -1`: the closed pipe does not kill greenci; the build runs to its end and leaves nothing behind', async () => {
    await g.origin.checkoutNewBranch('feature/piped', 'master');
    await g.origin.commitAll('feat: read by head -1');
    await g.origin.push('feature/piped');

    // Given a reader that takes the first line and closes the pipe, as `head -1` does
    const run = cli(['run', g.project, '--branch', 'feature/piped', '--config', g.configFile], g.env);
    const first = await firstLineThenClose(run);
    expect(first).toMatch(new RegExp(`^build #\\d+ ${g.project} feature/piped$`));
    const id = Number(/^build #(\d+)/.exec(first)![1]);

    // When greenci writes its next lines into the closed pipe, it carries on: no EPIPE crash
    const r = await run.exited;
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r, r.stderr).toMatchObject({ code: 0, signal: null });

    // Then the build reached its end, nothing is left running, and its worktree and test containers are gone
    const builds = JSON.parse((await greenciDone(['builds', g.project, '--json', '--config', g.configFile], g.env)).stdout) as {
      id: number;
      status: string;
    }[];
    expect(builds.find((b) => b.id === id)).toMatchObject({ status: 'success' });
    expect(builds.filter((b) => b.status === 'running' || b.status === 'queued')).toEqual([]);
    expect(readdirSync(path.join(g.dataDir, 'work', g.project))).toEqual([]);
    expect(await testContainers(id)).toEqual([]);
  });

  it('`greenci logs -f … | head -1` stops following when head leaves, not when the build ends', async () => {
    await g.origin.checkout('feature/piped');
    const sha = await g.origin.commitAll('feat: followed by head -1');
    await g.origin.push('feature/piped');
    const run = cli(['run', g.project, '--branch', 'feature/piped', '--config', g.configFile], g.env);
    let out = '';
    run.child.stdout.on('data', (c) => (out += c));
    const id = Number((await waitUntil(() => /^build #(\d+) /.exec(out) ?? undefined, 'the build to start'))[1]);

    // Given `greenci logs -f` of the running build read by a reader that leaves after the first line
    const follow = cli(['logs', String(id), '-f', '--config', g.configFile], g.env);
    await firstLineThenClose(follow);
    const r = await follow.exited;

    // Then it stops without an EPIPE crash, while the build it followed still runs
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r, r.stderr).toMatchObject({ code: 0, signal: null });
    expect(store.builds.get(id)!.status).toBe('running');
    expect(await run.exited).toMatchObject({ code: 0 });
    expect(store.builds.get(id)).toMatchObject({ status: 'success', sha });
  });

  it('a `greenci run` killed with SIGKILL while the daemon runs: the daemon marks its build and deployment interrupted within seconds', async () => {
    d = await startDaemon(g.configFile, g.env);
    await g.origin.checkoutNewBranch('feature/killed', 'master');
    const sha = await g.origin.commitAll('feat: its runner is killed');
    await g.origin.push('feature/killed');

    // Given a CLI build deploying to the test environment
    const run = cli(['run', g.project, '--branch', 'feature/killed', '--config', g.configFile], g.env);
    const pid = run.child.pid!;
    const deployment = await waitUntil(
      () =>
        store.releases
          .deployments(g.project, 'test', 5)
          .find((x) => x.status === 'running' && store.builds.get(x.buildId!)?.branch === 'feature/killed'),
      'the CLI build to deploy to test',
    );
    const id = deployment.buildId!;
    expect(store.builds.claimed().find((b) => b.id === id)?.runner).toMatch(new RegExp(`^${pid} `));

    // When its process is killed outright (no cleanup, no last write)
    run.child.kill('SIGKILL');
    expect(await run.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(store.builds.get(id)!.status).toBe('running'); // as the kill left it

    // Then the running daemon notices within seconds, not at its next start
    const ended = await waitUntil(() => store.builds.get(id)?.status !== 'running' && store.builds.get(id)!, `build #${id} to end`, 30_000);
    expect(ended).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        new RegExp(`^interrupted: the greenci process running it \\(pid ${pid}\\) stopped during deploy-test; re-queued`),
      ),
    });
    await waitUntil(
      () => store.releases.deployments(g.project, 'test').find((x) => x.id === deployment.id && x.status === 'interrupted'),
      `test deployment #${deployment.id} to be closed as interrupted`,
      30_000,
    );
    const note = await d.waitForLog(
      (e) => e.build === id && /was interrupted during deploy-test; queued again as #\d+/.test(e.msg),
      30_000,
    );
    await waitUntil(
      () => !existsSync(path.join(g.dataDir, 'work', g.project, String(id))),
      `build #${id}'s worktree to be removed`,
      30_000,
    );
    expect(await testContainers(id)).toEqual([]);

    // and the daemon builds the commit again, as it would have after its own restart
    const again = Number(/queued again as #(\d+)/.exec(note.msg)![1]);

    const rebuilt = await waitUntil(
      () => ['success', 'failed', 'cancelled'].includes(store.builds.get(again)?.status ?? '') && store.builds.get(again)!,
      `build #${again} to end`,
    );
    expect(rebuilt).toMatchObject({ status: 'success', sha, trigger: 'recovery', retryOf: id });
    expect(store.builds.list({ project: g.project }).filter((b) => b.status === 'running' || b.status === 'queued')).toEqual([]);
    expect(store.releases.deployments(g.project, 'test').filter((x) => x.status === 'running')).toEqual([]);
  });

  it('a `greenci run` of master killed during deploy-production: the daemon closes it, checks production against the live release and does not release the re-run', async () => {
    const prod = async () => (await getJson(`http://127.0.0.1:${g.ports.weight}/health`)).body as { version?: string };
    await g.origin.checkout('master');
    const first = await greenciDone(['run', g.project, '--branch', 'master', '--config', g.configFile], g.env);
    expect(first.code, first.stderr).toBe(0);
    expect(await prod()).toMatchObject({ version: 'v0.1.0' });

    // Given a CLI build of the next commit deploying to production
    const v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    const run = cli(['run', g.project, '--branch', 'master', '--config', g.configFile], g.env);
    const { id } = await waitUntil(
      () => store.builds.claimed().find((b) => b.runner.startsWith(`${run.child.pid} `)),
      'the CLI build to start',
    );
    const deployment = await waitUntil(
      () => store.releases.deployments(g.project, 'production', 5).find((x) => x.buildId === id && x.status === 'running'),
      `build #${id} to deploy to production`,
    );

    // When its process is killed outright
    run.child.kill('SIGKILL');
    await run.exited;

    // Then within seconds the build and the deployment are closed as interrupted
    const ended = await waitUntil(() => store.builds.get(id)?.status !== 'running' && store.builds.get(id)!, `build #${id} to end`, 30_000);
    expect(ended).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^interrupted: the greenci process running it \(pid \d+\) stopped during deploy-production; re-queued/),
    });
    await waitUntil(
      () => store.releases.deployments(g.project, 'production').find((x) => x.id === deployment.id && x.status === 'interrupted'),
      `production deployment #${deployment.id} to be closed as interrupted`,
      30_000,
    );
    // and production is checked against the live release (restored where the dead deploy left it otherwise)
    await d!.waitForLog(
      (e) => e.project === g.project && /^production \S+ (runs v0\.1\.0 as recorded|restored to v0\.1\.0)$/.test(e.msg),
      60_000,
    );
    expect(await prod()).toMatchObject({ version: 'v0.1.0' });

    // The commit is built again, but greenci does not release it on its own behalf: production stays where it was
    const note = await d!.waitForLog((e) => e.build === id && /queued again as #\d+/.test(e.msg), 30_000);
    const again = Number(/queued again as #(\d+)/.exec(note.msg)![1]);
    const rebuilt = await waitUntil(
      () => ['success', 'failed', 'cancelled'].includes(store.builds.get(again)?.status ?? '') && store.builds.get(again)!,
      `build #${again} to end`,
    );
    expect(rebuilt).toMatchObject({ status: 'success', outcome: 'not-released', trigger: 'recovery', requestedSha: v2 });
    expect(store.releases.liveRelease(g.project)?.version).toBe('v0.1.0');
    expect(await prod()).toMatchObject({ version: 'v0.1.0' });
    expect(store.releases.deployments(g.project, 'production').filter((x) => x.status === 'running')).toEqual([]);
  });
});
