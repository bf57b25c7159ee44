/** Splits Docker's multiplexed log format (8-byte frame headers) into lines. */
export function demuxBuffer(buf: Buffer): string[] {
  const chunks: Buffer[] = [];
  let i = 0;
  const framed = buf.length >= 8 && buf[0] <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
  if (!framed) return buf.toString().split(/\r?\n/).filter(Boolean);
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    chunks.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(chunks).toString().split(/\r?\n/).filter(Boolean);
}

/**
 * Docker's log stream, demultiplexed as it arrives: `push` chunks in any sizes, get each frame's
 * bytes with the stream it belongs to. A container with a TTY sends unframed bytes: all stdout.
 */
export function logDemuxer(onData: (stream: 'stdout' | 'stderr', data: Buffer) => void): { push(chunk: Buffer): void; end(): void } {
  let buf: Buffer = Buffer.alloc(0);
  let framed: boolean | undefined;
  return {
    push(chunk) {
      if (framed === false) return onData('stdout', chunk);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (framed === undefined) {
        if (buf.length < 4) return;
        framed = buf[0] <= 2 && buf[1] === 0 && buf[2] === 0 && buf[3] === 0;
        if (!framed) {
          onData('stdout', buf);
          buf = Buffer.alloc(0);
          return;
        }
      }
      while (buf.length >= 8) {
        const len = buf.readUInt32BE(4);
        if (buf.length < 8 + len) break;
        onData(buf[0] === 2 ? 'stderr' : 'stdout', buf.subarray(8, 8 + len));
        buf = buf.subarray(8 + len);
      }
    },
    end() {
      if (framed === undefined && buf.length) onData('stdout', buf);
      buf = Buffer.alloc(0);
    },
  };
}
