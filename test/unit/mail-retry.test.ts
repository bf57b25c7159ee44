import { describe, expect, it } from 'vitest';
import { isTemporary, retryDelay } from '../../engine/notify/retry.js';

describe('sending again', () => {
  it('backs off from 2 s to at most 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(retryDelay)).toEqual([2000, 5000, 15000, 30000, 60000, 120000, 300000, 300000, 300000]);
  });
  it('tries again when the server is unreachable or answers 4xx; gives up on 5xx', () => {
    expect(isTemporary({ code: 'ESOCKET' })).toBe(true);
    expect(isTemporary({ responseCode: 421 })).toBe(true);
    expect(isTemporary({ responseCode: 550 })).toBe(false);
  });
});
