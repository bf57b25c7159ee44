import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { ExternalCommandError, NotFoundError, UsageError } from '../errors.js';
import { hasBidiControl, isValidBranchName, pullRequestOf } from './ref-name.js';

/**
 * The one module that runs git (through simple-git, always with argument arrays: no shell).
 * A project has one bare cache clone; each build checks its commit out into a worktree of it.
 */

export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  subject: string;
  message: string;
}

export interface RepoCacheOptions {
  /** Where the bare cache clone lives. */
  cacheDir: string;
  /** Any git URL or local path. */
  remote: string;
  /** A token for HTTPS remotes; passed through the environment, never on a command line. */
  token?: string;
  author: { name: string; email: string };
  /** The environment git runs with (only what it needs is passed on); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

const SHA = /^[0-9a-f]{7,40}$/i;

export class RepoCache {
  constructor(readonly opts: RepoCacheOptions) {}

  private git(signal?: AbortSignal, baseDir = this.opts.cacheDir): SimpleGit {
    const env = gitEnvironment(this.opts.env ?? process.env);
    if (this.opts.token) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${this.opts.token}`).toString('base64')}`;
    }
    // the config-count variables carry the token (never argv); GIT_SSH_COMMAND is the operator's own
    return simpleGit({
      baseDir,
      abort: signal,
      allowEnvironment: Object.keys(env).filter((k) => k.startsWith('GIT_')),
      unsafe: { allowUnsafeConfigEnvCount: env.GIT_CONFIG_COUNT !== undefined, allowUnsafeSshCommand: env.GIT_SSH_COMMAND !== undefined },
    }).env(env);
  }

  private async run(args: string[], signal?: AbortSignal, baseDir?: string): Promise<string> {
    try {
      return await this.git(signal, baseDir).raw(args);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ExternalCommandError('git', args, (err as { exitCode?: number }).exitCode ?? null, (err as Error).message);
    }
  }

  /** Clones the remote once (bare), then fetches every branch and tag, pruning deleted ones. */
  async sync(signal?: AbortSignal): Promise<void> {
    if (!existsSync(path.join(this.opts.cacheDir, 'HEAD'))) {
      rmSync(this.opts.cacheDir, { recursive: true, force: true });
      mkdirSync(path.dirname(this.opts.cacheDir), { recursive: true });
      await this.run(['clone', '--bare', '--quiet', '--', this.opts.remote, this.opts.cacheDir], signal, path.dirname(this.opts.cacheDir));
      await this.run(['config', 'remote.origin.fetch', '+refs/heads/*:refs/heads/*'], signal);
    }
    await this.run(['fetch', '--quiet', '--prune', '--prune-tags', '--tags', '--force', 'origin', '+refs/heads/*:refs/heads/*'], signal);
  }

  /** Every branch head on the remote (`git ls-remote --heads`), without fetching. */
  async remoteHeads(signal?: AbortSignal): Promise<Map<string, string>> {
    const dir = path.dirname(this.opts.cacheDir);
    mkdirSync(dir, { recursive: true });
    const out = await this.run(['ls-remote', '--heads', '--', this.opts.remote], signal, dir);
    const heads = new Map<string, string>();
    for (const line of out.split('\n')) {
      const m = /^([0-9a-f]{40})\trefs\/heads\/(.+)$/.exec(line.trim());
      if (m) heads.set(m[2], m[1]);
    }
    return heads;
  }

  /** The commit a branch points at, after validating the name the way git does. */
  async branchHead(branch: string, signal?: AbortSignal): Promise<string> {
    await assertBranchName(branch);
    const pr = pullRequestOf(branch);
    if (pr !== undefined) {
      // a fork's pull request: its head is on the base repository as refs/pull/<n>/head
      const ref = `refs/pull/${pr}/head`;
      await this.run(['fetch', '--quiet', '--force', 'origin', `+${ref}:${ref}`], signal).catch(() => undefined);
      const head = (await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], signal)).trim();
      if (!head) throw new NotFoundError(`no pull request #${pr} (${ref}) in the repository`);
      return head;
    }
    // --quiet: a missing ref exits 1 with nothing on stderr, which simple-git hands back as ''
    const sha = (await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}^{commit}`], signal)).trim();
    if (!sha) throw new NotFoundError(`no branch ${JSON.stringify(branch)} in the repository`);
    return sha;
  }

  /** Resolves a (possibly abbreviated) commit sha that must exist in the cache. */
  async resolveCommit(sha: string, signal?: AbortSignal): Promise<string> {
    if (!SHA.test(sha)) throw new UsageError(`not a commit sha: ${JSON.stringify(sha)}`);
    const full = (await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${sha}^{commit}`], signal)).trim();
    if (!full) throw new UsageError(`commit ${sha} is not in the repository`);
    return full;
  }

  /** True when `ancestor` is `descendant` or in its history. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const base = (await this.run(['merge-base', '--end-of-options', ancestor, descendant]).catch(() => '')).trim();
    return base !== '' && base === (await this.resolveCommit(ancestor));
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    const out = await this.run(['log', '-1', '--format=%H%x00%an%x00%ae%x00%s%x00%B', '--end-of-options', sha]);
    const [full, authorName, authorEmail, subject, message] = out.split('\0');
    return { sha: full, authorName, authorEmail, subject, message: (message ?? '').trim() };
  }

  /** Checks a commit out into a fresh worktree directory. Returns a cleanup function. */
  async checkout(sha: string, dir: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    rmSync(dir, { recursive: true, force: true });
    await this.run(['worktree', 'prune'], signal);
    mkdirSync(path.dirname(dir), { recursive: true });
    await this.run(['worktree', 'add', '--detach', '--force', '--', dir, sha], signal);
    return async () => {
      rmSync(dir, { recursive: true, force: true });
      await this.run(['worktree', 'prune']).catch(() => undefined);
    };
  }

  /** Tags matching a glob, e.g. `v*`. */
  async tags(pattern: string): Promise<string[]> {
    return (await this.run(['tag', '--list', '--', pattern])).split('\n').filter(Boolean);
  }

  /** The commit a tag points at on the remote (`git ls-remote --tags`), undefined when the remote has no such tag. */
  async remoteTagTarget(tag: string, signal?: AbortSignal): Promise<string | undefined> {
    const dir = path.dirname(this.opts.cacheDir);
    mkdirSync(dir, { recursive: true });
    const out = await this.run(['ls-remote', '--tags', '--', this.opts.remote, `refs/tags/${tag}`, `refs/tags/${tag}^{}`], signal, dir);
    const refs = new Map(
      out
        .split('\n')
        .map((l) => l.trim().split('\t'))
        .filter((p) => p.length === 2)
        .map(([sha, ref]) => [ref, sha]),
    );
    // an annotated tag's commit is the peeled (^{}) line; a lightweight tag has none
    return refs.get(`refs/tags/${tag}^{}`) ?? refs.get(`refs/tags/${tag}`);
  }

  /** Creates an annotated tag on a commit and pushes it to origin. */
  async tagAndPush(tag: string, sha: string, message: string, signal?: AbortSignal): Promise<void> {
    const { name, email } = this.opts.author;
    const existing = (
      await this.git(signal)
        .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/tags/${tag}^{commit}`])
        .catch(() => '')
    ).trim();
    if (existing && existing !== sha)
      throw new ExternalCommandError('git', ['tag', tag], null, `tag ${tag} already exists on another commit (${existing.slice(0, 12)})`);
    // a tag left by an earlier attempt whose push failed (or was not recorded) is pushed again
    if (!existing)
      await this.run(
        ['-c', `user.name=${name}`, '-c', `user.email=${email}`, 'tag', '--annotate', '--message', message, '--end-of-options', tag, sha],
        signal,
      );
    try {
      await this.run(['push', '--quiet', 'origin', `refs/tags/${tag}:refs/tags/${tag}`], signal);
    } catch (err) {
      if (!existing) await this.run(['tag', '--delete', '--', tag]).catch(() => undefined);
      throw err;
    }
  }
}

/** Rejects names git itself would refuse as a branch (spaces, `..`, control characters...). */
export async function assertBranchName(branch: string): Promise<void> {
  if (branch.length === 0 || branch.length > 1000) throw new UsageError('a branch name must be 1 to 1000 characters');
  if (hasBidiControl(branch))
    throw new UsageError(
      'not a valid branch name: it contains a bidirectional control character (such as U+202E), which can make it display as another name',
    );
  if (!isValidBranchName(branch) && pullRequestOf(branch) === undefined)
    throw new UsageError(`not a valid branch name: ${JSON.stringify(branch)}`);
}

/** Passed through to git: what it needs to find itself, certificates and proxies; nothing else. */
const PASS_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'GIT_SSH_COMMAND',
  'SSH_AUTH_SOCK',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

function gitEnvironment(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const k of PASS_THROUGH) if (from[k] !== undefined) env[k] = from[k]!;
  return env;
}
