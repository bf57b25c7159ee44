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
