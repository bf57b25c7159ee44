/**
 * Benchmark: the disk greenci's images and build cache take after N released builds of the sample
 * (default 20), without pruning, then after `greenci prune` (retention.releases 10). Each commit
 * gives weight a new 256 KB of code, as a real change would, so every build has layers of its own
 * (the sample's own code is a few KB on a shared 104 MB node base). Counts only what is this
 * project's alone (its images and the build steps under them that no other image stands on), so
 * other work on the same Docker engine does not blur it. Prints figures; asserts nothing.
 *
 *   npx tsx test/bench/prune-disk.bench.ts [builds]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LABEL } from '../../engine/docker/names.js';
import { hostImage } from '../../engine/prune/facts.js';
import { ImageGraph } from '../../engine/prune/image-graph.js';
import { sizeText } from '../../engine/prune/report.js';
import { docker } from '../helpers/docker-env.js';
import { setupGreen } from '../helpers/green.js';

const BUILDS = Number(process.argv[2] ?? 20);

/** The project's images, and the bytes of its images and the steps under them that nothing else stands on. */
async function projectDisk(project: string): Promise<{ images: number; steps: number; bytes: number }> {
  const images = (await docker.listImages()).map(hostImage);
  const graph = new ImageGraph({ images, containers: [] });
  const ours = new Set<string>();
  for (const i of images.filter((x) => x.labels[LABEL.project] === project))
    for (let s = graph.image(i.id); s && (s === graph.image(i.id) || s.tags.length === 0); s = graph.image(s.parentId ?? ''))
      ours.add(s.id);
  // a step another image (not ours) stands on is shared, and so is everything under it
  const shared = new Set<string>();
  for (const i of images)
    if (!ours.has(i.id))
      for (let s = graph.image(i.parentId ?? ''); s && !shared.has(s.id); s = graph.image(s.parentId ?? '')) shared.add(s.id);
  const alone = [...ours].filter((id) => !shared.has(id));
  return {
    images: images.filter((x) => x.labels[LABEL.project] === project).length,
    steps: alone.length,
    bytes: alone.reduce((n, id) => n + graph.ownBytes(id), 0),
  };
}

async function main(): Promise<void> {
  const g = await setupGreen({ extra: 'retention:\n  releases: 10\n  afterRelease: false' });
  try {
    const file = path.join(g.origin.work, 'greenci.yml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^ {6}cpus: 0\.5\n/m, '')
        .replace('verify: 5s', 'verify: 1s'),
    );
    const server = path.join(g.origin.work, 'weight', 'server.js');
    const code = readFileSync(server, 'utf8');
    const t0 = Date.now();
    for (let n = 1; n <= BUILDS; n++) {
      writeFileSync(server, `${code}// build ${n}: ${randomBytes(192 * 1024).toString('base64')}\n`);
      await g.origin.commitAll(`feat: release ${n}`);
      await g.origin.push('master');
      const b = await g.engine.run({ project: g.project, branch: 'master', requestedBy: 'bench' });
      if (b.status !== 'success') throw new Error(`build ${n} failed: ${b.reason}`);
    }
    const before = await projectDisk(g.project);
    const [report] = await g.engine.prune({ project: g.project, requestedBy: 'bench' });
    const after = await projectDisk(g.project);
    const row = (what: string, d: typeof before) =>
      `${what.padEnd(34)} ${String(d.images).padStart(6)} images  ${String(d.steps).padStart(6)} layers of its own  ${sizeText(d.bytes).padStart(9)}`;
    console.log(`${BUILDS} released builds of the sample in ${((Date.now() - t0) / 1000).toFixed(0)} s (weight: 256 KB of new code each)`);
    console.log(row('without pruning', before));
    console.log(row('after greenci prune (releases: 10)', after));
    console.log(
      `prune: ${report.removed.length} things removed in ${((report.finishedAt - report.startedAt) / 1000).toFixed(1)} s, ${sizeText(report.bytes)} freed by its own count`,
    );
  } finally {
    await g.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
