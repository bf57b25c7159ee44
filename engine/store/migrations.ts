/** Schema migrations, applied in order; the database's user_version says how many ran. Never edit one that shipped. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE builds (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    branch TEXT NOT NULL,
    requested_sha TEXT,
    sha TEXT,
    ref_slug TEXT NOT NULL,
    trigger TEXT NOT NULL,
    requested_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued','running','success','failed','cancelled')),
    reason TEXT,
    version TEXT,
    commit_subject TEXT,
    commit_author TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX builds_project ON builds(project, id);
  CREATE TABLE stages (
    build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','running','success','failed','skipped','cancelled')),
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    PRIMARY KEY (build_id, name)
  );
  CREATE TABLE build_logs (
    id INTEGER PRIMARY KEY,
    build_id INTEGER NOT NULL REFERENCES builds(id) ON DELETE CASCADE,
    stage TEXT,
    ts INTEGER NOT NULL,
    stream TEXT NOT NULL,
    line TEXT NOT NULL
  );
  CREATE INDEX build_logs_build ON build_logs(build_id, id);
  CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    version TEXT NOT NULL,
    sha TEXT NOT NULL,
    build_id INTEGER REFERENCES builds(id),
    images TEXT NOT NULL,
    spec TEXT NOT NULL,
    tag_pushed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (project, version)
  );
  CREATE TABLE deployments (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    env TEXT NOT NULL CHECK (env IN ('test','production')),
    kind TEXT NOT NULL CHECK (kind IN ('deploy','promote','rollback','auto-rollback','stop')),
    build_id INTEGER REFERENCES builds(id),
    release_id INTEGER REFERENCES releases(id),
    version TEXT,
    requested_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('running','success','failed')),
    reason TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX deployments_env ON deployments(project, env, id);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    project TEXT,
    target TEXT,
    outcome TEXT,
    detail TEXT
  );
  `,
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    purpose TEXT NOT NULL,
    acquired_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE builds ADD COLUMN runner TEXT;
  ALTER TABLE builds ADD COLUMN cancel_requested_by TEXT;
  ALTER TABLE builds ADD COLUMN superseded_by INTEGER;
  ALTER TABLE builds ADD COLUMN retry_of INTEGER;
  ALTER TABLE builds ADD COLUMN delivery_id TEXT;
  ALTER TABLE builds ADD COLUMN pusher_name TEXT;
  ALTER TABLE builds ADD COLUMN pusher_email TEXT;
  ALTER TABLE builds ADD COLUMN head_message TEXT;
  ALTER TABLE builds ADD COLUMN head_author TEXT;
  ALTER TABLE builds ADD COLUMN head_author_email TEXT;
  ALTER TABLE builds ADD COLUMN head_url TEXT;
  CREATE INDEX builds_status ON builds(status, id);
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    project TEXT,
    repository TEXT,
    via TEXT NOT NULL,
    verified TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    ref TEXT,
    after TEXT,
    build_id INTEGER REFERENCES builds(id),
    received_at INTEGER NOT NULL
  );
  CREATE INDEX deliveries_received ON deliveries(received_at);
  CREATE TABLE deployments_v3 (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    env TEXT NOT NULL CHECK (env IN ('test','production')),
    kind TEXT NOT NULL CHECK (kind IN ('deploy','promote','rollback','auto-rollback','stop','restore','teardown')),
    build_id INTEGER REFERENCES builds(id),
    release_id INTEGER REFERENCES releases(id),
    version TEXT,
    requested_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('running','success','failed')),
    reason TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  INSERT INTO deployments_v3 SELECT * FROM deployments;
  DROP TABLE deployments;
  ALTER TABLE deployments_v3 RENAME TO deployments;
  CREATE INDEX deployments_env ON deployments(project, env, id);
  `,
  `
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending','sent','failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    message_id TEXT NOT NULL,
    response TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
  `,
  `
  CREATE TABLE health (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    project TEXT,
    env TEXT,
    service TEXT,
    title TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('unknown','healthy','degraded','down')),
    since INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    detail TEXT,
    flapping INTEGER NOT NULL,
    recent TEXT NOT NULL,
    alerted INTEGER NOT NULL,
    heal_attempts INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
  );
  CREATE TABLE health_transitions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    project TEXT,
    env TEXT,
    service TEXT,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    detail TEXT,
    alert INTEGER NOT NULL,
    note TEXT,
    output TEXT,
    mailed INTEGER NOT NULL DEFAULT 0,
    at INTEGER NOT NULL
  );
  CREATE INDEX health_transitions_key ON health_transitions(key, id);
  `,
  `
  CREATE TABLE deployments_v4 (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    env TEXT NOT NULL CHECK (env IN ('test','production')),
    kind TEXT NOT NULL CHECK (kind IN ('deploy','promote','rollback','auto-rollback','stop','restore','teardown')),
    build_id INTEGER REFERENCES builds(id),
    release_id INTEGER REFERENCES releases(id),
    version TEXT,
    requested_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('running','success','failed','interrupted')),
    reason TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  INSERT INTO deployments_v4 SELECT * FROM deployments;
  DROP TABLE deployments;
  ALTER TABLE deployments_v4 RENAME TO deployments;
  CREATE INDEX deployments_env ON deployments(project, env, id);
  UPDATE deployments SET status = 'interrupted' WHERE status = 'failed' AND reason LIKE 'interrupted:%';
  `,
  `
  ALTER TABLE deployments ADD COLUMN endpoints TEXT;
  ALTER TABLE builds ADD COLUMN outcome TEXT;
  `,
  // migration 9: holds on production (a manual rollback puts one on; greenci release lifts it), and
  // what a build tested (its images, greenci.yml and commit), so greenci release can promote it later
  `
  CREATE TABLE production_holds (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    held_by TEXT NOT NULL,
    since INTEGER NOT NULL,
    reason TEXT NOT NULL,
    release_id INTEGER REFERENCES releases(id),
    version TEXT,
    lifted_at INTEGER,
    lifted_by TEXT,
    lifted_by_build INTEGER REFERENCES builds(id)
  );
  CREATE UNIQUE INDEX production_holds_current ON production_holds(project) WHERE lifted_at IS NULL;
  ALTER TABLE builds ADD COLUMN tested TEXT;
  `,
  // migration 10: backups of production's data, each tied to the release live when it was taken
  `
  CREATE TABLE backups (
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    service TEXT NOT NULL,
    release TEXT,
    reason TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('dump','volume')),
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT,
    requested_by TEXT
  );
  CREATE INDEX backups_project ON backups(project, started_at);
  `,
  // migration 11: what greenci tells GitHub (commit statuses, deployments and their statuses),
  // stored before it is sent, like email: sent once, retried across restarts
  `
  CREATE TABLE github_calls (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    repo TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('status','deployment','deployment_status')),
    key TEXT NOT NULL,
    deployment_key TEXT,
    body TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','sent','failed','superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    first_error_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    github_id INTEGER,
    dedupe_key TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX github_calls_due ON github_calls(status, next_attempt_at);
  CREATE INDEX github_calls_key ON github_calls(key, status);
  `,
  // migration 12: pull requests, each with the build that tests its head (or why none does)
  `
  CREATE TABLE pull_requests (
    project TEXT NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open','closed')),
    head_sha TEXT NOT NULL,
    head_ref TEXT NOT NULL,
    head_repo TEXT,
    base_ref TEXT NOT NULL,
    fork INTEGER NOT NULL,
    author TEXT,
    title TEXT,
    build_id INTEGER REFERENCES builds(id),
    not_built TEXT,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    PRIMARY KEY (project, number)
  );
  CREATE INDEX pull_requests_head ON pull_requests(project, head_sha);
  `,
  // migration 13: preview environments. Deployments may be to a preview (its branch in `target`);
  // the previews table holds each live one: its ports, its addresses, the build it runs
  `
  CREATE TABLE deployments_v5 (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    env TEXT NOT NULL CHECK (env IN ('test','production','preview')),
    kind TEXT NOT NULL CHECK (kind IN ('deploy','promote','rollback','auto-rollback','stop','restore','teardown')),
    build_id INTEGER REFERENCES builds(id),
    release_id INTEGER REFERENCES releases(id),
    version TEXT,
    requested_by TEXT,
    status TEXT NOT NULL CHECK (status IN ('running','success','failed','interrupted')),
    reason TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    endpoints TEXT,
    target TEXT
  );
  INSERT INTO deployments_v5 (id, project, env, kind, build_id, release_id, version, requested_by, status, reason, started_at, finished_at, endpoints)
    SELECT id, project, env, kind, build_id, release_id, version, requested_by, status, reason, started_at, finished_at, endpoints FROM deployments;
  DROP TABLE deployments;
  ALTER TABLE deployments_v5 RENAME TO deployments;
  CREATE INDEX deployments_env ON deployments(project, env, id);
  CREATE TABLE previews (
    project TEXT NOT NULL,
    branch TEXT NOT NULL,
    env_key TEXT NOT NULL,
    build_id INTEGER NOT NULL REFERENCES builds(id),
    sha TEXT NOT NULL,
    ports TEXT NOT NULL,
    endpoints TEXT,
    state TEXT NOT NULL CHECK (state IN ('deploying','live','failed')),
    reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project, branch)
  );
  `,
];
