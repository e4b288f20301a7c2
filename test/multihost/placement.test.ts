// The pure half of the multi-host fixes, without engines: a node that does not answer and a node
// that comes back, as placeReplicas and describePlacements see them.
import { describe, expect, it } from 'vitest';
import { Deployment, Image, type GraphJson } from '@berth/core';
import { Testing } from '@berth/core/testing';
import { describePlacements, placeReplicas, toPlanPlacement, type NodeFacts, type Observed } from '@berth/engine';

function graph(replicas: number): GraphJson {
  const c = Testing.cluster('mh');
  const image = new Image(c, 'img', { name: 'berth-test/busybox:1' });
  new Deployment(c, 'site', { image, replicas, ports: [8080], resources: { requests: { cpu: '50m', memory: '8Mi' } }, placement: { strategy: 'spread' } });
  return Testing.synth(c);
}

const node = (name: string, reachable = true): NodeFacts => ({
  name,
  labels: {},
  capacity: { cpu: 2000, memory: 128 * 2 ** 20 },
  reachable,
  draining: false,
  volumes: [],
  ...(reachable ? {} : { error: 'connect ECONNREFUSED' }),
});

function observed(replicas: Array<[number, string, 'running' | 'exited']>): Observed {
  return {
    cluster: 'mh',
    kinds: ['Deployment'],
    resources: {
      site: {
        kind: 'Deployment',
        exists: true,
        replicas: replicas.map(([ordinal, n, state]) => ({ ordinal, node: n, containerId: `${n}-${ordinal}`, specHash: 'h', state })),
      },
    },
  };
}

describe('placement with an unreachable node', () => {
  const g = graph(6);
  // n2 does not answer: its replicas (#2, #3) are not observed, only recorded in state.
  const live = observed([
    [0, 'n1', 'running'],
    [1, 'n1', 'running'],
    [4, 'n3', 'running'],
    [5, 'n3', 'running'],
  ]);
  const recorded = { site: [0, 1, 2, 3, 4, 5].map((o) => ({ ordinal: o, node: ['n1', 'n1', 'n2', 'n2', 'n3', 'n3'][o] ?? '' })) };
  const nodes = [node('n1'), node('n2', false), node('n3')];

  it('reports the replicas state puts on it as moved away because it is unreachable', () => {
    const p = placeReplicas(g, nodes, live, false, recorded);
    expect(p.incomplete).toBe(false);
    expect(p.result.moves.map((m) => [m.ordinal, m.from, m.code])).toEqual([
      [2, 'n2', 'schedule.unreachable'],
      [3, 'n2', 'schedule.unreachable'],
    ]);
    const want = p.nodes.get('site') ?? [];
    expect(want.filter((n) => n === 'n2')).toHaveLength(0);
    expect(want.filter((n) => n !== undefined)).toHaveLength(6);
    const lines = describePlacements(g, toPlanPlacement(nodes, p));
    expect(lines[0]).toBe('  node n2 is unreachable (connect ECONNREFUSED): 2 replicas rescheduled onto reachable nodes');
    expect(lines.filter((l) => /^ {2}move site #[23]: n2 → n[13] because n2: unreachable$/.test(l))).toHaveLength(2);
  });

  it('without recorded placements the replicas are only missing (the old behaviour), and nothing is said about moves', () => {
    const p = placeReplicas(g, nodes, live, false);
    expect(p.result.moves).toEqual([]);
    expect(p.unreachable).toEqual([{ name: 'n2', error: 'connect ECONNREFUSED' }]);
  });

  it('ignores recorded placements on nodes that answer (what runs there is observed)', () => {
    const p = placeReplicas(g, [node('n1'), node('n2'), node('n3')], live, false, recorded);
    expect(p.result.moves).toEqual([]);
    expect(p.unreachable).toEqual([]);
  });
});

describe('a node that comes back', () => {
  it('lists the replicas it kept, whose ordinals now run elsewhere, as leftovers', () => {
    const g = graph(4);
    const back = observed([
      [0, 'n1', 'running'],
      [1, 'n3', 'running'],
      [1, 'n2', 'exited'],
      [2, 'n1', 'running'],
      [3, 'n3', 'running'],
    ]);
    const p = placeReplicas(g, [node('n1'), node('n2'), node('n3')], back, false);
    expect(p.nodes.get('site')).toEqual(['n1', 'n3', 'n1', 'n3']);
    expect(p.leftovers).toEqual([{ groupId: 'site', ordinal: 1, node: 'n2', state: 'exited', placedOn: 'n3' }]);
    expect(describePlacements(g, toPlanPlacement([node('n1'), node('n2'), node('n3')], p))).toContain('  remove site #1 left on n2 (exited): #1 is placed on n3');
  });

  it('does not count a replica beyond the new replica count (a scale-down) or one where it belongs', () => {
    const g = graph(2);
    const p = placeReplicas(g, [node('n1'), node('n2')], observed([[0, 'n1', 'running'], [1, 'n2', 'running'], [2, 'n1', 'running']]), false);
    expect(p.leftovers).toEqual([]);
  });
});
