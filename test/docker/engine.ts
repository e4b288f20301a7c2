/**
 * Shared set-up for the suites that run against a real Docker engine. No mocks: when no engine
 * answers, every suite is skipped with the reason printed in its name.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect, removeAllByLabel, tryPing, type DockerClient } from '../../packages/engine/src/targets/docker/index.ts';

export const client: DockerClient = connect();

/** undefined when the engine answers; otherwise why the docker suites are skipped. */
export const unreachable: string | undefined = await tryPing(client);

/** Title suffix that makes a skip visible in the vitest report. */
export const skipReason = unreachable === undefined ? '' : ` (skipped: no Docker engine at ${client.endpoint}: ${unreachable}; run scripts/ensure-docker.sh)`;

export const BUSYBOX = 'berth-test/busybox:1';

/** A cluster name no other test (or other run) uses; everything created is labelled with it. */
export function uniqueCluster(prefix: string): string {
  return `t-${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Builds the registry-free test images when missing (idempotent, ~0.1 s when present), so
 * `npx vitest run test/docker` works on its own after scripts/ensure-docker.sh.
 */
export function ensureTestImages(): void {
  const script = fileURLToPath(new URL('../../scripts/build-test-images.sh', import.meta.url));
  execFileSync(script, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
}

/** Removes the cluster's containers, networks and volumes (and built images). */
export async function cleanup(cluster: string): Promise<void> {
  if (unreachable !== undefined) return;
  await removeAllByLabel(client, cluster, { volumes: true, images: true });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
