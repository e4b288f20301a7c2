import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  schedule,
  type Placement,
  type ScheduleGroup,
  type ScheduleNode,
  type ScheduleRequest,
  type ScheduleResult,
} from '../../../packages/engine/src/schedule/index.ts';
import { Mi } from './builders.ts';

// ---------- generators: small clusters where every rule gets exercised ----------

const nodeArb = (name: string): fc.Arbitrary<ScheduleNode> =>
  fc
    .record({
      zone: fc.constantFrom('a', 'b', 'c'),
      disk: fc.option(fc.constantFrom('ssd', 'hdd'), { nil: undefined }),
      cpu: fc.integer({ min: 0, max: 16 }).map((x) => x * 250),
      memory: fc.integer({ min: 0, max: 16 }).map((x) => x * 256 * Mi),
      allocated: fc.option(fc.record({ cpu: fc.integer({ min: 0, max: 1000 }), memory: fc.integer({ min: 0, max: 512 * Mi }) }), {
        nil: undefined,
      }),
      // 0: unreachable, 1: draining, else healthy.
      down: fc.integer({ min: 0, max: 9 }),
      ports: fc.subarray([80, 443]),
      volumes: fc.subarray(['v1', 'v2']),
    })
    .map((x) => {
      const n: { -readonly [K in keyof ScheduleNode]: ScheduleNode[K] } = {
        name,
        labels: x.disk === undefined ? { zone: x.zone } : { zone: x.zone, disk: x.disk },
        capacity: { cpu: x.cpu, memory: x.memory },
        reachable: x.down !== 0,
        draining: x.down === 1,
      };
      if (x.allocated !== undefined) n.allocated = x.allocated;
      if (x.ports.length > 0) n.hostPortsInUse = x.ports;
      if (x.volumes.length > 0) n.volumes = x.volumes;
      return n;
    });

const groupArb = (id: string): fc.Arbitrary<ScheduleGroup> =>
  fc
    .record({
      replicas: fc.integer({ min: 0, max: 12 }),
      cpu: fc.integer({ min: 0, max: 8 }).map((x) => x * 250),
      memory: fc.integer({ min: 0, max: 8 }).map((x) => x * 128 * Mi),
      strategy: fc.constantFrom('spread' as const, 'binpack' as const),
      zone: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
      spreadBy: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined, freq: 3 }),
      maxPerNode: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 3 }),
      ports: fc.option(fc.constantFrom([80], [443], [8080]), { nil: undefined, freq: 4 }),
      volumes: fc.option(fc.constantFrom(['v1'], ['v3']), { nil: undefined, freq: 8 }),
      priority: fc.integer({ min: 0, max: 2 }),
    })
    .map((x) => {
      const g: { -readonly [K in keyof ScheduleGroup]: ScheduleGroup[K] } = {
        id,
        replicas: x.replicas,
        requests: { cpu: x.cpu, memory: x.memory },
        strategy: x.strategy,
        constraints: x.zone === undefined ? {} : { zone: x.zone },
        priority: x.priority,
      };
      if (x.spreadBy !== undefined) g.spreadBy = { label: 'zone', maxSkew: x.spreadBy };
      if (x.maxPerNode !== undefined) g.maxPerNode = x.maxPerNode;
      if (x.ports !== undefined) g.hostPorts = x.ports;
      if (x.volumes !== undefined) g.volumes = x.volumes;
      return g;
    });

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, k) => `${prefix}${k}`);

interface Options {
  current?: boolean;
  volumes?: boolean;
}

const requestArb = ({ current = true, volumes = true }: Options = {}): fc.Arbitrary<ScheduleRequest> =>
  fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }))
    .chain(([n, m]) =>
      fc.record({
        nodes: fc.tuple(...names('n', n).map(nodeArb)),
        groups: fc.tuple(...names('g', m).map(groupArb)).map((gs) =>
          volumes
            ? gs
            : gs.map((g) => {
                const { volumes: _drop, ...rest } = g;
                return rest;
              }),
        ),
        current: current
          ? fc.array(
              fc.record({
                groupId: fc.constantFrom(...names('g', m), 'gone'),
                ordinal: fc.integer({ min: 0, max: 13 }),
                node: fc.constantFrom(...names('n', n), 'n-old'),
              }),
              { maxLength: 20 },
            )
          : fc.constant([]),
        allowPreemption: fc.boolean(),
      }),
    );

// ---------- helpers ----------

const key = (p: { readonly groupId: string; readonly ordinal: number }) => `${p.groupId}/${p.ordinal}`;

function usage(req: ScheduleRequest, res: ScheduleResult) {
  const groups = new Map(req.groups.map((g) => [g.id, g]));
  const out = new Map<string, { cpu: number; memory: number; ports: number[]; count: Map<string, number> }>();
  for (const n of req.nodes) {
    out.set(n.name, {
      cpu: n.allocated?.cpu ?? 0,
      memory: n.allocated?.memory ?? 0,
      ports: [...(n.hostPortsInUse ?? [])],
      count: new Map(),
    });
  }
  for (const p of res.placements) {
    const g = groups.get(p.groupId)!;
    const u = out.get(p.node)!;
    u.cpu += g.requests.cpu;
    u.memory += g.requests.memory;
    u.ports.push(...(g.hostPorts ?? []));
    u.count.set(g.id, (u.count.get(g.id) ?? 0) + 1);
  }
  return out;
}

const eligible = (n: ScheduleNode, g: ScheduleGroup) =>
  n.reachable &&
  !n.draining &&
  Object.entries(g.constraints).every(([k, v]) => n.labels[k] === v) &&
  (g.spreadBy === undefined || n.labels[g.spreadBy.label] !== undefined);

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let k = out.length - 1; k > 0; k--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (k + 1);
    [out[k], out[j]] = [out[j]!, out[k]!];
  }
  return out;
}

// ---------- properties ----------

describe('schedule: properties', () => {
  test('no node goes over capacity', () => {
    fc.assert(
      fc.property(requestArb(), (req) => {
        const res = schedule(req);
        const used = usage(req, res);
        for (const n of req.nodes) {
          const u = used.get(n.name)!;
          // Placements add nothing beyond what was free (a zero request fits anywhere).
          const cpu = u.cpu - (n.allocated?.cpu ?? 0);
          const memory = u.memory - (n.allocated?.memory ?? 0);
          if (cpu > 0) expect(u.cpu).toBeLessThanOrEqual(n.capacity.cpu);
          if (memory > 0) expect(u.memory).toBeLessThanOrEqual(n.capacity.memory);
        }
      }),
    );
  });

  test('every replica is placed or unplaced exactly once, and every unplaced one has a reason per node', () => {
    fc.assert(
      fc.property(requestArb(), (req) => {
        const res = schedule(req);
        const all = [...res.placements.map(key), ...res.unplaced.map(key)].sort();
        const expected = req.groups.flatMap((g) => names(`${g.id}/`, g.replicas)).sort();
        expect(all).toEqual(expected);
        for (const u of res.unplaced) {
          expect(u.rejected.map((r) => r.node).sort()).toEqual(req.nodes.map((n) => n.name).sort());
          for (const r of u.rejected) expect(r.reason.startsWith(`${r.node}: `)).toBe(true);
          expect(u.summary.reduce((s, x) => s + x.count, 0)).toBe(req.nodes.length);
        }
      }),
    );
  });

  test('same input gives the same output, whatever the order of the input arrays', () => {
    fc.assert(
      fc.property(requestArb(), fc.integer({ min: 1, max: 1 << 30 }), (req, seed) => {
        const a = JSON.stringify(schedule(req));
        expect(JSON.stringify(schedule(req))).toBe(a);
        const permuted: ScheduleRequest = {
          ...req,
          nodes: shuffle(req.nodes, seed),
          groups: shuffle(req.groups, seed + 1),
          current: shuffle(req.current ?? [], seed + 2),
        };
        expect(JSON.stringify(schedule(permuted))).toBe(a);
      }),
    );
  });

  test('rescheduling a cluster that is already satisfied moves nothing', () => {
    fc.assert(
      fc.property(requestArb(), (req) => {
        const first = schedule({ ...req, allowPreemption: false });
        const again = schedule({ ...req, allowPreemption: false, current: first.placements });
        expect(again.moves).toEqual([]);
        const kept = new Set(again.placements.map((p) => `${key(p)}@${p.node}`));
        for (const p of first.placements) expect(kept.has(`${key(p)}@${p.node}`)).toBe(true);
        if (first.unplaced.length === 0) expect(again.placements).toEqual(first.placements);
      }),
    );
  });

  test('constraints, host ports and maxPerNode are respected', () => {
    fc.assert(
      fc.property(requestArb(), (req) => {
        const res = schedule(req);
        const nodes = new Map(req.nodes.map((n) => [n.name, n]));
        const groups = new Map(req.groups.map((g) => [g.id, g]));
        for (const p of res.placements) {
          const n = nodes.get(p.node)!;
          const g = groups.get(p.groupId)!;
          expect(eligible(n, g)).toBe(true);
        }
        for (const [, u] of usage(req, res)) {
          expect(new Set(u.ports).size).toBe(u.ports.length);
          for (const [id, c] of u.count) expect(c).toBeLessThanOrEqual(groups.get(id)!.maxPerNode ?? Infinity);
        }
        // One node per group that has node-local volumes.
        for (const g of req.groups) {
          if (g.volumes === undefined) continue;
          expect(new Set(res.placements.filter((p) => p.groupId === g.id).map((p) => p.node)).size).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  test('spread: skew ≤ 1 across nodes whenever feasible, and spreadBy skew ≤ maxSkew', () => {
    fc.assert(
      fc.property(requestArb({ current: false, volumes: false }), (input) => {
        const req = { ...input, allowPreemption: false };
        const res = schedule(req);
        const used = usage(req, res);
        for (const g of req.groups) {
          const pool = req.nodes.filter((n) => eligible(n, g));
          const count = (n: ScheduleNode) => used.get(n.name)!.count.get(g.id) ?? 0;
          if (g.spreadBy !== undefined) {
            const byZone = new Map<string, number>();
            for (const n of pool) byZone.set(n.labels.zone!, (byZone.get(n.labels.zone!) ?? 0) + count(n));
            const vals = [...byZone.values()];
            if (vals.length > 0) expect(Math.max(...vals) - Math.min(...vals)).toBeLessThanOrEqual(g.spreadBy.maxSkew ?? 1);
            continue;
          }
          if (g.strategy !== 'spread') continue;
          const max = Math.max(0, ...pool.map(count));
          // A node that could still take one more replica of g (at the end, so also when g was placed).
          for (const n of pool) {
            const u = used.get(n.name)!;
            const open =
              u.cpu + g.requests.cpu <= n.capacity.cpu &&
              u.memory + g.requests.memory <= n.capacity.memory &&
              count(n) < (g.maxPerNode ?? Infinity) &&
              !(g.hostPorts ?? []).some((p) => u.ports.includes(p));
            if (open) expect(max - count(n)).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  test('preemption evicts only with the flag, and only lower priorities', () => {
    fc.assert(
      fc.property(requestArb(), (req) => {
        const off = schedule({ ...req, allowPreemption: false });
        const placedOff = new Set(off.placements.map(key));
        const prio = new Map(req.groups.map((g) => [g.id, g.priority ?? 0]));
        for (const p of off.preemptions) {
          expect(p.applied).toBe(false);
          expect(placedOff.has(key(p))).toBe(false);
          for (const v of p.victims) {
            expect(placedOff.has(key(v))).toBe(true);
            expect(v.priority).toBeLessThan(prio.get(p.groupId)!);
          }
        }
        const on = schedule({ ...req, allowPreemption: true });
        const placedOn = new Map(on.placements.map((p) => [key(p), p.node]));
        for (const p of on.preemptions) {
          expect(p.applied).toBe(true);
          expect(placedOn.get(key(p))).toBe(p.node);
        }
        if (on.preemptions.length === 0) expect(on.placements).toEqual(off.placements);
      }),
    );
  });
});

describe('schedule: fast path matches its specification on one node type', () => {
  test('a fresh spread group on identical nodes differs by at most one replica per node', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 200 }), (n, replicas) => {
        const nodes = names('n', n).map((name) => ({
          name,
          labels: {},
          capacity: { cpu: 100_000, memory: 100_000 * Mi },
          reachable: true,
          draining: false,
        }));
        const res = schedule({
          nodes,
          groups: [{ id: 'g', replicas, requests: { cpu: 10, memory: Mi }, strategy: 'spread', constraints: {} }],
        });
        const counts = nodes.map((x) => res.placements.filter((p) => p.node === x.name).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(res.placements).toHaveLength(replicas);
      }),
    );
  });
});
