import { describe, expect, it } from 'vitest';
import type { BuildRecord } from '../../engine/model.js';
import { buildSummary, buildTitle, stageLine } from '../../views/format/build-lines.js';
import { buildRows } from '../../views/format/build-rows.js';
import { formatDuration } from '../../engine/duration.js';
import { printable } from '../../views/format/printable.js';

describe('display formatting', () => {
  it('removes terminal escapes and control characters a repository could smuggle into the console', () => {
    expect(printable('\x1b[31mred\x1b[0m ok')).toBe('red ok');
    expect(printable('title\x1b]0;pwned\x07 here')).toBe('title here');
    expect(printable('clip\x1b]52;c;aGk=\x1b\\board')).toBe('clipboard');
    // tabs become spaces to the next 8-column stop: the terminal would widen the line, the layout would not know
    expect(printable('bell\x07 back\bspace\r\nnext\tTab')).toBe('bell backspacenext    Tab');
    // C1 controls (OSC, DCS, ST as single bytes) and bidi overrides that could disguise a branch name
    expect(printable('a\u009d0;title\u009cb\u202Egnp.exe')).toBe('a0;titlebgnp.exe');
    expect(printable('line one\nline two\x1b[2J', { multiline: true })).toBe('line one\nline two');
  });

  it('stage lines carry name, result and duration; failures their error', () => {
    expect(stageLine({ name: 'build', title: '', status: 'success', startedAt: 0, finishedAt: 3100 })).toBe(
      '✔ build              ok           3.1s',
    );
    expect(
      stageLine({
        name: 'test',
        title: '',
        status: 'failed',
        startedAt: 0,
        finishedAt: 900,
        error: 'tests failed:\n\x1b[31mapi\x1b[0m exited 1',
      }),
    ).toBe('✘ test               failed       0.9s\n    tests failed:\n    api exited 1');
    expect(stageLine({ name: 'release', title: '', status: 'skipped' })).toBe('- release            skipped');
  });

  it('titles and summaries say what was built and how it ended', () => {
    const b: BuildRecord = {
      id: 7,
      project: 'green',
      branch: 'master',
      sha: 'a'.repeat(40),
      refSlug: 'master',
      trigger: 'manual',
      status: 'success',
      version: 'v0.2.0',
      commitSubject: 'feat: \x1b[1mbold\x1b[0m',
      createdAt: 0,
      startedAt: 0,
      finishedAt: 65_000,
      stages: [],
    };
    expect(buildTitle(b)).toBe('build #7 green master @ aaaaaaaaaaaa "feat: bold"');
    expect(buildSummary(b)).toBe('✔ build #7 succeeded in 1m05s: production runs v0.2.0');
    expect(buildSummary({ ...b, status: 'failed', reason: 'test: tests failed' })).toBe('✘ build #7 failed in 1m05s: test: tests failed');
    // released, but its tag could not be pushed: the success says so
    expect(buildSummary({ ...b, reason: 'its git tag could not be pushed (refused)' })).toBe(
      '✔ build #7 succeeded in 1m05s: production runs v0.2.0; its git tag could not be pushed (refused)',
    );
    // the Builds pane's result column: the version released, and (in warning colour) what did not go to plan
    expect(buildRows([b], 160, 70_000)[0].segments.at(-1)).toEqual({ text: 'released v0.2.0', tone: 'ok' });
    expect(buildRows([{ ...b, reason: 'its git tag could not be pushed (refused)' }], 160, 70_000)[0].segments.at(-1)).toEqual({
      text: 'released v0.2.0; its git tag could not be pushed (refused)',
      tone: 'warn',
    });
  });

  it('durations stay short', () => {
    expect([
      formatDuration(400),
      formatDuration(59_949),
      formatDuration(125_000),
      formatDuration(3_720_000),
      formatDuration(undefined),
    ]).toEqual(['0.4s', '59.9s', '2m05s', '1h02m', '-']);
  });
});
