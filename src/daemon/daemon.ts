import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../config/loader.js';
import type { GreenciConfig } from '../../config/schema.js';
import type { DaemonInfo } from '../../engine/control/protocol.js';
import { startControlServer } from '../../engine/control/server.js';
import { buildPageId, buildPageText } from '../../engine/github/build-page.js';
import { describeError } from '../../engine/errors.js';
import type { Engine } from '../../engine/index.js';
import { runtimeFor, type Runtime } from '../runtime.js';
import type { MonitorHandle } from '../../engine/api.js';
import { Intake } from '../../engine/intake/intake.js';
import { startWebhookServer, type WebhookServer } from '../../engine/intake/webhook-server.js';
import { packageRoot } from '../package-root.js';
import { logEvent } from './log-events.js';
import { createMetrics, startMetricsServer } from './metrics.js';
import { ScheduledBackups } from './scheduled-backups.js';
import { DaemonSchedules } from './schedules.js';
import { SmeeRelays } from './smee-relays.js';

export interface DaemonOptions {
  configPath?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where the NDJSON log goes (stdout under systemd). */
  logStream?: NodeJS.WritableStream;
}

/**
 * `greenci daemon`: the engine with its faces for machines. Starts in this order: recover from
 * a crash (interrupted builds, production drift), the control socket, the webhook endpoint,
 * metrics, smee relays, reconciliation (once now, then on schedule), then the queue.
 */
export class Daemon {
  readonly log: Logger;
  private runtime!: Runtime;
  private engine!: Engine;
  private config!: GreenciConfig;
  private webhook?: WebhookServer;
  private control?: { close(): Promise<void> };
  private metrics?: { address: string; close(): Promise<void> };
  private stopMetrics?: () => void;
  private relays!: SmeeRelays;
  private schedules!: DaemonSchedules;
  private backups?: ScheduledBackups;
  private monitor?: MonitorHandle;
  private draining = false;
  private readonly startedAt = Date.now();

  constructor(private readonly o: DaemonOptions) {
    this.log = pino(
      { base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
      pino.destination({ dest: 1, sync: true }),
    );
  }

  private load(): { config?: GreenciConfig; errors: string[] } {
    const loaded = loadConfig({ path: this.o.configPath, env: this.o.env, cwd: this.o.cwd });
    for (const w of loaded.warnings) this.log.warn({ file: loaded.file }, `config: ${w}`);
    return { config: loaded.config, errors: loaded.errors.map((e) => `${loaded.file ? `${loaded.file}: ` : ''}${e}`) };
  }

  /** Starts everything; throws (before anything listens) on a bad config. */
  async start(): Promise<void> {
    const { config, errors } = this.load();
    if (!config) throw Object.assign(new Error(`invalid config:\n${errors.join('\n')}`), { configErrors: errors });
    this.config = config;
    this.runtime = runtimeFor(config, this.o.env, 'daemon');
    this.engine = this.runtime.engine;
    this.engine.subscribe((e) => logEvent(this.log, e));
    this.startMail();
    this.log.info(
      {
        version: version(),
        config: this.o.configPath ?? this.o.env.GREENCI_CONFIG,
        dataDir: config.dataDir,
        projects: Object.keys(config.projects),
      },
      'greenci daemon starting',
    );

    await this.runtime.recover((n) => this.log[n.level]({ project: n.project, build: n.buildId }, n.msg));

    mkdirSync(path.dirname(config.control.socket!), { recursive: true });
    this.control = await startControlServer(this.engine, { socket: config.control.socket!, info: () => this.info() });
    this.log.info({ socket: config.control.socket }, `control API on ${config.control.socket}`);
    await this.startWebhook();
    const m = createMetrics(this.engine);
    this.stopMetrics = m.stop;
    if (config.metrics) {
      this.metrics = await startMetricsServer(m.registry, config.metrics.listen);
      this.log.info({ metrics: this.metrics.address }, `metrics on http://${this.metrics.address}/metrics`);
    }
    this.relays = new SmeeRelays(this.engine);
    this.startRelays();
    this.schedules = new DaemonSchedules(this.engine, this.log);
    this.schedules.update(config);
    void this.schedules.reconcileAll('start');
    this.backups = new ScheduledBackups(this.engine, this.log);
    this.backups.update(config);
    this.startBackground();
    this.log.info('greenci daemon ready');
  }

  info(): DaemonInfo {
    return {
      pid: process.pid,
      version: version(),
      startedAt: this.startedAt,
      webhook: this.webhook && `http://${this.webhook.address}${this.config.webhook.path}`,
      metrics: this.metrics?.address,
      socket: this.config.control.socket!,
      draining: this.draining,
      reconciledAt: this.schedules?.reconciledAt,
    };
  }

  get webhookAddress(): string | undefined {
    return this.webhook?.address;
  }

  private async startWebhook(): Promise<void> {
    const intake = new Intake(this.engine, this.o.env);
    this.webhook = await startWebhookServer(intake, {
      listen: this.config.webhook.listen,
      path: this.config.webhook.path,
      onError: (err) => this.log.error({ err: describeError(err) }, 'webhook handling failed'),
      // the build pages commit statuses link to, for projects that set githubApi.publicUrl
      page: (pathname) => {
        const id = buildPageId(pathname);
        const b = id === undefined ? undefined : this.engine.build(id);
        return b && this.config.projects[b.project]?.githubApi?.publicUrl ? buildPageText(b) : undefined;
      },
      onRefused: (status, message, headers) =>
        this.engine.publish({
          type: 'delivery',
          status,
          message,
          delivery: { id: String(headers['x-github-delivery'] ?? ''), event: String(headers['x-github-event'] ?? '') },
        }),
    });
    this.log.info(
      { webhook: this.webhook.address, path: this.config.webhook.path },
      `webhooks on http://${this.webhook.address}${this.config.webhook.path}`,
    );
  }

  /** Email: finished builds and rollbacks become outbox rows; the sender delivers them (and what an earlier run left pending). */
  private startMail(): void {
    this.runtime.startMail(
      {
        sent: (id, response) => this.log.info({ mail: id, response }, `email #${id} sent`),
        failed: (id, error, retryAt) =>
          this.log.warn(
            { mail: id, error, retryAt },
            `email #${id} not sent: ${error}${retryAt ? `; trying again at ${new Date(retryAt).toISOString()}` : '; giving up'}`,
          ),
      },
      {
        sent: (call) => this.log.info({ github: call.id, project: call.project }, `GitHub: ${call.summary}`),
        failed: (call, error, retryAt) =>
          this.log[retryAt ? 'warn' : 'error'](
            { github: call.id, project: call.project, error, retryAt },
            `GitHub call #${call.id} (${call.summary}) not sent: ${error}${retryAt ? `; trying again at ${new Date(retryAt).toISOString()}` : '; giving up'}`,
          ),
      },
    );
    if (!this.config.smtp) this.log.info('email: no smtp in the config, so no email is queued or sent');
  }

  /** The monitor, then the queue taking builds; builds of greenci processes that die are noticed within seconds. */
  private startBackground(): void {
    this.monitor = this.runtime.startBackground(
      {
        webhookUrl: () => this.webhook && `http://${loopback(this.webhook.address)}${this.config.webhook.path}`,
        log: (level, msg, fields) => this.log[level](fields ?? {}, msg),
      },
      (n) => this.log[n.level]({ project: n.project, build: n.buildId }, n.msg),
    );
    this.log.info({ schedule: this.config.monitor.schedule }, `monitoring on "${this.config.monitor.schedule}"`);
  }

  private startRelays(): void {
    this.relays.update(this.config, `http://${loopback(this.webhook!.address)}${this.config.webhook.path}?${this.webhook!.smeeQuery}`);
  }

  /** SIGHUP: a valid new config replaces the old; an invalid one is logged and the old one kept. */
  async reload(): Promise<boolean> {
    const { config, errors } = this.load();
    if (!config) {
      this.log.error({ errors }, `config reload failed; keeping the running config:\n${errors.join('\n')}`);
      return false;
    }
    const old = this.config;
    for (const key of ['dataDir', 'docker', 'control', 'metrics'] as const) {
      if (JSON.stringify(old[key]) !== JSON.stringify(config[key]))
        this.log.warn({ key }, `config reload: ${key} changed; that takes a restart (systemctl restart greenci)`);
    }
    this.engine.setConfig(config);
    this.config = { ...config, dataDir: old.dataDir, docker: old.docker, control: old.control, metrics: old.metrics };
    if (old.webhook.listen !== config.webhook.listen || old.webhook.path !== config.webhook.path) {
      await this.webhook?.close();
      await this.startWebhook();
      // the relays forward to the old address: start them again
      await this.relays.stop();
    }
    this.startRelays();
    this.schedules.update(this.config);
    this.backups?.update(this.config);
    this.monitor?.reschedule();
    // a new SMTP server, or a notify list that was empty: start again (what is pending, and alerts nobody got yet, go out)
    const reporting = (c: GreenciConfig) => JSON.stringify(Object.values(c.projects).map((p) => [p.github, p.githubApi]));
    if (
      JSON.stringify(old.smtp) !== JSON.stringify(config.smtp) ||
      JSON.stringify(old.notify) !== JSON.stringify(config.notify) ||
      reporting(old) !== reporting(config)
    ) {
      await this.runtime.restartMail();
    }
    this.log.info({ projects: Object.keys(config.projects) }, 'config reloaded');
    return true;
  }

  /** SIGTERM: stop taking webhooks, let running stages finish within the grace period, then cancel; queued work stays queued. */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const grace = this.config.daemon.shutdownGraceSeconds * 1000;
    this.log.info({ graceSeconds: grace / 1000 }, 'stopping: no new webhooks; running stages may finish');
    await this.runtime.stop({
      graceMs: grace,
      // the daemon leaves due email to its next start rather than wait on an SMTP server now
      flushMail: false,
      beforeDrain: async () => {
        await this.webhook?.close();
        this.schedules?.stop();
        await this.backups?.stop();
        await this.relays?.stop();
      },
      onCancel: (ids) => this.log.warn({ builds: ids }, `grace period over: cancelling ${ids.map((i) => `#${i}`).join(', ')}`),
      afterDrain: async (requeued) => {
        for (const b of requeued)
          this.log.info({ build: b.id, retryOf: b.retryOf }, `build #${b.retryOf} stopped by the shutdown; queued again as #${b.id}`);
        await this.control?.close();
        await this.metrics?.close();
        this.stopMetrics?.();
      },
    });
    this.log.info('greenci daemon stopped');
  }
}

function loopback(address: string): string {
  return address.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:');
}

function version(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
