import type { PullRequestRecord } from '../model.js';
import type { Db } from './db.js';
import { opt } from './row.js';

interface Row {
  project: string;
  number: number;
  state: PullRequestRecord['state'];
  head_sha: string;
  head_ref: string;
  head_repo: string | null;
  base_ref: string;
  fork: number;
  author: string | null;
  title: string | null;
  build_id: number | null;
  not_built: string | null;
  updated_at: number;
  closed_at: number | null;
}

const toRecord = (r: Row): PullRequestRecord => ({
  project: r.project,
  number: r.number,
  state: r.state,
  headSha: r.head_sha,
  headRef: r.head_ref,
  headRepo: opt(r.head_repo),
  baseRef: r.base_ref,
  fork: r.fork === 1,
  author: opt(r.author),
  title: opt(r.title),
  buildId: opt(r.build_id),
  notBuilt: opt(r.not_built),
  updatedAt: r.updated_at,
  closedAt: opt(r.closed_at),
});

/** Pull requests, one row each (project, number), as their latest delivery left them. */
export class PullRequestStore {
  constructor(private readonly db: Db) {}

  /** Stores what a delivery says of a pull request (replacing what an earlier one said). */
  save(pr: Omit<PullRequestRecord, 'updatedAt'>, now = Date.now()): PullRequestRecord {
    this.db
      .prepare(
        `INSERT INTO pull_requests (project, number, state, head_sha, head_ref, head_repo, base_ref, fork, author, title, build_id, not_built, updated_at, closed_at)
         VALUES (@project, @number, @state, @headSha, @headRef, @headRepo, @baseRef, @fork, @author, @title, @buildId, @notBuilt, @now, @closedAt)
         ON CONFLICT (project, number) DO UPDATE SET state = excluded.state, head_sha = excluded.head_sha, head_ref = excluded.head_ref,
           head_repo = excluded.head_repo, base_ref = excluded.base_ref, fork = excluded.fork, author = excluded.author, title = excluded.title,
           build_id = excluded.build_id, not_built = excluded.not_built, updated_at = excluded.updated_at, closed_at = excluded.closed_at`,
      )
      .run({
        ...pr,
        headRepo: pr.headRepo ?? null,
        fork: pr.fork ? 1 : 0,
        author: pr.author ?? null,
        title: pr.title ?? null,
        buildId: pr.buildId ?? null,
        notBuilt: pr.notBuilt ?? null,
        closedAt: pr.closedAt ?? null,
        now,
      });
    return this.get(pr.project, pr.number)!;
  }

  get(project: string, number: number): PullRequestRecord | undefined {
    const r = this.db.prepare('SELECT * FROM pull_requests WHERE project = ? AND number = ?').get(project, number) as Row | undefined;
    return r && toRecord(r);
  }

  /** Open pull requests whose head is this commit (their statuses follow its build). */
  openOfCommit(project: string, sha: string): PullRequestRecord[] {
    return (
      this.db
        .prepare(`SELECT * FROM pull_requests WHERE project = ? AND head_sha = ? AND state = 'open' ORDER BY number`)
        .all(project, sha.toLowerCase()) as Row[]
    ).map(toRecord);
  }

  /** Newest change first. */
  list(project?: string, limit = 100): PullRequestRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM pull_requests WHERE (? IS NULL OR project = ?) ORDER BY updated_at DESC, number DESC LIMIT ?')
        .all(project ?? null, project ?? null, limit) as Row[]
    ).map(toRecord);
  }
}
