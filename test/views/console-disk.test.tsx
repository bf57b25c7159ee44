import { afterEach, describe, expect, test } from 'vitest';
import type { DiskReport } from '../../engine/client.js';
import { App } from '../../views/App.js';
import { deployment, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { renderView } from '../helpers/render-view.js';

// tall enough that the Environments pane shows its foot
const SIZE = { columns: 140, rows: 60 };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const GB = 1024 ** 3;
const MB = 1024 ** 2;

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

const report = (images: number, free: number, problem?: string): DiskReport => ({
  greenci: { images, buildCache: 40 * MB, containers: 2 * MB, volumes: 300 * MB, database: 5 * MB, dataDir: 60 * MB },
  filesystems: [
    { name: 'docker', path: '/var/lib/docker', free, total: 100 * GB, problem },
    { name: 'dataDir', path: '/var/lib/greenci', free, total: 100 * GB, problem },
  ],
});

describe('the console: the disk greenci takes', () => {
  test("the Environments pane ends with greenci's disk use and the free space; a production change reads it again", async () => {
    const engine = new EngineDouble(sampleSnapshot(), 'alice');
    engine.diskReport = report(1.5 * GB, 40 * GB);
    const v = renderView(<App source={engine} size={SIZE} frameMs={10} />, SIZE);
    views.push(v);
    const waitPlain = (text: string) => v.waitFor((f) => plain(f).includes(text), `frame shows ${text}`);

    await waitPlain('greenci  1.9 GB  images 1.5 GB · cache 40 MB · volumes 300 MB · data dir 60 MB');
    await waitPlain("free     40 GB of 100 GB (40%) on Docker's data root /var/lib/docker");
    expect(plain(v.frame())).not.toContain('below retention.minFree');

    // a release fills the disk past the configured minimum: the next production change reads it again
    engine.diskReport = report(9 * GB, 2 * GB, 'below retention.minFree');
    engine.emit({ type: 'deployment.updated', deployment: deployment(9, { kind: 'promote', status: 'success', version: 'v0.3.0' }) });
    await waitPlain('greenci  9.4 GB  images 9.0 GB');
    await waitPlain('free     2.0 GB of 100 GB (2%) below retention.minFree: greenci prune on Docker');
    expect(engine.calls.filter((c) => c.op === 'disk').length).toBeGreaterThanOrEqual(2);
  });

  test('when the disk cannot be read the pane shows no disk rows rather than made-up figures', async () => {
    const engine = new EngineDouble(sampleSnapshot(), 'alice');
    const v = renderView(<App source={engine} size={SIZE} frameMs={10} />, SIZE);
    views.push(v);
    await v.waitFor(() => engine.calls.some((c) => c.op === 'disk'), 'the console to ask for the disk');
    await v.waitFor((f) => plain(f).includes('green production'), 'the Environments pane');
    expect(plain(v.frame())).not.toMatch(/free {5}\d/);
  });
});
