import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../engine/events.js';
import { followBuildLog, readBuildLog, type BuildLogSource } from '../../engine/follow-log.js';
import type { LogLine } from '../../engine/model.js';
import { Recorder } from '../../engine/recorder.js';
import { openStore, type Store } from '../../engine/store/index.js';
import { greenci } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

/** Following a build's log on a real store (a SQLite file) and the engine's event bus, as the control server and the in-process client do. */
describe('followBuildLog', () => {
  let dir: string;
  let store: Store;
  let bus: EventBus;
  let recorder: Recorder;
  let id: number;
  const opened: Store[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-follow-'));
    store = openStore(dir);
    opened.push(store);
    bus = new EventBus();
    recorder = new Recorder(store, bus);
    id = store.builds.create({
      project: 'green',
      branch: 'master',
      refSlug: 'master',
      trigger: 'manual',
      stages: [{ name: 'build', title: 'build' }],
    });
    recorder.build(id, { status: 'running', startedAt: Date.now() });
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const s of opened.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The engine's side of it, with hooks to act right after one of its reads. */
  function engineLike(o: { dataDir?: string; afterLogs?: (call: number) => void; afterBuild?: (call: number) => void } = {}) {
    const calls = { logs: 0, build: 0 };
    const source: BuildLogSource = {
      subscribe: (fn) => bus.subscribe(fn),
      logs(buildId, after) {
        const lines = store.builds.logs(buildId, after);
        o.afterLogs?.(++calls.logs);
        return lines;
      },
      build(buildId) {
        const b = store.builds.get(buildId);
        o.afterBuild?.(++calls.build);
        return b;
      },
      config: o.dataDir ? { dataDir: o.dataDir } : undefined,
    };
    return { source, calls };
  }
  const log = (line: string) => recorder.log(id, 'build', 'stdout', line);
  const finish = () => recorder.build(id, { status: 'success', finishedAt: Date.now() });
  const texts = (lines: LogLine[]) => lines.map((l) => l.line);

  it('given a running build with lines already written, it hands over those and each new line once, in order, and resolves with the finished build', async () => {
    log('one');
    log('two');
    const seen: LogLine[] = [];
    const following = followBuildLog(engineLike().source, id, { onLine: (l) => seen.push(l) });
    expect(texts(seen)).toEqual(['one', 'two']);
    log('three');
    await waitUntil(() => seen.length === 3, 'the new line', 5000, 10);
    log('four');
    finish();
    const build = await following;
    expect(build).toMatchObject({ id, status: 'success' });
    expect(texts(seen)).toEqual(['one', 'two', 'three', 'four']);
    expect(new Set(seen.map((l) => l.id)).size).toBe(4);
  });

  it('lines and the end that land right after its first read of the log are neither lost nor given twice', async () => {
    log('before');
    const seen: string[] = [];
    // when the first read of the lines returns, two more lines and the end have been written and announced
    const { source } = engineLike({ afterLogs: (n) => n === 1 && (log('between 1'), log('between 2'), finish()) });
    const build = await followBuildLog(source, id, { onLine: (l) => seen.push(l.line) });
    expect(build.status).toBe('success');
    expect(seen).toEqual(['before', 'between 1', 'between 2']);
  });

  it('an end that lands between its read of the status and its read of the lines is seen, with every line once', async () => {
    log('before');
    const seen: string[] = [];
    const { source } = engineLike({ afterBuild: (n) => n === 1 && (log('last line'), finish()) });
    const build = await followBuildLog(source, id, { onLine: (l) => seen.push(l.line) });
    expect(build.status).toBe('success');
    expect(seen).toEqual(['before', 'last line']);
  });

  it('a build another process writes (nothing announced here) is followed to its end through the data directory', async () => {
    const other = openStore(dir); // another connection to the same file, announcing nothing on this bus
    opened.push(other);
    const seen: string[] = [];
    const following = followBuildLog(engineLike({ dataDir: dir }).source, id, { onLine: (l) => seen.push(l.line) });
    other.builds.appendLog(id, 'build', 'stdout', 'from elsewhere');
    await waitUntil(() => seen.length === 1, "the other process's line", 10_000, 10);
    other.builds.appendLog(id, 'build', 'stdout', 'its last line');
    other.builds.update(id, { status: 'failed', reason: 'test failed', finishedAt: Date.now() });
    expect(await following).toMatchObject({ status: 'failed', reason: 'test failed' });
    expect(seen).toEqual(['from elsewhere', 'its last line']);
  });

  it('reads the store only when something happened: no timer, however long the build runs quietly', async () => {
    vi.useFakeTimers();
    const { source, calls } = engineLike();
    const seen: string[] = [];
    const following = followBuildLog(source, id, { onLine: (l) => seen.push(l.line) });
    const reads = calls.logs;
    vi.advanceTimersByTime(10 * 60_000);
    expect(calls.logs).toBe(reads);
    log('at last');
    vi.runOnlyPendingTimers(); // the wake-up an event schedules
    expect(seen).toEqual(['at last']);
    finish();
    vi.runOnlyPendingTimers();
    expect((await following).status).toBe('success');
  });

  it('stops when its signal fires: resolves with the build as it stands and hands over nothing more', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const following = followBuildLog(engineLike({ dataDir: dir }).source, id, { signal: stop.signal, onLine: (l) => seen.push(l.line) });
    log('one');
    await waitUntil(() => seen.length === 1, 'the first line', 5000, 10);
    stop.abort();
    log('after the stop');
    expect((await following).status).toBe('running');
    expect(seen).toEqual(['one']);
  });

  it('from a given line on, and not following: what is stored now; an unknown build is a NotFoundError', async () => {
    log('old');
    const old = store.builds.logs(id)[0].id;
    log('new');
    const seen: string[] = [];
    expect(readBuildLog(engineLike().source, id, { after: old, onLine: (l) => seen.push(l.line) }).status).toBe('running');
    expect(seen).toEqual(['new']);
    await expect(followBuildLog(engineLike().source, 9999, { onLine: () => undefined })).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'no build #9999',
    });
    expect(() => readBuildLog(engineLike().source, 9999, { onLine: () => undefined })).toThrow('no build #9999');
  });
});

describe('greenci logs -f with no daemon', () => {
  it('follows a build another process runs to its end, then says how it ended', async () => {
    // Given a build that another process (a console with no daemon, say) runs and writes
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-follow-cli-'));
    const config = path.join(dir, 'greenci.config.yml');
    writeFileSync(
      config,
      ['dataDir: ./data', 'projects:', '  green:', '    repo: ./origin/green.git', '    productionBranch: master', ''].join('\n'),
    );
    const other = openStore(path.join(dir, 'data'));
    try {
      const id = other.builds.create({
        project: 'green',
        branch: 'master',
        refSlug: 'master',
        trigger: 'manual',
        stages: [{ name: 'build', title: 'build' }],
      });
      other.builds.update(id, { status: 'running', startedAt: Date.now() });
      other.builds.appendLog(id, 'build', 'stdout', 'first line');
      // When an operator follows it from another terminal
      const run = greenci(['logs', String(id), '-f', '--config', config]);
      await run.waitFor(/first line/, 60_000);
      other.builds.appendLog(id, 'build', 'stdout', 'last line');
      other.builds.update(id, { status: 'success', finishedAt: Date.now() });
      // Then every line comes once and the command ends with the build
      const { code, stdout } = await run.done;
      expect(code).toBe(0);
      expect(stdout.match(/first line/g)).toHaveLength(1);
      expect(stdout.match(/last line/g)).toHaveLength(1);
      expect(stdout).toContain(`build #${id} succeeded`);
    } finally {
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
