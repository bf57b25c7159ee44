import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../../engine/docker/docker.js';
import { LABEL } from '../../engine/docker/names.js';
import { ensureProxyImage, PROXY_IMAGE } from '../../engine/proxy/proxy-image.js';
import { SwarmFrontProxy } from '../../engine/proxy/swarm-front-proxy.js';
import type { SwarmRoutes, SwarmSlotRoute } from '../../engine/proxy/swarm-haproxy.js';
import { busyboxImage } from '../helpers/busybox.js';
import { docker, freePort, removeProjectResources, uniqueProject } from '../helpers/docker-env.js';
import { startLoad } from '../helpers/http-load.js';
import { type SwarmEngine, startSwarmEngine, webService } from '../helpers/swarm-engine.js';

/**
 * The front proxy of a production on Swarm, on a real swarm engine: releases are services reached
 * by DNS round-robin on the overlay; the proxy (HAProxy, a container on the manager's engine)
 * resolves each slot's `tasks.<service>` and switches at runtime, under 16 keep-alive clients.
 */
describe('the front proxy on Swarm: slots resolve a release service’s tasks; switches lose no request', () => {
  let swarm: SwarmEngine;
  let proxy: SwarmFrontProxy;
  const project = uniqueProject('swprx');
  const network = `${project}-prod`;
  const labels = { [LABEL.project]: project };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'greenci-swarm-proxy-'));
  let imageId = '';
  let proxyImage = '';
  let listen = 0;
  const replicas: Record<string, number> = { 'v0.1.0': 2, 'v0.2.0': 3, 'v0.3.0': 2 };
  const services: Record<string, string> = {};

  const release = async (version: string) => {
    const spec = webService({
      project,
      release: version,
      replicas: replicas[version],
      imageId,
      network,
      labels,
      script: 'echo "{\\"version\\":\\"$GREENCI_VERSION\\"}" > /www/health',
    });
    const id = await swarm.client.createService(spec);
    expect(await swarm.client.waitReady(id, replicas[version], { timeoutMs: 60_000 })).toMatchObject({ kind: 'ready' });
    services[version] = spec.Name;
  };
  const slot = (version: string, weight: number): SwarmSlotRoute => ({ release: version, service: services[version], weight });
  const routes = (slots: SwarmRoutes['apps'][number]['slots']): SwarmRoutes => ({
    project,
    bind: '127.0.0.1',
    maxReplicas: 4,
    apps: [{ app: 'web', listen, port: 8080, health: '/health', slots }],
  });
  const apply = (r: SwarmRoutes) => proxy.apply(r, proxyImage, (_app, version) => replicas[version]);

  beforeAll(async () => {
    swarm = await startSwarmEngine(await freePort());
    await busyboxImage(project);
    await ensureProxyImage(docker, () => undefined);
    imageId = (await swarm.client.distributeImage(docker.api, `greenci-test-busybox:${project}`)).id;
    proxyImage = (await swarm.client.distributeImage(docker.api, PROXY_IMAGE)).id;
    await swarm.client.ensureOverlay(network, labels, { vxlanId: swarm.vxlanId });
    listen = await freePort();
    proxy = new SwarmFrontProxy(new DockerClient(swarm.socket), dataDir, project, network);
    await release('v0.1.0');
    await release('v0.2.0');
  }, 180_000);
  afterAll(async () => {
    await swarm?.stop();
    await removeProjectResources(project);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('serves the first release from its tasks once resolved; a switch to the next, a rollback and a release into the re-pointed slot lose nothing', async () => {
    await apply(routes({ a: slot('v0.1.0', 100) }));
    const url = `http://127.0.0.1:${listen}/health`;
    const load = startLoad(url, { clients: 16, maxMs: 120_000 });
    await load.waitFor((s) => s.body.includes('v0.1.0'), 10_000);

    // blue/green: v0.2.0 in slot b takes everything; v0.1.0 stays warm at weight 0
    const t0 = Date.now();
    await apply(routes({ a: slot('v0.1.0', 0), b: slot('v0.2.0', 100) }));
    const switched = Date.now() - t0;
    await load.waitFor((s) => s.sent > t0 + switched && s.body.includes('v0.2.0'), 10_000);

    // an instant rollback: the weight goes back to the warm slot
    const t1 = Date.now();
    await apply(routes({ a: slot('v0.1.0', 100), b: slot('v0.2.0', 0) }));
    const rolledBack = Date.now() - t1;
    await load.waitFor((s) => s.sent > t1 + rolledBack && s.body.includes('v0.1.0'), 10_000);

    // the next release goes into the idle slot b, re-pointed from v0.2.0's service to v0.3.0's at runtime
    await release('v0.3.0');
    const t2 = Date.now();
    await apply(routes({ a: slot('v0.1.0', 0), b: slot('v0.3.0', 100) }));
    const released = Date.now() - t2;
    const settled = await load.waitFor((s) => s.sent > t2 + released && s.body.includes('v0.3.0'), 10_000);
    const result = await load.stop();

    expect(result.failures).toEqual([]);
    expect(result.non200).toBe(0);
    // after each switch returned, no answer came from the release switched away from
    const after = result.samples.filter((s) => s.sent > settled.sent);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.body.includes('v0.3.0'))).toBe(true);
    console.log(
      `swarm proxy: ${result.ok} answers, 0 failed; switch ${switched} ms, rollback ${rolledBack} ms, re-pointed release ${released} ms; longest gap ${result.longestGapMs} ms`,
    );
  }, 240_000);
});
