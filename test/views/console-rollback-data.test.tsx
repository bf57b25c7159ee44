import { afterEach, describe, expect, test, vi } from 'vitest';
import { App } from '../../views/App.js';
import { release, sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { KEY, renderView } from '../helpers/render-view.js';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

function start(size: { columns: number; rows: number }) {
  const engine = new EngineDouble(sampleSnapshot(), 'alice');
  engine.releasesOf.green = [release(2, 'v0.2.0'), release(1, 'v0.1.0')];
  const v = renderView(<App source={engine} size={size} env={{}} onQuit={vi.fn()} frameMs={10} />, size);
  views.push(v);
  const waitPlain = (text: string) => v.waitFor((f) => plain(f).replace(/\s+/g, ' ').includes(text), `frame shows ${text}`);
  return { engine, v, waitPlain, text: () => plain(v.frame()) };
}

describe("the rollback picker says when the target is older than production's data", () => {
  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 200, rows: 50 },
  ])
    test(`${size.columns}x${size.rows}: r, Enter on v0.1.0 (v0.2.0 live): the question says a rollback keeps today's data and how to put v0.1.0's back`, async () => {
      const { engine, v, waitPlain, text } = start(size);
      await waitPlain('green production');
      await v.press('r');
      await waitPlain('pick the release for production green');
      await v.press(KEY.enter);
      await waitPlain('production green: v0.2.0 -> v0.1.0');
      // wrapped in the dialog at 80 columns: compare with the line breaks and borders gone
      await v.waitFor(
        (f) =>
          plain(f)
            .replace(/[║│]/g, ' ')
            .replace(/\s+/g, ' ')
            .includes(
              "data is newer than v0.1.0: rolling back keeps today's data (greenci rollback --restore-data to put back the data of v0.1.0)",
            ),
        'the data line',
      );
      expect(text()).toContain('roll back now');
      await v.press('n');
      await waitPlain('rollback not started');
      expect(engine.calls.some((c) => c.op === 'rollback')).toBe(false);
    });
});
