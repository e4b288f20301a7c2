/**
 * Replica hashes: a Deployment's containers are labelled with a hash of what runs in one
 * replica, so scaling it or changing how it is rolled keeps the replicas that run, while any
 * change that reaches a container gives a new label (and so a rolling replace).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deployment, ImageBuild, Job, type Cluster } from '@berth/core';
import { plan } from '../../packages/engine/src/plan/index.ts';
import { CHANGE_RULES } from '../../packages/engine/src/plan/rules.ts';
import { REPLICA_EXCLUDES, resolveSpecs } from '../../packages/engine/src/plan/spec-hash.ts';
import { deployed, graphOf, observedFrom } from './plan-builders.ts';

interface Knobs {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  deadline: string;
  spread: 'spread' | 'binpack';
  maxPerNode: number | undefined;
  afterJob: boolean;
  log: string;
  image: 'build' | 'busybox';
  memory: string;
}

const BASE: Knobs = { replicas: 2, maxSurge: 1, maxUnavailable: 0, deadline: '60s', spread: 'spread', maxPerNode: undefined, afterJob: false, log: 'info', image: 'build', memory: '64Mi' };

function program(k: Knobs) {
  return (c: Cluster) => {
    const img = new ImageBuild(c, 'api-image', { context: './api' });
    const job = new Job(c, 'migrate', { image: img, command: ['true'] });
    new Deployment(c, 'api', {
      image: k.image === 'build' ? img : 'busybox:1',
      replicas: k.replicas,
      env: { LOG: k.log },
      resources: { limits: { memory: k.memory } },
      update: { maxSurge: k.maxSurge, maxUnavailable: k.maxUnavailable, progressDeadline: k.deadline },
      placement: { strategy: k.spread, ...(k.maxPerNode !== undefined ? { maxPerNode: k.maxPerNode } : {}) },
      ...(k.afterJob ? { dependsOn: [job] } : {}),
    });
  };
}

const hashes = (k: Knobs): { specHash: string; replicaHash: string } => {
  const g = graphOf(program(k));
  const r = resolveSpecs(g, undefined, undefined).get('api');
  if (!r) throw new Error('api not resolved');
  return { specHash: r.specHash, replicaHash: r.replicaHash };
};

const outsideKnobs = fc.record({
  replicas: fc.integer({ min: 0, max: 9 }),
  maxSurge: fc.integer({ min: 1, max: 3 }),
  maxUnavailable: fc.integer({ min: 0, max: 3 }),
  deadline: fc.constantFrom('30s', '60s', '5m'),
  spread: fc.constantFrom('spread' as const, 'binpack' as const),
  maxPerNode: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  afterJob: fc.boolean(),
});
const insideKnobs = fc.record({ log: fc.constantFrom('info', 'debug', 'warn'), image: fc.constantFrom('build' as const, 'busybox' as const), memory: fc.constantFrom('32Mi', '64Mi', '1Gi') });

describe('replica hash', () => {
  it('leaves out exactly the props the change rules call in place for a Deployment', () => {
    expect([...(REPLICA_EXCLUDES['Deployment'] ?? [])].sort()).toEqual(Object.keys(CHANGE_RULES['Deployment']?.inPlace ?? {}).sort());
  });

  it('is the same for any replicas, rollout strategy, placement and ordering; the spec hash is not', () => {
    fc.assert(
      fc.property(outsideKnobs, outsideKnobs, insideKnobs, (a, b, inside) => {
        const ha = hashes({ ...BASE, ...a, ...inside });
        const hb = hashes({ ...BASE, ...b, ...inside });
        expect(ha.replicaHash).toBe(hb.replicaHash);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(ha.specHash).not.toBe(hb.specHash);
      }),
      { numRuns: 60 },
    );
  });

  it('changes with anything that reaches a container', () => {
    fc.assert(
      fc.property(insideKnobs, insideKnobs, outsideKnobs, (a, b, outside) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        expect(hashes({ ...BASE, ...outside, ...a }).replicaHash).not.toBe(hashes({ ...BASE, ...outside, ...b }).replicaHash);
      }),
      { numRuns: 60 },
    );
  });

  it('is the spec hash for kinds without replicas', () => {
    const g = graphOf(program(BASE));
    for (const r of resolveSpecs(g, undefined, undefined).values()) if (r.id !== 'api') expect(r.replicaHash).toBe(r.specHash);
  });

  it('is recorded in state, and replicas carrying it are no drift after a scale', () => {
    const before = graphOf(program(BASE));
    const s = deployed(before);
    const recorded = s.resources['api'];
    expect(recorded?.replicaHash).toBe(hashes(BASE).replicaHash);
    expect(recorded?.replicaHash).not.toBe(recorded?.specHash);
    const after = graphOf(program({ ...BASE, replicas: 5 }));
    const p = plan({ graph: after, state: s, observed: observedFrom(s) });
    const api = p.changes.find((c) => c.id === 'api');
    expect(api?.action).toBe('update');
    expect(api?.drift ?? []).toEqual([]);
    expect(api?.reasons[0]).toMatch(/^replicas changed 2 → 5: scaled in place/);
  });

  it('from state written before replica hashes: the recorded spec hash is what the replicas carry', () => {
    const g = graphOf(program(BASE));
    const s = deployed(g);
    const legacy = structuredClone(s);
    delete (legacy.resources['api'] as { replicaHash?: string }).replicaHash;
    expect(resolveSpecs(g, undefined, legacy).get('api')?.replicaHash).toBe(s.resources['api']?.specHash);
    // Observed with the old labels: a no-op, no drift.
    const p = plan({ graph: g, state: legacy, observed: observedFrom(legacy) });
    expect(p.changes.find((c) => c.id === 'api')?.action).toBe('noop');
  });

  it('replicas with another label are drift, named by the replica hash', () => {
    const g = graphOf(program(BASE));
    const s = deployed(g);
    const live = observedFrom(s);
    const reps = live.resources['api']?.replicas ?? [];
    const odd = { ...live, resources: { ...live.resources, api: { ...live.resources['api'], kind: 'Deployment' as const, exists: true, replicas: reps.map((r, i) => (i === 1 ? { ...r, specHash: 'f00f00f00f00f00f' } : r)) } } };
    const api = plan({ graph: g, state: s, observed: odd }).changes.find((c) => c.id === 'api');
    expect(api?.action).toBe('repair');
    expect(api?.drift).toEqual([{ what: 'replica 1', expected: `spec ${s.resources['api']?.replicaHash?.slice(0, 12)}`, observed: 'spec f00f00f00f00 on local' }]);
  });
});
