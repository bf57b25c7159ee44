import type { ProjectSpec } from '../../config/project-spec.js';
import type { DeploymentEnv, DeploymentKind, DeploymentRecord, ImageRef, ReleaseRecord } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

/** What a finished deployment records besides its status. */
export interface DeploymentOutcome {
  reason?: string;
  releaseId?: number;
  /** App → the URL its health check answered on (test environments: what the build's email links). */
  endpoints?: Record<string, string>;
}

interface ReleaseRow {
  id: number;
  project: string;
  version: string;
  sha: string;
  build_id: number | null;
  images: string;
  spec: string;
  tag_pushed: number;
  created_at: number;
}
interface DeploymentRow {
  id: number;
  project: string;
  env: DeploymentEnv;
  target: string | null;
  kind: DeploymentKind;
  build_id: number | null;
  release_id: number | null;
  version: string | null;
  requested_by: string | null;
  status: DeploymentRecord['status'];
  reason: string | null;
  started_at: number;
  finished_at: number | null;
  endpoints: string | null;
}

function toRelease(r: ReleaseRow): ReleaseRecord {
  return {
    id: r.id,
    project: r.project,
    version: r.version,
    sha: r.sha,
    buildId: opt(r.build_id),
    images: JSON.parse(r.images),
    tagPushed: r.tag_pushed === 1,
    createdAt: r.created_at,
  };
}
function toDeployment(r: DeploymentRow): DeploymentRecord {
  return {
    id: r.id,
    project: r.project,
    env: r.env,
    ...(r.target !== null ? { target: r.target } : {}),
    kind: r.kind,
    buildId: opt(r.build_id),
    releaseId: opt(r.release_id),
    version: opt(r.version),
    requestedBy: opt(r.requested_by),
    status: r.status,
    reason: opt(r.reason),
    startedAt: r.started_at,
    finishedAt: opt(r.finished_at),
    endpoints: r.endpoints === null ? undefined : (JSON.parse(r.endpoints) as Record<string, string>),
  };
}

/** Releases (version, commit, production images) and every deployment to an environment. */
export class ReleaseStore {
  constructor(private readonly db: Db) {}

  createRelease(
    r: {
      project: string;
      version: string;
      sha: string;
      buildId?: number;
      images: Record<string, ImageRef>;
      spec: ProjectSpec;
      tagPushed: boolean;
    },
    now = Date.now(),
  ): ReleaseRecord {
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO releases (project, version, sha, build_id, images, spec, tag_pushed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(r.project, r.version, r.sha, r.buildId ?? null, JSON.stringify(r.images), JSON.stringify(r.spec), r.tagPushed ? 1 : 0, now)
        .lastInsertRowid,
    );
    return this.release(id)!;
  }

  markTagPushed(id: number): void {
    this.db.prepare('UPDATE releases SET tag_pushed = 1 WHERE id = ?').run(id);
  }

  release(id: number): ReleaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as ReleaseRow | undefined;
    return row && toRelease(row);
  }

  byVersion(project: string, version: string): ReleaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE project = ? AND version = ?').get(project, version) as ReleaseRow | undefined;
    return row && toRelease(row);
  }

  /** The greenci.yml a release was deployed with: a rollback deploys it the same way. */
  specOf(id: number): ProjectSpec {
    return JSON.parse((this.db.prepare('SELECT spec FROM releases WHERE id = ?').get(id) as { spec: string }).spec);
  }

  /** Newest first. */
  releases(project: string): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM releases WHERE project = ? ORDER BY id DESC').all(project) as ReleaseRow[]).map(toRelease);
  }

  versions(project: string): string[] {
    return (this.db.prepare('SELECT version FROM releases WHERE project = ?').all(project) as { version: string }[]).map((r) => r.version);
  }

  startDeployment(
    d: {
      project: string;
      env: DeploymentEnv;
      /** A preview's branch. */
      target?: string;
      kind: DeploymentKind;
      buildId?: number;
      releaseId?: number;
      version?: string;
      requestedBy?: string;
    },
    now = Date.now(),
  ): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO deployments (project, env, target, kind, build_id, release_id, version, requested_by, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          d.project,
          d.env,
          d.target ?? null,
          d.kind,
          d.buildId ?? null,
          d.releaseId ?? null,
          d.version ?? null,
          d.requestedBy ?? null,
          'running',
          now,
        ).lastInsertRowid,
    );
  }

  finishDeployment(id: number, status: 'success' | 'failed', fields: DeploymentOutcome = {}, now = Date.now()): void {
    this.db
      .prepare(
        'UPDATE deployments SET status = ?, reason = ?, release_id = COALESCE(?, release_id), endpoints = ?, finished_at = ? WHERE id = ?',
      )
      .run(status, fields.reason ?? null, fields.releaseId ?? null, fields.endpoints ? JSON.stringify(fields.endpoints) : null, now, id);
  }

  /** The addresses a build's test environment answered on (app → health URL), when its deployment succeeded. */
  testEndpoints(buildId: number): Record<string, string> | undefined {
    const r = this.db
      .prepare("SELECT endpoints FROM deployments WHERE build_id = ? AND env = 'test' AND status = 'success' ORDER BY id DESC LIMIT 1")
      .get(buildId) as { endpoints: string | null } | undefined;
    return r?.endpoints ? (JSON.parse(r.endpoints) as Record<string, string>) : undefined;
  }

  /** The addresses a build's preview answered on, when it deployed one. */
  previewEndpoints(buildId: number): Record<string, string> | undefined {
    const r = this.db
      .prepare(
        "SELECT endpoints FROM deployments WHERE build_id = ? AND env = 'preview' AND kind = 'deploy' AND status = 'success' ORDER BY id DESC LIMIT 1",
      )
      .get(buildId) as { endpoints: string | null } | undefined;
    return r?.endpoints ? (JSON.parse(r.endpoints) as Record<string, string>) : undefined;
  }

  deployments(project: string, env?: DeploymentEnv, limit = 50): DeploymentRecord[] {
    const rows = (
      env
        ? this.db.prepare('SELECT * FROM deployments WHERE project = ? AND env = ? ORDER BY id DESC LIMIT ?').all(project, env, limit)
        : this.db.prepare('SELECT * FROM deployments WHERE project = ? ORDER BY id DESC LIMIT ?').all(project, limit)
    ) as DeploymentRow[];
    return rows.map(toDeployment);
  }

  /**
   * Closes an environment's deployments still 'running' as `interrupted`: called when nobody holds
   * the environment's lock, so the process that started them is gone. Returns how many.
   */
  closeInterrupted(project: string, env: DeploymentEnv, now = Date.now()): number {
    const reason =
      env === 'production'
        ? 'interrupted: greenci stopped during this deployment; production may not match the live release'
        : env === 'preview'
          ? "interrupted: greenci stopped during this deployment; the branch's next build deploys its preview afresh"
          : 'interrupted: greenci stopped during this deployment; the next build deploys the test environment afresh';
    return this.db
      .prepare(
        `UPDATE deployments SET status = 'interrupted', finished_at = ?, reason = ? WHERE project = ? AND env = ? AND status = 'running'`,
      )
      .run(now, reason, project, env).changes;
  }

  /** Releases whose git tag origin has not got yet (a push that failed, or a crash before it), oldest first. */
  untagged(project: string): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM releases WHERE project = ? AND tag_pushed = 0 ORDER BY id').all(project) as ReleaseRow[]).map(
      toRelease,
    );
  }

  /** The newest release of a commit: a commit released once keeps its version (releasing it again re-deploys it). */
  ofCommit(project: string, sha: string): ReleaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE project = ? AND sha = ? ORDER BY id DESC LIMIT 1').get(project, sha) as
      | ReleaseRow
      | undefined;
    return row && toRelease(row);
  }

  /** The release a build put into production, if it got that far. */
  ofBuild(buildId: number): ReleaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE build_id = ? ORDER BY id DESC LIMIT 1').get(buildId) as
      | ReleaseRow
      | undefined;
    return row && toRelease(row);
  }

  /** The release production runs: that of the last successful production deployment (none after a stop). */
  liveRelease(project: string): ReleaseRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT r.* FROM deployments d LEFT JOIN releases r ON r.id = d.release_id
         WHERE d.project = ? AND d.env = 'production' AND d.status = 'success' ORDER BY d.id DESC LIMIT 1`,
      )
      .get(project) as (ReleaseRow & { id: number | null }) | undefined;
    return row && row.id !== null ? toRelease(row) : undefined;
  }

  /**
   * Records a promotion that verified healthy: the release and the deployment's success, together.
   * A commit released before keeps its version: the same version of the same commit deployed again
   * is that release (`created: false`), never a second one.
   */
  recordRelease(
    deploymentId: number,
    r: Parameters<ReleaseStore['createRelease']>[0],
    now = Date.now(),
    endpoints?: Record<string, string>,
  ): { release: ReleaseRecord; created: boolean } {
    return this.db.transaction(() => {
      const before = this.byVersion(r.project, r.version);
      const again = before && before.sha === r.sha;
      const release = again ? before : this.createRelease(r, now);
      this.finishDeployment(deploymentId, 'success', { releaseId: release.id, endpoints }, now);
      return { release, created: !again };
    })();
  }
}
