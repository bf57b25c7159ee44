import type { GreenciConfig } from '../../config/schema.js';
import type { EngineEvent } from '../events.js';
import type { Store } from '../store/index.js';
import type { NewMail } from '../store/outbox.js';
import { healthAlertMail } from './alert-mail.js';
import { buildMail, buildMailKey, rollbackMail } from './build-mail.js';
import { maskWith } from '../mask.js';
import { holdLiftedMail } from './hold-mail.js';

/**
 * Turns what happened into emails in the outbox (the sender takes them from there): a finished
 * build to its pusher (the lead list for the production branch; a `greenci release` build is one),
 * a manual rollback (and the hold it puts on) and a hold lifted without a release to the lead list, a monitoring round's alerts to the ops list (one email per round). Each event gives at most
 * one email (a dedupe key per build, deployment or round).
 */
/** Alerts older than this that no email carried (ops was empty, smtp unset) are not sent late. */
const ALERT_MAIL_MAX_AGE_MS = 60 * 60_000;

export class Notifier {
  constructor(
    private readonly store: Store,
    private readonly config: () => GreenciConfig,
    private readonly queued: (mail: NewMail) => void,
    private readonly domain = 'greenci',
    /** Named in alerts, so ops with several hosts know which one. */
    private readonly host?: string,
    /** Values that must never appear in an email (webhook secrets, tokens, the SMTP password, host secrets): masked wherever output carried them. */
    private readonly secrets: () => string[] = () => [],
  ) {}

  handle(e: EngineEvent): void {
    if (e.type === 'health.alerts') {
      this.mailAlerts();
      return;
    }
    const found = this.mailFor(e);
    if (!found) return;
    const mail = this.masked(found);
    if (this.store.outbox.add(mail, this.domain)) this.queued(mail);
  }

  private masked(mail: NewMail): NewMail {
    const mask = maskWith(this.secrets());
    return { ...mail, subject: mask(mail.subject), text: mask(mail.text), html: mail.html && mask(mail.html) };
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
      return buildMail({
        build: b,
        productionBranch: p.productionBranch,
        lead: c.notify.lead,
        logs: this.store.builds.logs(b.id),
        live: this.store.releases.liveRelease(b.project),
        testEndpoints: this.store.releases.testEndpoints(b.id),
        previewEndpoints: this.store.releases.previewEndpoints(b.id),
        pullRequests: b.sha ? this.store.pullRequests.openOfCommit(b.project, b.sha) : [],
        lifted: b.trigger === 'release' ? this.store.holds.liftedBy(b.id) : undefined,
      });
    }
    if (e.type === 'deployment.updated') {
      const d = e.deployment;
      if (d.env !== 'production' || d.kind !== 'rollback' || d.status === 'running') return undefined;
      const before = this.store.releases.deployments(d.project, 'production', 20).find((x) => x.id < d.id && x.status === 'success');
      return rollbackMail({
        project: d.project,
        from: before?.version,
        to: d.version ?? '?',
        by: d.requestedBy ?? 'unknown',
        ok: d.status === 'success',
        reason: d.reason,
        lead: c.notify.lead,
        deploymentId: d.id,
        productionBranch: c.projects[d.project]?.productionBranch,
      });
    }
    // a hold lifted by a release is told in that release build's email; lifted alone, in its own
    if (e.type === 'hold.updated' && e.hold.liftedAt !== undefined && e.hold.liftedByBuild === undefined) {
      const p = c.projects[e.hold.project];
      return p && holdLiftedMail(e.hold, { lead: c.notify.lead, productionBranch: p.productionBranch });
    }
    return undefined;
  }

  /**
   * The alerts no email carries yet (this round's, and any a crash or an unset ops list left
   * behind in the last hour) become one ops email; the email and the mark on the alerts are one
   * transaction, so an alert is mailed once or not marked.
   */
  mailAlerts(now = Date.now()): void {
    const ops = this.config().notify.ops;
    if (!ops.length) return;
    const alerts = this.store.health.unmailedAlerts(now - ALERT_MAIL_MAX_AGE_MS);
    const found = healthAlertMail(alerts, ops, { host: this.host });
    if (!found) return;
    const mail = this.masked(found);
    const added = this.store.db.transaction(() => {
      const row = this.store.outbox.add(mail, this.domain);
      this.store.health.markMailed(alerts.map((a) => a.id));
      return row;
    })();
    if (added) this.queued(mail);
  }
}
