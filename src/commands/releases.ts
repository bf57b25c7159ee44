import { UsageError } from '../../engine/errors.js';
import { parseDuration } from '../../config/units.js';
import { buildSummary, releasesTable, stageLine } from '../../views/format/build-lines.js';
import { releasesDataNote } from '../../views/format/data-age.js';
import { holdLine } from '../../views/format/hold-text.js';
import { printable } from '../../views/format/printable.js';
import { parse } from '../args.js';
import { openClient } from '../client/open-client.js';
import { EXIT } from '../exit-codes.js';
import { whoAsked, type Io } from '../io.js';
import { holdSignals } from '../signals.js';
import { RELEASE_USAGE, RELEASES_USAGE, ROLLBACK_USAGE } from './usage.js';

/**
 * Lists a project's releases newest first; `*` marks the one production runs. Under it: which
 * rollback targets are older than production's data (and `--restore-data`), and a hold on production.
 */
export async function releasesCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, RELEASES_USAGE);
  if (values.help) return (io.out(RELEASES_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${RELEASES_USAGE}`);
  const client = await openClient(io, values.config);
  try {
    const { releases, live, hold } = await client.releases(positionals[0]);
    if (values.json)
      io.out(
        JSON.stringify(releases.map((r) => ({ ...r, live: r.id === live?.id, ...(hold && hold.releaseId === r.id ? { hold } : {}) }))),
      );
    else {
      const data = releasesDataNote(releases, live?.id);
      io.out([releasesTable(releases, live?.id), ...(data ? ['', data] : []), ...(hold ? ['', holdLine(hold)] : [])].join('\n'));
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
}

/**
 * Redeploys an earlier release to production (through the daemon when one runs), verifies it,
 * records who asked, and holds production. `--restore-data` first puts back the data of the
 * release rolled back to (its backups, checked before anything changes); without it data stays.
 */
export async function rollbackCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' }, 'restore-data': { type: 'boolean' } }, ROLLBACK_USAGE);
  const restoreData = values['restore-data'] === true;
  if (values.help) return (io.out(ROLLBACK_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${ROLLBACK_USAGE}`);
  const client = await openClient(io, values.config);
  const releaseSignals = holdSignals(
    () => io.err('greenci: a rollback is changing production: it finishes (or restores the live release) before greenci exits'),
    'greenci: still rolling back; production cannot be left half-deployed',
    io.err,
  );
  try {
    const actor = whoAsked(io.env);
    if (!values.json)
      io.err(
        `rolling ${positionals[0]} back${values.to ? ` to ${values.to}` : ''}${restoreData ? ' with its data' : ''} (asked by ${actor}${client.mode === 'daemon' ? ', through the daemon' : ''})...`,
      );
    const { from, to, hold, warm, restored } = await client.rollback({
      project: positionals[0],
      to: values.to,
      requestedBy: actor,
      ...(restoreData ? { restoreData } : {}),
      log: (l) => values.json || io.err(`  ${l}`),
    });
    if (values.json)
      io.out(
        JSON.stringify({
          project: positionals[0],
          from: from?.version,
          to: to.version,
          requestedBy: actor,
          outcome: 'success',
          hold,
          warm: !!warm,
          ...(restoreData ? { restored: restored ?? [] } : {}),
        }),
      );
    else {
      io.out(
        `✔ production runs ${to.version} (${to.sha.slice(0, 12)})${from ? `, rolled back from ${from.version}` : ''}${warm ? ' (a switch: its apps were warm)' : ''}`,
      );
      for (const d of restored ?? [])
        io.out(
          `✔ ${d.service} has the data of backup ${d.backup} (taken while ${to.version} was live): it runs on ${d.volume}; ${d.previousVolume} is kept`,
        );
      if (hold) io.out(holdLine(hold));
    }
    return EXIT.ok;
  } finally {
    releaseSignals();
    await client.close();
  }
}

/**
 * `greenci release <project> [--build N]`: promotes, deploys and tags an already tested build of the
 * production branch (the newest that passed unless named) and lifts the hold; `--lift` lifts the hold
 * alone. Runs through the daemon when one answers, else here; Ctrl-C cannot cut production short.
 */
export async function releaseCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { build: { type: 'string' }, lift: { type: 'boolean' }, canary: { type: 'string' }, for: { type: 'string' } },
    RELEASE_USAGE,
  );
  if (values.help) return (io.out(RELEASE_USAGE), EXIT.ok);
  if (positionals.length !== 1) throw new UsageError(`name one project\nusage: ${RELEASE_USAGE}`);
  const project = positionals[0];
  const build = values.build === undefined ? undefined : Number(values.build);
  if (build !== undefined && !(Number.isInteger(build) && build > 0))
    throw new UsageError(`--build takes a build id, not ${JSON.stringify(values.build)}\nusage: ${RELEASE_USAGE}`);
  if (values.lift && (build !== undefined || values.canary !== undefined))
    throw new UsageError(`--lift releases nothing: it takes no --build or --canary\nusage: ${RELEASE_USAGE}`);
  if (values.for !== undefined && values.canary === undefined)
    throw new UsageError(`--for is how long a --canary lasts\nusage: ${RELEASE_USAGE}`);
  const weight = values.canary === undefined ? undefined : Number(values.canary.replace(/%$/, ''));
  if (weight !== undefined && !(Number.isInteger(weight) && weight >= 1 && weight <= 99))
    throw new UsageError(`--canary takes a percent from 1 to 99, not ${JSON.stringify(values.canary)}\nusage: ${RELEASE_USAGE}`);
  const forMs = values.for === undefined ? 300_000 : parseDuration(values.for);
  if (forMs === undefined || forMs < 1000)
    throw new UsageError(`--for takes a duration such as 90s or 5m, not ${JSON.stringify(values.for)}\nusage: ${RELEASE_USAGE}`);
  const canary = weight === undefined ? undefined : { weight, forMs };
  const client = await openClient(io, values.config);
  const actor = whoAsked(io.env);
  try {
    if (values.lift) {
      const lifted = await client.liftHold({ project, requestedBy: actor });
      if (values.json) io.out(JSON.stringify({ project, lifted, requestedBy: actor }));
      else
        io.out(
          printable(
            `✔ production ${project} is no longer held (it was held by ${lifted.by}: ${lifted.reason}); the next build that passes is released`,
          ),
        );
      return EXIT.ok;
    }
    const releaseSignals = holdSignals(
      () => io.err('greenci: a release is changing production: it finishes (or restores the live release) before greenci exits'),
      'greenci: still releasing; production cannot be left half-deployed',
      io.err,
    );
    try {
      if (!values.json)
        io.err(
          `releasing ${build ? `build #${build}` : 'the newest build that passed'} of ${project} (asked by ${actor}${client.mode === 'daemon' ? ', through the daemon' : ''})...`,
        );
      const r = await client.release({
        project,
        build,
        canary,
        requestedBy: actor,
        log: (l) => values.json || io.err(`  ${printable(l)}`),
      });
      if (values.json)
        io.out(JSON.stringify({ project, of: r.of, build: r.build, release: r.release, lifted: r.lifted, requestedBy: actor }));
      else {
        for (const s of r.build.stages) io.out(stageLine(s));
        io.out(
          r.release
            ? `✔ production ${project} runs ${r.release.version} (${r.release.sha.slice(0, 12)}, tested by build #${r.of})${r.lifted ? '; the hold is lifted' : ''}`
            : buildSummary(r.build),
        );
      }
      return r.build.status === 'success' ? EXIT.ok : EXIT.failed;
    } finally {
      releaseSignals();
    }
  } finally {
    await client.close();
  }
}
