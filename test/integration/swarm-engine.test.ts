import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { busyboxImage } from '../helpers/busybox.js';
import { docker, freePort, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { runOnOverlay, type SwarmEngine, startSwarmEngine, webService } from '../helpers/swarm-engine.js';

/**
 * A real Docker Swarm: a second dockerd started by the repo's own script (src/host/swarm-engine.sh)
 * with its own roots and socket, put into swarm mode; the main engine never is. Images reach it
 * by save and load (no registry), services run from image ids with DNS round-robin on an overlay.
 */
describe('a swarm beside the main engine: images without a registry, services by id, tasks read in Swarm’s words', () => {
  let swarm: SwarmEngine;
  const project = uniqueProject('swarm');
  let imageId = '';
  const network = `${project}-prod`;
  const labels = { [LABEL.project]: project };
  const service = (o: { release: string; replicas: number; command?: string[]; constraints?: string[] }) =>
    webService({ project, imageId, network, labels, script: 'echo "ok $GREENCI_VERSION" > /www/health', ...o });

  beforeAll(async () => {
    swarm = await startSwarmEngine(await freePort());
    await busyboxImage(project);
  }, 120_000);
  afterAll(async () => {
    await swarm?.stop();
    await removeProjectResources(project);
  }, 120_000);

  it('runs in swarm mode on its own socket while the main engine stays out of any swarm', async () => {
    expect(await swarm.client.isManager()).toBe(true);
    const info = (await docker.api.info()) as { Swarm?: { LocalNodeState?: string } };
    expect(info.Swarm?.LocalNodeState).toBe('inactive');
    const nodes = await swarm.client.nodes();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ role: 'manager', state: 'ready', availability: 'active' });
  });

  it('an image reaches the node by save and load, checked by id; a second time nothing moves', async () => {
    const first = await swarm.client.distributeImage(docker.api, `greenci-test-busybox:${project}`);
    expect(first.moved).toBe(true);
    expect(first.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await swarm.client.hasImage(first.id)).toBe(true);
    expect(await swarm.client.distributeImage(docker.api, `greenci-test-busybox:${project}`)).toEqual({ id: first.id, moved: false });
    imageId = first.id;
  }, 60_000);

  it('a 2-replica service from the image id is ready once both tasks are healthy, and answers by name on the overlay from either task', async () => {
    await swarm.client.ensureOverlay(network, labels, { vxlanId: swarm.vxlanId });
    await swarm.client.ensureOverlay(network, labels, { vxlanId: swarm.vxlanId });
    const spec = service({ release: 'v0.1.0', replicas: 2 });
    const id = await swarm.client.createService(spec);
    const heard: string[] = [];
    const ready = await swarm.client.waitReady(id, 2, { timeoutMs: 60_000, onProgress: (w) => heard.push(w) });
    expect(ready).toEqual({ kind: 'ready', running: 2 });
    expect(heard.length).toBeGreaterThan(0);
    // a container on the overlay (as the front proxy will be) finds both tasks by DNS and reaches the app
    const out = await runOnOverlay(swarm.client, {
      image: imageId,
      network,
      labels,
      script: `nslookup tasks.${spec.Name} 127.0.0.11; wget -q -O - http://${spec.Name}:8080/health`,
    });
    const addresses = [...out.matchAll(/^Address: (10\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]);
    expect(new Set(addresses).size).toBe(2);
    expect(out).toContain('ok v0.1.0');
    await swarm.client.removeService(id);
    expect(await swarm.client.listServices([`${LABEL.project}=${project}`])).toEqual([]);
  }, 120_000);

  it("a task that exits fails the wait at once with Swarm's reason, naming the node", async () => {
    const id = await swarm.client.createService(
      service({ release: 'v0.2.0', replicas: 1, command: ['sh', '-c', 'echo "VAT_RATE is required" >&2; exit 3'] }),
    );
    const verdict = await swarm.client.waitReady(id, 1, { timeoutMs: 60_000 });
    await swarm.client.removeService(id);
    expect(verdict.kind).toBe('failed');
    expect(verdict.kind === 'failed' && verdict.reason).toMatch(/^task 1 on \S+ failed: task: non-zero exit \(3\)$/);
  }, 90_000);

  it('a constraint no node meets fails the wait with Swarm’s scheduling reason', async () => {
    const id = await swarm.client.createService(service({ release: 'v0.3.0', replicas: 1, constraints: ['node.labels.zone==nowhere'] }));
    const verdict = await swarm.client.waitReady(id, 1, { timeoutMs: 30_000 });
    await swarm.client.removeService(id);
    expect(verdict.kind === 'failed' && verdict.reason).toMatch(
      /^cannot place task 1: no suitable node \(scheduling constraints not satisfied on 1 node\)$/,
    );
  }, 60_000);

  it('stopping it removes its roots', async () => {
    const dir = swarm.socket.replace(/\/docker\.sock$/, '');
    await swarm.stop();
    expect(existsSync(dir)).toBe(false);
    swarm = { ...swarm, stop: async () => undefined };
  }, 60_000);
});
