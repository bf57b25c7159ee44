import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LABEL } from '../../engine/docker/names.js';
import { docker } from './docker-env.js';

/** Where Debian's busybox-static puts its binary (`npm run host` installs it). */
export const BUSYBOX = '/bin/busybox';

/**
 * A tiny image built here, never pulled: FROM scratch, a static busybox and its applet links.
 * Labelled with the project, so `removeProjectResources` removes it with the test's containers.
 */
export async function busyboxImage(project: string): Promise<string> {
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: run \`npm run host\` (it installs Debian's busybox-static)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'greenci-busybox-'));
  try {
    copyFileSync(BUSYBOX, path.join(dir, 'busybox'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["sh"]\n',
    );
    const tag = `greenci-test-busybox:${project}`;
    await docker.buildImage({
      contextDir: dir,
      dockerfile: 'Dockerfile',
      tags: [tag],
      labels: { [LABEL.project]: project },
      onLine: () => undefined,
    });
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BusyboxContainer {
  image: string;
  name: string;
  /** A shell script (busybox sh -c). */
  script: string;
  labels: Record<string, string>;
  restart?: { Name: string; MaximumRetryCount?: number };
}

/** Creates and starts a container running `script`; returns its id. Init: true, so stop and kill are quick. */
export async function runBusybox(c: BusyboxContainer): Promise<string> {
  const id = await docker.createContainer({
    name: c.name,
    Image: c.image,
    Cmd: ['sh', '-c', c.script],
    Labels: c.labels,
    HostConfig: { Init: true, RestartPolicy: c.restart ?? { Name: 'no' }, NetworkMode: 'none' },
  });
  await docker.startContainer(id);
  return id;
}
