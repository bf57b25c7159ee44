import { rename, writeFile } from 'node:fs/promises';

/** Writes a file whole or not at all (a temporary file renamed over it): a proxy reading it never sees half. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o640 });
  await rename(tmp, file);
}
