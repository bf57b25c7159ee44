import { describe, expect, it } from 'vitest';
import { interruptedOutcome } from '../../engine/interrupted.js';
import {
  afterFailure,
  MAX_ROUNDS_WAITED,
  roundsToWait,
  tagConflict,
  tagRound,
  type TagRetryState,
} from '../../engine/pipeline/tag-retry.js';

/** Runs `rounds` scheduled rounds against a push that always fails; returns the rounds that tried. */
function tries(rounds: number): number[] {
  let state: TagRetryState | undefined;
  const tried: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const d = tagRound(state);
    state = d.state;
    if (d.attempt) tried.push(i), (state = afterFailure(state));
  }
  return tried;
}

describe('release tags origin has not got: when greenci tries again', () => {
  it('tries a tag at once, then backs off doubling the gap, up to every 8th round', () => {
    expect([0, 1, 2, 3, 4, 9].map(roundsToWait)).toEqual([0, 1, 3, 7, 7, 7]);
    expect(MAX_ROUNDS_WAITED).toBe(7);
    // gaps of 2, 4, 8, then 8 rounds (on the default 2-minute schedule: 4, 8, 16, 16 minutes)
    expect(tries(40)).toEqual([0, 2, 6, 14, 22, 30, 38]);
  });

  it('never tries again a tag origin holds on another commit', () => {
    const stuck = tagConflict('v0.3.0', 'a'.repeat(40), 'b'.repeat(40));
    expect(stuck).toMatch(/^origin has v0\.3\.0 on another commit \(bbbbbbbbbbbb, not aaaaaaaaaaaa\); greenci never moves a tag/);
    const state = afterFailure(undefined, stuck);
    expect(Array.from({ length: 20 }, () => tagRound(state).attempt).some(Boolean)).toBe(false);
    expect(tagConflict('v0.3.0', 'a'.repeat(40), 'a'.repeat(40))).toBeUndefined();
    expect(tagConflict('v0.3.0', 'a'.repeat(40), undefined)).toBeUndefined();
  });
});

describe('a build whose greenci process died: what the next start records', () => {
  const base = { trigger: 'push', pid: '4242', newer: false, known: true };

  it('a build interrupted after its release went live is recorded released, not failed, and not built again', () => {
    expect(interruptedOutcome({ ...base, stage: 'release', released: { version: 'v0.3.0', tagPushed: false } })).toEqual({
      status: 'success',
      requeue: false,
      reason:
        'interrupted: the greenci process running it (pid 4242) stopped during release, after v0.3.0 went live in production, but its git tag was not pushed then; greenci pushes it on its own (greenci releases says when)',
    });
    expect(interruptedOutcome({ ...base, stage: 'release', released: { version: 'v0.3.0', tagPushed: true } }).reason).toMatch(
      /after v0\.3\.0 went live in production, and its git tag was pushed$/,
    );
  });

  it('any other is failed and queued again once, unless a newer build, a gone project or a recovery build says not', () => {
    expect(interruptedOutcome({ ...base, stage: 'deploy-production' })).toEqual({
      status: 'failed',
      requeue: true,
      reason: 'interrupted: the greenci process running it (pid 4242) stopped during deploy-production; re-queued',
    });
    expect(interruptedOutcome({ ...base, newer: true })).toMatchObject({
      requeue: false,
      reason: 'interrupted: the greenci process running it (pid 4242) stopped; a newer build of the branch replaces it',
    });
    expect(interruptedOutcome({ ...base, trigger: 'recovery' })).toMatchObject({
      status: 'failed',
      requeue: false,
      reason: expect.stringMatching(/; not re-queued$/),
    });
    expect(interruptedOutcome({ ...base, known: false })).toMatchObject({ requeue: false });
  });
});
