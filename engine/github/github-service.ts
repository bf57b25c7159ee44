import type { GreenciConfig } from '../../config/schema.js';
import type { EngineEvent, Listener } from '../events.js';
import type { Store } from '../store/index.js';
import { GithubReporter, reportingOf } from './reporter.js';
import { githubReporting } from './reporting.js';
import { GithubSender, type GithubSenderEvents } from './sender.js';

export interface GithubService {
  kick(): void;
  /** Tries what is due once more and waits for it; what fails stays in the outbox. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether any project reports to GitHub (its token variable set). */
export function reportsToGithub(config: GreenciConfig, env: NodeJS.ProcessEnv): boolean {
  return Object.values(config.projects).some((p) => reportingOf(p, env) !== undefined);
}

/**
 * Reporting to GitHub for whichever process runs the engine: what happens becomes outbox rows,
 * and the sender delivers them and whatever an earlier run left pending. Runs even when no
 * project reports today (a reload may add one; rows left from before are given up clearly).
 */
export function startGithub(o: {
  store: Store;
  config: () => GreenciConfig;
  subscribe: (fn: Listener) => () => void;
  publish: (e: EngineEvent) => void;
  env: NodeJS.ProcessEnv;
  on?: GithubSenderEvents;
  /** Values never sent (tokens, host secrets). */
  secrets?: () => string[];
}): GithubService {
  let last = '';
  const announce = () => {
    if (!reportsToGithub(o.config(), o.env) && !o.store.github.reporting().pending) return;
    const reporting = githubReporting(o.store.github);
    const text = JSON.stringify(reporting);
    if (text === last) return;
    last = text;
    o.publish({ type: 'github.reporting', reporting });
  };
  let sender: GithubSender | undefined;
  const reporter = new GithubReporter(
    o.store,
    o.config,
    o.env,
    () => {
      sender?.kick();
      announce();
    },
    o.secrets,
  );
  const unsubscribe = o.subscribe((e) => reporter.handle(e));
  // what a greenci killed mid-way recorded but never stored a call for
  reporter.catchUp();
  sender = new GithubSender(
    o.store.github,
    o.config,
    o.env,
    {
      ...o.on,
      round: () => {
        o.on?.round?.();
        announce();
      },
    },
    o.store.leases,
  );
  sender.start();
  return {
    kick: () => sender.kick(),
    flush: () => sender.flush(),
    async stop() {
      unsubscribe();
      await sender.stop();
    },
  };
}
