import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronLogger, scheduleJob, type ScheduledTask } from '../../engine/cron.js';
import { waitUntil } from '../helpers/wait.js';

type Line = [level: string, msg: string, fields?: Record<string, unknown>];

describe('scheduled jobs: node-cron speaks through greenci’s log', () => {
  let task: ScheduledTask | undefined;
  afterEach(async () => {
    await task?.destroy();
    vi.restoreAllMocks();
  });

  it('a tick missed while the event loop is blocked is one structured warning, and nothing reaches the console', async () => {
    const console_ = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
    const lines: Line[] = [];
    let runs = 0;
    task = scheduleJob('* * * * * *', () => void runs++, { name: 'monitor', log: (...l) => void lines.push(l) });
    await waitUntil(() => runs > 0, 'a first run', 5000, 20);
    // Given a job due every second, When the event loop is blocked for 2.5 s (a long synchronous call)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
    // Then the runs it missed are logged as such, and the job carries on
    const after = runs;
    await waitUntil(() => runs > after, 'a run after the block', 5000, 20);
    const missed = lines.filter(([, , f]) => f?.missed);
    expect(missed.length).toBeGreaterThanOrEqual(1);
    for (const [level, msg, fields] of missed) {
      expect(level).toBe('warn');
      expect(msg).toMatch(/^monitor: the run due at \d{4}-\d\d-\d\dT\S+Z was skipped: the process was busy or paused past it$/);
      expect(fields).toEqual({ cron: 'monitor', missed: expect.stringMatching(/Z$/) });
    }
    expect(console_.flatMap((s) => s.mock.calls)).toEqual([]);
  });

  it('node-cron’s own warnings and errors become plain log lines (no colours), or nothing without a log', () => {
    const lines: Line[] = [];
    const logger = cronLogger('reconcile', (...l) => void lines.push(l));
    logger.warn('task still running, new execution blocked by overlap prevention!');
    logger.error('Task failed with error!', new Error('git fetch failed'));
    logger.error(new Error('boom'));
    logger.debug('chatter');
    expect(lines).toEqual([
      ['warn', 'reconcile: task still running, new execution blocked by overlap prevention!', { cron: 'reconcile' }],
      ['error', 'reconcile: Task failed with error!: git fetch failed', { cron: 'reconcile' }],
      ['error', 'reconcile: boom', { cron: 'reconcile' }],
    ]);
    const spy = vi.spyOn(console, 'warn');
    cronLogger('monitor', undefined).warn('missed execution');
    expect(spy).not.toHaveBeenCalled();
  });
});
