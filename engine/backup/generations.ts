/**
 * Volume generations: a restore puts data into a fresh volume and keeps the one it replaces, for
 * undo. Generation 1 is the volume as greenci always named it (`<project>-<env>-<service>-data`);
 * generation n > 1 adds `-g<n>`. The current generation is the highest one that exists. Pure.
 */

export function generationVolume(base: string, generation: number): string {
  if (!Number.isInteger(generation) || generation < 1)
    throw new RangeError(`a volume generation is a whole number from 1 (got ${generation})`);
  return generation === 1 ? base : `${base}-g${generation}`;
}

/** The generation a volume name is of `base`, or undefined when it is not one of its generations. */
export function generationOf(base: string, name: string): number | undefined {
  if (name === base) return 1;
  if (!name.startsWith(`${base}-g`)) return undefined;
  const rest = name.slice(base.length + 2);
  if (!/^[1-9][0-9]*$/.test(rest)) return undefined;
  const n = Number(rest);
  return n > 1 ? n : undefined;
}

/** The current generation among the volumes that exist (names of any volumes): the highest of `base`'s; 1 when there is none. */
export function currentGeneration(base: string, existing: readonly string[]): number {
  return existing.reduce((max, name) => Math.max(max, generationOf(base, name) ?? 0), 0) || 1;
}

/** The name of the current generation's volume. */
export function currentVolume(base: string, existing: readonly string[]): string {
  return generationVolume(base, currentGeneration(base, existing));
}

/** The fresh volume a restore creates: one past the current generation. */
export function nextVolume(base: string, existing: readonly string[]): string {
  return generationVolume(base, currentGeneration(base, existing) + 1);
}
