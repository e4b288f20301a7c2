/**
 * The filter and scorer chain, assembled in one place. Order matters twice: the first
 * failing filter is the reason a node is reported with, and the placer evaluates the
 * static prefix once per pool of nodes instead of once per replica.
 */
import type { Filter } from './filters/filter.ts';
import { hostPorts } from './filters/host-ports.ts';
import { maxSkew } from './filters/max-skew.ts';
import { maxPerNode } from './filters/max-per-node.ts';
import { nodeDraining } from './filters/node-draining.ts';
import { nodeLabels } from './filters/node-labels.ts';
import { nodeReachable } from './filters/node-reachable.ts';
import { resourcesFit } from './filters/resources-fit.ts';
import { hasSpreadLabel } from './filters/has-spread-label.ts';
import { volumeLocality } from './filters/volume-locality.ts';
import { labelSpreadScore } from './scorers/label-spread.ts';
import { leastAllocated } from './scorers/least-allocated.ts';
import { mostAllocated } from './scorers/most-allocated.ts';
import type { Scorer } from './scorers/scorer.ts';
import { stickiness } from './scorers/stickiness.ts';
import type { Strategy } from './types.ts';

/**
 * Filters that depend only on the node and the group's spec, never on what was placed:
 * evaluated once per (constraints, spread label) pool, which is what makes 10k groups on
 * 10k nodes affordable.
 */
export const STATIC_FILTERS: readonly Filter[] = [
  // First: on a dead node nothing else is worth saying, and its replicas must move.
  nodeReachable,
  // Second: a draining node is alive but takes nothing new; its replicas move as well.
  nodeDraining,
  // The user's constraints: a mismatch here is a configuration fact, not a capacity problem.
  nodeLabels,
  // Only with spreadBy: a node outside every domain would escape the skew rule.
  hasSpreadLabel,
];

/** Filters that read the evolving placement: checked per node when keeping or explaining. */
export const DYNAMIC_FILTERS: readonly Filter[] = [
  // Data beats everything that follows: a replica away from its volume is useless.
  volumeLocality,
  // Before ports and resources, so "max 2 per node reached" wins over the less useful
  // "port in use" a group's own replica causes.
  maxPerNode,
  // Ports before resources: a conflict is absolute, while resources may free up.
  hostPorts,
  // The capacity check; its text names the short resource and what is free.
  resourcesFit,
];

/**
 * Kept apart: the skew rule constrains where new replicas go, but is no reason to move a
 * running one (Kubernetes does not evict for skew either), so the keep phase skips it.
 */
export const PLACEMENT_ONLY_FILTERS: readonly Filter[] = [maxSkew];

/** Everything that can reject, in reporting order. */
export const FILTERS: readonly Filter[] = [...STATIC_FILTERS, ...DYNAMIC_FILTERS, ...PLACEMENT_ONLY_FILTERS];

/** What a running replica must still pass to stay where it is. */
export const KEEP_FILTERS: readonly Filter[] = [...STATIC_FILTERS, ...DYNAMIC_FILTERS];

export interface WeightedScorer {
  readonly scorer: Scorer;
  readonly weight: number;
}

/**
 * Scorers per strategy. The bulk placer realises them structurally rather than summing
 * per node: label-spread by water-filling domains (it outranks resources, hence the
 * weight), the resource scorer as the sort key within a domain, stickiness by the keep
 * phase. The weighted sum is used as is where one node must be chosen by hand
 * (preemption).
 */
export const SCORERS: Readonly<Record<Strategy, readonly WeightedScorer[]>> = {
  spread: [
    { scorer: stickiness, weight: 100 },
    { scorer: labelSpreadScore, weight: 10 },
    { scorer: leastAllocated, weight: 1 },
  ],
  binpack: [
    { scorer: stickiness, weight: 100 },
    { scorer: labelSpreadScore, weight: 10 },
    { scorer: mostAllocated, weight: 1 },
  ],
};
