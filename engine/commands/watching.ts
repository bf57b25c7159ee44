import type { Engine } from '../api.js';
import { CONTAINER_REF, LABEL } from '../docker/names.js';
import { NotFoundError, UsageError } from '../errors.js';
import { ContainerWatcher } from '../monitor/container-watch.js';
import { Monitor } from '../monitor/monitor.js';
import { AddressFollower } from '../release/follow-addresses.js';
import type { EngineCore } from './core.js';

/**
 * What watches Docker: one container watcher however many faces watch (the last to release it
 * stops it), a container's log for the console, and the monitoring service (one per engine).
 */
export function watchingCommands(
  core: EngineCore,
): Pick<Engine, 'watchContainers' | 'containerLogs' | 'startMonitor' | 'healthHistory'> & { stop(): void } {
  const { docker, store, bus } = core;
  let watcher: ContainerWatcher | undefined;
  let watching = 0;
  let generation = 0; // a release from before stop() must not stop a later watcher
  let monitor: Monitor | undefined;
  let stopFollowing: () => Promise<void> = async () => undefined;
  const stopWatching = () => {
    void watcher?.stop();
    watcher = undefined;
    watching = 0;
    generation++;
  };
  return {
    watchContainers() {
      if (watching++ === 0) {
        watcher = new ContainerWatcher({ docker, subject: (id) => store.builds.get(id)?.commitSubject, emit: (e) => bus.emit(e) });
        watcher.start();
      }
      const mine = generation;
      let released = false;
      return () => {
        if (released || mine !== generation) return;
        released = true;
        if (--watching === 0) stopWatching();
      };
    },
    async containerLogs(id, o) {
      if (!CONTAINER_REF.test(id)) throw new UsageError(`not a container id or name: ${JSON.stringify(id)}`);
      const info = await docker.inspectContainer(id);
      if (!info) throw new NotFoundError(`no container ${JSON.stringify(id)}`);
      if (!info.Config.Labels?.[LABEL.project])
        throw new UsageError(`container ${JSON.stringify(id)} is not managed by greenci (it has no ${LABEL.project} label)`);
      // what a container prints may hold its host secrets: masked as the build logs are
      await docker.followContainerLogs(info.Id, { ...o, onLine: (line, stream) => o.onLine(core.deps.secrets.mask(line), stream) });
    },
    startMonitor(o = {}) {
      if (monitor) throw new UsageError('the monitor is running already');
      // the front proxy follows production's apps that Docker started again on another address
      const follower = new AddressFollower({
        docker,
        recorder: core.recorder,
        locks: core.deps.locks,
        dataDir: core.config().dataDir,
        projects: () => Object.keys(core.config().projects),
        log: o.log,
      });
      const m = new Monitor({
        docker,
        store,
        config: core.config,
        snapshot: core.snapshot,
        emit: (e) => bus.emit(e),
        webhookUrl: o.webhookUrl,
        log: o.log,
        dockerEvents: o.dockerEvents,
        followAddresses: (why) => void follower.check(why),
      });
      monitor = m;
      stopFollowing = () => follower.stop();
      m.start();
      return {
        check: (why) => m.check(why),
        reschedule: () => m.schedule(),
        stop: async () => {
          await m.stop();
          await follower.stop();
          if (monitor === m) monitor = undefined;
        },
      };
    },
    healthHistory: (limit) => ({ health: store.health.all(), transitions: store.health.transitions({ limit }) }),
    stop() {
      stopWatching();
      void monitor?.stop();
      void stopFollowing();
    },
  };
}
