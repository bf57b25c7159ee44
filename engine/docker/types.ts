/**
 * The shapes greenci hands to and reads from a container target, in greenci's own types: the
 * subset of Docker's API that greenci uses, no more. Field names are Docker's API names (the
 * dockerode-backed client passes Docker's answers through unchanged; a fake or another target
 * fills in the same fields). Nothing outside engine/docker/ sees dockerode's own types.
 */

/** Where a published port is bound on the host. */
export interface PortBinding {
  /** `127.0.0.1`, `0.0.0.0`, `::`... (empty: every address). */
  HostIp: string;
  HostPort: string;
}

/** A container to create: what the spec builders (specs.ts) produce and tests hand in. */
export interface ContainerSpec {
  name?: string;
  /** An image id or a local reference (greenci never pulls). */
  Image: string;
  Cmd?: string[];
  /** `KEY=value` entries. */
  Env?: string[];
  Labels?: Record<string, string>;
  /** `8080/tcp` → `{}`. */
  ExposedPorts?: Record<string, Record<string, never>>;
  /** Durations in nanoseconds, as Docker takes them. */
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  HostConfig?: {
    Init?: boolean;
    NetworkMode?: string;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    /** `8080/tcp` → where it is published; an empty HostPort lets Docker pick one. */
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[]>;
    Mounts?: { Type: 'volume' | 'bind' | 'tmpfs'; Source: string; Target: string; ReadOnly?: boolean }[];
    /** Bytes. */
    Memory?: number;
    NanoCpus?: number;
  };
  /** Per network: the names the container answers to there. */
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] }> };
}

/** One container of a listing (`docker ps -a`): cheap, no inspect. */
export interface ContainerSummary {
  Id: string;
  /** With Docker's leading slash: `/green-production-billing`. */
  Names: string[];
  /** As the container was created: an image id for greenci's own containers. */
  Image: string;
  ImageID: string;
  Labels: Record<string, string>;
  /** `created`, `running`, `restarting`, `exited`... */
  State: string;
  /** Docker's sentence: `Up 3 minutes (healthy)`, `Exited (1) 2 seconds ago`. */
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  /** Bytes in its writable layer: only when listed with `size`. */
  SizeRw?: number;
}

/** One image of a listing (`docker images -a`): intermediate build steps too. */
export interface ImageSummary {
  Id: string;
  /** The image it was built on (a build step's parent); empty for a root. */
  ParentId: string;
  /** `repo:tag` names; Docker lists none, or `<none>:<none>`, for an untagged image. */
  RepoTags: string[] | null;
  Labels: Record<string, string> | null;
  /** Bytes of every layer down to the root. */
  Size: number;
}

/** What `docker system df` says greenci reads: volumes' sizes and BuildKit's cache. */
export interface DiskUsage {
  volumes: { name: string; labels: Record<string, string>; bytes?: number }[];
  /** BuildKit's cache, every build's (it carries no labels). */
  buildCacheBytes?: number;
}

/** What greenci reads of a container's inspect answer. */
export interface ContainerDetails {
  Id: string;
  /** With Docker's leading slash: `/green-production-billing`. */
  Name: string;
  /** Restarts Docker made under the restart policy. */
  RestartCount: number;
  Config: { Image: string; Labels?: Record<string, string> | null };
  State: {
    /** `created`, `running`, `paused`, `restarting`, `exited`, `dead`. */
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    ExitCode: number;
    /** RFC 3339; Docker's zero time `0001-01-01T00:00:00Z` when it never happened. */
    StartedAt: string;
    FinishedAt: string;
    /** Present when the container has a health check. */
    Health?: { Status: string; Log?: { Output: string }[] };
  };
  NetworkSettings: {
    /** `8080/tcp` → its bindings. */
    Ports: Record<string, PortBinding[]>;
    Networks: Record<string, { IPAddress: string }>;
  };
}

/** What a build may need to know of a base image. */
export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
  /** ONBUILD triggers: they would run in a build FROM it. */
  onBuild: string[];
}

/** One message of Docker's event stream (the fields greenci reads). */
export interface DockerEvent {
  Type?: string;
  /** `start`, `die`, `health_status: healthy`... */
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export interface FollowLogsOptions {
  /** How many of the last lines first (default: all). */
  tail?: number;
  /** Keep the stream open for new lines until the container stops or `signal` fires. */
  follow?: boolean;
  signal?: AbortSignal;
  onLine: LineSink;
}

export interface BuildRequest {
  /** Absolute path of the build context. */
  contextDir: string;
  /** Dockerfile path relative to the context. */
  dockerfile: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs?: Record<string, string>;
  /** The network RUN steps get: `none` (the default) unless the operator has allowed one. */
  network?: string;
  onLine: (line: string) => void;
  signal?: AbortSignal;
}

export interface RunOptions {
  onLine: LineSink;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  /** It ran past the timeout and was killed. */
  timedOut: boolean;
}
