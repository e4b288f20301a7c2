import type { Driver } from './driver.ts';
import type { DockerDriverOptions } from './docker/driver.ts';
import type { DockerNode } from './docker/cluster-driver.ts';

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
