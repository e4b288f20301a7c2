/**
 * The plan holds everything decided: given the nodes and the drain set, plan() places every
 * replica, and replicas that must move become changes with their reasons. Pure: no engine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deployment, Image, type GraphJson } from '@berth/core';
import { checkPlanBasis, plan, type Observed, type PlanInput, type PlanNodeFacts } from '../../packages/engine/src/plan/index.ts';
import type { State } from '../../packages/engine/src/state/index.ts';
import { deployed, graphOf } from './plan-builders.ts';

function site(replicas: number, env = 'a'): GraphJson {
  return graphOf((c) => {
    const image = new Image(c, 'img', { name: 'busybox:1' });
    new Deployment(c, 'site', { image, replicas, env: { E: env }, resources: { requests: { cpu: '50m', memory: '8Mi' } }, placement: { strategy: 'spread' } });
  });
}

const node = (name: string, reachable = true, extra: Partial<PlanNodeFacts> = {}): PlanNodeFacts => ({
  name,
  labels: {},
  capacity: { cpu: 2000, memory: 128 * 2 ** 20 },
  reachable,
  volumes: [],
  ...(reachable ? {} : { error: 'connect ECONNREFUSED' }),
  ...extra,
});

/**
 * `g` deployed with replica o on `on[o]`: state records the placements (as the executor does),
 * the observation sees the replicas of reachable nodes only.
 */
function deployedOn(g: GraphJson, on: readonly string[], down: ReadonlySet<string> = new Set()): { state: State; observed: Observed } {
  const s = deployed(g);
  const r = s.resources['site'];
  if (!r) throw new Error('site not deployed');
  const state: State = { ...s, resources: { ...s.resources, site: { ...r, placements: on.map((n, ordinal) => ({ ordinal, node: n })) } } };
  const observed: Observed = {
    cluster: g.cluster,
    kinds: ['Deployment'],
    resources: {
      site: {
        kind: 'Deployment',
        exists: true,
        replicas: on.flatMap((n, ordinal) => (down.has(n) ? [] : [{ ordinal, node: n, containerId: `c${ordinal}`, specHash: r.replicaHash ?? r.specHash, state: 'running' as const, health: 'healthy' as const }])),
      },
    },
  };
  return { state, observed };
}

const siteChange = (p: ReturnType<typeof plan>) => p.changes.find((c) => c.id === 'site');

describe('plan() with nodes', () => {
  const g = site(4);
  const nodes = [node('n1'), node('n2'), node('n3')];

  it('keeps running replicas where they are: a no-op, with the placement in the plan', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n1']);
    const p = plan({ graph: g, state, observed, nodes });
    expect(siteChange(p)?.action).toBe('noop');
    expect(p.placement?.replicas).toEqual({ site: ['n1', 'n2', 'n3', 'n1'] });
    expect(p.placement?.moves).toEqual([]);
    expect(p.placement?.incomplete).toBe(false);
    expect(p.placement?.nodes.map((n) => [n.name, n.reachable, n.draining])).toEqual([
      ['n1', true, false],
      ['n2', true, false],
      ['n3', true, false],
    ]);
  });

  it('turns replicas leaving a drained node into an update of their Deployment, saying why', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n3']);
    const p = plan({ graph: g, state, observed, nodes, drained: ['n3'] });
    const c = siteChange(p);
    expect(c?.action).toBe('update');
    expect(c?.propertyChanges).toEqual([]);
    expect(c?.reasons).toHaveLength(2);
    for (const [i, o] of [2, 3].entries()) expect(c?.reasons[i]).toMatch(new RegExp(`^replica #${o} moves n3 → n[12] because node n3 is draining$`));
    expect(p.summary.update).toBe(1);
    expect(p.placement?.replicas['site']?.filter((n) => n === 'n3')).toEqual([]);
    expect(p.placement?.moves.map((m) => [m.ordinal, m.from, m.code])).toEqual([
      [2, 'n3', 'schedule.draining'],
      [3, 'n3', 'schedule.draining'],
    ]);
    expect(p.placement?.nodes.find((n) => n.name === 'n3')?.draining).toBe(true);
  });

  it('reads the drain set from state when none is given', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n3']);
    const given = plan({ graph: g, state, observed, nodes, drained: ['n3'] });
    const recorded = plan({ graph: g, state: { ...state, drained: ['n3'] }, observed, nodes });
    expect(recorded.changes).toEqual(given.changes);
    expect(recorded.placement).toEqual(given.placement);
  });

  it('moves the replicas state puts on a node that does not answer, because it is unreachable', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n2'], new Set(['n2']));
    const p = plan({ graph: g, state, observed, nodes: [node('n1'), node('n2', false), node('n3')] });
    const c = siteChange(p);
    // The replicas on n2 are not observed: drift says they are missing, the placement where they go.
    expect(c?.action).toBe('repair');
    expect(c?.reasons.filter((r) => /^replica #[13] moves n2 → n[13] because node n2 is unreachable$/.test(r))).toHaveLength(2);
    expect(p.placement?.nodes.find((n) => n.name === 'n2')).toEqual({ name: 'n2', reachable: false, draining: false, error: 'connect ECONNREFUSED' });
  });

  it('adds the moves to a Deployment that changes anyway', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n3']);
    const p = plan({ graph: site(4, 'b'), state, observed, nodes, drained: ['n3'] });
    const c = siteChange(p);
    expect(c?.action).toBe('replace');
    expect(c?.reasons[0]).toMatch(/^env changed: rolling replace/);
    expect(c?.reasons.filter((r) => r.endsWith('because node n3 is draining'))).toHaveLength(2);
  });

  it('a node that came back: the replica it kept is removed by the rollout of its Deployment', () => {
    const { state } = deployedOn(g, ['n1', 'n2', 'n3', 'n1']);
    const r = state.resources['site'];
    const hash = r?.replicaHash ?? r?.specHash ?? '';
    // #1 was moved to n3 while n2 was down; n2 is back with its old (exited) #1.
    const observed: Observed = {
      cluster: 'shop',
      kinds: ['Deployment'],
      resources: {
        site: {
          kind: 'Deployment',
          exists: true,
          replicas: [
            { ordinal: 0, node: 'n1', containerId: 'a', specHash: hash, state: 'running', health: 'healthy' },
            { ordinal: 1, node: 'n3', containerId: 'b', specHash: hash, state: 'running', health: 'healthy' },
            { ordinal: 1, node: 'n2', containerId: 'old', specHash: hash, state: 'exited', health: 'none' },
            { ordinal: 2, node: 'n3', containerId: 'c', specHash: hash, state: 'running', health: 'healthy' },
            { ordinal: 3, node: 'n1', containerId: 'd', specHash: hash, state: 'running', health: 'healthy' },
          ],
        },
      },
    };
    const p = plan({ graph: g, state, observed, nodes });
    expect(p.placement?.leftovers).toEqual([{ groupId: 'site', ordinal: 1, node: 'n2', state: 'exited', placedOn: 'n3' }]);
    // The exited replica is also drift (a repair); the placement says what becomes of it.
    expect(siteChange(p)?.action).toBe('repair');
    expect(siteChange(p)?.reasons.at(-1)).toBe('replica #1 left on n2 (exited) is removed: #1 is placed on n3');
  });

  it('has no placement without nodes (not observed), and the same changes as before', () => {
    const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3', 'n3']);
    const p = plan({ graph: g, state, observed, drained: ['n3'] });
    expect(p.placement).toBeUndefined();
    expect(p.basis.nodesHash).toBeNull();
    expect(siteChange(p)?.action).toBe('noop');
  });
});

describe('a saved plan carries its placement', () => {
  const g = site(3);
  const nodes = [node('n1'), node('n2'), node('n3')];
  const { state, observed } = deployedOn(g, ['n1', 'n2', 'n3']);
  const input: PlanInput = { graph: g, state, observed, nodes, drained: ['n2'] };

  it('survives a JSON round trip whole, and its basis still holds', () => {
    const p = plan(input);
    const saved = JSON.parse(JSON.stringify(p)) as typeof p;
    expect(saved).toEqual(p);
    expect(saved.placement?.moves).toHaveLength(1);
    expect(checkPlanBasis(saved, input)).toEqual([]);
  });

  it('is stale once the nodes change: drained, down, back, relabelled or resized', () => {
    const saved = JSON.parse(JSON.stringify(plan(input))) as ReturnType<typeof plan>;
    const what = (now: PlanInput) => checkPlanBasis(saved, now).map((r) => r.what);
    expect(what({ ...input, drained: [] })).toEqual(['nodes']);
    expect(what({ ...input, drained: ['n2', 'n3'] })).toEqual(['nodes']);
    expect(what({ ...input, nodes: [node('n1'), node('n2'), node('n3', false)] })).toEqual(['nodes']);
    expect(what({ ...input, nodes: [node('n1'), node('n2'), node('n3', true, { labels: { zone: 'b' } })] })).toEqual(['nodes']);
    expect(what({ ...input, nodes: [node('n1'), node('n2'), node('n3', true, { capacity: { cpu: 1000, memory: 2 ** 27 } })] })).toEqual(['nodes']);
    expect(what({ ...input, nodes: [node('n3'), node('n1'), node('n2')] })).toEqual([]);
  });

  it('a plan made without the nodes is refused on several nodes, where it would place nothing', () => {
    const blind = plan({ graph: g, state, observed });
    expect(checkPlanBasis(blind, input).map((r) => r.what)).toEqual(['nodes']);
    expect(checkPlanBasis(blind, { ...input, nodes: [node('local')] })).toEqual([]);
  });
});

describe('placement invariants (property)', () => {
  const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const arb = fc
    .record({
      nodeCount: fc.integer({ min: 1, max: 5 }),
      replicas: fc.integer({ min: 1, max: 6 }),
      drained: fc.subarray(names),
      down: fc.subarray(names),
      on: fc.array(fc.nat(4), { minLength: 6, maxLength: 6 }),
    })
    .map((m) => ({ ...m, on: m.on.slice(0, m.replicas).map((i) => names[i % m.nodeCount] as string) }));

  it('places only on good nodes, moves only off bad ones, and says so in the Deployment change', () => {
    fc.assert(
      fc.property(arb, ({ nodeCount, replicas, drained, down, on }) => {
        const g = site(replicas);
        const downSet = new Set(down);
        const nodes = names.slice(0, nodeCount).map((n) => node(n, !downSet.has(n)));
        const { state, observed } = deployedOn(g, on, downSet);
        const input: PlanInput = { graph: g, state, observed, nodes, drained };
        const p = plan(input);
        expect(plan(input)).toEqual(p);
        const pl = p.placement;
        if (!pl) throw new Error('no placement');
        const bad = new Set([...drained, ...down]);
        const good = nodes.filter((n) => !bad.has(n.name));
        const want = pl.replicas['site'] ?? [];
        expect(want).toHaveLength(replicas);
        // Only good nodes get replicas; with a good node, every replica fits (16 per node).
        for (const n of want) if (n !== null) expect(bad.has(n)).toBe(false);
        expect(pl.incomplete).toBe(good.length === 0);
        // A replica stays where it runs unless its node is bad.
        want.forEach((n, o) => {
          const was = on[o] as string;
          if (!bad.has(was)) expect(n).toBe(was);
        });
        // Every move leaves a bad node, and the Deployment's change names it.
        const c = p.changes.find((x) => x.id === 'site');
        for (const m of pl.moves) {
          expect(bad.has(m.from)).toBe(true);
          expect(['schedule.draining', 'schedule.unreachable']).toContain(m.code);
          expect(c?.reasons.some((r) => r.startsWith(`replica #${m.ordinal} moves ${m.from} → `))).toBe(true);
        }
        // Nothing is decided outside the plan: no move and nothing down ⇒ nothing to do.
        if (pl.moves.length === 0 && !on.some((n) => downSet.has(n))) expect(c?.action).toBe('noop');
        if (pl.moves.some((m) => m.to !== null)) expect(c?.action).not.toBe('noop');
        expect(JSON.parse(JSON.stringify(p))).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });
});
