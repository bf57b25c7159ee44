import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/loader.js';
import { createEngine } from '../../engine/index.js';
import { openStore } from '../../engine/store/index.js';
import { tempDir } from '../helpers/origin.js';

/** Two processes on one data dir (a daemon and a console, two consoles) monitor once: alerts are never doubled. */
describe('monitor: one per data dir', () => {
  const dir = tempDir('greenci-monitor-lease-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the second engine skips its rounds while the first monitors, and takes over when it stops', async () => {
    const { config } = parseConfig(
      ['dataDir: .', 'monitor:', '  schedule: "0 0 1 1 *"', 'projects:', '  a:', '    repo: /nowhere.git', ''].join('\n'),
      dir,
    );
    const firstStore = openStore(config!.dataDir);
    const first = createEngine({ config: config!, env: process.env, store: firstStore });
    const second = createEngine({ config: config!, env: process.env });
    try {
      const m1 = first.startMonitor();
      const r1 = await m1.check('test');
      expect(r1?.observed).toBeGreaterThanOrEqual(1);
      expect(firstStore.health.get('greenci/docker')?.state).toBe('healthy');

      const m2 = second.startMonitor();
      expect(await m2.check('test')).toBeUndefined();
      expect(await m2.check('again')).toBeUndefined();

      await m1.stop();
      const r2 = await m2.check('after the first stopped');
      expect(r2?.observed).toBeGreaterThanOrEqual(1);
      await m2.stop();
    } finally {
      first.close();
      second.close();
    }
  });
});
