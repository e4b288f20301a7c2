/**
 * The scheduler's contract: plain data in, plain data out. Units follow the graph:
 * cpu in millicores, memory in bytes.
 */

export interface Resources {
  /** millicores */
  readonly cpu: number;
  /** bytes */
  readonly memory: number;
}

export interface ScheduleNode {
  /** Unique; the stable id every tie is broken by. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: Resources;
  /** What things other than the groups being scheduled already use on the node. */
  readonly allocated?: Resources;
  readonly reachable: boolean;
  readonly draining: boolean;
  /** Node-local volumes present on the node. */
  readonly volumes?: readonly string[];
  /** Host ports taken by things other than the groups being scheduled. */
  readonly hostPortsInUse?: readonly number[];
}

export const STRATEGIES = ['spread', 'binpack'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface SpreadBy {
  /** Node label whose values are the spread domains (e.g. `zone`). */
  readonly label: string;
  /** Largest allowed difference between the busiest and the emptiest domain. @default 1 */
  readonly maxSkew?: number;
}

/** One Deployment's replicas: identical, interchangeable, numbered 0..replicas-1. */
export interface ScheduleGroup {
  /** Unique; the stable id every tie between groups is broken by. */
  readonly id: string;
  readonly replicas: number;
  readonly requests: Resources;
  readonly strategy: Strategy;
  /** Node labels that must match exactly. */
  readonly constraints: Readonly<Record<string, string>>;
  /** Hard spread across the values of a node label; nodes without the label are not eligible. */
  readonly spreadBy?: SpreadBy;
  readonly maxPerNode?: number;
  /** Each replica needs all of these free on its node (so at most one replica per node). */
  readonly hostPorts?: readonly number[];
  /**
   * Node-local volumes. A volume that exists lives on one node, so every replica goes there;
   * a volume that does not exist yet is created where the first replica lands.
   */
  readonly volumes?: readonly string[];
  /** Higher is placed first and may preempt lower. @default 0 */
  readonly priority?: number;
}

export interface Placement {
  readonly groupId: string;
  readonly ordinal: number;
  readonly node: string;
}

export interface ScheduleRequest {
  readonly nodes: readonly ScheduleNode[];
  readonly groups: readonly ScheduleGroup[];
  /** Where replicas run now; kept there while they still pass every filter. */
  readonly current?: readonly Placement[];
  /** Evict lower-priority replicas to make room; without it preemptions are only reported. */
  readonly allowPreemption?: boolean;
}

export const FILTER_NAMES = [
  'node-reachable',
  'node-draining',
  'node-labels',
  'spread-label',
  'volume-locality',
  'max-per-node',
  'host-ports',
  'resources-fit',
  'label-spread',
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export const REASON_CODES = [
  'schedule.unreachable',
  'schedule.draining',
  'schedule.label-mismatch',
  'schedule.spread-label-missing',
  'schedule.volume-elsewhere',
  'schedule.max-per-node',
  'schedule.host-port-in-use',
  'schedule.insufficient-cpu',
  'schedule.insufficient-memory',
  'schedule.max-skew',
  'schedule.node-gone',
  'schedule.not-chosen',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Why one node cannot take one more replica of a group. */
export interface Rejection {
  readonly node: string;
  /** `'scheduler'` only for `schedule.node-gone` / `schedule.not-chosen`, which no filter produces. */
  readonly filter: FilterName | 'scheduler';
  readonly code: ReasonCode;
  /** Human text, e.g. `node-b: needs 512Mi memory, 128Mi free`. */
  readonly reason: string;
}

/** Rejections folded by (filter, code): cheap to print for 10k nodes. */
export interface RejectionSummary {
  readonly filter: FilterName | 'scheduler';
  readonly code: ReasonCode;
  readonly count: number;
  /** Up to three reasons, from the first nodes by name. */
  readonly examples: readonly string[];
}

/**
 * A replica no node could take. `rejected` (one entry per node) and `summary` are computed on
 * first read and shared by every unplaced replica of the group, which all saw the same nodes.
 */
export interface Unplaced {
  readonly groupId: string;
  readonly ordinal: number;
  readonly rejected: readonly Rejection[];
  readonly summary: readonly RejectionSummary[];
}

export interface Move {
  readonly groupId: string;
  readonly ordinal: number;
  readonly from: string;
  /** `null` when no node could take it (it is also in `unplaced`). */
  readonly to: string | null;
  readonly filter: FilterName | 'scheduler';
  readonly code: ReasonCode;
  readonly reason: string;
}

export interface Victim {
  readonly groupId: string;
  readonly ordinal: number;
  readonly priority: number;
}

/** A replica that fits only if lower-priority replicas leave `node`. */
export interface Preemption {
  readonly groupId: string;
  readonly ordinal: number;
  readonly node: string;
  readonly victims: readonly Victim[];
  /** true when `allowPreemption` was set and the victims were evicted in this result. */
  readonly applied: boolean;
}

export interface ScheduleResult {
  /** Sorted by groupId, then ordinal. */
  readonly placements: readonly Placement[];
  readonly unplaced: readonly Unplaced[];
  readonly moves: readonly Move[];
  readonly preemptions: readonly Preemption[];
}
