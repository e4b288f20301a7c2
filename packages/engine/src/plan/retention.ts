/**
 * Image retention: which of the images berth built for a cluster to remove after a successful
 * deploy. Pure: the Docker target lists the images and removes what this returns.
 *
 * Kept: the images of the newest `keep` releases that ended ok (so each is a rollback target
 * `berth history` can list), every image state records as deployed now, and every image a
 * container still uses (a stopped replica a rollback may restart). Everything else built for
 * the cluster goes — builds of failed deploys and of releases older than the window.
 */
import type { ReleaseRecord, State } from '../state/schema.ts';

/** Releases whose images are kept, by default. */
export const DEFAULT_KEEP_IMAGES = 3;

export interface RetentionInput {
  readonly state: State;
  /** How many ok releases keep their images (the current one counts). */
  readonly keep: number;
  /** Image ids built for the cluster (labelled with it) found on the engine. */
  readonly built: readonly string[];
  /** Image ids any container (any state) uses. */
  readonly inUse: readonly string[];
}

export interface RetentionChoice {
  /** Built images to remove, sorted. */
  readonly remove: readonly string[];
  /** Built images kept, each with why, sorted by id. */
  readonly kept: ReadonlyArray<{ readonly image: string; readonly why: string }>;
}

/** The ok releases whose images retention keeps, newest first. */
export function retainedReleases(releases: readonly ReleaseRecord[], keep: number): ReleaseRecord[] {
  return releases.filter((r) => r.result === 'ok' && !r.imagesRemoved).slice(0, Math.max(0, keep));
}

export function chooseImageRetention(input: RetentionInput): RetentionChoice {
  const why = new Map<string, string>();
  const hold = (image: string, reason: string): void => {
    if (!why.has(image)) why.set(image, reason);
  };
  for (const r of Object.values(input.state.resources)) {
    const image = r.outputs['image'];
    if ((r.kind === 'ImageBuild' || r.kind === 'Image') && typeof image === 'string') hold(image, 'deployed now');
  }
  for (const image of input.inUse) hold(image, 'used by a container');
  for (const r of retainedReleases(input.state.releases ?? [], input.keep)) for (const image of Object.values(r.images)) hold(image, `pinned by r${r.number}`);
  const built = [...new Set(input.built)].sort();
  return {
    remove: built.filter((i) => !why.has(i)),
    kept: built.filter((i) => why.has(i)).map((image) => ({ image, why: why.get(image) ?? '' })),
  };
}
