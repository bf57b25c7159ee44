import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
/** The sample Green project the demo ships (src/demo/), which the tests push as well. */
export const GREEN_PROJECT = path.resolve(FIXTURES, '..', '..', 'src', 'demo', 'green-project');
export type Variant = 'break-test' | 'broken-config' | 'crash-on-start' | 'fails-later' | 'never-healthy' | 'prod-unhealthy' | 'v2';

const AUTHOR = ['-c', 'user.name=Dev Eloper', '-c', 'user.email=dev@green.example'];

/**
 * A bare repository on disk standing in for GitHub, seeded with the sample Green project, and a
 * working clone to commit variants from. Production ports and health timeouts are rewritten so
 * tests can run side by side.
 */
export class Origin {
  private constructor(
    readonly root: string,
    readonly bare: string,
    readonly work: string,
    private readonly git: SimpleGit,
  ) {}

  static async create(opts: { prodPorts: { billing: number; weight: number }; healthTimeout?: string }): Promise<Origin> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'greenci-origin-'));
    const bare = path.join(root, 'green.git');
    const work = path.join(root, 'work');
    cpSync(GREEN_PROJECT, work, { recursive: true });
    // textual edits, so the rest of the file stays byte-identical and the variants' patches apply
    const file = path.join(work, 'greenci.yml');
    const timeout = opts.healthTimeout ?? '15s';
    const edits: [string, string][] = [
      ['      billing: 8001\n', `      billing: ${opts.prodPorts.billing}\n`],
      ['      weight: 8002\n', `      weight: ${opts.prodPorts.weight}\n`],
      ['  test:\n    bind: 127.0.0.1\n', `  test:\n    bind: 127.0.0.1\n    health_timeout: ${timeout}\n`],
      ['  production:\n    bind: 127.0.0.1\n', `  production:\n    bind: 127.0.0.1\n    health_timeout: ${timeout}\n`],
    ];
    let text = readFileSync(file, 'utf8');
    for (const [from, to] of edits) {
      if (!text.includes(from)) throw new Error(`the sample greenci.yml no longer has ${JSON.stringify(from)}`);
      text = text.replace(from, to);
    }
    writeFileSync(file, text);
    await simpleGit().raw(['init', '--quiet', '--bare', '--initial-branch=master', bare]);
    const git = simpleGit({ baseDir: work });
    await git.raw(['init', '--quiet', '--initial-branch=master']);
    await git.raw(['remote', 'add', 'origin', bare]);
    const origin = new Origin(root, bare, work, git);
    await origin.commitAll('feat: the Green project');
    await origin.push('master');
    return origin;
  }

  async commitAll(message: string): Promise<string> {
    await this.git.raw(['add', '--all']);
    await this.git.raw([...AUTHOR, 'commit', '--quiet', '--allow-empty', '--message', message]);
    return (await this.git.raw(['rev-parse', 'HEAD'])).trim();
  }

  /** Applies a variant's patch (test/fixtures/green-variants/<variant>.patch) and commits it; returns the new sha. */
  async commitVariant(variant: Variant, message: string): Promise<string> {
    await this.git.raw(['apply', '--', variantPatch(variant)]);
    return this.commitAll(message);
  }

  /** Reverts a variant's patch and commits that. */
  async revertVariant(variant: Variant, message: string): Promise<string> {
    await this.git.raw(['apply', '--reverse', '--', variantPatch(variant)]);
    return this.commitAll(message);
  }

  async checkoutNewBranch(name: string, from = 'master'): Promise<void> {
    await this.git.raw(['checkout', '--quiet', '-B', name, from]);
  }

  async checkout(name: string): Promise<void> {
    await this.git.raw(['checkout', '--quiet', name]);
  }

  async push(branch: string): Promise<void> {
    await this.git.raw(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
  }

  /** Deletes a branch on the remote, as GitHub's delete button would. */
  async deleteBranch(branch: string): Promise<void> {
    await this.git.raw(['push', '--quiet', 'origin', '--delete', branch]);
  }

  async remoteTags(): Promise<string[]> {
    return (await simpleGit({ baseDir: this.bare }).raw(['tag', '--list'])).split('\n').filter(Boolean);
  }

  async tagTarget(tag: string): Promise<string> {
    return (await simpleGit({ baseDir: this.bare }).raw(['rev-list', '-n', '1', tag])).trim();
  }

  /**
   * Makes origin refuse tag pushes (a pre-receive hook; branches still go through), as GitHub does
   * for a protected tag or a revoked token. `hold`: a tag push waits, marked by tagPushArrived(),
   * until acceptTags(), then is refused: a test can kill greenci in the middle of the push.
   */
  refuseTags(o: { hold?: boolean } = {}): void {
    const hook = path.join(this.bare, 'hooks', 'pre-receive');
    rmSync(this.mark('arrived'), { force: true });
    if (o.hold) writeFileSync(this.mark('hold'), '');
    else rmSync(this.mark('hold'), { force: true });
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        'tags=0',
        'while read old new ref; do case "$ref" in refs/tags/*) tags=1;; esac; done',
        '[ "$tags" = 0 ] && exit 0',
        `touch '${this.mark('arrived')}'`,
        `while [ -e '${this.mark('hold')}' ]; do sleep 0.1; done`,
        'echo "tag pushes are refused here" >&2',
        'exit 1',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  /** Origin takes tag pushes again; a held push is let go (and refused). */
  acceptTags(): void {
    rmSync(path.join(this.bare, 'hooks', 'pre-receive'), { force: true });
    rmSync(this.mark('hold'), { force: true });
  }

  /** A tag push reached origin since refuseTags(). */
  tagPushArrived(): boolean {
    return existsSync(this.mark('arrived'));
  }

  private mark(name: 'hold' | 'arrived'): string {
    return path.join(this.root, `tag-push-${name}`);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A temporary copy of the sample project with a variant applied (git apply works outside a repository too). */
export function variantTree(variant: Variant): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `greenci-${variant}-`));
  cpSync(GREEN_PROJECT, dir, { recursive: true });
  execFileSync('git', ['apply', '--', variantPatch(variant)], { cwd: dir });
  return dir;
}

export function variantPatch(variant: Variant): string {
  return path.join(FIXTURES, 'green-variants', `${variant}.patch`);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}
