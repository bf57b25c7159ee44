import cron from 'node-cron';
import { z } from 'zod';
import { parseSize } from './units.js';

/**
 * `retention:` in greenci's config: what greenci keeps of what it made, when it prunes the rest,
 * and how little free disk is too little. Every rollback target stays usable: the live release and
 * the last `releases` releases keep their images whatever else goes.
 */

const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) ctx.addIssue({ code: 'custom', message: `not a size: ${JSON.stringify(v)} (use e.g. 512m, 20g)` });
  return bytes ?? 0;
});

/** Free space below which the disk is a problem: bytes (`5g`) or a share of the filesystem (`10%`). */
export type FreeThreshold = { bytes: number } | { percent: number };

const freeThreshold = z.union([z.string(), z.number()]).transform((v, ctx): FreeThreshold => {
  const pct = typeof v === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v) : null;
  if (pct && Number(pct[1]) > 0 && Number(pct[1]) < 100) return { percent: Number(pct[1]) };
  const bytes = pct ? undefined : parseSize(v);
  if (bytes === undefined)
    ctx.addIssue({ code: 'custom', message: `not a size or a percentage: ${JSON.stringify(v)} (use e.g. 5g or 10%)` });
  return { bytes: bytes ?? 0 };
});

export const RETENTION_DEFAULTS = {
  releases: 10,
  buildLogDays: 30,
  backupDays: 30,
  schedule: '30 3 * * *',
  minFree: '10%',
} as const;

export const retentionSchema = z.strictObject({
  /** Besides the live release, this many of the newest releases keep their images (rollback targets). */
  releases: z.int().min(1).max(1000).default(RETENTION_DEFAULTS.releases),
  /** Log lines of builds that ended longer ago than this are deleted; the builds themselves stay listed. */
  buildLogs: z.strictObject({ days: z.int().min(1).default(RETENTION_DEFAULTS.buildLogDays) }).prefault({}),
  /** Backups (issue 12's backups step): those within `days`, and each kept release's newest, up to `maxSize` in all. */
  backups: z
    .strictObject({
      days: z.int().min(1).default(RETENTION_DEFAULTS.backupDays),
      /** Beyond this total the oldest backups go first (a kept release's newest backup never does). */
      maxSize: size.optional(),
    })
    .prefault({}),
  /** node-cron: when the daemon prunes every project (default: daily at 03:30). */
  schedule: z
    .string()
    .min(1)
    .refine((s) => cron.validate(s), { message: 'not a cron expression (five fields, or six with seconds)' })
    .default(RETENTION_DEFAULTS.schedule),
  /** Prune a project in the background after each of its successful production releases. */
  afterRelease: z.boolean().default(true),
  /** Free space on Docker's data root or greenci's data dir below this is a disk problem (for the monitor's alert). */
  minFree: freeThreshold.prefault(RETENTION_DEFAULTS.minFree),
});

export type RetentionConfig = z.infer<typeof retentionSchema>;
