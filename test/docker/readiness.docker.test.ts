/**
 * The docker driver's readiness gate on a real engine: replicas are seen ready from the engine's
 * events, and every way of not becoming ready (a process that dies after starting, a failing
 * health check, a container removed while waited on) ends the wait at once with its reason,
 * instead of at the progress deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSpec } from '../../packages/engine/src/targets/driver.ts';
import { DockerDriver } from '../../packages/engine/src/targets/docker/driver.ts';
import { removeContainer, tryImageId } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, uniqueCluster, unreachable } from './engine.ts';

const DEADLINE = 90_000;
// A generous probe timeout: the engine's exec is slow when the machine is busy.
const probe = (path: string): NonNullable<RunSpec['health']> => ({ type: 'http', path, port: 8080, interval: 1000, timeout: 5000, retries: 2, startPeriod: 0 });

describe.skipIf(unreachable !== undefined)(`docker driver readiness on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('ready');
  const driver = new DockerDriver({ cluster });
  let image = '';
  const spec = (resourceId: string, ordinal: number, extra: Partial<RunSpec> = {}): RunSpec => ({
    resourceId,
    kind: 'Deployment',
    ordinal,
    specHash: 'spec1',
    release: 'r1',
    image,
    env: {},
    ports: [{ containerPort: 8080, protocol: 'tcp' }],
    health: probe('/'),
    mounts: [],
    files: [],
    restart: 'no',
    ...extra,
  });

  beforeAll(async () => {
    ensureTestImages();
    image = (await tryImageId(client, BUSYBOX)) ?? '';
    await driver.prepare();
  });
  afterAll(async () => {
    await driver.close();
    await cleanup(cluster);
  });

  it('sees replicas started together turn ready, each once the engine calls it healthy', { timeout: 120_000 }, async () => {
    const started = await Promise.all([0, 1, 2, 3].map((o) => driver.startReplica(spec('web', o))));
    const results = await Promise.all(started.map((r) => driver.waitReady(r, DEADLINE)));
    expect(results.map((r) => r.ready)).toEqual([true, true, true, true]);
    // Ready means healthy as the engine sees it, right now.
    const listed = await driver.listReplicas('web');
    expect(listed.map((r) => [r.ordinal, r.state, r.health])).toEqual([0, 1, 2, 3].map((o) => [o, 'running', 'healthy']));
    // Addresses only when asked for.
    expect(listed.every((r) => r.address !== undefined)).toBe(true);
    expect((await driver.listReplicas('web', { addresses: false })).some((r) => r.address !== undefined)).toBe(false);
  });

  it('a process that dies after it started ends the wait at once, with its exit code', { timeout: 120_000 }, async () => {
    const r = await driver.startReplica(spec('crash', 0, { command: ['sh', '-c', 'sleep 2; echo going down; exit 3'] }));
    const t0 = Date.now();
    const res = await driver.waitReady(r, DEADLINE);
    expect(res).toMatchObject({ ready: false, reason: 'exited with code 3' });
    expect(res.ready ? [] : res.detail).toContain('stdout | going down');
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a failing health check ends the wait with the probe output', { timeout: 120_000 }, async () => {
    const r = await driver.startReplica(spec('sick', 0, { health: probe('/no-such-page') }));
    const t0 = Date.now();
    const res = await driver.waitReady(r, DEADLINE);
    expect(res.ready).toBe(false);
    expect(res.ready ? '' : res.reason).toMatch(/^health check failed 2 times/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a replica removed while it is waited on ends the wait', { timeout: 120_000 }, async () => {
    // Nothing answers the probe, and failures in the start period do not count: it stays starting.
    const r = await driver.startReplica(spec('gone', 0, { health: { ...probe('/'), startPeriod: 600_000 }, command: ['sleep', '600'] }));
    const waiting = driver.waitReady(r, DEADLINE);
    await removeContainer(client, r.containerId, { force: true });
    const t0 = Date.now();
    const res = await waiting;
    // Depending on when the engine is asked: killed (137) or already being removed.
    expect(res.ready ? '' : res.reason).toMatch(/^(the container disappeared while starting|exited with code 137)$/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('an aborted wait returns promptly', { timeout: 60_000 }, async () => {
    const r = await driver.startReplica(spec('slow', 0, { health: { ...probe('/'), startPeriod: 600_000 }, command: ['sleep', '600'] }));
    const ac = new AbortController();
    const waiting = driver.waitReady(r, DEADLINE, ac.signal).catch((e: unknown) => e);
    setTimeout(() => ac.abort(new Error('stop')), 300);
    const t0 = Date.now();
    await waiting;
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
