import type { Construct } from 'constructs';
import { Cluster } from './cluster.ts';
import type { Resource } from './resource.ts';

const MOVES = Symbol.for('berth.moves');

/** A declared rename: the resource once at path `from` (below the cluster) is now `to`. */
export interface MovedDeclaration {
  /** The old construct path below the cluster, e.g. `web` or `frontend/web`. */
  readonly from: string;
  /** The construct now standing for it. */
  readonly to: Resource;
}

/**
 * Declares that a resource was renamed or moved in the tree, so `berth diff` shows it as
 * moved (keeping its containers, volumes and state) instead of deleted and created.
 *
 * @example
 * const web = new Deployment(frontend, 'web', { image });
 * moved(cluster, { from: 'web', to: web });   // it used to be cluster/web
 */
export function moved(scope: Construct, declaration: MovedDeclaration): void {
  const cluster = Cluster.of(scope) as Cluster & { [MOVES]?: MovedDeclaration[] };
  (cluster[MOVES] ??= []).push(declaration);
}

/** @internal the declarations made with {@link moved} in `cluster`. */
export function movesOf(cluster: Cluster): readonly MovedDeclaration[] {
  return (cluster as Cluster & { [MOVES]?: MovedDeclaration[] })[MOVES] ?? [];
}
