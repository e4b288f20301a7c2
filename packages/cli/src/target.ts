/**
 * From a graph's target to a driver. Drivers load lazily: dockerode (and its native add-ons)
 * is only required by commands that talk to an engine.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphJson } from '@berth/core';
import { createDockerDriver, type Driver } from '@berth/engine';

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

export async function driverFor(graph: GraphJson): Promise<Driver> {
  const host = graph.target.hosts[0];
  const dir = proxyDir();
  return createDockerDriver({
    cluster: graph.cluster,
    ...(host ? { endpoint: host.endpoint, node: host.name } : {}),
    ...(dir ? { proxyDir: dir } : {}),
  });
}
