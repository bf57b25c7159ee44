import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SimpleGit, simpleGit } from 'simple-git';

/**
 * Creates a bare repository holding one commit of a directory's files on a branch — a local
 * stand-in for a GitHub repository, used by `greenci demo`. Does nothing if it exists already.
 */
export async function seedBareRepository(opts: {
  bareDir: string;
  sourceDir: string;
  branch: string;
  message: string;
  author: { name: string; email: string };
}): Promise<boolean> {
  if (existsSync(path.join(opts.bareDir, 'HEAD'))) return false;
  await simpleGit().raw(['init', '--quiet', '--bare', `--initial-branch=${opts.branch}`, '--', opts.bareDir]);
  const work = mkdtempSync(path.join(os.tmpdir(), 'greenci-seed-'));
  try {
    cpSync(opts.sourceDir, work, { recursive: true });
    const git = simpleGit({ baseDir: work });
    await git.raw(['init', '--quiet', `--initial-branch=${opts.branch}`]);
    await commitEverything(git, opts.message, opts.author);
    await git.raw(['push', '--quiet', '--', opts.bareDir, `HEAD:refs/heads/${opts.branch}`]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return true;
}

/**
 * Commits a change to a branch of a bare repository, as a developer's push would: clones it,
 * lets `edit` change the files of the clone, commits them all and pushes. Used by `greenci demo
 * --tour`; returns the new commit's sha.
 */
export async function commitToBare(opts: {
  bareDir: string;
  branch: string;
  message: string;
  author: { name: string; email: string };
  edit: (workDir: string) => void;
}): Promise<string> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'greenci-push-'));
  try {
    await simpleGit().raw(['clone', '--quiet', '--branch', opts.branch, '--', opts.bareDir, work]);
    opts.edit(work);
    const git = simpleGit({ baseDir: work });
    await commitEverything(git, opts.message, opts.author);
    await git.raw(['push', '--quiet', 'origin', `HEAD:refs/heads/${opts.branch}`]);
    return (await git.revparse(['HEAD'])).trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Commits every file of a work tree as `author`. */
async function commitEverything(git: SimpleGit, message: string, author: { name: string; email: string }): Promise<void> {
  await git.raw(['add', '--all']);
  await git.raw(['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '--quiet', '--message', message]);
}
