/** Parsers for the human units used in YAML files: durations (`90s`) and sizes (`256m`). */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1500ms`, `90s`, `2m`, `1h` or a bare number of seconds → milliseconds; undefined if invalid. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value * 1000 : undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_MS[m[2] ?? 's']);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i;
const SIZE_BYTES: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `256m`, `1g`, `512k` or a number of bytes → bytes; undefined if invalid. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return value > 0 ? Math.round(value) : undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * SIZE_BYTES[(m[2] ?? 'b').toLowerCase()]);
}
