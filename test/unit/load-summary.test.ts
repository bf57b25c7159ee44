import { describe, expect, it } from 'vitest';
import { loadSummary } from '../../src/demo/load-summary.js';
import type { LoadResult, LoadSample } from '../../src/demo/load.js';

const answer = (sent: number, version: string, status = 200): LoadSample => ({
  sent,
  at: sent + 2,
  status,
  body: JSON.stringify({ status: status === 200 ? 'ok' : 'down', version }),
});
const result = (samples: LoadSample[], failures: LoadResult['failures'] = [], longestGapMs = 120): LoadResult => ({
  samples,
  failures,
  ok: samples.filter((s) => s.status === 200).length,
  non200: samples.filter((s) => s.status !== 200).length,
  longestGapMs,
});

describe('loadSummary: what clients saw during one change', () => {
  it('counts answers, failures and non-200s, and names the releases in the order they first answered', () => {
    const billing = result(
      [answer(0, 'v0.1.0'), answer(10, 'v0.1.0'), answer(20, 'v0.1.0', 503), answer(30, 'v0.2.0')],
      [{ at: 5, error: 'ECONNRESET' }],
    );
    const weight = result([answer(0, 'v0.1.0'), answer(5, 'v0.2.0'), answer(1500, 'v0.2.0')], [], 40);
    expect(
      loadSummary(
        [
          { app: 'billing', load: billing },
          { app: 'weight', load: weight },
        ],
        8,
      ),
    ).toEqual([
      '8 keep-alive clients per app: 7 answers, 1 failed (refused, reset or timed out), 1 not 200',
      'billing  v0.1.0 ×2 → v0.2.0 ×1; longest wait for a 200: 0.12 s',
      'weight   v0.1.0 ×1 → v0.2.0 ×2; longest wait for a 200: 0.04 s',
    ]);
  });

  it("gives the new release's share of the window in which both answered (a canary), when that lasted over a second", () => {
    // 4 s side by side: every fifth answer from the canary
    const samples = Array.from({ length: 400 }, (_, i) => answer(i * 10, i % 5 === 4 ? 'v0.3.0' : 'v0.1.0'));
    samples.push(...Array.from({ length: 100 }, (_, i) => answer(4000 + i * 10, 'v0.3.0')));
    expect(loadSummary([{ app: 'weight', load: result(samples, [], 30) }], 16)).toEqual([
      '16 keep-alive clients per app: 500 answers, 0 failed (refused, reset or timed out), 0 not 200',
      'weight  v0.1.0 ×320 → v0.3.0 ×180; both for 3.9 s, v0.3.0 20.0 %; longest wait for a 200: 0.03 s',
    ]);
  });

  it('says when an app never answered', () => {
    expect(loadSummary([{ app: 'billing', load: result([], [{ at: 1, error: 'ECONNREFUSED' }], 5000) }], 8)).toEqual([
      '8 keep-alive clients per app: 0 answers, 1 failed (refused, reset or timed out), 0 not 200',
      'billing  no answer; longest wait for a 200: 5.00 s',
    ]);
  });
});
