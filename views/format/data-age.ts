import type { ReleaseRecord } from '../../engine/model.js';

/**
 * Is production's data newer than a release? Data changes while any release is live, so it is
 * newer than `target` when production ran another release after the target was live: one runs now
 * (the target is not it), or, with nothing live, a later release was deployed. Not for the live
 * release itself, nor for the newest release when production stopped on it. Pure: the rollback
 * picker and `greenci releases` warn with it.
 */
export function dataNewerThan(target: Pick<ReleaseRecord, 'id'>, releases: readonly Pick<ReleaseRecord, 'id'>[], liveId?: number): boolean {
  if (target.id === liveId) return false;
  if (liveId !== undefined) return true;
  return releases.some((r) => r.id > target.id);
}

/** What rolling back to `version` does to data when the data is newer than it. */
export function dataNewerLine(version: string): string {
  return `data is newer than ${version}: rolling back keeps today's data (greenci rollback --restore-data to put back the data of ${version})`;
}

/** The rollback picker's warning for a target, or undefined when the data is not newer than it. */
export function rollbackDataNote(target: ReleaseRecord, releases: readonly ReleaseRecord[], liveId?: number): string | undefined {
  return dataNewerThan(target, releases, liveId) ? dataNewerLine(target.version) : undefined;
}

/** `greenci releases`' line under the table: which rollback targets are older than the data, and what --restore-data does. */
export function releasesDataNote(releases: readonly ReleaseRecord[], liveId?: number): string | undefined {
  const older = releases.filter((r) => dataNewerThan(r, releases, liveId)).map((r) => r.version);
  if (!older.length) return undefined;
  const which =
    older.length === 1
      ? older[0]
      : older.length === 2
        ? `${older[0]} and ${older[1]}`
        : `${older.length} releases (${older[0]} … ${older.at(-1)})`;
  return `data is newer than ${which}: a rollback keeps today's data (greenci rollback --restore-data puts back the data of the release rolled back to)`;
}
