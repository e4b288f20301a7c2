/**
 * Removing a network whose containers are going away: the engine refuses with "has active
 * endpoints" until it has released them, which after a destroy of many containers under load
 * can come a moment after the containers are reported gone. removeNetwork with settleMs waits
 * that out; without it, or past it, the refusal is reported with what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError } from '../../packages/core/src/errors.ts';
import { ensureNetwork, listNetworks, removeContainer, removeNetwork, runContainer, type ContainerSpec } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, sleep, uniqueCluster, unreachable } from './engine.ts';

describe.skipIf(unreachable !== undefined)(`networks on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('net');
  const spec = (network: string, resource: string): ContainerSpec => ({
    cluster,
    resource,
    ordinal: 0,
    specHash: 'spec1',
    release: 'rel1',
    image: BUSYBOX,
    command: ['sleep', '600'],
    network: { name: network },
    stopTimeoutSec: 1,
  });

  beforeAll(() => ensureTestImages());
  afterAll(() => cleanup(cluster));

  it('with settleMs, waits until the last container attached to it is gone', { timeout: 60_000 }, async () => {
    const name = `${cluster}-a`;
    await ensureNetwork(client, name, { 'berth.cluster': cluster });
    const c = await runContainer(client, spec(name, 'a'));
    const removing = removeNetwork(client, name, { settleMs: 30_000 });
    await sleep(1000);
    await removeContainer(client, c.id, { force: true });
    await removing;
    expect((await listNetworks(client, { 'berth.cluster': cluster })).map((n) => n.name)).not.toContain(name);
  });

  it('without settleMs, or past it, says the network still has endpoints and what to do', { timeout: 60_000 }, async () => {
    const name = `${cluster}-b`;
    await ensureNetwork(client, name, { 'berth.cluster': cluster });
    const c = await runContainer(client, spec(name, 'b'));
    const now = await removeNetwork(client, name).catch((e: unknown) => e);
    expect(DriverError.is(now)).toBe(true);
    expect((now as DriverError).message).toMatch(/has active endpoints/);
    expect((now as DriverError).hint).toBe('remove the containers attached to it first');
    const t0 = Date.now();
    const later = await removeNetwork(client, name, { settleMs: 1500 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect((later as DriverError).hint).toMatch(/still counts endpoints on it 2s after its containers were removed/);
    await removeContainer(client, c.id, { force: true });
    await removeNetwork(client, name, { settleMs: 10_000 });
  });
});
