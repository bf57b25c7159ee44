import { closeSync, fstatSync, openSync, readFileSync, type Stats, statSync } from 'node:fs';
import { parse } from 'dotenv';

/**
 * A project's secrets file: KEY=value lines as systemd's `EnvironmentFile=` and dotenv read them
 * (comments, quotes, `export`), parsed by dotenv. Only root or the user greenci runs as may own it,
 * and nobody else may have any access to it (mode 0600 or stricter).
 */

const octal = (mode: number): string => `0${(mode & 0o777).toString(8)}`;

function modeProblem(file: string, where: string, st: Stats): string | undefined {
  if (!st.isFile()) return `${where}: ${file} is not a regular file`;
  if (st.mode & 0o077)
    return `${where}: ${file} has mode ${octal(st.mode)}: its group or other users can get at the secrets in it; it must be 0600 or stricter (chmod 600 ${file})`;
  return undefined;
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
}

/**
 * What loading the config checks: the file exists and its mode is 0600 or stricter. (Who owns it is
 * checked where it is read: the command line run by an operator is not greenci's user.)
 */
export function secretsFileProblem(file: string, where: string): string | undefined {
  try {
    return modeProblem(file, where, statSync(file));
  } catch (err) {
    return `${where}: ${file} ${errnoText(err)}`;
  }
}

/** Reads and parses the file after checking its owner and mode (on the open file itself). */
export function readSecretsFile(
  file: string,
  where: string,
  uid: number | undefined = process.getuid?.(),
): { values: Record<string, string> } | { error: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return { error: `${where}: ${file} ${errnoText(err)}` };
  }
  try {
    const st = fstatSync(fd);
    const bad = modeProblem(file, where, st);
    if (bad) return { error: bad };
    if (uid !== undefined && st.uid !== 0 && st.uid !== uid)
      return { error: `${where}: ${file} is owned by uid ${st.uid}; only root or the user greenci runs as (uid ${uid}) may own it` };
    return { values: parse(readFileSync(fd)) };
  } catch (err) {
    return { error: `${where}: ${file} ${errnoText(err)}` };
  } finally {
    closeSync(fd);
  }
}
