import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { partialPath } from './names.js';

/** A backup file as stored: its size and the sha256 of its bytes (the gzipped file, as it is on disk). */
export interface StoredFile {
  size: number;
  sha256: string;
}

/**
 * Writes a backup: `feed` writes the raw data into the sink it is given (and must stop, rejecting,
 * when that sink closes before it is done: the file could not be written); it is gzipped, hashed as
 * it streams (no second read), written under a partial name with mode 0600 (data may hold
 * secrets), fsynced, then renamed into place and the directory fsynced. Any failure removes the
 * partial file and throws; nothing that looks like a backup is left behind.
 */
export async function writeBackupFile(finalPath: string, feed: (sink: Writable) => Promise<void>): Promise<StoredFile> {
  const tmp = partialPath(finalPath);
  await fs.promises.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o700 });
  const source = new PassThrough();
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  const written = pipeline(source, zlib.createGzip(), measure, out);
  // A write that fails (the disk is full) ends the pipeline at once and destroys `source`: the feed
  // sees its sink close and stops (feeds must: a volume copy restarts its service only then), and
  // the write's own error is the one to report, not the feed's "could not be written".
  let writeError: unknown;
  written.catch((err) => (writeError = err));
  try {
    try {
      await feed(source);
    } catch (err) {
      // destroyed already: the write side failed first, and the feed only stopped because of it
      const writeFailed = source.destroyed;
      source.destroy(err as Error);
      await written.catch(() => undefined);
      throw writeFailed && writeError ? writeError : err;
    }
    if (writeError) throw writeError;
    source.end();
    await written;
    const fd = await fs.promises.open(tmp, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await fs.promises.chmod(tmp, 0o600);
    await fs.promises.rename(tmp, finalPath);
    await syncDir(path.dirname(finalPath));
    return { size, sha256: hash.digest('hex') };
  } catch (err) {
    await written.catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fd = await fs.promises.open(dir, 'r');
  try {
    await fd.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename is still as durable as they allow
  } finally {
    await fd.close();
  }
}

/**
 * Checks a stored backup before anything relies on it: the file's sha256 equals the recorded one
 * and it decompresses to its end. Returns what is wrong, or undefined when it is sound.
 */
export async function verifyBackupFile(file: string, expected: StoredFile): Promise<string | undefined> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    return `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  if (stat.size !== expected.size) return `${file} has ${stat.size} bytes; ${expected.size} were recorded (truncated or changed)`;
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink = new PassThrough();
  sink.resume();
  try {
    await pipeline(fs.createReadStream(file), tap, zlib.createGunzip(), sink);
  } catch (err) {
    return `${file} does not decompress (${(err as Error).message})`;
  }
  const sum = hash.digest('hex');
  if (sum !== expected.sha256) return `${file} has sha256 ${sum.slice(0, 12)}…; ${expected.sha256.slice(0, 12)}… was recorded`;
  return undefined;
}

/** The raw data of a backup, decompressed as it is read. */
export function readBackupData(file: string): NodeJS.ReadableStream {
  return fs.createReadStream(file).pipe(zlib.createGunzip());
}
