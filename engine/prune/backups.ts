import type { BackupFact, KeptItem, PruneItem, RetentionPolicy } from './types.js';

const DAY = 86_400_000;

/**
 * Which backups stay: each kept release's newest backup of each service (a rollback target's data,
 * whatever its age), and those taken within `days`; then, above `maxBytes` in all, the oldest of the recent ones
 * go first (a kept release's newest never does: over the cap it is said, not removed). Pure.
 */
export function planBackups(
  backups: readonly BackupFact[],
  keptReleases: ReadonlySet<string>,
  policy: RetentionPolicy['backups'],
  now: number,
): { keep: KeptItem[]; remove: PruneItem[]; notes: string[] } {
  const newest = [...backups].sort((a, b) => b.takenAt - a.takenAt);
  const reasons = new Map<string, string[]>();
  const why = (b: BackupFact, reason: string) => reasons.set(b.id, [...(reasons.get(b.id) ?? []), reason]);
  const pinned = new Set<string>();
  const pinnedOf = new Set<string>();
  for (const b of newest) {
    const of = `${b.release}\n${b.service}`;
    if (keptReleases.has(b.release) && !pinnedOf.has(of)) {
      pinned.add(b.id);
      pinnedOf.add(of);
      why(b, `the newest backup of ${b.service} for kept release ${b.release}`);
    }
    if (now - b.takenAt <= policy.days * DAY) why(b, `taken within ${policy.days} days`);
  }
  const remove: PruneItem[] = [];
  const notes: string[] = [];
  const kept = newest.filter((b) => reasons.has(b.id));
  if (policy.maxBytes !== undefined) {
    let total = kept.reduce((n, b) => n + b.bytes, 0);
    for (const b of [...kept].reverse()) {
      if (total <= policy.maxBytes) break;
      if (pinned.has(b.id)) continue;
      reasons.delete(b.id);
      total -= b.bytes;
      remove.push(item(b, 'over retention.backups.maxSize: the oldest recent backups go first'));
    }
    if (total > policy.maxBytes)
      notes.push("backups stay above retention.backups.maxSize: kept releases' newest backups are never removed");
  }
  for (const b of newest)
    if (!reasons.has(b.id) && !remove.some((r) => r.id === b.id))
      remove.push(item(b, `older than ${policy.days} days and not a kept release's newest`));
  const keep = newest
    .filter((b) => reasons.has(b.id))
    .map((b) => ({
      kind: 'backup' as const,
      id: b.id,
      what: what(b),
      reasons: reasons.get(b.id)!,
      bytes: b.bytes,
    }));
  return { keep, remove, notes };
}

function item(b: BackupFact, reason: string): PruneItem {
  return { kind: 'backup', id: b.id, what: what(b), reason, bytes: b.bytes, path: b.path };
}

const what = (b: BackupFact): string => `backup ${b.id} of ${b.service}${b.release ? ` (${b.release})` : ''}`;
