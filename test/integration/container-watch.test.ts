import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../../engine/docker/docker.js';
import { LABEL } from '../../engine/docker/names.js';
import { UsageError } from '../../engine/errors.js';
import type { EngineEvent } from '../../engine/events.js';
import { createEngine, type Engine } from '../../engine/index.js';
import type { ContainerRow } from '../../engine/model.js';
import { busyboxImage, runBusybox } from '../helpers/busybox.js';
import { docker } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

type ContainersEvent = Extract<EngineEvent, { type: 'containers' }>;

/** The console's Containers pane, from the engine's side: what a watched snapshot shows about greenci's containers. */
describe('watching greenci containers', () => {
  let g: GreenSetup;
  let image: string;
  let buildId: number;
  const foreign: string[] = [];
  const labels = (service: string, extra: Record<string, string> = {}) => ({
    [LABEL.project]: g.project,
    [LABEL.env]: 'test',
    [LABEL.service]: service,
    [LABEL.role]: 'app',
    ...extra,
  });
  const start = (service: string, script: string, extra: Partial<Parameters<typeof runBusybox>[0]> = {}) =>
    runBusybox({
      image,
      name: `${g.project}-test-${service}`,
      script,
      labels: labels(service, { [LABEL.build]: String(buildId), [LABEL.release]: `build-${buildId}` }),
      ...extra,
    });
  /** The rows of this test's project in a snapshot (other tests' containers may share the engine). */
  const rows = (engine: Engine = g.engine) => engine.getSnapshot().containers.filter((c) => c.project === g.project);
  const row = (service: string, engine?: Engine) => rows(engine).find((c) => c.service === service);

  beforeAll(async () => {
    g = await setupGreen();
    image = await busyboxImage(g.project);
    const build = await g.engine.enqueue({ project: g.project, branch: 'master', requestedBy: 'test' });
    g.store.builds.update(build.id, { commitSubject: 'feat: weigh trucks twice' });
    buildId = build.id;
  });
  afterAll(async () => {
    for (const id of foreign) await docker.removeContainer(id);
    await g?.cleanup();
  });

  it('lists running containers with their labels, commit subject, CPU and memory within a few seconds; a busy one shows its CPU', async () => {
    const busy = await start('busy', 'while :; do :; done');
    await start('idle', 'sleep 3600');
    const since = Date.now();
    const release = g.engine.watchContainers();
    try {
      const [b, i] = await waitUntil(
        () => {
          const r = [row('busy'), row('idle')];
          return r.every((c) => c?.cpuPercent !== undefined && c.memBytes !== undefined) && (r as ContainerRow[]);
        },
        'both rows with CPU and memory figures',
        10_000,
      );
      expect(Date.now() - since).toBeLessThan(10_000);
      expect(b).toMatchObject({
        id: busy,
        name: `${g.project}-test-busy`,
        project: g.project,
        env: 'test',
        service: 'busy',
        role: 'app',
        image,
        release: `build-${buildId}`,
        build: buildId,
        subject: 'feat: weigh trucks twice',
        state: 'running',
        restarts: 0,
      });
      expect(b.startedAt).toBeGreaterThan(since - 60_000);
      expect(b).not.toHaveProperty('exitCode');
      expect(b.memBytes).toBeGreaterThan(0);
      expect(b.memLimitBytes).toBeGreaterThan(b.memBytes!);
      // a shell spinning in a loop keeps about one core busy; sleep keeps none
      const spinning = await waitUntil(
        () => (row('busy')!.cpuPercent! > 40 ? row('busy') : undefined),
        'the busy container to show its CPU',
        10_000,
      );
      expect(spinning.cpuPercent).toBeLessThanOrEqual(205);
      expect(i.cpuPercent).toBeLessThan(5);
      expect(g.engine.getSnapshot().docker).toMatchObject({ reachable: true });
      // rows come sorted by name
      const names = g.engine.getSnapshot().containers.map((c) => c.name);
      expect(names).toEqual([...names].sort());
    } finally {
      release();
      await docker.removeContainer(busy);
    }
  });

  it('a killed container shows exited with its exit code; one that keeps failing shows its restarts', async () => {
    const victim = await start('victim', 'sleep 3600');
    await start('flaky', 'echo boom; exit 1', { restart: { Name: 'on-failure', MaximumRetryCount: 2 } });
    const release = g.engine.watchContainers();
    try {
      await waitUntil(() => row('victim')?.state === 'running', 'the victim running');
      await docker.api.getContainer(victim).kill();
      const killed = await waitUntil(
        () => (row('victim')?.state === 'exited' ? row('victim') : undefined),
        'the victim to show exited',
        10_000,
      );
      expect(killed).toMatchObject({ state: 'exited', exitCode: 137 });
      expect(killed.finishedAt).toBeGreaterThanOrEqual(killed.startedAt!);
      expect(killed).not.toHaveProperty('cpuPercent');
      // Docker restarts it twice (its restart count), then leaves it exited
      const flaky = await waitUntil(
        () => (row('flaky')?.state === 'exited' && row('flaky')!.restarts === 2 ? row('flaky') : undefined),
        'flaky exited after 2 restarts',
        15_000,
      );
      expect(flaky).toMatchObject({ exitCode: 1, restarts: 2 });
    } finally {
      release();
    }
  });

  it('container logs: the last lines with tail, then new ones with follow until the container stops; other containers are refused', async () => {
    const chatty = await start('chatty', 'echo started >&2; i=0; while :; do i=$((i+1)); echo "line $i"; sleep 0.2; done');
    const all: string[] = [];
    await waitUntil(
      async () => {
        all.length = 0;
        await g.engine.containerLogs(chatty, { onLine: (l, s) => all.push(`${s}: ${l}`) });
        return all.length >= 4;
      },
      'a few lines logged',
      10_000,
    );
    // each stream keeps its own order (Docker copies stdout and stderr separately, so not their interleaving)
    expect(all.filter((l) => l.startsWith('stderr'))).toEqual(['stderr: started']);
    expect(all.filter((l) => l.startsWith('stdout')).slice(0, 3)).toEqual(['stdout: line 1', 'stdout: line 2', 'stdout: line 3']);

    const tail: string[] = [];
    await g.engine.containerLogs(`${g.project}-test-chatty`, { tail: 2, onLine: (l) => tail.push(l) });
    expect(tail).toHaveLength(2);
    const n = Number(/line (\d+)/.exec(tail[0])![1]);
    expect(tail).toEqual([`line ${n}`, `line ${n + 1}`]);

    // follow: new lines arrive as they are printed; stopping the follower ends the call
    const followed: string[] = [];
    const stop = new AbortController();
    const following = g.engine.containerLogs(chatty, { tail: 1, follow: true, signal: stop.signal, onLine: (l) => followed.push(l) });
    await waitUntil(() => followed.some((l) => Number(/line (\d+)/.exec(l)?.[1]) > n + 5), 'new lines on the follow', 10_000);
    stop.abort();
    await following;

    // a follow ends by itself when the container stops
    const toEnd: string[] = [];
    const ending = g.engine.containerLogs(chatty, { tail: 0, follow: true, onLine: (l) => toEnd.push(l) });
    await waitUntil(() => toEnd.length > 0, 'a line on the second follow', 10_000);
    await docker.api.getContainer(chatty).kill();
    await ending;

    // not greenci's, unknown, or not a container name at all
    // (from the local base image: the busybox image's own greenci.project label would make it greenci's)
    const other = await docker.createContainer({
      name: `not-greenci-${g.project}`,
      Image: 'greenci/node:20-local',
      Cmd: ['node', '-e', '0'],
      Labels: { 'greenci-test.owner': g.project },
    });
    foreign.push(other);
    const refused = g.engine.containerLogs(other, { onLine: () => undefined });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/is not managed by greenci/);
    await expect(g.engine.containerLogs(`${g.project}-no-such`, { onLine: () => undefined })).rejects.toThrow(/no container/);
    await expect(g.engine.containerLogs('../images/json', { onLine: () => undefined })).rejects.toThrow(/not a container id or name/);
  });

  it('one watcher however many watch; after the last release nothing is emitted and no timer is left', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const seen: ContainersEvent[] = [];
    const unsubscribe = g.engine.subscribe((e) => void (e.type === 'containers' && seen.push(e)));
    const first = g.engine.watchContainers();
    const second = g.engine.watchContainers();
    await waitUntil(() => seen.length > 0, 'a containers event');
    first();
    first(); // a second call of the same release changes nothing
    await start('late', 'sleep 3600');
    await waitUntil(
      () => seen.at(-1)!.containers.some((c) => c.service === 'late' && c.state === 'running'),
      'the late container while one watcher remains',
      10_000,
    );
    second();
    expect(timers()).toBeLessThanOrEqual(before);
    const count = seen.length;
    await docker.api.getContainer(`${g.project}-test-late`).kill();
    // nothing listens to Docker any more: give a watcher more than its emit interval to (wrongly) speak
    await new Promise((r) => setTimeout(r, 2500));
    expect(seen.length).toBe(count);
    unsubscribe();
  });

  it('an unreachable Docker shows once in the snapshot, and the watcher recovers by itself when Docker answers again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-dockerproxy-'));
    const socket = path.join(dir, 'docker.sock');
    const engine = createEngine({ config: g.config, env: process.env, docker: new DockerClient(socket) });
    const seen: ContainersEvent[] = [];
    engine.subscribe((e) => void (e.type === 'containers' && seen.push(e)));
    const release = engine.watchContainers();
    const conns = new Set<net.Socket>();
    let proxy: net.Server | undefined;
    try {
      const down = await waitUntil(() => engine.getSnapshot().docker, 'the watcher to report Docker', 5000);
      expect(down).toMatchObject({ reachable: false, detail: expect.stringMatching(/ENOENT|docker\.sock/) });
      // it retries with backoff (1 s, 2 s...) without announcing the same outage again
      await new Promise((r) => setTimeout(r, 1500));
      expect(seen.filter((e) => !e.docker.reachable)).toHaveLength(1);

      // Docker answers again (a proxy to the real socket appears at the path)
      proxy = net.createServer((c) => {
        const up = net.connect('/var/run/docker.sock');
        for (const s of [c, up]) conns.add(s), s.on('error', () => undefined), s.on('close', () => conns.delete(s));
        c.pipe(up).pipe(c);
      });
      await new Promise<void>((resolve) => proxy!.listen(socket, resolve));
      await start('back', 'sleep 3600');
      const back = await waitUntil(
        () => (engine.getSnapshot().docker?.reachable && row('back', engine)?.memBytes !== undefined ? engine.getSnapshot() : undefined),
        'the watcher to recover',
        15_000,
      );
      expect(back.docker).toMatchObject({ reachable: true });
      expect(back.docker!.since).toBeGreaterThan(down.since);
      expect(seen.filter((e) => !e.docker.reachable)).toHaveLength(1);
    } finally {
      release();
      engine.close();
      for (const s of conns) s.destroy();
      await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
