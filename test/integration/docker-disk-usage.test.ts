import { describe, expect, it } from 'vitest';
import { docker } from '../helpers/docker-env.js';

/** Docker 20.10 answers one `system df` at a time: a second one asked meanwhile gets 500 "a disk usage operation is already running". */
describe("Docker's disk usage, asked by several at once", () => {
  it('every reading succeeds when several are asked together (greenci status, the console and the monitor at once)', async () => {
    const raw = await Promise.allSettled([docker.api.df(), docker.api.df(), docker.api.df()]);
    // the engine really does refuse the extra ones (what greenci must get over)
    const refused = raw.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    for (const why of refused) expect(why).toMatch(/disk usage operation is already running/);

    // another process's reading under way (a raw df), and greenci's own callers at the same time: all get their answer
    // (handled at once: Docker may refuse it rather than greenci's, before the readings below are in)
    const other = docker.api.df().catch(() => undefined);
    const readings = await Promise.all([docker.diskUsage(), docker.diskUsage(), docker.diskUsage(), docker.diskUsage()]);
    for (const r of readings) expect(Array.isArray(r.volumes)).toBe(true);
    await other;
  });
});
