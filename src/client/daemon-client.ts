import type { ReleaseResult, RestoredData, RollbackResult } from '../../engine/api.js';
import type { EngineClient } from '../../engine/client.js';
import { errorFrom, type ErrorKind } from '../../engine/control/protocol.js';
import { NotFoundError } from '../../engine/errors.js';
import type { BuildRecord, LogLine, ProductionHold, ReleaseRecord } from '../../engine/model.js';
import type { PruneReport } from '../../engine/prune/types.js';
import type { ControlClient } from '../control-client.js';
import { followEvents } from './daemon-events.js';

/** The engine as the daemon runs it, through its control socket. */
export function daemonClient(c: ControlClient): EngineClient {
  const enc = encodeURIComponent;
  return {
    mode: 'daemon',
    status: () => c.request('GET', '/status'),
    connect: (h) => followEvents(c, h),
    builds: (o = {}) =>
      c.request('GET', `/builds?${new URLSearchParams({ ...(o.project ? { project: o.project } : {}), limit: String(o.limit ?? 20) })}`),
    build: (id) =>
      c
        .request<BuildRecord>('GET', `/builds/${id}`)
        .catch((err: Error) => (err instanceof NotFoundError ? undefined : Promise.reject(err))),
    async logs(id, o) {
      let end: BuildRecord | undefined;
      let failure: Error | undefined;
      await c.stream(
        'GET',
        `/builds/${id}/logs?follow=${o.follow ? 1 : 0}`,
        undefined,
        (m) => {
          if (m.type === 'log') o.onLine(m as unknown as LogLine);
          if (m.type === 'end') end = m.build as BuildRecord;
          if (m.type === 'error') failure = errorFrom(m.kind as ErrorKind, String(m.error));
        },
        o.signal,
      );
      if (failure) throw failure;
      return end ?? (await c.request<BuildRecord>('GET', `/builds/${id}`));
    },
    async containerLogs(id, o) {
      let failure: string | undefined;
      const query = new URLSearchParams({ tail: String(o.tail ?? 200), follow: o.follow ? '1' : '0' });
      await c.stream(
        'GET',
        `/containers/${enc(id)}/logs?${query}`,
        undefined,
        (m) => {
          if (m.type === 'log') o.onLine(String(m.line), m.stream === 'stderr' ? 'stderr' : 'stdout');
          if (m.type === 'error') failure = String(m.error);
        },
        o.signal,
      );
      if (failure) throw new Error(failure);
    },
    releases: (project) => c.request('GET', `/projects/${enc(project)}/releases`),
    backups: (project) => c.request('GET', `/projects/${enc(project)}/backups`),
    backup: (req) =>
      c.request('POST', `/projects/${enc(req.project)}/backups`, { service: req.service, requestedBy: req.requestedBy }, 30 * 60_000),
    restore: (req) =>
      c.request(
        'POST',
        `/projects/${enc(req.project)}/restore`,
        { service: req.service, from: req.from, requestedBy: req.requestedBy },
        30 * 60_000,
      ),
    traffic: (project) => c.request('GET', `/projects/${enc(project)}/traffic`),
    canaryDecision: (req) =>
      c.request('POST', `/projects/${enc(req.project)}/canary`, { decision: req.decision, requestedBy: req.requestedBy }),
    branches: (project) => c.request<string[]>('GET', `/projects/${enc(project)}/branches`, undefined, 30_000),
    health: (limit) => c.request('GET', `/health?limit=${limit}`),
    trigger: (req) => c.request('POST', '/builds', req),
    cancel: (id, by) => c.request('POST', `/builds/${id}/cancel`, { requestedBy: by }),
    retry: (id, by) => c.request('POST', `/builds/${id}/retry`, { requestedBy: by }),
    async rollback(req) {
      let result: RollbackResult | undefined;
      let failure: Error | undefined;
      const body = { to: req.to, requestedBy: req.requestedBy, ...(req.restoreData ? { restoreData: true } : {}) };
      await c.stream('POST', `/projects/${enc(req.project)}/rollback`, body, (m) => {
        if (m.type === 'progress') req.log?.(String(m.line));
        if (m.type === 'result')
          result = {
            from: m.from as ReleaseRecord | undefined,
            to: m.to as ReleaseRecord,
            hold: m.hold as ProductionHold | undefined,
            warm: m.warm === true ? true : undefined,
            restored: m.restored as RestoredData[] | undefined,
          };
        if (m.type === 'error') failure = errorFrom(m.kind as ErrorKind, String(m.error));
      });
      if (failure) throw failure;
      if (!result) throw new Error('the daemon ended the rollback stream without a result; check `greenci releases`');
      return result;
    },
    async release(req) {
      let result: ReleaseResult | undefined;
      let failure: Error | undefined;
      await c.stream(
        'POST',
        `/projects/${enc(req.project)}/release`,
        { build: req.build, requestedBy: req.requestedBy, canary: req.canary },
        (m) => {
          if (m.type === 'progress') req.log?.(String(m.line));
          if (m.type === 'result') result = m.result as ReleaseResult;
          if (m.type === 'error') failure = errorFrom(m.kind as ErrorKind, String(m.error));
        },
      );
      if (failure) throw failure;
      if (!result) throw new Error('the daemon ended the release stream without a result; check `greenci builds` and `greenci releases`');
      return result;
    },
    liftHold: (req) => c.request('POST', `/projects/${enc(req.project)}/hold/lift`, { requestedBy: req.requestedBy }),
    async prune(req) {
      let result: PruneReport[] | undefined;
      let failure: Error | undefined;
      await c.stream('POST', '/prune', { project: req.project, dryRun: req.dryRun === true, requestedBy: req.requestedBy }, (m) => {
        if (m.type === 'progress') req.log?.(String(m.line));
        if (m.type === 'result') result = m.reports as PruneReport[];
        if (m.type === 'error') failure = errorFrom(m.kind as ErrorKind, String(m.error));
      });
      if (failure) throw failure;
      if (!result) throw new Error('the daemon ended the prune stream without a result; the audit table says what it removed');
      return result;
    },
    disk: () => c.request('GET', '/disk', undefined, 60_000),
    // the daemon carries a production change to its end whether or not this client stays
    settle: async () => undefined,
    close: () => undefined,
  };
}
