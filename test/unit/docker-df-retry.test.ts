import { describe, expect, it } from 'vitest';
import { dfRetryDelay } from '../../engine/docker/system.js';

/** What docker-modem rejects with when Docker 20.10 refuses a second `system df` (checked: three concurrent requests, two got this). */
const busy = Object.assign(new Error('(HTTP code 500) server error - a disk usage operation is already running '), {
  statusCode: 500,
  json: { message: 'a disk usage operation is already running' },
});

describe('asking Docker for its disk usage again', () => {
  it('waits and asks again while another reading keeps the engine busy, backing off, then gives up', () => {
    const delays = Array.from({ length: 13 }, (_, i) => dfRetryDelay(busy, i + 1, 0));
    expect(delays).toEqual([250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2000, 2000, 2000, 2000, 2000]);
    // about 20 s in all, within the 30 s the control API gives a caller
    const total = (delays as number[]).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(15_000);
    expect(total + 13 * 250).toBeLessThan(25_000);
    expect(dfRetryDelay(busy, 14, 0)).toBeUndefined();
  });

  it('asks again shortly after a socket hiccup, at most twice', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const hangUp = new Error('socket hang up');
    expect(dfRetryDelay(reset, 1, 0)).toBe(100);
    expect(dfRetryDelay(hangUp, 2, 0)).toBe(200);
    expect(dfRetryDelay(reset, 3, 0)).toBeUndefined();
  });

  it('fails at once when no engine answers or the engine reports a real error', () => {
    expect(dfRetryDelay(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }), 1)).toBeUndefined();
    expect(dfRetryDelay(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 1)).toBeUndefined();
    const other = Object.assign(new Error('(HTTP code 500) server error - no space left on device'), {
      statusCode: 500,
      json: { message: 'no space left on device' },
    });
    expect(dfRetryDelay(other, 1)).toBeUndefined();
  });
});
