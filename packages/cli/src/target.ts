/**
 * From a graph's target to a driver. Drivers load lazily: dockerode (and its native add-ons)
 * is only required by commands that talk to an engine.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphJson } from '@berth/core';
import { createDockerClusterDriver, createDockerDriver, type Driver } from '@berth/engine';

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

/** The address other nodes and clients reach a host at, when the program does not say. */
export function defaultAddress(endpoint: string): string {
  const m = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(endpoint);
  return m?.[1] ?? '127.0.0.1';
}

export async function driverFor(graph: GraphJson): Promise<Driver> {
  const dir = proxyDir();
  const hosts = graph.target.hosts;
  if (hosts.length === 0) {
    return createDockerDriver({ cluster: graph.cluster, ...(dir ? { proxyDir: dir } : {}) });
  }
  return createDockerClusterDriver(
    graph.cluster,
    hosts.map((h) => ({
      name: h.name,
      endpoint: h.endpoint,
      address: h.address ?? defaultAddress(h.endpoint),
      labels: h.labels,
      ...(h.capacity ? { capacity: h.capacity } : {}),
    })),
    dir,
  );
}
