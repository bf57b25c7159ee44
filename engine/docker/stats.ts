/**
 * The numbers greenci reads from one `docker stats` sample (pure: no Docker here). CPU percent and
 * memory in use are computed from these in engine/monitor/container-row.ts.
 */
export interface StatsSample {
  /** When Docker read the counters (ms since the epoch). */
  readAt: number;
  /** CPU time the container used so far, all cores (ns). */
  cpuTotal: number;
  /** CPU time of the whole host so far, all cores (ns): Docker's `system_cpu_usage`. */
  systemCpu: number;
  onlineCpus: number;
  memUsage: number;
  /** Page cache counted in `memUsage`: cgroup v1 `cache`, v2 `inactive_file` (0 when neither is reported). */
  memCache: number;
  memLimit: number;
}

/** The parts of Docker's stats answer (API 1.41) that a sample is made from. */
export interface RawStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

/** The sample in Docker's answer, or undefined when the container is not running (Docker then answers zero time and no counters). */
export function statsSample(raw: RawStats): StatsSample | undefined {
  const readAt = raw.read ? Date.parse(raw.read) : NaN;
  const cpu = raw.cpu_stats;
  if (!(readAt > 0) || !cpu?.system_cpu_usage || cpu.cpu_usage?.total_usage === undefined) return undefined;
  const mem = raw.memory_stats ?? {};
  const s = mem.stats ?? {};
  return {
    readAt,
    cpuTotal: cpu.cpu_usage.total_usage,
    systemCpu: cpu.system_cpu_usage,
    onlineCpus: cpu.online_cpus ?? (cpu.cpu_usage.percpu_usage?.length || 1),
    memUsage: mem.usage ?? 0,
    memCache: s.cache ?? s.inactive_file ?? 0,
    memLimit: mem.limit ?? 0,
  };
}
