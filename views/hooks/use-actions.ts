import { useApp } from 'ink';
import { useCallback } from 'react';
import { oneLine } from '../format/printable.js';
import type { ConsoleSource } from '../source.js';
import { canaryFor } from '../ui/canary-choice.js';
import type { Effect } from '../ui/keys.js';
import { say } from '../ui/state.js';
import type { UpdateUi } from './use-ui-state.js';

/**
 * Carries out what a key asked for (the key handler decided it, confirmations included): asks the
 * source, as the operator, and says the outcome on the status line; a production change (a
 * rollback, a release, a release as a canary, which runs until the canary ends) shows its progress while it runs; a canary's promote or abort is a word to
 * the process running it, said when it was heard. Quitting tells the host first (`force`: stop the builds running here).
 */
export function useActions(source: ConsoleSource, update: UpdateUi, onQuit?: (o: { force: boolean }) => void): (effect: Effect) => void {
  const { exit } = useApp();
  return useCallback(
    (effect: Effect) => {
      const fail = (what: string) => (err: Error) => update((u) => say(u, `${what}: ${err.message}`, 'error'));
      switch (effect.type) {
        case 'quit':
          onQuit?.({ force: !!effect.force });
          exit();
          return;
        case 'load-branches':
          source.branches(effect.project).then(
            (branches) =>
              update((u) =>
                u.overlay?.kind === 'trigger-branch' && u.overlay.project === effect.project
                  ? { ...u, overlay: { ...u.overlay, branches } }
                  : u,
              ),
            (err: Error) =>
              update((u) =>
                u.overlay?.kind === 'trigger-branch' && u.overlay.project === effect.project
                  ? { ...u, overlay: { ...u.overlay, branches: [], error: oneLine(err.message) } }
                  : u,
              ),
          );
          return;
        case 'trigger':
          update((u) => say(u, `queueing ${effect.project} ${effect.branch}…`));
          source
            .trigger({ project: effect.project, branch: effect.branch, requestedBy: source.user })
            .then(
              (b) => update((u) => say(u, `queued build #${b.id}: ${b.project} ${b.branch}`, 'ok')),
              fail(`trigger ${effect.project} ${effect.branch}`),
            );
          return;
        case 'cancel':
          source
            .cancel(effect.id, source.user)
            .then(
              (b) =>
                update((u) => say(u, b.status === 'cancelled' ? `cancelled build #${b.id}` : `cancel of build #${b.id} requested`, 'ok')),
              fail(`cancel #${effect.id}`),
            );
          return;
        case 'retry':
          source
            .retry(effect.id, source.user)
            .then((b) => update((u) => say(u, `queued build #${b.id} (retry of #${effect.id})`, 'ok')), fail(`retry #${effect.id}`));
          return;
        case 'rollback': {
          const title = `production ${effect.project}: ${effect.from ?? 'nothing live'} -> ${effect.to}`;
          update((u) => ({ ...u, busy: { title, since: Date.now() } }));
          source
            .rollback({
              project: effect.project,
              to: effect.to,
              requestedBy: source.user,
              log: (line) => update((u) => (u.busy ? { ...u, busy: { ...u.busy, line: oneLine(line) } } : u)),
            })
            .then(
              (r) =>
                update((u) =>
                  say(
                    { ...u, busy: undefined },
                    `production ${effect.project} now runs ${r.to.version}${r.from ? ` (was ${r.from.version})` : ''}, rolled back by ${source.user}${r.warm ? ' (a switch: its apps were warm)' : ''}`,
                    'ok',
                  ),
                ),
              (err: Error) =>
                update((u) =>
                  say(
                    { ...u, busy: undefined },
                    `rollback of production ${effect.project} to ${effect.to} failed: ${err.message}`,
                    'error',
                  ),
                ),
            );
          return;
        }
        case 'release': {
          const c = effect.canary;
          const asCanary = c ? ` as a canary (${c.weight}% for ${canaryFor(c.forMs)})` : '';
          const title = `production ${effect.project}: release build #${effect.build}${asCanary}`;
          update((u) => ({ ...u, busy: { title, since: Date.now() } }));
          source
            .release({
              project: effect.project,
              build: effect.build,
              requestedBy: source.user,
              ...(c ? { canary: { weight: c.weight, forMs: c.forMs } } : {}),
              log: (line) => update((u) => (u.busy ? { ...u, busy: { ...u.busy, line: oneLine(line) } } : u)),
            })
            .then(
              (r) =>
                update((u) =>
                  r.release
                    ? say(
                        { ...u, busy: undefined },
                        `production ${effect.project} runs ${r.release.version} (build #${r.of}), released by ${source.user}${r.lifted ? '; hold lifted' : ''}${c ? `; its ${c.weight}% canary passed` : ''}`,
                        'ok',
                      )
                    : say(
                        { ...u, busy: undefined },
                        `release of build #${effect.build}${asCanary} ${r.build.status}: ${r.build.reason ?? 'see build'} #${r.build.id}`,
                        'error',
                      ),
                ),
              (err: Error) =>
                update((u) => say({ ...u, busy: undefined }, `release of build #${effect.build}${asCanary}: ${err.message}`, 'error')),
            );
          return;
        }
        case 'canary': {
          update((u) => say(u, `asking to ${effect.decision} canary ${effect.version} of production ${effect.project}…`));
          source
            .canaryDecision({ project: effect.project, decision: effect.decision, requestedBy: source.user })
            .then(
              (r) =>
                update((u) =>
                  say(
                    u,
                    effect.decision === 'promote'
                      ? `production ${effect.project}: canary ${r.version} promoted by ${source.user}, it takes every request`
                      : `production ${effect.project}: canary ${r.version} aborted by ${source.user}, ${effect.live} takes every request`,
                    'ok',
                  ),
                ),
              fail(`${effect.decision} canary ${effect.version} of ${effect.project}`),
            );
          return;
        }
        case 'lift-hold':
          source
            .liftHold({ project: effect.project, requestedBy: source.user })
            .then(
              (h) =>
                update((u) =>
                  say(u, `production ${effect.project} is no longer held (was held by ${h.by}), lifted by ${source.user}`, 'ok'),
                ),
              fail(`lift the hold on ${effect.project}`),
            );
          return;
      }
    },
    [source, update, onQuit, exit],
  );
}
