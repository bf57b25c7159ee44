import { type LoadResult, versionOf } from './load.js';

/**
 * What clients saw during one production change, in a few lines (pure): answers and failures,
 * then per app which releases answered in the order they first did, when two answered side by
 * side (a canary, or the moments around a switch) the new one's share of that window, and the
 * longest wait for a 200.
 *
 *   8 keep-alive clients per app: 4,212 answers, 0 failed (refused, reset or timed out), 0 not 200
 *   billing  v0.1.0 ×1,200 → v0.2.0 ×834                     longest wait for a 200: 0.31 s
 *   weight   v0.1.0 ×1,500 → v0.2.0 ×678; both for 21.0 s, v0.2.0 19.8 %   ...
 */
export function loadSummary(results: { app: string; load: LoadResult }[], clients: number): string[] {
  const answers = results.reduce((n, r) => n + r.load.samples.length, 0);
  const failed = results.reduce((n, r) => n + r.load.failures.length, 0);
  const non200 = results.reduce((n, r) => n + r.load.non200, 0);
  const lines = [
    `${clients} keep-alive clients per app: ${count(answers)} answers, ${count(failed)} failed (refused, reset or timed out), ${count(non200)} not 200`,
  ];
  const width = Math.max(...results.map((r) => r.app.length));
  for (const { app, load } of results) {
    const versions = byVersion(load);
    const seen = versions.map((v) => `${v.version} ×${count(v.count)}`).join(' → ') || 'no answer';
    const overlap = versions.length === 2 ? sideBySide(load, versions[0].version, versions[1].version) : '';
    lines.push(`${app.padEnd(width)}  ${seen}${overlap}; longest wait for a 200: ${(load.longestGapMs / 1000).toFixed(2)} s`);
  }
  return lines;
}

/** 200 answers per release, in the order each release first answered. */
function byVersion(load: LoadResult): { version: string; count: number }[] {
  const out: { version: string; count: number }[] = [];
  for (const s of [...load.samples].filter((x) => x.status === 200).sort((a, b) => a.sent - b.sent)) {
    const v = versionOf(s) ?? 'unknown';
    const seen = out.find((x) => x.version === v);
    if (seen) seen.count += 1;
    else out.push({ version: v, count: 1 });
  }
  return out;
}

/** `; both for 21.0 s, v0.2.0 19.8 %` when the two releases answered side by side for over a second. */
function sideBySide(load: LoadResult, before: string, after: string): string {
  const ok = load.samples.filter((s) => s.status === 200);
  const firstNew = Math.min(...ok.filter((s) => versionOf(s) === after).map((s) => s.sent));
  const lastOld = Math.max(...ok.filter((s) => versionOf(s) === before).map((s) => s.sent));
  if (!(lastOld - firstNew > 1000)) return '';
  const window = ok.filter((s) => s.sent >= firstNew && s.sent <= lastOld);
  const share = window.filter((s) => versionOf(s) === after).length / window.length;
  return `; both for ${((lastOld - firstNew) / 1000).toFixed(1)} s, ${after} ${(share * 100).toFixed(1)} %`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
