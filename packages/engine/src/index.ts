/**
 * @berth/engine — state store, planner, scheduler, executor and targets.
 * Pure parts (plan/, schedule/) decide; effectful parts (state/, execute/, targets/) act.
 */
export { hashBuildContext, tryReadBuildContext, readBuildContext, packBuildContext, type BuildContext } from './build-context.ts';
export { STATE_VERSION, StateJson, LocalStateStore, migrateSecretVersions, secretVersion, newState, type State, type StateStore, type StateLock, type LockInfo, type HistoryEntry, type LocalStateStoreOptions } from './state/index.ts';
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
  type PlanPlacement,
  type PlanNodeFacts,
  type HostPortHolder,
  type HostPortOwner,
  type PlanMove,
  type Observed,
  type ObservedResource,
  type ObservedReplica,
} from './plan/index.ts';
export { schedule } from './schedule/index.ts';
export {
  KEEP_RELEASES,
  nextReleaseNumber,
  summarizeChanges,
  currentRelease,
  previousGoodRelease,
  isRollbackTarget,
  rollbackProblems,
  abortCanaryState,
  settleRunning,
  releasePins,
  type RollbackProblem,
  type ReleaseStart,
} from './state/releases.ts';
export { RELEASE_RESULTS, RELEASE_KINDS, ReleaseRecord, type ReleaseResult, type ReleaseKind } from './state/schema.ts';
export { chooseImageRetention, retainedReleases, DEFAULT_KEEP_IMAGES, type RetentionInput, type RetentionChoice } from './plan/retention.ts';
export type { DestroyResult, Driver, NodeStatus, Replica, RunSpec, Readiness, ServiceRunSpec, VolumeChoice } from './targets/driver.ts';
export { execute, type ExecuteInput, type ExecuteResult, type StepFailure } from './execute/executor.ts';
export type { DeployEvent, EventSink } from './execute/events.ts';
export { createDockerDriver, createDockerClusterDriver, openTarget, assertTargetAvailable, declaredNodes, targetNotes, type DockerDriverOptions, type DockerNode } from './targets/factory.ts';
export type { Target, TargetKind, TargetObservation, Translator, TranslateContext, ApplyInput, StatusRow, LogOptions, OpenTargetOptions } from './targets/target.ts';
export { dockerTranslator, type DockerObject } from './targets/docker/translate.ts';
export { placeReplicas, placementRequest, describePlacements, toPlanPlacement, moveCause, type NodeFacts, type PlacementPlan } from './plan/place.ts';
export { ensureBaseImages, NODE_BASE_IMAGE, type BaseImageEvent } from './base-images.ts';
export { swarmTranslator, swarmNotes, type SwarmObject, type SwarmServiceSpec } from './targets/swarm/translate.ts';
