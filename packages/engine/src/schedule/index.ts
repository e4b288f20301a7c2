/**
 * The replica scheduler: a pure function from nodes, groups and current placements to
 * placements, unplaced replicas (with reasons), moves and preemptions.
 */
export { schedule } from './schedule.ts';
export { FILTER_NAMES, REASON_CODES, STRATEGIES } from './types.ts';
export type {
  FilterName,
  Move,
  Placement,
  Preemption,
  ReasonCode,
  Rejection,
  RejectionSummary,
  Resources,
  ScheduleGroup,
  ScheduleNode,
  ScheduleRequest,
  ScheduleResult,
  SpreadBy,
  Strategy,
  Unplaced,
  Victim,
} from './types.ts';
