import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenciDone } from '../helpers/cli.js';
import { docker } from '../helpers/docker-env.js';
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

/** Builds of greenci processes whose reader went away (a closed pipe). */
describe('dead runners', () => {
  let g: GreenSetup;
  let store: Store;
  const testContainers = (id: number) =>
    docker.listContainers([`${LABEL.project}=${g.project}`, `${LABEL.build}=${id}`, `${LABEL.role}=test`]);

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    store = openStore(g.dataDir);
  });
  afterAll(async () => {
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
});
