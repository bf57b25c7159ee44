import { afterEach, describe, expect, test } from 'vitest';
import { App } from '../../views/App.js';
import { statusText } from '../../views/format/status-lines.js';
import { githubVerdict } from '../../engine/github/reporting-verdict.js';
import { sampleSnapshot } from '../helpers/console-fixtures.js';
import { EngineDouble } from '../helpers/engine-double.js';
import { renderView } from '../helpers/render-view.js';

const SIZE = { columns: 140, rows: 60 };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

let views: ReturnType<typeof renderView>[] = [];
afterEach(() => {
  for (const v of views) v.unmount();
  views = [];
});

describe('reporting to GitHub, as people see it', () => {
  test('the Environments pane shows calls waiting and, once GitHub stops taking them, for how long and its answer', async () => {
    const now = Date.now();
    const engine = new EngineDouble(sampleSnapshot(), 'alice');
    const v = renderView(<App source={engine} size={SIZE} frameMs={10} />, SIZE);
    views.push(v);
    const waitPlain = (text: string) => v.waitFor((f) => plain(f).includes(text), `frame shows ${text}`);
    await v.waitFor((f) => plain(f).includes('green production'), 'the Environments pane');
    expect(plain(v.frame())).not.toContain('reporting');

    engine.emit({ type: 'github.reporting', reporting: { pending: 0, lastSentAt: now - 12_000 } });
    await v.waitFor((f) => /reporting {2}ok {2}0 waiting · last taken 1\ds ago/.test(plain(f)), 'reporting ok');

    engine.emit({
      type: 'github.reporting',
      reporting: {
        pending: 3,
        lastSentAt: now - 20 * 60_000,
        failingSince: now - 12 * 60_000,
        lastError: {
          at: now - 30_000,
          call: 'greenci/push pending "queued" on 1a2b3c4',
          error: 'GitHub answered 503: Service Unavailable',
          final: false,
        },
      },
    });
    await waitPlain('reporting  failing for 12m  3 waiting · last taken 20m ago');
    // the pane is narrow: what went wrong comes before which call it was
    await v.waitFor(
      (f) => /last error \d+s ago {2}GitHub answered 503: Service Unavailable {2}greenci\/push/.test(plain(f)),
      'the last error',
    );
  });

  test('greenci status ends with the same figures; the monitor alerts only after 10 minutes of failing', () => {
    const now = Date.now();
    const reporting = {
      pending: 1,
      lastSentAt: now - 60_000,
      failingSince: now - 5 * 60_000,
      lastError: {
        at: now - 5 * 60_000,
        call: 'deployment production of 1a2b3c4',
        error: 'GitHub answered 422: Validation Failed',
        final: true,
      },
    };
    const text = statusText({ ...sampleSnapshot(), github: reporting }, undefined, now);
    expect(text.split('\n').at(-1)).toMatch(
      /^github: 1 waiting; last taken 1m ago; failing for 5m; last refused \d\d:\d\d:\d\d: deployment production of 1a2b3c4: GitHub answered 422: Validation Failed$/,
    );
    expect(githubVerdict(reporting, now)).toMatchObject({ ok: true });
    const later = githubVerdict(reporting, now + 5 * 60_000);
    expect(later.ok).toBe(false);
    expect(later.detail).toContain('reporting to GitHub has failed for 10m');
    expect(later.detail).toContain('GitHub answered 422: Validation Failed');
  });
});
