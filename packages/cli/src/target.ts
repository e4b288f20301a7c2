/**
 * The one way commands reach a Cluster's target. A new target (Swarm, Kubernetes) is added
 * here and in the engine, never in a command: commands only see the Target interface.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphJson } from '@berth/core';
import { assertTargetAvailable, declaredNodes, openTarget, type Target } from '@berth/engine';

/** The proxy sources shipped beside the CLI (repo layout: <root>/proxy; bundle: packages/cli/dist). */
function proxyDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'proxy');
    if (existsSync(join(p, 'proxy.mjs'))) return p;
    dir = dirname(dir);
  }
  return undefined;
}

/** Opens the graph's target; refuses (`target.unavailable`, at the Cluster) one this berth cannot deploy to. */
export async function targetFor(graph: GraphJson): Promise<Target> {
  const dir = proxyDir();
  return openTarget(graph, dir ? { proxyDir: dir } : {});
}

/** Refuses a target this berth cannot deploy to, without connecting to anything. */
export function checkTarget(graph: GraphJson): void {
  assertTargetAvailable(graph);
}

/** The node names the graph's target declares. */
export function nodesOf(graph: GraphJson): string[] {
  return declaredNodes(graph.target);
}
