/** @jsxRuntime automatic */
/**
 * Benchmark: the console rendering a snapshot of 500 builds and 50 containers, at 80x24 and
 * 200x50. Measures, through Ink into an in-memory terminal:
 *   - first frame: from render() to the first frame showing the data;
 *   - key → frame: ↓ in the Builds pane (500 builds) to the next frame (median of 200);
 *   - event → frame: a container sample changing (the once-a-second load) to the frame showing it (median, p95 of 200).
 * In the same run, the peer: the same rows built as plain strings with no React or Ink (the pure
 * formatters the panes use), which is what the terminal work costs without a UI framework.
 * Prints figures; asserts nothing.
 *
 *   npm run bench:console      # or: npx tsx test/bench/console-render.tsx
 */
import { render } from 'ink-testing-library';
import { App } from '../../views/App.js';
import { buildRows } from '../../views/format/build-rows.js';
import { containerRows } from '../../views/format/container-rows.js';
import { environmentRows } from '../../views/format/environment-rows.js';
import { build, container, release, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';

/** Resolves with the time the next frame written to the (in-memory) terminal matches. */
function frameWatch(stdout: { write: (f: string) => void }) {
  const waiters: { match: (f: string) => boolean; resolve: (t: number) => void }[] = [];
  let frames = 0;
  const write = stdout.write;
  stdout.write = (f: string) => {
    write(f);
    frames++;
    const t = performance.now();
    for (const w of [...waiters]) if (w.match(f)) waiters.splice(waiters.indexOf(w), 1), w.resolve(t);
  };
  return {
    frames: () => frames,
    next: (match: (f: string) => boolean) => new Promise<number>((resolve) => waiters.push({ match, resolve })),
  };
}

function bigSnapshot() {
  const s = sampleSnapshot();
  const statuses = ['success', 'success', 'failed', 'success', 'cancelled'] as const;
  s.builds = Array.from({ length: 500 }, (_, i) => {
    const id = 500 - i;
    return build(id, {
      branch: i % 3 ? `feature/item-${id}` : 'master',
      status: i < 2 ? 'running' : i < 6 ? 'queued' : statuses[i % 5],
      version: i % 3 ? undefined : `v0.${id}.0`,
      reason: statuses[i % 5] === 'failed' ? 'test failed: 2 of 40' : undefined,
    });
  });
  s.containers = Array.from({ length: 50 }, (_, i) =>
    container(`green-${i < 25 ? 'production' : 'test'}-svc${String(i).padStart(2, '0')}`, {
      env: i < 25 ? 'production' : 'test',
      cpuPercent: (i * 7) % 100,
      memBytes: 10_000_000 + i * 1_000_000,
    }),
  );
  return s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function measure(columns: number, rows: number) {
  const engine = new EngineDouble(bigSnapshot(), 'bench');
  engine.releasesOf.green = [release(2, 'v0.2.0'), release(1, 'v0.1.0')];
  const t0 = performance.now();
  const app = render(<App source={engine} size={{ columns, rows }} env={{ NO_COLOR: '1' }} frameMs={0} />);
  // ink-testing-library's terminal is 100 columns wide; give it the size measured
  Object.defineProperty(app.stdout, 'columns', { value: columns });
  const term = frameWatch(app.stdout);
  const first = (app.lastFrame() ?? '').includes('production v0.2.0 live')
    ? performance.now() - t0
    : (await term.next((f) => f.includes('production v0.2.0 live'))) - t0;
  const keys = { press: (k: string) => app.stdin.write(k) };

  // a key → the next frame: moving down the 500 builds
  keys.press('2');
  await term.next((f) => f.includes('2 Builds'));
  const scrolls: number[] = [];
  for (let i = 0; i < 200; i++) {
    const seen = term.next(() => true);
    const at = performance.now();
    keys.press('\x1b[B');
    scrolls.push((await seen) - at);
  }

  // an engine event → the frame that shows it: a container sample changing (what arrives every second)
  keys.press('3');
  await term.next((f) => f.includes('3 Containers'));
  const updates: number[] = [];
  for (let i = 0; i < 200; i++) {
    const cpu = `${(10 + i / 10).toFixed(1)}%`;
    const seen = term.next((f) => f.includes(cpu));
    const at = performance.now();
    const s = engine.snapshot;
    engine.emit({
      type: 'containers',
      docker: s.docker!,
      containers: s.containers.map((c, j) => (j === 0 ? { ...c, cpuPercent: 10 + i / 10 } : c)),
    });
    updates.push((await seen) - at);
  }
  app.unmount();

  // peer: the same rows as plain strings, no React or Ink
  const snap = engine.snapshot;
  const peer: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    const lines = [
      ...environmentRows(snap, columns, Date.now()),
      ...buildRows(bigSnapshot().builds, columns, Date.now()),
      ...containerRows(snap.containers, columns, Date.now()),
    ]
      .map((r) => r.text)
      .join('\n');
    peer.push(performance.now() - a);
    if (!lines) throw new Error('no rows');
  }
  return {
    size: `${columns}x${rows}`,
    first,
    updateMedian: median(updates),
    updateP95: p95(updates),
    scrollMedian: median(scrolls),
    peerMedian: median(peer),
    frames: term.frames(),
  };
}

console.log('console render: snapshot of 500 builds and 50 containers, Ink into an in-memory terminal (NO_COLOR)');
console.log(`node ${process.version}, ${new Date().toISOString()}`);
const results = [];
for (const [c, r] of [
  [80, 24],
  [200, 50],
])
  results.push(await measure(c, r));
console.log(
  '| size | first frame | key → frame (median) | event → frame (median / p95) | peer: same rows as plain strings, no Ink (median) |',
);
console.log('|---|---|---|---|---|');
for (const r of results)
  console.log(`| ${r.size} | ${ms(r.first)} | ${ms(r.scrollMedian)} | ${ms(r.updateMedian)} / ${ms(r.updateP95)} | ${ms(r.peerMedian)} |`);
process.exit(0);
