/**
 * What a driver reports about the live system, per resource id. Drivers build this from the
 * labels every object carries (`berth.resource`, `berth.spec`), so it does not depend on the
 * state file; the planner compares it with state to find drift.
 */
import type { ResourceKind } from '@berth/core';
import type { DriftItem } from './types.ts';

export const REPLICA_STATES = ['running', 'exited', 'missing'] as const;
export type ReplicaState = (typeof REPLICA_STATES)[number];

export const REPLICA_HEALTHS = ['healthy', 'unhealthy', 'starting', 'none'] as const;
export type ReplicaHealth = (typeof REPLICA_HEALTHS)[number];

/** One container of a Deployment (or Job run) as found on a node. */
export interface ObservedReplica {
  readonly ordinal: number;
  readonly node: string;
  readonly containerId: string;
  /** The `berth.spec` label of the container. */
  readonly specHash: string;
  readonly state: ReplicaState;
  /** Health as the runtime reports it; informational, it never triggers a repair by itself. */
  readonly health?: ReplicaHealth;
}

/** One resource as found on the live system. */
export interface ObservedResource {
  readonly kind: ResourceKind;
  /** False when the runtime object (network, volume, all containers…) is gone. */
  readonly exists: boolean;
  /** The `berth.spec` label the object carries. */
  readonly specHash?: string;
  /** Containers of a Deployment or Job, by ordinal. */
  readonly replicas?: readonly ObservedReplica[];
  /**
   * Differences the target itself found between what berth sent and what runs (an orchestrator
   * object edited by hand: `docker service update` by someone else), property by property.
   */
  readonly drift?: readonly DriftItem[];
}

export interface Observed {
  readonly cluster: string;
  /**
   * Kinds the driver looked at. Resources of other kinds are not drift-checked, so a driver
   * that cannot see, say, Secrets does not make every Secret look deleted.
   */
  readonly kinds: readonly ResourceKind[];
  /** Everything labelled for this cluster that the driver found, by resource id. */
  readonly resources: Readonly<Record<string, ObservedResource>>;
}
