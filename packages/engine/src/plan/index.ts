export { plan, basisOf, sourceRef } from './plan.ts';
export { placeReplicas, placementRequest, describePlacements, toPlanPlacement, moveCause, type NodeFacts, type PlacementPlan, type RecordedPlacements } from './place.ts';
export { checkPlanBasis, type StaleReason } from './basis.ts';
export { recordChange, stateAfter, type RecordOptions } from './record.ts';
export { resolveSpecs, refsIn, inputToken, UNKNOWN_SECRET_VERSION, type ResolvedSpec } from './spec-hash.ts';
export { CHANGE_RULES, ruleFor, type ChangeRule } from './rules.ts';
export { topoOrder } from './order.ts';
export {
  PLAN_VERSION,
  CHANGE_ACTIONS,
  PLAN_ISSUE_CODES,
  type ChangeAction,
  type Change,
  type PropertyChange,
  type DriftItem,
  type PlanIssue,
  type PlanIssueCode,
  type PlanSummary,
  type PlanBasis,
  type Plan,
  type PlanOptions,
  type PlanInput,
  type PlanNode,
  type PlanNodeFacts,
  type HostPortHolder,
  type HostPortOwner,
  type PlanMove,
  type PlanUnplaced,
  type PlanLeftover,
  type PlanPlacement,
} from './types.ts';
export {
  REPLICA_STATES,
  REPLICA_HEALTHS,
  type Observed,
  type ObservedResource,
  type ObservedReplica,
  type ReplicaState,
  type ReplicaHealth,
} from './observed.ts';
