import type { Driver } from './driver.ts';
import type { DockerDriverOptions } from './docker/driver.ts';

/** The Docker driver, loaded on first use: dockerode is only required when an engine is needed. */
export async function createDockerDriver(opts: DockerDriverOptions): Promise<Driver> {
  const { DockerDriver } = await import('./docker/driver.ts');
  return new DockerDriver(opts);
}

export type { DockerDriverOptions };
