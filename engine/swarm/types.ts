/**
 * The Docker Engine API's Swarm shapes greenci builds and reads (a subset, field names as the API
 * spells them). Only engine/docker/swarm-client.ts talks to the API; these keep the rest free of dockerode.
 */

export interface SwarmHealthcheck {
  Test: string[];
  /** Nanoseconds, as the API takes them. */
  Interval: number;
  Timeout: number;
  Retries: number;
  StartPeriod: number;
}

export interface SwarmServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels: Record<string, string>;
      Env: string[];
      Command?: string[];
      Init: boolean;
      HealthCheck?: SwarmHealthcheck;
      Mounts?: { Type: 'volume'; Source: string; Target: string }[];
      StopGracePeriod: number;
    };
    Networks: { Target: string; Aliases: string[] }[];
    Placement: { Constraints: string[] };
    RestartPolicy: { Condition: 'none' | 'on-failure' | 'any'; MaxAttempts: number; Delay: number };
    Resources?: { Limits: { MemoryBytes?: number; NanoCPUs?: number } };
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig: { Parallelism: number; Order: 'start-first' | 'stop-first'; FailureAction: 'pause'; Monitor: number };
  EndpointSpec: { Mode: 'dnsrr' };
}

/** A task as GET /tasks gives it, the fields greenci reads. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  /** Which version of the service's spec it runs. */
  Version?: { Index: number };
  DesiredState: string;
  Status: {
    Timestamp?: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
  CreatedAt?: string;
}
