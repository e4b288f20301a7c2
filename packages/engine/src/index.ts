/**
 * @berth/engine — state store, planner, scheduler, executor and drivers.
 * Pure parts (plan/, schedule/) decide; effectful parts (state/, execute/, drivers/) act.
 */
export { hashBuildContext, tryReadBuildContext, readBuildContext, packBuildContext, type BuildContext } from './build-context.ts';
