import type { GreenciConfig } from '../../config/schema.js';
import type { EngineEvent } from '../events.js';
import type { Store } from '../store/index.js';
import type { NewMail } from '../store/outbox.js';
import { healthAlertMail } from './alert-mail.js';
import { buildMail, buildMailKey, rollbackMail } from './build-mail.js';

/**
 * Turns what happened into emails in the outbox (the sender takes them from there): a finished
 * build to its pusher (the lead list for the production branch), a manual rollback to the lead
 * list, a monitoring round's alerts to the ops list (one email per round). Each event gives at most
 * one email (a dedupe key per build, deployment or round).
 */
export class Notifier {
  constructor(
    private readonly store: Store,
    private readonly config: () => GreenciConfig,
    private readonly queued: (mail: NewMail) => void,
    private readonly domain = 'greenci',
    /** Named in alerts, so ops with several hosts know which one. */
    private readonly host?: string,
  ) {}

  handle(e: EngineEvent): void {
    const mail = this.mailFor(e);
    if (!mail) return;
    if (this.store.outbox.add(mail, this.domain)) this.queued(mail);
  }

  private mailFor(e: EngineEvent): NewMail | undefined {
    const c = this.config();
    if (e.type === 'build.updated') {
      const b = e.build;
      if (!['success', 'failed', 'cancelled'].includes(b.status)) return undefined;
      const p = c.projects[b.project];
      if (!p) return undefined;
      // a build superseded while queued never ran: nobody needs an email about it
      if (b.status === 'cancelled' && b.startedAt === undefined) return undefined;
      // a finished build is announced again when fields change; its email is made (and its log read) once
      if (this.store.outbox.hasKey(buildMailKey(b.id))) return undefined;
      return buildMail({ build: b, productionBranch: p.productionBranch, lead: c.notify.lead, logs: this.store.builds.logs(b.id), live: this.store.releases.liveRelease(b.project) });
    }
    if (e.type === 'deployment.updated') {
      const d = e.deployment;
      if (d.env !== 'production' || d.kind !== 'rollback' || d.status === 'running') return undefined;
      const before = this.store.releases.deployments(d.project, 'production', 20).find((x) => x.id < d.id && x.status === 'success');
      return rollbackMail({ project: d.project, from: before?.version, to: d.version ?? '?', by: d.requestedBy ?? 'unknown', ok: d.status === 'success', reason: d.reason, lead: c.notify.lead, deploymentId: d.id });
    }
    if (e.type === 'health.alerts') return healthAlertMail(e.alerts, c.notify.ops, { host: this.host });
    return undefined;
  }
}
