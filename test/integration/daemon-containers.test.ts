import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '../../engine/docker/names.js';
import { UsageError } from '../../engine/errors.js';
import { ControlClient } from '../../src/control-client.js';
import { busyboxImage, runBusybox } from '../helpers/busybox.js';
import { startDaemon, type DaemonRun } from '../helpers/daemon.js';
import { docker } from '../helpers/docker-env.js';
import { setupGreen, type GreenSetup } from '../helpers/green.js';
import { waitUntil } from '../helpers/wait.js';

/** What the console asks the daemon for besides builds: branches to build, containers and their logs. */
describe('greenci daemon: containers, their logs and branches through the control socket', () => {
  let g: GreenSetup;
  let d: DaemonRun;
  let client: ControlClient;
  let image: string;
  const foreign: string[] = [];
  /** An NDJSON stream's objects, and a promise for its end. */
  const stream = (path: string, signal?: AbortSignal) => {
    const seen: Record<string, any>[] = [];
    const done = client.stream('GET', path, undefined, (o) => seen.push(o), signal);
    return { seen, done };
  };

  beforeAll(async () => {
    g = await setupGreen({ noEngine: true, extra: 'reconcile:\n  schedule: "0 0 1 1 *"' });
    await g.origin.push('feature-x');
    await g.origin.push('alpha');
    [image, d] = await Promise.all([busyboxImage(g.project), startDaemon(g.configFile, g.env)]);
    client = new ControlClient(g.config.control.socket!);
  });
  afterAll(async () => {
    await d?.stop();
    for (const id of foreign) await docker.removeContainer(id);
    await g?.cleanup();
  });

  it("GET /v1/projects/:p/branches: the remote's branches, the production branch first", async () => {
    expect(await client.request('GET', `/projects/${g.project}/branches`)).toEqual(['master', 'alpha', 'feature-x']);
    await expect(client.request('GET', '/projects/nope/branches')).rejects.toThrow(/no project "nope"/);
  });

  it('GET /v1/containers/:id/logs: the last lines, then followed lines until the container stops, then end', async () => {
    const name = `${g.project}-test-chatty`;
    const id = await runBusybox({
      image,
      name,
      script: 'i=0; while :; do i=$((i+1)); echo "line $i"; [ $((i % 3)) = 0 ] && echo "warn $i" >&2; sleep 0.2; done',
      labels: { [LABEL.project]: g.project, [LABEL.env]: 'test', [LABEL.service]: 'chatty' },
    });

    // the last lines, then end (no follow)
    await waitUntil(
      async () => {
        const s = stream(`/containers/${name}/logs?tail=100`);
        await s.done;
        return s.seen.filter((o) => o.type === 'log').length >= 6;
      },
      'six lines logged',
      10_000,
    );
    const tail = stream(`/containers/${id.slice(0, 12)}/logs?tail=2`);
    await tail.done;
    expect(tail.seen).toHaveLength(3);
    expect(
      tail.seen.slice(0, 2).every((o) => o.type === 'log' && /^(line|warn) \d+$/.test(o.line) && ['stdout', 'stderr'].includes(o.stream)),
    ).toBe(true);
    expect(tail.seen[2]).toEqual({ type: 'end' });
    const all = stream(`/containers/${id}/logs?tail=100`);
    await all.done;
    expect(all.seen.find((o) => o.line === 'warn 3')).toEqual({ type: 'log', line: 'warn 3', stream: 'stderr' });
    expect(all.seen.find((o) => o.line === 'line 1')).toEqual({ type: 'log', line: 'line 1', stream: 'stdout' });

    // follow: new lines arrive; when the container stops the daemon ends the stream with `end`
    const followed = stream(`/containers/${name}/logs?tail=0&follow=1`);
    await waitUntil(() => followed.seen.length >= 2, 'followed lines', 10_000);
    await docker.api.getContainer(id).kill();
    await followed.done;
    expect(followed.seen.at(-1)).toEqual({ type: 'end' });

    // a client that leaves ends its follow (the daemon keeps answering)
    await docker.startContainer(id);
    const leaving = new AbortController();
    const left = stream(`/containers/${name}/logs?follow=1`, leaving.signal);
    await waitUntil(() => left.seen.length > 0, 'a line before leaving', 10_000);
    leaving.abort();
    await left.done;
    expect((await client.request<unknown[]>('GET', `/projects/${g.project}/branches`)).length).toBe(3);
  });

  it('refuses containers that are not greenci-managed, unknown ones, bad names and a bad tail', async () => {
    const other = await docker.createContainer({
      name: `not-greenci-${g.project}`,
      Image: 'greenci/node:20-local',
      Cmd: ['node', '-e', '0'],
    });
    foreign.push(other);
    await expect(client.stream('GET', `/containers/${other}/logs`, undefined, () => undefined)).rejects.toThrow(
      /is not managed by greenci/,
    );
    await expect(client.stream('GET', `/containers/${other}/logs`, undefined, () => undefined)).rejects.toThrow(UsageError);
    await expect(client.stream('GET', `/containers/${g.project}-nothing/logs`, undefined, () => undefined)).rejects.toThrow(/no container/);
    await expect(client.stream('GET', '/containers/-rf/logs', undefined, () => undefined)).rejects.toThrow(/no such endpoint/);
    await expect(client.stream('GET', `/containers/${other}/logs?tail=many`, undefined, () => undefined)).rejects.toThrow(
      /tail must be a whole number/,
    );
  });

  it('GET /v1/events watches the containers while a client follows: containers events list them with their figures', async () => {
    await runBusybox({
      image,
      name: `${g.project}-test-steady`,
      script: 'sleep 3600',
      labels: { [LABEL.project]: g.project, [LABEL.env]: 'test', [LABEL.service]: 'steady' },
    });
    const stop = new AbortController();
    const events = stream('/events', stop.signal);
    const mine = () =>
      events.seen
        .filter((e) => e.type === 'containers')
        .at(-1)
        ?.containers.filter((c: { project: string }) => c.project === g.project) ?? [];
    await waitUntil(
      () => mine().some((c: any) => c.service === 'steady' && c.state === 'running' && c.cpuPercent !== undefined),
      'the steady container with a CPU figure on the stream',
      15_000,
    );
    expect(events.seen[0].type).toBe('snapshot');
    expect(events.seen.filter((e) => e.type === 'containers').at(-1)?.docker).toMatchObject({ reachable: true });
    stop.abort();
    await events.done;
  });
});
