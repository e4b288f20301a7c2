/**
 * berth-proxy on a Docker host: building its image and (re)configuring a running proxy.
 *
 * The proxy (proxy/proxy.mjs) is configured through `docker exec <proxy> node /proxy/proxy.mjs ctl
 * put '<json>'`, which talks to the proxy's admin unix socket inside the container. Why exec:
 * - it works over every transport the driver supports (local socket, tcp+TLS, ssh) with no port
 *   to publish, firewall or reach — a host cannot reach a container's cluster-network IP on
 *   Docker Desktop or a remote engine, and a unix socket in a volume is only reachable locally;
 * - nothing on any network can reconfigure the proxy (the admin socket is not on the network);
 * - the proxy validates the config and the exec's exit code reports it synchronously.
 * The initial config is passed in the environment, so the proxy forwards from its first second.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriverError } from '@berth/core';
import type { DockerClient } from './connect.ts';
import type { ContainerSpec } from './containers.ts';
import { execInContainer } from './exec.ts';
import { buildTaggedImage, tryImageId, type BuiltImage } from './images.ts';
import { LABEL_COMPONENT } from './labels.ts';
import { ensureNodeBaseImage, NODE_BASE_IMAGE } from './node-base.ts';

export { NODE_BASE_IMAGE };

/**
 * @berth/engine's `proxy/` (packages/engine/proxy, shipped in the package): the nearest ancestor
 * of this module holding proxy/proxy.mjs. Searched rather than fixed, because this module runs
 * from packages/engine/src/targets/docker, from the engine's dist/, and bundled into the CLI's
 * dist/berth.cjs (whose build copies the proxy to dist/proxy), at different depths.
 */
export const DEFAULT_PROXY_DIR = findProxyDir(path.dirname(fileURLToPath(import.meta.url)));

function findProxyDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proxy');
    if (fs.existsSync(path.join(candidate, 'proxy.mjs')) && fs.existsSync(path.join(candidate, 'Dockerfile'))) return candidate;
    if (path.dirname(dir) === dir) return fileURLToPath(new URL('../../../proxy/', import.meta.url));
  }
}

/** What the proxy forwards: per listening port (inside the container), the ready backends. */
export interface ProxyConfig {
  readonly listeners: ReadonlyArray<{ readonly port: number; readonly backends: readonly string[] }>;
}

export interface ProxyStats {
  readonly generation: number;
  /** `errors`: answers that began with a 5xx status line (absent from a proxy older than the count). */
  readonly backends: Readonly<Record<string, { readonly active: number; readonly total: number; readonly failures: number; readonly errors?: number }>>;
}

/** `berth/proxy:<16 hex of sha256(proxy.mjs, Dockerfile)>`: a changed proxy source gets a new tag. */
export function proxyImageTag(proxyDir: string = DEFAULT_PROXY_DIR): string {
  const h = createHash('sha256');
  for (const f of ['proxy.mjs', 'Dockerfile']) {
    h.update(`${f}\0`).update(fs.readFileSync(path.join(proxyDir, f))).update('\0');
  }
  return `berth/proxy:${h.digest('hex').slice(0, 16)}`;
}

/**
 * Builds the proxy image on `client` unless its content-hash tag is there. It is FROM
 * berth/node-base:1; when that is missing it is built from the host's node first
 * (`ensureNodeBaseImage`, ~2-6 s once), unless `buildBase: false`.
 */
export async function buildProxyImage(
  client: DockerClient,
  opts: { proxyDir?: string; onProgress?: (line: string) => void; signal?: AbortSignal; buildBase?: boolean } = {},
): Promise<BuiltImage> {
  const proxyDir = opts.proxyDir ?? DEFAULT_PROXY_DIR;
  let tag: string;
  try {
    tag = proxyImageTag(proxyDir);
  } catch (err) {
    throw new DriverError('driver.build-failed', `docker: cannot read the berth proxy sources in ${proxyDir}`, { driver: 'docker', cause: err, resourceId: 'berth-proxy' });
  }
  if ((await tryImageId(client, tag)) === undefined && (await tryImageId(client, NODE_BASE_IMAGE)) === undefined) {
    if (opts.buildBase === false) {
      throw new DriverError('driver.build-failed', `docker: the proxy image needs ${NODE_BASE_IMAGE} on ${client.endpoint}, and it is missing`, {
        driver: 'docker',
        resourceId: 'berth-proxy',
        hint: 'run scripts/build-test-images.sh (it builds the node base image from the host node binary), or transfer it with transferImages',
      });
    }
    await ensureNodeBaseImage(client, opts.signal ? { signal: opts.signal } : {});
  }
  return buildTaggedImage(client, {
    tag,
    resourceId: 'berth-proxy',
    context: proxyDir,
    labels: { [LABEL_COMPONENT]: 'proxy' },
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export interface ProxyContainerOptions {
  readonly cluster: string;
  /** The Service the proxy fronts (its graph id). */
  readonly resource: string;
  readonly release: string;
  readonly specHash: string;
  /** From `buildProxyImage`. */
  readonly image: string;
  /** The cluster network: backends are reached by their names/aliases on it. */
  readonly network: string;
  /** One per published port: `port` inside the proxy, `hostPort` on the host (0 = ephemeral). */
  readonly ports: ReadonlyArray<{ readonly port: number; readonly hostPort: number; readonly hostIp?: string }>;
  /** Backends from the first second (the config is also pushed later with `configureProxy`). */
  readonly initial: ProxyConfig;
  /** @default 0 */
  readonly ordinal?: number;
}

/** The container spec of a proxy for one Service. The caller runs it with `runContainer`. */
export function proxyContainerSpec(o: ProxyContainerOptions): ContainerSpec {
  return {
    cluster: o.cluster,
    resource: o.resource,
    ordinal: o.ordinal ?? 0,
    suffix: 'proxy',
    specHash: o.specHash,
    release: o.release,
    image: o.image,
    env: { BERTH_PROXY_CONFIG: JSON.stringify(o.initial) },
    ports: o.ports.map((p) => ({ container: p.port, host: p.hostPort, ...(p.hostIp !== undefined ? { hostIp: p.hostIp } : {}) })),
    network: { name: o.network },
    labels: { [LABEL_COMPONENT]: 'proxy' },
    // Ready once the initial config is applied and listening (the proxy writes this file then);
    // a file test costs nothing, unlike a node client started every second.
    healthcheck: { test: ['CMD', '/bin/busybox', 'test', '-f', '/run/berth-proxy/ready'], intervalMs: 1000, timeoutMs: 3000, retries: 3, startPeriodMs: 0 },
    restart: { policy: 'unless-stopped' },
    stopTimeoutSec: 10,
  };
}

/**
 * Replaces the proxy's config (all listeners). New connections use the new backends at once;
 * established ones stay on their backend until they close. Throws `driver.failed` with the
 * proxy's validation message if it refused the config. Returns the config generation.
 */
export async function configureProxy(client: DockerClient, containerId: string, config: ProxyConfig, signal?: AbortSignal): Promise<{ generation: number }> {
  const res = await execInContainer(client, containerId, ['/usr/bin/node', '/proxy/proxy.mjs', 'ctl', 'put', JSON.stringify(config)], signal ? { signal } : {});
  if (res.exitCode !== 0) {
    throw new DriverError('driver.failed', `docker: proxy ${containerId} refused its config: ${proxyErrorText(res.stderr || res.stdout)}`, { driver: 'docker', resourceId: containerId });
  }
  try {
    const parsed = JSON.parse(res.stdout) as { generation: number };
    return { generation: parsed.generation };
  } catch (err) {
    throw new DriverError('driver.failed', `docker: proxy ${containerId} answered with non-JSON: ${res.stdout.slice(0, 200)}`, { driver: 'docker', resourceId: containerId, cause: err });
  }
}

/** The proxy answers errors as `{"error": "..."}`; show the message, not the JSON. */
function proxyErrorText(out: string): string {
  try {
    const parsed = JSON.parse(out) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: e.g. node's own error when the admin socket is not up yet
  }
  return out.trim();
}

/** Connections per backend, as the proxy counts them. */
export async function proxyStats(client: DockerClient, containerId: string, signal?: AbortSignal): Promise<ProxyStats> {
  const res = await execInContainer(client, containerId, ['/usr/bin/node', '/proxy/proxy.mjs', 'ctl', 'stats'], signal ? { signal } : {});
  if (res.exitCode !== 0) {
    throw new DriverError('driver.failed', `docker: proxy ${containerId} stats failed: ${proxyErrorText(res.stderr || res.stdout)}`, { driver: 'docker', resourceId: containerId });
  }
  try {
    return JSON.parse(res.stdout) as ProxyStats;
  } catch (err) {
    throw new DriverError('driver.failed', `docker: proxy ${containerId} answered with non-JSON stats`, { driver: 'docker', resourceId: containerId, cause: err });
  }
}

/**
 * Waits until no connection is open to any of `backends` (call it after removing them from the
 * config, before stopping them, so in-flight requests finish). Resolves `false` on timeout.
 */
export async function waitForProxyDrain(client: DockerClient, containerId: string, backends: readonly string[], opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const stats = await proxyStats(client, containerId, opts.signal);
    const active = backends.reduce((n, b) => n + (stats.backends[b]?.active ?? 0), 0);
    if (active === 0) return true;
    if (Date.now() >= deadline || opts.signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}
