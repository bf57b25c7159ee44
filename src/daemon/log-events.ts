import type { Logger } from 'pino';
import type { EngineEvent } from '../../engine/events.js';

/**
 * What the daemon writes to journald for each engine event: one JSON object per line, with a
 * message a person can read and the fields a machine can filter on. Build log lines stay in
 * SQLite (`greenci logs`); the journal gets builds, stages, deployments, holds, deliveries and smee.
 */
export function logEvent(log: Logger, e: EngineEvent): void {
  switch (e.type) {
    case 'build.updated': {
      const b = e.build;
      const fields = {
        build: b.id,
        project: b.project,
        branch: b.branch,
        sha: b.sha ?? b.requestedSha,
        status: b.status,
        trigger: b.trigger,
      };
      if (b.status === 'queued' && !b.startedAt) log.info(fields, `build #${b.id} queued: ${b.project} ${b.branch} (${b.trigger})`);
      else if (b.status === 'running' && !b.finishedAt) log.info(fields, `build #${b.id} running`);
      else if (b.status === 'failed') log.warn({ ...fields, reason: b.reason }, `build #${b.id} failed: ${b.reason ?? ''}`);
      else if (b.status === 'cancelled') log.info({ ...fields, reason: b.reason }, `build #${b.id} cancelled: ${b.reason ?? ''}`);
      else if (b.status === 'success')
        log.info(
          { ...fields, version: b.version, reason: b.reason },
          `build #${b.id} succeeded${b.version ? `: ${b.version} released` : ''}${b.reason ? `; ${b.reason}` : ''}`,
        );
      return;
    }
    case 'stage.updated':
      if (e.stage.status === 'pending') return;
      log.info(
        { build: e.buildId, stage: e.stage.name, status: e.stage.status, error: e.stage.error },
        `build #${e.buildId} ${e.stage.name} ${e.stage.status}`,
      );
      return;
    case 'deployment.updated': {
      const d = e.deployment;
      const level = d.status === 'failed' ? 'warn' : 'info';
      log[level](
        { project: d.project, env: d.env, kind: d.kind, version: d.version, status: d.status, reason: d.reason, by: d.requestedBy },
        `${d.env} ${d.project}: ${d.kind}${d.version ? ` ${d.version}` : ''} ${d.status}${d.reason ? `: ${d.reason}` : ''}`,
      );
      return;
    }
    case 'release.created':
      log.info(
        { project: e.release.project, version: e.release.version, sha: e.release.sha },
        `released ${e.release.project} ${e.release.version}`,
      );
      return;
    case 'release.updated':
      if (e.release.tagPushed)
        log.info(
          { project: e.release.project, version: e.release.version },
          `tag ${e.release.version} of ${e.release.project} is on origin`,
        );
      return;
    case 'hold.updated': {
      const h = e.hold;
      if (h.liftedAt === undefined)
        log.warn(
          { project: h.project, hold: h.id, by: h.by, version: h.version, reason: h.reason },
          `production ${h.project} held by ${h.by} (${h.reason}): builds are tested, not released, until greenci release`,
        );
      else
        log.info(
          { project: h.project, hold: h.id, by: h.liftedBy, build: h.liftedByBuild },
          `production ${h.project} no longer held: lifted by ${h.liftedBy ?? 'unknown'}${h.liftedByBuild ? ` releasing with build #${h.liftedByBuild}` : ''}`,
        );
      return;
    }
    case 'audit':
      return;
    case 'delivery': {
      const level = e.status >= 500 ? 'error' : e.status >= 400 ? 'warn' : 'info';
      log[level](
        {
          delivery: e.delivery.id,
          event: e.delivery.event,
          via: e.delivery.via,
          status: e.status,
          outcome: e.delivery.outcome,
          project: e.delivery.project,
          build: e.delivery.buildId,
        },
        `webhook ${e.delivery.event ?? '?'} ${e.delivery.id ?? ''}: ${e.status} ${e.message}`,
      );
      return;
    }
    case 'smee.state':
      log[e.state.state === 'disconnected' ? 'warn' : 'info'](
        { project: e.project, smee: e.state.state, channel: e.state.channel, detail: e.state.detail },
        `smee ${e.project}: ${e.state.state}${e.state.detail ? ` (${e.state.detail})` : ''}`,
      );
      return;
    case 'health.updated': {
      const t = e.transition;
      if (!t) return;
      const level = t.to === 'down' ? 'warn' : 'info';
      log[level](
        {
          health: e.health.key,
          from: t.from,
          to: t.to,
          detail: t.detail,
          alert: t.alert,
          note: t.note,
          flapping: e.health.flapping || undefined,
        },
        `health: ${t.title} ${t.from} → ${t.to}${t.detail ? `: ${t.detail}` : ''}${t.note ? ` (${t.note})` : ''}${t.alert ? '; an alert for ops' : ''}`,
      );
      return;
    }
    case 'health.removed':
      log.info({ health: e.key }, `health: ${e.key} no longer checked`);
      return;
    case 'pull_request.updated': {
      const pr = e.pullRequest;
      log.info(
        { project: pr.project, pullRequest: pr.number, state: pr.state, head: pr.headSha, build: pr.buildId, notBuilt: pr.notBuilt },
        `pull request #${pr.number} of ${pr.project} ${pr.state}: ${pr.buildId ? `head ${pr.headSha.slice(0, 7)} tested by build #${pr.buildId}` : (pr.notBuilt ?? 'not built')}`,
      );
      return;
    }
    case 'health.alerts':
    case 'github.reporting': // each GitHub call is logged as it is sent or refused (the sender's own lines)
      return;
    case 'log':
    case 'containers': // about once a second while someone watches: the console's, not the journal's
      return;
  }
}
