import { describe, expect, test } from 'vitest';
import { schedule, type ScheduleRequest } from '../../packages/engine/src/schedule/index.ts';
import { at, Gi, group, Mi, node, perNode } from './schedule/builders.ts';

const three = [node('n1').build(), node('n2').build(), node('n3').build()];

describe('schedule: placement', () => {
  test.each([
    {
      name: 'spread puts replicas evenly over the nodes',
      request: { nodes: three, groups: [group('web').replicas(7).build()] },
      web: { n1: 3, n2: 2, n3: 2 },
    },
    {
      name: 'spread sends the odd replica to the least allocated node',
      request: {
        nodes: [node('n1').allocated(2000, 0).build(), node('n2').build(), node('n3').allocated(1000, 0).build()],
        groups: [group('web').replicas(4).build()],
      },
      web: { n1: 1, n2: 2, n3: 1 },
    },
    {
      name: 'binpack fills the fullest node first',
      request: {
        nodes: [node('n1').build(), node('n2').allocated(2000, 2 * Gi).build(), node('n3').build()],
        groups: [group('batch').replicas(4).cpu(500).binpack().build()],
      },
      batch: { n2: 4 },
    },
    {
      name: 'binpack opens the largest empty node first, then by name',
      request: {
        nodes: [node('a').cpu(2000).build(), node('b').cpu(8000).build(), node('c').cpu(8000).build()],
        groups: [group('batch').replicas(10).cpu(1000).binpack().build()],
      },
      batch: { b: 8, c: 2 },
    },
    {
      name: 'constraints restrict the nodes',
      request: {
        nodes: [node('n1').labels({ zone: 'eu' }).build(), node('n2').labels({ zone: 'us' }).build()],
        groups: [group('web').replicas(3).constraints({ zone: 'eu' }).build()],
      },
      web: { n1: 3 },
    },
    {
      name: 'maxPerNode caps each node',
      request: { nodes: three, groups: [group('web').replicas(6).maxPerNode(2).binpack().build()] },
      web: { n1: 2, n2: 2, n3: 2 },
    },
    {
      name: 'host ports allow one replica per node and skip nodes where the port is taken',
      request: {
        nodes: [node('n1').ports(8080).build(), node('n2').build(), node('n3').build()],
        groups: [group('edge').replicas(2).ports(8080).build()],
      },
      edge: { n2: 1, n3: 1 },
    },
    {
      name: 'spreadBy balances zones before nodes',
      request: {
        nodes: [
          node('a1').labels({ zone: 'a' }).build(),
          node('a2').labels({ zone: 'a' }).build(),
          node('a3').labels({ zone: 'a' }).build(),
          node('b1').labels({ zone: 'b' }).build(),
        ],
        groups: [group('web').replicas(4).spreadBy('zone').build()],
      },
      web: { a1: 1, a2: 1, b1: 2 },
    },
    {
      name: 'an existing node-local volume pins every replica to its node',
      request: {
        nodes: [node('n1').build(), node('n2').volumes('data').build(), node('n3').build()],
        groups: [group('db').replicas(3).volumes('data').build()],
      },
      db: { n2: 3 },
    },
    {
      name: 'a new node-local volume puts every replica on one node',
      request: { nodes: three, groups: [group('db').replicas(3).volumes('fresh').build()] },
      db: { n1: 3 },
    },
    {
      name: 'unreachable and draining nodes take nothing',
      request: {
        nodes: [node('n1').unreachable().build(), node('n2').draining().build(), node('n3').build()],
        groups: [group('web').replicas(2).build()],
      },
      web: { n3: 2 },
    },
  ] satisfies { name: string; request: ScheduleRequest; [group: string]: unknown }[])('$name', ({ request, ...expected }) => {
    const result = schedule(request);
    for (const [id, counts] of Object.entries(expected)) {
      if (id === 'name') continue;
      expect(perNode(result.placements, id)).toEqual(counts);
    }
    expect(result.unplaced).toEqual([]);
  });

  test('placements are sorted by group id and ordinal, ordinals are 0..replicas-1', () => {
    const r = schedule({ nodes: three, groups: [group('b').replicas(2).build(), group('a').replicas(2).build()] });
    expect(r.placements.map((p) => `${p.groupId}/${p.ordinal}`)).toEqual(['a/0', 'a/1', 'b/0', 'b/1']);
  });

  test('higher priority is placed first when capacity is short', () => {
    const r = schedule({
      nodes: [node('n1').cpu(1000).build()],
      groups: [group('low').replicas(1).cpu(1000).build(), group('high').replicas(1).cpu(1000).priority(5).build()],
    });
    expect(r.placements).toEqual([at('high', 0, 'n1')]);
    expect(r.unplaced.map((u) => u.groupId)).toEqual(['low']);
  });
});

describe('schedule: explanations', () => {
  test('every node gets a reason, in words', () => {
    const r = schedule({
      nodes: [
        node('node-a').labels({ zone: 'eu' }).cpu(4000).memory(4 * Gi).allocated(0, 4 * Gi - 128 * Mi).build(),
        node('node-c').labels({ zone: 'us' }).build(),
        node('node-d').labels({ zone: 'eu' }).ports(8080).build(),
        node('node-e').labels({ zone: 'eu' }).unreachable().build(),
        node('node-f').labels({ zone: 'eu' }).draining().build(),
      ],
      groups: [group('web').replicas(1).memory(512 * Mi).constraints({ zone: 'eu' }).ports(8080).build()],
    });
    expect(r.placements).toEqual([]);
    const [u] = r.unplaced;
    expect(u?.rejected.map((x) => x.reason)).toMatchInlineSnapshot(`
      [
        "node-a: needs 512Mi memory, 128Mi free",
        "node-c: lacks label zone=eu (has zone=us)",
        "node-d: host port 8080 in use",
        "node-e: unreachable",
        "node-f: draining",
      ]
    `);
    expect(u?.rejected.map((x) => x.filter)).toEqual(['resources-fit', 'node-labels', 'host-ports', 'node-reachable', 'node-draining']);
    expect(u?.summary.map((s) => s.count).reduce((a, b) => a + b, 0)).toBe(5);
  });

  test('max per node is named, and unplaced replicas of a group share one explanation', () => {
    const r = schedule({ nodes: [node('n1').build()], groups: [group('web').replicas(4).maxPerNode(2).build()] });
    expect(r.unplaced.map((u) => u.ordinal)).toEqual([2, 3]);
    expect(r.unplaced[0]?.rejected).toEqual([
      { node: 'n1', filter: 'max-per-node', code: 'schedule.max-per-node', reason: 'n1: max 2 per node reached' },
    ]);
    expect(r.unplaced[1]?.rejected).toBe(r.unplaced[0]?.rejected);
  });

  test('the spread rule is hard: a full zone caps the others at maxSkew', () => {
    const r = schedule({
      nodes: [node('a1').labels({ zone: 'a' }).build(), node('b1').labels({ zone: 'b' }).cpu(100).build()],
      groups: [group('web').replicas(4).cpu(100).spreadBy('zone').build()],
    });
    expect(perNode(r.placements, 'web')).toEqual({ a1: 2, b1: 1 });
    expect(r.unplaced).toHaveLength(1);
    expect(r.unplaced[0]?.summary.map((s) => s.examples[0])).toEqual([
      'b1: needs 100m cpu, 0 free',
      'a1: zone=a would have 3 replicas, zone=b has 1 (max skew 1)',
    ]);
  });

  test('explanations are JSON data', () => {
    const r = schedule({ nodes: [node('n1').cpu(0).build()], groups: [group('web').build()] });
    const json = JSON.parse(JSON.stringify(r)) as { unplaced: { summary: { code: string }[] }[] };
    expect(json.unplaced[0]?.summary[0]?.code).toBe('schedule.insufficient-cpu');
  });
});

describe('schedule: stickiness and moves', () => {
  test('a running replica stays even when another node is emptier', () => {
    const r = schedule({
      nodes: [node('n1').allocated(3000, 0).build(), node('n2').build()],
      groups: [group('web').replicas(1).build()],
      current: [at('web', 0, 'n1')],
    });
    expect(r.placements).toEqual([at('web', 0, 'n1')]);
    expect(r.moves).toEqual([]);
  });

  test('replicas on unreachable or draining nodes move, and the result says why', () => {
    const r = schedule({
      nodes: [node('n1').unreachable().build(), node('n2').draining().build(), node('n3').build()],
      groups: [group('web').replicas(3).build()],
      current: [at('web', 0, 'n1'), at('web', 1, 'n2'), at('web', 2, 'n3')],
    });
    expect(r.placements).toEqual([at('web', 0, 'n3'), at('web', 1, 'n3'), at('web', 2, 'n3')]);
    expect(r.moves.map(({ ordinal, from, to, filter, reason }) => ({ ordinal, from, to, filter, reason }))).toEqual([
      { ordinal: 0, from: 'n1', to: 'n3', filter: 'node-reachable', reason: 'n1: unreachable' },
      { ordinal: 1, from: 'n2', to: 'n3', filter: 'node-draining', reason: 'n2: draining' },
    ]);
  });

  test('a node that left the cluster moves its replicas; scaled-down ordinals just go', () => {
    const r = schedule({
      nodes: [node('n1').build()],
      groups: [group('web').replicas(1).build()],
      current: [at('web', 0, 'gone'), at('web', 1, 'n1'), at('old', 0, 'n1')],
    });
    expect(r.placements).toEqual([at('web', 0, 'n1')]);
    expect(r.moves).toEqual([
      {
        groupId: 'web',
        ordinal: 0,
        from: 'gone',
        to: 'n1',
        filter: 'scheduler',
        code: 'schedule.node-gone',
        reason: 'gone: no longer in the cluster',
      },
    ]);
  });

  test('a replica that no longer fits moves; nothing to move to is to: null', () => {
    const r = schedule({
      nodes: [node('n1').cpu(1000).build()],
      groups: [group('web').replicas(1).cpu(2000).build()],
      current: [at('web', 0, 'n1')],
    });
    expect(r.moves[0]).toMatchObject({ from: 'n1', to: null, code: 'schedule.insufficient-cpu' });
    expect(r.unplaced).toHaveLength(1);
  });
});

describe('schedule: preemption', () => {
  const request: ScheduleRequest = {
    nodes: [node('n1').cpu(2000).build()],
    groups: [
      group('batch').replicas(2).cpu(1000).priority(0).build(),
      group('api').replicas(1).cpu(1000).priority(10).build(),
    ],
    current: [at('batch', 0, 'n1'), at('batch', 1, 'n1')],
  };

  test('without the flag it only reports who would have to go', () => {
    const r = schedule(request);
    expect(r.placements).toEqual([at('batch', 0, 'n1'), at('batch', 1, 'n1')]);
    expect(r.preemptions).toEqual([
      { groupId: 'api', ordinal: 0, node: 'n1', victims: [{ groupId: 'batch', ordinal: 1, priority: 0 }], applied: false },
    ]);
    expect(r.unplaced.map((u) => u.groupId)).toEqual(['api']);
  });

  test('with allowPreemption it evicts the lowest-priority, highest-ordinal replica', () => {
    const r = schedule({ ...request, allowPreemption: true });
    expect(r.placements).toEqual([at('api', 0, 'n1'), at('batch', 0, 'n1')]);
    expect(r.preemptions[0]?.applied).toBe(true);
    expect(r.unplaced.map((u) => `${u.groupId}/${u.ordinal}`)).toEqual(['batch/1']);
  });

  test('equal priority never preempts', () => {
    const r = schedule({
      ...request,
      groups: [group('batch').replicas(2).cpu(1000).build(), group('api').replicas(1).cpu(1000).build()],
      allowPreemption: true,
    });
    expect(r.preemptions).toEqual([]);
  });
});
