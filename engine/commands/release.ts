import type { DockerPort } from '../docker/port.js';
import { OperationFailedError, UsageError } from '../errors.js';
import type { BuildRecord, ProductionHold, TestedBuild } from '../model.js';
import { holdText } from '../pipeline/promotion.js';
import { missingImages } from '../pipeline/rollback.js';
import type { Recorder } from '../recorder.js';
import type { Store } from '../store/index.js';

/**
 * What a `greenci release` build promotes: what the named build tested (its images, greenci.yml,
 * commit), or, for a commit released before, that release (promote deploys it again). Refuses
 * when the images are gone or were never recorded, before anything changes.
 */
export async function testedToRelease(
  store: Pick<Store, 'builds' | 'releases'>,
  docker: DockerPort,
  b: BuildRecord & { sha: string },
): Promise<TestedBuild> {
  const again = `nothing was changed (production and its hold are as they were); build the commit again: greenci trigger ${b.project} --branch ${b.branch} --sha ${b.sha}`;
  const before = store.releases.ofCommit(b.project, b.sha);
  const tested = store.builds.tested(b.id);
  if (before) {
    const missing = await missingImages(docker, before);
    if (missing.length)
      throw new OperationFailedError(
        `cannot release build #${b.id}: its commit was released as ${before.version}, whose images are gone (${missing.join(', ')}); ${again}`,
      );
    if (tested) return tested;
    const subject = b.commitSubject ?? '';
    return {
      commit: { sha: b.sha, subject, message: subject, authorName: b.commitAuthor ?? '', authorEmail: '' },
      spec: store.releases.specOf(before.id),
      images: {},
    };
  }
  if (!tested) throw new UsageError(`cannot release build #${b.id}: greenci has no record of the images it tested; ${again}`);
  const missing: string[] = [];
  for (const [name, id] of Object.entries(tested.images)) if (!(await docker.imageId(id))) missing.push(`${name} ${id.slice(0, 19)}`);
  if (missing.length)
    throw new OperationFailedError(`cannot release build #${b.id}: its tested images are gone (${missing.join(', ')}); ${again}`);
  return tested;
}

/** `greenci release --lift`: the hold comes off, nothing is released; audited. */
export function liftHold(recorder: Recorder, req: { project: string; requestedBy: string }): ProductionHold {
  const on = recorder.read.holds.current(req.project);
  if (!on) throw new UsageError(`production ${req.project} is not held: there is no hold to lift`);
  const lifted = recorder.holdLifted(req.project, req.requestedBy)!;
  recorder.audit({
    actor: req.requestedBy,
    action: 'lift-hold',
    project: req.project,
    target: on.version,
    outcome: 'lifted without a release: the next production-branch build that passes is released',
    detail: { hold: on.id, was: holdText(on) },
  });
  return lifted;
}
