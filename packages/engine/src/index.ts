/**
 * @berth/engine — state store, planner, scheduler, executor and drivers.
 * Pure parts (plan/, schedule/) decide; effectful parts (state/, execute/, drivers/) act.
 */
export { hashBuildContext, tryReadBuildContext, readBuildContext, packBuildContext, type BuildContext } from './build-context.ts';
export { STATE_VERSION, StateJson, LocalStateStore, secretVersion, newState, type State, type StateStore, type StateLock, type LockInfo, type HistoryEntry, type LocalStateStoreOptions } from './state/index.ts';
export {
  plan,
  basisOf,
  checkPlanBasis,
  recordChange,
  stateAfter,
  resolveSpecs,
  PLAN_VERSION,
  CHANGE_ACTIONS,
  type StaleReason,
  type Change,
  type ChangeAction,
  type PropertyChange,
  type Plan,
  type PlanInput,
  type PlanOptions,
  type PlanIssue,
  type PlanSummary,
  type PlanBasis,
  type Observed,
  type ObservedResource,
  type ObservedReplica,
} from './plan/index.ts';
export { schedule } from './schedule/index.ts';
export type { DestroyResult, Driver, NodeStatus, Replica, RunSpec, Readiness, ServiceRunSpec, VolumeChoice } from './drivers/driver.ts';
export { execute, type ExecuteInput, type ExecuteResult, type StepFailure } from './execute/executor.ts';
export type { DeployEvent, EventSink } from './execute/events.ts';
export { createDockerDriver, createDockerClusterDriver, type DockerDriverOptions, type DockerNode } from './drivers/factory.ts';
export { placeReplicas, placementRequest, describePlacements, type NodeFacts, type PlacementPlan } from './placement/place.ts';
export { ensureBaseImages, NODE_BASE_IMAGE, type BaseImageEvent } from './base-images.ts';
