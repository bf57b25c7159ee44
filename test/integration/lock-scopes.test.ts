import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GreenciConfig } from '../../config/schema.js';
import type { DockerPort } from '../../engine/docker/port.js';
import { StageError } from '../../engine/errors.js';
import { EventBus } from '../../engine/events.js';
import { HostLocks } from '../../engine/host-locks.js';
import type { SecretResolver } from '../../engine/host-secrets.js';
import type { BuildContext, Stage } from '../../engine/pipeline/context.js';
import { planStages, type StageName } from '../../engine/pipeline/plan.js';
import { runStages } from '../../engine/pipeline/runner.js';
import { CanaryControl } from '../../engine/release/canary-control.js';
import { Recorder } from '../../engine/recorder.js';
import { openStore } from '../../engine/store/index.js';
import { tempDir } from '../helpers/origin.js';
import { waitUntil } from '../helpers/wait.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const PURPOSE = `build #1 releasing ${SHA.slice(0, 12)}`;

/**
 * The runner holds the plan's lock scopes, not the stages: real SQLite leases, a real second
 * greenci process competing for the lock, and stand-in stages that say what they saw.
 */
describe('lock scopes held by the runner', () => {
  const dirs: string[] = [];
  const others: Other[] = [];
  afterEach(() => {
    for (const o of others.splice(0)) o.kill();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(stages: Partial<Record<StageName, Stage['run']>>) {
    const dir = tempDir('greenci-scopes-');
    dirs.push(dir);
    const store = openStore(dir);
    const bus = new EventBus();
    const recorder = new Recorder(store, bus);
    const planned = planStages('master', 'master');
    const buildId = store.builds.create({ project: 'green', branch: 'master', refSlug: 'master', trigger: 'manual', stages: planned });
    const ctx: BuildContext = {
      deps: {
        config: {} as GreenciConfig,
        docker: {} as DockerPort,
        recorder,
        locks: new HostLocks(store.leases, 20),
        canaries: new CanaryControl(),
        secrets: {} as SecretResolver,
        repo: () => {
          throw new Error('no git here');
        },
      },
      buildId,
      project: 'green',
      projectConfig: {} as BuildContext['projectConfig'],
      branch: 'master',
      requestedBy: 'alice',
      trigger: 'manual',
      standIn: false,
      log: () => {},
      cleanups: [],
      images: {},
    };
    const table = Object.fromEntries(
      planned.map(({ name }) => [name, { name, run: stages[name] ?? (async () => {}) } satisfies Stage]),
    ) as Record<StageName, Stage>;
    table.checkout.run = async (c) => void (c.commit = { sha: SHA, authorName: 'a', authorEmail: 'a@x', subject: 's', message: 's' });
    const other = (lock: string, purpose: string) => {
      const o = startOther(dir, lock, purpose);
      others.push(o);
      return o;
    };
    const run = (signal = new AbortController().signal) => runStages(ctx, planned, signal, undefined, { stages: table });
    return { store, bus, run, other, buildId };
  }

  it('holds production from promote through release: another process waits the whole scope and takes it after', async () => {
    const seen: string[] = [];
    let waiter: Other | undefined;
    const { store, run, other } = setup({
      async promote() {
        seen.push(`promote: ${store.leases.holder('production:green')?.purpose}`);
      },
      async 'deploy-production'() {
        // another greenci process wants production (a rollback, say) while production is being changed
        waiter = other('production:green', 'rollback by bob');
        await waiter.waiting;
        seen.push(`deploy-production: ${store.leases.holder('production:green')?.purpose}`);
      },
      async release() {
        await new Promise((r) => setTimeout(r, 200)); // the waiter polls every 20 ms: it would have taken a free lock by now
        seen.push(`release: ${store.leases.holder('production:green')?.purpose}, other took it: ${waiter!.took.settled}`);
      },
    });

    const build = await run();

    expect(build.status, build.reason).toBe('success');
    expect(seen).toEqual([`promote: ${PURPOSE}`, `deploy-production: ${PURPOSE}`, `release: ${PURPOSE}, other took it: false`]);
    expect(await waiter!.waiting).toBe(`waiting: greenci process ${process.pid} (${PURPOSE}) is using production:green`);
    await waiter!.took;
    expect(store.leases.holder('test:green')).toBeUndefined();
  });

  it('a failing stage inside the production scope lets go of production at once: before it is even recorded failed, and another process takes it', async () => {
    let waiter: Other | undefined;
    const { store, bus, run, other } = setup({
      async 'deploy-production'() {
        waiter = other('production:green', 'rollback by bob');
        await waiter.waiting;
        throw new StageError('v0.2.1 failed in production');
      },
    });
    const atRecord: Record<string, string | undefined> = {};
    bus.subscribe((e) => {
      if (e.type === 'stage.updated' && e.stage.status !== 'running')
        atRecord[`${e.stage.name} ${e.stage.status}`] = store.leases.holder('production:green')?.purpose;
    });

    const build = await run();

    expect(build.stages.slice(5).map((s) => [s.name, s.status])).toEqual([
      ['promote', 'success'],
      ['deploy-production', 'failed'],
      ['release', 'skipped'],
    ]);
    expect(build.reason).toBe('deploy-production: v0.2.1 failed in production');
    expect(atRecord).toMatchObject({ 'promote success': PURPOSE, 'deploy-production failed': undefined, 'release skipped': undefined });
    await waiter!.took;
  });

  it('holds the test environment from deploy-test through test, and lets go of it when the build is cancelled inside the scope', async () => {
    const abort = new AbortController();
    const seen: string[] = [];
    const { store, bus, run } = setup({
      async 'deploy-test'() {
        seen.push(`deploy-test: ${store.leases.holder('test:green')?.purpose}`);
      },
      async test(_ctx, signal) {
        seen.push(`test: ${store.leases.holder('test:green')?.purpose}`);
        abort.abort('cancelled by bob');
        signal.throwIfAborted();
      },
    });
    let atCancel: string | undefined = 'not recorded';
    bus.subscribe(
      (e) =>
        e.type === 'stage.updated' &&
        e.stage.name === 'test' &&
        e.stage.status === 'cancelled' &&
        (atCancel = store.leases.holder('test:green')?.purpose),
    );

    const build = await run(abort.signal);

    expect(build.status).toBe('cancelled');
    expect(seen).toEqual(['deploy-test: build #1', 'test: build #1']);
    expect(atCancel).toBeUndefined();
    expect(build.stages.slice(5).every((s) => s.status === 'cancelled')).toBe(true);
    expect(store.leases.holder('production:green')).toBeUndefined();
  });

  it('a build cancelled between two stages of a scope lets go of it before the next is recorded cancelled', async () => {
    const abort = new AbortController();
    const { store, bus, run } = setup({
      async 'deploy-test'() {
        abort.abort('superseded by #2'); // deploy-test itself finishes
      },
    });
    let atCancel: string | undefined = 'not recorded';
    bus.subscribe(
      (e) =>
        e.type === 'stage.updated' &&
        e.stage.name === 'test' &&
        e.stage.status === 'cancelled' &&
        (atCancel = store.leases.holder('test:green')?.purpose),
    );

    const build = await run(abort.signal);

    expect([build.status, build.reason]).toEqual(['cancelled', 'cancelled before test: superseded by #2']);
    expect(build.stages.find((s) => s.name === 'deploy-test')?.status).toBe('success');
    expect(atCancel).toBeUndefined();
  });

  it('says in the first stage of a scope who it waits for, as before', async () => {
    const { store, run, other, buildId } = setup({});
    const holder = other('production:green', 'rollback by bob');
    await holder.took; // holds on until killed
    const building = run();
    await waitUntil(() => store.builds.logs(buildId).find((l) => l.stage === 'promote'), 'the build waiting for production', 10_000, 20);
    holder.kill();
    const build = await building;

    expect(build.status, build.reason).toBe('success');
    expect(store.builds.logs(buildId).map((l) => [l.stage, l.line])).toEqual([
      ['promote', `waiting: greenci process ${holder.pid} (rollback by bob) is using production:green`],
    ]);
  });
});

interface Other {
  pid: number;
  /** The line the other process was told when it found the lock busy. */
  waiting: Promise<string>;
  /** Settles when the other process holds the lock. */
  took: Promise<void> & { settled: boolean };
  kill(): void;
}

/** Another greenci process asking for `lock`: it says when it waits and when it has the lock, then keeps it until killed. */
function startOther(dir: string, lock: string, purpose: string): Other {
  const code = `import { openStore } from ${JSON.stringify(path.join(ROOT, 'engine/store/index.ts'))};
    import { HostLocks } from ${JSON.stringify(path.join(ROOT, 'engine/host-locks.ts'))};
    const store = openStore(${JSON.stringify(dir)});
    const release = await new HostLocks(store.leases, 20).acquire(${JSON.stringify(lock)}, ${JSON.stringify(purpose)}, { onWait: (m) => console.log(m) });
    console.log('took');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: ROOT,
  });
  let out = '';
  const line = (match: (l: string) => boolean) => {
    const p = new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = out.split('\n').find(match);
        if (found) resolve(found);
      };
      child.stdout!.on('data', (c) => ((out += String(c)), check()));
      child.on(
        'exit',
        () => (check(), reject(new Error(`the other process ended before it printed the line (it printed ${JSON.stringify(out)})`))),
      );
    });
    p.catch(() => {}); // a line never printed only matters to a test that awaits it
    return p;
  };
  const took = Object.assign(
    line((l) => l === 'took').then(() => void (took.settled = true)),
    { settled: false },
  );
  return { pid: child.pid!, waiting: line((l) => l.startsWith('waiting: ')), took, kill: () => child.kill('SIGKILL') };
}
