/** Canary decisions (plan/canary.ts): how many canaries, and watch / promote / hold / abort. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canaryCount, decideCanary } from '../../packages/engine/src/plan/canary.ts';
import { Deployment, Image } from '@berth/core';
import { DeploymentProps } from '../../packages/core/src/kinds/deployment.ts';
import { plan } from '../../packages/engine/src/plan/index.ts';
import { deployed, graphOf } from './plan-builders.ts';

describe('canaryCount', () => {
  it.each([
    [10, 1, 1],
    [10, 3, 3],
    [2, 5, 2],
    [10, '10%', 1],
    [25, '10%', 3],
    [3, '50%', 2],
    [3, '1%', 1],
    [4, '100%', 4],
    [0, 1, 0],
  ] as const)('%i replicas, canary %s → %i', (replicas, spec, want) => {
    expect(canaryCount(replicas, { replicas: spec })).toBe(want);
  });

  it('property: between 1 and the replicas whenever there are replicas', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 100 }).map((p) => `${p}%`)), (n, spec) => {
        const c = canaryCount(n, { replicas: spec });
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c).toBeLessThanOrEqual(n);
      }),
    );
  });
});

describe('decideCanary', () => {
  const auto = { pause: 30_000, promote: 'auto' as const, maxErrors: 0 };
  it('watches during the pause, then promotes (auto) or holds (manual)', () => {
    expect(decideCanary(auto, { elapsedMs: 1000, errors: 0 })).toEqual({ decision: 'watch' });
    expect(decideCanary(auto, { elapsedMs: 30_000, errors: 0 })).toEqual({ decision: 'promote' });
    expect(decideCanary({ ...auto, promote: 'manual' }, { elapsedMs: 30_001, errors: 0 })).toEqual({ decision: 'hold' });
  });
  it('aborts at once on a canary that is not ready, or on more errors than allowed', () => {
    expect(decideCanary(auto, { elapsedMs: 10, errors: 0, notReady: 'canary replica 0 is exited' })).toEqual({ decision: 'abort', reason: 'canary replica 0 is exited' });
    expect(decideCanary(auto, { elapsedMs: 10, errors: 1 })).toEqual({ decision: 'abort', reason: '1 failed request to the canary (5xx answers or failed connections; at most 0 allowed)' });
    expect(decideCanary({ ...auto, maxErrors: 2 }, { elapsedMs: 10, errors: 2 })).toEqual({ decision: 'watch' });
    // Even after the pause an error aborts rather than promotes.
    expect(decideCanary(auto, { elapsedMs: 60_000, errors: 3 }).decision).toBe('abort');
  });
});

describe('update.canary props', () => {
  const base = { image: 'x', replicas: 4 };
  it('fills defaults: 1 replica, 30 s, auto, 0 errors', () => {
    const parsed = DeploymentProps.safeParse({ ...base, update: { canary: {} } });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.update.canary).toMatchObject({ replicas: 1, promote: 'auto', maxErrors: 0 });
  });
  it.each([
    [{ replicas: 0 }, 'replicas'],
    [{ replicas: '0%' }, 'replicas'],
    [{ replicas: '150%' }, 'replicas'],
    [{ promote: 'sometimes' }, 'promote'],
    [{ maxErrors: -1 }, 'maxErrors'],
    [{ pause: 'soon' }, 'pause'],
    [{ extra: 1 }, ''],
  ])('refuses %j', (canary, key) => {
    const parsed = DeploymentProps.safeParse({ ...base, update: { canary } });
    expect(parsed.success).toBe(false);
    if (key) expect(parsed.error?.issues.some((i) => i.path.includes(key))).toBe(true);
  });
});

describe('the plan says how a canary update goes', () => {
  const site = (v: string, canary?: { promote: 'auto' | 'manual' }) =>
    graphOf((c) => {
      const img = new Image(c, 'img', { name: 'busybox:1' });
      new Deployment(c, 'site', { image: img, replicas: 10, env: { V: v }, ...(canary ? { update: { canary: { replicas: '10%', pause: '30s', promote: canary.promote } } } : {}) });
    });
  it('a replace of a Deployment with a canary carries the canary in its reasons; without one, nothing', () => {
    const before = deployed(site('v1', { promote: 'manual' }));
    const change = plan({ graph: site('v2', { promote: 'manual' }), state: before }).changes.find((c) => c.id === 'site');
    expect(change?.action).toBe('replace');
    expect(change?.reasons.at(-1)).toBe('canary first: 1 replica of the new spec beside the old for 30s, then held for berth promote / berth abort');
    const plain = plan({ graph: site('v2'), state: deployed(site('v1')) }).changes.find((c) => c.id === 'site');
    expect(plain?.reasons.some((x) => x.startsWith('canary'))).toBe(false);
  });
});
