import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DockerPort } from '../docker/port.js';
import { ProxyError } from '../errors.js';

const run = promisify(execFile);

/**
 * The front proxy's image: the host's own HAProxy (Debian's `haproxy` package) and the libraries
 * it links, FROM scratch — no registry, ~19 MB. Built once per binary: the image carries the
 * binary's hash and is rebuilt when the host's HAProxy changes (an upgrade).
 */
export const PROXY_IMAGE = 'greenci/haproxy:local';
const BINARY_LABEL = 'greenci.proxy.binary';
export const HAPROXY_BINARY = process.env.GREENCI_HAPROXY ?? '/usr/sbin/haproxy';

/** Shared libraries a binary links, as absolute paths (from `ldd`). */
export function parseLdd(out: string): string[] {
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    if (/=>\s*not found/.test(line)) throw new ProxyError(`the host's haproxy links a library that is missing: ${line.trim()}`);
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const p = arrow?.[1] ?? bare?.[1];
    if (p) libs.add(p);
  }
  return [...libs];
}

/** Makes sure the proxy image exists for the host's HAProxy; builds it when missing or stale. Returns its reference. */
export async function ensureProxyImage(docker: DockerPort, log: (line: string) => void = () => undefined): Promise<string> {
  let binary: Buffer;
  try {
    binary = await readFile(HAPROXY_BINARY);
  } catch {
    throw new ProxyError(
      `the front proxy needs HAProxy on this host (${HAPROXY_BINARY} is missing): install Debian's package with \`apt-get install haproxy\``,
    );
  }
  const hash = createHash('sha256').update(binary).digest('hex').slice(0, 16);
  const have = await docker.imageInfo(PROXY_IMAGE);
  if (have?.labels[BINARY_LABEL] === hash) return PROXY_IMAGE;

  log(`building the front proxy's image ${PROXY_IMAGE} from ${HAPROXY_BINARY}`);
  const ctx = await mkdtemp(path.join(os.tmpdir(), 'greenci-proxy-image-'));
  try {
    const root = path.join(ctx, 'rootfs');
    await mkdir(path.join(root, 'usr/sbin'), { recursive: true });
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await copyFile(HAPROXY_BINARY, path.join(root, 'usr/sbin/haproxy'));
    const { stdout } = await run('ldd', [HAPROXY_BINARY]);
    for (const lib of parseLdd(stdout)) {
      await mkdir(path.join(root, path.dirname(lib)), { recursive: true });
      await copyFile(lib, path.join(root, lib)); // copyFile follows symlinks: the library itself lands there
    }
    await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nhaproxy:x:100:101::/nonexistent:/sbin/nologin\n');
    await writeFile(path.join(root, 'etc/group'), 'root:x:0:\nhaproxy:x:101:\n');
    await writeFile(
      path.join(ctx, 'Dockerfile'),
      ['FROM scratch', 'COPY rootfs/ /', 'STOPSIGNAL SIGUSR1', 'ENTRYPOINT ["/usr/sbin/haproxy"]', ''].join('\n'),
    );
    await docker.buildImage({
      contextDir: ctx,
      dockerfile: 'Dockerfile',
      tags: [PROXY_IMAGE],
      labels: { [BINARY_LABEL]: hash, 'greenci.role': 'proxy-image' },
      onLine: () => undefined,
    });
    return PROXY_IMAGE;
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    throw new ProxyError(`building the front proxy's image failed: ${(err as Error).message}`);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}
