import type { HealthRecord } from '../../engine/model.js';
import { formatAge } from './ago.js';
import { oneLine } from './printable.js';
import type { Segment, Tone } from './row.js';

/** What the monitor found wrong, or nothing: `healthy` and `unknown` leave the console's own view alone. */
export function healthTrouble(h: HealthRecord | undefined): { word: 'down' | 'degraded'; tone: Tone; icon: string } | undefined {
  if (h?.state === 'down') return { word: 'down', tone: 'bad', icon: '✗' };
  if (h?.state === 'degraded') return { word: 'degraded', tone: 'warn', icon: '▸' };
  return undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Whether a monitor record carries what the panes read from it. */
export function wellFormedHealth(h: unknown): h is HealthRecord {
  return (
    isObj(h) &&
    typeof h.key === 'string' &&
    typeof h.kind === 'string' &&
    typeof h.title === 'string' &&
    typeof h.state === 'string' &&
    (h.since === undefined || typeof h.since === 'number') &&
    (h.detail === undefined || h.detail === null || typeof h.detail === 'string')
  );
}

/** A snapshot's `health` as the panes can draw it: absent (an older daemon) is none, odd records are left out. */
export function cleanHealth(health: unknown): Record<string, HealthRecord> {
  if (!isObj(health)) return {};
  const out: Record<string, HealthRecord> = {};
  for (const [k, h] of Object.entries(health)) if (wellFormedHealth(h)) out[k] = h;
  return out;
}

/** Per `project/env/service`, the monitor's record of that app or service (found by its fields, not by parsing its key). */
export function serviceHealth(health: Record<string, HealthRecord>): Map<string, HealthRecord> {
  const out = new Map<string, HealthRecord>();
  for (const h of Object.values(health)) {
    if ((h.kind === 'app' || h.kind === 'service') && h.project && h.env && h.service) out.set(`${h.project}/${h.env}/${h.service}`, h);
  }
  return out;
}

/** How many checked things are down and degraded, for the header. */
export function healthCounts(health: Record<string, HealthRecord>): { down: number; degraded: number } {
  let down = 0;
  let degraded = 0;
  for (const h of Object.values(health)) {
    if (h.state === 'down') down++;
    else if (h.state === 'degraded') degraded++;
  }
  return { down, degraded };
}

/**
 * What follows a failing record's state word: how long, why, and whether it flaps or greenci
 * restarted it: ` 2m: exited (code 137) · flapping · restarted 2 times by greenci`. The why
 * comes from containers and remote answers, so it reaches the terminal only as plain text.
 */
export function troubleSegments(h: HealthRecord, now: number): Segment[] {
  const t = healthTrouble(h);
  const tone = t?.tone;
  const segs: Segment[] = [{ text: ` ${formatAge(h.since, now)}`, tone }];
  const why = h.detail ? oneLine(h.detail) : '';
  if (why) segs.push({ text: `: ${why}`, tone });
  if (h.flapping) segs.push({ text: ' · ' }, { text: 'flapping', tone: 'warn', bold: true });
  if (h.healAttempts > 0)
    segs.push({ text: ` · restarted ${h.healAttempts} time${h.healAttempts === 1 ? '' : 's'} by greenci`, tone: 'dim' });
  return segs;
}
