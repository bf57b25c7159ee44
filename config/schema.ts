import cron from 'node-cron';
import { z } from 'zod';
import { retentionSchema } from './retention.js';
import { durationMs } from './zod-units.js';

/** The schema of greenci's own configuration file (greenci.config.yml). */

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
/** `host:port`; port 0 picks a free one (tests). */
const listenAddress = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]|localhost):\d{1,5}$/i, 'must be host:port, e.g. 127.0.0.1:8080');

/** Per app or service of greenci.yml: a secret's name there → the NAME of the variable holding its value on the host. */
const secretSources = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be the name of an app or service in greenci.yml'),
  z.record(envVarName, envVarName),
);

export const projectConfigSchema = z.strictObject({
  /** Any git URL or local path (a bare repository on disk works). */
  repo: z.string().min(1),
  productionBranch: z.string().min(1).default('master'),
  /** Prepended to every image repository name, e.g. `green-` → `green-billing:v0.1.0-prod`. */
  imagePrefix: z
    .string()
    .regex(/^([a-z0-9][a-z0-9._/-]*)?$/, 'must start with a lower-case letter or digit and hold only those and . _ - /')
    .default(''),
  /** Name of an environment variable holding a token for HTTPS git remotes. Never the token itself. */
  gitTokenEnv: envVarName.optional(),
  /** `owner/name` as GitHub spells it: `repository.full_name` in webhook payloads. */
  github: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name')
    .optional(),
  /**
   * Reporting to GitHub (commit statuses and deployments) for the repository `github` names. The
   * token is read from the variable `tokenEnv` (never the file); unset, nothing is sent.
   */
  githubApi: z
    .strictObject({
      tokenEnv: envVarName,
      /** GitHub Enterprise: `https://github.example.com/api/v3`. */
      baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
      /** Statuses are `<context>/push` and `<context>/pr`. */
      context: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/, 'letters, digits, . _ - (at most 41)')
        .default('greenci'),
      /** Where people reach greenci's build pages (the webhook listener behind your reverse proxy): statuses link there. */
      publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .optional(),
  /**
   * `pull_request` deliveries: a pull request's head commit is built and tested (joining a build
   * of the same commit). `forks: true` builds pull requests from forks too: they run with this
   * project's settings (its secrets in the test environment, its build network), so only turn it
   * on for forks you trust.
   */
  pullRequests: z.strictObject({ build: z.boolean().default(true), forks: z.boolean().default(false) }).prefault({}),
  /** Name of the environment variable holding the webhook secret. Never the secret itself. */
  webhookSecretEnv: envVarName.optional(),
  /** A smee.io channel URL to forward to the webhook endpoint. */
  smee: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * The Docker network RUN steps join when the project's greenci.yml asks (`build.network: true`).
   * Absent: builds have no network at all. A pushed greenci.yml cannot give itself one.
   */
  buildNetwork: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be the name of a Docker network, e.g. bridge')
    .refine((n) => n !== 'host', { message: "host is refused: builds would reach the host's own loopback services" })
    .optional(),
  /**
   * Secrets on the host, per environment and app or service: `{DB_PASSWORD: GREEN_DB_PASSWORD}` gives
   * the secret greenci.yml calls DB_PASSWORD the value of GREEN_DB_PASSWORD, looked up in
   * `secretsFile` first, then in greenci's own environment. Nothing else reaches a container: a
   * pushed greenci.yml cannot name any other variable of greenci's.
   */
  secrets: z.strictObject({ test: secretSources.optional(), production: secretSources.optional() }).optional(),
  /** An env file (KEY=value lines) of secret values, owned by root or greenci's user, mode 0600 or stricter. */
  secretsFile: z.string().min(1).optional(),
  /** Production's data is backed up before every change; with `schedule` (node-cron) the daemon backs it up regularly too. */
  backups: z
    .strictObject({
      schedule: z
        .string()
        .min(1)
        .refine((s) => cron.validate(s), { message: 'not a cron expression (five fields, or six with seconds)' })
        .optional(),
    })
    .optional(),
});

const webhookSchema = z.strictObject({
  listen: listenAddress.default('127.0.0.1:8080'),
  path: z
    .string()
    .regex(/^\/[^\s?#]*$/, 'must be a URL path starting with /')
    .default('/webhook'),
});

const queueSchema = z.strictObject({
  /** Builds of different projects running at once (one per project: its test environment serves one build at a time). */
  parallel: z.int().min(1).max(16).default(2),
  /** A newer commit on a feature branch cancels that branch's running build. Production-branch builds are never cancelled. */
  cancelRunningFeatureBuilds: z.boolean().default(true),
});

const reconcileSchema = z.strictObject({
  /** node-cron expression; default every 2 minutes. */
  schedule: z.string().min(1).default('*/2 * * * *'),
  /** Feature branches built within this many days are watched, besides each production branch. */
  watchDays: z.int().min(0).default(14),
});

const emailAddress = z.email('must be an email address');

/** The SMTP server greenci sends through. Credentials come from environment variables, never the file. */
const smtpSchema = z.strictObject({
  host: z.string().min(1),
  port: z.int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  from: emailAddress,
  userEnv: envVarName.optional(),
  passwordEnv: envVarName.optional(),
});

/** Who gets what: `lead` production outcomes and rollbacks, `ops` health alerts. Pushers get their own builds' results. */
const notifySchema = z.strictObject({
  lead: z.array(emailAddress).default([]),
  ops: z.array(emailAddress).default([]),
});

/** `2s`, `500ms`, `30m`: milliseconds once parsed. */
const duration = () => durationMs.pipe(z.number().positive('must be longer than 0'));

const MONITOR_DEFAULTS = {
  schedule: '*/10 * * * * *',
  timeout: '2s',
  stuckAfter: '30m',
  downAfter: 2,
  recoverAfter: 2,
};

/**
 * Health checks of every environment and of greenci itself. A service failing `downAfter` checks in
 * a row is down (one failure: degraded); `recoverAfter` passes in a row bring it back. More than
 * `flap.limit` changes within `flap.window` is flapping: one alert says so, then quiet until it settles,
 * except that a down lasting `flap.window` / `flap.limit` is alerted all the same.
 */
const monitorSchema = z.strictObject({
  /** node-cron, with seconds: every 10 s by default. Docker's die, oom and health events check at once besides. */
  schedule: z.string().min(1).default(MONITOR_DEFAULTS.schedule),
  /** A health endpoint that has not answered within this is failing. */
  timeout: duration().prefault(MONITOR_DEFAULTS.timeout),
  /** A build running longer than this is stuck (an alert to ops). */
  stuckAfter: duration().prefault(MONITOR_DEFAULTS.stuckAfter),
  downAfter: z.int().min(1).max(100).default(MONITOR_DEFAULTS.downAfter),
  recoverAfter: z.int().min(1).max(100).default(MONITOR_DEFAULTS.recoverAfter),
  flap: z.strictObject({ limit: z.int().min(2).default(4), window: duration().prefault('10m') }).prefault({}),
  /** Self-healing: restart a down container, at most `maxRestarts` times until it is healthy again, then alert. */
  heal: z
    .strictObject({
      test: z.boolean().default(true),
      production: z.boolean().default(false),
      maxRestarts: z.int().min(1).max(20).default(3),
      /** After a restart, how long checks watch it come up before another restart. */
      wait: duration().prefault('30s'),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  dataDir: z.string().min(1).default('./data'),
  docker: z.strictObject({ socket: z.string().min(1).default('/var/run/docker.sock') }).default({ socket: '/var/run/docker.sock' }),
  git: z
    .strictObject({ authorName: z.string().min(1).default('greenci'), authorEmail: z.string().min(3).default('greenci@localhost') })
    .default({ authorName: 'greenci', authorEmail: 'greenci@localhost' }),
  webhook: webhookSchema.default({ listen: '127.0.0.1:8080', path: '/webhook' }),
  /** The control API's unix socket; default `<dataDir>/greenci.sock`. */
  control: z.strictObject({ socket: z.string().min(1).optional() }).default({}),
  /** Prometheus metrics (`GET /metrics`) on a loopback address; off when absent. */
  metrics: z.strictObject({ listen: listenAddress }).optional(),
  queue: queueSchema.default({ parallel: 2, cancelRunningFeatureBuilds: true }),
  reconcile: reconcileSchema.default({ schedule: '*/2 * * * *', watchDays: 14 }),
  daemon: z
    .strictObject({
      /** On SIGTERM the running stage may finish within this many seconds; then it is cancelled. */
      shutdownGraceSeconds: z.number().min(0).default(30),
    })
    .default({ shutdownGraceSeconds: 30 }),
  /** Email goes out only when this is set; until then nothing is queued for sending. */
  smtp: smtpSchema.optional(),
  notify: notifySchema.default({ lead: [], ops: [] }),
  monitor: monitorSchema.prefault({}),
  /** What greenci keeps of the images, containers, worktrees and logs it made; `greenci prune` removes the rest. */
  retention: retentionSchema.prefault({}),
  projects: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'project names are lower-case letters, digits and dashes'), projectConfigSchema)
    .refine((p) => Object.keys(p).length > 0, { message: 'needs at least one project' }),
});

export type MonitorConfig = z.infer<typeof monitorSchema>;
export type SmtpConfig = z.infer<typeof smtpSchema>;
export type ProjectConfig = z.infer<typeof projectConfigSchema>;
export type GreenciConfig = z.infer<typeof configSchema>;
/** What a caller may pass: defaults filled in by the schema. */
export type GreenciConfigInput = z.input<typeof configSchema>;
