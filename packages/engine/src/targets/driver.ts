/**
 * The one interface every runtime driver implements (docker today; swarm and kubernetes
 * behind the same contract). Drivers act; they never decide what changes — the planner did,
 * and the executor chooses order, parallelism and health gates.
 */
import type { ImageBuildSpec } from '@berth/core';
import type { Observed } from '../plan/observed.ts';
import type { PlanNodeFacts } from '../plan/types.ts';

/** A Config or Secret file in a container: in memory, read-only, owned `uid:gid` with `mode`. */
export interface RunFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** A fully resolved container to run: no references left, secrets already read. */
export interface RunSpec {
  readonly resourceId: string;
  /** The node the scheduler placed it on (multi-host clusters). */
  readonly node?: string;
  readonly kind: 'Deployment' | 'Job';
  readonly ordinal: number;
  /** The `berth.spec` label: which spec this container runs. */
  readonly specHash: string;
  readonly release: string;
  /** Image id (`sha256:…`): what runs is exactly what was planned. */
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{ readonly containerPort: number; readonly protocol: 'tcp' | 'udp' }>;
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
  readonly health?: HealthProbe;
  readonly mounts: ReadonlyArray<{ readonly volumeId: string; readonly volumeName?: string; readonly path: string; readonly readOnly: boolean }>;
  readonly files: readonly RunFile[];
  readonly restart: 'always' | 'on-failure' | 'unless-stopped' | 'no';
  readonly workingDir?: string;
  readonly user?: string;
  /** Ids of the Network resources to join besides the cluster network. */
  readonly networks?: readonly string[];
  /** The signal that asks the process to stop (`SIGTERM` when absent). */
  readonly stopSignal?: string;
  /** How long a stop waits for the process before killing it, in ms (10 000 when absent). */
  readonly stopGracePeriodMs?: number;
}

export type HealthProbe =
  | { readonly type: 'http'; readonly path: string; readonly port: number; readonly interval: number; readonly timeout: number; readonly retries: number; readonly startPeriod: number }
  | { readonly type: 'tcp'; readonly port: number; readonly interval: number; readonly timeout: number; readonly retries: number; readonly startPeriod: number }
  | { readonly type: 'exec'; readonly command: readonly string[]; readonly interval: number; readonly timeout: number; readonly retries: number; readonly startPeriod: number };

/** A container of a Deployment as the driver sees it now. */
export interface Replica {
  readonly resourceId: string;
  readonly ordinal: number;
  readonly containerId: string;
  readonly name: string;
  readonly node: string;
  readonly specHash: string;
  readonly release: string;
  readonly state: 'running' | 'exited' | 'created' | 'restarting' | 'paused' | 'dead' | 'removing';
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** How an exited container ended (a Job's run): a rerun adopts a run that exited 0. */
  readonly exitCode?: number;
  /** Address other containers reach it at (its IP on the cluster network). */
  readonly address?: string;
  /**
   * Where each container port is reachable from other nodes (`10.0.0.2:32771`), when the
   * replica publishes its ports for proxies on other hosts. Takes precedence over `address`.
   */
  readonly endpoints?: Readonly<Record<number, string>>;
}

/** Why a replica did not become ready: everything a user needs to see the cause. */
export interface NotReady {
  readonly ready: false;
  /** One line: "health check failed 3 times", "exited with code 1", "killed: out of memory (limit 64Mi)". */
  readonly reason: string;
  /** The last probe's output, the last log lines. */
  readonly detail: readonly string[];
}
export type Readiness = { readonly ready: true; readonly elapsedMs: number } | NotReady;

export interface JobOutcome {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly reason?: string;
  readonly logs: readonly string[];
  readonly containerId: string;
}

/** A Service as the runtime needs it: a name, ports, and the ready replicas behind it. */
export interface ServiceRunSpec {
  readonly resourceId: string;
  readonly name: string;
  readonly specHash: string;
  readonly release: string;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly targetPort: number; readonly publish?: number; readonly hostIp?: string }>;
}

export interface ServiceOutputs {
  readonly proxyContainerId: string;
  readonly backends: readonly string[];
}

/** A node as the scheduler needs it, observed now (the plan's node facts, before the drain set). */
export type NodeStatus = Omit<PlanNodeFacts, 'draining'>;

/** Which volumes destroy removes: none (false), all (true), or those of these Volume resource ids. */
export type VolumeChoice = boolean | readonly string[];

/** What destroy removed, and the nodes it could not reach (whose objects are left). */
export interface DestroyResult {
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
  /** Nodes that did not answer: what berth ran there is still there. */
  readonly unreachable: readonly { readonly node: string; readonly why: string }[];
}

export interface Driver {
  readonly name: string;
  /** The nodes replicas can be placed on, with capacity and reachability. */
  nodeStatus(): Promise<NodeStatus[]>;
  /** What runs now for this cluster, from runtime labels (not from state). */
  observe(signal?: AbortSignal): Promise<Observed>;
  /** Cluster-wide prerequisites (the cluster network). Idempotent. */
  prepare(signal?: AbortSignal): Promise<void>;
  buildImage(id: string, props: ImageBuildSpec, appDir: string, onLog: (line: string) => void, signal?: AbortSignal): Promise<{ image: string; cached: boolean }>;
  /** An existing image's id; fails with a clear message when it is not on the engine. */
  resolveImage(id: string, name: string): Promise<{ image: string }>;
  /** Creates the volume if missing; `name` keeps an existing volume's name (a moved Volume). */
  ensureVolume(id: string, props: { driver: string; options: Readonly<Record<string, string>> }, name?: string): Promise<{ name: string }>;
  removeVolume(id: string): Promise<void>;
  ensureNetwork(id: string, props: { internal: boolean }): Promise<{ name: string }>;
  removeNetwork(id: string): Promise<void>;
  /**
   * Every container of a Deployment, any state, any spec. `addresses: false` skips finding
   * where each running one is reachable (an engine call per replica), for callers that only
   * need to know which containers exist.
   */
  listReplicas(resourceId: string, opts?: { readonly addresses?: boolean }): Promise<Replica[]>;
  startReplica(spec: RunSpec, signal?: AbortSignal): Promise<Replica>;
  waitReady(replica: Replica, deadlineMs: number, signal?: AbortSignal): Promise<Readiness>;
  /**
   * Waits until no proxy of these Services holds an open connection to the replica (call it
   * after the replica left them, before stopping it), so in-flight requests finish. Resolves
   * false when `timeoutMs` passed with connections still open. Optional: a driver without
   * proxies has nothing to drain.
   */
  drainReplica?(replica: Replica, serviceIds: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * Failed requests the proxies of these Services counted for the replica so far: connections
   * to it that failed plus answers with a 5xx status. A running total (compare two readings).
   * Optional: a driver without proxies counts nothing.
   */
  replicaErrors?(replica: Replica, serviceIds: readonly string[]): Promise<number>;
  /** Stops but keeps a replica, so a failed rollout can start it again (its stop signal, then its grace period). */
  stopReplica(replica: Replica): Promise<void>;
  /** Starts a stopped replica again (rollback). */
  restartReplica(replica: Replica): Promise<Replica>;
  removeReplica(replica: Replica): Promise<void>;
  runJob(spec: RunSpec, timeoutMs: number, signal?: AbortSignal): Promise<JobOutcome>;
  /** Makes the Service exist and point at exactly `backends` (ready replicas, `address:targetPort`). */
  ensureService(spec: ServiceRunSpec, backends: readonly Replica[], signal?: AbortSignal): Promise<ServiceOutputs>;
  /** Points an existing Service at `backends` without touching anything else; false when it does not exist. */
  setServiceBackends(resourceId: string, targetPorts: readonly number[], backends: readonly Replica[]): Promise<boolean>;
  removeService(resourceId: string): Promise<void>;
  /**
   * Image ids built for the cluster and image ids any container uses (image retention reads
   * both). Optional: a driver that builds no images keeps none.
   */
  listImages?(): Promise<{ readonly built: readonly string[]; readonly inUse: readonly string[] }>;
  /** Removes these images where they are; one still in use stays. Returns the ids removed. */
  removeImages?(ids: readonly string[]): Promise<readonly string[]>;
  /** Removes everything labelled for the cluster; volumes only when asked (all, or these Volume ids). */
  destroy(opts: { volumes: VolumeChoice }): Promise<DestroyResult>;
  /** Log lines of a resource's containers. */
  logs(resourceId: string, opts: { follow: boolean; tail?: number; onLine: (replica: string, line: string) => void; signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
