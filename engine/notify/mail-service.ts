import os from 'node:os';
import type { GreenciConfig } from '../../config/schema.js';
import type { Listener } from '../events.js';
import type { Store } from '../store/index.js';
import { Mailer } from './mailer.js';
import { Notifier } from './notifier.js';
import { OutboxSender, type SenderEvents } from './outbox-sender.js';

export interface MailService {
  /** Sends what is due now. */
  kick(): void;
  /** Tries what is due once more and waits for it (an in-process run about to exit); what fails stays in the outbox. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Email for whichever process runs the engine (the daemon, or the console and CLI without one):
 * what happens becomes outbox rows, and the sender delivers them and whatever an earlier run left
 * pending. Undefined when the config has no smtp.
 */
export function startMail(o: {
  store: Store;
  config: () => GreenciConfig;
  subscribe: (fn: Listener) => () => void;
  env: NodeJS.ProcessEnv;
  on?: SenderEvents;
  /** The values of the projects' host secrets (projects.<p>.secrets, secretsFile): masked too. */
  hostSecrets?: () => string[];
}): MailService | undefined {
  const smtp = o.config().smtp;
  if (!smtp) return undefined;
  const domain = smtp.from.split('@')[1] ?? 'greenci';
  let sender: OutboxSender | undefined;
  const notifier = new Notifier(
    o.store,
    o.config,
    () => sender?.kick(),
    domain,
    os.hostname(),
    () => [...secretValues(o.config(), o.env), ...(o.hostSecrets?.() ?? [])],
  );
  const unsubscribe = o.subscribe((e) => notifier.handle(e));
  sender = new OutboxSender(o.store.outbox, new Mailer(smtp, o.env), o.on, o.store.leases);
  // alerts a crash left between being stored and being mailed
  notifier.mailAlerts();
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

/** The values of the secrets the config names (webhook secrets, git and GitHub tokens, the SMTP password). */
export function secretValues(config: GreenciConfig, env: NodeJS.ProcessEnv): string[] {
  const names = [
    config.smtp?.passwordEnv,
    ...Object.values(config.projects).flatMap((p) => [p.webhookSecretEnv, p.gitTokenEnv, p.githubApi?.tokenEnv]),
  ];
  return names
    .filter((n): n is string => !!n)
    .map((n) => env[n] ?? '')
    .filter(Boolean);
}
