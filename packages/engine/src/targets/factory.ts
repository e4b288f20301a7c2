/**
 * Opening a Cluster's target. Each target loads its client on first use: dockerode is only
 * required by commands that talk to an engine, and a target of another kind never loads it.
 */
import { BerthError, dockerHostsOf, type GraphJson, type TargetJson } from '@berth/core';
import type { Driver } from './driver.ts';
import type { DockerDriverOptions } from './docker/driver.ts';
import type { DockerNode } from './docker/cluster-driver.ts';
import { swarmNotes } from './swarm/translate.ts';
import type { OpenTargetOptions, Target } from './target.ts';

/** The Docker driver, loaded on first use: dockerode is only required when an engine is needed. */
export async function createDockerDriver(opts: DockerDriverOptions): Promise<Driver> {
  const { DockerDriver } = await import('./docker/driver.ts');
  return new DockerDriver(opts);
}

export type { DockerDriverOptions };

/** A cluster over several Docker hosts, one engine per node. */
export async function createDockerClusterDriver(cluster: string, nodes: readonly DockerNode[], proxyDir?: string): Promise<Driver> {
  const { DockerClusterDriver } = await import('./docker/cluster-driver.ts');
  return new DockerClusterDriver(cluster, nodes, proxyDir);
}

export type { DockerNode };

/**
 * Refuses a target this berth cannot deploy to, pointing at the Cluster in cluster.ts. Every
 * kind core declares is deployable now; the switch makes a new kind in core a compile error here
 * until a target exists for it. Planning without observing (`diff --no-observe`) checks it too.
 */
export function assertTargetAvailable(graph: GraphJson): void {
  const t = graph.target;
  switch (t.kind) {
    case 'docker':
    case 'swarm':
    // kubernetes is a package of its own (@berth/target-kubernetes), opened by the CLI (ADR 8).
    case 'kubernetes':
      return;
    default: {
      const kind: string = (t satisfies never as { kind: string }).kind;
      throw new BerthError('target.unavailable', `target ${kind} is not available in this berth`, {
        constructPath: graph.cluster,
        kind: 'Cluster',
        property: `target.${kind}`,
        hint: 'use target docker, swarm or kubernetes, or a berth that knows this target',
      });
    }
  }
}

/** The Cluster's target, opened: the Docker target over one engine or several hosts, or a Swarm. */
export async function openTarget(graph: GraphJson, opts: OpenTargetOptions = {}): Promise<Target> {
  assertTargetAvailable(graph);
  if (graph.target.kind === 'kubernetes') {
    throw new BerthError('internal', 'the kubernetes target is opened from @berth/target-kubernetes (openKubernetesTarget), not by the engine');
  }
  if (graph.target.kind === 'swarm') {
    const { SwarmTarget } = await import('./swarm/target.ts');
    const t = graph.target;
    return new SwarmTarget({ cluster: graph.cluster, manager: t.manager, nodes: t.nodes.map((n) => ({ name: n.name, endpoint: n.endpoint })), ...(opts.proxyDir ? { proxyDir: opts.proxyDir } : {}) });
  }
  const hosts = dockerHostsOf(graph.target);
  const { DockerTarget, hostAddress } = await import('./docker/target.ts');
  const driver =
    hosts.length === 0
      ? await createDockerDriver({ cluster: graph.cluster, ...(opts.proxyDir ? { proxyDir: opts.proxyDir } : {}) })
      : await createDockerClusterDriver(
          graph.cluster,
          hosts.map((h) => ({ name: h.name, endpoint: h.endpoint, address: hostAddress(h), labels: h.labels, ...(h.capacity ? { capacity: h.capacity } : {}) })),
          opts.proxyDir,
        );
  return new DockerTarget(driver);
}

/** The node names a target declares (`berth drain` takes one of them); none for the local engine. */
export function declaredNodes(target: TargetJson): string[] {
  switch (target.kind) {
    case 'docker':
      return target.hosts.map((h) => h.name);
    case 'swarm':
      return target.nodes.map((n) => n.name);
    case 'kubernetes':
      return [];
  }
}

/**
 * What the target does differently from what the program says, for diff and deploy to print
 * (a Swarm volume pins its users to one node; Swarm has no priorities). Pure.
 */
export function targetNotes(graph: GraphJson): string[] {
  return graph.target.kind === 'swarm' ? swarmNotes(graph) : [];
}
