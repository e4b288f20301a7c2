/**
 * What a step of one resource kind gets to work with, and what it gives back. Steps act
 * through the driver only; which steps run, when and how many at once is the executor's.
 */
import type { GraphJson } from '@berth/core';
import type { Driver } from '../../targets/driver.ts';
import type { Change } from '../../plan/types.ts';
import type { JournalEntry, State, StatePlacement } from '../../state/schema.ts';
import type { ResolveContext } from '../resolve.ts';

export interface StepContext {
  readonly graph: GraphJson;
  readonly driver: Driver;
  /** Directory of cluster.ts: build contexts are relative to it. */
  readonly appDir: string;
  readonly release: string;
  readonly signal: AbortSignal;
  /** Outputs of resources applied so far (and recorded before), by id; steps add theirs. */
  readonly outputs: Map<string, Record<string, unknown>>;
  readonly resolve: ResolveContext;
  /** The scheduler's node per ordinal, by Deployment id (the plan's placement); null: not placed. */
  readonly placements: Readonly<Record<string, ReadonlyArray<string | null>>> | undefined;
  /** The state as last written. */
  state(): State;
  /** The `berth.spec` label of the change's runtime objects (resolved with this deploy's secret versions). */
  specOf(change: Change): string;
  /** What a Deployment's containers are labelled with and compared by (spec-hash.ts). */
  replicaOf(change: Change): string;
  /** The image id a rollback pins this ImageBuild or Image to (no build, no lookup by name). */
  pinnedImage(id: string): string | undefined;
  /** The journal entry an earlier, interrupted deploy left `started` for this id. */
  interrupted(id: string): JournalEntry | undefined;
  progress(id: string, message: string): void;
}

/** What a step reports: the resource's outputs and, for a Deployment, where its replicas run. */
export interface StepResult {
  readonly outputs: Record<string, unknown>;
  readonly placements?: readonly StatePlacement[];
  /**
   * A `manual` canary holds: the step is not recorded as done — state keeps the old spec with
   * a canary mark, and `berth promote` / `berth abort` finish it.
   */
  readonly canaryHeld?: { readonly replicas: number };
}

/** What the journal records before a step starts: the label its objects carry, their names. */
export interface StepIntent {
  readonly specHash?: string;
  /** Logical names (`replica api#0`), not runtime ids: those exist only once it ran. */
  readonly creates: readonly string[];
}
