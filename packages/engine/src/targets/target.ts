/**
 * The target seam: what a Cluster runs on. Every target is two halves, as the rest of the
 * engine is (docs/adr/0005-target-seam.md):
 *
 *   resolved graph ──Translator (pure)──▶ the target's own objects (run specs; later Swarm
 *                                          services, Kubernetes manifests)
 *   Target (effects): observe ─▶ plan ─▶ apply (through the executor) · destroy · status · logs
 *
 * The planner and the CLI commands see only this interface; a target's client libraries
 * (dockerode, a Kubernetes client) stay behind it and load when the target is opened.
 */
import type { GraphJson, TargetKind } from '@berth/core';
import type { ExecuteInput, ExecuteResult } from '../execute/executor.ts';
import type { Observed } from '../plan/observed.ts';
import type { State } from '../state/schema.ts';
import type { DestroyResult, NodeStatus, VolumeChoice } from './driver.ts';

export type { TargetKind };

/** What a translator needs besides the graph: values only known at deploy time. */
export interface TranslateContext {
  /** Outputs of resources already applied (image ids, volume names), by resource id. */
  readonly outputs: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Secret values by id, read by the CLI; they go into the target's objects, never into state or plans. */
  readonly secrets: ReadonlyMap<string, string>;
  /** Spec hash per resource id (the `berth.spec` label each object carries). */
  readonly specHashes: ReadonlyMap<string, string>;
  readonly release: string;
}

/** The pure half: the resolved graph → the target's own objects, by resource id. No I/O. */
export interface Translator<O> {
  translate(graph: GraphJson, ctx: TranslateContext): ReadonlyMap<string, O>;
}

/** What observing a target found. */
export interface TargetObservation {
  /** What runs now for the cluster, from the target's own labels (not from state). */
  readonly observed: Observed;
  /**
   * The nodes berth's scheduler places replicas on. Present for a target berth orchestrates
   * (Docker); absent where the orchestrator schedules (then the plan holds no placement).
   */
  readonly nodes?: readonly NodeStatus[];
}

/** One row of `berth status`. */
export interface StatusRow {
  readonly id: string;
  readonly kind: string;
  /** `2/3`, `3 backends`, `not deployed`, a Job's state. */
  readonly ready: string;
  readonly health: string;
  readonly nodes: string;
  readonly ports: string;
  readonly release: string;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly state: string; readonly health: string; readonly node: string; readonly spec: string }>;
}

export interface LogOptions {
  readonly follow: boolean;
  readonly tail?: number;
  readonly onLine: (replica: string, line: string) => void;
  readonly signal?: AbortSignal;
}

/** Carrying out a plan: everything the executor needs except how to reach the runtime. */
export type ApplyInput = Omit<ExecuteInput, 'driver'> & {
  /**
   * Image retention after a successful apply: keep the images of this many ok releases
   * (plan/retention.ts), remove older builds. Absent: remove nothing.
   */
  readonly keepImages?: number;
};

/** The effectful half: one per opened Cluster; `close()` releases its connections. */
export interface Target {
  readonly kind: TargetKind;
  observe(signal?: AbortSignal): Promise<TargetObservation>;
  /** Carries the plan out (the plan decided; the target only acts), journalling to state. */
  apply(input: ApplyInput): Promise<ExecuteResult>;
  /** Removes everything the target runs for the cluster (found by its labels); volumes only when asked. */
  destroy(opts: { readonly volumes: VolumeChoice }): Promise<DestroyResult>;
  status(graph: GraphJson, state: State | undefined): Promise<StatusRow[]>;
  logs(resourceId: string, opts: LogOptions): Promise<void>;
  /** Removes Deployment `id`'s held canary (containers labelled `replicaHash`), Services first. Optional. */
  abortCanary?(id: string, replicaHash: string, services: ReadonlyArray<{ readonly id: string; readonly targetPorts: readonly number[] }>): Promise<number>;
  /** Of these image ids, the ones the target's engines do not hold (a rollback refuses then). Optional. */
  missingImages?(ids: readonly string[]): Promise<string[]>;
  /** Where each published Service answers, given the nodes observed (an unreachable node publishes nothing). */
  endpoints(graph: GraphJson, nodes: readonly NodeStatus[]): Array<{ readonly service: string; readonly url: string }>;
  close(): Promise<void>;
}

/** How a target is opened: where berth's proxy sources are (the Docker target builds its proxy image). */
export interface OpenTargetOptions {
  readonly proxyDir?: string;
}
