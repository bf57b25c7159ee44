import { describe, expect, it } from 'vitest';
import { imageContent, imageContentKey, type InspectedImage } from '../../engine/docker/image-content.js';

/** `docker image inspect` of a db image as greenci's build leaves it (fields trimmed to those read, plus some that are not). */
const built = (
  over: { labels?: Record<string, string>; layers?: string[]; env?: string[] } = {},
): InspectedImage & Record<string, unknown> => ({
  Id: `sha256:${Math.random().toString(16).slice(2)}`,
  Created: new Date().toISOString(),
  RootFS: { Type: 'layers', Layers: over.layers ?? ['sha256:aaa', 'sha256:bbb', 'sha256:ccc'] },
  Config: {
    Env: over.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
    Cmd: ['node', '/db/server.js'],
    Entrypoint: null,
    WorkingDir: '/db',
    User: '',
    ExposedPorts: { '7000/tcp': {} },
    Volumes: null,
    OnBuild: null,
    Labels: over.labels ?? {
      'greenci.app': 'billing-db',
      'greenci.base.node': 'v20.20.2-6295488653f0',
      'greenci.build': '1',
      'greenci.commit': 'db57844c804c27297398810a6adfdcf499eb360d',
      'greenci.project': 'green',
      maintainer: 'ops@green.example',
    },
  },
  Architecture: 'amd64',
  Os: 'linux',
});

describe('imageContent: what an image is, apart from who built it', () => {
  it('keeps layers, platform and run config in canonical form and drops greenci.* labels', () => {
    expect(imageContent(built())).toEqual({
      layers: ['sha256:aaa', 'sha256:bbb', 'sha256:ccc'],
      platform: 'linux/amd64/',
      env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=production'],
      entrypoint: [],
      cmd: ['node', '/db/server.js'],
      workingDir: '/db',
      user: '',
      exposedPorts: ['7000/tcp'],
      volumes: [],
      healthcheck: null,
      stopSignal: '',
      shell: [],
      onBuild: [],
      labels: [['maintainer', 'ops@green.example']],
    });
  });

  it('reads a healthcheck, a string entrypoint, volumes and sorts map keys and labels', () => {
    expect(
      imageContent({
        RootFS: { Layers: null },
        Config: {
          Entrypoint: '/init',
          Volumes: { '/var/lib/db': {}, '/data': {} },
          ExposedPorts: { '8080/tcp': {}, '7000/tcp': {} },
          Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9, Retries: 3 },
          StopSignal: 'SIGINT',
          Labels: { z: '1', a: '2' },
        },
      }),
    ).toEqual({
      layers: [],
      platform: '//',
      env: [],
      entrypoint: ['/init'],
      cmd: [],
      workingDir: '',
      user: '',
      exposedPorts: ['7000/tcp', '8080/tcp'],
      volumes: ['/data', '/var/lib/db'],
      healthcheck: { test: ['CMD', 'true'], interval: 1e9, timeout: 0, retries: 3, startPeriod: 0 },
      stopSignal: 'SIGINT',
      shell: [],
      onBuild: [],
      labels: [
        ['a', '2'],
        ['z', '1'],
      ],
    });
  });
});

describe('imageContentKey', () => {
  it('is the same for two builds that differ only in the labels greenci stamps (and id, creation time)', () => {
    const a = built();
    const b = built({
      labels: {
        'greenci.app': 'weight-db',
        'greenci.build': '2',
        'greenci.commit': 'f00',
        'greenci.project': 'green',
        'greenci.anything': 'new',
        maintainer: 'ops@green.example',
      },
    });
    expect(a.Id).not.toBe(b.Id);
    expect(imageContentKey(b)).toBe(imageContentKey(a));
    expect(imageContentKey(a)).toMatch(/^content:[0-9a-f]{32}$/);
  });

  it('differs when a layer, the run config or an own label differs', () => {
    const base = imageContentKey(built());
    expect(imageContentKey(built({ layers: ['sha256:aaa', 'sha256:bbb', 'sha256:ddd'] }))).not.toBe(base);
    expect(imageContentKey(built({ env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_ENV=development'] }))).not.toBe(base);
    expect(imageContentKey(built({ labels: { maintainer: 'someone@else.example' } }))).not.toBe(base);
  });

  it('treats null, missing and empty alike (engines report an unset field either way)', () => {
    const nulls: InspectedImage = { Config: { Env: null, Cmd: null, Volumes: null, Labels: null, Entrypoint: null } };
    const empties: InspectedImage = { RootFS: { Layers: [] }, Config: { Env: [], Cmd: [], Volumes: {}, Labels: {}, Entrypoint: [] } };
    expect(imageContentKey(nulls)).toBe(imageContentKey(empties));
    expect(imageContentKey({})).toBe(imageContentKey(empties));
  });
});
