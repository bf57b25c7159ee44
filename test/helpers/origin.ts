import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';
import { parseDocument } from 'yaml';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const GREEN_PROJECT = path.join(FIXTURES, 'green-project');
export type Variant = 'break-test' | 'broken-config' | 'crash-on-start' | 'never-healthy' | 'prod-unhealthy' | 'v2';

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
    const file = path.join(work, 'greenci.yml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['environments', 'production', 'ports', 'billing'], opts.prodPorts.billing);
    doc.setIn(['environments', 'production', 'ports', 'weight'], opts.prodPorts.weight);
    doc.setIn(['environments', 'production', 'health_timeout'], opts.healthTimeout ?? '15s');
    doc.setIn(['environments', 'test', 'health_timeout'], opts.healthTimeout ?? '15s');
    writeFileSync(file, doc.toString());
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

  /** Copies a variant's files over the working tree and commits them; returns the new sha. */
  async commitVariant(variant: Variant, message: string): Promise<string> {
    cpSync(path.join(FIXTURES, 'green-variants', variant), this.work, { recursive: true });
    return this.commitAll(message);
  }

  /** Brings back the base project's version of the files a variant changed. */
  async revertVariant(variant: Variant, message: string): Promise<string> {
    const dir = path.join(FIXTURES, 'green-variants', variant);
    for (const rel of listFiles(dir)) cpSync(path.join(GREEN_PROJECT, rel), path.join(this.work, rel));
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

  async remoteTags(): Promise<string[]> {
    return (await simpleGit({ baseDir: this.bare }).raw(['tag', '--list'])).split('\n').filter(Boolean);
  }

  async tagTarget(tag: string): Promise<string> {
    return (await simpleGit({ baseDir: this.bare }).raw(['rev-list', '-n', '1', tag])).trim();
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return dir;
}
