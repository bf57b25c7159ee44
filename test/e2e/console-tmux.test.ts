import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../engine/store/index.js';
import { ControlClient } from '../../src/control-client.js';
import type { BuildRecord } from '../../engine/model.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { getJson } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { Tmux } from '../helpers/tmux.js';
import { waitUntil } from '../helpers/wait.js';

const TSX = path.join('node_modules', '.bin', 'tsx');

/** With GREENCI_CAPTURE_DIR set, the screens seen are written there (for the README and release notes). */
function keep(name: string, text: string): void {
  const dir = process.env.GREENCI_CAPTURE_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), text);
}

/**
 * The console in a real terminal: tmux runs `greenci console` attached to a daemon whose sample
 * project was released twice; the operator rolls production back with the keyboard.
 */
describe('the console in tmux, attached to the daemon', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let store: Store;
  let client: ControlClient;
  const terms: Tmux[] = [];

  const release = async (sha?: string): Promise<BuildRecord> => {
    const queued = await client.request<BuildRecord>('POST', '/builds', {
      project: g.project,
      branch: 'master',
      sha,
      requestedBy: 'setup',
    });
    return waitUntil(() => {
      const b = store.builds.get(queued.id);
      return b && ['success', 'failed', 'cancelled'].includes(b.status) && b;
    }, `build #${queued.id} to finish`);
  };

  beforeAll(async () => {
    g = await setupGreen({ healthTimeout: '10s', noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    d = await startDaemon(g.configFile, g.env);
    store = openStore(g.dataDir);
    client = (await ControlClient.connect(g.config.control.socket!))!;
    expect(await release()).toMatchObject({ status: 'success', version: 'v0.1.0' });
    const v2 = await g.origin.commitVariant('v2', 'feat: weight api v2');
    await g.origin.push('master');
    expect(await release(v2)).toMatchObject({ status: 'success', version: 'v0.2.0' });
    expect((await getJson(`http://127.0.0.1:${g.ports.weight}/health`)).body).toMatchObject({ version: 'v0.2.0' });
  });
  afterAll(async () => {
    for (const t of terms) await t.kill();
    await d?.stop();
    store?.close();
    await g?.cleanup();
  });

  const open = async (columns: number, rows: number, term: string) => {
    const t = await Tmux.start([TSX, 'src/bin.ts', '--config', g.configFile], {
      columns,
      rows,
      term,
      env: { USER: 'olivia', SUDO_USER: '' },
    });
    terms.push(t);
    return t;
  };

  it('200x50, TERM=tmux-256color: r, Enter, y rolls production back to v0.1.0; HTTP and the pane agree; the audit names the operator', async () => {
    const t = await open(200, 50, 'tmux-256color');
    await t.waitFor(/greenci/, 30_000, 'a first frame');
    const firstFrameMs = performance.now() - t.startedAt;
    await t.waitFor(new RegExp(`daemon pid ${d.pid}`));
    keep('launch.txt', `launch to first frame: ${firstFrameMs.toFixed(0)} ms (tmux new-session to a captured frame, tsx from source)\n`);
    await t.waitFor(/● v0\.2\.0 .*live[\s\S]*v0\.1\.0/, 30_000, 'the releases pane with both releases');
    await t.waitFor(new RegExp(`${g.project} production v0\\.2\\.0 live`));
    await t.waitFor(/weight\s+\S+\s+v0\.2\.0\s+(healthy|running)\s+up/);
    await t.waitFor(/3 Containers\s+\d+[\s\S]*%/, 15_000, 'container stats'); // CPU samples arrived

    keep('console-200x50.txt', await t.capture());
    await t.keys('r');
    await t.waitFor(`pick the release for production ${g.project}`);
    await t.keys('Enter');
    await t.waitFor(`production ${g.project}: v0.2.0 -> v0.1.0`);
    keep('confirm-200x50.txt', await t.waitFor('recorded as olivia'));
    await t.keys('y');
    await t.waitFor(`production ${g.project} now runs v0.1.0 (was v0.2.0), rolled back by olivia`, 120_000);

    expect((await getJson(`http://127.0.0.1:${g.ports.weight}/health`)).body).toMatchObject({ version: 'v0.1.0' });
    // a capture can catch a frame half drawn: wait for each part rather than reading one capture
    // a manual rollback holds production: the row says so
    await t.waitFor(new RegExp(`${g.project} production v0\\.1\\.0 live\\s+held by olivia .*\\s+rollback v0\\.1\\.0 success .* by olivia`));
    await t.waitFor(/● v0\.1\.0 .*live/);
    expect(store.audit.list(g.project).find((a) => a.action === 'rollback')).toMatchObject({
      actor: 'olivia',
      target: 'v0.1.0',
      outcome: 'success',
    });

    // q leaves the daemon running
    await t.keys('q');
    await waitUntil(() => t.dead(), 'the console to exit', 10_000);
    expect(d.child.exitCode).toBeNull();
    expect((await client.request<{ daemon: { pid: number } }>('GET', '/status')).daemon.pid).toBe(d.pid);
  });

  it('80x24, TERM=screen-256color: fits, switches panes, re-lays out when the window grows', async () => {
    const t = await open(80, 24, 'screen-256color');
    const f = await t.waitFor(new RegExp(`${g.project} production v0\\.1\\.0 live[\\s\\S]*Tab/1-5 panes`));
    keep('console-80x24.txt', f);
    const lines = f.replace(/\n+$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    await t.waitFor(/1 Environments\s+2 Builds/);
    await t.keys('2');
    keep('builds-80x24.txt', await t.waitFor(/#\d+\s+✓ master\s+[0-9a-f]{7} done/));
    await t.resize(200, 50);
    await t.waitFor(/4 Detail[\s\S]*/, 10_000);
    await t.waitFor(/1 Environments[\s\S]*5 Releases[\s\S]*2 Builds[\s\S]*3 Containers[\s\S]*4 Detail/);
    await t.keys('q');
    await waitUntil(() => t.dead(), 'the console to exit', 10_000);
  });
});
