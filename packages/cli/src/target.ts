/**
 * The one way commands reach a Cluster's target. A new target (Swarm, Kubernetes) is added
 * here and in the engine, never in a command: commands only see the Target interface.
 */
import type { GraphJson } from '@berth/core';
import { assertTargetAvailable, declaredNodes, openTarget, type Target } from '@berth/engine';
import { loadKubernetes } from './kubernetes.ts';

/** Opens the graph's target; refuses (`target.unavailable`, at the Cluster) one this berth cannot deploy to. */
export async function targetFor(graph: GraphJson, opts: { readonly env?: Readonly<Record<string, string | undefined>>; readonly appDir?: string; readonly forceConflicts?: boolean } = {}): Promise<Target> {
  if (graph.target.kind === 'kubernetes') {
    const k = await loadKubernetes();
    return k.openKubernetesTarget(graph, { env: opts.env ?? process.env, ...(opts.appDir !== undefined ? { appDir: opts.appDir } : {}), ...(opts.forceConflicts ? { forceConflicts: true } : {}) });
  }
  // The proxy's sources are found by the engine itself, beside its own code (DEFAULT_PROXY_DIR):
  // in the repo, in @berth/engine's dist, and in this bundle, whose build copies them to dist/proxy.
  return openTarget(graph);
}

/** Refuses a target this berth cannot deploy to, without connecting to anything. */
export function checkTarget(graph: GraphJson): void {
  assertTargetAvailable(graph);
}

/** The node names the graph's target declares. */
export function nodesOf(graph: GraphJson): string[] {
  return declaredNodes(graph.target);
}
