import type { HealthRecord, HealthTransitionRecord } from '../../engine/model.js';
import { formatDuration, formatTime } from '../../engine/duration.js';
import { healthCounts } from './health.js';
import { oneLine } from './printable.js';
import { table } from './table.js';

const RANK: Record<HealthRecord['state'], number> = { down: 0, degraded: 1, unknown: 2, healthy: 3 };

/** Worst first, then by name. */
export function sortHealth(records: HealthRecord[]): HealthRecord[] {
  return [...records].sort((a, b) => RANK[a.state] - RANK[b.state] || a.key.localeCompare(b.key));
}

/** One line for `greenci status`: all healthy, or what is not. */
export function healthSummary(health: Record<string, HealthRecord>): string {
  const records = Object.values(health);
  if (!records.length) return 'health: nothing checked yet (the daemon monitors; see monitor.schedule)';
  const bad = sortHealth(records).filter((h) => h.state === 'down' || h.state === 'degraded');
  if (!bad.length) return `health: all ${records.length} checks healthy`;
  const { down, degraded } = healthCounts(health);
  const counts = [down && `${down} down`, degraded && `${degraded} degraded`].filter(Boolean).join(', ');
  return `health: ${counts}: ${bad.map((h) => `${h.title} ${h.state}${h.flapping ? ' (flapping)' : ''}`).join(', ')} (greenci health)`;
}

/** `greenci health`: every check, worst first, then the recent changes. */
export function healthText(records: HealthRecord[], transitions: HealthTransitionRecord[], now = Date.now()): string {
  const lines: string[] = [];
  if (!records.length) lines.push('nothing checked yet: the monitor runs in the daemon (greenci daemon) on monitor.schedule');
  else {
    lines.push(
      table(
        ['CHECK', 'STATE', 'SINCE', 'LAST CHECKED', 'DETAIL'],
        sortHealth(records).map((h) => [
          h.title,
          `${h.state}${h.flapping ? ' (flapping)' : ''}`,
          `${formatDuration(now - h.since)} ago`,
          `${formatDuration(now - h.checkedAt)} ago`,
          oneLine(
            `${h.state === 'healthy' || h.state === 'unknown' ? '' : (h.detail ?? '')}${h.healAttempts ? ` [restarted by greenci ${h.healAttempts}x]` : ''}`,
          ).trim() || '-',
        ]),
      ),
    );
  }
  if (transitions.length) {
    lines.push('', 'recent changes (newest first):');
    for (const t of transitions) {
      lines.push(
        `  ${formatTime(t.at)}  ${t.title}  ${t.from} → ${t.to}${t.detail ? `: ${oneLine(t.detail)}` : ''}${t.note ? ` (${oneLine(t.note)})` : ''}${t.alert ? (t.mailed ? '  [alert mailed]' : '  [alert not mailed]') : ''}`,
      );
    }
  }
  return lines.join('\n');
}
