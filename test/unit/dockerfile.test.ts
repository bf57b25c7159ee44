import { describe, expect, it } from 'vitest';
import { baseImages } from '../../engine/docker/dockerfile.js';

describe('base images of a Dockerfile', () => {
  it('lists FROM images, skipping scratch and earlier stages', () => {
    const text = ['# build', 'FROM greenci/node:20-local AS build', 'RUN x', 'FROM scratch', 'COPY --from=build /a /a', 'FROM build AS again', 'from alpine:3 as x'].join('\n');
    expect(baseImages(text)).toEqual(['greenci/node:20-local', 'alpine:3']);
  });

  it('expands ARGs (defaults and build args) and skips --platform flags', () => {
    const text = 'ARG BASE=greenci/node\nARG TAG="20-local"\nFROM --platform=linux/amd64 ${BASE}:$TAG';
    expect(baseImages(text)).toEqual(['greenci/node:20-local']);
    expect(baseImages(text, { TAG: '22' })).toEqual(['greenci/node:22']);
  });

  it('joins continued lines', () => {
    expect(baseImages('FROM \\\n  busybox:local')).toEqual(['busybox:local']);
  });
});
