import type { BackupRecord } from '../../engine/api.js';
import type { EngineClient } from '../../engine/client.js';
import { UsageError } from '../../engine/errors.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { BACKUP_USAGE, BACKUPS_USAGE, RESTORE_USAGE } from './usage.js';

const size = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;
const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The backups as a table, newest first: id, when, service, release, reason, size, sha256 prefix (and the outcome when it failed). */
export function backupsTable(backups: readonly BackupRecord[]): string {
  if (!backups.length) return 'no backups yet';
  const rows = [
    ['ID', 'TAKEN (UTC)', 'SERVICE', 'RELEASE', 'REASON', 'KIND', 'SIZE', 'SHA256'],
    ...backups.map((b) => [
      b.id,
      when(b.startedAt),
      b.service,
      b.release ?? '-',
      b.reason,
      b.kind,
      b.outcome === 'success' ? size(b.size) : '-',
      b.outcome === 'success' ? b.sha256.slice(0, 12) : (b.outcome ?? 'running'),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

function needs<K extends 'backups' | 'backup' | 'restore'>(client: EngineClient, what: K): NonNullable<EngineClient[K]> {
  const f = client[what];
  if (!f) throw new UsageError(`this client cannot ${what}`);
  return f.bind(client) as NonNullable<EngineClient[K]>;
}

/** Lists a project's backups newest first (through the daemon when one runs). */
export async function backupsCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, BACKUPS_USAGE);
  if (values.help) return (io.out(BACKUPS_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${BACKUPS_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const backups = await needs(client, 'backups')(positionals[0]);
    io.out(values.json ? JSON.stringify(backups) : backupsTable(backups));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Backs up production's services with data now (or one), under the production lock; audited with who asked. */
export async function backupCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { service: { type: 'string' } }, BACKUP_USAGE);
  if (values.help) return (io.out(BACKUP_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${BACKUP_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    if (!values.json)
      io.err(
        `backing up ${positionals[0]}${values.service ? ` ${values.service}` : ''}${client.mode === 'daemon' ? ' through the daemon' : ''}...`,
      );
    const taken = await needs(
      client,
      'backup',
    )({
      project: positionals[0],
      service: values.service,
      requestedBy: whoAsked(io.env),
      log: (l) => values.json || io.err(`  ${l}`),
    });
    io.out(values.json ? JSON.stringify(taken) : backupsTable(taken));
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/** Puts a production service's data back from a backup (default the newest), under the production lock; audited with who asked. */
export async function restoreCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' } }, RESTORE_USAGE);
  if (values.help) return (io.out(RESTORE_USAGE), EXIT.ok);
  if (positionals.length !== 2) throw new UsageError(`name a project and a service\nusage: ${RESTORE_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const actor = whoAsked(io.env);
    if (!values.json)
      io.err(
        `restoring ${positionals[1]} of ${positionals[0]}${values.from ? ` from ${values.from}` : ''} (asked by ${actor}${client.mode === 'daemon' ? ', through the daemon' : ''})...`,
      );
    const r = await needs(
      client,
      'restore',
    )({
      project: positionals[0],
      service: positionals[1],
      from: values.from,
      requestedBy: actor,
      log: (l) => values.json || io.err(`  ${l}`),
    });
    if (values.json) io.out(JSON.stringify(r));
    else
      io.out(
        `${positionals[1]} restored from backup ${r.backup.id} (taken while ${r.backup.release ?? 'no release'} was live) in ${(r.ms / 1000).toFixed(1)} s: it runs on ${r.volume}; ${r.previousVolume} is kept${r.before ? `, and its data was backed up first as ${r.before.id}` : ''}`,
      );
    return EXIT.ok;
  } finally {
    await client.close();
  }
}
