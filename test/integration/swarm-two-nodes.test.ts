import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { taskVerdict } from '../../engine/swarm/task-verdict.js';
import { busyboxImage } from '../helpers/busybox.js';
import { docker, freePort, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { runOnOverlay, type SwarmEngine, startSwarmEngine, webService } from '../helpers/swarm-engine.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Two swarm nodes on one machine: the manager beside the main engine, a worker whose dockerd runs
 * in a network namespace this test creates (a veth pair, its own address and hostname). Images
 * reach each node by save and load; a service spreads over both and is reached across the overlay;
 * the worker's dockerd killed, Swarm marks the node down and runs its task again on the manager.
 */
describe('a two-node swarm: images loaded on every node, tasks across nodes, a node lost', () => {
  let swarm: SwarmEngine;
  const project = uniqueProject('swarm2');
  const network = `${project}-prod`;
  const labels = { [LABEL.project]: project };
  let imageId = '';
  let serviceId = '';
  let serviceName = '';

  beforeAll(async () => {
    swarm = await startSwarmEngine(await freePort(), { worker: 'node-b' });
    await busyboxImage(project);
  }, 180_000);
  afterAll(async () => {
    await swarm?.stop();
    await removeProjectResources(project);
  }, 180_000);

  it('both nodes are ready; the image is loaded on each and checked by id', async () => {
    const nodes = await swarm.client.nodes();
    expect(nodes.map((n) => [n.role, n.state])).toEqual(
      expect.arrayContaining([
        ['manager', 'ready'],
        ['worker', 'ready'],
      ]),
    );
    expect(nodes.find((n) => n.role === 'worker')?.hostname).toBe('node-b');
    for (const node of [swarm.client, swarm.worker!.client]) {
      const loaded = await node.distributeImage(docker.api, `greenci-test-busybox:${project}`);
      expect(loaded.moved).toBe(true);
      imageId = loaded.id;
    }
    expect(await swarm.worker!.client.hasImage(imageId)).toBe(true);
  }, 120_000);

  it('a 2-replica service runs a task on each node, each reached across the overlay', async () => {
    await swarm.client.ensureOverlay(network, labels, { vxlanId: swarm.vxlanId });
    const spec = webService({ project, release: 'v0.1.0', replicas: 2, imageId, network, labels, script: 'hostname > /www/health' });
    serviceName = spec.Name;
    serviceId = await swarm.client.createService(spec);
    expect(await swarm.client.waitReady(serviceId, 2, { timeoutMs: 90_000 })).toEqual({ kind: 'ready', running: 2 });
    const tasks = (await swarm.client.tasks(serviceId)).filter((t) => t.Status.State === 'running');
    const nodes = await swarm.client.nodes();
    expect(new Set(tasks.map((t) => nodes.find((n) => n.id === t.NodeID)?.hostname)).size).toBe(2);

    const out = await runOnOverlay(swarm.client, {
      image: imageId,
      network,
      labels,
      script: `for a in $(nslookup tasks.${serviceName} 127.0.0.11 | sed -n 's/^Address: \\(10\\..*\\)$/\\1/p'); do wget -q -O - http://$a:8080/health; done`,
    });
    // each task answers with its container's hostname: two different ones, one of them on the worker
    expect(new Set(out.split(/\r?\n/).filter((l) => /^[0-9a-f]{12}$/.test(l))).size).toBe(2);
  }, 150_000);

  it("the worker's dockerd killed: the node goes down and Swarm runs its task again on the manager", async () => {
    await swarm.worker!.kill();
    await waitUntil(
      async () => (await swarm.client.nodes()).find((n) => n.role === 'worker')?.state === 'down',
      'the worker node down',
      90_000,
      500,
    );
    const manager = (await swarm.client.nodes()).find((n) => n.role === 'manager')!;
    await waitUntil(
      async () => {
        const tasks = (await swarm.client.tasks(serviceId)).filter((t) => t.DesiredState === 'running');
        return tasks.length === 2 && tasks.every((t) => t.NodeID === manager.id) && taskVerdict(tasks, 2).kind === 'ready';
      },
      'both tasks running on the manager',
      120_000,
      500,
    );
  }, 240_000);
});
