import type { PreviewRecord } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

interface Row {
  project: string;
  branch: string;
  env_key: PreviewRecord['envKey'];
  build_id: number;
  sha: string;
  ports: string;
  endpoints: string | null;
  state: PreviewRecord['state'];
  reason: string | null;
  created_at: number;
  updated_at: number;
}

const toRecord = (r: Row): PreviewRecord => ({
  project: r.project,
  branch: r.branch,
  envKey: r.env_key,
  buildId: r.build_id,
  sha: r.sha,
  ports: JSON.parse(r.ports) as Record<string, number>,
  endpoints: r.endpoints === null ? undefined : (JSON.parse(r.endpoints) as Record<string, string>),
  state: r.state,
  reason: opt(r.reason),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The live preview environments, one row per project and branch; a torn-down one's row is gone (its deployments stay). */
export class PreviewStore {
  constructor(private readonly db: Db) {}

  /** A preview starts deploying (a new one, or the branch's next build on the same ports). */
  deploying(p: Pick<PreviewRecord, 'project' | 'branch' | 'envKey' | 'buildId' | 'sha' | 'ports'>, now = Date.now()): PreviewRecord {
    this.db
      .prepare(
        `INSERT INTO previews (project, branch, env_key, build_id, sha, ports, endpoints, state, reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, 'deploying', NULL, ?, ?)
         ON CONFLICT (project, branch) DO UPDATE SET env_key = excluded.env_key, build_id = excluded.build_id, sha = excluded.sha,
           ports = excluded.ports, endpoints = NULL, state = 'deploying', reason = NULL, updated_at = excluded.updated_at`,
      )
      .run(p.project, p.branch, p.envKey, p.buildId, p.sha, JSON.stringify(p.ports), now, now);
    return this.get(p.project, p.branch)!;
  }

  /** How its deployment ended: live at these addresses, or failed and why. */
  settle(
    project: string,
    branch: string,
    outcome: { endpoints: Record<string, string> } | { failed: string },
    now = Date.now(),
  ): PreviewRecord | undefined {
    const live = 'endpoints' in outcome;
    this.db
      .prepare('UPDATE previews SET state = ?, endpoints = ?, reason = ?, updated_at = ? WHERE project = ? AND branch = ?')
      .run(live ? 'live' : 'failed', live ? JSON.stringify(outcome.endpoints) : null, live ? null : outcome.failed, now, project, branch);
    return this.get(project, branch);
  }

  /** Previews left deploying by a process that died: failed, saying so. */
  interrupted(project: string, now = Date.now()): number {
    return this.db
      .prepare(
        "UPDATE previews SET state = 'failed', reason = 'interrupted: greenci stopped while deploying it', updated_at = ? WHERE project = ? AND state = 'deploying'",
      )
      .run(now, project).changes;
  }

  get(project: string, branch: string): PreviewRecord | undefined {
    const row = this.db.prepare('SELECT * FROM previews WHERE project = ? AND branch = ?').get(project, branch) as Row | undefined;
    return row && toRecord(row);
  }

  /** A project's previews, the one deployed first first (eviction takes from the front). */
  list(project: string): PreviewRecord[] {
    return (this.db.prepare('SELECT * FROM previews WHERE project = ? ORDER BY created_at, branch').all(project) as Row[]).map(toRecord);
  }

  /** Every project's previews: the host ports they hold. */
  all(): PreviewRecord[] {
    return (this.db.prepare('SELECT * FROM previews ORDER BY project, created_at, branch').all() as Row[]).map(toRecord);
  }

  remove(project: string, branch: string): boolean {
    return this.db.prepare('DELETE FROM previews WHERE project = ? AND branch = ?').run(project, branch).changes > 0;
  }
}
