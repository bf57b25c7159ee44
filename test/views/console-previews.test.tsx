import { afterEach, describe, expect, test } from 'vitest';
import type { PreviewRecord } from '../../engine/model.js';
import { reduce } from '../../engine/state.js';
import { App } from '../../views/App.js';
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

const preview = (o: Partial<PreviewRecord>): PreviewRecord => ({
  project: 'green',
  branch: 'feature/login',
  envKey: 'preview-feature-login-abc123',
  buildId: 41,
  sha: '0123456789abcdef0123456789abcdef01234567',
  ports: { billing: 20100, weight: 20101 },
  state: 'deploying',
  createdAt: Date.now() - 60_000,
  updatedAt: Date.now() - 5_000,
  ...o,
});

describe('preview environments, as people see them', () => {
  test('the Environments pane lists each preview after test: deploying, then live at its addresses, then gone', async () => {
    const engine = new EngineDouble(sampleSnapshot(), 'alice');
    const v = renderView(<App source={engine} size={SIZE} frameMs={10} />, SIZE);
    views.push(v);
    await v.waitFor((f) => plain(f).includes('green production'), 'the Environments pane');
    expect(plain(v.frame())).not.toContain('preview');

    engine.emit({ type: 'preview.updated', project: 'green', branch: 'feature/login', preview: preview({}) });
    await v.waitFor((f) => /green preview feature\/login {2}deploying build #41 \(ports 20100, 20101\)/.test(plain(f)), 'deploying');

    const live = preview({
      state: 'live',
      endpoints: { billing: 'http://127.0.0.1:20100/health', weight: 'http://127.0.0.1:20101/health' },
    });
    engine.emit({ type: 'preview.updated', project: 'green', branch: 'feature/login', preview: live });
    engine.emit({
      type: 'preview.updated',
      project: 'green',
      branch: 'pr:7',
      preview: preview({
        branch: 'pr:7',
        envKey: 'preview-pr-7-def456',
        buildId: 42,
        state: 'failed',
        reason: 'app billing unhealthy',
        createdAt: Date.now(),
      }),
    });
    await v.waitFor(
      (f) =>
        /green preview feature\/login {2}billing http:\/\/127\.0\.0\.1:20100 {2}weight http/.test(plain(f)) &&
        /green preview pr:7 {2}build #42 failed: app billing unhealthy/.test(plain(f)),
      'live and failed previews',
    );
    // after the test environment, the one deployed first first
    const text = plain(v.frame());
    expect(text.indexOf('green test')).toBeLessThan(text.indexOf('green preview feature/login'));
    expect(text.indexOf('green preview feature/login')).toBeLessThan(text.indexOf('green preview pr:7'));

    engine.emit({ type: 'preview.updated', project: 'green', branch: 'feature/login' });
    await v.waitFor(
      (f) => !plain(f).includes('green preview feature/login') && plain(f).includes('green preview pr:7'),
      'feature/login gone',
    );
  });

  test("a preview's deployments do not pass for the test environment's", () => {
    const s = sampleSnapshot();
    const before = s.environments.green;
    const after = reduce(s, {
      type: 'deployment.updated',
      deployment: { id: 99, project: 'green', env: 'preview', target: 'feature/login', kind: 'deploy', status: 'running', startedAt: 0 },
    });
    expect(after.environments.green).toBe(before);
  });
});
