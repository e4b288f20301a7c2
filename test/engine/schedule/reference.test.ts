/**
 * The bulk placer (water-filling, histograms, lazy room) against its specification: a
 * naive placer that takes one replica at a time and evaluates every node, as
 * kube-scheduler does. Without spreadBy and volumes the two must agree node for node.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { schedule, type ScheduleGroup, type ScheduleNode, type ScheduleRequest } from '../../../packages/engine/src/schedule/index.ts';
import { Mi } from './builders.ts';

const clamp = (x: number) => (x <= 0 ? 0 : x >= 100 ? 100 : Math.floor(x));
const half = (cap: number) => (cap > 0 ? 50 / cap : 0);

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]!;
  return false;
}

function reference(req: ScheduleRequest): Map<string, Record<string, number>> {
  const nodes = [...req.nodes].sort(
    (a, b) => b.capacity.cpu - a.capacity.cpu || b.capacity.memory - a.capacity.memory || (a.name < b.name ? -1 : 1),
  );
  const free = nodes.map((n) => ({
    cpu: n.capacity.cpu - (n.allocated?.cpu ?? 0),
    memory: n.capacity.memory - (n.allocated?.memory ?? 0),
    ports: new Set(n.hostPortsInUse ?? []),
  }));
  const groups = [...req.groups].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || (a.id < b.id ? -1 : 1));
  const out = new Map<string, Record<string, number>>();
  for (const g of groups) {
    const count = nodes.map(() => 0);
    for (let r = 0; r < g.replicas; r++) {
      let best = -1;
      let bestKey: number[] = [];
      nodes.forEach((n, i) => {
        const f = free[i]!;
        const ok =
          n.reachable &&
          !n.draining &&
          Object.entries(g.constraints).every(([k, v]) => n.labels[k] === v) &&
          count[i]! < (g.maxPerNode ?? Infinity) &&
          !(g.hostPorts ?? []).some((p) => f.ports.has(p)) &&
          (g.requests.cpu <= 0 || f.cpu >= g.requests.cpu) &&
          (g.requests.memory <= 0 || f.memory >= g.requests.memory);
        if (!ok) return;
        const hc = half(n.capacity.cpu);
        const hm = half(n.capacity.memory);
        // Smaller key wins; the walk order (index) breaks the last tie.
        const key =
          g.strategy === 'spread'
            ? [count[i]!, -clamp((f.cpu - g.requests.cpu) * hc + (f.memory - g.requests.memory) * hm)]
            : [-clamp(100 - f.cpu * hc - f.memory * hm)];
        if (best === -1 || lexLess(key, bestKey)) {
          best = i;
          bestKey = key;
        }
      });
      if (best === -1) break;
      const f = free[best]!;
      f.cpu -= g.requests.cpu;
      f.memory -= g.requests.memory;
      for (const p of g.hostPorts ?? []) f.ports.add(p);
      count[best]!++;
    }
    const per: Record<string, number> = {};
    nodes.forEach((n, i) => {
      if (count[i]! > 0) per[n.name] = count[i]!;
    });
    out.set(g.id, per);
  }
  return out;
}

const nodeArb = (name: string): fc.Arbitrary<ScheduleNode> =>
  fc
    .record({
      zone: fc.constantFrom('a', 'b'),
      cpu: fc.constantFrom(2000, 4000, 8000),
      memory: fc.constantFrom(4096, 8192, 16384).map((x) => x * Mi),
      used: fc.integer({ min: 0, max: 6 }).map((x) => x * 250),
      down: fc.integer({ min: 0, max: 12 }),
      port: fc.boolean(),
    })
    .map((x) => ({
      name,
      labels: { zone: x.zone },
      capacity: { cpu: x.cpu, memory: x.memory },
      allocated: { cpu: x.used, memory: x.used * Mi },
      reachable: x.down !== 0,
      draining: x.down === 1,
      ...(x.port ? { hostPortsInUse: [80] } : {}),
    }));

const groupArb = (id: string): fc.Arbitrary<ScheduleGroup> =>
  fc
    .record({
      replicas: fc.integer({ min: 0, max: 30 }),
      cpu: fc.integer({ min: 0, max: 8 }).map((x) => x * 125),
      memory: fc.integer({ min: 0, max: 8 }).map((x) => x * 256 * Mi),
      strategy: fc.constantFrom('spread' as const, 'binpack' as const),
      zone: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
      maxPerNode: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined, freq: 3 }),
      priority: fc.integer({ min: 0, max: 1 }),
    })
    .map((x) => ({
      id,
      replicas: x.replicas,
      requests: { cpu: x.cpu, memory: x.memory },
      strategy: x.strategy,
      constraints: x.zone === undefined ? {} : { zone: x.zone },
      priority: x.priority,
      ...(x.maxPerNode === undefined ? {} : { maxPerNode: x.maxPerNode }),
    }));

const withPorts = (g: fc.Arbitrary<ScheduleGroup>) =>
  fc.tuple(g, fc.option(fc.constantFrom([80], [8080]), { nil: undefined, freq: 4 })).map(([x, ports]) => (ports ? { ...x, hostPorts: ports } : x));

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`);

test('bulk placement equals one-at-a-time placement', () => {
  fc.assert(
    fc.property(
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 6 })).chain(([n, m]) =>
        fc.record({
          nodes: fc.tuple(...names('n', n).map(nodeArb)),
          groups: fc.tuple(...names('g', m).map((id) => withPorts(groupArb(id)))),
        }),
      ),
      (req) => {
        const res = schedule(req);
        const expected = reference(req);
        for (const g of req.groups) {
          const got: Record<string, number> = {};
          for (const p of res.placements) if (p.groupId === g.id) got[p.node] = (got[p.node] ?? 0) + 1;
          expect(got).toEqual(expected.get(g.id));
        }
      },
    ),
    { numRuns: 500 },
  );
});
