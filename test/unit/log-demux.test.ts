import { describe, expect, it } from 'vitest';
import { logDemuxer } from '../../engine/docker/demux.js';

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

function run(chunks: Buffer[]): string[] {
  const out: string[] = [];
  const d = logDemuxer((stream, data) => out.push(`${stream}:${data.toString()}`));
  for (const c of chunks) d.push(c);
  d.end();
  return out;
}

describe("Docker's log stream, demultiplexed as it arrives", () => {
  it('frames split anywhere (inside a header, inside a body) come out whole, each with its stream', () => {
    const all = Buffer.concat([frame(1, 'listening on 8080\n'), frame(2, 'warning: no VAT_RATE\n'), frame(1, 'ready\n')]);
    const expected = ['stdout:listening on 8080\n', 'stderr:warning: no VAT_RATE\n', 'stdout:ready\n'];
    expect(run([all])).toEqual(expected);
    for (const cut of [1, 3, 5, 8, 12, 26, 30]) expect(run([all.subarray(0, cut), all.subarray(cut)])).toEqual(expected);
    expect(run([...all].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('a TTY container sends unframed bytes: all of it is stdout, even a first chunk shorter than a header', () => {
    expect(run([Buffer.from('hello\n'), Buffer.from('world\n')])).toEqual(['stdout:hello\n', 'stdout:world\n']);
    expect(run([Buffer.from('hi')])).toEqual(['stdout:hi']);
    expect(run([Buffer.from('h'), Buffer.from('ello')])).toEqual(['stdout:hello']);
  });
});
