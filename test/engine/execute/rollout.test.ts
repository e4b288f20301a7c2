/**
 * rollout() on the in-memory driver, checked at every change the runtime sees: never more
 * running containers than max(before, after) + maxSurge, never fewer serving than
 * min(before, after) − maxUnavailable, never a stopped container behind the Service; at the
 * end exactly `after` ready replicas of the new spec. A failed rollout puts the old set back.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Replica, RunSpec } from '../../../packages/engine/src/targets/driver.ts';
import { rollout, RolloutFailed, type RolloutInput } from '../../../packages/engine/src/execute/rollout.ts';
import { MemoryDriver } from '../../../packages/engine/src/targets/memory/index.ts';

const drivers: MemoryDriver[] = [];
afterEach(() => {
  for (const d of drivers.splice(0)) d.dispose();
});

function spec(ordinal: number, specHash: string): RunSpec {
  return {
    resourceId: 'web',
    kind: 'Deployment',
    ordinal,
    specHash,
    release: 'r1',
    image: 'sha256:web',
    env: {},
    ports: [{ containerPort: 8080, protocol: 'tcp' }],
    health: { type: 'http', path: '/', port: 8080, interval: 1000, timeout: 1000, retries: 3, startPeriod: 0 },
    mounts: [],
    files: [],
    restart: 'always',
  };
}

/** A runtime with `before` ready replicas of spec "old" behind Service "web-svc". */
async function runtime(before: number): Promise<{ driver: MemoryDriver; old: Replica[] }> {
  const driver = new MemoryDriver({ cluster: 't', readyAfterMs: 1 });
  drivers.push(driver);
  const old: Replica[] = [];
  for (let o = 0; o < before; o++) {
    const r = await driver.startReplica(spec(o, 'old'));
    expect((await driver.waitReady(r, 1000)).ready).toBe(true);
    old.push(r);
  }
  await driver.ensureService({ resourceId: 'web-svc', name: 'web', specHash: 's', release: 'r1', ports: [{ port: 80, targetPort: 8080 }] }, await driver.listReplicas('web'));
  return { driver, old };
}

function input(driver: MemoryDriver, o: { replicas: number; specHash: string; maxSurge: number; maxUnavailable: number }): RolloutInput {
  return {
    driver,
    id: 'web',
    replicas: o.replicas,
    specHash: o.specHash,
    maxSurge: o.maxSurge,
    maxUnavailable: o.maxUnavailable,
    progressDeadlineMs: 2000,
    services: [{ id: 'web-svc', targetPorts: [8080] }],
    spec: (ord) => spec(ord, o.specHash),
    progress: () => undefined,
    signal: new AbortController().signal,
  };
}

interface Watch {
  maxRunning: number;
  minServing: number;
  /** Backends that pointed at a container not running, when they did. */
  badBackends: string[];
}

/** Checks the runtime after every change: running count, serving count, backends only on running containers. */
function watch(driver: MemoryDriver): Watch {
  const w: Watch = { maxRunning: 0, minServing: Infinity, badBackends: [] };
  driver.onChange = (what, d) => {
    const cs = d.of('web');
    w.maxRunning = Math.max(w.maxRunning, cs.filter((c) => c.state === 'running').length);
    const proxy = d.of('web-svc')[0];
    const backends = proxy?.backends ?? [];
    w.minServing = Math.min(w.minServing, backends.length);
    // A backend address belongs to a container; it must be running and not unhealthy.
    const live = new Set(
      cs.filter((c) => c.state === 'running').map((c) => {
        const n = Number.parseInt(c.id.slice(1), 10);
        return `10.0.${(n >> 8) & 255}.${n & 255}:8080`;
      }),
    );
    for (const b of backends) if (!live.has(b)) w.badBackends.push(`${what}: ${b}`);
  };
  return w;
}

const strategy = fc
  .record({ before: fc.nat(4), after: fc.integer({ min: 1, max: 5 }), maxSurge: fc.nat(3), maxUnavailable: fc.nat(3), change: fc.boolean() })
  .filter((s) => s.maxSurge + s.maxUnavailable > 0);

describe('rollout: the bounds hold at every step', () => {
  it('running ≤ max(before, after) + maxSurge; serving ≥ min(before, after) − maxUnavailable; no stopped backend; ends on exactly `after` new replicas', async () => {
    await fc.assert(
      fc.asyncProperty(strategy, async (s) => {
        const { driver } = await runtime(s.before);
        const w = watch(driver);
        const specHash = s.change ? 'new' : 'old';
        const current = await rollout(input(driver, { replicas: s.after, specHash, maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable }));
        expect(w.maxRunning).toBeLessThanOrEqual(Math.max(s.before, s.after) + s.maxSurge);
        if (s.before > 0) expect(w.minServing).toBeGreaterThanOrEqual(Math.min(s.before, s.after) - s.maxUnavailable);
        expect(w.badBackends).toEqual([]);
        const cs = driver.of('web');
        expect(cs.map((c) => c.ordinal).sort()).toEqual([...Array(s.after).keys()]);
        expect(cs.every((c) => c.state === 'running' && c.health === 'healthy' && c.specHash === specHash)).toBe(true);
        expect(current.map((r) => r.containerId).sort()).toEqual(cs.map((c) => c.id).sort());
        expect(driver.of('web-svc')[0]?.backends).toHaveLength(s.after);
      }),
      { numRuns: 80 },
    );
  });

  it('only scaling keeps every ready replica of the same spec (no restart)', async () => {
    const { driver, old } = await runtime(3);
    await rollout(input(driver, { replicas: 5, specHash: 'old', maxSurge: 1, maxUnavailable: 0 }));
    const ids = driver.of('web').map((c) => c.id);
    for (const r of old) expect(ids).toContain(r.containerId);
    expect(ids).toHaveLength(5);
  });
});

describe('rollout: a failure rolls back to the old set', () => {
  it('whichever new replica fails (start or readiness), the old containers serve again and no new one is left', async () => {
    await fc.assert(
      fc.asyncProperty(
        strategy.filter((s) => s.before > 0),
        fc.constantFrom('start' as const, 'ready' as const),
        fc.nat(4),
        async (s, on, skip) => {
          const { driver, old } = await runtime(s.before);
          const w = watch(driver);
          // The `skip+1`-th new replica fails (when the rollout starts that many).
          driver.fail({ on, specHash: 'new', skip: Math.min(skip, s.after - 1), reason: 'boom' });
          const e = await rollout(input(driver, { replicas: s.after, specHash: 'new', maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable })).then(
            () => undefined,
            (x: unknown) => x,
          );
          expect(e).toBeInstanceOf(RolloutFailed);
          expect((e as RolloutFailed).rolledBack).toBe(true);
          expect((e as RolloutFailed).message).toMatch(/boom/);
          const cs = driver.of('web');
          expect(cs.filter((c) => c.specHash === 'new')).toEqual([]);
          expect(cs.filter((c) => c.state === 'running').map((c) => c.id).sort()).toEqual(old.map((r) => r.containerId).sort());
          expect(driver.of('web-svc')[0]?.backends).toHaveLength(s.before);
          expect(w.maxRunning).toBeLessThanOrEqual(Math.max(s.before, s.after) + s.maxSurge);
          expect(w.badBackends).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('on a first deploy there is nothing to roll back to, and it says so', async () => {
    const { driver } = await runtime(0);
    driver.fail({ on: 'ready', specHash: 'new' });
    const e = await rollout(input(driver, { replicas: 2, specHash: 'new', maxSurge: 1, maxUnavailable: 0 })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RolloutFailed);
    expect((e as RolloutFailed).rolledBack).toBe(false);
    expect(driver.of('web')).toEqual([]);
  });
});
