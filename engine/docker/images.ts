import type Docker from 'dockerode';
import tarFs from 'tar-fs';
import { AbortError, ExternalCommandError, throwIfAborted } from '../errors.js';
import { lineSplitter } from '../lines.js';
import { contextFilter } from './context-filter.js';
import { dockerError, isNotFound } from './docker-error.js';
import { imageContentKey } from './image-content.js';
import type { ImagesPort } from './port.js';
import type { BuildRequest, ImageInfo, ImageSummary } from './types.js';

/** Images on the Docker engine: builds, look-ups, tags, listing and removal. */
export class DockerImages implements ImagesPort {
  constructor(private readonly api: Docker) {}

  async buildImage(req: BuildRequest): Promise<string> {
    throwIfAborted(req.signal);
    const context = tarFs.pack(req.contextDir, {
      ignore: contextFilter(req.contextDir, req.dockerfile),
    }) as unknown as NodeJS.ReadableStream;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.api.buildImage(context, {
        t: req.tags[0],
        dockerfile: req.dockerfile,
        labels: req.labels,
        buildargs: req.buildArgs ?? {},
        networkmode: req.network ?? 'none',
        rm: true,
        forcerm: true,
        pull: false,
      } as Docker.ImageBuildOptions);
    } catch (err) {
      throw dockerError('build', err);
    }
    const onAbort = () => (stream as unknown as { destroy(e?: Error): void }).destroy(new AbortError());
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) onAbort(); // cancelled while the context was uploading
    let imageId: string | undefined;
    let failure: string | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const split = lineSplitter((l) => req.onLine(l));
        this.api.modem.followProgress(
          stream,
          (err) => (split.flush(), err ? reject(err) : resolve()),
          (ev: { stream?: string; error?: string; errorDetail?: { message?: string }; aux?: { ID?: string } }) => {
            if (ev.stream) split.push(ev.stream);
            if (ev.aux?.ID) imageId = ev.aux.ID;
            if (ev.error) {
              failure = ev.errorDetail?.message ?? ev.error;
              req.onLine(`ERROR: ${failure}`);
            }
          },
        );
      });
    } catch (err) {
      throwIfAborted(req.signal);
      throw dockerError('build', err);
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
    if (failure) throw new ExternalCommandError('docker', ['build', req.contextDir], null, failure);
    imageId ??= await this.imageId(req.tags[0]);
    if (!imageId) throw new ExternalCommandError('docker', ['build', req.contextDir], null, 'the engine reported no image id');
    for (const tag of req.tags.slice(1)) await this.tagImage(imageId, tag);
    return imageId;
  }

  async imageTags(ref: string): Promise<string[]> {
    try {
      return (await this.api.getImage(ref).inspect()).RepoTags ?? [];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw dockerError('image inspect', err);
    }
  }

  async imageInfo(ref: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.api.getImage(ref).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {}, onBuild: info.Config?.OnBuild ?? [] };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('image inspect', err);
    }
  }

  async imageContentKey(ref: string): Promise<string | undefined> {
    try {
      return imageContentKey(await this.api.getImage(ref).inspect());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('image inspect', err);
    }
  }

  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.api.getImage(ref).inspect()).Id;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError('image inspect', err);
    }
  }

  async tagImage(imageId: string, ref: string): Promise<void> {
    const i = ref.lastIndexOf(':');
    try {
      await this.api.getImage(imageId).tag({ repo: ref.slice(0, i), tag: ref.slice(i + 1) });
    } catch (err) {
      throw dockerError('tag', err);
    }
  }

  async listImages(): Promise<ImageSummary[]> {
    try {
      return (await this.api.listImages({ all: true })) as ImageSummary[];
    } catch (err) {
      throw dockerError('images', err);
    }
  }

  async removeImage(ref: string, o: { force?: boolean } = {}): Promise<'removed' | 'gone'> {
    try {
      // noprune: the untagged parents may be the build cache of a build running right now
      await this.api.getImage(ref).remove({ noprune: true, force: o.force === true });
      return 'removed';
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw dockerError('rmi', err);
    }
  }
}
