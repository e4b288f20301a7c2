import type { ClusterState, Group } from '../state.ts';
import type { FilterName, ReasonCode } from '../types.ts';

/** One replica of a group, as a filter sees it. */
export interface Replica {
  readonly group: Group;
  readonly ordinal: number;
}

/** Per-domain replica counts of the group in focus; only the label-spread filter reads it. */
export interface DomainCounts {
  readonly byValue: ReadonlyMap<string, number>;
  readonly min: number;
  readonly minValue: string;
}

export interface FilterContext {
  readonly state: ClusterState;
  /** `state.counts` holds the focus group's replicas per node while a filter runs. */
  readonly domains: DomainCounts | undefined;
  /** The focus group's node per ordinal before this call (-1: none); read by stickiness. */
  readonly current: Int32Array | undefined;
}

export interface Reject {
  readonly pass: false;
  readonly code: ReasonCode;
  readonly reason: string;
}
export interface Pass {
  readonly pass: true;
}
export type Verdict = Pass | Reject;

/** One shared object: filters run up to 10^6 times per call and must not allocate to pass. */
export const PASS: Pass = Object.freeze({ pass: true });

export const reject = (code: ReasonCode, reason: string): Reject => ({ pass: false, code, reason });

export interface Filter {
  readonly name: FilterName;
  filter(replica: Replica, node: number, ctx: FilterContext): Verdict;
}
