/**
 * Image retention, the effectful half: after a successful deploy, list what the driver holds,
 * let the pure choice (plan/retention.ts) decide, remove, and record in state which releases
 * lost an image (they are no longer rollback targets).
 */
import { chooseImageRetention } from '../plan/retention.ts';
import { markImagesRemoved } from '../state/releases.ts';
import type { State } from '../state/schema.ts';
import type { StateLock, StateStore } from '../state/store.ts';
import type { Driver } from '../targets/driver.ts';

export interface RetentionOutcome {
  readonly removed: readonly string[];
  readonly kept: number;
  readonly state: State;
}

export async function retainImages(driver: Driver, store: StateStore, lock: StateLock, state: State, keep: number): Promise<RetentionOutcome | undefined> {
  if (!driver.listImages || !driver.removeImages) return undefined;
  const { built, inUse } = await driver.listImages();
  const choice = chooseImageRetention({ state, keep, built, inUse });
  const removed = choice.remove.length > 0 ? await driver.removeImages(choice.remove) : [];
  const marked = markImagesRemoved(state, new Set(removed));
  const written = marked === state ? state : await store.write(lock, marked);
  return { removed, kept: choice.kept.length, state: written };
}
