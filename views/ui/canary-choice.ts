/**
 * The canary an operator picks in the release dialog (`p`, then `c`): a share of production's
 * requests and how long it lasts. Only values from these ranges can be made, so the request the
 * dialog sends is always one the engine takes (withCanary allows 1-99 %, at least 1 s). Pure.
 */

/** The operator's canary: `weight` percent of production's requests for `forMs`; `typed` holds the digits typed so far. */
export interface CanaryChoice {
  weight: number;
  forMs: number;
  typed?: string;
}

export const MAX_CANARY_WEIGHT = 50;
/** Where ←/→ stop; digits reach every whole percent between 1 and MAX_CANARY_WEIGHT. */
export const CANARY_WEIGHTS: readonly number[] = [1, 2, 5, 10, 20, 25, 50];
/** What ↑/↓ choose from: 1m, 5m, 15m, 30m. */
export const CANARY_DURATIONS: readonly number[] = [60_000, 300_000, 900_000, 1_800_000];

/** As `greenci release --canary` without `--for`: 10 % for 5m. */
export const defaultCanary = (): CanaryChoice => ({ weight: 10, forMs: 300_000 });

/** `5m`: the durations offered are whole minutes. */
export const canaryFor = (ms: number): string => `${Math.round(ms / 60_000)}m`;

/** ←/→: the next stop below or above the weight (a typed 13 goes to 10 or 20). */
export function stepWeight(c: CanaryChoice, step: -1 | 1): CanaryChoice {
  const next = step > 0 ? CANARY_WEIGHTS.find((w) => w > c.weight) : [...CANARY_WEIGHTS].reverse().find((w) => w < c.weight);
  return { weight: next ?? c.weight, forMs: c.forMs };
}

/**
 * A digit typed: it extends what was typed while the number stays within 1..MAX_CANARY_WEIGHT, else
 * it starts a new number (`2`,`5` is 25; then `3` is 3, `0` makes it 30). A 0 that cannot follow is ignored.
 */
export function typeWeight(c: CanaryChoice, digit: string): CanaryChoice {
  const longer = `${c.typed ?? ''}${digit}`;
  const n = Number(longer);
  if (longer.length <= 2 && n >= 1 && n <= MAX_CANARY_WEIGHT) return { ...c, weight: n, typed: longer };
  if (digit === '0') return c;
  return { ...c, weight: Number(digit), typed: digit };
}

/** ↑/↓: the next longer or shorter duration, stopping at either end. */
export function stepDuration(c: CanaryChoice, step: -1 | 1): CanaryChoice {
  const at = CANARY_DURATIONS.indexOf(c.forMs);
  const i = Math.max(0, Math.min(CANARY_DURATIONS.length - 1, (at < 0 ? 1 : at) + step));
  return { weight: c.weight, forMs: CANARY_DURATIONS[i] };
}

/**
 * What the canary will do, in one sentence: `production green: v0.4.0 takes 10% of requests for 5m,
 * then every request if healthy (else it is aborted); v0.3.0 keeps the rest`.
 */
export function canarySentence(project: string, release: string, live: string, c: CanaryChoice): string {
  return `production ${project}: ${release} takes ${c.weight}% of requests for ${canaryFor(c.forMs)}, then every request if healthy (else it is aborted); ${live} keeps the rest`;
}
