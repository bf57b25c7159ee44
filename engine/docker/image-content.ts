import { createHash } from 'node:crypto';

/**
 * What an image is, apart from who built it and when: the build stamps `greenci.commit` and
 * `greenci.build` into every image it makes, so each build gets a new image id even when nothing
 * in it changed. Production compares this instead, so an unchanged database keeps running.
 */

/** The parts of `docker image inspect` read here (the engine may leave any of them null). */
export interface InspectedImage {
  RootFS?: { Type?: string; Layers?: string[] | null } | null;
  Config?: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string | string[] | null;
    WorkingDir?: string | null;
    User?: string | null;
    ExposedPorts?: Record<string, unknown> | null;
    Volumes?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | null;
    StopSignal?: string | null;
    Shell?: string[] | null;
    OnBuild?: string[] | null;
    Labels?: Record<string, string> | null;
  } | null;
  Os?: string;
  Architecture?: string;
  Variant?: string;
}

/** Everything that shapes a container of the image, in a canonical form (absent, null and empty alike). */
export interface ImageContent {
  layers: string[];
  platform: string;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
  volumes: string[];
  healthcheck: { test: string[]; interval: number; timeout: number; retries: number; startPeriod: number } | null;
  stopSignal: string;
  shell: string[];
  onBuild: string[];
  /** The image's own labels, sorted, without greenci's (`greenci.*`: who built it, when, for what). */
  labels: [string, string][];
}

const GREENCI_LABEL = /^greenci\./;

export function imageContent(image: InspectedImage): ImageContent {
  const c = image.Config ?? {};
  const h = c.Healthcheck;
  return {
    layers: image.RootFS?.Layers ?? [],
    platform: [image.Os ?? '', image.Architecture ?? '', image.Variant ?? ''].join('/'),
    env: c.Env ?? [],
    entrypoint: typeof c.Entrypoint === 'string' ? [c.Entrypoint] : (c.Entrypoint ?? []),
    cmd: c.Cmd ?? [],
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
    volumes: Object.keys(c.Volumes ?? {}).sort(),
    healthcheck: h?.Test?.length
      ? { test: h.Test, interval: h.Interval ?? 0, timeout: h.Timeout ?? 0, retries: h.Retries ?? 0, startPeriod: h.StartPeriod ?? 0 }
      : null,
    stopSignal: c.StopSignal ?? '',
    shell: c.Shell ?? [],
    onBuild: c.OnBuild ?? [],
    labels: Object.entries(c.Labels ?? {})
      .filter(([k]) => !GREENCI_LABEL.test(k))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** A short stable key of imageContent: equal for two builds of the same content, whatever their labels say. */
export function imageContentKey(image: InspectedImage): string {
  return `content:${createHash('sha256')
    .update(JSON.stringify(imageContent(image)))
    .digest('hex')
    .slice(0, 32)}`;
}
